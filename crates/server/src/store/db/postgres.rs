//! The PostgreSQL side of the database layer. Statements are rewritten by [`super::dialect`]
//! and prepared once per connection. PostgreSQL types each parameter from where it stands in
//! the statement, so a [`Value`] is encoded as the type the server asked for (an integer for
//! a `bigint` column, text for `text`); columns come back as the five [`Value`] kinds.
//!
//! The store is synchronous and is called both from blocking threads and from inside the
//! server's async tasks (and tests). tokio-postgres runs on a small runtime of this layer's own;
//! a call hands its work to that runtime and waits on a channel, which works from any thread,
//! where blocking on a runtime from inside another one would panic.

use super::{dialect, Error, Fetched, Result, Row, Value};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use tokio_postgres::types::{FromSql, IsNull, Kind, ToSql, Type};

/// The runtime that drives every PostgreSQL connection's socket.
pub(super) fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("qar-postgres")
            .enable_all()
            .build()
            .expect("a runtime for the PostgreSQL connections")
    })
}

/// Runs `work` on the database runtime and waits for its answer on this thread.
fn wait<T: Send + 'static>(work: impl std::future::Future<Output = T> + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    runtime().spawn(async move {
        let _ = tx.send(work.await);
    });
    rx.recv().expect("the PostgreSQL runtime answers every call it is given")
}

/// A PostgreSQL connection with its prepared statements.
pub struct PgConn {
    client: Arc<tokio_postgres::Client>,
    prepared: HashMap<String, tokio_postgres::Statement>,
}

impl PgConn {
    /// Connects to `url`; the connection's socket is driven on the database runtime until the
    /// client is dropped.
    pub fn connect(url: &str) -> Result<PgConn> {
        let url = url.to_owned();
        let client = wait(async move {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::warn!("a PostgreSQL connection ended: {e}");
                }
            });
            Ok::<_, tokio_postgres::Error>(client)
        })
        .map_err(error)?;
        Ok(PgConn { client: Arc::new(client), prepared: HashMap::new() })
    }

    fn statement(&mut self, sql: &str) -> Result<tokio_postgres::Statement> {
        if let Some(s) = self.prepared.get(sql) {
            return Ok(s.clone());
        }
        let (client, text) = (self.client.clone(), dialect::to_postgres(sql));
        let stmt = wait(async move { client.prepare(&text).await }).map_err(error)?;
        self.prepared.insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }
}

/// What PostgreSQL said: tokio-postgres shows a refusal only as "db error" and keeps the server's
/// message (a trigger's words, a missing table's name) in its source, which is what people need.
pub(super) fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => match d.detail() {
            Some(detail) => format!("PostgreSQL: {} ({detail})", d.message()),
            None => format!("PostgreSQL: {}", d.message()),
        },
        None => match std::error::Error::source(e) {
            Some(cause) => format!("PostgreSQL: {e}: {cause}"),
            None => format!("PostgreSQL: {e}"),
        },
    }
}

pub(super) fn error(e: tokio_postgres::Error) -> Error {
    use tokio_postgres::error::SqlState;
    match e.code() {
        Some(c)
            if [SqlState::UNIQUE_VIOLATION, SqlState::FOREIGN_KEY_VIOLATION, SqlState::CHECK_VIOLATION, SqlState::NOT_NULL_VIOLATION]
                .contains(c) =>
        {
            Error::Constraint(e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_owned()))
        }
        _ => Error::Postgres(e),
    }
}

/// A [`Value`] encoded as the parameter type PostgreSQL chose.
#[derive(Debug)]
struct Param(Value);

