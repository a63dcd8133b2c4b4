//! Online backup and restore of the embedded store (issue 20, decision 55).
//!
//! A backup is the whole database as one SQLCipher file encrypted with the server key's backup
//! subkey: it is written page by page encrypted (`sqlcipher_export`), so no clear copy ever
//! touches the disk, and it opens only with the server key it was taken with. It is taken from
//! its own connection inside one read transaction: in WAL mode that is one snapshot, however
//! many pushes commit meanwhile, so the copy is exactly the store as it was at one commit.
//!
//! A restore decrypts a backup into an empty data folder as the live (clear) store format,
//! through a temporary file renamed into place only when whole, and gives the store a new feed
//! epoch so laptops that saw changes the backup does not hold learn it and re-sync.

use super::{StoreError, MIGRATIONS, STORE_FILE};
use crate::server_key::{KeySource, ServerKey, KEY_FILE};
use crate::ServerError;
use qar_dbkit::Durability;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};

/// What a backup or a restore copied, for the operator to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub bytes: u64,
    /// The store's schema (migration number) in the copy.
    pub schema: u32,
    pub records: u64,
    /// The newest server sequence number in the copy: every change up to it is inside.
    pub max_server_seq: u64,
    pub audit_entries: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The data folder to restore into holds something: a live store is never overwritten.
    #[error(
        "the data folder {path} is not empty ({found}): restore only into an empty folder. Stop the server and move the old folder aside first, or pick a new one"
    )]
    NotEmpty { path: String, found: String },
    #[error("{0}")]
    Refused(String),
    #[error("{what} {path}: {source}")]
    Io { what: &'static str, path: String, source: std::io::Error },
    #[error(transparent)]
    Server(#[from] ServerError),
}

impl From<StoreError> for BackupError {
    fn from(e: StoreError) -> Self {
        BackupError::Server(ServerError::Store(e))
    }
}

impl From<rusqlite::Error> for BackupError {
    fn from(e: rusqlite::Error) -> Self {
        BackupError::Server(ServerError::Store(StoreError::from(e)))
    }
}

impl From<crate::server_key::KeyError> for BackupError {
    fn from(e: crate::server_key::KeyError) -> Self {
        BackupError::Server(ServerError::Key(e))
    }
}

fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> BackupError + 'a {
    move |source| BackupError::Io { what, path: path.display().to_string(), source }
}

/// The newest schema this build knows.
fn known_schema() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.number)
}

