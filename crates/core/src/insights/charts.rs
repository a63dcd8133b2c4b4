//! The five charts from facts the server read (issued reports, review records, the school
//! register): pure, so what is counted and what is hidden is tested without a database.

use super::csv::to_csv;
use super::suppression::{suppress, Partition, Tally};
use super::{academic_year, fsm_band, months_of, FSM_BANDS};
use crate::calendar::{format_date, parse_date, NaiveDate};
use crate::framework::{framework, CURRENT_FRAMEWORK};
use crate::protocol::insights::{Chart, ChartColumn, ChartRow};
use crate::report_deadline::report_overdue;
use crate::ReviewState;
use std::collections::{BTreeMap, BTreeSet};

/// The area the FSM chart sets against the register's FSM percentage.
pub const DISADVANTAGED_AREA: &str = "disadvantaged_additional_needs";
/// The theme an Area of Excellence counts under until it has theme tags.
pub const UNTAGGED_THEME: &str = "untagged";

/// What the charts need of one issued report (its latest version): nothing from evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedFacts {
    pub review_id: String,
    pub school_urn: String,
    /// The first visit day, `YYYY-MM-DD` (the issue day when the snapshot has none).
    pub visit_day: String,
    /// `(area_code, scale code)` as issued.
    pub estimates: Vec<(String, String)>,
    /// The register's percentage of pupils eligible for free school meals, now.
    pub percentage_fsm: Option<f64>,
    /// The report has an Area of Excellence write-up.
    pub has_aoe: bool,
    /// The AoE's theme codes (empty: not tagged yet).
    pub aoe_themes: Vec<String>,
}

/// What the by-state and overdue charts need of one review record.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewFacts {
    pub school_urn: String,
    pub state: ReviewState,
    /// The first visit day, `YYYY-MM-DD`, or empty.
    pub visit_day: String,
    pub report_due: Option<NaiveDate>,
}

/// Counts reviews and the distinct schools behind them, per cell.
#[derive(Default)]
struct Grid {
    cells: BTreeMap<(usize, usize), (u32, BTreeSet<String>)>,
}

impl Grid {
    fn add(&mut self, row: usize, col: usize, school: &str) {
        let cell = self.cells.entry((row, col)).or_default();
        cell.0 += 1;
        cell.1.insert(school.to_owned());
    }

    fn tallies(&self, rows: usize, cols: usize) -> Vec<Vec<Tally>> {
        (0..rows)
            .map(|r| {
                (0..cols)
                    .map(|c| self.cells.get(&(r, c)).map_or_else(Tally::default, |(n, s)| Tally { count: *n, schools: s.len() as u32 }))
                    .collect()
            })
            .collect()
    }
}

/// A row before its counts are known.
struct RowSpec {
    code: String,
    label: String,
    group: String,
}

fn row(code: impl Into<String>, label: impl Into<String>, group: impl Into<String>) -> RowSpec {
    RowSpec { code: code.into(), label: label.into(), group: group.into() }
}

fn column(code: &str, label: &str) -> ChartColumn {
    ChartColumn { code: code.to_owned(), label: label.to_owned() }
}

struct Spec<'a> {
    code: &'a str,
    title: &'a str,
    unit: &'a str,
    note: String,
    columns: Vec<ChartColumn>,
    rows: Vec<RowSpec>,
    partition: Partition,
}

/// Applies the small-group rule and writes the CSV (hidden counts as empty fields).
fn finish(spec: Spec<'_>, grid: &Grid) -> Chart {
    let shown = suppress(&grid.tallies(spec.rows.len(), spec.columns.len()), spec.partition);
    let suppressed = shown.iter().flatten().filter(|v| v.is_none()).count() as u32;
    let row_header = spec.title_row_header();
    let rows: Vec<ChartRow> =
        spec.rows.into_iter().zip(shown).map(|(r, values)| ChartRow { code: r.code, label: r.label, group: r.group, values }).collect();
    let grouped = rows.iter().any(|r| !r.group.is_empty());
    let mut header: Vec<&str> = if grouped { vec!["Academic year", row_header] } else { vec![row_header] };
    header.extend(spec.columns.iter().map(|c| c.label.as_str()));
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut line = if grouped { vec![r.group.clone(), r.label.clone()] } else { vec![r.label.clone()] };
            line.extend(r.values.iter().map(|v| v.map_or_else(String::new, |n| n.to_string())));
            line
        })
        .collect();
    let csv = to_csv(&header, &lines);
    Chart {
        code: spec.code.to_owned(),
        title: spec.title.to_owned(),
        unit: spec.unit.to_owned(),
        note: spec.note,
        columns: spec.columns,
        rows,
        suppressed,
        csv,
    }
}

