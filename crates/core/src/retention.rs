//! Retention (issue 24): how long a review's personal data is kept, as data. The partnership
//! has a default policy and a hub may have its own; the server's purge job asks these rules
//! what is due. Time is passed in (ms since the epoch).

use serde::{Deserialize, Serialize};

const DAY_MS: u64 = 86_400_000;
/// A month as the mean Gregorian month (365.25 / 12 days): retention is counted in whole
/// months but no one needs it to the calendar day, and a fixed length keeps the rule pure.
const MONTH_MS: u64 = 2_629_800_000;
/// A year as 365.25 days.
const YEAR_MS: u64 = 31_557_600_000;

/// Defaults for the partnership (decision 60 says why).
pub const DEFAULT_EVIDENCE_MONTHS: u32 = 12;
pub const DEFAULT_REPORT_YEARS: u32 = 6;
pub const DEFAULT_CANCELLED_DAYS: u32 = 90;
pub const DEFAULT_GRACE_DAYS: u32 = 30;

/// Limits of each setting, inclusive: long enough for any sensible policy, short enough that a
/// typo (120 years) is refused rather than quietly keeping data for ever.
pub const EVIDENCE_MONTHS: (u32, u32) = (1, 120);
pub const REPORT_YEARS: (u32, u32) = (1, 50);
pub const CANCELLED_DAYS: (u32, u32) = (1, 3650);
pub const GRACE_DAYS: (u32, u32) = (1, 365);

/// The kinds of record purged from an issued review once its evidence is due: what reviewers
/// wrote while reviewing. The report's sections and estimates stay (the issued snapshot is the
/// report, but the review's own page still shows them until the report itself expires).
/// Conflicts hold losing values of any field (note text too) and the plan names host colleagues.
/// Attachments (photos of pupils' work, displays; their bytes on the server and the laptops)
/// go with the notes they belong to. The copy of the school's previous report (issue 23) was
/// preparation material: it goes too (the previous review keeps its own issued report), as does
/// what the school wrote for the team before its visit (issue 22), which the report now reflects.
pub const EVIDENCE_KINDS: [&str; 7] =
    ["evidence", "comment", "conflict", "plan_activity", "attachment", "previous_review", "school_statement"];

/// One retention policy: the partnership's (`hub_id` None) or a hub's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RetentionPolicy {
    /// The hub this policy is for; absent for the partnership's default.
    #[serde(default)]
    pub hub_id: Option<String>,
    /// Evidence notes, comments, kept conflicts and the visit plan of an issued review are
    /// soft-deleted this many months after its latest issued version.
    #[serde(deserialize_with = "crate::whole_number::u32")]
    pub evidence_months: u32,
    /// The issued report is kept this many years after issue.
    #[serde(deserialize_with = "crate::whole_number::u32")]
    pub report_years: u32,
    /// Everything of a cancelled review is soft-deleted this many days after it was cancelled.
    #[serde(deserialize_with = "crate::whole_number::u32")]
    pub cancelled_days: u32,
    /// Days between a soft delete and the purge that removes the data for good.
    #[serde(deserialize_with = "crate::whole_number::u32")]
    pub grace_days: u32,
}

impl RetentionPolicy {
    pub fn partnership_default() -> RetentionPolicy {
        RetentionPolicy {
            hub_id: None,
            evidence_months: DEFAULT_EVIDENCE_MONTHS,
            report_years: DEFAULT_REPORT_YEARS,
            cancelled_days: DEFAULT_CANCELLED_DAYS,
            grace_days: DEFAULT_GRACE_DAYS,
        }
    }

    /// The first setting out of its limits, as a sentence for the administrator.
    pub fn check(&self) -> Result<(), String> {
        let settings = [
            ("evidence_months", "Evidence is kept for", self.evidence_months, EVIDENCE_MONTHS, "months"),
            ("report_years", "The issued report is kept for", self.report_years, REPORT_YEARS, "years"),
            ("cancelled_days", "A cancelled review is kept for", self.cancelled_days, CANCELLED_DAYS, "days"),
            ("grace_days", "The grace period before a purge is", self.grace_days, GRACE_DAYS, "days"),
        ];
        for (_, what, value, (min, max), unit) in settings {
            if !(min..=max).contains(&value) {
                return Err(format!("{what} {min} to {max} {unit}, not {value}."));
            }
        }
        Ok(())
    }

    /// When the evidence of a review last issued at `issued_ms` becomes due.
    pub fn evidence_due_ms(&self, issued_ms: u64) -> u64 {
        issued_ms.saturating_add(u64::from(self.evidence_months) * MONTH_MS)
    }

    /// When a review cancelled at `cancelled_ms` becomes due.
    pub fn cancelled_due_ms(&self, cancelled_ms: u64) -> u64 {
        cancelled_ms.saturating_add(u64::from(self.cancelled_days) * DAY_MS)
    }

