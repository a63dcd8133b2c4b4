//! Reading and writing one synced record (its fields as JSON in `records`), and the server's
//! own writes to records, stamped with the server clock.

use qar_core::protocol::FieldValue;
use qar_core::{EntityKind, Hlc, HlcClock};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use std::collections::BTreeMap;

/// A record's fields: name → current value and its version.
pub(super) type Doc = BTreeMap<String, FieldValue>;

/// What a write in progress needs besides the connection: the server clock, the next place in
/// the pull feed and the time.
pub(super) struct Ctx<'c> {
    pub clock: &'c mut HlcClock,
    /// The newest server_seq used so far; each record write takes the next one.
    pub seq: u64,
    pub now_ms: u64,
}

impl Ctx<'_> {
    /// A server stamp, later than every stamp issued or observed.
    pub fn stamp(&mut self) -> Hlc {
        self.clock.tick(self.now_ms)
    }
}

/// A record as stored: its review and fields.
pub(super) struct Stored {
    pub review_id: String,
    pub doc: Doc,
}

pub(super) fn load(tx: &Connection, entity: EntityKind, id: &str) -> rusqlite::Result<Option<Stored>> {
    let row: Option<(String, String)> = tx
        .prepare_cached("SELECT review_id, fields FROM records WHERE entity = ?1 AND id = ?2")?
        .query_row(params![entity.code(), id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.map(|(review_id, fields)| Stored { review_id, doc: serde_json::from_str(&fields).unwrap_or_default() }))
}

/// Writes a record at the next place in the pull feed (inserting it when `exists` is false).
pub(super) fn save(tx: &Connection, ctx: &mut Ctx, entity: EntityKind, id: &str, review_id: &str, doc: &Doc, exists: bool) -> rusqlite::Result<()> {
    ctx.seq += 1;
    let fields = serde_json::to_string(doc).unwrap_or_default();
    if exists {
        tx.prepare_cached("UPDATE records SET fields = ?1, server_seq = ?2 WHERE entity = ?3 AND id = ?4")?
            .execute(params![fields, ctx.seq as i64, entity.code(), id])?;
    } else {
        tx.prepare_cached("INSERT INTO records(entity, id, review_id, fields, server_seq) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![entity.code(), id, review_id, fields, ctx.seq as i64])?;
    }
    Ok(())
}

/// Sets fields in a doc as one server write: fields whose value is already current keep their
/// version. Returns whether anything changed.
pub(super) fn set_server_fields(ctx: &mut Ctx, doc: &mut Doc, fields: &[(&str, Value)]) -> bool {
    let mut stamp = None;
    for (name, value) in fields {
        if doc.get(*name).map(|f| &f.value) != Some(value) {
            let version = *stamp.get_or_insert_with(|| ctx.stamp());
            doc.insert((*name).to_owned(), FieldValue { value: value.clone(), version });
        }
    }
    stamp.is_some()
}

/// A server write to one record (created when missing), stamped with the server clock.
/// Returns whether anything changed; an unchanged record keeps its place in the feed.
pub(super) fn server_write(
    tx: &Connection,
    ctx: &mut Ctx,
    entity: EntityKind,
    id: &str,
    review_id: &str,
    fields: &[(&str, Value)],
) -> rusqlite::Result<bool> {
    let stored = load(tx, entity, id)?;
    let exists = stored.is_some();
    let (review_id, mut doc) = stored.map_or_else(|| (review_id.to_owned(), Doc::new()), |s| (s.review_id, s.doc));
    if !set_server_fields(ctx, &mut doc, fields) {
        return Ok(false);
    }
    save(tx, ctx, entity, id, &review_id, &doc, exists)?;
    Ok(true)
}

/// The text of a field, or "" when it is missing or not text.
pub(super) fn text<'d>(doc: &'d Doc, field: &str) -> &'d str {
    doc.get(field).and_then(|f| f.value.as_str()).unwrap_or("")
}

/// A record whose `deleted` field is true: its tombstone version.
pub(super) fn tombstone(doc: &Doc) -> Option<Hlc> {
    doc.get("deleted").filter(|f| f.value == Value::Bool(true)).map(|f| f.version)
}
