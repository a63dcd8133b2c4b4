use qar_core::{ErrorCode, ValidationError};

/// The one error type of this crate. `code()` is stable for the UI to branch on; the Display
/// text is written for the person at the keyboard.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The permission table refused: `reason` is its stable code (not_your_role, wrong_state…).
    #[error("{message}")]
    Denied { reason: ErrorCode, message: String },
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
    /// The server refused; `code` is its wire string, kept as sent (a newer server may send a
    /// code this app does not know: `code()` then says `server_refused` and the message is shown).
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
    /// An attachment's encrypted file could not be written, read or removed (issue 19).
    #[error("The attachment's file {path} could not be used: {source}. Nothing was changed")]
    AttachmentFile { path: String, source: std::io::Error },
    /// An attachment's file does not authenticate: changed, cut short or swapped on disk since it
    /// was written. Its bytes are not returned.
    #[error("The stored copy of attachment {attachment_id} has been changed or damaged on this laptop, so it was not opened. It can be downloaded again from the server once it has been sent")]
    AttachmentDamaged { attachment_id: String },
    /// A picked file was refused before anything was stored (unsupported, too large, damaged,
    /// an iPhone HEIC…): qar-media's words, which name the file and say what to do.
    #[error(transparent)]
    Media(#[from] qar_media::MediaError),
    /// An administrator revoked this laptop: it must not sync again.
    #[error("This laptop was revoked by an administrator ({reason}). Export unsent work, then wipe this laptop")]
    Revoked { reason: String },
}

impl ClientError {
    /// The server's own code for a refusal it explained (`invalid_credentials`, `report_changed`,
    /// …), `signed_out` for a token it no longer accepts, `rate_limited` for a 429,
    /// `server_refused` for a code this app does not know, else this crate's code.
    pub fn code(&self) -> ErrorCode {
        use ErrorCode as C;
        match self {
            ClientError::Server { status: 401, code, .. } if code != C::InvalidCredentials.as_str() => C::SignedOut,
            ClientError::Server { status: 429, .. } => C::RateLimited,
            ClientError::Server { code, .. } => ErrorCode::parse(code).unwrap_or(C::ServerRefused),
            ClientError::Incomplete { .. } => C::Incomplete,
            ClientError::OtherUser { .. } => C::OtherUser,
            ClientError::NotSignedIn => C::SignedOut,
            ClientError::WrongKey | ClientError::Open(qar_dbkit::DbError::WrongKey) => C::WrongKey,
            ClientError::WrongPassphrase => C::WrongPassphrase,
            ClientError::PassphraseNeeded => C::PassphraseNeeded,
            ClientError::WrongPassword => C::WrongPassword,
            ClientError::LockNeedsSignIn => C::LockNeedsSignIn,
            ClientError::Vault(_) => C::Vault,
            ClientError::Revoked { .. } => C::DeviceRevoked,
            ClientError::Report(qar_report::ReportError::Photo(_)) => C::PhotoNotUploaded,
            ClientError::Report(_) => C::ReportInvalid,
            ClientError::Export { .. } => C::ExportFailed,
            ClientError::Invalid(_) => C::Invalid,
            ClientError::Media(_) => C::InvalidFile,
            ClientError::Denied { .. } => C::Forbidden,
            ClientError::NotFound { .. } => C::NotFound,
            ClientError::Open(qar_dbkit::DbError::TooNew { .. }) => C::AppTooOld,
            ClientError::Open(_) | ClientError::DataDir { .. } => C::StoreUnavailable,
            // A dedicated code comes with the attachment screens (next step of issue 19).
            ClientError::Store(_) | ClientError::AttachmentFile { .. } | ClientError::AttachmentDamaged { .. } => C::StoreError,
            ClientError::Offline { .. } => C::Offline,
            ClientError::InsecureServer { .. } => C::InsecureServer,
            ClientError::Protocol(_) => C::Protocol,
        }
    }
}

pub type Result<T, E = ClientError> = std::result::Result<T, E>;
