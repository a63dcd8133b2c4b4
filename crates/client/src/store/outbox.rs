//! The write path (every local edit) and the outbox it feeds.

use super::{columns, meta, Store};
use crate::error::{ClientError, Result};
use qar_core::protocol::{FieldWrite, Op, OpOutcome, PushResponse};
use qar_core::{validate_field, EntityKind, SCHEMA_VERSION};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Ops waiting for the server, oldest first, with the device they come from.
#[derive(Debug, Clone)]
pub struct PendingBatch {
    pub device_id: Uuid,
    pub ops: Vec<Op>,
}

impl Store {
    /// One user edit of one record: every field is validated first, then the row, one outbox op
    /// (the changed fields with the versions they were based on) and one audit row are written
    /// in a single transaction. Either all of it is on disk when this returns Ok, or none of it.
    pub(super) fn write_record(
        &mut self,
        entity: EntityKind,
        id: Uuid,
        review_id: Uuid,
        fields: &[(&str, Value)],
        action: &str,
        now_ms: u64,
    ) -> Result<()> {
        self.write_record_with(entity, id, review_id, fields, action, now_ms, |_| Ok(()))
    }

    /// [`Store::write_record`] with more rows written by `also` in the same transaction (an
    /// attachment's file row and upload queue entry), so the record and what goes with it are
    /// on disk together or not at all.
    #[expect(clippy::too_many_arguments, reason = "write_record's arguments and the one extra step")]
    pub(super) fn write_record_with(
        &mut self,
        entity: EntityKind,
        id: Uuid,
        review_id: Uuid,
        fields: &[(&str, Value)],
        action: &str,
        now_ms: u64,
        also: impl FnOnce(&Transaction) -> Result<()>,
    ) -> Result<()> {
        for (field, value) in fields {
            validate_field(entity, field, value)?;
        }
        let saved_clock = self.clock.clone();
        let result = (|| {
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            check_owner(&tx, entity, id, review_id)?;
            let existing = columns::versions(&tx, entity, id)?;
            let hlc = self.clock.tick(now_ms);
            let mut versions = existing.clone().unwrap_or_default();
            let mut writes = BTreeMap::new();
            for (field, value) in fields {
                let base = versions.insert((*field).to_owned(), hlc);
                writes.insert((*field).to_owned(), FieldWrite { value: value.clone(), base });
            }
            let refs: Vec<(&str, &Value)> = fields.iter().map(|(f, v)| (*f, v)).collect();
            // A note's text goes to the search index's backlog, not into the index inside the
            // save: the background pass (every second) or the next search indexes it, once for
            // a burst of autosaves instead of once per save (issue 25, decision 120).
            let defer_index = entity == EntityKind::Evidence;
            if defer_index {
                tx.prepare_cached("INSERT OR IGNORE INTO fts_defer(one) VALUES (1)")?.execute([])?;
            }
            match existing {
                Some(_) => columns::update(&tx, entity, id, &refs, &versions, now_ms)?,
                None => columns::insert(&tx, entity, id, review_id, &refs, &versions, now_ms)?,
            }
            if defer_index {
                tx.prepare_cached("DELETE FROM fts_defer")?.execute([])?;
            }
            tx.prepare_cached(
                "INSERT INTO outbox(entity, entity_id, review_id, fields, hlc, schema_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                entity.code(),
                id.to_string(),
                review_id.to_string(),
                serde_json::to_string(&writes).unwrap_or_default(),
                hlc.to_string(),
                SCHEMA_VERSION
            ])?;
            tx.prepare_cached("INSERT INTO audit(at_ms, entity, entity_id, action, actor, device_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
                .execute(params![now_ms as i64, entity.code(), id.to_string(), action, "local-user", self.device_id.to_string()])?;
            meta::set_clock(&tx, self.clock.last())?;
            also(&tx)?;
            tx.commit()?;
            Ok(())
        })();
        if result.is_err() {
            // Keep the in-memory clock equal to the persisted one.
            self.clock = saved_clock;
        }
        result
    }

    /// Up to `limit` unacknowledged ops, in seq order.
    pub fn pending_batch(&self, limit: usize) -> Result<PendingBatch> {
        let acked = meta::acked_through(&self.conn)?;
        self.pending_batch_after(acked, limit)
    }

