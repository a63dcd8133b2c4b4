//! The write path (every local edit) and the outbox it feeds.

use super::{columns, meta, Store};
use crate::error::{ClientError, Result};
use qar_core::protocol::{Op, OpOutcome, PushResponse};
use qar_core::{validate_field, EntityKind, Hlc, SCHEMA_VERSION};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::Value;
use uuid::Uuid;

/// Ops waiting for the server, oldest first, with the device they come from.
#[derive(Debug, Clone)]
pub struct PendingBatch {
    pub device_id: Uuid,
    pub ops: Vec<Op>,
}

impl Store {
    /// One user edit of one record: every field is validated first, then the row, the field
    /// versions, one outbox op per field and one audit row are written in a single transaction.
    /// Either all of it is on disk when this returns Ok, or none of it is.
    pub(super) fn write_record(
        &mut self,
        entity: EntityKind,
        id: Uuid,
        review_id: Uuid,
        fields: &[(&str, Value)],
        action: &str,
        now_ms: u64,
    ) -> Result<()> {
        for (field, value) in fields {
            validate_field(entity, field, value)?;
        }
        let saved_clock = self.clock.clone();
        let result = (|| {
            let tx = self.conn.transaction()?;
            ensure_row(&tx, entity, id, review_id, now_ms)?;
            for (field, value) in fields {
                let hlc = self.clock.tick(now_ms);
                let base = field_version(&tx, entity, id, field)?;
                set_field(&tx, entity, id, field, value, hlc, now_ms)?;
                tx.prepare_cached(
                    "INSERT INTO outbox(entity, entity_id, review_id, field, value, hlc, base_version, schema_version)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![
                    entity.code(),
                    id.to_string(),
                    review_id.to_string(),
                    field,
                    value.to_string(),
                    hlc.to_string(),
                    base.map(|b| b.to_string()),
                    SCHEMA_VERSION
                ])?;
            }
            tx.prepare_cached("INSERT INTO audit(at_ms, entity, entity_id, action, actor, device_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
                .execute(params![now_ms as i64, entity.code(), id.to_string(), action, "local-user", self.device_id.to_string()])?;
            meta::set_clock(&tx, self.clock.last())?;
            tx.commit()?;
            Ok(())
        })();
        if result.is_err() {
            // Stamps of a rolled-back edit were never seen by anyone; reuse is harmless but keep
            // the persisted and in-memory clocks identical.
            self.clock = saved_clock;
        }
        result
    }

    /// Up to `limit` unacknowledged ops, in seq order.
    pub fn pending_batch(&self, limit: usize) -> Result<PendingBatch> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, entity, entity_id, review_id, field, value, hlc, base_version, schema_version
             FROM outbox WHERE acked_at_ms IS NULL ORDER BY seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, u32>(8)?,
            ))
        })?;
        let mut ops = Vec::new();
        for row in rows {
            let (seq, entity, id, review_id, field, value, hlc, base, schema_version) = row?;
            let corrupt = |what: &str| ClientError::Protocol(format!("outbox row {seq} has a bad {what}"));
            ops.push(Op {
                seq: seq as u64,
                entity: EntityKind::parse(&entity)?,
                id: Uuid::parse_str(&id).map_err(|_| corrupt("id"))?,
                review_id: Uuid::parse_str(&review_id).map_err(|_| corrupt("review id"))?,
                field,
                value: serde_json::from_str(&value).map_err(|_| corrupt("value"))?,
                hlc: hlc.parse().map_err(|_| corrupt("clock stamp"))?,
                base_version: base.map(|b| b.parse()).transpose().map_err(|_| corrupt("base version"))?,
                schema_version,
            });
        }
        Ok(PendingBatch { device_id: self.device_id, ops })
    }

    pub fn pending_count(&self) -> Result<u32> {
        Ok(self.conn.query_row("SELECT count(*) FROM outbox WHERE acked_at_ms IS NULL", [], |r| r.get(0))?)
    }

    /// Records what the server said about a push, in one transaction. Everything up to
    /// `acked_through` is acknowledged, including ops the server rejected (their reason is kept).
    pub fn record_push(&mut self, response: &PushResponse, now_ms: u64) -> Result<()> {
        let tx = self.conn.transaction()?;
        for r in &response.results {
            let outcome = match &r.outcome {
                OpOutcome::Applied => None,
                other => Some(serde_json::to_string(other).unwrap_or_default()),
            };
            if let Some(outcome) = outcome {
                tx.prepare_cached("UPDATE outbox SET outcome = ?1 WHERE seq = ?2")?.execute(params![outcome, r.seq as i64])?;
            }
        }
        tx.prepare_cached("UPDATE outbox SET acked_at_ms = ?1 WHERE seq <= ?2 AND acked_at_ms IS NULL")?
            .execute(params![now_ms as i64, response.acked_through as i64])?;
        tx.commit()?;
        Ok(())
    }
}

