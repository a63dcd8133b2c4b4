//! Which events queue which mail, to whom, with which values (issue 22). Each function runs
//! inside the transaction of its event, so the mail is queued exactly when the event is stored;
//! each event has a key (the invitation's id, the server_seq of the review write, an issued
//! version's number, an overdue period) that makes queuing it again a no-op.

use super::mail_outbox::{queue, recipients, Recipient, ACTIVE};
use super::overview::{visit_dates_of, STALE_UNSENT_MS};
use super::records::{self, text, Doc};
use super::{ServerStore, StoreError};
use crate::mail::Template;
use crate::store::db::{params, Connection};
use qar_core::calendar::{utc_day, NaiveDate};
use qar_core::report_deadline::{report_due, report_overdue};
use qar_core::{EntityKind, ReviewState};
use serde_json::{json, Value};

/// A date as people in England read it: `7 December 2026`.
pub(super) fn british_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

fn coordinators(tx: &Connection, review_id: &str) -> crate::store::db::Result<Vec<Recipient>> {
    let sql = format!(
        "SELECT DISTINCT u.name, u.email FROM review_hub h JOIN user_roles r ON r.role = 'hub_coordinator' AND r.hub_id = h.hub_id
         JOIN users u ON u.id = r.user_id WHERE h.review_id = ?1 AND {ACTIVE} ORDER BY u.email"
    );
    recipients(tx, &sql, review_id)
}

fn lead_reviewer(tx: &Connection, review_id: &str) -> crate::store::db::Result<Vec<Recipient>> {
    let sql = format!(
        "SELECT u.name, u.email FROM review_team t JOIN users u ON u.id = t.user_id
         WHERE t.review_id = ?1 AND t.role = 'lead_reviewer' AND {ACTIVE} ORDER BY u.email"
    );
    recipients(tx, &sql, review_id)
}

/// The headteacher(s) of the reviewed school with an account (`school_heads`). Only invited
/// heads: the register's headteacher name has no address.
fn host_headteachers(tx: &Connection, review_id: &str) -> crate::store::db::Result<Vec<Recipient>> {
    let sql = format!(
        "SELECT u.name, u.email FROM records r JOIN school_heads h ON h.urn = json_extract(r.fields, '$.school_urn.value')
         JOIN users u ON u.id = h.user_id WHERE r.entity = 'review' AND r.id = ?1 AND {ACTIVE} ORDER BY u.email"
    );
    recipients(tx, &sql, review_id)
}

/// Who hears of a review event: submitted goes to the hub's coordinators; returned and approved
/// to the Lead Reviewer; issued to the Lead Reviewer and the host headteacher; overdue to the
/// Lead Reviewer and the coordinators.
fn review_recipients(tx: &Connection, template: Template, review_id: &str) -> crate::store::db::Result<Vec<Recipient>> {
    Ok(match template {
        Template::ReportSubmitted => coordinators(tx, review_id)?,
        Template::ReportOverdue => {
            let mut all = lead_reviewer(tx, review_id)?;
            all.extend(coordinators(tx, review_id)?);
            all
        }
        Template::ReportIssued => {
            let mut all = lead_reviewer(tx, review_id)?;
            all.extend(host_headteachers(tx, review_id)?);
            all
        }
        _ => lead_reviewer(tx, review_id)?,
    })
}

/// The facts every review mail carries: the school, never the report.
fn review_values(doc: &Doc, review_id: &str) -> Value {
    json!({ "school_name": text(doc, "school_name"), "school_urn": text(doc, "school_urn"), "review_id": review_id })
}

/// Queues a review event's mail. `key` names the event (unique for it); `extra` adds values.
pub(super) fn review_event(
    tx: &Connection,
    template: Template,
    review_id: &str,
    key: &str,
    extra: Value,
    now_ms: u64,
) -> crate::store::db::Result<usize> {
    let Some(review) = records::load(tx, EntityKind::Review, review_id)? else { return Ok(0) };
    let mut values = review_values(&review.doc, review_id);
    if let (Some(values), Value::Object(extra)) = (values.as_object_mut(), extra) {
        values.extend(extra);
    }
    let to = review_recipients(tx, template, review_id)?;
    queue(tx, &format!("{}:{key}", template.code()), template, &to, &values, now_ms)
}

/// After a pushed op: if it moved the review into `submitted` (sent by its Lead Reviewer, or
/// sent back to the coordinator by an edit after approval), the coordinators are told. `seq` is
/// the server_seq of the write, which makes the event's key.
pub(super) fn after_push_op(
    tx: &Connection,
    review_id: &str,
    before: Option<ReviewState>,
    seq: u64,
    now_ms: u64,
) -> crate::store::db::Result<()> {
    let Some(review) = records::load(tx, EntityKind::Review, review_id)? else { return Ok(()) };
    let now = super::access::state_of(&review.doc);
    if now == ReviewState::Submitted && before != Some(ReviewState::Submitted) {
        review_event(tx, Template::ReportSubmitted, review_id, &format!("{review_id}:{seq}"), json!({}), now_ms)?;
    }
    Ok(())
}

