//! Applying pushed ops: idempotent by (device, seq), merged per field by version and HLC.

use super::{ServerStore, StoreError};
use qar_core::protocol::{Op, OpOutcome, OpResult, PushRequest, PushResponse};
use qar_core::{validate_field, EntityKind, Hlc, SCHEMA_VERSION};
use rusqlite::{params, OptionalExtension, Transaction};
use uuid::Uuid;

/// The oldest op schema still accepted (and upcast); anything older must update the app first.
pub const OLDEST_ACCEPTED_SCHEMA: u32 = if SCHEMA_VERSION > 1 { SCHEMA_VERSION - 1 } else { 1 };

impl ServerStore {
    /// Applies a device's batch and its new high-water mark in one transaction. Ops at or below
    /// the mark are answered `duplicate` and change nothing, so a retried push is harmless.
    pub fn push(&self, req: &PushRequest, now_ms: u64) -> Result<PushResponse, StoreError> {
        let oldest = req.ops.iter().map(|o| o.schema_version).chain([req.schema_version]).min().unwrap_or(SCHEMA_VERSION);
        if oldest < OLDEST_ACCEPTED_SCHEMA {
            return Err(StoreError::UpdateRequired { got: oldest, oldest: OLDEST_ACCEPTED_SCHEMA });
        }
        for w in req.ops.windows(2) {
            if w[1].seq != w[0].seq + 1 {
                return Err(StoreError::NotContiguous { after: w[0].seq, got: w[1].seq });
            }
        }
        let device = req.device_id.to_string();
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let high_water: u64 = tx
            .prepare_cached("SELECT high_water FROM devices WHERE device_id = ?1")?
            .query_row([&device], |r| r.get::<_, i64>(0))
            .optional()?
            .unwrap_or(0) as u64;
        if let Some(first) = req.ops.first() {
            if first.seq > high_water + 1 {
                return Err(StoreError::SeqGap { expected: high_water + 1, got: first.seq });
            }
        }
        let mut next_seq = max_server_seq(&tx)?;
        let mut results = Vec::with_capacity(req.ops.len());
        for op in &req.ops {
            let outcome = if op.seq <= high_water {
                OpOutcome::Duplicate
            } else {
                apply_op(&tx, op, &device, &mut next_seq, now_ms)?
            };
            results.push(OpResult { seq: op.seq, outcome });
        }
        let acked_through = req.ops.last().map_or(high_water, |o| o.seq.max(high_water));
        tx.prepare_cached(
            "INSERT INTO devices(device_id, high_water, last_seen_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT(device_id) DO UPDATE SET high_water = excluded.high_water, last_seen_ms = excluded.last_seen_ms",
        )?
        .execute(params![device, acked_through as i64, now_ms as i64])?;
        tx.commit()?;
        Ok(PushResponse { acked_through, results, server_time_ms: now_ms })
    }
}

pub(super) fn max_server_seq(tx: &Transaction) -> rusqlite::Result<u64> {
    tx.query_row("SELECT coalesce(max(server_seq), 0) FROM fields", [], |r| r.get::<_, i64>(0)).map(|v| v as u64)
}

fn rejected(code: &str, message: impl Into<String>) -> OpOutcome {
    OpOutcome::Rejected { code: code.into(), message: message.into() }
}