impl ToSql for Param {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        let mismatch = || format!("a {:?} value cannot be given as {ty}", self.0.data_type());
        match (&self.0, ty.clone()) {
            (Value::Null, _) => Ok(IsNull::Yes),
            (Value::Integer(i), Type::INT8) => i.to_sql(ty, out),
            (Value::Integer(i), Type::INT4) => i32::try_from(*i)?.to_sql(ty, out),
            (Value::Integer(i), Type::INT2) => i16::try_from(*i)?.to_sql(ty, out),
            (Value::Integer(i), Type::BOOL) => (*i != 0).to_sql(ty, out),
            (Value::Integer(i), Type::FLOAT8) => (*i as f64).to_sql(ty, out),
            (Value::Integer(i), Type::NUMERIC) => {
                out.extend_from_slice(&numeric_from_i64(*i));
                Ok(IsNull::No)
            }
            (Value::Integer(i), Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN) => i.to_string().to_sql(ty, out),
            (Value::Real(f), Type::FLOAT8) => f.to_sql(ty, out),
            (Value::Real(f), Type::FLOAT4) => (*f as f32).to_sql(ty, out),
            (Value::Text(s), Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN) => s.as_str().to_sql(ty, out),
            (Value::Text(s), Type::JSON) => {
                out.extend_from_slice(s.as_bytes());
                Ok(IsNull::No)
            }
            (Value::Text(s), Type::JSONB) => {
                out.extend_from_slice(&[1]);
                out.extend_from_slice(s.as_bytes());
                Ok(IsNull::No)
            }
            (Value::Text(s), Type::INT8) => s.parse::<i64>().map_err(|_| mismatch())?.to_sql(ty, out),
            (Value::Text(s), Type::BYTEA) => s.as_bytes().to_sql(ty, out),
            (Value::Blob(b), Type::BYTEA) => b.as_slice().to_sql(ty, out),
            _ => Err(mismatch().into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    tokio_postgres::types::to_sql_checked!();
}

/// A column read as whichever [`Value`] its type maps to.
struct Column(Value);

impl<'a> FromSql<'a> for Column {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Column, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Column(match *ty {
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Integer(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => Value::Integer(i16::from_sql(ty, raw)?.into()),
            Type::BOOL => Value::Integer(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => Value::Blob(raw.to_vec()),
            Type::JSONB => Value::Text(String::from_utf8(raw.get(1..).unwrap_or_default().to_vec())?),
            _ => Value::Text(String::from_utf8(raw.to_vec())?),
        }))
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Column, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Column(Value::Null))
    }

    fn accepts(ty: &Type) -> bool {
        !matches!(ty.kind(), Kind::Array(_) | Kind::Composite(_) | Kind::Range(_))
    }
}

/// PostgreSQL's binary NUMERIC (what `sum` of integers gives): an integer when it has no
/// fraction, else a real. Digits are base 10,000, `weight` the power of the first.
fn numeric(raw: &[u8]) -> std::result::Result<Value, Box<dyn std::error::Error + Sync + Send>> {
    let word = |i: usize| -> std::result::Result<i64, String> {
        raw.get(i..i + 2).map(|b| i64::from(i16::from_be_bytes([b[0], b[1]]))).ok_or_else(|| "a NUMERIC value is cut short".to_owned())
    };
    let (ndigits, weight, sign, dscale) = (word(0)?, word(2)?, word(4)? as u16, word(6)?);
    if sign == 0xC000 {
        return Err("NaN is not a number this store keeps".into());
    }
    let mut whole: i128 = 0;
    let mut fraction = 0f64;
    for d in 0..ndigits {
        let digit = i128::from(word(8 + 2 * d as usize)?);
        let power = weight - d;
        if power >= 0 {
            whole += digit * 10_000i128.pow(power as u32);
        } else {
            fraction += digit as f64 * 10_000f64.powi(power as i32);
        }
    }
    let negative = sign == 0x4000;
    if dscale == 0 || fraction == 0.0 {
        let n = i64::try_from(whole)?;
        Ok(Value::Integer(if negative { -n } else { n }))
    } else {
        let f = whole as f64 + fraction;
        Ok(Value::Real(if negative { -f } else { f }))
    }
}

/// An integer as PostgreSQL's binary NUMERIC (where it stands beside a `sum`, say).
fn numeric_from_i64(i: i64) -> Vec<u8> {
    let mut n = i.unsigned_abs();
    let mut digits = Vec::new();
    while n > 0 {
        digits.push((n % 10_000) as i16);
        n /= 10_000;
    }
    digits.reverse();
    let weight = digits.len() as i16 - 1;
    let sign: u16 = if i < 0 { 0x4000 } else { 0 };
    let mut out = Vec::with_capacity(8 + 2 * digits.len());
    out.extend_from_slice(&(digits.len() as i16).to_be_bytes());
    out.extend_from_slice(&weight.max(0).to_be_bytes());
    out.extend_from_slice(&sign.to_be_bytes());
    out.extend_from_slice(&0i16.to_be_bytes());
    for d in digits {
        out.extend_from_slice(&d.to_be_bytes());
    }
    out
}

/// Runs a prepared statement with these values on the database runtime.
fn run<T: Send + 'static>(
    c: &PgConn,
    stmt: tokio_postgres::Statement,
    values: &[Value],
    work: impl for<'a> FnOnce(
            &'a tokio_postgres::Client,
            &'a tokio_postgres::Statement,
            Vec<&'a (dyn ToSql + Sync)>,
        )
            -> std::pin::Pin<Box<dyn std::future::Future<Output = std::result::Result<T, tokio_postgres::Error>> + Send + 'a>>
        + Send
        + 'static,
) -> Result<T> {
    let client = c.client.clone();
    let params: Vec<Param> = values.iter().cloned().map(Param).collect();
    wait(async move {
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        work(&client, &stmt, refs).await
    })
    .map_err(error)
}

