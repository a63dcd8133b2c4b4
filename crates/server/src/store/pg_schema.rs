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
        name: "attachment bytes in the database (SQLite 16)",
        sql: include_str!("pg_migrations/0004_shared_blobs.sql"),
    },
    PgMigration {
        number: 5,
        name: "SQLite migration 17: the factual-accuracy check",
        sql: include_str!("pg_migrations/0005_accuracy_check.sql"),
    },
];

/// The key of the lock held while migrating (a different one from the writers').
const MIGRATION_LOCK: i64 = 0x5141_525F_4D49_4752; // "QAR_MIGR"

/// Brings the database up to the newest migration this server knows; the version reached.
pub(super) fn migrate(conn: &mut Connection, now_ms: u64) -> Result<u32, StoreError> {
    migrate_up_to(conn, now_ms, u32::MAX)
}

/// [`migrate`], stopping after migration `last` (tests make the database an older server left).
pub(super) fn migrate_up_to(conn: &mut Connection, now_ms: u64, last: u32) -> Result<u32, StoreError> {
    conn.execute_batch(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
    let result = migrate_locked(conn, now_ms, last);
    let unlocked = conn.execute_batch(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
    let reached = result?;
    unlocked?;
    Ok(reached)
}

fn migrate_locked(conn: &mut Connection, now_ms: u64, last: u32) -> Result<u32, StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             number     BIGINT PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_ms BIGINT NOT NULL
         )",
    )?;
    let known = PG_MIGRATIONS.last().map_or(0, |m| m.number).min(last);
    let current: u32 =
        conn.query_row("SELECT max(number) FROM schema_migrations", [], |r| r.get::<_, Option<u32>>(0)).optional()?.flatten().unwrap_or(0);
    if current > known {
        return Err(StoreError::Invalid(format!(
            "this database was last used by a newer version of the QAR Field server (schema {current}; this server knows up to {known}); \
             upgrade this server, or restore a backup made by this version"
        )));
    }
    if current < known && current > 0 {
        refuse_while_older_instances_run(conn, current, known)?;
    }
    for m in PG_MIGRATIONS.iter().filter(|m| m.number > current && m.number <= known) {
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

/// What a server's connections call themselves in `pg_stat_activity`: the schema it was built
/// for, so a newer server can see that an older one still runs on the database.
pub(super) fn instance_name() -> String {
    format!("{INSTANCE_PREFIX}{}", PG_MIGRATIONS.last().map_or(0, |m| m.number))
}

const INSTANCE_PREFIX: &str = "qar-server schema ";

/// An older server still running on this database would meet tables it does not know (or miss
/// ones it needs) the moment the schema changed under it: the upgrade is refused, whole, until
/// every older instance has stopped. Same-schema restarts (a rolling upgrade that changes no
/// schema) never come here.
fn refuse_while_older_instances_run(conn: &Connection, current: u32, known: u32) -> Result<(), StoreError> {
    let names: Vec<String> = conn
        .prepare(
            "SELECT application_name FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE 'qar-server schema %'",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let older =
        names.iter().filter(|n| n.strip_prefix(INSTANCE_PREFIX).and_then(|v| v.parse::<u32>().ok()).is_some_and(|v| v < known)).count();
    if older == 0 {
        return Ok(());
    }
    Err(StoreError::Invalid(format!(
        "this server would upgrade the database's schema from {current} to {known}, but {older} connection(s) of an older \
         QAR Field server are still open on it; stop every older server first (a schema upgrade cannot roll), then start \
         this one. Nothing was changed."
    )))
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
