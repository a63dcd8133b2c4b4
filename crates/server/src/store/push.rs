//! Applying pushed ops: idempotent by (device, seq), merged per field by version and HLC.

use super::{ServerStore, StoreError};
use qar_core::protocol::{FieldConflict, FieldValue, Op, OpOutcome, OpResult, PushRequest, PushResponse};
use qar_core::{validate_field, EntityKind, SCHEMA_VERSION};
use std::collections::BTreeMap;
use rusqlite::{params, Connection, OptionalExtension};
use std::sync::{Arc, Condvar, Mutex};
use uuid::Uuid;

/// The oldest op schema still accepted (and upcast); anything older must update the app first.
pub const OLDEST_ACCEPTED_SCHEMA: u32 = if SCHEMA_VERSION > 1 { SCHEMA_VERSION - 1 } else { 1 };

/// One push waiting for the group commit that will carry it.
pub(super) struct Queued {
    req: PushRequest,
    now_ms: u64,
    slot: Arc<Slot>,
}

/// Where the committing thread leaves a push's answer.
#[derive(Default)]
pub(super) struct Slot {
    answer: Mutex<Option<Result<PushResponse, StoreError>>>,
    ready: Condvar,
}

impl ServerStore {
    /// Applies a device's batch and its new high-water mark, answering only after commit. Ops at
    /// or below the mark are answered `duplicate` and change nothing, so a retry is harmless.
    ///
    /// Group commit: pushes that arrive while another is committing queue up, and whoever takes
    /// the writer next commits all of them in one transaction (one fsync), each inside its own
    /// savepoint so a refused push changes nothing and does not affect the others.
    pub fn push(&self, req: &PushRequest, now_ms: u64) -> Result<PushResponse, StoreError> {
        check_shape(req)?;
        let slot = Arc::new(Slot::default());
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).push(Queued { req: req.clone(), now_ms, slot: slot.clone() });
        {
            let mut conn = self.writer();
            let batch = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|p| p.into_inner()));
            if !batch.is_empty() {
                self.commit_group(&mut conn, batch);
            }
        }
        let mut answer = slot.answer.lock().unwrap_or_else(|p| p.into_inner());
        while answer.is_none() {
            answer = slot.ready.wait(answer).unwrap_or_else(|p| p.into_inner());
        }
        answer.take().expect("answered")
    }

    fn commit_group(&self, conn: &mut Connection, batch: Vec<Queued>) {
        let mut answers: Vec<Result<PushResponse, StoreError>> = Vec::with_capacity(batch.len());
        let mut latest = 0;
        let outcome = (|| -> rusqlite::Result<()> {
            let mut tx = conn.transaction()?;
            for q in &batch {
                let mut sp = tx.savepoint()?;
                match apply_push(&sp, &q.req, q.now_ms) {
                    Ok((reply, seq)) => {
                        sp.commit()?;
                        latest = latest.max(seq);
                        answers.push(Ok(reply));
                    }
                    Err(e) => {
                        sp.rollback()?;
                        answers.push(Err(e));
                    }
                }
            }
            tx.commit()
        })();
        if let Err(e) = outcome {
            // Nothing of this group is durable: every push in it fails and will be retried.
            answers = batch.iter().map(|_| Err(StoreError::Commit(e.to_string()))).collect();
        } else {
            self.announce(latest);
        }
        for (q, answer) in batch.into_iter().zip(answers) {
            *q.slot.answer.lock().unwrap_or_else(|p| p.into_inner()) = Some(answer);
            q.slot.ready.notify_all();
        }
    }
}

/// Checks that need no database: schema versions and contiguous sequence numbers.
fn check_shape(req: &PushRequest) -> Result<(), StoreError> {
    let oldest = req.ops.iter().map(|o| o.schema_version).chain([req.schema_version]).min().unwrap_or(SCHEMA_VERSION);
    if oldest < OLDEST_ACCEPTED_SCHEMA {
        return Err(StoreError::UpdateRequired { got: oldest, oldest: OLDEST_ACCEPTED_SCHEMA });
    }
    for w in req.ops.windows(2) {
        if w[1].seq != w[0].seq + 1 {
            return Err(StoreError::NotContiguous { after: w[0].seq, got: w[1].seq });
        }
    }
    Ok(())
}

/// One device's push inside the group's transaction. Returns the reply and the newest seq.
fn apply_push(conn: &Connection, req: &PushRequest, now_ms: u64) -> Result<(PushResponse, u64), StoreError> {
    let device = req.device_id.to_string();
    let high_water: u64 = conn
        .prepare_cached("SELECT high_water FROM devices WHERE device_id = ?1")?
        .query_row([&device], |r| r.get::<_, i64>(0))
        .optional()?
        .unwrap_or(0) as u64;
    if let Some(first) = req.ops.first() {
        if first.seq > high_water + 1 {
            return Err(StoreError::SeqGap { expected: high_water + 1, got: first.seq });
        }
    }
    let mut next_seq = max_server_seq(conn)?;
    let mut results = Vec::with_capacity(req.ops.len());
    for op in &req.ops {
        let outcome = if op.seq <= high_water { OpOutcome::Duplicate } else { apply_op(conn, op, &mut next_seq, now_ms)? };
        results.push(OpResult { seq: op.seq, outcome });
    }
    let acked_through = req.ops.last().map_or(high_water, |o| o.seq.max(high_water));
    conn.prepare_cached(
        "INSERT INTO devices(device_id, high_water, last_seen_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT(device_id) DO UPDATE SET high_water = excluded.high_water, last_seen_ms = excluded.last_seen_ms",
    )?
    .execute(params![device, acked_through as i64, now_ms as i64])?;
    Ok((PushResponse { acked_through, results, server_time_ms: now_ms, pull: None }, next_seq))
}

