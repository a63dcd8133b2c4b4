//! Maps synced fields to columns and writes them. Table and column names come only from
//! qar-core's field table, never from input, so building SQL text from them is safe.

use crate::error::Result;
use qar_core::{EntityKind, Hlc, ValidationError};
use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef};
use rusqlite::{params_from_iter, OptionalExtension, Transaction};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Version of each field of one record (field name → HLC of the write it holds).
pub(super) type Versions = BTreeMap<String, Hlc>;

pub(super) fn table(entity: EntityKind) -> &'static str {
    match entity {
        EntityKind::Review => "reviews",
        EntityKind::Evidence => "evidence",
        EntityKind::Estimate => "estimates",
        EntityKind::ReportSection => "report_sections",
        EntityKind::Comment => "comments",
        EntityKind::Conflict => "conflicts",
        EntityKind::PlanActivity => "plan_activities",
        EntityKind::Attachment => "attachments",
        EntityKind::PreviousReview => "previous_reviews",
        EntityKind::SchoolStatement => "school_statements",
    }
}

/// The column for `field`, checked against the field table.
pub(super) fn column(entity: EntityKind, field: &str) -> Result<&'static str, ValidationError> {
    Ok(entity.field(field)?.name)
}

/// A field's value as its column holds it: free JSON (a kept conflict value) always as JSON
/// text, so a string and a number stay distinguishable; everything else by [`to_sql`].
pub(super) fn field_to_sql(entity: EntityKind, field: &str, value: &Value) -> Result<SqlValue, ValidationError> {
    Ok(match entity.field(field)?.ty {
        qar_core::fields::FieldType::Json => SqlValue::Text(value.to_string()),
        _ => to_sql(value),
    })
}

/// A column's value back as the JSON of its field's type (the inverse of [`field_to_sql`]).
pub(super) fn from_sql(ty: qar_core::fields::FieldType, raw: SqlValue) -> Value {
    use qar_core::fields::FieldType as T;
    match (ty, raw) {
        (_, SqlValue::Null) => Value::Null,
        (T::Bool, SqlValue::Integer(i)) => Value::Bool(i != 0),
        (T::AreaTags | T::Team | T::People | T::ReportPhotos | T::Json, SqlValue::Text(s)) => {
            serde_json::from_str(&s).unwrap_or(Value::String(s))
        }
        (_, SqlValue::Text(s)) => Value::String(s),
        (_, SqlValue::Integer(i)) => Value::from(i),
        (_, SqlValue::Real(f)) => Value::from(f),
        (_, SqlValue::Blob(_)) => Value::Null,
    }
}

/// JSON values as SQLite stores them: booleans as 0/1, lists as JSON text.
pub(super) fn to_sql(value: &Value) -> SqlValue {
    match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(*b as i64),
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Number(n) => n.as_i64().map_or_else(|| SqlValue::Real(n.as_f64().unwrap_or(0.0)), SqlValue::Integer),
        other => SqlValue::Text(other.to_string()),
    }
}

/// The field versions a record holds, or `None` when this laptop has no such record.
pub(super) fn versions(tx: &Transaction, entity: EntityKind, id: Uuid) -> Result<Option<Versions>> {
    let sql = format!("SELECT versions FROM {} WHERE id = ?1", table(entity));
    let raw: Option<String> = tx.prepare_cached(&sql)?.query_row([id.to_string()], |r| r.get(0)).optional()?;
    Ok(raw.map(|s| serde_json::from_str(&s).unwrap_or_default()))
}

/// The field versions of every record of `ids` this laptop holds, in one statement: a bulk page
/// asks once instead of once per record (a first pull finds none of them).
pub(super) fn versions_of_many(tx: &Transaction, entity: EntityKind, ids: &[Uuid]) -> Result<std::collections::HashMap<Uuid, Versions>> {
    let sql = format!("SELECT id, versions FROM {} WHERE id IN (SELECT value FROM json_each(?1))", table(entity));
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut stmt = tx.prepare_cached(&sql)?;
    let rows = stmt.query_map([list], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut found = std::collections::HashMap::new();
    for row in rows {
        let (id, raw) = row?;
        // Ids are written by this store from UUIDs; one that does not read as a UUID cannot be
        // in `ids` anyway.
        if let Ok(id) = id.parse::<Uuid>() {
            found.insert(id, serde_json::from_str(&raw).unwrap_or_default());
        }
    }
    Ok(found)
}

/// A field's value bound straight from the JSON it came in (text is not copied: a note's text
/// is most of a pulled page), or as [`field_to_sql`] makes it.
fn field_param<'v>(entity: EntityKind, field: &str, value: &'v Value) -> Result<ToSqlOutput<'v>, ValidationError> {
    Ok(match value {
        Value::String(s) if entity.field(field)?.ty != qar_core::fields::FieldType::Json => {
            ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes()))
        }
        _ => ToSqlOutput::Owned(field_to_sql(entity, field, value)?),
    })
}

