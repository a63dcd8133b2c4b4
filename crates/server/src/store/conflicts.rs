//! Kept conflicts as synced `conflict` records (core's CONFLICT_FIELDS), in the same review as
//! the conflicted record, so they reach every laptop that may see it.

use super::records::{self, Ctx};
use crate::store::db::{params, Connection, OptionalExtension};
use qar_core::sync::Lost;
use qar_core::{EntityKind, Hlc};
use serde_json::{json, Value};
use uuid::Uuid;

const CONFLICT_NAMESPACE: Uuid = Uuid::from_u128(0x7c0f_3a52_91de_4b8e_a64f_2d1c_5e83_b907);

/// The id of the conflict record for one losing write: the same every time that write loses,
/// so a replay writes the same record, not a second one.
pub fn conflict_id(entity: EntityKind, record_id: &str, field: &str, losing_version: Hlc) -> Uuid {
    Uuid::new_v5(&CONFLICT_NAMESPACE, format!("{}|{record_id}|{field}|{losing_version}", entity.code()).as_bytes())
}

/// Remembers which person writes with a device's clock node.
pub(super) fn note_writer(tx: &Connection, device_id: Uuid, user_id: &str) -> crate::store::db::Result<()> {
    tx.prepare_cached("INSERT INTO device_nodes(node, device_id, user_id) VALUES (?1, ?2, ?3) ON CONFLICT(node) DO UPDATE SET device_id = excluded.device_id, user_id = excluded.user_id")?.execute(params![
        Hlc::node_of(&device_id) as i64,
        device_id.to_string(),
        user_id
    ])?;
    Ok(())
}

/// The person who wrote a version ("" when unknown, e.g. a server write).
fn author_of(tx: &Connection, version: Hlc) -> crate::store::db::Result<String> {
    Ok(tx
        .prepare_cached("SELECT user_id FROM device_nodes WHERE node = ?1")?
        .query_row([version.node as i64], |r| r.get::<_, String>(0))
        .optional()?
        .unwrap_or_default())
}

/// Writes the conflict record for one losing write, unless it is already kept.
pub(super) fn keep(
    tx: &Connection,
    ctx: &mut Ctx,
    entity: EntityKind,
    record_id: &str,
    review_id: &str,
    lost: &Lost,
    pusher: &str,
) -> crate::store::db::Result<()> {
    let id = conflict_id(entity, record_id, &lost.field, lost.version).to_string();
    if records::load(tx, EntityKind::Conflict, &id)?.is_some() {
        return Ok(());
    }
    let author = if lost.from_op { pusher.to_owned() } else { author_of(tx, lost.version)? };
    let fields: [(&str, Value); 10] = [
        ("entity", json!(entity.code())),
        ("record_id", json!(record_id)),
        ("field", json!(lost.field)),
        ("value", lost.value.clone()),
        ("version", json!(lost.version.to_string())),
        ("winner_version", json!(lost.winner.to_string())),
        ("author_id", json!(author)),
        ("kind", json!(lost.kind.code())),
        ("recorded_ms", json!(ctx.now_ms)),
        ("resolved", json!(false)),
    ];
    records::server_write(tx, ctx, EntityKind::Conflict, &id, review_id, &fields)?;
    Ok(())
}

/// Keeps every value of a pushed op that could not be brought up to this schema (issue 17) as
/// a conflict record of its review, one per field, so the text reaches the team and nothing
/// typed is lost. Its `kind` is the refusal's code (`update_required`, `unknown_schema`).
/// Idempotent like [`keep`]: the same op kept twice writes the same records.
pub(super) fn keep_unmapped(
    tx: &Connection,
    ctx: &mut Ctx,
    op: &qar_core::upcast::UnmappedOp,
    review_id: &str,
    pusher: &str,
) -> crate::store::db::Result<()> {
    let record_id = op.id.to_string();
    let version = op.hlc.to_string();
    // The kind as sent is kept when it reads as a code (a newer app's kind, say); anything
    // else would make the conflict record itself invalid.
    let entity = if qar_core::entities::check_code("Record kind", &op.entity).is_ok() { op.entity.as_str() } else { "unknown" };
    for (field, value) in &op.values {
        let id = Uuid::new_v5(&CONFLICT_NAMESPACE, format!("unmapped|{entity}|{record_id}|{field}|{version}").as_bytes()).to_string();
        if records::load(tx, EntityKind::Conflict, &id)?.is_some() {
            continue;
        }
        let fields: [(&str, Value); 10] = [
            ("entity", json!(entity)),
            ("record_id", json!(record_id)),
            ("field", json!(field)),
            ("value", value.clone()),
            ("version", json!(version)),
            ("winner_version", json!(version)),
            ("author_id", json!(pusher)),
            ("kind", json!(op.why.code.as_str())),
            ("recorded_ms", json!(ctx.now_ms)),
            ("resolved", json!(false)),
        ];
        records::server_write(tx, ctx, EntityKind::Conflict, &id, review_id, &fields)?;
    }
    Ok(())
}
