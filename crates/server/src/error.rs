//! Errors at the two edges of the server: HTTP replies (`ApiError`) and start-up (`ServerError`).
//!
//! This is the one place that chooses HTTP statuses (issue 16): the store and the sign-in code
//! say what went wrong with an [`ErrorCode`] (or a typed variant), [`status_of`] turns the code
//! into a status, and the few codes whose status depends on where the thing was named are told
//! apart by the store error's variant. Errors are not logged where they are made: each reply
//! carries an [`ErrorLog`] extension that the [`log_errors`] middleware writes out once.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use qar_core::protocol::ErrorBody;
use qar_core::ErrorCode;
use serde_json::{json, Value};
use std::net::SocketAddr;

/// Every error reply: a status and the JSON body `{code, message, details}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub details: Value,
    /// What the server log should say beyond the code (the cause of an internal error). Never
    /// sent to the client: it may name files, SQL or stored values.
    cause: Option<String>,
}

/// The HTTP status for each code. Exhaustive on purpose: a new code does not compile until it
/// has a status here.
pub fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode as C;
    match code {
        C::MalformedJson | C::BadBody | C::BadQuery | C::InvalidReviewId | C::InvalidDeviceId | C::NotContiguous | C::CursorOutOfRange => {
            StatusCode::BAD_REQUEST
        }
        C::ReasonRequired | C::ReasonTooLong => StatusCode::BAD_REQUEST,
        C::Unauthenticated | C::InvalidToken | C::DeviceRevoked | C::TokenExpired | C::InvalidCredentials => StatusCode::UNAUTHORIZED,
        C::AccountDisabled | C::Forbidden | C::DeviceMismatch | C::NotOnReview | C::AdminOnly | C::NotYourHub => StatusCode::FORBIDDEN,
        C::LeadStays | C::CoordinatorAdds => StatusCode::FORBIDDEN,
        // The permission table's reasons (a `Denied` store error is 403 whatever its code).
        C::NotYourRole | C::OtherHub | C::NotYourEvidence | C::EvidenceReadOnly | C::WrongState | C::NeedsConnection => {
            StatusCode::FORBIDDEN
        }
        C::NotFound | C::UnknownVersion | C::DeviceNotFound | C::UnknownReview | C::UnknownHub | C::UnknownUser | C::UnknownSchool => {
            StatusCode::NOT_FOUND
        }
        C::UnknownCode => StatusCode::NOT_FOUND,
        C::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        C::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
        C::SeqGap
        | C::DeviceInUse
        | C::ReportChanged
        | C::AlreadyInHub
        | C::HubExists
        | C::ReviewExists
        | C::WrongOffset
        | C::PhotoNotUploaded
        | C::AccuracyCheckOpen
        | C::AccuracyCheckClosed => StatusCode::CONFLICT,
        C::LastAdmin | C::CannotDeactivateSelf | C::VisitStarted | C::FrameworkLocked | C::CodeUsed | C::NotRedeemed => {
            StatusCode::CONFLICT
        }
        // Adopting a closed review conflicts with its state (the permission table's 403 is `Denied`).
        C::AlreadyActive | C::InvitationPending | C::ReviewClosed => StatusCode::CONFLICT,
        C::CodeExpired | C::InvitationCancelled | C::TooManyCodes => StatusCode::GONE,
        C::BodyTooLarge | C::TooManyOps | C::FileTooLarge | C::ReviewStorageFull => StatusCode::PAYLOAD_TOO_LARGE,
        C::ExpectedJson | C::UnsupportedEncoding => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        C::UnknownHost => StatusCode::MISDIRECTED_REQUEST,
        C::InvalidBody | C::Invalid | C::InvalidDeviceName | C::DeviceActive | C::InvalidReason | C::InvalidDates | C::UnknownFramework => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        C::NoLeadReviewer | C::DuplicateMember | C::UserDeactivated | C::SchoolNotInHub | C::InvalidFile | C::NotPreviousReview => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        C::InvalidEmail | C::InvalidName | C::WeakPassword | C::InvalidTotp | C::HashMismatch | C::NotAMatterOfFact => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        C::UpdateRequired => StatusCode::UPGRADE_REQUIRED,
        C::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
        C::ServerBusy => StatusCode::SERVICE_UNAVAILABLE,
        C::Internal | C::StoredDataUnreadable => StatusCode::INTERNAL_SERVER_ERROR,
        // Op refusals travel inside a 200 push reply; should one ever become a reply of its own
        // it is the request's content that is refused.
        C::ServerField | C::ScheduledField | C::NotAdopted | C::ServerDecides | C::RemovedFromTeam | C::UnknownSchema | C::WrongReview => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        // Made by the laptop or the app's shell, never answered by the server.
        C::SignedOut
        | C::RateLimited
        | C::ServerRefused
        | C::Offline
        | C::InsecureServer
        | C::Protocol
        | C::Incomplete
        | C::OtherUser
        | C::WrongKey
        | C::WrongPassphrase
        | C::PassphraseNeeded
        | C::WrongPassword
        | C::LockNeedsSignIn
        | C::Vault
        | C::ReportInvalid
        | C::ExportFailed
        | C::AppTooOld
        | C::StoreUnavailable
        | C::StoreError
        | C::Locked
        | C::Wiped
        | C::UnsentWork
        | C::UpdateNotVerified
        | C::UpdateFailed => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ApiError {
    /// A refusal with the status [`status_of`] gives its code.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::with_status(status_of(code), code, message)
    }

    /// For the few replies whose status is not the code's usual one; only this module decides.
    fn with_status(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into(), details: Value::Null, cause: None }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// An unexpected failure: the client hears only that nothing was changed; the cause goes
    /// to the server log (by [`log_errors`]).
    pub fn internal(e: impl std::fmt::Display) -> Self {
        let mut error = ApiError::new(ErrorCode::Internal, "the server hit an unexpected error; nothing was changed");
        error.cause = Some(e.to_string());
        error
    }
}