/// The JSON text of a version map, byte for byte what `serde_json::to_string(versions)` writes,
/// without making a `String` of every stamp first (a pulled note has a dozen).
pub(super) fn versions_json<K: AsRef<str>>(versions: &BTreeMap<K, Hlc>) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(2 + versions.len() * 64);
    out.push(b'{');
    for (i, (name, version)) in versions.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Writing a string into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut out, name.as_ref());
        out.extend_from_slice(b":\"");
        write_hlc(&mut out, *version);
        out.push(b'"');
    }
    out.push(b'}');
    String::from_utf8(out).unwrap_or_else(|_| "{}".into())
}

/// `Hlc`'s text form (`{:013}-{:010}-{:016x}`) appended to `out`.
fn write_hlc(out: &mut Vec<u8>, h: Hlc) {
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
        for _ in (buf.len() - i)..width {
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

/// `?n` appended to SQL text.
fn push_mark(sql: &mut String, n: usize) {
    use std::fmt::Write;
    let _ = write!(sql, "?{n}");
}

/// Writes field values and the record's new version map into an existing row.
pub(super) fn update<K: AsRef<str>>(
    tx: &Transaction,
    entity: EntityKind,
    id: Uuid,
    fields: &[(&str, &Value)],
    versions: &BTreeMap<K, Hlc>,
    at_ms: u64,
) -> Result<()> {
    let n = fields.len();
    let mut sql = String::with_capacity(96 + n * 24);
    sql.push_str("UPDATE ");
    sql.push_str(table(entity));
    sql.push_str(" SET ");
    let mut args: Vec<ToSqlOutput> = Vec::with_capacity(n + 3);
    for (i, (field, value)) in fields.iter().enumerate() {
        sql.push_str(column(entity, field)?);
        sql.push_str(" = ");
        push_mark(&mut sql, i + 1);
        sql.push_str(", ");
        args.push(field_param(entity, field, value)?);
    }
    sql.push_str("versions = ");
    push_mark(&mut sql, n + 1);
    sql.push_str(", updated_at_ms = max(updated_at_ms, ");
    push_mark(&mut sql, n + 2);
    sql.push_str(") WHERE id = ");
    push_mark(&mut sql, n + 3);
    args.extend([
        ToSqlOutput::Owned(SqlValue::Text(versions_json(versions))),
        ToSqlOutput::Owned(SqlValue::Integer(at_ms as i64)),
        ToSqlOutput::Owned(SqlValue::Text(id.to_string())),
    ]);
    tx.prepare_cached(&sql)?.execute(params_from_iter(args))?;
    Ok(())
}

/// Inserts a record this laptop did not have, with all its fields in one statement (one
/// full-text index entry, not an empty one later replaced).
pub(super) fn insert<K: AsRef<str>>(
    tx: &Transaction,
    entity: EntityKind,
    id: Uuid,
    review_id: Uuid,
    fields: &[(&str, &Value)],
    versions: &BTreeMap<K, Hlc>,
    at_ms: u64,
) -> Result<()> {
    let mut sql = String::with_capacity(128 + fields.len() * 28);
    sql.push_str("INSERT INTO ");
    sql.push_str(table(entity));
    sql.push_str("(id, ");
    let mut args: Vec<ToSqlOutput> = Vec::with_capacity(fields.len() + 5);
    args.push(ToSqlOutput::Owned(SqlValue::Text(id.to_string())));
    if entity != EntityKind::Review {
        sql.push_str("review_id, ");
        args.push(ToSqlOutput::Owned(SqlValue::Text(review_id.to_string())));
    }
    for (field, value) in fields {
        sql.push_str(column(entity, field)?);
        sql.push_str(", ");
        args.push(field_param(entity, field, value)?);
    }
    sql.push_str("versions, created_at_ms, updated_at_ms) VALUES (");
    args.push(ToSqlOutput::Owned(SqlValue::Text(versions_json(versions))));
    args.push(ToSqlOutput::Owned(SqlValue::Integer(at_ms as i64)));
    args.push(ToSqlOutput::Owned(SqlValue::Integer(at_ms as i64)));
    for i in 1..=args.len() {
        if i > 1 {
            sql.push_str(", ");
        }
        push_mark(&mut sql, i);
    }
    sql.push(')');
    tx.prepare_cached(&sql)?.execute(params_from_iter(args))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_json_is_what_serde_writes() {
        let stamps = [
            Hlc::ZERO,
            Hlc { wall_ms: 1_795_000_000_000, counter: 42, node: 0x8d14_9779_70fd_fb18 },
            Hlc { wall_ms: 9_999_999_999_999, counter: u32::MAX, node: u64::MAX },
            Hlc { wall_ms: 5, counter: 0, node: 0xb },
        ];
        let mut versions = Versions::new();
        assert_eq!(versions_json(&versions), serde_json::to_string(&versions).unwrap());
        for (i, name) in ["notes", "area_tags", "we\"ird\\name ✓", "deleted", "z"].iter().enumerate() {
            versions.insert((*name).to_owned(), stamps[i % stamps.len()]);
            assert_eq!(versions_json(&versions), serde_json::to_string(&versions).unwrap());
        }
        let back: Versions = serde_json::from_str(&versions_json(&versions)).unwrap();
        assert_eq!(back, versions);
    }
}
