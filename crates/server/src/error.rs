//! Errors at the two edges of the server: HTTP replies (`ApiError`) and start-up (`ServerError`).

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use qar_core::protocol::ErrorBody;
use serde_json::{json, Value};
use std::net::SocketAddr;

/// Every error reply: a status and the JSON body `{code, message, details}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into(), details: Value::Null }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {e}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the server hit an unexpected error; nothing was changed")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // A refusal that says when to come back says it in the standard header too (issue 15).
        let retry_after = self.details.get("retry_after_s").and_then(Value::as_u64);
        let body = ErrorBody { code: self.code.to_owned(), message: self.message, details: self.details };
        let mut resp = (self.status, Json(body)).into_response();
        if let Some(s) = retry_after {
            resp.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(s));
        }
        resp
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let (status, code) = match &r {
            JsonRejection::JsonDataError(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            JsonRejection::JsonSyntaxError(_) => (StatusCode::BAD_REQUEST, "malformed_json"),
            JsonRejection::MissingJsonContentType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "expected_json"),
            _ if r.status() == StatusCode::PAYLOAD_TOO_LARGE => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
            _ => (r.status(), "bad_body"),
        };
        ApiError::new(status, code, r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_query", r.body_text())
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::StoreError as E;
        match e {
            E::SeqGap { expected, got } => ApiError::new(
                StatusCode::CONFLICT,
                "seq_gap",
                format!("ops must continue from seq {expected}, this batch starts at {got}; push the earlier ops first"),
            )
            .with_details(json!({ "expected": expected, "got": got })),
            E::NotContiguous { after, got } => ApiError::new(
                StatusCode::BAD_REQUEST,
                "not_contiguous",
                format!("ops in one push must have consecutive seq numbers: {got} follows {after}"),
            ),
            E::UpdateRequired { got, oldest } => ApiError::new(
                StatusCode::UPGRADE_REQUIRED,
                "update_required",
                format!("this app writes data schema {got}; the server accepts {oldest} or newer. Update QAR Field, then sync again"),
            )
            .with_details(json!({ "got": got, "oldest_accepted": oldest })),
            E::NotOnReview { review_id, seq } => ApiError::new(
                StatusCode::FORBIDDEN,
                "not_on_review",
                "This push includes work on a review you are not part of, so none of it was saved. Ask the review's hub coordinator to add you to its team.",
            )
            .with_details(json!({ "review_id": review_id, "seq": seq })),
            E::UnknownReview(id) => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_review", format!("There is no review {id} on the server.")).with_details(json!({ "review_id": id }))
            }
            E::Denied { code, message } => ApiError::new(StatusCode::FORBIDDEN, code, message),
            E::ReportChanged { current_hash } => ApiError::new(
                StatusCode::CONFLICT,
                "report_changed",
                "The report changed after you read it. Sync, read it again, then decide.",
            )
            .with_details(json!({ "current_hash": current_hash })),
            E::Invalid(message) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message),
            E::Refused { status, code, message, details } => {
                ApiError::new(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), code, message).with_details(details)
            }
            E::Db(e) => ApiError::internal(e),
            E::Corrupt { what, detail } => {
                tracing::error!(what = %what, "stored data does not read back: {detail}");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "stored_data_unreadable",
                    "Some data stored on the server cannot be read, so nothing was changed. Tell the server's administrator: the server log says which record.",
                )
                .with_details(json!({ "what": what }))
            }
            E::Commit(e) => ApiError::internal(e),
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("could not create the data folder {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error(transparent)]
    Db(#[from] qar_dbkit::DbError),
    #[error("database error: {0}")]
    Store(#[from] crate::store::StoreError),
    /// The server key is missing, unreadable, exposed, or not this data folder's (issue 15).
    #[error("server key: {0}")]
    Key(#[from] crate::server_key::KeyError),
    #[error("this server key does not belong to the data folder {0}: start with the key it was made with (--key-file or QAR_SERVER_KEY)")]
    WrongKey(String),
    #[error(transparent)]
    Tls(#[from] crate::net::TlsError),
    #[error("could not listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
}

/// Sign-in and device refusals (crate::auth).
impl From<crate::auth::AuthError> for ApiError {
    fn from(e: crate::auth::AuthError) -> ApiError {
        use crate::auth::AuthError as E;
        let unauthorized = StatusCode::UNAUTHORIZED;
        match e {
            E::Unauthenticated => ApiError::new(
                unauthorized,
                "unauthenticated",
                "Sign in first: this request needs an 'Authorization: Bearer <token>' header.",
            ),
            E::InvalidToken => ApiError::new(unauthorized, "invalid_token", "This sign-in is not recognised. Sign in again."),
            E::DeviceRevoked { reason, by_admin, revoked_ms } => {
                let message = if by_admin {
                    format!("This laptop was signed out by an administrator: {reason}. Unsent work is kept on it.")
                } else {
                    format!("This laptop was signed out ({reason}). Sign in again to sync; unsent work is kept on it.")
                };
                ApiError::new(unauthorized, "device_revoked", message)
                    .with_details(json!({ "reason": reason, "by_admin": by_admin, "revoked_ms": revoked_ms }))
            }
            E::TokenExpired { expired_ms } => ApiError::new(
                unauthorized,
                "token_expired",
                "This laptop's sign-in has expired. Sign in again to sync; unsent work is kept on it.",
            )
            .with_details(json!({ "expired_ms": expired_ms })),
            E::InvalidCredentials => ApiError::new(unauthorized, "invalid_credentials", crate::auth::INVALID_CREDENTIALS_MESSAGE),
            E::AccountDisabled => ApiError::new(
                StatusCode::FORBIDDEN,
                "account_disabled",
                "This account is switched off. Ask your Challenge Partners administrator to switch it back on.",
            ),
            E::TooManyAttempts { retry_after_s } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                format!("Too many sign-in attempts. Wait {} and try again.", minutes(retry_after_s)),
            )
            .with_details(json!({ "retry_after_s": retry_after_s })),
            E::Busy => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "server_busy",
                "The server is busy checking other sign-ins. Wait a few seconds and try again.",
            )
            .with_details(json!({ "retry_after_s": 2 })),
            E::DeviceInUse => ApiError::new(
                StatusCode::CONFLICT,
                "device_in_use",
                "This laptop was signed in by someone else, and its record of sent work is theirs. Ask your administrator to release the laptop for you.",
            ),
            E::Forbidden(reason) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", reason),
            E::DeviceNotFound => ApiError::new(StatusCode::NOT_FOUND, "device_not_found", "No laptop with that id has signed in."),
            E::Invalid { code, message } => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message),
            E::Crypto(e) => ApiError::internal(e),
            E::Db(e) => ApiError::internal(e),
        }
    }
}

fn minutes(seconds: u64) -> String {
    match seconds {
        0..=60 => "a minute".to_owned(),
        s => format!("{} minutes", s.div_ceil(60)),
    }
}
