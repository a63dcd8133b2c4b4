//! The server's tests on PostgreSQL (issue 20). With `QAR_TEST_STORE=postgres` and the test
//! cluster's address in `QAR_TEST_DATABASE_URL` (`./x test` sets both for the second run of the
//! server's tests), every server a test starts gets a new database of its own on the cluster.

use super::db::{Connection, OptionalExtension};
use super::StoreError;
use sha2::Digest;

/// The database for a server a test starts on `data_dir`, when the tests run on PostgreSQL:
/// one per data folder, made on first use, so a test that restarts its server (or runs the
/// binary on the same folder) finds its data again.
pub fn database_for_this_server(data_dir: &std::path::Path) -> Result<Option<String>, StoreError> {
    if std::env::var("QAR_TEST_STORE").as_deref() != Ok("postgres") {
        return Ok(None);
    }
    let cluster = std::env::var("QAR_TEST_DATABASE_URL")
        .map_err(|_| StoreError::Invalid("QAR_TEST_STORE=postgres needs the test cluster in QAR_TEST_DATABASE_URL".into()))?;
    let folder = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_owned());
    let digest = sha2::Sha256::digest(folder.to_string_lossy().as_bytes());
    let name = format!("qar_test_{}", digest.iter().take(12).map(|b| format!("{b:02x}")).collect::<String>());
    database(&cluster, &name).map(Some)
}

/// Makes an empty database on the cluster (byte-order text, as the store asks); its URL.
pub fn fresh_database(cluster: &str) -> Result<String, StoreError> {
    database(cluster, &format!("qar_test_{}", uuid::Uuid::now_v7().simple()))
}

/// The URL of database `name` on the cluster, made if it is not there yet.
fn database(cluster: &str, name: &str) -> Result<String, StoreError> {
    let admin = Connection::connect_postgres(cluster)?;
    let exists = admin.query_row("SELECT 1 FROM pg_database WHERE datname = ?1", [name], |_| Ok(())).optional()?.is_some();
    if !exists {
        admin.execute_batch(&format!(
            "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' STRATEGY FILE_COPY"
        ))?;
    }
    let base = cluster.rsplit_once('/').map(|(base, _)| base).ok_or_else(|| StoreError::Invalid(format!("no database in {cluster}")))?;
    Ok(format!("{base}/{name}"))
}

/// A connection of its own to the store of a server a test started in `data_dir`, to read (or
/// tamper with) what the API does not show: that server's database in the PostgreSQL run,
/// otherwise its SQLite file.
pub fn connect_for_test(data_dir: &std::path::Path) -> Result<Connection, StoreError> {
    Ok(match database_for_this_server(data_dir)? {
        Some(url) => Connection::connect_postgres(&url)?,
        None => Connection::from_sqlite(rusqlite::Connection::open(data_dir.join(super::STORE_FILE)).map_err(super::db::Error::from)?),
    })
}

/// The store of `data_dir` as `pg_dump` prints it (rows only, or schema and rows), in the
/// PostgreSQL run; `None` on SQLite. Equal rows before and after an action mean it wrote nothing;
/// the whole dump is what someone with the database sees.
pub fn pg_dump(data_dir: &std::path::Path, rows_only: bool) -> Result<Option<Vec<u8>>, StoreError> {
    let Some(url) = database_for_this_server(data_dir)? else { return Ok(None) };
    let bin = std::env::var("QAR_PGBIN").unwrap_or_else(|_| "/usr/lib/postgresql/15/bin".into());
    let mut dump = std::process::Command::new(std::path::Path::new(&bin).join("pg_dump"));
    if rows_only {
        dump.arg("--data-only");
    }
    let out = dump.args(["--dbname", &url]).output().map_err(|e| StoreError::Invalid(format!("pg_dump could not run: {e}")))?;
    if !out.status.success() {
        return Err(StoreError::Invalid(format!("pg_dump: {}", String::from_utf8_lossy(&out.stderr))));
    }
    // pg_dump wraps its output in `\restrict KEY` … `\unrestrict KEY` with a new random key each
    // time (a psql safeguard); without those lines two dumps of the same rows are equal.
    let text = String::from_utf8_lossy(&out.stdout);
    let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with("\\restrict ") && !l.starts_with("\\unrestrict ")).collect();
    Ok(Some(kept.join("\n").into_bytes()))
}
