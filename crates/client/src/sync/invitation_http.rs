//! The invited person's side of an invitation (issue 9): no sign-in yet, so no token is sent.
//! Redeem sets their password and brings a TOTP secret; confirm switches the account on.

use super::{Account, SyncClient};
use crate::error::Result;
use serde_json::json;

/// `POST /v1/invitations/redeem`'s answer as the server writes it.
#[derive(Clone, serde::Deserialize)]
pub struct Redeemed {
    pub email: String,
    pub totp_secret: String,
    pub otpauth_url: String,
}

impl std::fmt::Debug for Redeemed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redeemed").field("email", &self.email).field("totp_secret", &"<redacted>").finish()
    }
}

impl SyncClient {
    /// Refused with the server's code: `unknown_code`, `code_used`, `code_expired`,
    /// `invitation_cancelled`, `weak_password` (fewer than 12 characters).
    pub async fn redeem_invitation(&self, code: &str, password: &str) -> Result<Redeemed> {
        let body = json!({ "code": code.trim(), "password": password });
        self.send_request(self.http.post(self.url("/v1/invitations/redeem")).json(&body)).await
    }

    /// Refused with `invalid_totp` (try the next code), `not_redeemed`, `code_used`, … as above.
    pub async fn confirm_invitation(&self, code: &str, totp_code: &str) -> Result<Account> {
        let digits: String = totp_code.chars().filter(|c| !c.is_whitespace()).collect();
        let body = json!({ "code": code.trim(), "totp_code": digits });
        self.send_request(self.http.post(self.url("/v1/invitations/confirm")).json(&body)).await
    }
}
