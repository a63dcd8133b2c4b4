//! The background sync loop: soon after an edit, and on a timer, so work leaves the laptop
//! whenever the network allows without anyone pressing a button.

use crate::commands::{emit_data_changed, emit_status, AppState};
use crate::startup_probe::{StartupProbe, FIRST_SYNC_GRACE};
use qar_client::sync::Backoff;
use qar_client::{ClientError, SyncStatus};
use std::future::Future;
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime};

/// Quiet period after an edit before syncing, so a burst of typing becomes one push.
const AFTER_EDIT: Duration = Duration::from_secs(2);
/// Sync at least this often, to pick up colleagues' work and retry after an outage.
const EVERY: Duration = Duration::from_secs(30);

/// How long one live pull may wait on the server for news.
const LIVE_WAIT_MS: u64 = 25_000;
/// Retry pauses while the server is unreachable: doubling, with jitter.
const RETRY_FIRST: Duration = Duration::from_secs(2);
pub const RETRY_MAX: Duration = Duration::from_secs(60);

pub fn spawn_sync_loop<R: Runtime>(app: AppHandle<R>, state: AppState, retry_max: Duration) {
    let first = RETRY_FIRST.min(retry_max);
    // The list first: both loops start once the window has drawn it (at most a moment later), so
    // the first sync's work under the store's lock does not hold up the start (issue 25).
    let list_drawn = || app.try_state::<StartupProbe>().map(|p| p.list_drawn(FIRST_SYNC_GRACE));
    spawn_live_loop(app.clone(), state.clone(), Backoff::new(first, retry_max), list_drawn());
    let ready = list_drawn();
    tauri::async_runtime::spawn(async move {
        if let Some(drawn) = ready {
            drawn.await;
        }
        let mut backoff = Backoff::new(first, retry_max);
        while !state.is_stopped() {
            let ok = matches!(sync_and_report(&app, &state).await, Ok(s) if s.last_error.is_none());
            // Healthy: the regular timer. Failing: back off, but an edit or the live pull
            // seeing the server again still brings the next attempt forward.
            let wait = if ok {
                backoff.reset();
                EVERY
            } else {
                backoff.next(fastrand::f64())
            };
            tokio::select! {
                _ = state.edited.notified() => tokio::time::sleep(AFTER_EDIT).await,
                _ = state.reconnected.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    });
}

/// Runs one sync and tells the window how it went. Offline is reported in the status, not as
/// an error; only a broken local store is an error.
pub async fn sync_and_report<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> Result<SyncStatus, ClientError> {
    let mut code_before = None;
    if let Ok(status) = state.client.status() {
        code_before = status.last_error_code;
        emit_status(app, &SyncStatus { syncing: true, ..status });
    }
    let outcome = state.client.sync_now().await;
    if let Err(e) = &outcome {
        // Codes only (a server's refusal message may quote what was sent), and once per change:
        // offline for a day is one line, not one per retry.
        if code_before != Some(e.code()) {
            tracing::warn!(code = %e.code(), "sync failed");
        }
    }
    let status = state.client.status()?;
    emit_status(app, &status);
    emit_data_changed(app, &state.client);
    match outcome {
        Err(e @ (ClientError::Store(_) | ClientError::Open(_))) => Err(e),
        _ => Ok(status),
    }
}

/// Keeps a long-poll open so colleagues' changes appear within milliseconds while online.
fn spawn_live_loop<R: Runtime>(
    app: AppHandle<R>,
    state: AppState,
    mut backoff: Backoff,
    ready: Option<impl Future<Output = bool> + Send + 'static>,
) {
    tauri::async_runtime::spawn(async move {
        if let Some(drawn) = ready {
            drawn.await;
        }
        let mut failing = false;
        while !state.is_stopped() {
            match state.client.wait_for_changes(LIVE_WAIT_MS).await {
                Ok(changed) => {
                    backoff.reset();
                    if std::mem::take(&mut failing) {
                        // The server is back: send what piled up now, not at the next tick.
                        state.reconnected.notify_one();
                    }
                    if changed > 0 {
                        if let Ok(status) = state.client.status() {
                            emit_status(&app, &status);
                        }
                        emit_data_changed(&app, &state.client);
                    }
                }
                Err(_) => {
                    // Offline or signed out: the timed loop reports it; here just wait.
                    failing = true;
                    tokio::select! {
                        _ = tokio::time::sleep(backoff.next(fastrand::f64())) => {}
                        _ = state.signed_in.notified() => backoff.reset(),
                    }
                }
            }
        }
    });
}
