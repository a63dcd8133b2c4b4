//! The one rule for a review's visit days, used when a hub schedules a review and when its days
//! move, and read by the app's form (`ui/src/lib/visitDays.ts`, checked against golden cases
//! exported from here: `crates/core/tests/it/visit_day_cases.rs`).
//!
//! Three school days (Monday to Friday), different and in order, first to last at most
//! [`MAX_VISIT_SPAN_DAYS`] apart, none before today. "Today" is passed in (the server's UTC day).

use crate::calendar::{add_days, format_date, is_school_day, parse_date, weekday_name};
use crate::ReviewState;
use chrono::NaiveDate;

/// A QAR visit is three days (domain.md §1).
pub const VISIT_DAYS: usize = crate::entities::DEFAULT_VISIT_DAYS as usize;

/// First to last visit day at most this many days apart: one visit, possibly across a weekend.
pub const MAX_VISIT_SPAN_DAYS: i64 = 14;

/// The states in which the visit days may still change: once the Lead Reviewer starts the visit
/// the days are history. The same states as the permission table's `ScheduleReview` row (tested).
pub const VISIT_DAYS_EDITABLE_STATES: [ReviewState; 2] = [ReviewState::Scheduled, ReviewState::Preparing];

/// Why a set of visit days cannot be used. The words are what both the server (422
/// `invalid_dates`) and the app's form show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VisitDaysProblem {
    #[error("Give the {VISIT_DAYS} visit days.")]
    NotThreeDays,
    #[error("{0} is not a date written as YYYY-MM-DD.")]
    NotADate(String),
    #[error("{date} is a {weekday}: visit days are school days, Monday to Friday.")]
    NotASchoolDay { date: String, weekday: &'static str },
    #[error("{date} has passed: visit days cannot be in the past (today is {today}).")]
    Passed { date: String, today: String },
    #[error("The visit days must be different and in order.")]
    NotInOrder,
    #[error("The visit days must fall within {MAX_VISIT_SPAN_DAYS} days of each other.")]
    SpanTooLong,
}

/// A date as a message quotes it: at most 40 characters of whatever was sent.
fn quoted(date: &str) -> String {
    date.chars().take(40).collect()
}

/// Checks the visit days against `today`. Each day in turn must be a date, a school day and not
/// past (the first problem found is the one reported, as the form shows one at a time); then the
/// days must be in order and within the span.
pub fn check_visit_days(dates: &[String], today: NaiveDate) -> Result<(), VisitDaysProblem> {
    if dates.len() != VISIT_DAYS || dates.iter().any(String::is_empty) {
        return Err(VisitDaysProblem::NotThreeDays);
    }
    let mut days = Vec::with_capacity(VISIT_DAYS);
    for d in dates {
        let day = parse_date(d).ok_or_else(|| VisitDaysProblem::NotADate(quoted(d)))?;
        if !is_school_day(day) {
            return Err(VisitDaysProblem::NotASchoolDay { date: d.clone(), weekday: weekday_name(day) });
        }
        if day < today {
            return Err(VisitDaysProblem::Passed { date: d.clone(), today: format_date(today) });
        }
        days.push(day);
    }
    if !days.windows(2).all(|w| w[0] < w[1]) {
        return Err(VisitDaysProblem::NotInOrder);
    }
    if (days[VISIT_DAYS - 1] - days[0]).num_days() > MAX_VISIT_SPAN_DAYS {
        return Err(VisitDaysProblem::SpanTooLong);
    }
    Ok(())
}

/// True while a review in `state` may still have its visit days changed.
pub fn visit_days_editable(state: ReviewState) -> bool {
    VISIT_DAYS_EDITABLE_STATES.contains(&state)
}

/// The visit days a review shows: its `visit_dates` when it has them, else (a review set up
/// before visit days existed) three consecutive days from its start date, else none.
pub fn visit_days_or_from_start(listed: Vec<String>, start_date: &str) -> Vec<String> {
    if !listed.is_empty() {
        return listed;
    }
    let Some(start) = parse_date(start_date) else { return Vec::new() };
    (0..VISIT_DAYS as i64).filter_map(|i| add_days(start, i)).map(format_date).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::GlobalRole;
    use crate::{decide, Action, Actor, ReviewFacts};

    fn dates(d: [&str; 3]) -> Vec<String> {
        d.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn visit_days_are_future_school_days_in_order_within_the_span() {
        // 2027-03-08 is a Monday.
        let today = parse_date("2027-03-08").unwrap();
        assert_eq!(check_visit_days(&dates(["2027-03-08", "2027-03-09", "2027-03-10"]), today), Ok(()));
        assert_eq!(check_visit_days(&dates(["2027-03-11", "2027-03-12", "2027-03-15"]), today), Ok(()), "Thursday, Friday, Monday");
        assert_eq!(check_visit_days(&dates(["2027-03-08", "2027-03-09", "2027-03-22"]), today), Ok(()), "exactly 14 days");
        let cases = [
            (
                dates(["2027-03-05", "2027-03-08", "2027-03-09"]),
                "2027-03-05 has passed: visit days cannot be in the past (today is 2027-03-08).",
            ),
            (dates(["2027-03-12", "2027-03-13", "2027-03-15"]), "2027-03-13 is a Saturday: visit days are school days, Monday to Friday."),
            (dates(["2027-03-10", "2027-03-09", "2027-03-11"]), "The visit days must be different and in order."),
            (dates(["2027-03-09", "2027-03-09", "2027-03-10"]), "The visit days must be different and in order."),
            (dates(["2027-03-08", "2027-03-09", "2027-03-23"]), "The visit days must fall within 14 days of each other."),
            (dates(["2027-02-29", "2027-03-09", "2027-03-10"]), "2027-02-29 is not a date written as YYYY-MM-DD."),
            (dates(["09/03/2027", "2027-03-09", "2027-03-10"]), "09/03/2027 is not a date written as YYYY-MM-DD."),
            (dates(["2027-03-08", "", "2027-03-10"]), "Give the 3 visit days."),
        ];
        for (d, want) in cases {
            assert_eq!(check_visit_days(&d, today).unwrap_err().to_string(), want, "{d:?}");
        }
        let two = vec!["2027-03-08".to_owned(), "2027-03-09".to_owned()];
        assert_eq!(check_visit_days(&two, today), Err(VisitDaysProblem::NotThreeDays));
        let long = "9".repeat(300);
        let message = check_visit_days(&[long, "2027-03-09".into(), "2027-03-10".into()], today).unwrap_err().to_string();
        assert!(message.len() < 80, "a long value is cut short in the message: {message}");
    }

    /// The editable states are exactly where the permission table lets a hub schedule: the days
    /// move by scheduling again.
    #[test]
    fn editable_states_are_the_schedule_rows_states() {
        let hub = uuid::Uuid::from_u128(7);
        let admin = Actor { roles: vec![GlobalRole::Admin] };
        for state in ReviewState::ALL {
            let allowed = decide(&admin, Action::ScheduleReview, &ReviewFacts::new(state, hub, true)).is_ok();
            assert_eq!(visit_days_editable(state), allowed, "{state:?}");
        }
    }

    #[test]
    fn a_review_without_visit_days_shows_three_from_its_start() {
        assert_eq!(visit_days_or_from_start(vec![], "2026-12-30"), ["2026-12-30", "2026-12-31", "2027-01-01"]);
        assert_eq!(visit_days_or_from_start(vec!["2027-03-08".into()], "2026-12-30"), ["2027-03-08"]);
        assert!(visit_days_or_from_start(vec![], "").is_empty());
    }
}
