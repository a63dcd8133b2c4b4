//! Accounts and device sign-in (architecture.md §7, domain.md §8.3).
//!
//! A person signs in with email + password (argon2id) + a TOTP code and gets a bearer token for
//! *that laptop*. The token is 32 random bytes shown once; the server keeps only its SHA-256, in
//! the device registry, where an administrator can revoke it. Handlers that need a signed-in
//! caller take an [`AuthDevice`] argument.
//!
//! The SQL is in `store::accounts`; this module holds the types, the crypto and the extractor.

pub mod crypto;
mod extract;
pub(crate) mod sign_in;
pub mod throttle;

pub use extract::{AuthDevice, AuthRejection};

pub use qar_core::protocol::admin::{hub_uuid, AccountSummary, Role};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const MINUTE_MS: u64 = 60_000;
const DAY_MS: u64 = 24 * 60 * MINUTE_MS;

/// How long a device token is good for. Absolute, not sliding: a laptop signs in again after
/// this, which re-checks password and TOTP. Long, because the app works offline for weeks.
pub const TOKEN_TTL_MS: u64 = 90 * DAY_MS;
/// `last_seen_ms` is written at most this often per device, so authenticating stays a read.
pub const LAST_SEEN_EVERY_MS: u64 = MINUTE_MS;
/// Longest accepted password: argon2 takes any length, but there is no reason to hash a megabyte.
pub const MAX_PASSWORD_LEN: usize = 1024;
/// Shortest password an administrator may choose (generated ones are longer).
pub const MIN_PASSWORD_LEN: usize = 12;
pub const MAX_DEVICE_NAME: usize = 100;
pub const MAX_REVOKE_REASON: usize = 300;

/// `POST /v1/auth/login`.
#[derive(Clone, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    pub totp_code: String,
    /// The laptop's own id (UUIDv7, made once on the laptop; also its sync identity).
    pub device_id: Uuid,
    /// Shown in the device list, e.g. "Anika's ThinkPad". Defaults to "Unnamed laptop".
    #[serde(default)]
    pub device_name: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .field("totp_code", &"<redacted>")
            .field("device_id", &self.device_id)
            .field("device_name", &self.device_name)
            .finish()
    }
}

/// A successful sign-in. `token` is shown here once; the server cannot show it again.
#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LoginGrant {
    pub token: String,
    pub user: AccountSummary,
    pub expires_at_ms: u64,
}

impl std::fmt::Debug for LoginGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginGrant")
            .field("token", &"<redacted>")
            .field("user", &self.user)
            .field("expires_at_ms", &self.expires_at_ms)
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    Active,
    Expired,
    Revoked,
}

/// One row of the device registry, as `GET /v1/devices` lists it (never the token or its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeviceInfo {
    pub device_id: Uuid,
    pub user_id: String,
    pub user_name: String,
    pub user_email: String,
    pub name: String,
    pub status: DeviceStatus,
    pub created_ms: u64,
    pub signed_in_ms: u64,
    pub last_seen_ms: u64,
    pub expires_ms: u64,
    pub revoked_ms: Option<u64>,
    pub revoked_reason: Option<String>,
    /// The user id of whoever revoked it (the owner, when they signed out themselves).
    pub revoked_by: Option<String>,
}

/// Why a sign-in or an authenticated request was refused. Each maps to one HTTP reply.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no bearer token")]
    Unauthenticated,
    #[error("unknown token")]
    InvalidToken,
    #[error("device revoked: {reason}")]
    DeviceRevoked { reason: String, by_admin: bool, revoked_ms: u64 },
    #[error("token expired at {expired_ms}")]
    TokenExpired { expired_ms: u64 },
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("account disabled")]
    AccountDisabled,
    #[error("too many attempts; retry after {retry_after_s} s")]
    TooManyAttempts { retry_after_s: u64 },
    /// Every turn to check a password is taken (a flood of sign-ins): try again in a moment.
    #[error("busy checking other sign-ins")]
    Busy,
    #[error("device is signed in for another person")]
    DeviceInUse,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("no such device")]
    DeviceNotFound,
    #[error("{message}")]
    Invalid { code: qar_core::ErrorCode, message: String },
    #[error("crypto: {0}")]
    Crypto(String),
    #[error(transparent)]
    Db(#[from] crate::store::db::Error),
}

/// The one message for a wrong email, password or code: it must not tell which was wrong.
pub const INVALID_CREDENTIALS_MESSAGE: &str = "The email address, password or authenticator code is not right. Check them and try again.";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn roles_have_the_core_json_shape() {
        assert_eq!(serde_json::to_value(Role::Admin).unwrap(), json!({"role": "admin"}));
        let coordinator = Role::HubCoordinator { hub_id: "hub-riverside-fells".into() };
        assert_eq!(serde_json::to_value(&coordinator).unwrap(), json!({"role": "hub_coordinator", "hub_id": "hub-riverside-fells"}));
        let uuid = Uuid::now_v7();
        assert_eq!(hub_uuid(&uuid.to_string()), uuid, "UUID hub ids stand for themselves");
        assert_eq!(hub_uuid("hub-riverside-fells"), hub_uuid("hub-riverside-fells"), "stable");
        assert_ne!(hub_uuid("hub-riverside-fells"), hub_uuid("hub-other"));
    }

    #[test]
    fn secrets_are_not_in_debug_output() {
        let req = LoginRequest {
            email: "a@example.org".into(),
            password: "hunter2-hunter2".into(),
            totp_code: "123456".into(),
            device_id: Uuid::nil(),
            device_name: String::new(),
        };
        let shown = format!("{req:?}");
        assert!(!shown.contains("hunter2") && !shown.contains("123456"), "{shown}");
    }
}
