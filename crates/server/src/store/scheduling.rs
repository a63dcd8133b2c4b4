//! Scheduling (issue 9): a hub coordinator (or an administrator) puts a review of a school of
//! their hub in `scheduled`, with its visit days, framework, Lead Reviewer and team. The review
//! record carries the school's context, so it syncs down to every team member ready to work
//! offline. Changing the team later records who was taken off (`review_removals`), which their
//! laptop's next pull reports so it drops its copy.

use super::access::{self, team_json};
use super::hub_admin::{audit, refused};
use super::push::max_server_seq;
use super::records::{self, Ctx};
use super::{clock, ServerStore, StoreError};
use crate::auth::{hub_uuid, AuthDevice};
use crate::store::db::{params, Connection, OptionalExtension};
use qar_core::entities::TeamRole;
use qar_core::protocol::scheduling::SchoolContext;
pub use qar_core::protocol::scheduling::{ScheduleRequest, ScheduleWarning, Scheduled, TeamChoice};
use qar_core::protocol::Change;
use qar_core::ErrorCode;
use qar_core::{decide, validate_field, Action, DenialReason, EntityKind, ReviewFacts, ReviewState};
use serde_json::{json, Value};
use uuid::Uuid;

/// The school facts a team needs before the visit, from the register.
pub(super) fn school_context(tx: &Connection, urn: &str) -> crate::store::db::Result<Option<(String, Option<String>, Value)>> {
    Ok(super::schools::find_school(tx, urn)?.map(|s| {
        let context = SchoolContext {
            urn: urn.to_owned(),
            name: s.establishment_name.clone(),
            establishment_type: s.establishment_type,
            phase: s.phase,
            status: s.status,
            la_name: s.la_name,
            trust_name: s.trust_name,
            town: s.town,
            postcode: s.postcode,
            region: s.region,
            number_of_pupils: s.number_of_pupils,
            percentage_fsm: s.percentage_fsm,
            head_name: format!("{} {}", s.head_first_name, s.head_last_name).trim().to_owned(),
            ofsted_last_inspection: s.ofsted_last_insp,
        };
        (s.establishment_name, s.hub_id, serde_json::to_value(context).unwrap_or(Value::Null))
    }))
}

/// The members in role order, checked: a lead, nobody twice, everyone known and not switched off.
fn check_team(tx: &Connection, team: &TeamChoice) -> Result<Vec<(String, TeamRole)>, StoreError> {
    let lead = team.lead_reviewer_id.trim();
    if lead.is_empty() {
        return Err(refused(ErrorCode::NoLeadReviewer, "Choose the Lead Reviewer."));
    }
    let mut members = vec![(lead.to_owned(), TeamRole::LeadReviewer)];
    members.extend(team.reviewers.iter().map(|u| (u.trim().to_owned(), TeamRole::Reviewer)));
    members.extend(team.shadows.iter().map(|u| (u.trim().to_owned(), TeamRole::Shadow)));
    for (i, (user, _)) in members.iter().enumerate() {
        if members[..i].iter().any(|(o, _)| o == user) {
            return Err(refused(ErrorCode::DuplicateMember, "A person can have only one place on the team."));
        }
        let active: Option<Option<i64>> = tx
            .prepare_cached("SELECT a.active FROM users u LEFT JOIN accounts a ON a.user_id = u.id WHERE u.id = ?1")?
            .query_row([user], |r| r.get(0))
            .optional()?;
        match active {
            None => {
                return Err(StoreError::UnknownReference {
                    code: ErrorCode::UnknownUser,
                    message: "A chosen team member is not in the directory.".into(),
                    details: json!({ "user_id": user }),
                })
            }
            Some(Some(0)) => {
                return Err(StoreError::Refused {
                    code: ErrorCode::UserDeactivated,
                    message: format!("{} is deactivated and cannot join a team.", access::user_name(tx, user)?),
                    details: json!({ "user_id": user }),
                })
            }
            _ => {}
        }
    }
    Ok(members)
}

