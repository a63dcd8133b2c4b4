//! Each review builds on the last (issue 23, point 3). When a review is scheduled the server
//! links it to the school's most recent issued review (same URN, visit started earlier) and
//! copies that report's estimates and *Even better if* points, from its latest issued snapshot,
//! into the review's `previous_review` record: a server write the team's laptops pull and keep
//! offline, read-only. The hub's coordinator (or an administrator) sees the link and may point
//! it at another issued review of the school, or at none, while the review is scheduled or in
//! preparation (the permission table's `ScheduleReview` row, as for the visit days).

use super::hub_admin::{audit, hub_info, refused};
use super::push::max_server_seq;
use super::records::{self, Ctx};
use super::{access, clock, ServerStore, StoreError};
use crate::auth::AuthDevice;
use crate::store::db::{params, Connection};
use qar_core::previous_review::{ebi_points, record_id, PreviousEstimate};
pub use qar_core::protocol::scheduling::{PreviousReviewChoice, PreviousReviewLink, SetPreviousReview};
use qar_core::{decide, validate_field, Action, DenialReason, EntityKind, ErrorCode, ReviewState};
use serde_json::{json, Value};
use uuid::Uuid;

/// The school's issued reviews whose visit started before `before` (a `YYYY-MM-DD`), newest
/// first, never `except` itself: each with its latest issued version. A review deleted (or
/// purged to a bare tombstone) is no longer one to build on.
pub(super) fn issued_before(tx: &Connection, urn: &str, before: &str, except: &str) -> crate::store::db::Result<Vec<PreviousReviewChoice>> {
    let mut stmt = tx.prepare_cached(
        "SELECT v.review_id, json_extract(r.fields, '$.start_date.value'), v.issued_ms, v.version
         FROM report_versions v JOIN records r ON r.entity = 'review' AND r.id = v.review_id
         WHERE v.version = (SELECT max(version) FROM report_versions WHERE review_id = v.review_id)
           AND json_extract(r.fields, '$.school_urn.value') = ?1
           AND coalesce(CAST(json_extract(r.fields, '$.deleted.value') AS INTEGER), 0) = 0
           AND json_extract(r.fields, '$.start_date.value') < ?2
           AND v.review_id <> ?3
         ORDER BY 2 DESC, v.issued_ms DESC",
    )?;
    let rows = stmt.query_map(params![urn, before, except], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, u32>(3)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, start_date, issued_ms, version) = row?;
        // Ids in `records` are written from Uuids; one that is not is skipped, not a failure.
        if let Ok(review_id) = Uuid::parse_str(&id) {
            out.push(PreviousReviewChoice { review_id, start_date, issued_ms: issued_ms as u64, version });
        }
    }
    Ok(out)
}

/// The fields of the `previous_review` record for `previous`: from its latest issued snapshot
/// (what the school was sent), never from its notes. Each value is checked as laptops will.
fn copied_fields(tx: &Connection, previous: &PreviousReviewChoice) -> Result<Vec<(&'static str, Value)>, StoreError> {
    let pid = previous.review_id.to_string();
    let snapshot: String =
        tx.query_row("SELECT snapshot FROM report_versions WHERE review_id = ?1 AND version = ?2", params![pid, previous.version], |r| {
            r.get(0)
        })?;
    let s: Value = serde_json::from_str(&snapshot)
        .map_err(|e| StoreError::Corrupt { what: format!("issued report of {pid}"), detail: e.to_string() })?;
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let list = |k: &str| s.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    let framework_version = text(&s, "framework_version");
    let sections: Vec<(String, String)> = list("sections").iter().map(|x| (text(x, "code"), text(x, "body"))).collect();
    let points = ebi_points(&framework_version, &sections).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let estimates: Vec<PreviousEstimate> = list("estimates")
        .iter()
        .map(|x| PreviousEstimate { area_code: text(x, "area_code"), value: text(x, "value") })
        .filter(|e| !e.value.is_empty())
        .collect();
    let fields = vec![
        ("previous_review_id", json!(pid)),
        ("school_name", json!(text(&s, "school_name"))),
        ("school_urn", json!(text(&s, "school_urn"))),
        ("start_date", json!(previous.start_date)),
        ("framework_version", json!(framework_version)),
        ("issued_ms", json!(previous.issued_ms)),
        ("estimates", json!(estimates)),
        ("ebi_points", json!(points)),
        ("deleted", json!(false)),
    ];
    for (name, value) in &fields {
        validate_field(EntityKind::PreviousReview, name, value).map_err(|e| StoreError::Invalid(e.to_string()))?;
    }
    Ok(fields)
}

