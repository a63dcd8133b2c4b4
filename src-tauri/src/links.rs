//! `qarfield://` links from invitation e-mails, and one app per person (issue 21). The
//! operating system starts the app with the link, or hands it to the running app (through
//! tauri-plugin-single-instance, which forwards a second start's link and focuses the first
//! window). The link is kept until the screen takes it, since on a first start it arrives before
//! the screen listens, and announced to a screen that is already listening.

use crate::error::IpcError;
use qar_core::invitation_link::{read_invitation, InvitationLink};
use qar_core::ErrorCode;
use std::sync::Mutex;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

/// The event that carries an `InvitationLink` to the screen.
pub const INVITATION_EVENT: &str = "invitation-link";

#[derive(Default)]
pub struct PendingLink(Mutex<Option<InvitationLink>>);

/// A link the operating system handed over. Its code is never logged.
pub fn receive<R: Runtime>(app: &AppHandle<R>, url: &str) {
    match read_invitation(url) {
        Ok(link) => {
            tracing::info!(server = link.server_url.as_deref().unwrap_or("(none)"), "invitation link received");
            if let Some(pending) = app.try_state::<PendingLink>() {
                *pending.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(link.clone());
            }
            if let Err(e) = app.emit(INVITATION_EVENT, &link) {
                tracing::warn!("could not pass the invitation link to the window: {e}");
            }
            focus_main(app);
        }
        Err(e) => tracing::warn!("a link could not be read: {e}"),
    }
}

/// Brings the main window forward (a second start, a clicked link).
pub fn focus_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

/// The link the app was started or woken with, once.
#[tauri::command]
pub fn take_invitation_link(pending: State<'_, PendingLink>) -> Option<InvitationLink> {
    pending.0.lock().unwrap_or_else(|p| p.into_inner()).take()
}

/// Reads what was pasted into the code field: a link, `<code>@<server>`, or a bare code.
#[tauri::command]
pub fn read_invitation_code(text: String) -> Result<InvitationLink, IpcError> {
    read_invitation(&text).map_err(|e| IpcError::new(ErrorCode::Invalid, &e.to_string()))
}
