//! The server's store: one SQLite file (WAL, synchronous=FULL) in the data folder. All SQL of
//! the server lives in this module. A push is answered only after its transaction commits.

mod access;
pub(crate) mod accounts;
pub mod accuracy_check;
mod ahead;
mod at_rest;
mod audit_log;
pub mod backup;
mod blob_access;
pub mod blobs;
mod blobs_db;
mod clock;
mod conflicts;
pub mod db;
pub mod demo;
pub mod demo_history;
mod device_release;
pub mod directory;
pub mod erasure;
pub mod home_school;
pub mod hub_admin;
pub mod insights;
pub mod invitations;
mod leases;
mod mail_events;
pub mod mail_outbox;
pub mod overview;
mod pg_schema;
pub mod previous_review;
mod proposals;
pub mod pull;
mod push;
mod records;
pub mod register;
mod report_forms;
mod report_photos;
pub mod report_versions;
mod restored;
pub use leases::Lease;
pub mod retention;
pub mod scheduling;
pub mod school_heads;
pub mod school_statement;
pub mod schools;
pub mod subject_access;
// Mints tokens without a password: never in the production binary (issue 16).
#[cfg(any(test, feature = "test-support"))]
mod insights_testkit;
#[cfg(any(test, feature = "test-support"))]
pub use insights_testkit::TestIssued;
#[cfg(any(test, feature = "test-support"))]
mod retention_testkit;
#[cfg(any(test, feature = "test-support"))]
pub use retention_testkit::TestReview;
#[cfg(any(test, feature = "test-support"))]
pub mod pg_testkit;
#[cfg(any(test, feature = "test-support"))]
mod testkit;
#[cfg(any(test, feature = "test-support"))]
pub use testkit::{day, visit};
pub mod visit_days;
pub mod web_sessions;
mod workflow;

pub use ahead::DEFAULT_MAX_CLOCK_AHEAD_MS;
pub use conflicts::conflict_id;
pub use pull::ReadScope;
pub use push::{Admitted, WirePush, OLDEST_ACCEPTED_SCHEMA};
pub use workflow::{NewComment, MAX_RETURN_COMMENTS};

use crate::store::db::Connection;
use qar_core::ErrorCode;
use qar_dbkit::{Durability, Migration};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

pub use audit_log::{parse_head, AuditVerdict, PSEUDONYM_PREFIX};

pub const STORE_FILE: &str = "qar-server.db";

