//! The store's one way to the database (issue 20): SQLite (embedded, the default) or
//! PostgreSQL behind the same small API. It keeps the shape of rusqlite's, which the store was
//! written against, so store code reads the same whichever database is underneath: a
//! `Connection` runs statements and opens a `Transaction`; rows come back as `Row`s of
//! [`Value`]s read with `get`. Statements are written once, in SQL both databases accept;
//! [`dialect`] rewrites the few spellings that differ for PostgreSQL.
//!
//! Rows are read whole before a caller sees them: a statement never stays open across
//! another one, which PostgreSQL's protocol would not allow on one connection.

pub mod dialect;
pub mod feed_listener;
mod params;
mod postgres;
mod sqlite;
mod value;

pub use crate::qar_db_params as params;
pub use params::{params_from_iter, Params, ParamsFromIter};
pub use value::{FromSql, FromSqlError, ToSql, Type, Value};

use std::sync::Arc;

/// A PostgreSQL URL as it may be shown in a log or an error: user, hosts, ports and database,
/// never the password (nor any other setting, which might carry one).
pub fn shown_url(url: &str) -> String {
    use tokio_postgres::config::Host;
    let Ok(config) = url.parse::<tokio_postgres::Config>() else {
        return "(a PostgreSQL address that could not be read)".to_owned();
    };
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let host = match h {
                Host::Tcp(name) => name.clone(),
                #[cfg(unix)]
                Host::Unix(path) => path.display().to_string(),
            };
            match config.get_ports().get(i).or(config.get_ports().first()) {
                Some(port) => format!("{host}:{port}"),
                None => host,
            }
        })
        .collect();
    let user = config.get_user().map(|u| format!("{u}@")).unwrap_or_default();
    format!("postgres://{user}{}/{}", hosts.join(","), config.get_dbname().unwrap_or(""))
}

/// The database behind a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What went wrong in the database layer. Named as rusqlite names them, so the store's code
/// (which matches on a few) reads the same.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("query returned no rows")]
    QueryReturnedNoRows,
    /// A column could not be read as the type asked for.
    #[error("conversion error from type {1} at index {0}: {2}")]
    FromSqlConversionFailure(usize, Type, Box<dyn std::error::Error + Send + Sync>),
    #[error("integer {1} out of range at index {0}")]
    IntegralValueOutOfRange(usize, i64),
    #[error("invalid column type {2} at index {0}, name {1}")]
    InvalidColumnType(usize, String, Type),
    #[error("invalid column index {0}")]
    InvalidColumnIndex(usize),
    #[error("invalid column name {0}")]
    InvalidColumnName(String),
    #[error("a value could not be given to the database: {0}")]
    ToSqlConversionFailure(Box<dyn std::error::Error + Send + Sync>),
    /// A unique, primary-key, foreign-key or check constraint refused the write.
    #[error("constraint failed: {0}")]
    Constraint(String),
    /// A MAC or seal was asked of a connection that was not given the server key (only the
    /// writer is: see `Connection::set_server_key`).
    #[error("this connection holds no server key")]
    NoServerKey,
    #[error(transparent)]
    Sqlite(rusqlite::Error),
    #[error("{}", postgres::describe(.0))]
    Postgres(tokio_postgres::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        sqlite::error(e)
    }
}

/// `.optional()` on a single-row read: no row is `None`, as with rusqlite.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// One row, read whole.
#[derive(Debug, Clone)]
pub struct Row {
    names: Arc<[String]>,
    values: Vec<Value>,
}

/// A column by position or by name.
pub trait RowIndex {
    fn index(&self, row: &Row) -> Result<usize>;
}

impl RowIndex for usize {
    fn index(&self, row: &Row) -> Result<usize> {
        if *self < row.values.len() {
            Ok(*self)
        } else {
            Err(Error::InvalidColumnIndex(*self))
        }
    }
}

impl RowIndex for &str {
    fn index(&self, row: &Row) -> Result<usize> {
        row.names.iter().position(|n| n.eq_ignore_ascii_case(self)).ok_or_else(|| Error::InvalidColumnName((*self).to_owned()))
    }
}

impl Row {
    pub(crate) fn new(names: Arc<[String]>, values: Vec<Value>) -> Row {
        Row { names, values }
    }

    pub fn get<I: RowIndex, T: FromSql>(&self, idx: I) -> Result<T> {
        let i = idx.index(self)?;
        let v = &self.values[i];
        T::from_sql(v).map_err(|e| match e {
            FromSqlError::InvalidType => Error::InvalidColumnType(i, self.names[i].clone(), v.data_type()),
            FromSqlError::OutOfRange(n) => Error::IntegralValueOutOfRange(i, n),
            FromSqlError::Other(inner) => Error::FromSqlConversionFailure(i, v.data_type(), inner),
        })
    }

