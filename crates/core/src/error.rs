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
    #[error("Framework version '{0}' is not known")]
    UnknownFramework(String),
    #[error("Area '{area}' is not part of framework {version}")]
    UnknownArea { area: String, version: &'static str },
    #[error("Estimate '{value}' is not in framework {version} area '{area}' (choose {choices})")]
    EstimateNotInScale { value: String, version: &'static str, area: &'static str, choices: String },
    #[error("{field} must be between {min} and {max}, got {value}")]
    OutOfRange { field: &'static str, value: i64, min: i64, max: i64 },
    #[error("'{0}' is not an email address")]
    BadEmail(String),
    #[error("{later} must not be before {earlier}")]
    DateOrder { later: &'static str, earlier: &'static str },
    #[error("{field} '{value}' must be a short code of lower-case letters, digits and underscores")]
    BadCode { field: &'static str, value: String },
    /// A name with a control character (NUL, a line break…) or a text-direction override that
    /// would make it display differently from what is stored.
    #[error("{field} contains a hidden control or text-direction character ({code}): type it again instead of pasting it")]
    HiddenCharacter { field: &'static str, code: String },
    #[error("A review cannot move from {from} to {to}")]
    NoTransition { from: &'static str, to: &'static str },
}

/// "a, b or c": how a list of choices reads in a message.
pub(crate) fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