/// A fresh random feed epoch (128 bits as hex).
pub(super) fn new_feed_epoch() -> Result<String, crate::server_key::KeyError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| crate::server_key::KeyError::Random(e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// `qar-server backup`: copies the store in `data_dir` to `to` (a new file) while the server
/// may go on serving. Refuses a key that is not the store's (the backup could never be read).
pub fn backup(data_dir: &Path, key: &KeySource, to: &Path) -> Result<BackupSummary, BackupError> {
    let db = data_dir.join(STORE_FILE);
    if !db.exists() {
        return Err(BackupError::Refused(format!("there is no store in {} (no {STORE_FILE}) to back up", data_dir.display())));
    }
    if to.exists() {
        return Err(BackupError::Refused(format!("{} exists already: a backup never overwrites a file; name a new one", to.display())));
    }
    if let KeySource::DataDir = key {
        if !data_dir.join(KEY_FILE).exists() {
            return Err(BackupError::Refused(format!(
                "no server key in {}: give it with --key-file or QAR_SERVER_KEY (the backup is encrypted with it)",
                data_dir.display()
            )));
        }
    }
    let key = key.load(data_dir)?;
    // No migration and no write to the live store: a backup only reads it.
    let conn = qar_dbkit::open(&db, Durability::Full).map_err(ServerError::from)?;
    check_key(&conn, "main", &key, &db)?;
    let partial = partial_path(to);
    let _ = std::fs::remove_file(&partial);
    crate::private_files::private_file(&partial).map_err(io("could not create", &partial))?;
    let copied = (|| -> Result<(), BackupError> {
        conn.execute("ATTACH DATABASE ?1 AS backup KEY ?2", rusqlite::params![partial.to_string_lossy(), key.backup_sql_key().as_str()])?;
        // One read transaction: everything below reads the same snapshot of the live store.
        conn.execute_batch("BEGIN")?;
        let copy = (|| -> rusqlite::Result<()> {
            let schema: u32 = conn.query_row("PRAGMA main.user_version", [], |r| r.get(0))?;
            conn.query_row("SELECT sqlcipher_export('backup')", [], |_| Ok(()))?;
            conn.pragma_update(Some("backup"), "user_version", schema)?;
            conn.execute_batch("COMMIT")
        })();
        if copy.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        let detached = conn.execute_batch("DETACH DATABASE backup");
        copy?;
        detached?;
        Ok(())
    })();
    drop(conn);
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::File::open(&partial).and_then(|f| f.sync_all()).map_err(io("could not write", &partial))?;
    // Read back before it is named: a backup that does not open is no backup.
    let summary = match summarise(&open_backup(&partial, &key)?, "main") {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, to).map_err(io("could not name the backup", to))?;
    sync_parent(to);
    let bytes = std::fs::metadata(to).map_err(io("could not read", to))?.len();
    Ok(BackupSummary { bytes, ..summary })
}

/// `qar-server restore`: brings the backup `from` back as the store of `data_dir`, which must be
/// missing or empty (a `server.key` alone may be there). The restored store gets a new feed
/// epoch. Returns what the backup held.
pub fn restore(from: &Path, data_dir: &Path, key: &KeySource) -> Result<BackupSummary, BackupError> {
    check_empty(data_dir)?;
    if let KeySource::DataDir = key {
        if !data_dir.join(KEY_FILE).exists() {
            return Err(BackupError::Refused(format!(
                "the backup is encrypted with the server key it was taken with: give it with --key-file or QAR_SERVER_KEY, or put it into {} as {KEY_FILE}",
                data_dir.display()
            )));
        }
    }
    if !from.is_file() {
        return Err(BackupError::Refused(format!("no backup file at {}", from.display())));
    }
    let key = key.load(data_dir)?;
    let source = open_backup(from, &key)?;
    let summary = summarise(&source, "main")?;
    if summary.schema > known_schema() {
        return Err(BackupError::Refused(format!(
            "this backup was taken by a newer qar-server (store schema {}, this one knows up to {}): restore it with that version",
            summary.schema,
            known_schema()
        )));
    }
    check_key(&source, "main", &key, from)?;
    crate::private_files::private_dir(data_dir).map_err(io("could not create the data folder", data_dir))?;
    let target = data_dir.join(STORE_FILE);
    let partial = data_dir.join(format!("{STORE_FILE}.restoring"));
    let _ = std::fs::remove_file(&partial);
    crate::private_files::private_file(&partial).map_err(io("could not create", &partial))?;
    let copied = (|| -> Result<(), BackupError> {
        // An empty key: the live store's format (its secrets are sealed inside it, decision 34).
        source.execute("ATTACH DATABASE ?1 AS live KEY ''", [partial.to_string_lossy()])?;
        source.execute_batch("BEGIN")?;
        let copy = (|| -> Result<(), BackupError> {
            source.query_row("SELECT sqlcipher_export('live')", [], |_| Ok(()))?;
            source.pragma_update(Some("live"), "user_version", summary.schema)?;
            source.execute(
                "INSERT INTO live.meta(key, value) VALUES ('feed_epoch', ?1)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [new_feed_epoch()?],
            )?;
            source.execute_batch("COMMIT")?;
            Ok(())
        })();
        if copy.is_err() {
            let _ = source.execute_batch("ROLLBACK");
        }
        let detached = source.execute_batch("DETACH DATABASE live");
        copy?;
        detached?;
        Ok(())
    })();
    drop(source);
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::File::open(&partial).and_then(|f| f.sync_all()).map_err(io("could not write", &partial))?;
    std::fs::rename(&partial, &target).map_err(io("could not put the restored store in place", &target))?;
    sync_parent(&target);
    Ok(BackupSummary { bytes: std::fs::metadata(&target).map_err(io("could not read", &target))?.len(), ..summary })
}

/// Missing, empty, or holding only the server key.
fn check_empty(data_dir: &Path) -> Result<(), BackupError> {
    let entries = match std::fs::read_dir(data_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io("could not read the data folder", data_dir)(e)),
    };
    let mut found: Vec<String> = Vec::new();
    for entry in entries {
        let name = entry.map_err(io("could not read the data folder", data_dir))?.file_name().to_string_lossy().into_owned();
        if name != KEY_FILE {
            found.push(name);
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    found.sort();
    let live = found.iter().any(|n| n.starts_with(STORE_FILE));
    let shown = if live { format!("it holds a store, {STORE_FILE}") } else { format!("it holds {}", found.join(", ")) };
    Err(BackupError::NotEmpty { path: data_dir.display().to_string(), found: shown })
}

/// Opens a backup read-only with the backup subkey; a wrong key (or a file that is no backup)
/// is said as such, not as "file is not a database".
/// Opened writable (an attached database inherits the main one's mode, and a restore attaches
/// the new store), but only ever read.
fn open_backup(path: &Path, key: &ServerKey) -> Result<Connection, BackupError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.pragma_update(None, "key", key.backup_sql_key().as_str())?;
    match qar_dbkit::check_key(&conn) {
        Ok(()) => Ok(conn),
        Err(qar_dbkit::DbError::WrongKey) => Err(BackupError::Refused(format!(
            "{} does not open with this server key: it is not a qar-server backup, or it was taken with another key",
            path.display()
        ))),
        Err(e) => Err(ServerError::from(e).into()),
    }
}

/// The store's key fingerprint must be this key's (decision 34).
fn check_key(conn: &Connection, schema: &str, key: &ServerKey, path: &Path) -> Result<(), BackupError> {
    let sql = format!("SELECT value FROM {schema}.meta WHERE key = 'server_key_check'");
    let known: Option<String> = conn.query_row(&sql, [], |r| r.get(0)).optional()?;
    match known {
        Some(check) if check != key.fingerprint() => Err(ServerError::WrongKey(path.display().to_string()).into()),
        _ => Ok(()),
    }
}

fn summarise(conn: &Connection, schema: &str) -> Result<BackupSummary, BackupError> {
    let ok: String = conn.query_row(&format!("PRAGMA {schema}.quick_check"), [], |r| r.get(0))?;
    if ok != "ok" {
        return Err(BackupError::Refused(format!("the copy does not pass SQLite's quick check: {ok}")));
    }
    let schema_version: u32 = conn.query_row(&format!("PRAGMA {schema}.user_version"), [], |r| r.get(0))?;
    let (records, max_seq): (i64, i64) =
        conn.query_row(&format!("SELECT count(*), coalesce(max(server_seq), 0) FROM {schema}.records"), [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let audit: i64 = conn.query_row(&format!("SELECT count(*) FROM {schema}.audit_log"), [], |r| r.get(0))?;
    Ok(BackupSummary {
        bytes: 0,
        schema: schema_version,
        records: records as u64,
        max_server_seq: max_seq as u64,
        audit_entries: audit as u64,
    })
}

fn partial_path(to: &Path) -> PathBuf {
    let mut name = to.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    to.with_file_name(name)
}

/// Makes a rename durable (the directory entry); best effort where directories cannot be opened.
fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}
