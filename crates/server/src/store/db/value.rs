//! The values that cross the store's database layer, one set for both databases: what a
//! statement is given (`ToSql`) and what a row gives back (`FromSql`). They are SQLite's five
//! storage classes, which every column of the store fits; PostgreSQL columns map onto them.

use super::{Error, Result};

/// A value as stored: SQLite's storage classes.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// What kind of value a column held, for conversion errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Null,
    Integer,
    Real,
    Text,
    Blob,
}

impl std::fmt::Display for Type {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Type::Null => "null",
            Type::Integer => "integer",
            Type::Real => "real",
            Type::Text => "text",
            Type::Blob => "blob",
        })
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_owned())
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Integer(i)
    }
}

impl Value {
    /// The text, or why this is not text.
    pub fn as_str(&self) -> std::result::Result<&str, String> {
        match self {
            Value::Text(s) => Ok(s),
            other => Err(format!("expected text, found {}", other.data_type())),
        }
    }

    pub fn data_type(&self) -> Type {
        match self {
            Value::Null => Type::Null,
            Value::Integer(_) => Type::Integer,
            Value::Real(_) => Type::Real,
            Value::Text(_) => Type::Text,
            Value::Blob(_) => Type::Blob,
        }
    }
}

/// A Rust value a statement can be given.
pub trait ToSql {
    fn to_sql(&self) -> Result<Value>;
}

/// A Rust value a column can be read as.
pub trait FromSql: Sized {
    fn from_sql(v: &Value) -> std::result::Result<Self, FromSqlError>;
}

/// Why a column could not be read as the type asked for.
#[derive(Debug)]
pub enum FromSqlError {
    InvalidType,
    OutOfRange(i64),
    Other(Box<dyn std::error::Error + Send + Sync>),
}

impl<T: ToSql + ?Sized> ToSql for &T {
    fn to_sql(&self) -> Result<Value> {
        (**self).to_sql()
    }
}

impl<T: ToSql> ToSql for Option<T> {
    fn to_sql(&self) -> Result<Value> {
        self.as_ref().map_or(Ok(Value::Null), ToSql::to_sql)
    }
}

impl<T: ToSql + ?Sized> ToSql for Box<T> {
    fn to_sql(&self) -> Result<Value> {
        (**self).to_sql()
    }
}

impl ToSql for Value {
    fn to_sql(&self) -> Result<Value> {
        Ok(self.clone())
    }
}

impl ToSql for str {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Text(self.to_owned()))
    }
}

impl ToSql for String {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Text(self.clone()))
    }
}

impl ToSql for [u8] {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Blob(self.to_vec()))
    }
}

impl ToSql for Vec<u8> {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Blob(self.clone()))
    }
}

impl<const N: usize> ToSql for [u8; N] {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Blob(self.to_vec()))
    }
}

impl ToSql for bool {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Integer(i64::from(*self)))
    }
}

impl ToSql for f64 {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Real(*self))
    }
}

macro_rules! integer_to_sql {
    ($($t:ty),*) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> Result<Value> {
                i64::try_from(*self).map(Value::Integer).map_err(|e| Error::ToSqlConversionFailure(Box::new(e)))
            }
        }
    )*};
}
integer_to_sql!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);

impl FromSql for Value {
    fn from_sql(v: &Value) -> std::result::Result<Self, FromSqlError> {
        Ok(v.clone())
    }
}

impl<T: FromSql> FromSql for Option<T> {
    fn from_sql(v: &Value) -> std::result::Result<Self, FromSqlError> {
        match v {
            Value::Null => Ok(None),
            other => T::from_sql(other).map(Some),
        }
    }
}

impl FromSql for String {
    fn from_sql(v: &Value) -> std::result::Result<Self, FromSqlError> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

impl FromSql for Vec<u8> {
    fn from_sql(v: &Value) -> std::result::Result<Self, FromSqlError> {
        match v {
            Value::Blob(b) => Ok(b.clone()),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

impl FromSql for f64 {
    fn from_sql(v: &Value) -> std::result::Result<Self, FromSqlError> {
        match v {
            Value::Real(f) => Ok(*f),
            Value::Integer(i) => Ok(*i as f64),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

impl FromSql for bool {
    fn from_sql(v: &Value) -> std::result::Result<Self, FromSqlError> {
        match v {
            Value::Integer(i) => Ok(*i != 0),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

macro_rules! integer_from_sql {
    ($($t:ty),*) => {$(
        impl FromSql for $t {
            fn from_sql(v: &Value) -> std::result::Result<Self, FromSqlError> {
                match v {
                    Value::Integer(i) => <$t>::try_from(*i).map_err(|_| FromSqlError::OutOfRange(*i)),
                    _ => Err(FromSqlError::InvalidType),
                }
            }
        }
    )*};
}
integer_from_sql!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);