/// Creates the record's row if this is its first field. Evidence must belong to a review this
/// laptop holds, and can never move to another review.
fn ensure_row(tx: &Transaction, entity: EntityKind, id: Uuid, review_id: Uuid, now_ms: u64) -> Result<()> {
    match entity {
        EntityKind::Review => {
            tx.prepare_cached("INSERT OR IGNORE INTO reviews(id, created_at_ms, updated_at_ms) VALUES (?1, ?2, ?2)")?
                .execute(params![id.to_string(), now_ms as i64])?;
        }
        EntityKind::Evidence => {
            let review_exists: bool = tx
                .prepare_cached("SELECT 1 FROM reviews WHERE id = ?1 AND deleted = 0")?
                .exists([review_id.to_string()])?;
            if !review_exists {
                return Err(ClientError::NotFound { what: format!("Review {review_id}") });
            }
            let owner: Option<String> = tx
                .prepare_cached("SELECT review_id FROM evidence WHERE id = ?1")?
                .query_row([id.to_string()], |r| r.get(0))
                .optional()?;
            match owner {
                Some(o) if o != review_id.to_string() => {
                    return Err(ClientError::NotFound { what: format!("Evidence {id} in review {review_id}") })
                }
                Some(_) => {}
                None => {
                    tx.prepare_cached(
                        "INSERT INTO evidence(id, review_id, created_at_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?3)",
                    )?
                    .execute(params![id.to_string(), review_id.to_string(), now_ms as i64])?;
                }
            }
        }
    }
    Ok(())
}

pub(super) fn field_version(tx: &Transaction, entity: EntityKind, id: Uuid, field: &str) -> Result<Option<Hlc>> {
    let v: Option<String> = tx
        .prepare_cached("SELECT version FROM field_versions WHERE entity = ?1 AND id = ?2 AND field = ?3")?
        .query_row(params![entity.code(), id.to_string(), field], |r| r.get(0))
        .optional()?;
    Ok(v.and_then(|s| s.parse().ok()))
}

/// Writes one field's value into its column and records the version it now holds.
pub(super) fn set_field(
    tx: &Transaction,
    entity: EntityKind,
    id: Uuid,
    field: &str,
    value: &Value,
    version: Hlc,
    at_ms: u64,
) -> Result<()> {
    let sql = format!(
        "UPDATE {} SET {} = ?1, updated_at_ms = max(updated_at_ms, ?2) WHERE id = ?3",
        columns::table(entity),
        columns::column(entity, field)?
    );
    tx.prepare_cached(&sql)?.execute(params![columns::to_sql(value), at_ms as i64, id.to_string()])?;
    tx.prepare_cached(
        "INSERT INTO field_versions(entity, id, field, version) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(entity, id, field) DO UPDATE SET version = excluded.version",
    )?
    .execute(params![entity.code(), id.to_string(), field, version.to_string()])?;
    Ok(())
}