/// A warning per member whose home school is the school being reviewed.
fn conflicts_of_interest(tx: &Connection, urn: &str, members: &[(String, TeamRole)]) -> crate::store::db::Result<Vec<ScheduleWarning>> {
    let mut out = Vec::new();
    let mut stmt = tx.prepare_cached("SELECT name FROM users WHERE id = ?1 AND home_school_urn = ?2")?;
    for (user, _) in members {
        if let Some(name) = stmt.query_row(params![user, urn], |r| r.get::<_, String>(0)).optional()? {
            out.push(ScheduleWarning {
                code: "conflict_of_interest".into(),
                message: format!("{name} works at the school being reviewed: a conflict of interest."),
                user_id: user.clone(),
            });
        }
    }
    Ok(out)
}

pub(super) fn denied(d: qar_core::Denied, hub_name: &str) -> StoreError {
    if d.reason == DenialReason::OtherHub {
        return StoreError::Refused {
            code: ErrorCode::NotYourHub,
            message: format!("This review is in {hub_name}, which you do not coordinate: only its coordinator or an administrator can schedule it or change its team."),
            details: Value::Null,
        };
    }
    StoreError::Denied { code: d.reason.code(), message: d.message }
}

impl ServerStore {
    /// Schedules a review of a school of the caller's hub: state `scheduled`, the school's
    /// context, the visit days, and the team (review_team), all server writes in one
    /// transaction, audited. Answers the review record and warnings (conflict of interest).
    pub fn schedule_review(&self, caller: &AuthDevice, hub_id: &str, req: &ScheduleRequest, now_ms: u64) -> Result<Scheduled, StoreError> {
        super::visit_days::check_visit_days(&req.visit_dates, now_ms)?;
        qar_core::framework(&req.framework_version).map_err(|e| refused(ErrorCode::UnknownFramework, e.to_string()))?;
        let review_id = req.review_id.unwrap_or_else(Uuid::now_v7);
        let rid = review_id.to_string();
        let urn = req.school_urn.trim();
        let mut conn = self.writer();
        let mut clock = self.clock();
        let tx = conn.transaction()?;
        clock::catch_up(&tx, &mut clock)?;
        let hub = super::hub_admin::hub_info(&tx, hub_id)?.ok_or_else(|| super::hub_admin::unknown_hub(hub_id))?;
        let (name, school_hub, context) = school_context(&tx, urn)?
            .ok_or_else(|| refused(ErrorCode::UnknownSchool, format!("No school with URN {urn} is in the register.")))?;
        let facts = ReviewFacts::new(ReviewState::Scheduled, hub_uuid(hub_id), true);
        decide(&caller.actor(), Action::ScheduleReview, &facts).map_err(|d| denied(d, &hub.name))?;
        if school_hub.as_deref() != Some(hub_id) {
            return Err(refused(
                ErrorCode::SchoolNotInHub,
                format!("{name} is not a school of {}. An administrator assigns schools to hubs.", hub.name),
            ));
        }
        if records::load(&tx, EntityKind::Review, &rid)?.is_some() {
            return Err(refused(ErrorCode::ReviewExists, "A review with this id already exists."));
        }
        let members = check_team(&tx, &req.team)?;
        let warnings = conflicts_of_interest(&tx, urn, &members)?;
        let mut ctx = Ctx { clock: &mut clock, seq: max_server_seq(&tx)?, now_ms };
        tx.execute("INSERT INTO review_hub(review_id, hub_id) VALUES (?1, ?2)", params![rid, hub_id])?;
        for (user, role) in &members {
            access::add_member(&tx, &rid, user, *role)?;
            tx.execute("DELETE FROM review_removals WHERE review_id = ?1 AND user_id = ?2", params![rid, user])?;
        }
        let mut fields = vec![
            ("school_name", json!(name)),
            ("school_urn", json!(urn)),
            ("start_date", json!(req.visit_dates[0])),
            ("state", json!(ReviewState::Scheduled.code())),
            ("framework_version", json!(req.framework_version)),
            ("visit_dates", json!(req.visit_dates)),
            ("school_context", context),
        ];
        fields.extend(access::access_fields(&tx, &rid)?);
        write_review(&tx, &mut ctx, &rid, &fields)?;
        // Each review builds on the last (issue 23): the school's latest issued review, copied
        // for the team to prepare with offline.
        let previous = super::previous_review::link_latest(&tx, &mut ctx, &rid, urn, &req.visit_dates[0])?;
        let detail = json!({ "hub_id": hub_id, "school_urn": urn, "visit_dates": req.visit_dates, "team": team_json(&tx, &rid)?,
                             "warnings": warnings.len(), "previous_review_id": previous });
        audit(&tx, caller, "schedule_review", &rid, detail, now_ms)?;
        let seq = ctx.seq;
        clock::save(&tx, &clock)?;
        let review = review_change(&tx, review_id)?;
        tx.commit()?;
        drop(clock);
        drop(conn);
        self.announce(seq);
        Ok(Scheduled { review, warnings, removed: vec![] })
    }

