//! SQLite plumbing shared by the laptop store and the server store. No domain knowledge here:
//! opening a file with the right pragmas, and applying numbered migrations all-or-nothing.

use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("could not open the database at {path}: {source}")]
    Open { path: String, source: rusqlite::Error },
    #[error(
        "this database was written by a newer version of QAR Field (schema {found}, this app knows up to {known}); \
         update the app before opening it"
    )]
    TooNew { found: u32, known: u32 },
    #[error("migration {number} ({name}) failed, nothing was changed: {source}")]
    Migration { number: u32, name: &'static str, source: rusqlite::Error },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// SQLCipher could not decrypt the file with the key given (or the file is not a database).
    #[error("The store could not be unlocked: wrong key or passphrase")]
    WrongKey,
}

/// How hard each commit must reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// WAL + synchronous=NORMAL: a commit survives an app crash; on power loss only the last
    /// commits can roll back (and the outbox rolls back with them, so nothing is half-synced).
    Normal,
    /// WAL + synchronous=FULL: a commit survives power loss. The server acknowledges ops only
    /// after such a commit.
    Full,
}

/// One numbered schema step. `sql` runs inside the migration's transaction.
pub struct Migration {
    pub number: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Opens (creating if needed) a database file in WAL mode with foreign keys on.
pub fn open(path: &Path, durability: Durability) -> Result<Connection, DbError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|source| DbError::Open { path: path.display().to_string(), source })?;
    configure(&conn, durability)?;
    Ok(conn)
}

/// [`open`] for an encrypted (SQLCipher) file. `key` is SQLCipher's raw-key form `x'<64 hex>'`;
/// it must be set before any other statement, and a wrong key only shows at the first read, so
/// that read happens here and becomes [`DbError::WrongKey`] instead of a later, vaguer failure.
pub fn open_keyed(path: &Path, durability: Durability, key: &str) -> Result<Connection, DbError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|source| DbError::Open { path: path.display().to_string(), source })?;
    conn.pragma_update(None, "key", key)?;
    check_key(&conn)?;
    configure(&conn, durability)?;
    Ok(conn)
}

/// First read after `PRAGMA key`: "file is not a database" means the key does not fit.
pub fn check_key(conn: &Connection) -> Result<(), DbError> {
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => Err(DbError::WrongKey),
        Err(e) => Err(e.into()),
    }
}

fn configure(conn: &Connection, durability: Durability) -> Result<(), DbError> {
    conn.busy_timeout(Duration::from_secs(5))?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        // e.g. a filesystem without shared memory support: refuse rather than run unsafely.
        return Err(DbError::Sqlite(rusqlite::Error::InvalidQuery));
    }
    let sync = match durability {
        Durability::Normal => "NORMAL",
        Durability::Full => "FULL",
    };
    conn.pragma_update(None, "synchronous", sync)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Applies every migration newer than the database's `user_version`, each in its own
/// transaction together with the version bump, so a failure leaves the previous schema intact.
/// Returns the schema version reached.
pub fn migrate(conn: &mut Connection, migrations: &[Migration]) -> Result<u32, DbError> {
    debug_assert!(migrations.windows(2).all(|w| w[1].number == w[0].number + 1), "migrations must be numbered 1, 2, 3…");
    let known = migrations.last().map_or(0, |m| m.number);
    let current: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > known {
        return Err(DbError::TooNew { found: current, known });
    }
    for m in migrations.iter().filter(|m| m.number > current) {
        let fail = |source| DbError::Migration { number: m.number, name: m.name, source };
        let tx = conn.transaction().map_err(fail)?;
        tx.execute_batch(m.sql).map_err(fail)?;
        tx.pragma_update(None, "user_version", m.number).map_err(fail)?;
        tx.commit().map_err(fail)?;
    }
    Ok(known)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEPS: &[Migration] = &[
        Migration { number: 1, name: "notes", sql: "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT NOT NULL);" },
        Migration { number: 2, name: "tags", sql: "ALTER TABLE notes ADD COLUMN tag TEXT NOT NULL DEFAULT '';" },
    ];

    #[test]
    fn opens_in_wal_and_migrates_forward_keeping_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        {
            let mut c = open(&path, Durability::Normal).unwrap();
            migrate(&mut c, &STEPS[..1]).unwrap();
            c.execute("INSERT INTO notes(body) VALUES ('kept')", []).unwrap();
        }
        let mut c = open(&path, Durability::Full).unwrap();
        let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(migrate(&mut c, STEPS).unwrap(), 2);
        let (body, tag): (String, String) = c.query_row("SELECT body, tag FROM notes", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        assert_eq!((body.as_str(), tag.as_str()), ("kept", ""));
    }

    #[test]
    fn failed_migration_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = open(&dir.path().join("t.db"), Durability::Normal).unwrap();
        migrate(&mut c, &STEPS[..1]).unwrap();
        let broken = [
            Migration { number: 1, name: "notes", sql: STEPS[0].sql },
            Migration { number: 2, name: "half", sql: "ALTER TABLE notes ADD COLUMN x TEXT; SELECT * FROM missing;" },
        ];
        let err = migrate(&mut c, &broken).unwrap_err();
        assert!(err.to_string().contains("migration 2 (half) failed"), "{err}");
        let v: u32 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, 1);
        let cols: i64 = c.query_row("SELECT count(*) FROM pragma_table_info('notes') WHERE name='x'", [], |r| r.get(0)).unwrap();
        assert_eq!(cols, 0, "the half-applied column must be rolled back");
    }

    #[test]
    fn newer_database_is_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = open(&dir.path().join("t.db"), Durability::Normal).unwrap();
        migrate(&mut c, STEPS).unwrap();
        let err = migrate(&mut c, &STEPS[..1]).unwrap_err();
        assert!(matches!(err, DbError::TooNew { found: 2, known: 1 }), "{err}");
        assert!(err.to_string().contains("newer version of QAR Field"));
    }
}