impl Spec<'_> {
    /// The CSV header of the row labels.
    fn title_row_header(&self) -> &'static str {
        match self.code {
            "estimates" => "Area",
            "disadvantaged_by_fsm" => "Pupils eligible for free school meals",
            "reviews_by_state" => "State",
            "overdue_by_month" => "Month",
            _ => "Theme",
        }
    }
}

fn scale_columns() -> Vec<ChartColumn> {
    let fw = framework(CURRENT_FRAMEWORK).expect("the current framework exists");
    fw.scale.iter().map(|s| column(s.code, s.label)).collect()
}

fn scale_index(code: &str) -> Option<usize> {
    framework(CURRENT_FRAMEWORK).ok()?.scale.iter().position(|s| s.code == code)
}

/// The academic year of a visit day (`None` without a date).
fn year_of(day: &str) -> Option<String> {
    parse_date(day).map(academic_year)
}

/// The academic years the issued reports fall in, oldest first.
pub fn years_of(issued: &[IssuedFacts]) -> Vec<String> {
    issued.iter().filter_map(|f| year_of(&f.visit_day)).collect::<BTreeSet<_>>().into_iter().collect()
}

/// Issued estimates per area per academic year: rows are (year, area), columns the scale.
pub fn estimates_chart(issued: &[IssuedFacts]) -> Chart {
    let fw = framework(CURRENT_FRAMEWORK).expect("the current framework exists");
    let years = years_of(issued);
    let rows: Vec<RowSpec> =
        years.iter().flat_map(|y| fw.areas.iter().map(move |a| row(format!("{y}:{}", a.code), a.label, y.clone()))).collect();
    let mut grid = Grid::default();
    for f in issued {
        let Some(y) = year_of(&f.visit_day) else { continue };
        let yi = years.iter().position(|x| *x == y).expect("listed above");
        for (area, value) in &f.estimates {
            if let (Some(ai), Some(vi)) = (fw.areas.iter().position(|a| a.code == area), scale_index(value)) {
                grid.add(yi * fw.areas.len() + ai, vi, &f.school_urn);
            }
        }
    }
    let spec = Spec {
        code: "estimates",
        title: "Issued estimates by area and academic year",
        unit: "issued reviews",
        note: "Each issued review's estimates as issued (its latest version), by the academic year of its visit.".into(),
        columns: scale_columns(),
        rows,
        partition: Partition::Rows,
    };
    finish(spec, &grid)
}

/// The disadvantaged-pupils estimate against the school's FSM percentage: each school once,
/// with its most recent issued review; rows are FSM bands, columns the scale.
pub fn fsm_chart(issued: &[IssuedFacts]) -> Chart {
    let mut latest: BTreeMap<&str, &IssuedFacts> = BTreeMap::new();
    for f in issued {
        let keep = latest.get(f.school_urn.as_str()).is_none_or(|k| (&f.visit_day, &f.review_id) > (&k.visit_day, &k.review_id));
        if keep {
            latest.insert(&f.school_urn, f);
        }
    }
    let mut grid = Grid::default();
    for f in latest.values() {
        let band = fsm_band(f.percentage_fsm);
        let bi = FSM_BANDS.iter().position(|(c, _)| *c == band).expect("a listed band");
        let value = f.estimates.iter().find(|(a, _)| a == DISADVANTAGED_AREA).and_then(|(_, v)| scale_index(v));
        if let Some(vi) = value {
            grid.add(bi, vi, &f.school_urn);
        }
    }
    let spec = Spec {
        code: "disadvantaged_by_fsm",
        title: "Disadvantaged pupils and additional needs: estimate by free school meals band",
        unit: "schools",
        note: "Each school once, with the estimate of its most recent issued review for disadvantaged pupils and pupils with \
               additional needs, against its percentage of pupils eligible for free school meals in the school register."
            .into(),
        columns: scale_columns(),
        rows: FSM_BANDS.iter().map(|(c, l)| row(*c, *l, "")).collect(),
        partition: Partition::Rows,
    };
    finish(spec, &grid)
}

