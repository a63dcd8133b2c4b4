//! The server's own hybrid logical clock. The server writes some fields itself (a review's team
//! and hub, approval stamps, comments, conflict records, an evidence note's author); those
//! writes need versions like any other. The clock's node is random, made once per data folder
//! and kept in `meta`, and the clock observes every accepted op's stamp (one too far ahead of
//! the server's wall time is re-stamped instead, decision 35), so a server write is always
//! later than every write the server has kept.
//!
//! On PostgreSQL several server instances may share the store (decision 98). Each instance then
//! takes a node of its own at every start, never the stored one, so two instances never mint the
//! same stamp; and each writing transaction first catches the clock up with the last stamp any
//! instance saved ([`catch_up`], under the write lock), so a server write is later than every
//! op any instance kept.

use super::CorruptValue;
use crate::store::db::{Backend, Connection, OptionalExtension};
use qar_core::{Hlc, HlcClock};

const NODE_KEY: &str = "server_node";
const LAST_KEY: &str = "server_hlc";

/// Reads (or, in a new data folder, makes) the node and the last stamp issued. A stored value
/// that does not read back is a loud error, never a new node or a zero clock: restarting from
/// zero would issue stamps older than the ones already stored, so server writes would lose.
pub(super) fn load(conn: &Connection) -> crate::store::db::Result<HlcClock> {
    let get = |key: &str| conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get::<_, String>(0)).optional();
    let node = match get(NODE_KEY)? {
        // One node per instance, not per database: instances sharing it never tie.
        _ if conn.backend() == Backend::Postgres => new_node(),
        Some(v) => {
            u64::from_str_radix(&v, 16).map_err(|e| CorruptValue::error(format!("server clock node (meta.{NODE_KEY} = {v:?})"), e))?
        }
        None => {
            let node = new_node();
            conn.execute(
                "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [NODE_KEY, &format!("{node:016x}")],
            )?;
            node
        }
    };
    let last = match get(LAST_KEY)? {
        Some(v) => v.parse::<Hlc>().map_err(|e| CorruptValue::error(format!("server clock (meta.{LAST_KEY})"), e))?,
        None => Hlc::ZERO,
    };
    Ok(HlcClock::resume(Hlc { node, ..last }))
}

/// Inside a writing transaction, before the clock stamps anything: moves the clock up to the
/// last stamp saved by any instance sharing the database (PostgreSQL), keeping this instance's
/// node. The write lock the transaction holds means no other instance stamps meanwhile. On
/// SQLite one process owns the store and its clock is already the latest.
pub(super) fn catch_up(tx: &Connection, clock: &mut HlcClock) -> crate::store::db::Result<()> {
    if tx.backend() != Backend::Postgres {
        return Ok(());
    }
    let saved = tx.query_row("SELECT value FROM meta WHERE key = ?1", [LAST_KEY], |r| r.get::<_, String>(0)).optional()?;
    let Some(saved) = saved else { return Ok(()) };
    let saved = saved.parse::<Hlc>().map_err(|e| CorruptValue::error(format!("server clock (meta.{LAST_KEY})"), e))?;
    let mine = clock.last();
    if (saved.wall_ms, saved.counter) > (mine.wall_ms, mine.counter) {
        *clock = HlcClock::resume(Hlc { node: mine.node, ..saved });
    }
    Ok(())
}

/// Keeps the clock's last stamp with the writes that used it (same transaction).
pub(super) fn save(conn: &Connection, clock: &HlcClock) -> crate::store::db::Result<()> {
    conn.prepare_cached("INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value")?
        .execute([LAST_KEY, &clock.last().to_string()])?;
    Ok(())
}

/// A random node, shaped like a device's (the variant bits of a UUID tail), never 0.
fn new_node() -> u64 {
    let mut buf = [0u8; 8];
    if getrandom::fill(&mut buf).is_err() {
        buf = crate::store::now_ms().to_be_bytes();
    }
    (u64::from_be_bytes(buf) & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000
}
