//! The words both renderers print that are derived rather than typed: dates in full, the status
//! line. Decided here once so the PDF and the DOCX say exactly the same thing.

use crate::model::{ReportDocument, ReportStatus};
use chrono::{Datelike, NaiveDate};

/// The draft warning, on every page of a draft (header, and the PDF watermark).
pub const DRAFT_LINE: &str = "DRAFT — not approved";

pub(crate) fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().filter(|_| s.len() == 10)
}

/// "2025-03-04" → "Tuesday 4 March 2025"; anything else is shown as given.
pub fn long_date(s: &str) -> String {
    parse_day(s).map_or_else(|| s.to_owned(), |d| d.format("%A %-d %B %Y").to_string())
}

/// The visit days in one phrase. Days in one month share it: "Tuesday 4, Wednesday 5 and
/// Thursday 6 March 2025"; otherwise each day is written in full.
pub fn visit_days_line(days: &[String]) -> String {
    let parsed: Vec<NaiveDate> = days.iter().filter_map(|d| parse_day(d)).collect();
    let same_month = parsed.len() == days.len() && parsed.windows(2).all(|w| w[0].year() == w[1].year() && w[0].month() == w[1].month());
    let parts: Vec<String> = if same_month && parsed.len() > 1 {
        let mut p: Vec<String> = parsed.iter().map(|d| d.format("%A %-d").to_string()).collect();
        let last = p.len() - 1;
        p[last] = parsed[last].format("%A %-d %B %Y").to_string();
        p
    } else {
        days.iter().map(|d| long_date(d)).collect()
    };
    join_and(&parts)
}

fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// One line for the page header and the status panel: the draft warning, or who approved which
/// content when (and the version once issued).
pub fn status_line(doc: &ReportDocument) -> String {
    match &doc.status {
        ReportStatus::Draft => DRAFT_LINE.to_owned(),
        ReportStatus::Approved { approved_on, approved_by, short_hash } => {
            format!("Approved by {approved_by} on {} · content hash {short_hash}", long_date(approved_on))
        }
        ReportStatus::Issued { version, issued_on, approved_by, short_hash } => {
            format!("Issued as version {version} on {} · approved by {approved_by} · content hash {short_hash}", long_date(issued_on))
        }
    }
}

/// The short form for the page header, where the school's name must also fit: the draft
/// warning in full, otherwise the state, date and hash (the approver is on page 1).
pub fn header_status(doc: &ReportDocument) -> String {
    match &doc.status {
        ReportStatus::Draft => DRAFT_LINE.to_owned(),
        ReportStatus::Approved { approved_on, short_hash, .. } => format!("Approved {} · {short_hash}", long_date(approved_on)),
        ReportStatus::Issued { version, issued_on, short_hash, .. } => {
            format!("Version {version} · issued {} · {short_hash}", long_date(issued_on))
        }
    }
}

/// The team as "Name, Role" lines.
pub fn team_lines(doc: &ReportDocument) -> Vec<String> {
    doc.team.iter().map(|(name, role)| format!("{name}, {role}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(d: &[&str]) -> Vec<String> {
        d.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn dates_are_written_in_full() {
        assert_eq!(long_date("2025-03-04"), "Tuesday 4 March 2025");
        assert_eq!(long_date("14 March 2025"), "14 March 2025");
        assert_eq!(parse_day("2025-3-4"), None, "only the zero-padded form");
        assert_eq!(parse_day("2025-02-30"), None);
    }

    #[test]
    fn visit_days_share_their_month() {
        assert_eq!(visit_days_line(&days(&["2025-03-04", "2025-03-05", "2025-03-06"])), "Tuesday 4, Wednesday 5 and Thursday 6 March 2025");
        assert_eq!(visit_days_line(&days(&["2025-03-31", "2025-04-01"])), "Monday 31 March 2025 and Tuesday 1 April 2025");
        assert_eq!(visit_days_line(&days(&["2025-03-04"])), "Tuesday 4 March 2025");
        assert_eq!(visit_days_line(&[]), "");
    }

    #[test]
    fn status_lines() {
        let mut d = crate::fixtures::fixture();
        assert_eq!(status_line(&d), "DRAFT — not approved");
        d = crate::fixtures::approved_fixture();
        let hash = crate::fixtures::fixture_short_hash();
        assert_eq!(status_line(&d), format!("Approved by Gwen Ellis on Friday 14 March 2025 · content hash {hash}"));
        d = crate::fixtures::issued_fixture();
        assert!(status_line(&d).starts_with("Issued as version 2 on Monday 24 March 2025 · approved by Gwen Ellis"));
        assert_eq!(header_status(&d), format!("Version 2 · issued Monday 24 March 2025 · {hash}"));
    }
}