/// What [`log_errors`] writes for an error reply, carried in the response's extensions.
#[derive(Debug, Clone)]
pub struct ErrorLog {
    pub code: ErrorCode,
    pub message: String,
    pub cause: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // A refusal that says when to come back says it in the standard header too (issue 15).
        let retry_after = self.details.get("retry_after_s").and_then(Value::as_u64);
        let log = ErrorLog { code: self.code, message: self.message.clone(), cause: self.cause };
        let body = ErrorBody::new(self.code, self.message, self.details);
        let mut resp = (self.status, Json(body)).into_response();
        if let Some(s) = retry_after {
            resp.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(s));
        }
        resp.extensions_mut().insert(log);
        resp
    }
}

/// The one place error replies are logged: server errors as errors (with their cause), refusals
/// at debug level (a refused request is the API working, and a fuzzer makes thousands).
pub async fn log_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    if let Some(e) = response.extensions().get::<ErrorLog>() {
        let status = response.status().as_u16();
        if response.status().is_server_error() {
            tracing::error!(%method, %path, status, code = %e.code, cause = e.cause.as_deref().unwrap_or(""), "{}", e.message);
        } else {
            tracing::debug!(%method, %path, status, code = %e.code, "{}", e.message);
        }
    }
    response
}

impl From<JsonRejection> for ApiError {
    /// The statuses axum gives body rejections, with our JSON body and a code for each.
    fn from(r: JsonRejection) -> Self {
        let code = match &r {
            JsonRejection::JsonDataError(_) => ErrorCode::InvalidBody,
            JsonRejection::JsonSyntaxError(_) => ErrorCode::MalformedJson,
            JsonRejection::MissingJsonContentType(_) => ErrorCode::ExpectedJson,
            _ if r.status() == StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::BodyTooLarge,
            _ => return ApiError::with_status(r.status(), ErrorCode::BadBody, r.body_text()),
        };
        ApiError::new(code, r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::new(ErrorCode::BadQuery, r.body_text())
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::StoreError as E;
        match e {
            E::SeqGap { expected, got } => ApiError::new(
                ErrorCode::SeqGap,
                format!("ops must continue from seq {expected}, this batch starts at {got}; push the earlier ops first"),
            )
            .with_details(json!({ "expected": expected, "got": got })),
            E::NotContiguous { after, got } => {
                ApiError::new(ErrorCode::NotContiguous, format!("ops in one push must have consecutive seq numbers: {got} follows {after}"))
            }
            E::NotOnReview { review_id, seq } => ApiError::new(
                ErrorCode::NotOnReview,
                "This push includes work on a review you are not part of, so none of it was saved. Ask the review's hub coordinator to add you to its team.",
            )
            .with_details(json!({ "review_id": review_id, "seq": seq })),
            E::UnknownReview(id) => ApiError::new(ErrorCode::UnknownReview, format!("There is no review {id} on the server."))
                .with_details(json!({ "review_id": id })),
            // The permission table said no: forbidden, whatever its reason (review_closed included).
            E::Denied { code, message } => ApiError::with_status(StatusCode::FORBIDDEN, code, message),
            E::ReportChanged { current_hash } => {
                ApiError::new(ErrorCode::ReportChanged, "The report changed after you read it. Sync, read it again, then decide.")
                    .with_details(json!({ "current_hash": current_hash }))
            }
            E::Invalid(message) => ApiError::new(ErrorCode::Invalid, message),
            E::Refused { code, message, details } => ApiError::new(code, message).with_details(details),
            // The path named something that exists; the body named something that does not.
            E::UnknownReference { code, message, details } => {
                ApiError::with_status(StatusCode::UNPROCESSABLE_ENTITY, code, message).with_details(details)
            }
            E::Db(e) => ApiError::internal(e),
            E::Corrupt { what, detail } => {
                let mut error = ApiError::new(
                    ErrorCode::StoredDataUnreadable,
                    "Some data stored on the server cannot be read, so nothing was changed. Tell the server's administrator: the server log says which record.",
                )
                .with_details(json!({ "what": what }));
                error.cause = Some(format!("stored {what} does not read back: {detail}"));
                error
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
    /// `--database-url` names a PostgreSQL server that does not answer or refuses us. `at` is
    /// the URL without its password.
    #[error("could not reach the PostgreSQL database {at}: {detail}. Check --database-url (or QAR_DATABASE_URL), that the database server runs and accepts connections from this machine, and the user's password")]
    DatabaseUnreachable { at: String, detail: String },
    /// The server key is missing, unreadable, exposed, or not this data folder's (issue 15).
    #[error("server key: {0}")]
    Key(#[from] crate::server_key::KeyError),
    #[error("this server key does not belong to the data folder {0}: start with the key it was made with (--key-file or QAR_SERVER_KEY)")]
    WrongKey(String),
    #[error(transparent)]
    Tls(#[from] crate::net::TlsError),
    #[error("could not listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    /// The mail settings cannot be used (a CA file that cannot be read, …).
    #[error("mail: {0}")]
    Mail(String),
}

/// Sign-in and device refusals (crate::auth).
impl From<crate::auth::AuthError> for ApiError {
    fn from(e: crate::auth::AuthError) -> ApiError {
        use crate::auth::AuthError as E;
        match e {
            E::Unauthenticated => ApiError::new(ErrorCode::Unauthenticated,
                "Sign in first: this request needs an 'Authorization: Bearer <token>' header.",
            ),
            E::InvalidToken => ApiError::new(ErrorCode::InvalidToken, "This sign-in is not recognised. Sign in again."),
            E::DeviceRevoked { reason, by_admin, revoked_ms } => {
                let message = if by_admin {
                    format!("This laptop was signed out by an administrator: {reason}. Unsent work is kept on it.")
                } else {
                    format!("This laptop was signed out ({reason}). Sign in again to sync; unsent work is kept on it.")
                };
                ApiError::new(ErrorCode::DeviceRevoked, message)
                    .with_details(json!({ "reason": reason, "by_admin": by_admin, "revoked_ms": revoked_ms }))
            }
            E::TokenExpired { expired_ms } => ApiError::new(ErrorCode::TokenExpired,
                "This laptop's sign-in has expired. Sign in again to sync; unsent work is kept on it.",
            )
            .with_details(json!({ "expired_ms": expired_ms })),
            E::InvalidCredentials => ApiError::new(ErrorCode::InvalidCredentials, crate::auth::INVALID_CREDENTIALS_MESSAGE),
            E::AccountDisabled => ApiError::new(ErrorCode::AccountDisabled,
                "This account is switched off. Ask your Challenge Partners administrator to switch it back on.",
            ),
            E::TooManyAttempts { retry_after_s } => ApiError::new(ErrorCode::TooManyAttempts,
                format!("Too many sign-in attempts. Wait {} and try again.", minutes(retry_after_s)),
            )
            .with_details(json!({ "retry_after_s": retry_after_s })),
            E::Busy => ApiError::new(ErrorCode::ServerBusy,
                "The server is busy checking other sign-ins. Wait a few seconds and try again.",
            )
            .with_details(json!({ "retry_after_s": 2 })),
            E::DeviceInUse => ApiError::new(ErrorCode::DeviceInUse,
                "This laptop was signed in by someone else, and its record of sent work is theirs. Ask your administrator to release the laptop for you.",
            ),
            E::Forbidden(reason) => ApiError::new(ErrorCode::Forbidden, reason),
            E::DeviceNotFound => ApiError::new(ErrorCode::DeviceNotFound, "No laptop with that id has signed in."),
            E::Invalid { code, message } => ApiError::new(code, message),
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
