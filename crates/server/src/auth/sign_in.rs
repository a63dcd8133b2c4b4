//! The limits every sign-in goes through, from a laptop (`POST /v1/auth/login`) and from a
//! browser (`POST /sign-in`), so the school's pages are no softer door than the API (issue 15):
//! each attempt takes one from the client address's bucket (given back on success); an address
//! that failed for this e-mail backs off; password checks wait for a free core. None of these is
//! written to disk.

use super::{AccountSummary, AuthError};
use crate::error::ApiError;
use crate::store::accounts::email_key;
use crate::store::invitations::Redeemed;
use crate::store::{now_ms, ServerStore, StoreError};
use std::net::IpAddr;
use std::sync::Arc;

/// Runs `check` (the store's sign-in: password, code, and what it writes) under the limits for
/// `email` from `ip`.
pub(crate) async fn throttled<T: Send + 'static>(
    store: Arc<ServerStore>,
    ip: IpAddr,
    email: &str,
    check: impl FnOnce(&ServerStore) -> Result<T, AuthError> + Send + 'static,
) -> Result<T, ApiError> {
    let throttle = store.throttle();
    let email = email_key(email);
    // Cheap refusals first, so a flooding address never waits for a turn to hash.
    throttle.check_email(&email, ip, now_ms())?;
    let ticket = throttle.take(ip, now_ms())?;
    let turn = throttle.hashing_turn().await?;
    // Counted as failed before the check (parallel guesses all count); a success clears it.
    throttle.begin_email(&email, ip, now_ms())?;
    let worker = store.clone();
    let result = tokio::task::spawn_blocking(move || {
        let r = check(&worker);
        drop(turn);
        r
    })
    .await
    .map_err(ApiError::internal)?;
    match &result {
        // Guesses, or the account's own back-off: the attempt stays spent and counted.
        Err(AuthError::InvalidCredentials | AuthError::TooManyAttempts { .. }) => {}
        // Right credentials (also for a switched-off account or a laptop in use): not a guess.
        _ => {
            throttle.succeeded(ticket);
            throttle.email_succeeded(&email, ip);
        }
    }
    Ok(result?)
}

/// Redeems an invitation code with a new password, from the app (`POST /v1/invitations/redeem`)
/// or a browser (`POST /signup`): a guessed code costs the address an attempt, like a guessed
/// password (issue 15), and the password is hashed in a turn.
pub(crate) async fn redeem_throttled(store: Arc<ServerStore>, ip: IpAddr, code: String, password: String) -> Result<Redeemed, ApiError> {
    let ticket = store.throttle().take(ip, now_ms())?;
    let turn = store.throttle().hashing_turn().await?;
    let worker = store.clone();
    let result = tokio::task::spawn_blocking(move || {
        let r = worker.redeem_invitation(&code, &password, now_ms());
        drop(turn);
        r
    })
    .await
    .map_err(ApiError::internal)?;
    if matches!(&result, Ok(_) | Err(StoreError::Refused { code: qar_core::ErrorCode::WeakPassword, .. })) {
        store.throttle().succeeded(ticket);
    }
    Ok(result?)
}

/// Confirms a redeemed invitation with a first authenticator code (the app's
/// `POST /v1/invitations/confirm`, a browser's `POST /signup/confirm`).
pub(crate) async fn confirm_throttled(
    store: Arc<ServerStore>,
    ip: IpAddr,
    code: String,
    totp_code: String,
) -> Result<AccountSummary, ApiError> {
    let ticket = store.throttle().take(ip, now_ms())?;
    let worker = store.clone();
    let account =
        tokio::task::spawn_blocking(move || worker.confirm_invitation(&code, &totp_code, now_ms())).await.map_err(ApiError::internal)??;
    store.throttle().succeeded(ticket);
    Ok(account)
}
