//! Help when it goes wrong (issue 21): the app's version, and "Copy diagnostics" for a support
//! e-mail: version, system, store and sync state, recent problems and the end of the log. Like
//! the log itself, it holds codes and counts, not review text or names.

use crate::commands::AppState;
use crate::logging::LogFile;
use crate::protect::Gate;
use qar_client::AppInfo;
use std::fmt::Write as _;
use tauri::{AppHandle, Manager, Runtime, State};

/// Lines of the log file that go into the diagnostics.
const LOG_TAIL_LINES: usize = 40;

#[tauri::command]
pub fn app_info<R: Runtime>(app: AppHandle<R>, log: State<'_, LogFile>) -> AppInfo {
    AppInfo {
        version: app.package_info().version.to_string(),
        os: std::env::consts::OS.to_owned(),
        arch: std::env::consts::ARCH.to_owned(),
        log_dir: log.dir().map(|d| crate::logging::without_home(&d.display().to_string())),
    }
}

#[tauri::command]
pub fn diagnostics<R: Runtime>(app: AppHandle<R>, log: State<'_, LogFile>) -> String {
    let mut out = String::new();
    let info = app_info(app.clone(), log.clone());
    let _ = writeln!(out, "QAR Field {} on {} ({})", info.version, info.os, info.arch);
    let _ = writeln!(out, "Log folder: {}", info.log_dir.as_deref().unwrap_or("(no log file: see the recent problems below)"));
    if let Some(gate) = app.try_state::<Gate>() {
        let vault = gate.status();
        let _ = writeln!(out, "Store: {:?}{}", vault.state, vault.description.map(|d| format!(", {d}")).unwrap_or_default());
    }
    match app.try_state::<AppState>().map(|s| s.client.status()) {
        Some(Ok(s)) => {
            let _ = writeln!(out, "Server: {}", s.server_url);
            let _ = writeln!(
                out,
                "Sync: {} change(s) waiting, last sync {}, {}",
                s.pending_ops,
                s.last_sync_at.as_deref().unwrap_or("never"),
                if s.syncing { "syncing now" } else { "idle" }
            );
            if let Some(e) = s.last_error {
                let _ = writeln!(out, "Last sync error: {} ({})", e, s.last_error_code.map_or("no code", |c| c.as_str()));
            }
            if s.open_conflicts > 0 {
                let _ = writeln!(out, "Open conflicts: {}", s.open_conflicts);
            }
            if s.revoked || s.needs_sign_in {
                let _ = writeln!(out, "Sign-in: {}", if s.revoked { "this laptop was revoked" } else { "needs signing in again" });
            }
        }
        Some(Err(e)) => {
            let _ = writeln!(out, "Sync: status unavailable ({})", e.code());
        }
        None => {
            let _ = writeln!(out, "Sync: not started (the store is not open)");
        }
    }
    let problems = log.recent_problems();
    let _ = writeln!(out, "\nRecent warnings and errors ({}):", problems.len());
    for p in problems {
        let _ = writeln!(out, "  {p}");
    }
    let tail = log.tail(LOG_TAIL_LINES);
    let _ = writeln!(out, "\nEnd of the log ({} lines):", tail.len());
    for l in tail {
        let _ = writeln!(out, "  {l}");
    }
    out
}
