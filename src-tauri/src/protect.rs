//! Start-up unlock, the idle lock's check, and handover export/import and wipe. The store is
//! opened only once its key is at hand: from the OS keychain without asking, else from the
//! passphrase the person types (or `QAR_STORE_PASSPHRASE`, for automation). Until then only
//! these commands answer; the rest need `AppState`, which is managed at unlock.

use crate::commands::AppState;
use crate::error::IpcError;
use qar_client::vault::{Protection, Vault, VaultState, MIN_PASSPHRASE_CHARS};
use qar_client::{Client, HandoverExport, LockState, VaultStatus};
use qar_core::ErrorCode;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime, State};

/// Idle time after which the UI hides review content (`QAR_IDLE_LOCK_SECS`; 0 turns it off).
pub const IDLE_LOCK_DEFAULT_SECS: u64 = 600;

/// Where the store's key stands, as the UI needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Locked,
    /// The keychain holds the key but did not give it (locked, daemon gone): retry, no passphrase.
    KeychainFailed,
    Unlocked(Protection),
    Wiped,
    /// The store is from a newer release (a downgrade). The file does not get older while the
    /// app runs, so nothing more is asked for or tried: asking a keychain user for a passphrase
    /// they never chose, or trying a typed one, would only confuse.
    NeedsNewerApp,
}

/// Everything needed to open the store once a key is available. Managed from start-up on.
pub struct Gate {
    vault: Vault,
    data_dir: PathBuf,
    server_url: String,
    retry_max: Duration,
    idle_lock_secs: u64,
    /// Held for the whole of an unlock, so two unlock calls never open the store twice.
    stage: Mutex<(Stage, Option<String>)>,
    /// True while the start-up unlock runs on its own thread (so the window loads meanwhile);
    /// whoever asks about the stage first waits for it, so nobody sees "locked" in passing.
    starting: Mutex<bool>,
    started: Condvar,
}

impl Gate {
    pub fn new(vault: Vault, data_dir: &Path, server_url: &str, retry_max: Duration, idle_lock_secs: u64) -> Gate {
        Gate {
            vault,
            data_dir: data_dir.to_owned(),
            server_url: server_url.to_owned(),
            retry_max,
            idle_lock_secs,
            stage: Mutex::new((Stage::Locked, None)),
            starting: Mutex::new(false),
            started: Condvar::new(),
        }
    }

    /// The stage, once the start-up unlock (if one runs) has finished.
    fn stage(&self) -> MutexGuard<'_, (Stage, Option<String>)> {
        let mut starting = self.starting.lock().unwrap_or_else(|p| p.into_inner());
        while *starting {
            starting = self.started.wait(starting).unwrap_or_else(|p| p.into_inner());
        }
        drop(starting);
        self.stage.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens the store on a thread of its own at start-up: the key derivation and the store's
    /// opening then run while the window and its page load, instead of before (issue 25, cold
    /// start). Until it is done every question about the stage waits for its answer. `then`
    /// runs on that thread afterwards, whatever the outcome.
    pub fn unlock_at_startup<R: Runtime>(
        app: &AppHandle<R>,
        passphrase: Option<String>,
        then: impl FnOnce(&AppHandle<R>) + Send + 'static,
    ) {
        let gate = app.state::<Gate>();
        *gate.starting.lock().unwrap_or_else(|p| p.into_inner()) = true;
        let handle = app.clone();
        let spawned = std::thread::Builder::new().name("qar-unlock".into()).spawn(move || {
            let gate = handle.state::<Gate>();
            // Ends the wait even if opening panics, so the window never hangs on it.
            let _done = StartupDone(&gate);
            let stage = gate.stage.lock().unwrap_or_else(|p| p.into_inner());
            // Keychain: opens now. Passphrase: from QAR_STORE_PASSPHRASE (automation), else the UI asks.
            if let Err(e) = gate.unlock_with(stage, &handle, passphrase.as_deref()) {
                tracing::info!(code = %e.code, "store not unlocked at start-up: {}", e.message);
            }
            then(&handle);
        });
        if let Err(e) = spawned {
            StartupDone(&gate).finish();
            tracing::warn!("could not start the store's opening thread ({e}); the unlock screen will ask instead");
        }
    }

