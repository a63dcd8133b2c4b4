//! The PostgreSQL store's own numbered migrations (issue 20), with the SQLite store's rules:
//! each runs whole or not at all (PostgreSQL's DDL is transactional), a database a newer server
//! left is refused untouched, and two instances starting at once migrate one after the other
//! (a session advisory lock), so neither sees a half-made schema.

use super::db::{params, Connection, OptionalExtension};
use super::StoreError;

pub(super) struct PgMigration {
    pub number: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

pub(super) const PG_MIGRATIONS: &[PgMigration] = &[
    PgMigration { number: 1, name: "the schema of SQLite migrations 1–14", sql: include_str!("pg_migrations/0001_baseline.sql") },
    PgMigration {
        number: 2,
        name: "the partnership's shipped retention policy",
        sql: include_str!("pg_migrations/0002_retention_default.sql"),
    },
    PgMigration { number: 3, name: "browser sessions for the school's pages", sql: include_str!("pg_migrations/0003_web_sessions.sql") },
    PgMigration {
        number: 4,
        name: "SQLite migration 16: the factual-accuracy check",
        sql: include_str!("pg_migrations/0004_accuracy_check.sql"),
    },
];

/// The key of the lock held while migrating (a different one from the writers').
const MIGRATION_LOCK: i64 = 0x5141_525F_4D49_4752; // "QAR_MIGR"

/// Brings the database up to the newest migration this server knows; the version reached.
pub(super) fn migrate(conn: &mut Connection, now_ms: u64) -> Result<u32, StoreError> {
    conn.execute_batch(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
    let result = migrate_locked(conn, now_ms);
    let unlocked = conn.execute_batch(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
    let reached = result?;
    unlocked?;
    Ok(reached)
}

fn migrate_locked(conn: &mut Connection, now_ms: u64) -> Result<u32, StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             number     BIGINT PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_ms BIGINT NOT NULL
         )",
    )?;
    let known = PG_MIGRATIONS.last().map_or(0, |m| m.number);
    let current: u32 =
        conn.query_row("SELECT max(number) FROM schema_migrations", [], |r| r.get::<_, Option<u32>>(0)).optional()?.flatten().unwrap_or(0);
    if current > known {
        return Err(StoreError::Invalid(format!(
            "this database was last used by a newer version of the QAR Field server (schema {current}; this server knows up to {known}); \
             upgrade this server, or restore a backup made by this version"
        )));
    }
    for m in PG_MIGRATIONS.iter().filter(|m| m.number > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(m.sql).map_err(|e| StoreError::Invalid(format!("PostgreSQL migration {} ({}) failed: {e}", m.number, m.name)))?;
        tx.execute(
            "INSERT INTO schema_migrations(number, name, applied_ms) VALUES (?1, ?2, ?3)",
            params![m.number, m.name, now_ms as i64],
        )?;
        tx.commit()?;
    }
    Ok(known)
}

/// Text is compared and sorted byte by byte in the store, as SQLite does: lists, hashes of
/// ordered rows and cursors depend on it. A database made with a language's collation would sort
/// "Ávila" and "apple" differently from SQLite, so it is refused with how to make one that fits.
pub(super) fn check_collation(conn: &Connection) -> Result<(), StoreError> {
    let collate: String = conn.query_row("SELECT datcollate FROM pg_database WHERE datname = current_database()", [], |r| r.get(0))?;
    if collate == "C" || collate == "POSIX" {
        return Ok(());
    }
    Err(StoreError::Invalid(format!(
        "this database sorts text by the {collate} collation; the QAR Field server needs byte order. \
         Create its database with: CREATE DATABASE qar TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
    )))
}
