//! The invited person's side of an invitation (issue 9): no sign-in yet, so no token is sent.
//! Redeem sets their password and brings a TOTP secret; confirm switches the account on.

use super::{Account, SyncClient};
use crate::error::Result;
pub use qar_core::protocol::invitations::Redeemed;
use qar_core::protocol::invitations::{ConfirmRequest, RedeemRequest};

impl SyncClient {
    /// Refused with the server's code: `unknown_code`, `code_used`, `code_expired`,
    /// `invitation_cancelled`, `weak_password` (fewer than 12 characters).
    pub async fn redeem_invitation(&self, code: &str, password: &str) -> Result<Redeemed> {
        let body = RedeemRequest { code: code.trim().to_owned(), password: password.to_owned() };
        self.send_request(self.http.post(self.url("/v1/invitations/redeem")).json(&body)).await
    }

    /// Refused with `invalid_totp` (try the next code), `not_redeemed`, `code_used`, … as above.
    pub async fn confirm_invitation(&self, code: &str, totp_code: &str) -> Result<Account> {
        let digits: String = totp_code.chars().filter(|c| !c.is_whitespace()).collect();
        let body = ConfirmRequest { code: code.trim().to_owned(), totp_code: digits };
        self.send_request(self.http.post(self.url("/v1/invitations/confirm")).json(&body)).await
    }
}
