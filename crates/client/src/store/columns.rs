//! Maps synced fields to columns and writes them. Table and column names come only from
//! qar-core's field table, never from input, so building SQL text from them is safe.

use crate::error::Result;
use qar_core::{EntityKind, Hlc, ValidationError};
use rusqlite::types::Value as SqlValue;
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
        (T::AreaTags | T::Team | T::Json, SqlValue::Text(s)) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
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

/// Writes field values and the record's new version map into an existing row.
pub(super) fn update(
    tx: &Transaction,
    entity: EntityKind,
    id: Uuid,
    fields: &[(&str, &Value)],
    versions: &Versions,
    at_ms: u64,
) -> Result<()> {
    let mut sets = String::new();
    let mut args: Vec<SqlValue> = Vec::with_capacity(fields.len() + 3);
    for (i, (field, value)) in fields.iter().enumerate() {
        sets.push_str(&format!("{} = ?{}, ", column(entity, field)?, i + 1));
        args.push(field_to_sql(entity, field, value)?);
    }
    let n = fields.len();
    let sql = format!(
        "UPDATE {} SET {sets}versions = ?{}, updated_at_ms = max(updated_at_ms, ?{}) WHERE id = ?{}",
        table(entity),
        n + 1,
        n + 2,
        n + 3
    );
    args.extend([
        SqlValue::Text(serde_json::to_string(versions).unwrap_or_else(|_| "{}".into())),
        SqlValue::Integer(at_ms as i64),
        SqlValue::Text(id.to_string()),
    ]);
    tx.prepare_cached(&sql)?.execute(params_from_iter(args))?;
    Ok(())
}

/// Inserts a record this laptop did not have, with all its fields in one statement (one
/// full-text index entry, not an empty one later replaced).
pub(super) fn insert(
    tx: &Transaction,
    entity: EntityKind,
    id: Uuid,
    review_id: Uuid,
    fields: &[(&str, &Value)],
    versions: &Versions,
    at_ms: u64,
) -> Result<()> {
    let mut cols = String::from("id, ");
    let mut args: Vec<SqlValue> = vec![SqlValue::Text(id.to_string())];
    if entity != EntityKind::Review {
        cols.push_str("review_id, ");
        args.push(SqlValue::Text(review_id.to_string()));
    }
    for (field, value) in fields {
        cols.push_str(column(entity, field)?);
        cols.push_str(", ");
        args.push(field_to_sql(entity, field, value)?);
    }
    cols.push_str("versions, created_at_ms, updated_at_ms");
    args.push(SqlValue::Text(serde_json::to_string(versions).unwrap_or_else(|_| "{}".into())));
    args.push(SqlValue::Integer(at_ms as i64));
    args.push(SqlValue::Integer(at_ms as i64));
    let marks: Vec<String> = (1..=args.len()).map(|i| format!("?{i}")).collect();
    let sql = format!("INSERT INTO {}({cols}) VALUES ({})", table(entity), marks.join(", "));
    tx.prepare_cached(&sql)?.execute(params_from_iter(args))?;
    Ok(())
}
