//! TEST SUPPORT for retention (issue 24): issued and cancelled reviews made straight in the
//! store at a chosen time, so a test (or a timing run over thousands of reviews) can move a
//! fake clock across a year without walking each review through its workflow.

use super::push::max_server_seq;
use super::records::{self, Ctx};
use super::{clock, ServerStore, StoreError};
use crate::store::db::params;
use qar_core::EntityKind;
use serde_json::{json, Value};
use uuid::Uuid;

/// What a made-up review holds: the ids of its records by kind.
#[derive(Debug, Clone, Default)]
pub struct TestReview {
    pub review: String,
    pub evidence: Vec<String>,
    pub comment: String,
    pub estimate: String,
    pub section: String,
}

impl ServerStore {
    /// TEST SUPPORT: an issued review (state, `notes` evidence notes, a comment, an estimate, a
    /// report section, version 1 issued at `issued_ms`), in `hub_id` when given. Records are
    /// stamped at `issued_ms`.
    pub fn test_issued_review(&self, hub_id: Option<&str>, notes: usize, issued_ms: u64) -> Result<TestReview, StoreError> {
        self.test_review_in_state("issued", hub_id, notes, issued_ms)
    }

    /// TEST SUPPORT: a review cancelled at `cancelled_ms`, with `notes` evidence notes.
    pub fn test_cancelled_review(&self, hub_id: Option<&str>, notes: usize, cancelled_ms: u64) -> Result<TestReview, StoreError> {
        self.test_review_in_state("cancelled", hub_id, notes, cancelled_ms)
    }

    /// TEST SUPPORT: a review under way (in its visit, when the team writes notes), with `notes`
    /// evidence notes, stamped at `now_ms`; a later [`ServerStore::test_issue`] or
    /// [`ServerStore::test_cancel`] ends it.
    pub fn test_live_review(&self, hub_id: Option<&str>, notes: usize, now_ms: u64) -> Result<TestReview, StoreError> {
        self.test_review_in_state("in_visit", hub_id, notes, now_ms)
    }

    /// TEST SUPPORT: issues a review (state `issued`, version 1 issued at `issued_ms`), as the
    /// coordinator's "Issue to school" would at that time. Written at `now_ms`.
    pub fn test_issue(&self, review_id: &str, issued_ms: u64, now_ms: u64) -> Result<(), StoreError> {
        self.test_server_write(review_id, &[("state", json!("issued"))], now_ms, |tx| issue_version(tx, review_id, issued_ms))
    }

    /// TEST SUPPORT: cancels a review at `now_ms` (its state and tombstone, as the hub's cancel does).
    pub fn test_cancel(&self, review_id: &str, now_ms: u64) -> Result<(), StoreError> {
        self.test_server_write(review_id, &[("state", json!("cancelled")), ("deleted", json!(true))], now_ms, |_| Ok(()))
    }

    fn test_server_write(
        &self,
        review_id: &str,
        fields: &[(&str, Value)],
        now_ms: u64,
        also: impl FnOnce(&crate::store::db::Transaction) -> crate::store::db::Result<()>,
    ) -> Result<(), StoreError> {
        let seq = {
            let mut conn = self.writer();
            let mut clock = self.clock();
            let tx = conn.transaction()?;
            clock::catch_up(&tx, &mut clock)?;
            let mut ctx = Ctx { clock: &mut clock, seq: max_server_seq(&tx)?, now_ms };
            records::server_write(&tx, &mut ctx, EntityKind::Review, review_id, review_id, fields)?;
            also(&tx)?;
            let seq = ctx.seq;
            clock::save(&tx, &clock)?;
            tx.commit()?;
            seq
        };
        self.announce(seq);
        Ok(())
    }

    fn test_review_in_state(&self, state: &str, hub_id: Option<&str>, notes: usize, now_ms: u64) -> Result<TestReview, StoreError> {
        let seq = {
            let mut conn = self.writer();
            let mut clock = self.clock();
            let tx = conn.transaction()?;
            clock::catch_up(&tx, &mut clock)?;
            let mut ctx = Ctx { clock: &mut clock, seq: max_server_seq(&tx)?, now_ms };
            let rid = Uuid::now_v7().to_string();
            let mut made = TestReview { review: rid.clone(), ..Default::default() };
            let write = |ctx: &mut Ctx, kind: EntityKind, fields: &[(&str, Value)]| -> crate::store::db::Result<String> {
                let id = if kind == EntityKind::Review { rid.clone() } else { Uuid::now_v7().to_string() };
                records::server_write(&tx, ctx, kind, &id, &rid, fields)?;
                Ok(id)
            };
            write(&mut ctx, EntityKind::Review, &[("school_name", json!("Retention Test School")), ("state", json!(state))])?;
            for n in 0..notes {
                let id = write(
                    &mut ctx,
                    EntityKind::Evidence,
                    &[("notes", json!(format!("Note {n}: Ms Example's Year 9 lesson."))), ("author_id", json!("user-anika-marsh"))],
                )?;
                made.evidence.push(id);
            }
            made.comment =
                write(&mut ctx, EntityKind::Comment, &[("text", json!("Say more about reading.")), ("target", json!("report"))])?;
            made.estimate = write(&mut ctx, EntityKind::Estimate, &[("area_code", json!("leadership")), ("value", json!("effective"))])?;
            made.section = write(&mut ctx, EntityKind::ReportSection, &[("section_code", json!("context")), ("body", json!("A school."))])?;
            if let Some(hub) = hub_id {
                tx.execute("INSERT OR IGNORE INTO hubs(id, name, region) VALUES (?1, ?1, '')", [hub])?;
                tx.execute("INSERT INTO review_hub(review_id, hub_id) VALUES (?1, ?2)", params![rid, hub])?;
            }
            if state == "issued" {
                issue_version(&tx, &rid, now_ms)?;
            }
            let seq = ctx.seq;
            clock::save(&tx, &clock)?;
            tx.commit()?;
            (seq, made)
        };
        self.announce(seq.0);
        Ok(seq.1)
    }
}

/// Version 1 of a review's report, issued at `issued_ms` (an empty snapshot: retention reads
/// only when it was issued).
fn issue_version(tx: &crate::store::db::Connection, review_id: &str, issued_ms: u64) -> crate::store::db::Result<()> {
    tx.execute(
        "INSERT INTO report_versions (review_id, version, snapshot, sha256, report_hash, issued_ms, issued_by, issued_by_name)
         VALUES (?1, 1, '{}', '', '', ?2, 'user-hollie-brennan', 'Hollie Brennan')",
        params![review_id, issued_ms as i64],
    )?;
    Ok(())
}
