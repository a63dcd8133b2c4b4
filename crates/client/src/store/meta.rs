//! Small key/value facts about this store: device id, clock, sync cursor and outcome.

use crate::error::Result;
use qar_core::Hlc;
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

pub(super) fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub(super) fn set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached("INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value")?
        .execute([key, value])?;
    Ok(())
}

pub(super) fn delete(conn: &Connection, key: &str) -> Result<()> {
    conn.execute("DELETE FROM meta WHERE key = ?1", [key])?;
    Ok(())
}

/// This laptop's device id, made once (UUIDv7) the first time the store opens.
pub(super) fn device_id(conn: &Connection) -> Result<Uuid> {
    if let Some(s) = get(conn, "device_id")? {
        if let Ok(id) = Uuid::parse_str(&s) {
            return Ok(id);
        }
    }
    let id = Uuid::now_v7();
    set(conn, "device_id", &id.to_string())?;
    Ok(id)
}

pub(super) fn clock(conn: &Connection) -> Result<Option<Hlc>> {
    Ok(get(conn, "clock")?.and_then(|s| s.parse().ok()))
}

pub(super) fn set_clock(conn: &Connection, last: Hlc) -> Result<()> {
    set(conn, "clock", &last.to_string())
}

pub(super) fn parse_u64(v: Option<String>) -> u64 {
    v.and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// Every op with a seq up to this is acknowledged by the server.
pub(super) fn acked_through(conn: &Connection) -> Result<u64> {
    Ok(parse_u64(get(conn, "acked_through")?))
}
