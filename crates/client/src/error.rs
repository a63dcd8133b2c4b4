use qar_core::ValidationError;

/// The one error type of this crate. `code()` is stable for the UI to branch on; the Display
/// text is written for the person at the keyboard.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The permission table refused: `reason` is its stable code (not_your_role, wrong_state…).
    #[error("{message}")]
    Denied { reason: &'static str, message: String },
    #[error("{what} was not found on this laptop")]
    NotFound { what: String },
    #[error("the local database could not be opened: {0}")]
    Open(#[from] qar_dbkit::DbError),
    #[error("the data folder {path} could not be created: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("the local database refused the change, nothing was saved: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("can't reach the sync server at {url}. Your work is saved on this laptop and will sync when the connection is back")]
    Offline { url: String },
    #[error("the sync server refused the request ({code}): {message}")]
    Server { status: u16, code: String, message: String },
    #[error("the sync server sent a reply this app does not understand: {0}")]
    Protocol(String),
}

impl ClientError {
    pub fn code(&self) -> &'static str {
        match self {
            ClientError::Invalid(_) => "invalid",
            ClientError::Denied { .. } => "forbidden",
            ClientError::NotFound { .. } => "not_found",
            ClientError::Open(qar_dbkit::DbError::TooNew { .. }) => "app_too_old",
            ClientError::Open(_) | ClientError::DataDir { .. } => "store_unavailable",
            ClientError::Store(_) => "store_error",
            ClientError::Offline { .. } => "offline",
            ClientError::Server { .. } => "server_refused",
            ClientError::Protocol(_) => "protocol",
        }
    }
}

pub type Result<T, E = ClientError> = std::result::Result<T, E>;
