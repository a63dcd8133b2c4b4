//! The cold-start probe's plumbing (issue 25): the UI's report of the painted review list
//! reaches the shell through the real IPC path, and with a probe file named the figures land
//! there in the shape the bench reads. Nothing here is about how fast anything is.

use crate::common::invoke;
use qar_app::startup_probe::StartupProbe;
use serde_json::{json, Value};
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};

fn app_with(probe: StartupProbe) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = mock_builder().invoke_handler(qar_app::invoke_handler()).build(mock_context(noop_assets())).unwrap();
    app.manage(probe);
    let w = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    (app, w)
}

#[test]
fn the_first_drawn_list_is_written_to_the_probe_file_with_the_shells_steps() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("probe.json");
    // Not quitting: the mock app is this test process.
    let probe = StartupProbe::begin(Some(file.clone()), false);
    probe.mark("setup");
    probe.mark("store_unlocked");
    let (_app, w) = app_with(probe);

    invoke(&w, "startup_drawn", json!({ "reviews": 5, "webviewMs": 212.5 })).expect("the report is taken");
    let report: Value = serde_json::from_slice(&std::fs::read(&file).expect("the probe file is written")).unwrap();
    assert_eq!(report["reviews"], 5);
    assert_eq!(report["webview_ms"], 212.5);
    let drawn = report["review_list_drawn_ms"].as_f64().unwrap();
    let unlocked = report["marks"]["store_unlocked"].as_f64().unwrap();
    let setup = report["marks"]["setup"].as_f64().unwrap();
    assert!(drawn > 0.0 && setup <= unlocked && unlocked <= drawn, "steps in order: {report}");
    let started = report["started_unix_ms"].as_u64().unwrap();
    let drawn_at = report["review_list_drawn_unix_ms"].as_u64().unwrap();
    assert!(started > 1_700_000_000_000 && drawn_at >= started, "Unix times: {report}");
    assert!(!dir.path().join("probe.json.partial").exists(), "no half-written file is left");

    // A later draw (the list reloaded after a sync) is not a start: the file keeps the first.
    invoke(&w, "startup_drawn", json!({ "reviews": 6, "webviewMs": 9000.0 })).expect("answered");
    let again: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(again, report);
}

#[test]
fn without_a_probe_file_the_report_only_goes_to_the_log() {
    let (_app, w) = app_with(StartupProbe::begin(None, false));
    invoke(&w, "startup_drawn", json!({ "reviews": 1, "webviewMs": 100.0 })).expect("the report is taken");
    // The UI's arguments are checked like any command's.
    let refused = invoke(&w, "startup_drawn", json!({ "reviews": "many" }));
    assert!(refused.is_err(), "{refused:?}");
}

/// The background sync starts after the list is drawn (or after a grace period when no list is
/// drawn): the signal it waits for comes from the same report.
#[test]
fn the_drawn_list_releases_whoever_waits_for_it() {
    let probe = StartupProbe::begin(None, false);
    let early = probe.list_drawn(std::time::Duration::from_millis(20));
    let waiting = probe.list_drawn(std::time::Duration::from_secs(60));
    let (app, w) = app_with(probe);
    assert!(!tauri::async_runtime::block_on(early), "nothing drawn yet: the wait ends at its limit, unreleased");

    invoke(&w, "startup_drawn", json!({ "reviews": 3, "webviewMs": 50.0 })).expect("the report is taken");
    assert!(tauri::async_runtime::block_on(waiting), "a wait begun before the draw is released by it");
    let later = app.state::<StartupProbe>().list_drawn(std::time::Duration::from_secs(60));
    assert!(tauri::async_runtime::block_on(later), "and one begun after returns at once");
}
