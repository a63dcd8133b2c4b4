//! Maps a synced field to its column. Table and column names come only from qar-core's field
//! table, never from input, so building SQL text from them is safe.

use qar_core::{EntityKind, ValidationError};
use rusqlite::types::Value as SqlValue;
use serde_json::Value;

pub(super) fn table(entity: EntityKind) -> &'static str {
    match entity {
        EntityKind::Review => "reviews",
        EntityKind::Evidence => "evidence",
    }
}

/// The column for `field`, checked against the field table.
pub(super) fn column(entity: EntityKind, field: &str) -> Result<&'static str, ValidationError> {
    Ok(entity.field(field)?.name)
}

pub(super) fn to_sql(value: &Value) -> SqlValue {
    match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(*b as i64),
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Number(n) => n.as_i64().map_or_else(|| SqlValue::Real(n.as_f64().unwrap_or(0.0)), SqlValue::Integer),
        other => SqlValue::Text(other.to_string()),
    }
}