    /// The value as stored, without conversion.
    pub fn get_ref<I: RowIndex>(&self, idx: I) -> Result<&Value> {
        let i = idx.index(self)?;
        Ok(&self.values[i])
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// The rows of a query, read whole; `next` as with rusqlite's `Rows`.
pub struct Rows {
    names: Arc<[String]>,
    rows: std::vec::IntoIter<Row>,
    current: Option<Row>,
}

impl Rows {
    /// The names of the query's columns, in order.
    pub fn column_names(&self) -> &[String] {
        &self.names
    }

    #[allow(clippy::should_implement_trait)] // rusqlite's shape: `while let Some(r) = rows.next()?`
    pub fn next(&mut self) -> Result<Option<&Row>> {
        self.current = self.rows.next();
        Ok(self.current.as_ref())
    }
}

/// What a query hands back before rows are mapped: column names and rows.
pub(crate) struct Fetched {
    pub names: Arc<[String]>,
    pub rows: Vec<Row>,
}

enum Inner {
    Sqlite(rusqlite::Connection),
    Postgres(Box<std::cell::RefCell<postgres::PgConn>>),
}

/// A connection to the store's database.
pub struct Connection {
    inner: Inner,
    /// The server key on the writer: audit entries are MACed and mail values sealed inside
    /// the transaction that writes them, by whichever helper writes them (decision 91).
    key: Option<Arc<crate::server_key::ServerKey>>,
}

impl Connection {
    pub fn from_sqlite(conn: rusqlite::Connection) -> Connection {
        Connection { inner: Inner::Sqlite(conn), key: None }
    }

    /// Connects to PostgreSQL at `url` (`postgres://user@host:port/database`).
    pub fn connect_postgres(url: &str) -> Result<Connection> {
        let conn = postgres::PgConn::connect(url)?;
        Ok(Connection { inner: Inner::Postgres(Box::new(std::cell::RefCell::new(conn))), key: None })
    }

    /// Gives this connection the server key (the writer's, for what it MACs and seals).
    pub fn set_server_key(&mut self, key: Arc<crate::server_key::ServerKey>) {
        self.key = Some(key);
    }

    /// The server key, on a connection that was given it.
    pub fn server_key(&self) -> Result<&crate::server_key::ServerKey> {
        self.key.as_deref().ok_or(Error::NoServerKey)
    }

    pub fn backend(&self) -> Backend {
        match self.inner {
            Inner::Sqlite(_) => Backend::Sqlite,
            Inner::Postgres(_) => Backend::Postgres,
        }
    }

    /// The SQLite connection underneath, for what only SQLite has (its key, backups).
    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.inner {
            Inner::Sqlite(c) => Some(c),
            Inner::Postgres(_) => None,
        }
    }

    pub fn sqlite_mut(&mut self) -> Option<&mut rusqlite::Connection> {
        match &mut self.inner {
            Inner::Sqlite(c) => Some(c),
            Inner::Postgres(_) => None,
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        let values = params.values()?;
        match &self.inner {
            Inner::Sqlite(c) => sqlite::execute(c, sql, &values),
            Inner::Postgres(c) => postgres::execute(&mut c.borrow_mut(), sql, &values),
        }
    }

    /// Runs statements separated by `;`, without parameters.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.inner {
            Inner::Sqlite(c) => c.execute_batch(sql).map_err(sqlite::error),
            Inner::Postgres(c) => postgres::execute_batch(&mut c.borrow_mut(), sql),
        }
    }

    fn fetch(&self, sql: &str, values: &[Value]) -> Result<Fetched> {
        match &self.inner {
            Inner::Sqlite(c) => sqlite::fetch(c, sql, values),
            Inner::Postgres(c) => postgres::fetch(&mut c.borrow_mut(), sql, values),
        }
    }

    /// The first row of a query, mapped; `QueryReturnedNoRows` when there is none.
    pub fn query_row<T, P: Params, F: FnOnce(&Row) -> Result<T>>(&self, sql: &str, params: P, f: F) -> Result<T> {
        let fetched = self.fetch(sql, &params.values()?)?;
        let row = fetched.rows.first().ok_or(Error::QueryReturnedNoRows)?;
        f(row)
    }

    /// A statement to run (perhaps many times). Nothing is sent until it runs.
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        Ok(Statement { conn: self, sql: sql.to_owned() })
    }

    /// As `prepare`: each backend keeps its own cache of prepared statements.
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'_>> {
        self.prepare(sql)
    }

    /// Opens a transaction that takes the write lock at once: SQLite `BEGIN IMMEDIATE`;
    /// PostgreSQL `BEGIN` and the store's one transaction-scoped advisory lock, so writers
    /// (of every server instance) follow each other as they do on SQLite. This is what keeps
    /// the change feed gap-free: a seq is only handed out after the previous writer's commit
    /// is visible.
    pub fn transaction(&mut self) -> Result<Transaction<'_>> {
        match &self.inner {
            Inner::Sqlite(c) => c.execute_batch("BEGIN IMMEDIATE").map_err(sqlite::error)?,
            Inner::Postgres(c) => postgres::begin_write(&mut c.borrow_mut())?,
        }
        Ok(Transaction { conn: self, done: false, writes: true })
    }

    /// Opens a read-only transaction: one consistent snapshot for every statement in it.
    pub fn read_transaction(&mut self) -> Result<Transaction<'_>> {
        match &self.inner {
            Inner::Sqlite(c) => c.execute_batch("BEGIN DEFERRED").map_err(sqlite::error)?,
            Inner::Postgres(c) => postgres::begin_read(&mut c.borrow_mut())?,
        }
        Ok(Transaction { conn: self, done: false, writes: false })
    }
}