/// The invitation mail, with its one-time code (sealed in the outbox, emptied once sent).
pub(super) fn invitation(
    tx: &Connection,
    invitation_id: &str,
    invitee: Recipient,
    invited_by: &str,
    code: &str,
    expires_ms: u64,
    now_ms: u64,
) -> crate::store::db::Result<usize> {
    let values = json!({ "invited_by": invited_by, "code": code, "expires_date": british_date(utc_day(expires_ms)) });
    queue(tx, &format!("invitation:{invitation_id}"), Template::Invitation, &[invitee], &values, now_ms)
}

/// How long a sent mail's row (message id, template, recipient, when) is kept, to answer "was it
/// sent?". Its event cannot come again by then: keys hold ids and server_seqs that are never
/// reused, and overdue periods that only grow; a laptop still stuck on the same oldest change a
/// year later is told again, which is right.
pub const KEEP_SENT_MS: u64 = 365 * 24 * 60 * 60 * 1000;

/// Midnight (UTC) at the end of `day`, in ms: when a report due that day becomes overdue.
fn end_of_day_ms(day: NaiveDate) -> Option<u64> {
    let next = day.succ_opt()?.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis();
    u64::try_from(next).ok()
}

impl ServerStore {
    /// Queues the reminders that no request causes: each overdue report (to its Lead Reviewer
    /// and coordinators), once per `overdue_every_ms` since it fell due; each laptop whose
    /// unsent work is older than a day (to its owner), once per batch of stuck work (the oldest
    /// unsent change's time is in the key). Returns how many mails were queued. Also forgets
    /// mail sent more than [`KEEP_SENT_MS`] ago.
    pub fn queue_periodic_mail(&self, now_ms: u64, overdue_every_ms: u64) -> Result<usize, StoreError> {
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let mut queued = overdue_reports(&tx, now_ms, overdue_every_ms.max(1))?;
        queued += stale_laptops(&tx, now_ms)?;
        tx.execute("DELETE FROM mail_outbox WHERE state = 'sent' AND sent_ms < ?1", [now_ms.saturating_sub(KEEP_SENT_MS) as i64])?;
        tx.commit()?;
        drop(conn);
        if queued > 0 {
            self.wake_mail();
        }
        Ok(queued)
    }
}

fn overdue_reports(tx: &Connection, now_ms: u64, every_ms: u64) -> Result<usize, StoreError> {
    let today = utc_day(now_ms);
    let rows: Vec<(String, String, u32)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT r.id, r.fields, h.report_deadline_days FROM review_hub rh JOIN hubs h ON h.id = rh.hub_id
             JOIN records r ON r.entity = 'review' AND r.id = rh.review_id ORDER BY r.id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<crate::store::db::Result<_>>()?
    };
    let mut queued = 0;
    for (id, fields, deadline_days) in rows {
        let doc: Doc = records::parse_doc(&fields, || format!("review record {id}"))?;
        if records::tombstone(&doc).is_some() {
            continue;
        }
        let state = super::access::state_of(&doc);
        let last_day = visit_dates_of(&doc).last().cloned().unwrap_or_default();
        let due = report_due(&last_day, deadline_days);
        let (Some(due_day), true) = (due, report_overdue(state, due, today)) else { continue };
        let Some(late_since) = end_of_day_ms(due_day) else { continue };
        let period = now_ms.saturating_sub(late_since) / every_ms;
        let days_overdue = today.signed_duration_since(due_day).num_days();
        let extra = json!({ "due_date": british_date(due_day), "days_overdue": days_overdue });
        queued += review_event(tx, Template::ReportOverdue, &id, &format!("{id}:{due_day}:{period}"), extra, now_ms)?;
    }
    Ok(queued)
}

fn stale_laptops(tx: &Connection, now_ms: u64) -> crate::store::db::Result<usize> {
    let sql = format!(
        "SELECT o.device_id, coalesce(d.name, ''), u.name, u.email, o.pending_ops, o.oldest_unsent_ms
         FROM device_outbox o JOIN users u ON u.id = o.user_id LEFT JOIN device_registry d ON d.device_id = o.device_id
         WHERE o.pending_ops > 0 AND o.oldest_unsent_ms < ?1 AND {ACTIVE}"
    );
    let rows: Vec<(String, String, String, String, i64, i64)> = {
        let mut stmt = tx.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![now_ms.saturating_sub(STALE_UNSENT_MS) as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?;
        rows.collect::<crate::store::db::Result<_>>()?
    };
    let mut queued = 0;
    for (device_id, device_name, name, email, pending, oldest) in rows {
        let device_name = if device_name.trim().is_empty() { "your laptop".to_owned() } else { device_name };
        let values = json!({
            "device_name": device_name,
            "pending_ops": pending,
            "oldest_date": british_date(utc_day(oldest.max(0) as u64)),
        });
        let key = format!("unsent_work:{device_id}:{oldest}");
        queued += queue(tx, &key, Template::UnsentWork, &[Recipient { name, email }], &values, now_ms)?;
    }
    Ok(queued)
}