/// Points review `rid`'s record at `previous`, or marks it deleted when `None` (a review with
/// no record and no previous review gets none). Returns whether anything changed.
pub(super) fn link(tx: &Connection, ctx: &mut Ctx, rid: &str, previous: Option<&PreviousReviewChoice>) -> Result<bool, StoreError> {
    let id = Uuid::parse_str(rid).map(record_id).map_err(|e| StoreError::Invalid(e.to_string()))?.to_string();
    match previous {
        Some(p) => Ok(records::server_write(tx, ctx, EntityKind::PreviousReview, &id, rid, &copied_fields(tx, p)?)?),
        None => match records::load(tx, EntityKind::PreviousReview, &id)? {
            Some(_) => Ok(records::server_write(tx, ctx, EntityKind::PreviousReview, &id, rid, &[("deleted", json!(true))])?),
            None => Ok(false),
        },
    }
}

/// Links a just-scheduled review to the school's latest issued review, if it has one.
pub(super) fn link_latest(tx: &Connection, ctx: &mut Ctx, rid: &str, urn: &str, start_date: &str) -> Result<Option<Uuid>, StoreError> {
    let latest = issued_before(tx, urn, start_date, rid)?.into_iter().next();
    link(tx, ctx, rid, latest.as_ref())?;
    Ok(latest.map(|p| p.review_id))
}

/// The issued review the record now points at (none when there is no record or it is deleted).
fn linked_id(tx: &Connection, rid: &str) -> crate::store::db::Result<Option<String>> {
    let Ok(review) = Uuid::parse_str(rid) else { return Ok(None) };
    let Some(stored) = records::load(tx, EntityKind::PreviousReview, &record_id(review).to_string())? else { return Ok(None) };
    if records::tombstone(&stored.doc).is_some() {
        return Ok(None);
    }
    Ok(Some(records::text(&stored.doc, "previous_review_id").to_owned()).filter(|s| !s.is_empty()))
}

fn denied(d: qar_core::Denied, state: ReviewState, hub_name: &str) -> StoreError {
    match d.reason {
        DenialReason::OtherHub => refused(
            ErrorCode::NotYourHub,
            format!("This review is in {hub_name}, which you do not coordinate: only its coordinator or an administrator can see or change which review it builds on."),
        ),
        DenialReason::WrongState | DenialReason::ReviewClosed => refused(
            ErrorCode::VisitStarted,
            format!(
                "The review is {}: which review it builds on can be changed only before the visit starts (while it is scheduled or preparing).",
                state.label().to_lowercase()
            ),
        ),
        _ => StoreError::Denied { code: d.reason.code(), message: d.message },
    }
}

/// The review's school, visit start and the caller's standing, after checking the caller is
/// its hub's coordinator or an administrator (`action` decides when).
fn authorised(tx: &Connection, caller: &AuthDevice, review_id: Uuid, action: Action) -> Result<(String, String, String), StoreError> {
    let rid = review_id.to_string();
    let review = access::review_access(tx, &rid, &caller.user_id)?.ok_or(StoreError::UnknownReview(review_id))?;
    let stored = records::load(tx, EntityKind::Review, &rid)?.ok_or(StoreError::UnknownReview(review_id))?;
    if records::tombstone(&stored.doc).is_some() {
        return Err(StoreError::UnknownReview(review_id));
    }
    let hub_name = match review.hub_id.as_deref() {
        Some(h) => hub_info(tx, h)?.map(|h| h.name).unwrap_or_default(),
        None => String::new(),
    };
    decide(&caller.actor(), action, &review.facts(false)).map_err(|d| denied(d, review.state, &hub_name))?;
    // Viewing a review is the team's too: the link itself is the hub's to see and set.
    let hub_authority = caller.is_admin() || review.hub_id.as_deref().is_some_and(|h| caller.coordinates(h));
    if !hub_authority {
        return Err(StoreError::Denied {
            code: ErrorCode::NotYourRole,
            message: "Only the hub coordinator or an administrator can see or change which review this one builds on.".into(),
        });
    }
    Ok((rid, records::text(&stored.doc, "school_urn").to_owned(), records::text(&stored.doc, "start_date").to_owned()))
}