const MIGRATIONS: &[Migration] = &[
    Migration { number: 1, name: "records, devices, conflicts, directory", sql: include_str!("migrations/0001_init.sql") },
    Migration { number: 2, name: "accounts, roles, device registry, login attempts", sql: include_str!("migrations/0002_accounts.sql") },
    Migration { number: 3, name: "school register from GIAS", sql: include_str!("migrations/0003_school_register.sql") },
    Migration { number: 4, name: "review hubs and teams, writers' clock nodes", sql: include_str!("migrations/0004_review_access.sql") },
    Migration { number: 5, name: "hash-chained audit log", sql: include_str!("migrations/0005_audit_log.sql") },
    Migration { number: 6, name: "issued report versions", sql: include_str!("migrations/0006_report_versions.sql") },
    Migration {
        number: 7,
        name: "hub administration: invitations, report deadlines, team removals, outbox reports",
        sql: include_str!("migrations/0007_hub_admin.sql"),
    },
    Migration { number: 8, name: "keyed audit chain with per-part digests", sql: include_str!("migrations/0008_keyed_audit.sql") },
    Migration { number: 9, name: "re-stamped ops from clocks too far ahead", sql: include_str!("migrations/0009_restamps.sql") },
    Migration { number: 10, name: "mail outbox", sql: include_str!("migrations/0010_mail_outbox.sql") },
    Migration { number: 11, name: "retention policy and soft-deleted records", sql: include_str!("migrations/0011_retention.sql") },
    Migration {
        number: 12,
        name: "report versions that survive erasure and expire, unkeyed audit entries moved over",
        sql: include_str!("migrations/0012_erasable_report_versions.sql"),
    },
    Migration { number: 13, name: "host school headteachers", sql: include_str!("migrations/0013_school_heads.sql") },
    Migration { number: 14, name: "register of Areas of Excellence", sql: include_str!("migrations/0014_register.sql") },
    Migration { number: 15, name: "browser sessions for the school's pages", sql: include_str!("migrations/0015_web_sessions.sql") },
    Migration {
        number: 16,
        name: "attachment bytes in the database, shared by instances",
        sql: include_str!("migrations/0016_shared_blobs.sql"),
    },
    Migration { number: 17, name: "the host school's factual-accuracy check", sql: include_str!("migrations/0017_accuracy_check.sql") },
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("ops must continue from seq {expected}, got {got}")]
    SeqGap { expected: u64, got: u64 },
    #[error("seq {got} does not follow {after}")]
    NotContiguous { after: u64, got: u64 },
    /// The push touches a review the pusher has no relation to: refused whole, nothing written.
    #[error("not on review {review_id} (op {seq})")]
    NotOnReview { review_id: uuid::Uuid, seq: u64 },
    #[error("unknown review {0}")]
    UnknownReview(uuid::Uuid),
    /// The permission table refused a workflow decision; `code` is `DenialReason::code()`.
    #[error("{message}")]
    Denied { code: ErrorCode, message: String },
    /// The report changed after the coordinator read it.
    #[error("the report changed; its hash is now {current_hash}")]
    ReportChanged { current_hash: String },
    #[error("{0}")]
    Invalid(String),
    /// Refused for the reason `code` names (a used invitation code, an unknown hub, the last
    /// administrator…). The store says what went wrong; `crate::error` picks the HTTP status.
    #[error("{message}")]
    Refused { code: ErrorCode, message: String, details: serde_json::Value },
    /// The request's own content names a school or person that does not exist. Told apart from
    /// `Refused` with the same code because the thing addressed exists: the request is at fault.
    #[error("{message}")]
    UnknownReference { code: ErrorCode, message: String, details: serde_json::Value },
    #[error(transparent)]
    Db(crate::store::db::Error),
    /// Something stored (a record, the server clock) does not read back. Never treated as
    /// empty or zero: writing over it would wipe the record's other fields (issue 15).
    #[error("stored {what} cannot be read: {detail}")]
    Corrupt { what: String, detail: String },
    /// The group commit carrying this push failed: nothing of it is durable; retry.
    #[error("commit failed: {0}")]
    Commit(String),
}

/// A stored value that does not read back, carried through `crate::store::db::Result` code as a
/// conversion failure and turned back into [`StoreError::Corrupt`] (see `From` below), so the
/// many helpers that return `crate::store::db::Result` need no new signature.
#[derive(Debug, thiserror::Error)]
#[error("stored {what} cannot be read: {detail}")]
pub(crate) struct CorruptValue {
    pub what: String,
    pub detail: String,
}

impl CorruptValue {
    pub(crate) fn error(what: impl Into<String>, detail: impl std::fmt::Display) -> crate::store::db::Error {
        // Logged once, by the API's error layer, when it becomes a reply.
        let value = CorruptValue { what: what.into(), detail: detail.to_string() };
        crate::store::db::Error::FromSqlConversionFailure(0, crate::store::db::Type::Text, Box::new(value))
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::from(db::Error::from(e))
    }
}

impl From<crate::store::db::Error> for StoreError {
    fn from(e: crate::store::db::Error) -> Self {
        match e {
            crate::store::db::Error::FromSqlConversionFailure(i, ty, inner) => match inner.downcast::<CorruptValue>() {
                Ok(c) => StoreError::Corrupt { what: c.what, detail: c.detail },
                Err(inner) => StoreError::Db(crate::store::db::Error::FromSqlConversionFailure(i, ty, inner)),
            },
            other => StoreError::Db(other),
        }
    }
}