pub(super) fn max_server_seq(tx: &Connection) -> rusqlite::Result<u64> {
    tx.query_row("SELECT coalesce(max(server_seq), 0) FROM records", [], |r| r.get::<_, i64>(0)).map(|v| v as u64)
}

fn rejected(code: &str, message: impl Into<String>) -> OpOutcome {
    OpOutcome::Rejected { code: code.into(), message: message.into() }
}

/// Applies one op that is new for its device. A refusal is an outcome, not an error: the op is
/// acknowledged with its reason so it never blocks the device's later ops. An op is one edit,
/// so it is refused whole if any of its fields is invalid.
pub(super) fn apply_op(tx: &Connection, op: &Op, next_seq: &mut u64, now_ms: u64) -> rusqlite::Result<OpOutcome> {
    if op.schema_version > SCHEMA_VERSION {
        return Ok(rejected("unknown_schema", format!("data schema {} is newer than this server knows", op.schema_version)));
    }
    if op.fields.is_empty() {
        return Ok(rejected("invalid", "an edit must change at least one field"));
    }
    for (name, write) in &op.fields {
        if let Err(e) = validate_field(op.entity, name, &write.value) {
            return Ok(rejected("invalid", e.to_string()));
        }
    }
    if op.entity == EntityKind::Review && op.review_id != op.id {
        return Ok(rejected("invalid", "a review belongs to itself: review_id must equal id"));
    }
    let (entity, id, review_id) = (op.entity.code(), op.id.to_string(), op.review_id.to_string());
    let current: Option<(String, String)> = tx
        .prepare_cached("SELECT review_id, fields FROM records WHERE entity = ?1 AND id = ?2")?
        .query_row(params![entity, id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let mut doc: BTreeMap<String, FieldValue> = match &current {
        Some((owner, _)) if *owner != review_id => {
            return Ok(rejected("wrong_review", format!("this {entity} belongs to another review and cannot move")))
        }
        Some((_, fields)) => serde_json::from_str(fields).unwrap_or_default(),
        None => {
            if op.entity != EntityKind::Review && !review_known(tx, op.review_id)? {
                return Ok(rejected("unknown_review", format!("review {review_id} does not exist on the server")));
            }
            BTreeMap::new()
        }
    };

    let mut changed = false;
    let mut conflicts = Vec::new();
    for (name, write) in &op.fields {
        let incoming = FieldValue { value: write.value.clone(), version: op.hlc };
        match doc.get(name) {
            None => {
                doc.insert(name.clone(), incoming);
                changed = true;
            }
            Some(cur) if Some(cur.version) == write.base => {
                doc.insert(name.clone(), incoming);
                changed = true;
            }
            Some(cur) if cur.version == op.hlc => {} // this very write, already here
            Some(cur) => {
                // Concurrent write to the same field: keep both. The HLC-later value is current;
                // the other is kept as a conflict for a person to resolve.
                let keep_incoming = op.hlc > cur.version;
                let (loser, winner) = if keep_incoming { (cur.clone(), op.hlc) } else { (incoming.clone(), cur.version) };
                tx.prepare_cached(
                    "INSERT INTO conflicts(entity, id, field, review_id, value, version, winner, recorded_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![
                    entity,
                    id,
                    name,
                    review_id,
                    loser.value.to_string(),
                    loser.version.to_string(),
                    winner.to_string(),
                    now_ms as i64
                ])?;
                if keep_incoming {
                    doc.insert(name.clone(), incoming);
                }
                changed = true; // a losing device must pull the winner again: announce the record anew
                conflicts.push(FieldConflict { field: name.clone(), current_version: winner, kept_as_current: keep_incoming });
            }
        }
    }
    if !changed {
        return Ok(OpOutcome::Duplicate);
    }
    *next_seq += 1;
    let fields = serde_json::to_string(&doc).unwrap_or_default();
    if current.is_some() {
        tx.prepare_cached("UPDATE records SET fields = ?1, server_seq = ?2 WHERE entity = ?3 AND id = ?4")?
            .execute(params![fields, *next_seq as i64, entity, id])?;
    } else {
        tx.prepare_cached("INSERT INTO records(entity, id, review_id, fields, server_seq) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![entity, id, review_id, fields, *next_seq as i64])?;
    }
    Ok(if conflicts.is_empty() { OpOutcome::Applied } else { OpOutcome::Conflict { fields: conflicts } })
}

fn review_known(tx: &Connection, review_id: Uuid) -> rusqlite::Result<bool> {
    tx.prepare_cached("SELECT 1 FROM records WHERE entity = 'review' AND id = ?1")?.exists([review_id.to_string()])
}
