//! Moving a scheduled review's visit days (and, while it is only scheduled, its framework).
//! The change is a server write to the review record (`visit_dates`, `start_date`,
//! `framework_version`), so it reaches every team member's laptop by pull like any other
//! change, with new field versions, and it is audited in the same transaction.
//!
//! Changing the days is scheduling again: the permission table's `ScheduleReview` row decides
//! who (the hub's coordinator or an administrator) and when (`scheduled`, `preparing`). Once
//! the Lead Reviewer has started the visit the days are history, so later states are refused
//! 409 `visit_started` rather than 403: the caller may act, the review is past the point.

use super::hub_admin::{audit, hub_info, refused};
use super::overview::{civil_from_days, days_from_civil, visit_dates_of};
use super::push::max_server_seq;
use super::records::{self, Ctx};
use super::scheduling::{review_change, write_review, VISIT_DAYS};
use super::{access, clock, ServerStore, StoreError};
use crate::auth::AuthDevice;
pub use qar_core::protocol::scheduling::{VisitChange, VisitChanged};
use qar_core::{decide, validate_field, Action, DenialReason, EntityKind, ReviewState};
use serde_json::json;
use uuid::Uuid;

const DAY_MS: u64 = 24 * 60 * 60 * 1000;
/// First to last visit day at most this many days apart: one visit, possibly across a weekend.
pub const MAX_VISIT_SPAN_DAYS: i64 = 14;

fn invalid(message: impl Into<String>) -> StoreError {
    refused(422, "invalid_dates", message)
}

const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// The visit days checked against `today` (days since 1970-01-01, UTC): three real dates in
/// order, Monday to Friday, within `MAX_VISIT_SPAN_DAYS`, and none before today.
pub fn check_visit_days(dates: &[String], today: i64) -> Result<(), StoreError> {
    if dates.len() != VISIT_DAYS {
        return Err(invalid(format!("Give the {VISIT_DAYS} visit days.")));
    }
    let mut days = Vec::with_capacity(VISIT_DAYS);
    for d in dates {
        validate_field(EntityKind::Review, "start_date", &json!(d)).map_err(|e| invalid(e.to_string()))?;
        let day = days_from_civil(d).ok_or_else(|| invalid(format!("{d} is not a date.")))?;
        // 1970-01-01 was a Thursday.
        let weekday = (day + 3).rem_euclid(7) as usize;
        if weekday >= 5 {
            return Err(invalid(format!("{d} is a {}: visit days are school days, Monday to Friday.", WEEKDAYS[weekday])));
        }
        if day < today {
            return Err(invalid(format!(
                "{d} has passed: visit days cannot be moved into the past (today is {}).",
                civil_from_days(today)
            )));
        }
        days.push(day);
    }
    if !days.windows(2).all(|w| w[0] < w[1]) {
        return Err(invalid("The visit days must be different and in order."));
    }
    if days[VISIT_DAYS - 1] - days[0] > MAX_VISIT_SPAN_DAYS {
        return Err(invalid(format!("The visit days must fall within {MAX_VISIT_SPAN_DAYS} days of each other.")));
    }
    Ok(())
}

fn denied(d: qar_core::Denied, state: ReviewState, hub_name: &str) -> StoreError {
    match d.reason {
        DenialReason::OtherHub => refused(
            403,
            "not_your_hub",
            format!("This review is in {hub_name}, which you do not coordinate: only its coordinator or an administrator can change its visit days."),
        ),
        DenialReason::WrongState | DenialReason::ReviewClosed => refused(
            409,
            "visit_started",
            format!(
                "The review is {}: its visit days can be changed only before the visit starts (while it is scheduled or preparing).",
                state.label().to_lowercase()
            ),
        ),
        _ => StoreError::Denied { code: d.reason.code(), message: d.message },
    }
}

