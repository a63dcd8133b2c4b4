//! Hub insights (issue 23, point 2): the pure parts. Academic years and FSM bands, the
//! small-group suppression rule (decision 68) and the CSV each chart is exported as. The server
//! gathers the counts (from issued reports only); what may be shown is decided here, so the rule
//! has one home and its own tests.

pub mod charts;
pub mod csv;
pub mod suppression;

use crate::calendar::NaiveDate;
use chrono::Datelike;

pub use suppression::{suppress, Partition, Tally, MIN_SCHOOLS};

/// The academic year a day falls in, `2024/25` (years run 1 September to 31 August).
pub fn academic_year(day: NaiveDate) -> String {
    let start = if day.month() >= 9 { day.year() } else { day.year() - 1 };
    format!("{start}/{:02}", (start + 1).rem_euclid(100))
}

/// The first day of an academic year written `2024/25`; `None` unless it is exactly that shape
/// (the second year following the first).
pub fn academic_year_start(year: &str) -> Option<NaiveDate> {
    let b = year.as_bytes();
    if b.len() != 7 || b[4] != b'/' || !b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit) {
        return None;
    }
    let start: i32 = year[..4].parse().ok()?;
    let next: i32 = year[5..].parse().ok()?;
    if (start + 1).rem_euclid(100) != next || start < crate::calendar::EARLIEST_YEAR {
        return None;
    }
    NaiveDate::from_ymd_opt(start, 9, 1)
}

/// The regular expression of exactly the years [`academic_year_start`] takes (1900/01 to
/// 9999/00), for the published API schema: a fuzzer generating from a looser `NNNN/NN` would be
/// right to call a refusal of `2024/26` a broken contract.
pub fn academic_year_pattern() -> String {
    let pairs: Vec<String> = (0..100).map(|i| format!("{i:02}/{:02}", (i + 1) % 100)).collect();
    format!("^(19|[2-9][0-9])({})$", pairs.join("|"))
}

/// The twelve months of an academic year as `YYYY-MM`, September first.
pub fn months_of(year: &str) -> Option<Vec<String>> {
    let start = academic_year_start(year)?;
    Some(
        (0..12)
            .map(|i| {
                let m = 9 + i;
                let (y, m) = if m > 12 { (start.year() + 1, m - 12) } else { (start.year(), m) };
                format!("{y}-{m:02}")
            })
            .collect(),
    )
}

/// The bands the percentage of pupils eligible for free school meals is grouped in: a school's
/// own percentage is never shown, only how many schools of a band had each estimate.
pub const FSM_BANDS: &[(&str, &str)] = &[
    ("fsm_0_10", "Under 10%"),
    ("fsm_10_20", "10% to under 20%"),
    ("fsm_20_30", "20% to under 30%"),
    ("fsm_30_40", "30% to under 40%"),
    ("fsm_40_up", "40% or more"),
    ("fsm_unknown", "Not in the register"),
];

/// The band code of a percentage (`None`: the register has no value for the school).
pub fn fsm_band(percentage: Option<f64>) -> &'static str {
    match percentage {
        Some(p) if p.is_finite() && p >= 0.0 => {
            let i = ((p / 10.0).floor() as usize).min(4);
            FSM_BANDS[i].0
        }
        _ => FSM_BANDS[5].0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;

    #[test]
    fn academic_years_turn_on_the_first_of_september() {
        assert_eq!(academic_year(parse_date("2024-08-31").unwrap()), "2023/24");
        assert_eq!(academic_year(parse_date("2024-09-01").unwrap()), "2024/25");
        assert_eq!(academic_year(parse_date("1999-10-01").unwrap()), "1999/00");
        assert_eq!(academic_year_start("2024/25"), parse_date("2024-09-01"));
        assert_eq!(academic_year_start("1999/00"), parse_date("1999-09-01"));
        for bad in ["2024/26", "2024-25", "24/25", "2024/2", "abcd/ef", "1800/01"] {
            assert_eq!(academic_year_start(bad), None, "{bad}");
        }
        let pattern = academic_year_pattern();
        assert!(pattern.starts_with("^(19|[2-9][0-9])(00/01|01/02|") && pattern.ends_with("|98/99|99/00)$"), "{pattern}");
        assert_eq!(academic_year_start("9999/00"), NaiveDate::from_ymd_opt(9999, 9, 1));
        let months = months_of("2024/25").unwrap();
        assert_eq!(months.first().map(String::as_str), Some("2024-09"));
        assert_eq!(months.last().map(String::as_str), Some("2025-08"));
        assert_eq!(months.len(), 12);
    }

    #[test]
    fn fsm_bands_are_tens_with_an_open_top_and_unknown() {
        assert_eq!(fsm_band(Some(0.0)), "fsm_0_10");
        assert_eq!(fsm_band(Some(9.99)), "fsm_0_10");
        assert_eq!(fsm_band(Some(10.0)), "fsm_10_20");
        assert_eq!(fsm_band(Some(39.9)), "fsm_30_40");
        assert_eq!(fsm_band(Some(87.0)), "fsm_40_up");
        assert_eq!(fsm_band(None), "fsm_unknown");
        assert_eq!(fsm_band(Some(f64::NAN)), "fsm_unknown");
    }
}
