//! The host school's factual-accuracy check (issue 22): after the hub approves a report, and
//! when the hub has turned the check on (a number of days, 0 = off), the school's headteacher
//! comments on matters of fact in the report's sections, and the first issue of the report waits
//! until the window closes or the head says they have finished. Rules only: the server passes
//! in the hub's setting, the approval time, whether the head has finished, and the time.

use crate::calendar::utc_day;
use serde::{Deserialize, Serialize};

/// The longest window a hub may set, in days: schools are usually given five to ten working days.
pub const MAX_WINDOW_DAYS: u32 = 30;
/// Longest comment of the head's, in characters (a return comment's length).
pub const MAX_COMMENT_CHARS: usize = 2_000;
/// Most comments the head may leave on one report.
pub const MAX_COMMENTS: usize = 100;
const DAY_MS: u64 = 86_400_000;

/// Where a review's factual-accuracy check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum AccuracyWindow {
    /// The hub has no check (0 days), or the report is not approved yet.
    Off,
    /// The head may comment until `closes_ms`.
    Open {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        closes_ms: u64,
    },
    /// The head said they have finished.
    Finished,
    /// The days have passed.
    Closed,
}

/// The window for a report approved at `approved_at_ms` (None: not approved) in a hub whose
/// check lasts `window_days` (0: off), at `now_ms`.
pub fn window(window_days: u32, approved_at_ms: Option<u64>, finished: bool, now_ms: u64) -> AccuracyWindow {
    let Some(approved) = approved_at_ms.filter(|_| window_days > 0) else { return AccuracyWindow::Off };
    if finished {
        return AccuracyWindow::Finished;
    }
    let closes_ms = approved.saturating_add(u64::from(window_days) * DAY_MS);
    if now_ms < closes_ms {
        AccuracyWindow::Open { closes_ms }
    } else {
        AccuracyWindow::Closed
    }
}

/// "11 December 2026 at 10:00 (UTC)": when a window closes, in a refusal or a mail.
pub fn closing_words(closes_ms: u64) -> String {
    let day = utc_day(closes_ms);
    let minutes = (closes_ms % DAY_MS) / 60_000;
    format!("{} at {:02}:{:02} (UTC)", day.format("%-d %B %Y"), minutes / 60, minutes % 60)
}

/// Whether issuing may go ahead: the first issue of a report waits while the school's check is
/// open. A correction (a later version) does not reopen it: the school checked the facts of the
/// report it was sent, and a correction is itself re-approved by the hub.
pub fn issue_may_proceed(window: AccuracyWindow, first_issue: bool) -> Result<(), String> {
    match window {
        AccuracyWindow::Open { closes_ms } if first_issue => Err(format!(
            "The school is checking the report for factual accuracy until {}: issue it once the headteacher says they have finished, or after that.",
            closing_words(closes_ms)
        )),
        _ => Ok(()),
    }
}

/// What the head may comment on: a section of the report's text (`section:<code>`), on matters
/// of fact. Estimates are the team's professional judgement, not facts the school corrects, so
/// an estimate (`estimate:<area>`) or the report as a whole is refused with the reason.
pub fn commentable_target(target: &str) -> Result<&str, &'static str> {
    match target.split_once(':') {
        Some(("section", code)) if !code.is_empty() => Ok(code),
        Some(("estimate", _)) => Err(
            "The estimates are the review team's judgement, not matters of fact: comment on the facts in a section of the report instead.",
        ),
        _ => Err("Comment on a section of the report (section:<code>): say which fact is wrong and what is right."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APPROVED: u64 = 1_796_119_200_000; // 2026-12-01 10:00 UTC

    #[test]
    fn the_window_opens_at_approval_and_closes_after_its_days_or_when_the_head_finishes() {
        assert_eq!(window(0, Some(APPROVED), false, APPROVED), AccuracyWindow::Off);
        assert_eq!(window(10, None, false, APPROVED), AccuracyWindow::Off);
        let closes_ms = APPROVED + 10 * DAY_MS;
        assert_eq!(window(10, Some(APPROVED), false, APPROVED + 1), AccuracyWindow::Open { closes_ms });
        assert_eq!(window(10, Some(APPROVED), false, closes_ms - 1), AccuracyWindow::Open { closes_ms });
        assert_eq!(window(10, Some(APPROVED), false, closes_ms), AccuracyWindow::Closed);
        assert_eq!(window(10, Some(APPROVED), true, APPROVED + 1), AccuracyWindow::Finished);
    }

    #[test]
    fn only_the_first_issue_waits_and_the_refusal_names_the_date() {
        let open = window(10, Some(APPROVED), false, APPROVED + 1);
        let e = issue_may_proceed(open, true).unwrap_err();
        assert!(e.contains("until 11 December 2026 at 10:00 (UTC)"), "{e}");
        assert!(issue_may_proceed(open, false).is_ok());
        for w in [AccuracyWindow::Off, AccuracyWindow::Finished, AccuracyWindow::Closed] {
            assert!(issue_may_proceed(w, true).is_ok());
        }
    }

    #[test]
    fn the_head_comments_on_sections_not_on_estimates() {
        assert_eq!(commentable_target("section:context"), Ok("context"));
        assert!(commentable_target("estimate:leadership").unwrap_err().contains("judgement"));
        assert!(commentable_target("report").is_err());
        assert!(commentable_target("section:").is_err());
    }
}
