//! Reading and writing one synced record (its fields as JSON in `records`), and the server's
//! own writes to records, stamped with the server clock.

use crate::store::db::{params, Connection, OptionalExtension};
use qar_core::protocol::FieldValue;
use qar_core::{EntityKind, Hlc, HlcClock};
use serde_json::Value;

/// A record's fields: name → current value and its version.
pub(super) type Doc = qar_core::sync::RecordFields;
pub(super) use qar_core::sync::{text, tombstone};

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

pub(super) fn load(tx: &Connection, entity: EntityKind, id: &str) -> crate::store::db::Result<Option<Stored>> {
    let row: Option<(String, String)> = tx
        .prepare_cached("SELECT review_id, fields FROM records WHERE entity = ?1 AND id = ?2")?
        .query_row(params![entity.code(), id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(review_id, fields)| Ok(Stored { review_id, doc: parse_doc(&fields, || format!("{} record {id}", entity.code()))? }))
        .transpose()
}

/// Every review record of the school with this URN (as its `school_urn` field says), by id.
pub(super) fn reviews_of_school(conn: &Connection, urn: &str) -> crate::store::db::Result<Vec<(String, Doc)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, fields FROM records WHERE entity = 'review' AND json_extract(fields, '$.school_urn.value') = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([urn], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    rows.map(|row| {
        let (id, fields) = row?;
        let doc = parse_doc(&fields, || format!("review record {id}"))?;
        Ok((id, doc))
    })
    .collect()
}

/// A stored record's fields. One that does not read back (say, a stamp nothing can parse) is a
/// loud error: read as an empty document, the next write would store it without its other
/// fields (issue 15: one edit wiped a review's state, URN and dates).
pub(super) fn parse_doc(fields: &str, what: impl FnOnce() -> String) -> crate::store::db::Result<Doc> {
    serde_json::from_str(fields).map_err(|e| super::CorruptValue::error(what(), e))
}

/// Writes a record at the next place in the pull feed (inserting it when `exists` is false).
pub(super) fn save(
    tx: &Connection,
    ctx: &mut Ctx,
    entity: EntityKind,
    id: &str,
    review_id: &str,
    doc: &Doc,
    exists: bool,
) -> crate::store::db::Result<()> {
    ctx.seq += 1;
    let fields = doc_json(doc);
    if exists {
        tx.prepare_cached("UPDATE records SET fields = ?1, server_seq = ?2 WHERE entity = ?3 AND id = ?4")?.execute(params![
            fields,
            ctx.seq as i64,
            entity.code(),
            id
        ])?;
    } else {
        tx.prepare_cached("INSERT INTO records(entity, id, review_id, fields, server_seq) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![entity.code(), id, review_id, fields, ctx.seq as i64])?;
    }
    Ok(())
}

/// A doc as JSON text, byte for byte what `serde_json::to_string(doc)` writes (and what a pull
/// sends as a change's `fields`), without going through `Hlc`'s `String` form for every field:
/// on a first push this is most of the server's work per note.
pub(super) fn doc_json(doc: &Doc) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(64 + doc.values().map(|f| 64 + value_len_hint(&f.value)).sum::<usize>());
    out.push(b'{');
    for (i, (name, f)) in doc.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Writing into a Vec cannot fail, and a Value always serialises.
        let _ = serde_json::to_writer(&mut out, name);
        out.extend_from_slice(b":{\"value\":");
        let _ = serde_json::to_writer(&mut out, &f.value);
        out.extend_from_slice(b",\"version\":\"");
        write_hlc(&mut out, f.version);
        out.extend_from_slice(b"\"}");
    }
    out.push(b'}');
    // serde_json writes only UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

fn value_len_hint(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len() + 2,
        _ => 16,
    }
}

/// `Hlc`'s text form (`{:013}-{:010}-{:016x}`) appended to `out`.
pub(super) fn write_hlc(out: &mut Vec<u8>, h: Hlc) {
    fn digits(out: &mut Vec<u8>, mut v: u64, width: usize, radix: u64) {
        let mut buf = [b'0'; 20];
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = b"0123456789abcdef"[(v % radix) as usize];
            v /= radix;
            if v == 0 {
                break;
            }
        }
        let len = buf.len() - i;
        for _ in len..width {
            out.push(b'0');
        }
        out.extend_from_slice(&buf[i..]);
    }
    digits(out, h.wall_ms, 13, 10);
    out.push(b'-');
    digits(out, u64::from(h.counter), 10, 10);
    out.push(b'-');
    digits(out, h.node, 16, 16);
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
) -> crate::store::db::Result<bool> {
    let stored = load(tx, entity, id)?;
    let exists = stored.is_some();
    let (review_id, mut doc) = stored.map_or_else(|| (review_id.to_owned(), Doc::new()), |s| (s.review_id, s.doc));
    if !set_server_fields(ctx, &mut doc, fields) {
        return Ok(false);
    }
    save(tx, ctx, entity, id, &review_id, &doc, exists)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn doc_json_is_what_serde_writes() {
        let stamps = [
            Hlc::ZERO,
            Hlc { wall_ms: 1_795_000_000_000, counter: 7, node: 0x8d14_9779_70fd_fb18 },
            Hlc { wall_ms: 9_999_999_999_999, counter: u32::MAX, node: u64::MAX },
            Hlc { wall_ms: 1, counter: 0, node: 0xa },
        ];
        let values = [
            json!("plain"),
            json!("quote \" backslash \\ newline \n tab \t nul \u{0} é ✓ 😀"),
            json!(null),
            json!(true),
            json!(-12),
            json!(1.5),
            json!(["leadership", "provision_outcomes"]),
            json!({"b": 1, "a": [1, {"x": "y"}]}),
        ];
        let mut doc = Doc::new();
        assert_eq!(doc_json(&doc), serde_json::to_string(&doc).unwrap());
        for (i, value) in values.iter().enumerate() {
            let name = if i == 3 { "we\"ird\\name".to_owned() } else { format!("field_{i}") };
            doc.insert(name, FieldValue { value: value.clone(), version: stamps[i % stamps.len()] });
            assert_eq!(doc_json(&doc), serde_json::to_string(&doc).unwrap());
        }
        let back: Doc = serde_json::from_str(&doc_json(&doc)).unwrap();
        assert_eq!(back, doc);
    }
}
