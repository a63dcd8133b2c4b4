//! The coordinator's decisions on a submitted report, made live on the server: approve (bound
//! to the report's content hash) and return with comments (architecture.md §5).

use super::access::{self, ReviewAccess};
use super::audit_log::{self, Event};
use super::mail_events;
use super::records::{self, text, Ctx, Doc};
use super::{clock, ServerStore, StoreError};
use crate::auth::AuthDevice;
use crate::mail::Template;
use crate::store::db::{params, Connection};
use qar_core::protocol::Change;
use qar_core::report_diff::{ReturnedEstimate, ReturnedReport};
use qar_core::{decide, validate_field, Action, EntityKind, ReviewState};
use serde_json::{json, Value};
use uuid::Uuid;

/// Most comments one return may carry.
pub const MAX_RETURN_COMMENTS: usize = 200;

/// One return comment as the coordinator's laptop sends it (its id made there, so a retried
/// return adds nothing twice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    pub id: Uuid,
    pub target: String,
    pub text: String,
}

impl ServerStore {
    /// Approves the review's report if the caller may (`decide(Approve)`) and `report_hash` is
    /// the hash of the report as the server holds it. Writes state, approved_hash,
    /// approved_by and approved_at_ms (the server's wall time) as server writes; answers the review record. Approving again with the same
    /// hash changes nothing.
    pub fn approve(&self, review_id: Uuid, report_hash: &str, caller: &AuthDevice, now_ms: u64) -> Result<Change, StoreError> {
        self.decision(review_id, caller, now_ms, |tx, ctx, rid, review, doc| {
            // Who may approve is decided before anything about the report is read or answered:
            // the retry below must not tell a stranger the review record or confirm a hash.
            check_role(caller, Action::Approve, review, ReviewState::Submitted)?;
            let current_hash = report_hash_of(tx, rid)?;
            if review.state == ReviewState::Approved && text(doc, "approved_hash") == report_hash && current_hash == report_hash {
                return Ok(()); // a retry of the approval that happened
            }
            check(caller, Action::Approve, review)?;
            if current_hash != report_hash {
                return Err(StoreError::ReportChanged { current_hash });
            }
            let name = access::user_name(tx, &caller.user_id)?;
            let fields = [
                ("state", json!(ReviewState::Approved.code())),
                ("approved_hash", json!(report_hash)),
                ("approved_by", json!(name)),
                // The date people read on the report: the server's wall time, not a stamp.
                ("approved_at_ms", json!(ctx.now_ms)),
            ];
            records::server_write(tx, ctx, EntityKind::Review, rid, rid, &fields)?;
            mail_events::review_event(tx, Template::ReportApproved, rid, &format!("{rid}:{}", ctx.seq), json!({}), ctx.now_ms)?;
            let detail = json!({ "report_hash": report_hash }).to_string();
            audit(tx, caller, "approve", rid, detail, ctx.now_ms)?;
            Ok(())
        })
    }