fn link_view(tx: &Connection, review_id: Uuid, rid: &str, urn: &str, start: &str) -> Result<PreviousReviewLink, StoreError> {
    let candidates = issued_before(tx, urn, start, rid)?;
    let linked = linked_id(tx, rid)?.and_then(|id| candidates.iter().find(|c| c.review_id.to_string() == id).cloned());
    Ok(PreviousReviewLink { review_id, school_urn: urn.to_owned(), linked, candidates })
}

impl ServerStore {
    /// Which issued review a review builds on, and which it could: its hub's coordinator or an
    /// administrator, in any state.
    pub fn previous_review_link(&self, caller: &AuthDevice, review_id: Uuid) -> Result<PreviousReviewLink, StoreError> {
        let conn = self.reader();
        let (rid, urn, start) = authorised(&conn, caller, review_id, Action::ViewReview)?;
        link_view(&conn, review_id, &rid, &urn, &start)
    }

    /// Points a review at another issued review of its school, or at none; the team's laptops
    /// receive the new copy (or its removal) on their next pull. Audited when it changes.
    pub fn set_previous_review(
        &self,
        caller: &AuthDevice,
        review_id: Uuid,
        req: &SetPreviousReview,
        now_ms: u64,
    ) -> Result<PreviousReviewLink, StoreError> {
        let mut conn = self.writer();
        let mut clock = self.clock();
        let tx = conn.transaction()?;
        clock::catch_up(&tx, &mut clock)?;
        let (rid, urn, start) = authorised(&tx, caller, review_id, Action::ScheduleReview)?;
        let chosen = match req.previous_review_id {
            None => None,
            Some(p) => Some(issued_before(&tx, &urn, &start, &rid)?.into_iter().find(|c| c.review_id == p).ok_or_else(|| {
                refused(
                    ErrorCode::NotPreviousReview,
                    format!("Review {p} is not an issued review of this school (URN {urn}) from before this visit: choose one of the school's earlier issued reviews, or none."),
                )
            })?),
        };
        let mut ctx = Ctx { clock: &mut clock, seq: max_server_seq(&tx)?, now_ms };
        let changed = link(&tx, &mut ctx, &rid, chosen.as_ref())?;
        if changed {
            audit(&tx, caller, "set_previous_review", &rid, json!({ "previous_review_id": req.previous_review_id }), now_ms)?;
        }
        let seq = ctx.seq;
        clock::save(&tx, &clock)?;
        let view = link_view(&tx, review_id, &rid, &urn, &start)?;
        tx.commit()?;
        drop(clock);
        drop(conn);
        if changed {
            self.announce(seq);
        }
        Ok(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_record_needs_no_removal() {
        let conn = Connection::from_sqlite(rusqlite::Connection::open_in_memory().unwrap());
        conn.execute_batch("CREATE TABLE records(entity TEXT, id TEXT, review_id TEXT, fields TEXT, server_seq INTEGER)").unwrap();
        let mut clock = qar_core::HlcClock::new(1);
        let mut ctx = Ctx { clock: &mut clock, seq: 0, now_ms: 1 };
        let rid = Uuid::from_u128(5).to_string();
        assert!(!link(&conn, &mut ctx, &rid, None).unwrap());
        assert_eq!(ctx.seq, 0, "nothing took a place in the feed");
    }
}