    /// Up to `limit` ops after `after_seq`, in seq order: the batch that follows one still on
    /// the wire (read while the server works on that one).
    pub fn pending_batch_after(&self, after_seq: u64, limit: usize) -> Result<PendingBatch> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, entity, entity_id, review_id, fields, hlc, schema_version
             FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map([after_seq.min(i64::MAX as u64) as i64, limit.min(i64::MAX as usize) as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, u32>(6)?,
            ))
        })?;
        let mut ops = Vec::new();
        for row in rows {
            let (seq, entity, id, review_id, fields, hlc, schema_version) = row?;
            let corrupt = |what: &str| ClientError::Protocol(format!("outbox row {seq} has a bad {what}"));
            ops.push(Op {
                seq: seq as u64,
                entity: EntityKind::parse(&entity)?,
                id: Uuid::parse_str(&id).map_err(|_| corrupt("id"))?,
                review_id: Uuid::parse_str(&review_id).map_err(|_| corrupt("review id"))?,
                fields: serde_json::from_str(&fields).map_err(|_| corrupt("field list"))?,
                hlc: hlc.parse().map_err(|_| corrupt("clock stamp"))?,
                schema_version,
            });
        }
        Ok(PendingBatch { device_id: self.device_id, ops })
    }

    pub fn pending_count(&self) -> Result<u32> {
        let acked = meta::acked_through(&self.conn)? as i64;
        Ok(self.conn.query_row("SELECT count(*) FROM outbox WHERE seq > ?1", [acked], |r| r.get(0))?)
    }

    /// Records with changes waiting, by kind: what a person would count ("2 notes and 1
    /// estimate"), where `pending_count` counts writes (a note typed in three pauses is three).
    pub fn pending_records(&self) -> Result<Vec<crate::model::PendingRecords>> {
        let acked = meta::acked_through(&self.conn)? as i64;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT entity, count(DISTINCT entity_id) FROM outbox WHERE seq > ?1 GROUP BY entity ORDER BY entity")?;
        let rows = stmt.query_map([acked], |r| Ok(crate::model::PendingRecords { kind: r.get(0)?, records: r.get(1)? }))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Records what the server said about a push, in one transaction. Everything up to
    /// `acked_through` is acknowledged, including ops the server rejected (their reason is kept).
    pub fn record_push(&mut self, response: &PushResponse, now_ms: u64) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for r in &response.results {
            if !matches!(r.outcome, OpOutcome::Applied | OpOutcome::Duplicate) {
                let outcome = serde_json::to_string(&r.outcome).unwrap_or_default();
                tx.prepare_cached("UPDATE outbox SET outcome = ?1 WHERE seq = ?2")?.execute(params![outcome, r.seq as i64])?;
            }
        }
        // The server acknowledges a prefix: one number moves, no row is rewritten.
        let through = meta::acked_through(&tx)?.max(response.acked_through);
        meta::set(&tx, "acked_through", &through.to_string())?;
        meta::set(&tx, "acked_at_ms", &now_ms.to_string())?;
        tx.commit()?;
        Ok(())
    }
}

/// Evidence and estimates must belong to a review this laptop holds, and never move to another.
fn check_owner(tx: &Transaction, entity: EntityKind, id: Uuid, review_id: Uuid) -> Result<()> {
    if entity == EntityKind::Review {
        return Ok(());
    }
    let review_exists = tx.prepare_cached("SELECT 1 FROM reviews WHERE id = ?1 AND deleted = 0")?.exists([review_id.to_string()])?;
    if !review_exists {
        return Err(ClientError::NotFound { what: format!("Review {review_id}") });
    }
    let sql = format!("SELECT review_id FROM {} WHERE id = ?1", columns::table(entity));
    let owner: Option<String> = tx.prepare_cached(&sql)?.query_row([id.to_string()], |r| r.get(0)).optional()?;
    match owner {
        Some(o) if o != review_id.to_string() => {
            Err(ClientError::NotFound { what: format!("{} {id} in review {review_id}", entity.code()) })
        }
        _ => Ok(()),
    }
}