    /// When the report issued at `issued_ms` expires.
    pub fn report_due_ms(&self, issued_ms: u64) -> u64 {
        issued_ms.saturating_add(u64::from(self.report_years) * YEAR_MS)
    }

    /// When something soft-deleted at `marked_ms` is purged for good.
    pub fn purge_after_ms(&self, marked_ms: u64) -> u64 {
        marked_ms.saturating_add(u64::from(self.grace_days) * DAY_MS)
    }
}

/// Whether a person may remove a review's local copy from their laptop (decision 88): only once
/// the review is over (issued, or archived after that), so nobody drops work in progress; and
/// only with nothing of it waiting to be sent (`unsent_changes` + `unsent_files`), so the server
/// holds everything first. `Err` says why not, in words for the person.
pub fn may_drop_local_copy(state: crate::ReviewState, unsent_changes: u32, unsent_files: u32) -> Result<(), String> {
    use crate::ReviewState::{Archived, Issued};
    if !matches!(state, Issued | Archived) {
        return Err(format!(
            "Only an issued review can be removed from this laptop; this one is {}, so the team may still be working on it.",
            state.label().to_lowercase()
        ));
    }
    if unsent_changes + unsent_files > 0 {
        let mut parts = Vec::new();
        if unsent_changes > 0 {
            parts.push(count(unsent_changes, "change"));
        }
        if unsent_files > 0 {
            parts.push(count(unsent_files, "file"));
        }
        return Err(format!(
            "This laptop still has {} of this review that the server does not hold yet. Sync first; then its copy can be removed.",
            parts.join(" and ")
        ));
    }
    Ok(())
}

/// How long a laptop keeps an issued review after its issue before it drops its local copy by
/// itself (issue 24: "the laptop keeps only what the person still works on", on by default).
/// A month: long enough to answer the school's questions about the report from the notes,
/// short enough that a lost laptop holds little beyond the person's current reviews.
pub const DEFAULT_KEEP_ISSUED_DAYS: u32 = 30;
/// Limits of the setting, inclusive (`None` keeps issued reviews until removed by hand).
pub const KEEP_ISSUED_DAYS: (u32, u32) = (1, 3650);

/// Whether a review issued at `issued_ms` is due to leave the laptop by itself at `now_ms`
/// (`keep_days` `None`: never by itself).
pub fn local_copy_due(issued_ms: u64, keep_days: Option<u32>, now_ms: u64) -> bool {
    keep_days.is_some_and(|days| issued_ms.saturating_add(u64::from(days) * DAY_MS) <= now_ms)
}

fn count(n: u32, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_within_the_limits_and_out_of_range_values_are_named() {
        let p = RetentionPolicy::partnership_default();
        p.check().unwrap();
        let err = RetentionPolicy { evidence_months: 0, ..p.clone() }.check().unwrap_err();
        assert_eq!(err, "Evidence is kept for 1 to 120 months, not 0.");
        let err = RetentionPolicy { grace_days: 400, ..p }.check().unwrap_err();
        assert_eq!(err, "The grace period before a purge is 1 to 365 days, not 400.");
    }

    #[test]
    fn due_times_count_from_the_event() {
        let p = RetentionPolicy::partnership_default();
        assert_eq!(p.evidence_due_ms(0), 12 * MONTH_MS);
        assert_eq!(p.evidence_due_ms(0), YEAR_MS, "twelve mean months are one mean year");
        assert_eq!(p.cancelled_due_ms(DAY_MS), 91 * DAY_MS);
        assert_eq!(p.purge_after_ms(0), 30 * DAY_MS);
        assert_eq!(p.report_due_ms(u64::MAX - 1), u64::MAX, "never wraps");
    }

    #[test]
    fn an_issued_copy_is_due_after_the_days_kept_and_never_when_kept() {
        let issued = 1_800_000_000_000;
        assert!(!local_copy_due(issued, Some(30), issued + 29 * DAY_MS));
        assert!(local_copy_due(issued, Some(30), issued + 30 * DAY_MS));
        assert!(!local_copy_due(issued, None, issued + 3650 * DAY_MS));
    }

    #[test]
    fn a_local_copy_may_be_dropped_only_when_issued_and_all_sent() {
        use crate::ReviewState;
        assert_eq!(may_drop_local_copy(ReviewState::Issued, 0, 0), Ok(()));
        assert_eq!(may_drop_local_copy(ReviewState::Archived, 0, 0), Ok(()));
        let drafting = may_drop_local_copy(ReviewState::Drafting, 0, 0).unwrap_err();
        assert!(drafting.contains("this one is drafting"), "{drafting}");
        let unsent = may_drop_local_copy(ReviewState::Issued, 3, 1).unwrap_err();
        assert!(unsent.contains("3 changes and 1 file"), "{unsent}");
        assert!(may_drop_local_copy(ReviewState::Issued, 1, 0).unwrap_err().contains("still has 1 change of"));
    }
}
