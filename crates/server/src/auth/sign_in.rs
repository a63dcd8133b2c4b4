//! The limits every sign-in goes through, from a laptop (`POST /v1/auth/login`) and from a
//! browser (`POST /sign-in`), so the school's pages are no softer door than the API (issue 15):
//! each attempt takes one from the client address's bucket (given back on success); an address
//! that failed for this e-mail backs off; password checks wait for a free core. None of these is
//! written to disk.

use super::AuthError;
use crate::error::ApiError;
use crate::store::accounts::email_key;
use crate::store::{now_ms, ServerStore};
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