    fn protection(&self) -> Option<Protection> {
        match self.stage().0 {
            Stage::Unlocked(p) => Some(p),
            _ => None,
        }
    }

    pub fn status(&self) -> VaultStatus {
        let (stage, message) = self.stage().clone();
        let state = match stage {
            Stage::Unlocked(_) => LockState::Unlocked,
            Stage::Wiped => LockState::Wiped,
            Stage::KeychainFailed => LockState::KeychainError,
            Stage::NeedsNewerApp => LockState::NeedsNewerApp,
            Stage::Locked => match self.vault.state() {
                VaultState::NeedsNewPassphrase => LockState::NeedsNewPassphrase,
                _ => LockState::NeedsPassphrase,
            },
        };
        let protection = match stage {
            Stage::Unlocked(p) => Some(p),
            _ => None,
        };
        let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(PathBuf::from);
        let default_handover_path = home.unwrap_or_else(|| self.data_dir.clone()).join("qar-field-unsent-work.qarhandover");
        VaultStatus {
            state,
            protection,
            description: protection.map(|p| p.describe().to_owned()),
            message,
            idle_lock_secs: self.idle_lock_secs,
            min_passphrase_chars: MIN_PASSPHRASE_CHARS,
            default_handover_path: default_handover_path.display().to_string(),
        }
    }

    /// Gets the key (asking nothing in keychain mode), opens the store and starts syncing.
    pub fn unlock<R: Runtime>(&self, app: &AppHandle<R>, passphrase: Option<&str>) -> Result<(), IpcError> {
        self.unlock_with(self.stage(), app, passphrase)
    }

    fn unlock_with<R: Runtime>(
        &self,
        mut stage: MutexGuard<'_, (Stage, Option<String>)>,
        app: &AppHandle<R>,
        passphrase: Option<&str>,
    ) -> Result<(), IpcError> {
        match stage.0 {
            Stage::Unlocked(_) => return Ok(()),
            Stage::Wiped => {
                return Err(IpcError::new(ErrorCode::Wiped, "This laptop was wiped: close the app and open it again to start afresh"))
            }
            Stage::NeedsNewerApp => {
                let message =
                    stage.1.clone().unwrap_or_else(|| "This laptop's review data was saved by a newer version of QAR Field".into());
                return Err(IpcError::new(ErrorCode::AppTooOld, &message));
            }
            Stage::Locked | Stage::KeychainFailed => {}
        }
        let keychain_mode = matches!(self.vault.state(), VaultState::Keychain | VaultState::NewKeychain);
        let (key, protection) = match self.vault.unlock(passphrase) {
            Ok(k) => k,
            Err(e) => {
                if keychain_mode {
                    *stage = (Stage::KeychainFailed, Some(e.to_string()));
                }
                return Err(e.into());
            }
        };
        let client = match Client::open_encrypted(&self.data_dir, &self.server_url, &key) {
            Ok(client) => client,
            Err(e) => {
                let e = IpcError::from(e);
                if e.code == ErrorCode::AppTooOld {
                    *stage = (Stage::NeedsNewerApp, Some(e.message.clone()));
                }
                return Err(e);
            }
        };
        let state = AppState::new(std::sync::Arc::new(client));
        crate::background::spawn_sync_loop(app.clone(), state.clone(), self.retry_max);
        app.manage(state);
        *stage = (Stage::Unlocked(protection), None);
        tracing::info!(?protection, "store unlocked");
        Ok(())
    }
}

/// Marks the start-up unlock finished and wakes whoever waits for the stage (also on a panic).
struct StartupDone<'a>(&'a Gate);

impl StartupDone<'_> {
    fn finish(&self) {
        *self.0.starting.lock().unwrap_or_else(|p| p.into_inner()) = false;
        self.0.started.notify_all();
    }
}