/// A transaction; rolled back when dropped without `commit`.
pub struct Transaction<'c> {
    conn: &'c Connection,
    done: bool,
    /// A writing transaction (not `read_transaction`): on PostgreSQL it tells the other server
    /// instances when it commits.
    writes: bool,
}

impl Transaction<'_> {
    pub fn commit(mut self) -> Result<()> {
        if self.writes && self.conn.backend() == Backend::Postgres {
            // Delivered at commit (and only if it commits) to every instance's feed listener,
            // whose long-polls then wake (decision 98). A failure here leaves `done` unset, so
            // the transaction is rolled back when dropped.
            self.conn.execute_batch(&format!("NOTIFY {}", feed_listener::FEED_CHANNEL))?;
        }
        self.done = true;
        self.conn.execute_batch("COMMIT")
    }

    pub fn rollback(mut self) -> Result<()> {
        self.done = true;
        self.conn.execute_batch("ROLLBACK")
    }
}

impl<'c> Transaction<'c> {
    /// A savepoint inside this transaction: what is done after it can be undone alone.
    pub fn savepoint(&mut self) -> Result<Savepoint<'_>> {
        self.conn.execute_batch("SAVEPOINT qar_sp")?;
        Ok(Savepoint { conn: self.conn, done: false })
    }
}

/// A savepoint; rolled back when dropped without `commit`. One at a time per transaction.
pub struct Savepoint<'c> {
    conn: &'c Connection,
    done: bool,
}

impl Savepoint<'_> {
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        self.conn.execute_batch("RELEASE SAVEPOINT qar_sp")
    }

    pub fn rollback(mut self) -> Result<()> {
        self.done = true;
        self.conn.execute_batch("ROLLBACK TO SAVEPOINT qar_sp; RELEASE SAVEPOINT qar_sp")
    }
}

impl std::ops::Deref for Savepoint<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Drop for Savepoint<'_> {
    fn drop(&mut self) {
        if !self.done {
            if let Err(e) = self.conn.execute_batch("ROLLBACK TO SAVEPOINT qar_sp; RELEASE SAVEPOINT qar_sp") {
                tracing::warn!("rolling back to a savepoint failed: {e}");
            }
        }
    }
}

impl std::ops::Deref for Transaction<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Nothing of it is kept; a failed rollback leaves the connection to the next BEGIN,
            // which then fails loudly rather than writing into a half-done transaction.
            if let Err(e) = self.conn.execute_batch("ROLLBACK") {
                tracing::warn!("rolling back a transaction failed: {e}");
            }
        }
    }
}

/// A statement bound to its connection, run with parameters.
pub struct Statement<'c> {
    conn: &'c Connection,
    sql: String,
}

impl Statement<'_> {
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        self.conn.execute(&self.sql, params)
    }

    pub fn query_row<T, P: Params, F: FnOnce(&Row) -> Result<T>>(&mut self, params: P, f: F) -> Result<T> {
        self.conn.query_row(&self.sql, params, f)
    }

    /// Every row, mapped; the mapping runs before the first is returned.
    pub fn query_map<T, P: Params, F: FnMut(&Row) -> Result<T>>(&mut self, params: P, f: F) -> Result<std::vec::IntoIter<Result<T>>> {
        let fetched = self.conn.fetch(&self.sql, &params.values()?)?;
        Ok(fetched.rows.iter().map(f).collect::<Vec<_>>().into_iter())
    }

    pub fn query<P: Params>(&mut self, params: P) -> Result<Rows> {
        let fetched = self.conn.fetch(&self.sql, &params.values()?)?;
        Ok(Rows { names: fetched.names, rows: fetched.rows.into_iter(), current: None })
    }

    pub fn exists<P: Params>(&mut self, params: P) -> Result<bool> {
        Ok(!self.conn.fetch(&self.sql, &params.values()?)?.rows.is_empty())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_shown_url_keeps_where_it_points_and_drops_the_password() {
        let shown = super::shown_url("postgres://qar:s3cret@db.example.org:5433/qar_field?sslmode=require");
        assert_eq!(shown, "postgres://qar@db.example.org:5433/qar_field");
        let shown = super::shown_url("host=10.0.0.5 port=5432 user=qar password=s3cret dbname=qar_field");
        assert_eq!(shown, "postgres://qar@10.0.0.5:5432/qar_field");
        assert!(!super::shown_url("postgres://qar:s3cret@[::1").contains("s3cret"), "an unreadable URL is not echoed");
    }
}
