//! Closing the window without losing typing. The UI autosaves after a short quiet period, so the
//! last words typed may still be waiting when the close button is pressed. The close is held,
//! the UI is told (`close-requested`), writes what waits and then calls `close_window`. If the UI
//! never answers (still loading, or hung) the window closes anyway after a few seconds; while the
//! person is asked whether to drop text that cannot be saved, the UI calls `keep_window_open`.

use crate::error::IpcError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tauri::{Emitter, Manager, Runtime, State, Window, WindowEvent};

/// The event the UI listens for.
pub const CLOSE_REQUESTED_EVENT: &str = "close-requested";

/// Longest wait for the UI: writes take milliseconds, so this only matters when the UI is stuck.
const UI_ANSWER_TIMEOUT: Duration = Duration::from_secs(6);

/// Counts close requests; a pending fallback close only acts if no later request or cancel came.
#[derive(Default, Clone)]
pub struct CloseState(Arc<AtomicU64>);

/// Hooked to every window event: holds a close until the UI has flushed.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    let WindowEvent::CloseRequested { api, .. } = event else { return };
    let Some(state) = window.try_state::<CloseState>() else { return };
    api.prevent_close();
    let ticket = state.0.fetch_add(1, Ordering::SeqCst) + 1;
    if let Err(e) = window.emit(CLOSE_REQUESTED_EVENT, ()) {
        tracing::warn!("could not ask the UI to save before closing: {e}");
        let _ = window.destroy();
        return;
    }
    let (window, counter) = (window.clone(), state.0.clone());
    std::thread::spawn(move || {
        std::thread::sleep(UI_ANSWER_TIMEOUT);
        if counter.load(Ordering::SeqCst) == ticket {
            tracing::warn!("the UI did not answer the close request: closing anyway");
            let _ = window.destroy();
        }
    });
}

/// The UI has written what was waiting: close now.
#[tauri::command]
pub fn close_window<R: Runtime>(window: Window<R>) -> Result<(), IpcError> {
    window.destroy().map_err(|e| IpcError::new(qar_core::ErrorCode::Internal, &format!("The window could not be closed: {e}")))
}

/// The person is deciding whether to drop unsaved text: the fallback close must not act meanwhile.
#[tauri::command]
pub fn keep_window_open(state: State<'_, CloseState>) {
    state.0.fetch_add(1, Ordering::SeqCst);
}
