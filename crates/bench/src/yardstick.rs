//! The floor a first pull is measured against: the same notes' JSON inserted in one transaction
//! into a fresh file of the same kind as the laptop's store. "Same kind" means opened by the
//! client's own [`qar_client::store::encrypt::open_connection`], so the SQLCipher key form,
//! cipher and page settings, WAL, `synchronous` and page cache are the store's, not a copy of
//! them that could drift. The plaintext insert is kept beside it, so the table shows what
//! encryption costs the yardstick itself.

use qar_client::vault::StoreKey;
use std::path::Path;
use std::time::{Duration, Instant};

/// Which file the raw insert writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Encrypted under a fresh random store key, as `Store::open_encrypted` opens it.
    Encrypted,
    /// Unencrypted, as `Store::open` opens it.
    Plaintext,
}

/// Inserts `docs` (one JSON text per note) into a new table of a fresh store file at `path`, in
/// one transaction with one prepared statement, and returns the time from `BEGIN` to the
/// commit's return.
pub fn raw_insert(path: &Path, kind: Kind, docs: &[String]) -> anyhow::Result<Duration> {
    let key = match kind {
        Kind::Encrypted => Some(StoreKey::random()?),
        Kind::Plaintext => None,
    };
    let mut conn = qar_client::store::encrypt::open_connection(path, key.as_ref())?;
    conn.execute_batch("CREATE TABLE evidence(id TEXT PRIMARY KEY, rev INTEGER NOT NULL, body TEXT NOT NULL)")?;
    let t = Instant::now();
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare("INSERT INTO evidence(id, rev, body) VALUES (?1, 1, ?2)")?;
        for (i, d) in docs.iter().enumerate() {
            stmt.execute(rusqlite::params![format!("evidence:{i:06}"), d])?;
        }
    }
    tx.commit()?;
    Ok(t.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs() -> Vec<String> {
        (0..50).map(|i| format!("{{\"notes\":\"note {i}\"}}")).collect()
    }

    #[test]
    fn the_encrypted_yardstick_writes_a_file_only_its_key_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("raw.db");
        raw_insert(&path, Kind::Encrypted, &docs()).unwrap();
        // Not a plaintext SQLite file: SQLCipher wrote it.
        assert!(!qar_client::store::encrypt::is_plaintext(&path).unwrap());
        let plain = rusqlite::Connection::open(&path).unwrap();
        assert!(plain.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).is_err());
    }

    #[test]
    fn the_plaintext_yardstick_holds_every_note_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("raw-plain.db");
        let docs = docs();
        raw_insert(&path, Kind::Plaintext, &docs).unwrap();
        assert!(qar_client::store::encrypt::is_plaintext(&path).unwrap());
        let conn = rusqlite::Connection::open(&path).unwrap();
        let bodies: Vec<String> = conn
            .prepare("SELECT body FROM evidence ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(bodies, docs);
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal", "opened as the store is opened");
    }
}
