//! Who stands where on a review: its hub and team (tables of migration 4), its state (from the
//! review record), and the `team` / `hub_id` fields the server writes so laptops learn them.

use super::records::{self, Ctx, Doc};
use crate::auth::{hub_uuid, AuthDevice};
use crate::store::db::{params, Connection, OptionalExtension};
use qar_core::entities::TeamRole;
use qar_core::op_permission::OpReview;
use qar_core::{EntityKind, ReviewFacts, ReviewState};
use serde_json::{json, Value};
use uuid::Uuid;

/// The facts about one review that the permission table needs, for one person.
#[derive(Debug, Clone)]
pub(super) struct ReviewAccess {
    pub state: ReviewState,
    pub hub_id: Option<String>,
    pub team_role: Option<TeamRole>,
    /// The person is the headteacher of the reviewed school (`school_heads`).
    pub host_headteacher: bool,
}

impl ReviewAccess {
    /// `qar_core::decide`'s view; the server always decides online.
    pub fn facts(&self, own_evidence: bool) -> ReviewFacts {
        let hub = self.hub_id.as_deref().map_or(Uuid::nil(), hub_uuid);
        let mut facts = ReviewFacts::new(self.state, hub, true);
        facts.team_role = self.team_role;
        facts.host_headteacher = self.host_headteacher;
        facts.own_evidence = own_evidence;
        facts
    }

    /// The review as `qar_core::op_permission::decide_op` sees it.
    pub fn op_review(&self) -> OpReview {
        OpReview { facts: self.facts(false), in_hub: self.hub_id.is_some() }
    }

    /// On its team, coordinator of its hub, or an administrator.
    pub fn related(&self, caller: &AuthDevice) -> bool {
        self.team_role.is_some() || caller.is_admin() || self.hub_id.as_deref().is_some_and(|h| caller.coordinates(h))
    }
}

/// A review's state as its record says; a review created without one is being prepared
/// (a Lead Reviewer sets it up on their laptop, docs/decisions.md 8). A tombstoned review is
/// cancelled, whatever else is left of it: retention purges a review down to its bare tombstone
/// (decision 61), and without this its missing state would read as "preparing" and let a
/// laptop that was offline through the purge write into it again (decision 87).
pub(super) fn state_of(doc: &Doc) -> ReviewState {
    if records::tombstone(doc).is_some() {
        return ReviewState::Cancelled;
    }
    ReviewState::parse(records::text(doc, "state")).unwrap_or(ReviewState::Preparing)
}

/// The access facts of `user_id` on an existing review (`None` when the review is unknown).
pub(super) fn review_access(tx: &Connection, review_id: &str, user_id: &str) -> crate::store::db::Result<Option<ReviewAccess>> {
    let Some(review) = records::load(tx, EntityKind::Review, review_id)? else { return Ok(None) };
    let hub_id = hub_of(tx, review_id)?;
    let team_role = tx
        .prepare_cached("SELECT role FROM review_team WHERE review_id = ?1 AND user_id = ?2")?
        .query_row([review_id, user_id], |r| r.get::<_, String>(0))
        .optional()?
        .and_then(|r| TeamRole::parse(&r));
    let host_headteacher = super::school_heads::heads(tx, user_id, records::text(&review.doc, "school_urn"))?;
    Ok(Some(ReviewAccess { state: state_of(&review.doc), hub_id, team_role, host_headteacher }))
}

pub(super) fn hub_of(tx: &Connection, review_id: &str) -> crate::store::db::Result<Option<String>> {
    tx.prepare_cached("SELECT hub_id FROM review_hub WHERE review_id = ?1")?.query_row([review_id], |r| r.get(0)).optional()
}

/// Adds a person to a review's team; someone already on it keeps their role.
pub(super) fn add_member(tx: &Connection, review_id: &str, user_id: &str, role: TeamRole) -> crate::store::db::Result<()> {
    tx.prepare_cached("INSERT OR IGNORE INTO review_team(review_id, user_id, role) VALUES (?1, ?2, ?3)")?.execute(params![
        review_id,
        user_id,
        role.code()
    ])?;
    Ok(())
}

/// Puts a review in its school's hub, unless it is in a hub already.
pub(super) fn place_in_school_hub(tx: &Connection, review_id: &str, urn: &str) -> crate::store::db::Result<()> {
    tx.prepare_cached(
        "INSERT INTO review_hub(review_id, hub_id) SELECT ?1, hub_id FROM schools WHERE urn = ?2 AND hub_id IS NOT NULL
         ON CONFLICT(review_id) DO NOTHING",
    )?
    .execute([review_id, urn])?;
    Ok(())
}

/// The team as the review record carries it: `[{user_id, name, role}]`, lead first.
pub(super) fn team_json(tx: &Connection, review_id: &str) -> crate::store::db::Result<Value> {
    let mut stmt = tx.prepare_cached(
        "SELECT t.user_id, u.name, t.role FROM review_team t JOIN users u ON u.id = t.user_id WHERE t.review_id = ?1
         ORDER BY CASE t.role WHEN 'lead_reviewer' THEN 0 WHEN 'reviewer' THEN 1 ELSE 2 END, u.name, t.user_id",
    )?;
    let rows = stmt.query_map([review_id], |r| {
        Ok(json!({"user_id": r.get::<_, String>(0)?, "name": r.get::<_, String>(1)?, "role": r.get::<_, String>(2)?}))
    })?;
    Ok(Value::Array(rows.collect::<crate::store::db::Result<_>>()?))
}

/// Writes the review record's `team` and `hub_id` fields (server writes) when they differ from
/// the tables. Nothing happens for a review the server has no record of yet.
pub(super) fn refresh_fields(tx: &Connection, ctx: &mut Ctx, review_id: &str) -> crate::store::db::Result<bool> {
    if records::load(tx, EntityKind::Review, review_id)?.is_none() {
        return Ok(false);
    }
    let fields = access_fields(tx, review_id)?;
    records::server_write(tx, ctx, EntityKind::Review, review_id, review_id, &fields)
}

/// The review record's server-written `team` (always) and `hub_id` (once it has a hub).
pub(super) fn access_fields(tx: &Connection, review_id: &str) -> crate::store::db::Result<Vec<(&'static str, Value)>> {
    let mut fields = vec![("team", team_json(tx, review_id)?)];
    if let Some(hub) = hub_of(tx, review_id)? {
        fields.push(("hub_id", Value::String(hub)));
    }
    Ok(fields)
}

/// A person's display name ("" when unknown).
pub(super) fn user_name(tx: &Connection, user_id: &str) -> crate::store::db::Result<String> {
    Ok(tx
        .prepare_cached("SELECT name FROM users WHERE id = ?1")?
        .query_row([user_id], |r| r.get::<_, String>(0))
        .optional()?
        .unwrap_or_default())
}