/// Applies one op that is new for its device. A refusal is an outcome, not an error: the op is
/// acknowledged with its reason so it never blocks the device's later ops.
pub(super) fn apply_op(
    tx: &Transaction,
    op: &Op,
    device: &str,
    next_seq: &mut u64,
    now_ms: u64,
) -> rusqlite::Result<OpOutcome> {
    if op.schema_version > SCHEMA_VERSION {
        return Ok(rejected("unknown_schema", format!("data schema {} is newer than this server knows", op.schema_version)));
    }
    if let Err(e) = validate_field(op.entity, &op.field, &op.value) {
        return Ok(rejected("invalid", e.to_string()));
    }
    if op.entity == EntityKind::Review && op.review_id != op.id {
        return Ok(rejected("invalid", "a review belongs to itself: review_id must equal id"));
    }
    let (entity, id, review_id) = (op.entity.code(), op.id.to_string(), op.review_id.to_string());
    let owner: Option<String> = tx
        .prepare_cached("SELECT review_id FROM records WHERE entity = ?1 AND id = ?2")?
        .query_row(params![entity, id], |r| r.get(0))
        .optional()?;
    match owner {
        Some(o) if o != review_id => {
            return Ok(rejected("wrong_review", format!("this {entity} belongs to another review and cannot move")))
        }
        Some(_) => {}
        None => {
            if op.entity != EntityKind::Review && !review_known(tx, op.review_id)? {
                return Ok(rejected("unknown_review", format!("review {review_id} does not exist on the server")));
            }
            tx.prepare_cached("INSERT INTO records(entity, id, review_id) VALUES (?1, ?2, ?3)")?
                .execute(params![entity, id, review_id])?;
        }
    }

    let current: Option<(String, String, String)> = tx
        .prepare_cached("SELECT value, version, device_id FROM fields WHERE entity = ?1 AND id = ?2 AND field = ?3")?
        .query_row(params![entity, id, op.field], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let value = op.value.to_string();
    let current_version = current.as_ref().and_then(|(_, v, _)| v.parse::<Hlc>().ok());
    match (current, current_version) {
        (None, _) => {
            write_field(tx, op, &value, device, next_seq)?;
            Ok(OpOutcome::Applied)
        }
        (Some(_), Some(v)) if op.base_version == Some(v) => {
            write_field(tx, op, &value, device, next_seq)?;
            Ok(OpOutcome::Applied)
        }
        (Some(_), Some(v)) if v == op.hlc => Ok(OpOutcome::Duplicate),
        (Some((cur_value, cur_version, cur_device)), v) => {
            // Concurrent write to the same field: keep both. The HLC-later value is current; the
            // other is kept as a conflict to be resolved by a person.
            let v = v.unwrap_or(Hlc::ZERO);
            let keep_incoming = op.hlc > v;
            let (loser_value, loser_version, loser_device, winner) = if keep_incoming {
                (cur_value, cur_version, cur_device, op.hlc.to_string())
            } else {
                (value.clone(), op.hlc.to_string(), device.to_owned(), v.to_string())
            };
            tx.prepare_cached(
                "INSERT INTO conflicts(entity, id, field, review_id, value, version, device_id, winner, recorded_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![entity, id, op.field, review_id, loser_value, loser_version, loser_device, winner, now_ms as i64])?;
            if keep_incoming {
                write_field(tx, op, &value, device, next_seq)?;
            } else {
                // Re-announce the current value so the losing device, whose local copy shows its
                // own value, pulls the winner again.
                *next_seq += 1;
                tx.prepare_cached("UPDATE fields SET server_seq = ?1 WHERE entity = ?2 AND id = ?3 AND field = ?4")?
                    .execute(params![*next_seq as i64, entity, id, op.field])?;
            }
            let current_version = if keep_incoming { op.hlc } else { v };
            Ok(OpOutcome::Conflict { current_version, kept_as_current: keep_incoming })
        }
    }
}

fn review_known(tx: &Transaction, review_id: Uuid) -> rusqlite::Result<bool> {
    tx.prepare_cached("SELECT 1 FROM records WHERE entity = 'review' AND id = ?1")?.exists([review_id.to_string()])
}

fn write_field(tx: &Transaction, op: &Op, value: &str, device: &str, next_seq: &mut u64) -> rusqlite::Result<()> {
    *next_seq += 1;
    tx.prepare_cached(
        "INSERT INTO fields(entity, id, field, review_id, value, version, device_id, server_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(entity, id, field) DO UPDATE SET
           value = excluded.value, version = excluded.version,
           device_id = excluded.device_id, server_seq = excluded.server_seq",
    )?
    .execute(params![
        op.entity.code(),
        op.id.to_string(),
        op.field,
        op.review_id.to_string(),
        value,
        op.hlc.to_string(),
        device,
        *next_seq as i64
    ])?;
    Ok(())
}
