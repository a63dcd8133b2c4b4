//! Applies qar-core's permission table to local writes: the same `decide` the server runs, with
//! the facts this laptop holds. A refused write changes nothing.

use super::{meta, Store};
use crate::error::{ClientError, Result};
use qar_core::entities::TeamRole;
use qar_core::permissions::{decide, Action, Decision, ReviewFacts};
use qar_core::ReviewState;
use rusqlite::OptionalExtension;
use uuid::Uuid;

/// What the store knows about a review that the rules need.
pub(super) struct ReviewInfo {
    pub hub_id: String,
    pub state: ReviewState,
    pub framework_version: String,
    pub facts: ReviewFacts,
}

impl Store {
    pub(super) fn review_info(&self, review_id: &str) -> Result<ReviewInfo> {
        let row: Option<(String, String, String, String)> = self
            .conn
            .prepare_cached("SELECT state, framework_version, my_role, hub_id FROM reviews WHERE id = ?1 AND deleted = 0")?
            .query_row([review_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?;
        let (state, framework_version, role, hub) = row.ok_or_else(|| ClientError::NotFound { what: format!("Review {review_id}") })?;
        let state = ReviewState::parse(&state)?;
        let hub_uuid = if hub.is_empty() { Uuid::nil() } else { qar_core::entities::hub_uuid(&hub) };
        // Decisions on a laptop are never "online": approve/return/issue stay with the server.
        let mut facts = ReviewFacts::new(state, hub_uuid, false);
        facts.team_role = TeamRole::parse(&role);
        Ok(ReviewInfo { hub_id: hub, state, framework_version, facts })
    }

    /// Runs the permission table for the signed-in user on this review.
    pub(super) fn check(&self, info: &ReviewInfo, action: Action, own_evidence: bool) -> Result<Decision> {
        let facts = ReviewFacts { own_evidence, ..info.facts };
        // Global roles (admin, coordinator) arrive with sign-in; team roles with the team list.
        decide(&self.actor()?, action, &facts).map_err(|d| ClientError::Denied { reason: d.reason.code(), message: d.message })
    }

    /// Notes recorded on this laptop before anyone signed in count as the current user's own.
    pub(super) fn is_own(&self, author_id: &str) -> Result<bool> {
        let me = meta::get(&self.conn, "user_id")?.unwrap_or_default();
        Ok(author_id == me)
    }
}
