//! Calendar dates as the domain writes them (`YYYY-MM-DD`, days in UTC), on top of chrono, so no
//! module does day arithmetic by hand. Pure: "today" is derived from a time the caller passes in.

/// A calendar day (chrono's), re-exported so callers need no chrono of their own.
pub use chrono::NaiveDate;
use chrono::{DateTime, Datelike, Weekday};

/// The earliest year a domain date may have: anything before is a typing mistake, not a visit.
pub const EARLIEST_YEAR: i32 = 1900;

/// A date written exactly `YYYY-MM-DD` (four-digit year from [`EARLIEST_YEAR`], two-digit month
/// and day, a real day of that month). chrono's own parser alone would also take `2027-3-9` or a
/// signed year, so the shape is checked first: one date has one spelling on both ends.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
        return None;
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    (date.year() >= EARLIEST_YEAR).then_some(date)
}

/// The `YYYY-MM-DD` spelling of a date.
pub fn format_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The UTC calendar day of a wall time in milliseconds since 1970 (the server's "today").
pub fn utc_day(now_ms: u64) -> NaiveDate {
    let ms = i64::try_from(now_ms).unwrap_or(i64::MAX);
    DateTime::from_timestamp_millis(ms).map_or(NaiveDate::MAX, |t| t.date_naive())
}

/// `date` moved by `days` (negative: earlier); `None` beyond chrono's range.
pub fn add_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    date.checked_add_signed(chrono::TimeDelta::try_days(days)?)
}

/// The Monday of the week `date` falls in (weeks run Monday to Sunday, as schools count them).
pub fn monday_of(date: NaiveDate) -> NaiveDate {
    date - chrono::Days::new(u64::from(date.weekday().num_days_from_monday()))
}

/// Monday to Friday: the days a school is open for a visit.
pub fn is_school_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The English name of a date's weekday ("Saturday"), as messages show it.
pub fn weekday_name(date: NaiveDate) -> &'static str {
    match date.weekday() {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_one_spelling_of_a_real_date_reads() {
        assert_eq!(parse_date("2028-02-29").map(format_date).as_deref(), Some("2028-02-29"));
        for bad in [
            "2027-02-29",
            "2027-3-09",
            "+2027-03-09",
            "2027-03-09 ",
            "27-03-09",
            "1899-12-31",
            "2027-13-01",
            "2027-00-10",
            "２０２７-03-09",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_count_across_months_years_and_leap_days() {
        let d = |s| parse_date(s).unwrap();
        assert_eq!(add_days(d("2026-12-30"), 3), Some(d("2027-01-02")));
        assert_eq!(add_days(d("2028-02-28"), 1), Some(d("2028-02-29")));
        assert_eq!(add_days(d("2027-03-01"), -1), Some(d("2027-02-28")));
        assert_eq!(format_date(utc_day(0)), "1970-01-01");
        // 2027-03-08T23:59:59.999Z is still the 8th in UTC.
        assert_eq!(format_date(utc_day(1_804_550_399_999)), "2027-03-08");
        assert_eq!(format_date(utc_day(1_804_550_400_000)), "2027-03-09");
    }

    #[test]
    fn school_days_are_monday_to_friday() {
        // 2027-03-08 is a Monday.
        let monday = parse_date("2027-03-08").unwrap();
        let names: Vec<_> = (0..7).map(|i| add_days(monday, i).unwrap()).map(|d| (weekday_name(d), is_school_day(d))).collect();
        assert_eq!(
            names,
            [
                ("Monday", true),
                ("Tuesday", true),
                ("Wednesday", true),
                ("Thursday", true),
                ("Friday", true),
                ("Saturday", false),
                ("Sunday", false)
            ]
        );
    }
}
