//! The SQLite side of the database layer: statements from rusqlite's statement cache, values
//! converted to and from rusqlite's.

use super::{Error, Fetched, Result, Row, Value};
use rusqlite::types::Value as Lite;
use std::sync::Arc;

pub(super) fn error(e: rusqlite::Error) -> Error {
    match e {
        rusqlite::Error::QueryReturnedNoRows => Error::QueryReturnedNoRows,
        rusqlite::Error::SqliteFailure(f, msg) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            Error::Constraint(msg.unwrap_or_else(|| f.to_string()))
        }
        other => Error::Sqlite(other),
    }
}

fn to_lite(v: &Value) -> Lite {
    match v {
        Value::Null => Lite::Null,
        Value::Integer(i) => Lite::Integer(*i),
        Value::Real(f) => Lite::Real(*f),
        Value::Text(s) => Lite::Text(s.clone()),
        Value::Blob(b) => Lite::Blob(b.clone()),
    }
}

fn from_lite(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        // SQLite text is UTF-8 as written by this store; anything else reads lossily rather
        // than failing the whole row.
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

pub(super) fn execute(c: &rusqlite::Connection, sql: &str, values: &[Value]) -> Result<usize> {
    let mut stmt = c.prepare_cached(sql).map_err(error)?;
    stmt.execute(rusqlite::params_from_iter(values.iter().map(to_lite))).map_err(error)
}

pub(super) fn fetch(c: &rusqlite::Connection, sql: &str, values: &[Value]) -> Result<Fetched> {
    let mut stmt = c.prepare_cached(sql).map_err(error)?;
    let names: Arc<[String]> = stmt.column_names().iter().map(|n| (*n).to_owned()).collect();
    let width = names.len();
    let mut rows = stmt.query(rusqlite::params_from_iter(values.iter().map(to_lite))).map_err(error)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(error)? {
        let mut vals = Vec::with_capacity(width);
        for i in 0..width {
            vals.push(from_lite(r.get_ref(i).map_err(error)?));
        }
        out.push(Row::new(names.clone(), vals));
    }
    Ok(Fetched { names, rows: out })
}
