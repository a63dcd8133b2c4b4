//! The app's capabilities (issue 21), with the real ACL that `build.rs` and
//! `capabilities/main.json` produce (`generate_context!` here, as in the app, not the mock's
//! allow-all context): every command the app registers is granted to the main window, and
//! anything else the webview might ask for — a command nobody granted, the updater plugin's own
//! JavaScript API — is refused before it runs.

use crate::common;
use serde_json::{json, Value};
use tauri::test::{mock_builder, MockRuntime};
use tauri::{Manager, WebviewWindow};

/// The commands in `invoke_handler`, read from its source so a new command cannot be missed.
fn registered_commands() -> Vec<String> {
    let src = include_str!("../../src/lib.rs");
    let start = src.find("tauri::generate_handler![").expect("invoke_handler lists its commands");
    let body = &src[start..];
    let body = &body[body.find('[').unwrap() + 1..body.find(']').unwrap()];
    body.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| s.rsplit("::").next().unwrap().to_owned()).collect()
}

fn main_window() -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = qar_app::with_plugins(mock_builder(), qar_app::logging::LogFile::default())
        .invoke_handler(qar_app::invoke_handler())
        .build(tauri::generate_context!(test = true))
        .unwrap();
    let w = match app.get_webview_window("main") {
        Some(w) => w,
        None => tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap(),
    };
    (app, w)
}

fn refused_by_acl(reply: &Result<Value, Value>) -> bool {
    matches!(reply, Err(Value::String(m)) if m.contains("not allowed"))
}

#[test]
fn every_registered_command_is_granted_to_the_main_window() {
    let (_app, w) = main_window();
    let commands = registered_commands();
    assert!(commands.len() > 50, "read {} commands from lib.rs", commands.len());
    // No store is open (no AppState, no Gate): granted commands fail for that reason or for
    // missing arguments, never with the ACL's refusal, and change nothing.
    for cmd in commands {
        if cmd == "check_for_update" || cmd == "install_update" {
            continue; // would go to the network; their grant is checked below without calling out
        }
        let reply = common::invoke(&w, &cmd, json!({}));
        assert!(!refused_by_acl(&reply), "{cmd} is registered but not granted: {reply:?}");
    }
    let reply = common::invoke(&w, "app_info", json!({})).expect("app_info answers");
    assert_eq!(reply["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn commands_and_plugin_apis_nobody_granted_are_refused() {
    let (_app, w) = main_window();
    let unlisted = [
        "plugin:updater|check",
        "plugin:updater|download_and_install",
        "plugin:updater|install",
        // The deep-link plugin's own API: a page must not make another program the handler of
        // invitation links, nor read the link the app was started with past the app's own command.
        "plugin:deep-link|register",
        "plugin:deep-link|get_current",
        // Tauri's core APIs beyond listening and closing: no new windows, no forged events, no paths.
        "plugin:webview|create_webview_window",
        "plugin:window|set_title",
        "plugin:event|emit",
        "plugin:path|resolve_directory",
        "not_a_command",
    ];
    for cmd in unlisted {
        let reply = common::invoke(&w, cmd, json!({}));
        assert!(refused_by_acl(&reply), "{cmd} must be refused by the ACL, got {reply:?}");
    }
}

#[test]
fn a_window_other_than_main_may_call_none_of_the_apps_commands() {
    // The capability names the main window only: a window opened later (or by a page that found a
    // way to open one) gets nothing, not even the harmless commands.
    let (app, _main) = main_window();
    let other = tauri::WebviewWindowBuilder::new(&app, "other", Default::default()).build().unwrap();
    for cmd in ["app_info", "list_reviews", "take_invitation_link", "export_unsent", "wipe_laptop"] {
        let reply = common::invoke(&other, cmd, json!({}));
        assert!(refused_by_acl(&reply), "{cmd} from a window other than main must be refused, got {reply:?}");
    }
}

#[test]
fn the_capability_grants_exactly_the_registered_commands_and_event_listening() {
    let capability: Value = serde_json::from_str(include_str!("../../capabilities/main.json")).unwrap();
    let mut granted: Vec<String> = capability["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect();
    granted.sort();
    let mut expected: Vec<String> = registered_commands().iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
    expected.extend(["core:event:allow-listen".to_owned(), "core:event:allow-unlisten".to_owned()]);
    // Closing its own window (issue 18): it goes through the same save-first close request as the
    // title bar's button, which is how the e2e closes the window 50 ms after typing.
    expected.push("core:window:allow-close".to_owned());
    expected.sort();
    assert_eq!(granted, expected, "capabilities/main.json must grant each registered command and nothing broader");
    assert_eq!(capability["windows"], json!(["main"]));
}
