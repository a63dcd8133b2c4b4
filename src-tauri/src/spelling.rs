//! Spell-checking in every text field, in British English. WebKitGTK checks spelling only when
//! the web context turns it on, and wry leaves it off; the dictionary comes from the system's
//! hunspell (Debian: `hunspell-en-gb`, installed by `./x`).

use tauri::{AppHandle, Manager, Runtime};

/// The language every reviewer writes in (the reports are British English).
pub const SPELLING_LANGUAGE: &str = "en_GB";

pub fn enable<R: Runtime>(app: &AppHandle<R>) {
    let Some(window) = app.get_webview_window("main") else { return };
    if let Err(e) = window.with_webview(turn_on) {
        tracing::warn!("spell-checking could not be turned on: {e}");
    }
}

#[cfg(target_os = "linux")]
fn turn_on(webview: tauri::webview::PlatformWebview) {
    use webkit2gtk::{WebContextExt, WebViewExt};
    if let Some(context) = webview.inner().context() {
        context.set_spell_checking_enabled(true);
        context.set_spell_checking_languages(&[SPELLING_LANGUAGE]);
    }
}

// Other systems' webviews check spelling in text fields by default, in the system's language.
#[cfg(not(target_os = "linux"))]
fn turn_on(_webview: tauri::webview::PlatformWebview) {}