pub struct ServerStore {
    /// The one writer. SQLite allows one writer at a time anyway; a mutex makes it explicit.
    writer: Mutex<Connection>,
    /// Pulls read from their own connection so they never wait behind a push (WAL readers).
    reader: Mutex<Connection>,
    /// The newest server_seq, announced after each commit; waiting pulls wake on it. On
    /// PostgreSQL the feed listener announces other instances' commits here too.
    latest: std::sync::Arc<tokio::sync::watch::Sender<u64>>,
    /// On PostgreSQL: the connection that hears other instances' commits (decision 98).
    feed_listener: Option<db::feed_listener::FeedListener>,
    /// Pushes waiting for the next group commit.
    queue: Mutex<Vec<push::Queued>>,
    /// The server's own clock, for its writes. Locked only while holding the writer.
    clock: Mutex<qar_core::HlcClock>,
    /// Subkeys of the server key: the audit MAC and TOTP-secret encryption (issue 15).
    key: std::sync::Arc<crate::server_key::ServerKey>,
    /// How far ahead of the server's wall time an op's stamp may be and still move its clock.
    max_clock_ahead_ms: std::sync::atomic::AtomicU64,
    /// Where a pull page ends by size (`pull::PAGE_BYTES` unless a test or measurement sets it).
    page_bytes: std::sync::atomic::AtomicUsize,
    /// Sign-in and invitation attempt counts, in memory (issue 15): never written to disk.
    throttle: crate::auth::throttle::Throttle,
    /// This store's incarnation, made at its first open and renewed by a restore (decision 55):
    /// sent with every sync answer so a laptop learns the feed it followed is not this one.
    feed_epoch: String,
    /// Group commit counts for `/metrics`.
    stats: GroupCommitCounts,
    /// Told when mail is queued, so the delivery worker sends it now rather than at its next look.
    mail_wake: tokio::sync::Notify,
    /// Attachment bytes (issue 19): a folder under the data folder by default, or the store's
    /// own database (decision 96), sealed with the server key either way.
    blobs: Box<dyn blobs::BlobStore>,
    /// One upload of a blob at a time, held while its body is read: a status asked right after
    /// a broken connection waits for what arrived to be stored, so it gives the true offset.
    uploads: Mutex<std::collections::HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>,
    /// Work one instance does at a time (mail sending, retention), on PostgreSQL (decision 103).
    leases: leases::Leases,
}

#[derive(Default)]
struct GroupCommitCounts {
    group_commits: std::sync::atomic::AtomicU64,
    group_commit_pushes: std::sync::atomic::AtomicU64,
}

/// What the store tells `/metrics`: totals since it opened, and its connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreStats {
    pub group_commits: u64,
    /// Pushes those group commits carried (their mean size is the ratio).
    pub group_commit_pushes: u64,
    /// Pushes waiting for the next group commit now.
    pub queued: usize,
    /// Connections held, by role: one writer, one reader for pulls (SQLite WAL), and on
    /// PostgreSQL the feed listener.
    pub connections: Vec<(&'static str, usize)>,
}

/// The store's feed epoch, made on first open (a store from before decision 55 gets one then).
fn feed_epoch(writer: &Connection) -> Result<String, crate::ServerError> {
    use crate::store::db::OptionalExtension;
    let read = |c: &Connection| c.query_row("SELECT value FROM meta WHERE key = 'feed_epoch'", [], |r| r.get::<_, String>(0)).optional();
    if let Some(epoch) = read(writer).map_err(StoreError::from)? {
        return Ok(epoch);
    }
    writer
        .execute("INSERT INTO meta(key, value) VALUES ('feed_epoch', ?1) ON CONFLICT(key) DO NOTHING", [backup::new_feed_epoch()?])
        .map_err(StoreError::from)?;
    Ok(read(writer).map_err(StoreError::from)?.unwrap_or_default())
}

