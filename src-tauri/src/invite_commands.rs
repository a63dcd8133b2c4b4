//! Accepting an invitation from the sign-in screen (issue 9). These take the server address
//! as an argument and touch no store, so they work before the store is unlocked.

use crate::error::IpcError;
use qar_client::{ActivatedAccount, Client, InvitationSetup};

#[tauri::command]
pub async fn redeem_invitation(server_url: String, code: String, password: String) -> Result<InvitationSetup, IpcError> {
    Ok(Client::redeem_invitation(&server_url, &code, &password).await?)
}

#[tauri::command]
pub async fn confirm_invitation(server_url: String, code: String, totp_code: String) -> Result<ActivatedAccount, IpcError> {
    Ok(Client::confirm_invitation(&server_url, &code, &totp_code).await?)
}