/// How a state is written in a chart.
pub fn state_label(state: ReviewState) -> &'static str {
    use ReviewState::*;
    match state {
        Scheduled => "Scheduled",
        Preparing => "Preparing",
        InVisit => "In visit",
        EstimatesAgreed => "Estimates agreed",
        Drafting => "Drafting",
        Submitted => "Submitted",
        Returned => "Returned",
        Approved => "Approved",
        Issued => "Issued",
        Archived => "Archived",
        Cancelled => "Cancelled",
    }
}

/// Reviews whose visit falls in the academic year, by their state now.
pub fn states_chart(reviews: &[ReviewFacts], year: &str) -> Chart {
    let mut grid = Grid::default();
    for r in reviews.iter().filter(|r| year_of(&r.visit_day).as_deref() == Some(year)) {
        let si = ReviewState::ALL.iter().position(|s| *s == r.state).expect("every state is listed");
        grid.add(si, 0, &r.school_urn);
    }
    let spec = Spec {
        code: "reviews_by_state",
        title: "Reviews by state",
        unit: "reviews",
        note: format!("Reviews with their visit in {year}, by the state they are in now."),
        columns: vec![column("reviews", "Reviews")],
        rows: ReviewState::ALL.iter().map(|s| row(s.code(), state_label(*s), "")).collect(),
        partition: Partition::Columns,
    };
    finish(spec, &grid)
}

/// Per month of the academic year: reports that fell due, and of those the ones overdue today.
pub fn overdue_chart(reviews: &[ReviewFacts], year: &str, today: NaiveDate) -> Chart {
    let months = months_of(year).unwrap_or_default();
    let mut grid = Grid::default();
    for r in reviews {
        let Some(due) = r.report_due else { continue };
        let month = &format_date(due)[..7];
        if let Some(mi) = months.iter().position(|m| m == month) {
            grid.add(mi, 0, &r.school_urn);
            if report_overdue(r.state, Some(due), today) {
                grid.add(mi, 1, &r.school_urn);
            }
        }
    }
    let label = |m: &str| parse_date(&format!("{m}-01")).map_or_else(|| m.to_owned(), |d| d.format("%B %Y").to_string());
    let spec = Spec {
        code: "overdue_by_month",
        title: "Reports due and overdue by month",
        unit: "reports",
        note: format!(
            "By the month the report fell due in {year} (the hub's deadline after the last visit day): reports due, and of \
             those the ones still not sent to the hub on {}.",
            format_date(today)
        ),
        columns: vec![column("due", "Reports due"), column("overdue", "Overdue now")],
        rows: months.iter().map(|m| row(m.clone(), label(m), "")).collect(),
        partition: Partition::None,
    };
    finish(spec, &grid)
}

