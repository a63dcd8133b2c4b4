//! Accepting an invitation (issue 9). Nobody is signed in yet and the store may still be locked,
//! so these need only the server's address, not a `Client`.

use super::{server_address, Client};
use crate::error::Result;
use crate::model::{ActivatedAccount, InvitationSetup};
use crate::sync::SyncClient;

impl Client {
    /// Sets the invited person's password with their one-time code; the answer holds the TOTP
    /// secret for their authenticator app. The server refuses short passwords (`weak_password`).
    pub async fn redeem_invitation(server_url: &str, code: &str, password: &str) -> Result<InvitationSetup> {
        let r = SyncClient::new(server_address(server_url)?).redeem_invitation(code, password).await?;
        Ok(InvitationSetup { email: r.email, totp_secret: r.totp_secret, otpauth_uri: r.otpauth_url })
    }

    /// The first authenticator code switches the account on; a wrong one can be tried again.
    pub async fn confirm_invitation(server_url: &str, code: &str, totp_code: &str) -> Result<ActivatedAccount> {
        let a = SyncClient::new(server_address(server_url)?).confirm_invitation(code, totp_code).await?;
        Ok(ActivatedAccount { user_id: a.id, name: a.name, email: a.email })
    }
}