    /// Replaces a review's team (`decide(ManageTeam)`). Someone taken off stops receiving the
    /// review and is told on their next pull; someone added receives every record of it (the
    /// review's records move up the feed, since their laptop's cursor may be past them).
    pub fn set_review_team(&self, caller: &AuthDevice, review_id: Uuid, team: &TeamChoice, now_ms: u64) -> Result<Scheduled, StoreError> {
        let rid = review_id.to_string();
        let mut conn = self.writer();
        let mut clock = self.clock();
        let tx = conn.transaction()?;
        clock::catch_up(&tx, &mut clock)?;
        let review = access::review_access(&tx, &rid, &caller.user_id)?.ok_or(StoreError::UnknownReview(review_id))?;
        let hub_name = match review.hub_id.as_deref() {
            Some(h) => super::hub_admin::hub_info(&tx, h)?.map(|h| h.name).unwrap_or_default(),
            None => String::new(),
        };
        decide(&caller.actor(), Action::ManageTeam, &review.facts(false)).map_err(|d| denied(d, &hub_name))?;
        let members = check_team(&tx, team)?;
        let before: Vec<String> = tx
            .prepare_cached("SELECT user_id FROM review_team WHERE review_id = ?1")?
            .query_map([&rid], |r| r.get(0))?
            .collect::<crate::store::db::Result<_>>()?;
        let hub_authority = caller.is_admin() || review.hub_id.as_deref().is_some_and(|h| caller.coordinates(h));
        if !hub_authority {
            lead_limits(&caller.user_id, &members, &before)?;
        }
        let urn = records::load(&tx, EntityKind::Review, &rid)?.map(|s| records::text(&s.doc, "school_urn").to_owned()).unwrap_or_default();
        let warnings = conflicts_of_interest(&tx, &urn, &members)?;
        let removed: Vec<String> = before.iter().filter(|u| !members.iter().any(|(m, _)| m == *u)).cloned().collect();
        let added = members.iter().any(|(m, _)| !before.contains(m));
        tx.execute("DELETE FROM review_team WHERE review_id = ?1", [&rid])?;
        for (user, role) in &members {
            access::add_member(&tx, &rid, user, *role)?;
            tx.execute("DELETE FROM review_removals WHERE review_id = ?1 AND user_id = ?2", params![rid, user])?;
        }
        let mut ctx = Ctx { clock: &mut clock, seq: max_server_seq(&tx)?, now_ms };
        if added {
            // Every record of the review moves to a new place in the feed, so a new member's
            // laptop receives what was written before they joined.
            move_up_feed(&tx, &mut ctx, &rid)?;
        }
        access::refresh_fields(&tx, &mut ctx, &rid)?;
        for user in &removed {
            tx.execute(
                "INSERT INTO review_removals(review_id, user_id, server_seq, removed_ms) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(review_id, user_id) DO UPDATE SET server_seq = excluded.server_seq, removed_ms = excluded.removed_ms",
                params![rid, user, ctx.seq as i64, now_ms as i64],
            )?;
        }
        audit(&tx, caller, "set_team", &rid, json!({ "team": team_json(&tx, &rid)?, "removed": removed }), now_ms)?;
        let seq = ctx.seq;
        clock::save(&tx, &clock)?;
        let change = review_change(&tx, review_id)?;
        tx.commit()?;
        drop(clock);
        drop(conn);
        self.announce(seq);
        Ok(Scheduled { review: change, warnings, removed })
    }
}