impl ServerStore {
    /// Sets a review's visit days (and framework while `scheduled`) as one server write,
    /// audited, announced to waiting pulls. Repeating the current values writes nothing.
    pub fn change_visit(
        &self,
        caller: &AuthDevice,
        review_id: Uuid,
        change: &VisitChange,
        now_ms: u64,
    ) -> Result<VisitChanged, StoreError> {
        let rid = review_id.to_string();
        let mut conn = self.writer();
        let mut clock = self.clock();
        let tx = conn.transaction()?;
        let review = access::review_access(&tx, &rid, &caller.user_id)?.ok_or(StoreError::UnknownReview(review_id))?;
        let stored = records::load(&tx, EntityKind::Review, &rid)?.ok_or(StoreError::UnknownReview(review_id))?;
        if records::tombstone(&stored.doc).is_some() {
            return Err(StoreError::UnknownReview(review_id));
        }
        let hub_name = match review.hub_id.as_deref() {
            Some(h) => hub_info(&tx, h)?.map(|h| h.name).unwrap_or_default(),
            None => String::new(),
        };
        decide(&caller.actor(), Action::ScheduleReview, &review.facts(false)).map_err(|d| denied(d, review.state, &hub_name))?;
        check_visit_days(&change.visit_dates, (now_ms / DAY_MS) as i64)?;
        let current_framework = records::text(&stored.doc, "framework_version").to_owned();
        let framework = match change.framework_version.as_deref().map(str::trim) {
            Some(f) if f != current_framework => {
                if review.state != ReviewState::Scheduled {
                    return Err(refused(
                        409,
                        "framework_locked",
                        "The team has started preparing against this framework: it can be changed only while the review is scheduled.",
                    ));
                }
                qar_core::framework(f).map_err(|e| refused(422, "unknown_framework", e.to_string()))?;
                f.to_owned()
            }
            _ => current_framework.clone(),
        };
        let previous_dates = visit_dates_of(&stored.doc);
        let mut fields = vec![("visit_dates", json!(change.visit_dates)), ("start_date", json!(change.visit_dates[0]))];
        if !framework.is_empty() {
            fields.push(("framework_version", json!(framework)));
        }
        let mut ctx = Ctx { clock: &mut clock, seq: max_server_seq(&tx)?, now_ms };
        let changed = write_review(&tx, &mut ctx, &rid, &fields)?;
        if changed {
            let detail = json!({ "from": previous_dates, "to": change.visit_dates, "framework_version": framework, "framework_was": current_framework });
            audit(&tx, caller, "change_visit", &rid, detail, now_ms)?;
        }
        let seq = ctx.seq;
        clock::save(&tx, &clock)?;
        let review = review_change(&tx, review_id)?;
        tx.commit()?;
        drop(clock);
        drop(conn);
        if changed {
            self.announce(seq);
        }
        Ok(VisitChanged { review, previous_dates, changed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(d: [&str; 3]) -> Vec<String> {
        d.iter().map(|s| s.to_string()).collect()
    }

    fn code(r: Result<(), StoreError>) -> String {
        match r {
            Err(StoreError::Refused { code, message, .. }) => format!("{code}: {message}"),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn visit_days_are_future_school_days_in_order() {
        // 2027-03-08 is a Monday.
        let today = days_from_civil("2027-03-08").unwrap();
        assert!(check_visit_days(&dates(["2027-03-08", "2027-03-09", "2027-03-10"]), today).is_ok());
        assert!(check_visit_days(&dates(["2027-03-11", "2027-03-12", "2027-03-15"]), today).is_ok(), "Thursday, Friday, Monday");
        let cases = [
            (dates(["2027-03-05", "2027-03-08", "2027-03-09"]), "has passed"),
            (dates(["2027-03-12", "2027-03-13", "2027-03-15"]), "2027-03-13 is a Saturday"),
            (dates(["2027-03-10", "2027-03-09", "2027-03-11"]), "in order"),
            (dates(["2027-03-09", "2027-03-09", "2027-03-10"]), "different"),
            (dates(["2027-03-08", "2027-03-09", "2027-03-31"]), "within 14 days"),
            (dates(["2027-02-29", "2027-03-09", "2027-03-10"]), "must be a date"),
            (dates(["09/03/2027", "2027-03-09", "2027-03-10"]), "YYYY-MM-DD"),
        ];
        for (d, want) in cases {
            let got = code(check_visit_days(&d, today));
            assert!(got.starts_with("invalid_dates") && got.contains(want), "{d:?}: {got}");
        }
        let two = vec!["2027-03-08".to_owned(), "2027-03-09".to_owned()];
        assert!(code(check_visit_days(&two, today)).contains("Give the 3 visit days"));
    }
}