pub(super) fn execute(c: &mut PgConn, sql: &str, values: &[Value]) -> Result<usize> {
    let stmt = c.statement(sql)?;
    let n = run(c, stmt, values, |client, stmt, refs| Box::pin(async move { client.execute(stmt, &refs).await }))?;
    Ok(n as usize)
}

pub(super) fn fetch(c: &mut PgConn, sql: &str, values: &[Value]) -> Result<Fetched> {
    let stmt = c.statement(sql)?;
    let names: Arc<[String]> = stmt.columns().iter().map(|col| col.name().to_owned()).collect();
    let rows = run(c, stmt, values, |client, stmt, refs| Box::pin(async move { client.query(stmt, &refs).await }))?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let mut vals = Vec::with_capacity(names.len());
        for i in 0..names.len() {
            vals.push(r.try_get::<_, Column>(i).map_err(error)?.0);
        }
        out.push(Row::new(names.clone(), vals));
    }
    Ok(Fetched { names, rows: out })
}

pub(super) fn execute_batch(c: &mut PgConn, sql: &str) -> Result<()> {
    let (client, sql) = (c.client.clone(), sql.to_owned());
    wait(async move { client.batch_execute(&sql).await }).map_err(error)
}

/// The key of the store's one advisory lock, taken by every writing transaction.
const WRITE_LOCK: i64 = 0x5141_525F_5752_4954; // "QAR_WRIT"

pub(super) fn begin_write(c: &mut PgConn) -> Result<()> {
    execute_batch(c, &format!("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock({WRITE_LOCK})"))
}

pub(super) fn begin_read(c: &mut PgConn) -> Result<()> {
    execute_batch(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
}

#[cfg(test)]
mod tests {
    use super::{numeric, numeric_from_i64, Value};

    #[test]
    fn integers_go_through_numeric_and_back() {
        for i in [0, 1, -1, 42, 9_999, 10_000, -123_456_789, i64::MAX, i64::MIN + 1] {
            assert_eq!(numeric(&numeric_from_i64(i)).unwrap(), Value::Integer(i), "{i}");
        }
    }
}