/// Areas of Excellence in issued reports, by theme (rows) and academic year (columns).
/// `themes` lists the theme codes with their labels, in order; AoEs without tags count under
/// [`UNTAGGED_THEME`].
pub fn aoe_chart(issued: &[IssuedFacts], themes: &[(&str, &str)]) -> Chart {
    let years = years_of(issued);
    let mut rows: Vec<RowSpec> = themes.iter().map(|(c, l)| row(*c, *l, "")).collect();
    rows.push(row(UNTAGGED_THEME, "Not tagged with a theme", ""));
    let mut grid = Grid::default();
    for f in issued.iter().filter(|f| f.has_aoe) {
        let Some(yi) = year_of(&f.visit_day).and_then(|y| years.iter().position(|x| *x == y)) else { continue };
        let tagged: Vec<usize> = f.aoe_themes.iter().filter_map(|t| themes.iter().position(|(c, _)| c == t)).collect();
        if tagged.is_empty() {
            grid.add(themes.len(), yi, &f.school_urn);
        }
        for ti in tagged {
            grid.add(ti, yi, &f.school_urn);
        }
    }
    let spec = Spec {
        code: "aoe_by_theme",
        title: "Areas of Excellence by theme",
        unit: "Areas of Excellence",
        note: "Areas of Excellence written up in issued reports, by theme and the academic year of the visit. An Area of \
               Excellence with several themes counts once under each."
            .into(),
        columns: years.iter().map(|y| column(y, y)).collect(),
        rows,
        // A coordinator knows how many AoEs their hub's reports had a year: the columns are wholes.
        partition: Partition::Columns,
    };
    finish(spec, &grid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issued(n: usize, day: &str, value: &str, fsm: Option<f64>) -> IssuedFacts {
        IssuedFacts {
            review_id: format!("r{n}"),
            school_urn: format!("{:06}", 100_000 + n),
            visit_day: day.into(),
            estimates: vec![("leadership".into(), value.into()), (DISADVANTAGED_AREA.into(), value.into())],
            percentage_fsm: fsm,
            has_aoe: n.is_multiple_of(2),
            aoe_themes: Vec::new(),
        }
    }

    #[test]
    fn estimates_count_schools_per_year_and_area_and_hide_small_cells() {
        let mut all: Vec<IssuedFacts> = (0..6).map(|n| issued(n, "2024-10-01", "effective", None)).collect();
        all.extend((6..8).map(|n| issued(n, "2024-11-01", "leading", None)));
        all.push(issued(8, "2023-10-01", "leading", None));
        let chart = estimates_chart(&all);
        assert_eq!(
            chart.columns.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(),
            ["leading", "effective", "working_towards_effective", "ineffective"]
        );
        let leadership = chart.rows.iter().find(|r| r.code == "2024/25:leadership").unwrap();
        // Two leading (hidden), six effective, and a zero hidden beside the two.
        assert_eq!(leadership.values, vec![None, Some(6), None, Some(0)]);
        assert_eq!(leadership.group, "2024/25");
        let earlier = chart.rows.iter().find(|r| r.code == "2023/24:leadership").unwrap();
        assert_eq!(earlier.values, vec![None, None, Some(0), Some(0)]);
        assert!(chart.csv.starts_with("\u{feff}Academic year,Area,Leading,Effective,Working Towards Effective,Ineffective\r\n"));
        assert!(chart.csv.contains("2024/25,Leadership at all levels,,6,,0\r\n"));
        assert_eq!(chart.suppressed, chart.rows.iter().flat_map(|r| &r.values).filter(|v| v.is_none()).count() as u32);
    }

    #[test]
    fn fsm_counts_each_school_once_with_its_latest_review() {
        let mut all: Vec<IssuedFacts> = (0..5).map(|n| issued(n, "2024-10-01", "leading", Some(25.0))).collect();
        // School 0's earlier review said ineffective: only the latest counts.
        let mut old = issued(0, "2022-10-01", "ineffective", Some(25.0));
        old.review_id = "old".into();
        all.push(old);
        let chart = fsm_chart(&all);
        let band = chart.rows.iter().find(|r| r.code == "fsm_20_30").unwrap();
        assert_eq!(band.values, vec![Some(5), Some(0), Some(0), Some(0)]);
    }

    #[test]
    fn states_and_overdue_count_the_chosen_year() {
        let review = |n: usize, state, due: &str| ReviewFacts {
            school_urn: format!("{:06}", 200_000 + n),
            state,
            visit_day: "2025-01-13".into(),
            report_due: parse_date(due),
        };
        let mut all: Vec<ReviewFacts> = (0..5).map(|n| review(n, ReviewState::Drafting, "2025-02-10")).collect();
        all.extend((5..10).map(|n| review(n, ReviewState::Issued, "2025-02-10")));
        let states = states_chart(&all, "2024/25");
        let value = |code: &str| states.rows.iter().find(|r| r.code == code).unwrap().values[0];
        assert_eq!((value("drafting"), value("issued"), value("preparing")), (Some(5), Some(5), Some(0)));
        assert_eq!(states_chart(&all, "2023/24").rows.iter().map(|r| r.values[0]).max(), Some(Some(0)));
        let overdue = overdue_chart(&all, "2024/25", parse_date("2025-03-01").unwrap());
        let feb = overdue.rows.iter().find(|r| r.code == "2025-02").unwrap();
        assert_eq!(feb.label, "February 2025");
        assert_eq!(feb.values, vec![Some(10), Some(5)]);
        let in_time = overdue_chart(&all, "2024/25", parse_date("2025-02-10").unwrap());
        assert_eq!(in_time.rows.iter().find(|r| r.code == "2025-02").unwrap().values, vec![Some(10), Some(0)]);
    }

    #[test]
    fn aoe_without_themes_count_as_untagged() {
        let all: Vec<IssuedFacts> = (0..12).map(|n| issued(n, "2024-10-01", "leading", None)).collect();
        let chart = aoe_chart(&all, &[("early_reading", "Early reading")]);
        assert_eq!(chart.rows.iter().map(|r| r.values.clone()).collect::<Vec<_>>(), vec![vec![Some(0)], vec![Some(6)]]);
    }
}
