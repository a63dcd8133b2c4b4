//! Signed updates (issue 21): check the release manifest, offer the new version with its notes,
//! and install it only on the person's click, only once its minisign signature matches the
//! public key built into the app (`plugins.updater.pubkey` in tauri.conf.json), and never while
//! a save is in flight. Unsent work stays in the local store's outbox across the restart.

use crate::commands::AppState;
use crate::error::IpcError;
use qar_client::UpdateOffer;
use qar_core::ErrorCode;
use std::sync::Mutex;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_updater::{Error as UpdaterError, Update, UpdaterExt};

/// Environment override of the manifest address (tests serve one from loopback). Release builds
/// take theirs from the configuration the release workflow writes.
pub const UPDATE_URL_ENV: &str = "QAR_UPDATE_URL";

/// The update last offered, kept between "Update available" and the person's click.
#[derive(Default)]
pub struct PendingUpdate(Mutex<Option<Update>>);

/// What the person reads when an update is refused: the signature is the only thing that ties a
/// download to QAR Field's release key, so a mismatch is said plainly and nothing is installed.
pub fn explain(e: UpdaterError) -> IpcError {
    match e {
        UpdaterError::Minisign(_)
        | UpdaterError::Base64(_)
        | UpdaterError::SignatureUtf8(_)
        | UpdaterError::SignedVersionMismatch { .. } => IpcError::new(
            ErrorCode::UpdateNotVerified,
            "The downloaded update is not signed by QAR Field's release key, so it was not installed. \
                 Your work is untouched. If this happens again, tell your hub's support.",
        ),
        UpdaterError::EmptyEndpoints => {
            IpcError::new(ErrorCode::UpdateFailed, "This copy of QAR Field has no update address: it was not installed from a release.")
        }
        UpdaterError::Reqwest(_) | UpdaterError::Network(_) | UpdaterError::ReleaseNotFound => {
            IpcError::new(ErrorCode::UpdateFailed, "The update server could not be reached. Updates are checked again when you are online.")
        }
        other => IpcError::new(ErrorCode::UpdateFailed, &format!("The update could not be installed: {other}")),
    }
}

/// Asks the update endpoint (the configured one, or `endpoint`) whether a newer version exists.
/// `None`: this is the newest.
pub async fn check<R: Runtime>(app: &AppHandle<R>, endpoint: Option<tauri::Url>) -> Result<Option<Update>, IpcError> {
    let mut builder = app.updater_builder();
    if let Some(url) = endpoint {
        builder = builder.endpoints(vec![url]).map_err(explain)?;
    }
    builder.build().map_err(explain)?.check().await.map_err(explain)
}

fn endpoint_from_env() -> Result<Option<tauri::Url>, IpcError> {
    match std::env::var(UPDATE_URL_ENV).ok().filter(|u| !u.is_empty()) {
        None => Ok(None),
        Some(url) => {
            url.parse().map(Some).map_err(|e| IpcError::new(ErrorCode::UpdateFailed, &format!("{UPDATE_URL_ENV} is not an address: {e}")))
        }
    }
}

/// Downloads the update and checks its signature; the bytes are returned only when it matches.
pub async fn download_verified(update: &Update) -> Result<Vec<u8>, IpcError> {
    update.download(|_, _| {}, || {}).await.map_err(explain)
}

pub fn offer(update: &Update) -> UpdateOffer {
    UpdateOffer {
        version: update.version.clone(),
        current_version: update.current_version.clone(),
        notes: update.body.clone().filter(|n| !n.trim().is_empty()),
        // As the manifest wrote it (RFC 3339): no date library needed to pass it on.
        date: update.raw_json.get("pub_date").and_then(|d| d.as_str()).map(str::to_owned),
    }
}

#[tauri::command]
pub async fn check_for_update<R: Runtime>(app: AppHandle<R>, pending: State<'_, PendingUpdate>) -> Result<Option<UpdateOffer>, IpcError> {
    let update = check(&app, endpoint_from_env()?).await.inspect_err(|e| tracing::warn!(code = %e.code, "update check failed"))?;
    let reply = update.as_ref().map(offer);
    *pending.0.lock().unwrap_or_else(|p| p.into_inner()) = update;
    Ok(reply)
}

/// Downloads and verifies first (edits go on meanwhile), then waits for any save or sync in
/// flight, installs, and restarts. On Windows the installer itself closes the app.
#[tauri::command]
pub async fn install_update<R: Runtime>(app: AppHandle<R>, pending: State<'_, PendingUpdate>) -> Result<(), IpcError> {
    let update = pending
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
        .ok_or_else(|| IpcError::new(ErrorCode::UpdateFailed, "No update is waiting: check for updates again."))?;
    let bytes =
        download_verified(&update).await.inspect_err(|e| tracing::warn!(code = %e.code, version = %update.version, "update refused"))?;
    tracing::info!(version = %update.version, "update downloaded and verified; installing");
    let state = app.try_state::<AppState>().map(|s| s.inner().clone());
    let _paused = match &state {
        Some(s) => Some(s.client.pause_writes().await),
        None => None,
    };
    update.install(&bytes).map_err(explain)?;
    app.restart()
}
