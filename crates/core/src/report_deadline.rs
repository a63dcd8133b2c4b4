//! When a review's report is due and whether it is overdue (the hub overview's marks): due the
//! hub's deadline in days after the visit's last day, overdue once that day has passed while
//! the report is still the team's to send. Pure: "today" is passed in.

use crate::calendar::{add_days, parse_date};
use crate::ReviewState;
use chrono::NaiveDate;

/// States in which the report is still the team's to send (not yet submitted, or returned).
pub fn report_outstanding(state: ReviewState) -> bool {
    use ReviewState::*;
    matches!(state, Scheduled | Preparing | InVisit | EstimatesAgreed | Drafting | Returned)
}

/// The report's due date: the visit's last day plus the hub's deadline; `None` without a date.
pub fn report_due(last_visit_day: &str, deadline_days: u32) -> Option<NaiveDate> {
    add_days(parse_date(last_visit_day)?, i64::from(deadline_days))
}

/// The due date has passed (the due day itself is not late) and the report is still outstanding.
pub fn report_overdue(state: ReviewState, due: Option<NaiveDate>, today: NaiveDate) -> bool {
    due.is_some_and(|d| today > d) && report_outstanding(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::format_date;

    #[test]
    fn due_after_the_last_day_and_late_only_while_outstanding() {
        let due = report_due("2027-12-29", 5);
        assert_eq!(due.map(format_date).as_deref(), Some("2028-01-03"));
        assert_eq!(report_due("", 5), None);
        let day = |s| parse_date(s).unwrap();
        assert!(!report_overdue(ReviewState::Drafting, due, day("2028-01-03")), "the due day itself is in time");
        assert!(report_overdue(ReviewState::Drafting, due, day("2028-01-04")));
        assert!(report_overdue(ReviewState::Returned, due, day("2028-01-04")));
        assert!(!report_overdue(ReviewState::Submitted, due, day("2028-01-04")), "sent: the coordinator's turn");
        assert!(!report_overdue(ReviewState::Drafting, None, day("2028-01-04")));
    }
}
