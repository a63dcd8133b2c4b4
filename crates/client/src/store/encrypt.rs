//! The store encrypted at rest with SQLCipher, and the one-time move of a store written by a
//! release without encryption into an encrypted file.
//!
//! Migration order keeps the plaintext until the encrypted copy is proven: checkpoint the
//! plaintext's WAL into it, export into `<store>.encrypting`, reopen that with the key and
//! compare the row count of every table, then rename it over the plaintext (atomic on one
//! filesystem). A failure at any step leaves the plaintext store as it was.

use super::Store;
use crate::error::{ClientError, Result};
use crate::vault::{remove_if_present, sibling, StoreKey};
use rusqlite::{Connection, OpenFlags};
use std::collections::BTreeMap;
use std::path::Path;

/// The first 16 bytes of every unencrypted SQLite file.
pub const PLAINTEXT_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// True when `path` is an unencrypted SQLite database (a store from an earlier release).
pub fn is_plaintext(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut head = [0u8; 16];
    match std::fs::File::open(path) {
        Ok(mut f) => Ok(f.read_exact(&mut head).is_ok() && &head == PLAINTEXT_HEADER),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(ClientError::Vault(format!("could not read {}: {e}", path.display()))),
    }
}

pub(super) fn map_open_error(e: qar_dbkit::DbError) -> ClientError {
    match e {
        qar_dbkit::DbError::WrongKey => ClientError::WrongKey,
        other => ClientError::Open(other),
    }
}

/// What a migration did, for the log and the measurements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrated {
    pub tables: usize,
    pub rows: u64,
}

impl Store {
    /// Opens the encrypted store at `path` with `key`, first moving a plaintext store from an
    /// earlier release into encryption. A wrong key gives [`ClientError::WrongKey`].
    pub fn open_encrypted(path: &Path, key: &StoreKey) -> Result<Store> {
        if is_plaintext(path)? {
            let m = encrypt_plaintext_store(path, key)?;
            tracing::info!("encrypted the store from an earlier release: {} tables, {} rows", m.tables, m.rows);
        }
        Store::from_connection(open_connection(path, Some(key))?, path)
    }
}

/// A connection to a store file exactly as [`Store::open`] (`key` `None`) or
/// [`Store::open_encrypted`] opens it, before any migration: the same SQLCipher key form,
/// cipher and page settings, journal, durability and page cache. The stores open through it, and
/// so does the benchmark's raw-insert yardstick, which must measure the same kind of file.
pub fn open_connection(path: &Path, key: Option<&StoreKey>) -> Result<Connection> {
    let conn = match key {
        Some(key) => qar_dbkit::open_keyed(path, qar_dbkit::Durability::Normal, &key.sqlcipher_pragma()).map_err(map_open_error)?,
        None => qar_dbkit::open(path, qar_dbkit::Durability::Normal)?,
    };
    super::tune(&conn)?;
    Ok(conn)
}

fn row_counts(conn: &Connection, schema: &str) -> Result<BTreeMap<String, i64>> {
    let names: Vec<String> = conn
        .prepare(&format!("SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut counts = BTreeMap::new();
    for name in names {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {schema}.\"{}\"", name.replace('"', "\"\"")), [], |r| r.get(0))?;
        counts.insert(name, n);
    }
    Ok(counts)
}

/// Moves the plaintext store at `path` into an encrypted file under `key`; see the module notes.
pub fn encrypt_plaintext_store(path: &Path, key: &StoreKey) -> Result<Migrated> {
    let target = sibling(path, ".encrypting");
    remove_if_present(&target)?; // a leftover from an interrupted attempt: never trusted
    let pragma = key.sqlcipher_pragma();
    let before = {
        // CREATE is for the attached target; the plaintext itself exists (checked by the caller).
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)?;
        // Everything into the main file, so the -wal that is deleted later holds nothing.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let before = row_counts(&conn, "main")?;
        conn.execute("ATTACH DATABASE ?1 AS encrypted KEY ?2", rusqlite::params![target.to_string_lossy(), pragma.as_str()])?;
        conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        conn.pragma_update(Some("encrypted"), "user_version", version)?;
        conn.execute("DETACH DATABASE encrypted", [])?;
        // Closing the last connection checkpoints and removes the plaintext -wal and -shm.
        conn.close().map_err(|(_, e)| e)?;
        before
    };
    let verified = (|| -> Result<()> {
        let conn = Connection::open_with_flags(&target, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        conn.pragma_update(None, "key", pragma.as_str())?;
        qar_dbkit::check_key(&conn).map_err(map_open_error)?;
        let after = row_counts(&conn, "main")?;
        let ok: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if after != before || ok != "ok" {
            return Err(ClientError::Vault(format!(
                "the encrypted copy of the store did not match the original ({ok}); the original is kept unchanged"
            )));
        }
        Ok(())
    })();
    if let Err(e) = verified {
        let _ = remove_if_present(&target);
        return Err(e);
    }
    // Plaintext side files must not sit beside the encrypted file (closing removed them; a
    // crash before this point leaves the checkpointed plaintext whole).
    for suffix in ["-wal", "-shm"] {
        remove_if_present(&sibling(path, suffix))?;
    }
    std::fs::rename(&target, path).map_err(|e| ClientError::Vault(format!("could not replace the store with its encrypted copy: {e}")))?;
    Ok(Migrated { tables: before.len(), rows: before.values().map(|n| *n as u64).sum() })
}
