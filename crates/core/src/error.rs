use thiserror::Error;

/// A refusal a reviewer can read: each message says what was wrong in the user's terms.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValidationError {
    #[error("URN '{0}' is not valid: a school's URN is exactly six digits")]
    BadUrn(String),
    #[error("Activity type '{0}' is not one we record (use one of: {list})", list = crate::ActivityType::codes().join(", "))]
    UnknownActivityType(String),
    #[error("Review state '{0}' is not a state of the review lifecycle")]
    UnknownReviewState(String),
    #[error("{field} must be a date written as YYYY-MM-DD, got '{value}'")]
    BadDate { field: &'static str, value: String },
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} is too long: {len} characters, the limit is {max}")]
    TooLong { field: &'static str, len: usize, max: usize },
    #[error("{field} has the wrong kind of value: expected {expected}")]
    WrongType { field: String, expected: &'static str },
    #[error("'{field}' is not a field of a {entity}")]
    UnknownField { entity: &'static str, field: String },
    #[error("'{0}' is not a kind of record we sync")]
    UnknownEntity(String),
}