    /// Returns the report to its Lead Reviewer with comments (at least one, none blank), if the
    /// caller may (`decide(Return)`): state `returned` and one comment record per comment, in one
    /// transaction. Comments whose ids are already stored are not written again, so a retried
    /// return changes nothing.
    pub fn return_report(&self, review_id: Uuid, comments: &[NewComment], caller: &AuthDevice, now_ms: u64) -> Result<Change, StoreError> {
        check_comments(comments)?;
        self.decision(review_id, caller, now_ms, |tx, ctx, rid, review, _doc| {
            check_role(caller, Action::Return, review, ReviewState::Submitted)?;
            let mut fresh = Vec::new();
            for c in comments {
                match records::load(tx, EntityKind::Comment, &c.id.to_string())? {
                    Some(stored) if stored.review_id == rid => {}
                    Some(_) => return Err(StoreError::Invalid(format!("comment id {} is already used elsewhere", c.id))),
                    None => fresh.push(c),
                }
            }
            if fresh.is_empty() {
                return Ok(()); // a retry of the return that happened
            }
            check(caller, Action::Return, review)?;
            if id_used_by_another_kind(tx, &fresh)? {
                return Err(StoreError::Invalid("a comment id is already used by another record".into()));
            }
            let hash = report_hash_of(tx, rid)?;
            let name = access::user_name(tx, &caller.user_id)?;
            let mut fields = vec![("state", json!(ReviewState::Returned.code()))];
            // Kept for the diff only while it fits a synced field (a report far over its word
            // limits does not); without it the resubmission is read whole, as before.
            let returned = json!(returned_report_of(tx, rid, ctx.now_ms)?);
            if returned.to_string().len() <= qar_core::fields::MAX_JSON_BYTES {
                fields.push(("returned_report", returned));
            } else {
                tracing::warn!(review = rid, "report too long to keep as returned: no diff on resubmission");
            }
            records::server_write(tx, ctx, EntityKind::Review, rid, rid, &fields)?;
            // Told how many comments, never what they say: the laptop shows them.
            let extra = json!({ "comment_count": fresh.len() });
            mail_events::review_event(tx, Template::ReportReturned, rid, &format!("{rid}:{}", ctx.seq), extra, ctx.now_ms)?;
            for c in fresh {
                let fields = [
                    ("target", json!(c.target)),
                    ("text", json!(c.text.trim())),
                    ("author_id", json!(caller.user_id)),
                    ("author_name", json!(name)),
                    ("created_ms", json!(ctx.now_ms)),
                    ("report_hash", json!(hash)),
                    ("resolved", json!(false)),
                ];
                records::server_write(tx, ctx, EntityKind::Comment, &c.id.to_string(), rid, &fields)?;
            }
            let detail = json!({ "report_hash": hash, "comments": comments.len() }).to_string();
            audit(tx, caller, "return", rid, detail, ctx.now_ms)?;
            Ok(())
        })
    }

    /// Runs one workflow decision in its own transaction with the server clock, then answers
    /// the review record as it now is and wakes waiting pulls.
    pub(super) fn decision(
        &self,
        review_id: Uuid,
        caller: &AuthDevice,
        now_ms: u64,
        act: impl FnOnce(&Connection, &mut Ctx, &str, &ReviewAccess, &Doc) -> Result<(), StoreError>,
    ) -> Result<Change, StoreError> {
        let rid = review_id.to_string();
        let mut conn = self.writer();
        let mut clock = self.clock();
        let tx = conn.transaction()?;
        clock::catch_up(&tx, &mut clock)?;
        let mut ctx = Ctx { clock: &mut clock, seq: super::push::max_server_seq(&tx)?, now_ms };
        let review = access::review_access(&tx, &rid, &caller.user_id)?.ok_or(StoreError::UnknownReview(review_id))?;
        let doc = records::load(&tx, EntityKind::Review, &rid)?.map(|s| s.doc).unwrap_or_default();
        act(&tx, &mut ctx, &rid, &review, &doc)?;
        let seq = ctx.seq;
        clock::save(&tx, &clock)?;
        let (server_seq, doc) =
            tx.query_row("SELECT server_seq, fields FROM records WHERE entity = 'review' AND id = ?1", [&rid], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?))
            })?;
        tx.commit()?;
        drop(clock);
        drop(conn);
        self.announce(seq);
        // The decision may have queued mail (approved, returned, issued).
        self.wake_mail();
        Ok(Change {
            server_seq,
            entity: EntityKind::Review,
            id: review_id,
            review_id,
            fields: records::parse_doc(&doc, || format!("review record {rid}"))?,
        })
    }
}

/// Records a coordinator's decision in the audit chain, inside the decision's transaction.
pub(super) fn audit(
    tx: &Connection,
    caller: &AuthDevice,
    kind: &str,
    review_id: &str,
    detail: String,
    now_ms: u64,
) -> crate::store::db::Result<()> {
    let device = caller.device_id.to_string();
    let event = Event { kind, actor: &caller.user_id, device_id: &device, subject: review_id, detail };
    audit_log::append(tx, &event, now_ms)
}

pub(super) fn check(caller: &AuthDevice, action: Action, review: &ReviewAccess) -> Result<(), StoreError> {
    decide(&caller.actor(), action, &review.facts(false))
        .map(|_| ())
        .map_err(|d| StoreError::Denied { code: d.reason.code(), message: d.message })
}

/// The role half of `check`: may the caller take `action` on this review at all, as if it
/// were in `from` (the state the action starts from)? Retries of a decision already made run
/// this first, so only someone who could have made it learns that it was made.
pub(super) fn check_role(caller: &AuthDevice, action: Action, review: &ReviewAccess, from: ReviewState) -> Result<(), StoreError> {
    let as_if = ReviewAccess { state: from, ..review.clone() };
    check(caller, action, &as_if)
}

