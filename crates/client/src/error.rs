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
    #[error("{message}")]
    Server { status: u16, code: String, message: String },
    /// An `http://` address other than this laptop itself: passwords, codes, tokens and review
    /// data would cross the network readable by anyone on the way, so nothing is sent (issue 15).
    #[error("This server address is not secure (http://). Ask your hub for the address that starts with https://")]
    InsecureServer { url: String },
    #[error("the sync server sent a reply this app does not understand: {0}")]
    Protocol(String),
    #[error("The report can't be submitted yet. Still missing: {}", items.join("; "))]
    Incomplete { items: Vec<String> },
    #[error("This laptop holds {name}'s reviews. Sign in as {name}, or use another laptop.")]
    OtherUser { name: String },
    #[error("Nobody is signed in on this laptop: sign in to sync")]
    NotSignedIn,
    /// SQLCipher could not decrypt the store with the key it was given.
    #[error("The store could not be unlocked: wrong key or passphrase")]
    WrongKey,
    #[error("That passphrase is not the right one")]
    WrongPassphrase,
    #[error("Enter the passphrase that protects review data on this laptop")]
    PassphraseNeeded,
    #[error("That password is not the right one")]
    WrongPassword,
    /// The idle lock has nothing to check a password against yet (signed in before this check
    /// existed): signing in again, online, makes one.
    #[error("This laptop cannot check your password offline yet: sign in again (this needs the server)")]
    LockNeedsSignIn,
    /// The keychain, a key file or a handover file could not be used.
    #[error("{0}")]
    Vault(String),
    /// The report model could not be rendered (issue 10).
    #[error("The report could not be made: {0}")]
    Report(#[from] qar_report::ReportError),
    #[error("The report could not be saved to {path}: {source}")]
    Export { path: String, source: std::io::Error },
    /// An administrator revoked this laptop: it must not sync again.
    #[error("This laptop was revoked by an administrator ({reason}). Export unsent work, then wipe this laptop")]
    Revoked { reason: String },
}

impl ClientError {
    /// The server's own code for a refusal it explained (`invalid_credentials`, `report_changed`,
    /// `rate_limited`…), `signed_out` for a token it no longer accepts, else this crate's code.
    pub fn code(&self) -> &str {
        match self {
            ClientError::Server { status: 401, code, .. } if code != "invalid_credentials" => "signed_out",
            ClientError::Server { status: 429, .. } => "rate_limited",
            ClientError::Server { code, .. } if !code.is_empty() && code != "http_error" => code,
            ClientError::Incomplete { .. } => "incomplete",
            ClientError::OtherUser { .. } => "other_user",
            ClientError::NotSignedIn => "signed_out",
            ClientError::WrongKey | ClientError::Open(qar_dbkit::DbError::WrongKey) => "wrong_key",
            ClientError::WrongPassphrase => "wrong_passphrase",
            ClientError::PassphraseNeeded => "passphrase_needed",
            ClientError::WrongPassword => "wrong_password",
            ClientError::LockNeedsSignIn => "lock_needs_sign_in",
            ClientError::Vault(_) => "vault",
            ClientError::Revoked { .. } => "device_revoked",
            ClientError::Report(_) => "report_invalid",
            ClientError::Export { .. } => "export_failed",
            ClientError::Invalid(_) => "invalid",
            ClientError::Denied { .. } => "forbidden",
            ClientError::NotFound { .. } => "not_found",
            ClientError::Open(qar_dbkit::DbError::TooNew { .. }) => "app_too_old",
            ClientError::Open(_) | ClientError::DataDir { .. } => "store_unavailable",
            ClientError::Store(_) => "store_error",
            ClientError::Offline { .. } => "offline",
            ClientError::InsecureServer { .. } => "insecure_server",
            ClientError::Server { .. } => "server_refused",
            ClientError::Protocol(_) => "protocol",
        }
    }
}

pub type Result<T, E = ClientError> = std::result::Result<T, E>;
