//! Reviews proposed from a laptop (docs/decisions.md 33): a pushed new review belongs to no
//! hub and is led by its creator alone. The coordinator of the school's hub (or an
//! administrator) adopts it into the hub's queue; only then can its report be submitted.

use super::access;
use super::hub_admin::{audit, hub_info, refused, unknown_hub, unknown_reference};
use super::push::max_server_seq;
use super::records::{self, text, Ctx};
use super::scheduling::{denied, move_up_feed, review_change, school_context, write_review};
use super::{clock, ServerStore, StoreError};
use crate::auth::{hub_uuid, AuthDevice, Role};
use crate::store::db::params;
use qar_core::protocol::Change;
use qar_core::ErrorCode;
use qar_core::{decide, Action, EntityKind, ReviewFacts, ReviewState};
use serde_json::json;
use uuid::Uuid;

impl ServerStore {
    /// Puts a proposed review into the hub of its school (by its URN in the register): the
    /// caller must be able to schedule reviews there (`decide(ScheduleReview)`: that hub's
    /// coordinator or an administrator). The school's name and register facts replace what the
    /// laptop typed, the team stays as it is (the coordinator changes it with the team
    /// endpoint), and every record of the review moves up the feed so the coordinator's laptop
    /// receives the report as written so far. Audited as `adopt_review`.
    pub fn adopt_review(&self, caller: &AuthDevice, review_id: Uuid, now_ms: u64) -> Result<Change, StoreError> {
        // Someone who coordinates no hub can adopt nothing: refused before the review is read,
        // so the answer tells them nothing about it (its URN, its hub).
        if !(caller.is_admin() || caller.roles.iter().any(|r| matches!(r, Role::HubCoordinator { .. }))) {
            return Err(StoreError::Denied {
                code: ErrorCode::NotYourRole,
                message: "Only a hub coordinator or an administrator can adopt a review into a hub's queue.".into(),
            });
        }
        let rid = review_id.to_string();
        let mut conn = self.writer();
        let mut clock = self.clock();
        let tx = conn.transaction()?;
        clock::catch_up(&tx, &mut clock)?;
        let review = records::load(&tx, EntityKind::Review, &rid)?.ok_or(StoreError::UnknownReview(review_id))?;
        let urn = text(&review.doc, "school_urn").to_owned();
        let (name, school_hub, context) = school_context(&tx, &urn)?.ok_or_else(|| {
            unknown_reference(
                ErrorCode::UnknownSchool,
                format!("No school with URN '{urn}' is in the register: the Lead Reviewer must correct the URN before the review can be adopted."),
                serde_json::Value::Null,
            )
        })?;
        let hub_id = school_hub.ok_or_else(|| {
            refused(ErrorCode::SchoolNotInHub, format!("{name} is in no hub yet: an administrator assigns schools to hubs."))
        })?;
        let hub = hub_info(&tx, &hub_id)?.ok_or_else(|| unknown_hub(&hub_id))?;
        // Who may adopt is decided before anything else about the review is told.
        let facts = ReviewFacts::new(ReviewState::Preparing, hub_uuid(&hub_id), true);
        decide(&caller.actor(), Action::ScheduleReview, &facts).map_err(|d| denied(d, &hub.name))?;
        if let Some(current) = access::hub_of(&tx, &rid)? {
            let message = if current == hub_id {
                "This review is already in your hub's queue."
            } else {
                "This review is already in another hub's queue."
            };
            return Err(refused(ErrorCode::AlreadyInHub, message));
        }
        let state = access::state_of(&review.doc);
        if state.is_terminal() {
            return Err(refused(
                ErrorCode::ReviewClosed,
                format!("This review is {}: it can no longer be adopted.", state.label().to_lowercase()),
            ));
        }
        let mut ctx = Ctx { clock: &mut clock, seq: max_server_seq(&tx)?, now_ms };
        tx.execute("INSERT INTO review_hub(review_id, hub_id) VALUES (?1, ?2)", params![rid, hub_id])?;
        move_up_feed(&tx, &mut ctx, &rid)?;
        let mut fields = vec![("school_name", json!(name)), ("school_context", context)];
        fields.extend(access::access_fields(&tx, &rid)?);
        write_review(&tx, &mut ctx, &rid, &fields)?;
        let detail = json!({ "hub_id": hub_id, "school_urn": urn, "state": state.code(), "team": access::team_json(&tx, &rid)? });
        audit(&tx, caller, "adopt_review", &rid, detail, now_ms)?;
        let seq = ctx.seq;
        clock::save(&tx, &clock)?;
        let change = review_change(&tx, review_id)?;
        tx.commit()?;
        drop(clock);
        drop(conn);
        self.announce(seq);
        Ok(change)
    }
}