/// Moves the newest seq forward (never back), waking the pulls waiting for it.
fn announce_to(latest: &tokio::sync::watch::Sender<u64>, seq: u64) {
    latest.send_if_modified(|cur| {
        let newer = seq > *cur;
        if newer {
            *cur = seq;
        }
        newer
    });
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl ServerStore {
    /// Opens the data folder with the key in `<data folder>/server.key` (made at first start).
    pub fn open(data_dir: &Path) -> Result<ServerStore, crate::ServerError> {
        Self::open_with(data_dir, &crate::KeySource::DataDir)
    }

    /// Opens the data folder with the server key from `key`. The folder is made (or tightened
    /// to) 0700 and the database files 0600 before anything is written; a key that does not
    /// belong to this folder is refused; TOTP secrets still in clear text are encrypted.
    pub fn open_with(data_dir: &Path, key: &crate::KeySource) -> Result<ServerStore, crate::ServerError> {
        let dir_error = |source| crate::ServerError::DataDir { path: data_dir.display().to_string(), source };
        crate::private_files::private_dir(data_dir).map_err(dir_error)?;
        let key = std::sync::Arc::new(key.load(data_dir)?);
        let path = data_dir.join(STORE_FILE);
        crate::private_files::private_file(&path).map_err(dir_error)?;
        for suffix in ["-wal", "-shm"] {
            crate::private_files::tighten_if_present(&data_dir.join(format!("{STORE_FILE}{suffix}"))).map_err(dir_error)?;
        }
        let mut lite = qar_dbkit::open(&path, Durability::Full)?;
        qar_dbkit::migrate(&mut lite, MIGRATIONS)?;
        let writer = Connection::from_sqlite(lite);
        let reader = Connection::from_sqlite(qar_dbkit::open(&path, Durability::Full)?);
        Self::on_connections(writer, reader, data_dir, key)
    }

    /// Opens the store on PostgreSQL at `url` (issue 20): the server key still comes from `key`
    /// (with `KeySource::DataDir`, from `data_dir`), and attachment files live under `data_dir`.
    /// The database is migrated first; one made by a newer server is refused untouched.
    pub fn open_postgres(url: &str, data_dir: &Path, key: &crate::KeySource) -> Result<ServerStore, crate::ServerError> {
        let dir_error = |source| crate::ServerError::DataDir { path: data_dir.display().to_string(), source };
        crate::private_files::private_dir(data_dir).map_err(dir_error)?;
        let key = std::sync::Arc::new(key.load(data_dir)?);
        let unreachable = |e: db::Error| crate::ServerError::DatabaseUnreachable { at: db::shown_url(url), detail: e.to_string() };
        let name = pg_schema::instance_name();
        let mut writer = Connection::connect_postgres_as(url, Some(&name)).map_err(unreachable)?;
        pg_schema::check_collation(&writer)?;
        pg_schema::migrate(&mut writer, now_ms())?;
        let reader = Connection::connect_postgres_as(url, Some(&name)).map_err(StoreError::from)?;
        let mut store = Self::on_connections(writer, reader, data_dir, key)?;
        let latest = store.latest.clone();
        let listener = db::feed_listener::FeedListener::start(url, move |seq| announce_to(&latest, seq)).map_err(StoreError::from)?;
        store.feed_listener = Some(listener);
        store.leases = leases::Leases::on_postgres(url);
        Ok(store)
    }

    /// What opening does once the database is reachable and migrated, on either database.
    fn on_connections(
        mut writer: Connection,
        reader: Connection,
        data_dir: &Path,
        key: std::sync::Arc<crate::server_key::ServerKey>,
    ) -> Result<ServerStore, crate::ServerError> {
        writer.set_server_key(key.clone());
        at_rest::prepare(&mut writer, &key)?;
        let feed_epoch = feed_epoch(&writer)?;
        let clock = clock::load(&writer).map_err(StoreError::from)?;
        let latest: i64 =
            reader.query_row("SELECT coalesce(max(server_seq), 0) FROM records", [], |r| r.get(0)).map_err(StoreError::from)?;
        let (latest, _) = tokio::sync::watch::channel(latest as u64);
        let latest = std::sync::Arc::new(latest);
        let blobs = blobs::FolderBlobs::new(data_dir.join("blobs"), key.clone());
        Ok(ServerStore {
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
            latest,
            feed_listener: None,
            queue: Mutex::new(Vec::new()),
            clock: Mutex::new(clock),
            key,
            max_clock_ahead_ms: ahead::DEFAULT_MAX_CLOCK_AHEAD_MS.into(),
            page_bytes: pull::PAGE_BYTES.into(),
            throttle: Default::default(),
            feed_epoch,
            stats: GroupCommitCounts::default(),
            mail_wake: tokio::sync::Notify::new(),
            blobs: Box::new(blobs),
            uploads: Mutex::new(Default::default()),
            leases: Default::default(),
        })
    }

    /// Keeps attachment bytes in the store's own database instead of the folder (decision 96):
    /// what several server instances on one PostgreSQL database share, so an upload begun on
    /// one instance goes on at another. `database_url` is the PostgreSQL the store was opened
    /// on; `None` means the SQLite file in `data_dir`. The blobs get a connection of their own.
    pub fn keep_blobs_in_database(mut self, database_url: Option<&str>, data_dir: &Path) -> Result<ServerStore, crate::ServerError> {
        let conn = match database_url {
            Some(url) => Connection::connect_postgres(url).map_err(StoreError::from)?,
            None => Connection::from_sqlite(qar_dbkit::open(&data_dir.join(STORE_FILE), Durability::Full)?),
        };
        self.blobs = Box::new(blobs_db::DatabaseBlobs::new(conn, self.key.clone()));
        Ok(self)
    }

    pub fn stats(&self) -> StoreStats {
        use std::sync::atomic::Ordering::Relaxed;
        StoreStats {
            group_commits: self.stats.group_commits.load(Relaxed),
            group_commit_pushes: self.stats.group_commit_pushes.load(Relaxed),
            queued: self.queue.lock().unwrap_or_else(|p| p.into_inner()).len(),
            // On PostgreSQL also the connection that hears other instances' commits.
            connections: if self.feed_listener.is_some() {
                vec![("writer", 1), ("reader", 1), ("feed_listener", 1)]
            } else {
                vec![("writer", 1), ("reader", 1)]
            },
        }
    }

    /// This store's feed epoch (see the field).
    pub fn feed_epoch(&self) -> &str {
        &self.feed_epoch
    }

    /// Whether the store answers (readiness): a read on the pull connection, which is what a
    /// sync needs first. A store that cannot be read says why.
    pub fn check_ready(&self) -> Result<(), StoreError> {
        self.reader().query_row("SELECT count(*) FROM meta", [], |r| r.get::<_, i64>(0))?;
        Ok(())
    }

    /// The in-memory sign-in limits (the API counts per address; the store per account).
    pub fn throttle(&self) -> &crate::auth::throttle::Throttle {
        &self.throttle
    }

    /// Wakes the mail worker: call after committing a transaction that queued mail.
    pub fn wake_mail(&self) {
        self.mail_wake.notify_one();
    }

    /// Resolves when mail was queued since the last call (the worker's wake-up).
    pub async fn mail_queued(&self) {
        self.mail_wake.notified().await;
    }

    /// A receiver of the newest server_seq, for pulls that wait for changes.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.latest.subscribe()
    }

    /// Tells waiting pulls that commits up to `seq` are readable.
    fn announce(&self, seq: u64) {
        announce_to(&self.latest, seq);
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a transaction rolled it back (Drop), so the connection is consistent.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        self.reader.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The server clock; take it only while holding the writer.
    /// Sets how far ahead of the server's wall time (ms) a pushed op's stamp may be and still
    /// move the server clock; an op stamped further ahead is applied with a server stamp.
    pub fn set_max_clock_ahead_ms(&self, ms: u64) {
        self.max_clock_ahead_ms.store(ms, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn max_clock_ahead_ms(&self) -> u64 {
        self.max_clock_ahead_ms.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sets about how many bytes of records a pull page (and the news on a push reply) carries
    /// before it ends (at least one record always goes). For tests and the benchmark's
    /// measurement of page sizes; servers keep `pull::PAGE_BYTES`.
    pub fn set_pull_page_bytes(&self, bytes: usize) {
        self.page_bytes.store(bytes.max(1), std::sync::atomic::Ordering::Relaxed);
    }

    pub fn pull_page_bytes(&self) -> usize {
        self.page_bytes.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn clock(&self) -> MutexGuard<'_, qar_core::HlcClock> {
        self.clock.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Number of records other than kept conflicts, and of kept conflicts (conflict records and
    /// any rows of the legacy `conflicts` table): what a replay must leave unchanged.
    pub fn counts(&self) -> Result<(u64, u64), StoreError> {
        let c = self.reader();
        let records = c.query_row("SELECT count(*) FROM records WHERE entity <> 'conflict'", [], |r| r.get(0))?;
        let conflicts =
            c.query_row("SELECT (SELECT count(*) FROM records WHERE entity = 'conflict') + (SELECT count(*) FROM conflicts)", [], |r| {
                r.get(0)
            })?;
        Ok((records, conflicts))
    }

    /// The whole server state in a stable order, for comparing states in tests: every record
    /// (conflict records included), legacy conflict rows, review hubs and teams, and each
    /// device's high-water mark.
    pub fn dump(&self) -> Result<Vec<String>, StoreError> {
        let c = self.reader();
        let mut stmt = c.prepare(
            "SELECT entity || '|' || id || '|' || review_id || '|' || fields || '|' || server_seq FROM records
             UNION ALL
             SELECT 'conflict|' || entity || '|' || id || '|' || field || '|' || value || '|' || version || '|' || winner
             FROM conflicts
             UNION ALL
             SELECT 'hub|' || review_id || '|' || hub_id FROM review_hub
             UNION ALL
             SELECT 'team|' || review_id || '|' || user_id || '|' || role FROM review_team
             UNION ALL
             SELECT 'device|' || device_id || '|' || high_water FROM devices
             ORDER BY 1",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod clock_tests;
#[cfg(test)]
mod tests;