fn check_comments(comments: &[NewComment]) -> Result<(), StoreError> {
    if comments.is_empty() {
        return Err(StoreError::Invalid("Returning a report needs at least one comment".into()));
    }
    if comments.len() > MAX_RETURN_COMMENTS {
        return Err(StoreError::Invalid(format!("At most {MAX_RETURN_COMMENTS} comments in one return")));
    }
    for (i, c) in comments.iter().enumerate() {
        if comments[..i].iter().any(|o| o.id == c.id) {
            return Err(StoreError::Invalid(format!("comment id {} appears twice", c.id)));
        }
        for (field, value) in [("target", c.target.as_str()), ("text", c.text.trim())] {
            validate_field(EntityKind::Comment, field, &Value::String(value.to_owned()))
                .map_err(|e| StoreError::Invalid(format!("comment {}: {e}", i + 1)))?;
        }
    }
    Ok(())
}

/// Some id is taken by a record of another kind (ids are UUIDs, so only by mistake or malice).
fn id_used_by_another_kind(tx: &Connection, comments: &[&NewComment]) -> crate::store::db::Result<bool> {
    let mut stmt = tx.prepare_cached("SELECT 1 FROM records WHERE id = ?1 AND entity <> 'comment'")?;
    for c in comments {
        if stmt.exists([c.id.to_string()])? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The report as the server holds it: every section's text and every estimate (deleted ones
/// left out), as (code, text) and (area, value, rationale).
pub(super) type ReportContents = (Vec<(String, String)>, Vec<(String, String, String)>);

pub(super) fn report_contents(tx: &Connection, review_id: &str) -> crate::store::db::Result<ReportContents> {
    let mut stmt =
        tx.prepare_cached("SELECT entity, fields FROM records WHERE review_id = ?1 AND entity IN ('report_section', 'estimate')")?;
    let rows = stmt.query_map(params![review_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let (mut sections, mut estimates) = (Vec::new(), Vec::new());
    for row in rows {
        let (entity, fields) = row?;
        let doc: Doc = records::parse_doc(&fields, || format!("{entity} record of review {review_id}"))?;
        if records::tombstone(&doc).is_some() {
            continue;
        }
        if entity == "report_section" {
            sections.push((text(&doc, "section_code").to_owned(), text(&doc, "body").to_owned()));
        } else {
            estimates.push((text(&doc, "area_code").to_owned(), text(&doc, "value").to_owned(), text(&doc, "rationale").to_owned()));
        }
    }
    Ok((sections, estimates))
}

/// The content hash of the report as the server holds it, hashed by qar-core exactly as the
/// laptops do.
pub(super) fn report_hash_of(tx: &Connection, review_id: &str) -> crate::store::db::Result<String> {
    let (sections, estimates) = report_contents(tx, review_id)?;
    let photos = section_photos(tx, review_id)?;
    Ok(qar_core::report_template::content_hash_with_photos(&sections, &estimates, &photos))
}

/// The photos each section shows (issue 19), for the content hash.
fn section_photos(tx: &Connection, review_id: &str) -> crate::store::db::Result<Vec<(String, Vec<qar_core::report_photos::ReportPhoto>)>> {
    let mut stmt = tx.prepare_cached("SELECT fields FROM records WHERE review_id = ?1 AND entity = 'report_section'")?;
    let rows = stmt.query_map(params![review_id], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for fields in rows {
        let doc: Doc = records::parse_doc(&fields?, || format!("report_section record of review {review_id}"))?;
        if records::tombstone(&doc).is_none() {
            out.push((text(&doc, "section_code").to_owned(), super::report_photos::of_section(&doc)));
        }
    }
    Ok(out)
}

/// The report as it is being returned, kept on the review (`returned_report`) so the
/// resubmission can be read as a diff against it (decision 81).
fn returned_report_of(tx: &Connection, review_id: &str, now_ms: u64) -> crate::store::db::Result<ReturnedReport> {
    let (sections, estimates) = report_contents(tx, review_id)?;
    Ok(ReturnedReport {
        returned_ms: now_ms,
        report_hash: report_hash_of(tx, review_id)?,
        sections: sections.into_iter().collect(),
        estimates: estimates.into_iter().map(|(area, value, rationale)| (area, ReturnedEstimate { value, rationale })).collect(),
    })
}