/// What a Lead Reviewer (acting without hub authority) may do to the team: take people off or
/// change a reviewer's place, never hand over the lead or leave it, never add anyone. People
/// belong to no hub in the directory, so "someone of the hub" cannot be checked: adding people
/// is the coordinator's (docs/decisions.md 33).
fn lead_limits(caller: &str, members: &[(String, TeamRole)], before: &[String]) -> Result<(), StoreError> {
    if members.first().is_none_or(|(lead, _)| lead != caller) {
        return Err(refused(
            ErrorCode::LeadStays,
            "You lead this review: only the hub coordinator can hand the lead to someone else or take you off the team.",
        ));
    }
    if members.iter().any(|(m, _)| !before.contains(m)) {
        return Err(refused(
            ErrorCode::CoordinatorAdds,
            "Only the hub coordinator can add people to a review team: ask them to add who you need.",
        ));
    }
    Ok(())
}

/// Gives every record of the review a new place at the end of the feed, so a laptop whose
/// cursor is past them (someone who just gained access) receives them.
pub(super) fn move_up_feed(tx: &Connection, ctx: &mut Ctx, rid: &str) -> crate::store::db::Result<()> {
    let ids: Vec<(String, String)> = tx
        .prepare("SELECT entity, id FROM records WHERE review_id = ?1 ORDER BY server_seq")?
        .query_map([rid], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<crate::store::db::Result<_>>()?;
    let mut stmt = tx.prepare_cached("UPDATE records SET server_seq = ?3 WHERE entity = ?1 AND id = ?2")?;
    for (entity, id) in ids {
        ctx.seq += 1;
        stmt.execute(params![entity, id, ctx.seq as i64])?;
    }
    Ok(())
}

/// A server write to a review record, each field checked against the review schema first (a
/// value the laptops could not take is refused here, not synced). Returns whether it changed.
pub(super) fn write_review(tx: &Connection, ctx: &mut Ctx, rid: &str, fields: &[(&str, Value)]) -> Result<bool, StoreError> {
    for (f, v) in fields {
        validate_field(EntityKind::Review, f, v).map_err(|e| StoreError::Invalid(e.to_string()))?;
    }
    Ok(records::server_write(tx, ctx, EntityKind::Review, rid, rid, fields)?)
}

pub(super) fn review_change(tx: &Connection, review_id: Uuid) -> Result<Change, StoreError> {
    let (server_seq, doc) =
        tx.query_row("SELECT server_seq, fields FROM records WHERE entity = 'review' AND id = ?1", [review_id.to_string()], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?))
        })?;
    Ok(Change {
        server_seq,
        entity: EntityKind::Review,
        id: review_id,
        review_id,
        fields: records::parse_doc(&doc, || format!("review record {review_id}"))?,
    })
}

/// Reviews `user_id` was taken off whose removal lies in `(after, through]` of the feed.
pub(super) fn removed_between(tx: &Connection, user_id: &str, after: u64, through: u64) -> crate::store::db::Result<Vec<Uuid>> {
    let mut stmt = tx.prepare_cached(
        "SELECT review_id FROM review_removals WHERE user_id = ?1 AND server_seq > ?2 AND server_seq <= ?3 ORDER BY review_id",
    )?;
    let rows = stmt.query_map(params![user_id, after as i64, through as i64], |r| r.get::<_, String>(0))?;
    Ok(rows.filter_map(|r| r.ok().and_then(|s| Uuid::parse_str(&s).ok())).collect())
}

/// True when `user_id` was taken off this review (and not put back).
pub(super) fn was_removed(tx: &Connection, review_id: &str, user_id: &str) -> crate::store::db::Result<bool> {
    tx.prepare_cached("SELECT 1 FROM review_removals WHERE review_id = ?1 AND user_id = ?2")?.exists([review_id, user_id])
}
