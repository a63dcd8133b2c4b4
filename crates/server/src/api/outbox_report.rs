//! `X-QAR-Outbox: pending=<ops>; oldest=<ms>`: what a laptop says about its unsent work on each
//! sync request (issue 9), so the hub overview can show laptops whose work is stuck. Optional
//! and backwards compatible: a missing or malformed header is ignored.

use crate::auth::AuthDevice;
use crate::store::now_ms;
use crate::AppState;
use axum::http::HeaderMap;

pub const HEADER: &str = "x-qar-outbox";

/// `(pending ops, oldest unsent op's time in ms)` from the header, if well formed.
pub fn parse(headers: &HeaderMap) -> Option<(u64, Option<u64>)> {
    let text = headers.get(HEADER)?.to_str().ok()?;
    let (mut pending, mut oldest) = (None, None);
    for part in text.split(';') {
        match part.trim().split_once('=') {
            Some(("pending", v)) => pending = v.trim().parse().ok(),
            Some(("oldest", v)) => oldest = v.trim().parse().ok(),
            _ => {}
        }
    }
    Some((pending?, oldest))
}

/// Stores the report off the request's path; a failure is only logged (it is a hint).
pub fn note(state: &AppState, device: &AuthDevice, headers: &HeaderMap) {
    let Some((pending, oldest)) = parse(headers) else { return };
    let (store, device) = (state.store.clone(), device.clone());
    tokio::task::spawn_blocking(move || {
        if let Err(e) = store.note_outbox(&device, pending, oldest, now_ms()) {
            tracing::warn!("outbox report not stored: {e}");
        }
    });
}
