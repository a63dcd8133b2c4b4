//! Invitations on the wire (issue 9): an administrator invites a person and is shown a code
//! once; the person redeems it with a password and is given a TOTP secret; a first
//! authenticator code confirms it and switches the account on.

use super::admin::UserInfo;
use serde::{Deserialize, Serialize};

/// The role an invitation gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum InviteRole {
    Admin,
    HubCoordinator { hub_id: String },
    Reviewer,
}

/// `POST /v1/invitations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewInvitation {
    pub email: String,
    pub name: String,
    pub role: InviteRole,
    /// The school the person works at (URN), for conflict-of-interest warnings. May be left out.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub home_school_urn: Option<String>,
}

/// An invitation just made. `code` is shown here once; the server keeps only its hash.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InvitationIssued {
    pub invitation_id: String,
    pub user: UserInfo,
    pub code: String,
    pub expires_ms: u64,
}

/// Never print the code in logs.
impl std::fmt::Debug for InvitationIssued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InvitationIssued").field("invitation_id", &self.invitation_id).field("code", &"<redacted>").finish()
    }
}

/// `POST /v1/invitations/redeem` (no sign-in).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedeemRequest {
    pub code: String,
    pub password: String,
}

/// Never print the password in logs.
impl std::fmt::Debug for RedeemRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedeemRequest").field("password", &"<redacted>").finish()
    }
}

/// `POST /v1/invitations/confirm` (no sign-in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfirmRequest {
    pub code: String,
    pub totp_code: String,
}

/// A redeemed code: add the secret to an authenticator app, then confirm with its first code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Redeemed {
    pub email: String,
    pub totp_secret: String,
    pub otpauth_url: String,
}

/// Never print the secret in logs.
impl std::fmt::Debug for Redeemed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redeemed").field("email", &self.email).field("totp_secret", &"<redacted>").finish()
    }
}