impl Drop for StartupDone<'_> {
    fn drop(&mut self) {
        self.finish();
    }
}

pub fn idle_lock_secs_from_env() -> u64 {
    std::env::var("QAR_IDLE_LOCK_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(IDLE_LOCK_DEFAULT_SECS)
}

#[tauri::command]
pub fn vault_status(gate: State<'_, Gate>) -> VaultStatus {
    gate.status()
}

/// Async: argon2id over 64 MiB takes a moment, and sync commands would hold the UI thread.
#[tauri::command]
pub async fn unlock_store<R: Runtime>(
    app: AppHandle<R>,
    gate: State<'_, Gate>,
    passphrase: Option<String>,
) -> Result<VaultStatus, IpcError> {
    gate.unlock(&app, passphrase.as_deref())?;
    Ok(gate.status())
}

/// The idle lock's check: the store passphrase in passphrase mode; in keychain mode (no
/// passphrase exists) the person's sign-in password, checked offline. Nothing is reopened.
#[tauri::command]
pub async fn unlock_idle<R: Runtime>(app: AppHandle<R>, gate: State<'_, Gate>, secret: String) -> Result<(), IpcError> {
    match gate.protection() {
        Some(Protection::Passphrase) => Ok(gate.vault.verify_passphrase(&secret)?),
        Some(Protection::Keychain) => Ok(app.state::<AppState>().client.verify_lock_password(&secret)?),
        None => Err(IpcError::new(ErrorCode::Locked, "The store is not open yet")),
    }
}

/// "Forgotten the passphrase?": sets the locked store aside (never deletes it) so the next
/// unlock asks for a new passphrase and sign-in syncs the reviews back. Returns the folder the
/// locked files went to, for the screen to say. Refused once the store is open.
#[tauri::command]
pub fn start_afresh(gate: State<'_, Gate>) -> Result<String, IpcError> {
    let stage = gate.stage();
    match stage.0 {
        Stage::Locked => {}
        // Setting a newer release's store aside would hide work it may not have sent yet.
        Stage::NeedsNewerApp => {
            return Err(IpcError::new(
                ErrorCode::AppTooOld,
                "The review data here was saved by a newer version of QAR Field: install that version again instead of starting afresh",
            ))
        }
        _ => return Err(IpcError::new(ErrorCode::Vault, "The review data is open: there is no passphrase to get round")),
    }
    let folder = gate.vault.set_aside()?;
    tracing::info!(folder = %folder.display(), "locked store set aside after a forgotten passphrase");
    Ok(folder.display().to_string())
}

#[tauri::command]
pub async fn export_unsent(
    state: State<'_, AppState>,
    path: String,
    passphrase: String,
    review_id: Option<String>,
) -> Result<HandoverExport, IpcError> {
    Ok(state.client.export_unsent(Path::new(&path), &passphrase, review_id.as_deref())?)
}

#[tauri::command]
pub async fn import_handover(state: State<'_, AppState>, path: String, passphrase: String) -> Result<usize, IpcError> {
    let n = state.client.import_handover(Path::new(&path), &passphrase)?;
    state.edited.notify_one();
    Ok(n)
}

/// Deletes the store and its key. Refused while work is unsent unless the person confirmed
/// losing it (after exporting it, typically). The app then shows its wiped screen.
#[tauri::command]
pub fn wipe_laptop(state: State<'_, AppState>, gate: State<'_, Gate>, discard_unsent: bool) -> Result<(), IpcError> {
    let check = state.client.wipe_check()?;
    if !check.safe && !discard_unsent {
        let n: u32 = check.unsent.iter().map(|u| u.changes).sum();
        return Err(IpcError::new(
            ErrorCode::UnsentWork,
            &format!("{n} change(s) on this laptop have not reached the server: export them first, or confirm that they may be lost"),
        ));
    }
    state.stopped.store(true, std::sync::atomic::Ordering::Relaxed);
    state.client.wipe_local_data(&gate.vault)?;
    *gate.stage() = (Stage::Wiped, None);
    tracing::info!("laptop wiped");
    Ok(())
}
