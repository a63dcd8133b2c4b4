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
use super::overview::visit_dates_of;
use super::push::max_server_seq;
use super::records::{self, Ctx};
use super::scheduling::{review_change, write_review};
use super::{access, clock, ServerStore, StoreError};
use crate::auth::AuthDevice;
use qar_core::calendar::utc_day;
use qar_core::ErrorCode;
use qar_core::{decide, Action, DenialReason, EntityKind, ReviewState};
use serde_json::json;
use uuid::Uuid;

pub use qar_core::protocol::scheduling::{VisitChange, VisitChanged};

fn invalid(message: impl Into<String>) -> StoreError {
    refused(ErrorCode::InvalidDates, message)
}

/// The one visit-day rule (`qar_core::visit_days`), against the server's UTC day: the same
/// check as scheduling, so days that could be scheduled can be moved to, and the reverse.
pub(super) fn check_visit_days(dates: &[String], now_ms: u64) -> Result<(), StoreError> {
    qar_core::visit_days::check_visit_days(dates, utc_day(now_ms)).map_err(|problem| invalid(problem.to_string()))
}

fn denied(d: qar_core::Denied, state: ReviewState, hub_name: &str) -> StoreError {
    match d.reason {
        DenialReason::OtherHub => refused(ErrorCode::NotYourHub,
            format!("This review is in {hub_name}, which you do not coordinate: only its coordinator or an administrator can change its visit days."),
        ),
        DenialReason::WrongState | DenialReason::ReviewClosed => refused(ErrorCode::VisitStarted,
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
        clock::catch_up(&tx, &mut clock)?;
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
        check_visit_days(&change.visit_dates, now_ms)?;
        let current_framework = records::text(&stored.doc, "framework_version").to_owned();
        let framework = match change.framework_version.as_deref().map(str::trim) {
            Some(f) if f != current_framework => {
                if review.state != ReviewState::Scheduled {
                    return Err(refused(
                        ErrorCode::FrameworkLocked,
                        "The team has started preparing against this framework: it can be changed only while the review is scheduled.",
                    ));
                }
                qar_core::framework(f).map_err(|e| refused(ErrorCode::UnknownFramework, e.to_string()))?;
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
