//! What the host school writes before its visit (issue 22, point 3): its context statement and
//! its proposed Area of Excellence. Only the school's headteacher writes them (the permission
//! table's `WriteSchoolStatement`: their own school's review, until the visit ends), through
//! [`ServerStore::write_school_statement`], the one write path the JSON route and the school's
//! web form both call. The server keeps them as one `school_statement` record per review, every
//! field server-written, so they reach the team's laptops (and the hub's coordinator) through
//! the ordinary pull, read-only; a laptop's op of that kind is refused (`op_permission`).

use super::hub_admin::{audit, refused};
use super::push::max_server_seq;
use super::records::{self, Ctx, Doc};
use super::{access, clock, ServerStore, StoreError};
use crate::auth::AuthDevice;
use crate::store::db::Connection;
use qar_core::school_statement::{record_id, SchoolStatement, SchoolStatementChange};
use qar_core::{decide, validate_field, Action, DenialReason, EntityKind, ErrorCode, ReviewState};
use serde_json::{json, Value};
use uuid::Uuid;

/// The review's record, its school and the caller's standing on it (unknown or purged: 404).
fn review_of(tx: &Connection, caller: &AuthDevice, review_id: Uuid) -> Result<(access::ReviewAccess, Doc), StoreError> {
    let rid = review_id.to_string();
    let review = access::review_access(tx, &rid, &caller.user_id)?.ok_or(StoreError::UnknownReview(review_id))?;
    let stored = records::load(tx, EntityKind::Review, &rid)?.ok_or(StoreError::UnknownReview(review_id))?;
    if records::tombstone(&stored.doc).is_some() {
        return Err(StoreError::UnknownReview(review_id));
    }
    Ok((review, stored.doc))
}

/// Why the head may not write now, in words about the school's statement, not the table's.
fn denied(d: qar_core::Denied, state: ReviewState) -> StoreError {
    match d.reason {
        DenialReason::WrongState | DenialReason::ReviewClosed => refused(
            ErrorCode::WrongState,
            format!(
                "The review is {}: the school's context statement and proposed Area of Excellence can be changed only until the visit ends.",
                state.label().to_lowercase()
            ),
        ),
        DenialReason::NotYourRole => StoreError::Denied {
            code: ErrorCode::NotYourRole,
            message: "Only the headteacher of the school being reviewed can write its context statement and proposed Area of Excellence."
                .into(),
        },
        _ => StoreError::Denied { code: d.reason.code(), message: d.message },
    }
}

fn statement_view(tx: &Connection, rid: &str, review: &Doc, open: bool) -> Result<SchoolStatement, StoreError> {
    let id = Uuid::parse_str(rid).map(record_id).map_err(|e| StoreError::Invalid(e.to_string()))?.to_string();
    let stored = records::load(tx, EntityKind::SchoolStatement, &id)?.map(|s| s.doc).unwrap_or_default();
    let text = |name: &str| records::text(&stored, name).to_owned();
    Ok(SchoolStatement {
        review_id: rid.to_owned(),
        school_name: records::text(review, "school_name").to_owned(),
        school_urn: records::text(review, "school_urn").to_owned(),
        context_statement: text("context_statement"),
        aoe_title: text("aoe_title"),
        aoe_summary: text("aoe_summary"),
        written_by: text("written_by"),
        written_ms: stored.get("written_ms").and_then(|f| f.value.as_u64()).unwrap_or(0),
        open,
    })
}

impl ServerStore {
    /// What the school has written for this review: for its headteacher, the review's team, its
    /// hub's coordinator and administrators. Everyone else is refused `not_your_role`.
    pub fn school_statement(&self, caller: &AuthDevice, review_id: Uuid) -> Result<SchoolStatement, StoreError> {
        let conn = self.reader();
        let (review, doc) = review_of(&conn, caller, review_id)?;
        if !review.host_headteacher && !review.related(caller) {
            return Err(StoreError::Denied {
                code: ErrorCode::NotYourRole,
                message: "Only the school's headteacher, the review team, the hub coordinator or an administrator can read what the school wrote for its review.".into(),
            });
        }
        let open = decide(&caller.actor(), Action::WriteSchoolStatement, &review.facts(false)).is_ok();
        statement_view(&conn, &review_id.to_string(), &doc, open)
    }

    /// Saves the parts of the school's statement the head sent (validated against the field
    /// table first); the team's laptops receive the change on their next pull. Audited with the
    /// parts changed and their lengths, never the text. Saving the same words again changes
    /// nothing and is not audited.
    pub fn write_school_statement(
        &self,
        caller: &AuthDevice,
        review_id: Uuid,
        change: &SchoolStatementChange,
        now_ms: u64,
    ) -> Result<SchoolStatement, StoreError> {
        let mut conn = self.writer();
        let mut clock = self.clock();
        let tx = conn.transaction()?;
        let (review, doc) = review_of(&tx, caller, review_id)?;
        decide(&caller.actor(), Action::WriteSchoolStatement, &review.facts(false)).map_err(|d| denied(d, review.state))?;
        let parts = change.fields();
        if parts.is_empty() {
            return Err(StoreError::Invalid(
                "Nothing to save: send the context statement, the proposed Area of Excellence or why the school proposes it.".into(),
            ));
        }
        for (name, value) in &parts {
            validate_field(EntityKind::SchoolStatement, name, &json!(value)).map_err(|e| StoreError::Invalid(e.to_string()))?;
        }
        let rid = review_id.to_string();
        let id = record_id(review_id).to_string();
        let current = records::load(&tx, EntityKind::SchoolStatement, &id)?;
        let changed: Vec<&(&str, String)> = parts
            .iter()
            .filter(|(name, value)| current.as_ref().map_or(!value.is_empty(), |c| records::text(&c.doc, name) != value))
            .collect();
        let mut seq = None;
        if !changed.is_empty() {
            let author = access::user_name(&tx, &caller.user_id)?;
            let mut fields: Vec<(&str, Value)> = changed.iter().map(|(name, value)| (*name, json!(value))).collect();
            fields.push(("written_by", json!(author)));
            fields.push(("written_ms", json!(now_ms)));
            if current.is_none() {
                fields.push(("deleted", json!(false)));
            }
            let mut ctx = Ctx { clock: &mut clock, seq: max_server_seq(&tx)?, now_ms };
            records::server_write(&tx, &mut ctx, EntityKind::SchoolStatement, &id, &rid, &fields)?;
            let lengths: serde_json::Map<String, Value> =
                changed.iter().map(|(name, value)| ((*name).to_owned(), json!(value.chars().count()))).collect();
            audit(&tx, caller, "write_school_statement", &rid, json!({ "characters": lengths }), now_ms)?;
            seq = Some(ctx.seq);
            clock::save(&tx, &clock)?;
        }
        let view = statement_view(&tx, &rid, &doc, true)?;
        tx.commit()?;
        drop(clock);
        drop(conn);
        if let Some(seq) = seq {
            self.announce(seq);
        }
        Ok(view)
    }
}
