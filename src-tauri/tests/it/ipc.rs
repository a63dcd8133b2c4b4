//! The app's IPC commands, called as the webview calls them, on Tauri's mock runtime (no display).

use crate::common::{invoke, server};

use serde_json::{json, Value};
use std::sync::Arc;
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::{Manager, WebviewWindow, WebviewWindowBuilder};

fn window(data_dir: &std::path::Path, server_url: &str) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let client = qar_client::Client::open(data_dir, server_url).unwrap();
    let app = mock_builder().invoke_handler(qar_app::invoke_handler()).build(mock_context(noop_assets())).unwrap();
    app.manage(qar_app::AppState::new(Arc::new(client)));
    let w = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    (app, w)
}

#[test]
fn commands_round_trip_through_ipc() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = window(dir.path(), "http://127.0.0.1:9");

    let review = invoke(
        &w,
        "create_review",
        json!({"input": {"schoolName": "Kestrel Brook Primary School", "schoolUrn": "990101", "startDate": "2026-11-24"}}),
    )
    .unwrap();
    assert_eq!(review["schoolName"], "Kestrel Brook Primary School");
    assert_eq!(review["state"], "preparing");
    let id = review["id"].as_str().unwrap().to_owned();

    let bad =
        invoke(&w, "create_review", json!({"input": {"schoolName": "X", "schoolUrn": "12345", "startDate": "2026-11-24"}})).unwrap_err();
    assert_eq!(bad["code"], "invalid");
    assert!(bad["message"].as_str().unwrap().contains("exactly six digits"), "{bad}");

    let note = invoke(
        &w,
        "add_evidence",
        json!({"input": {"reviewId": id, "activityType": "learning_walk", "startedAt": "2026-11-24T10:30", "notes": "Calm corridors; Y3 reading areas well used."}}),
    )
    .unwrap();
    assert_eq!(note["activityType"], "learning_walk");
    let edited =
        invoke(&w, "update_evidence_field", json!({"evidenceId": note["id"], "edit": {"field": "notes", "value": "Edited note"}})).unwrap();
    assert_eq!(edited["notes"], "Edited note");

    let listed = invoke(&w, "list_evidence", json!({"reviewId": id})).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(invoke(&w, "get_review", json!({"reviewId": id})).unwrap()["evidenceCount"], 1);
    assert_eq!(invoke(&w, "list_reviews", json!({})).unwrap().as_array().unwrap().len(), 1);
    let missing = invoke(&w, "get_review", json!({"reviewId": "nope"})).unwrap_err();
    assert_eq!(missing["code"], "not_found");

    let found = invoke(&w, "search_evidence", json!({"reviewId": id, "query": {"text": "edit"}})).unwrap();
    assert_eq!(found.as_array().unwrap().len(), 1);
    let none = invoke(&w, "search_evidence", json!({"reviewId": id, "query": {"activityType": "pupil_voice"}})).unwrap();
    assert_eq!(none, json!([]));
    let fw = invoke(&w, "framework", json!({"version": "2019"})).unwrap();
    assert_eq!(fw["areas"][0]["label"], "Leadership at all levels");
    assert_eq!(fw["scale"][3]["label"], "Ineffective");
    assert_eq!(invoke(&w, "framework", json!({"version": "1999"})).unwrap_err()["code"], "invalid");

    let types = invoke(&w, "activity_types", json!({})).unwrap();
    assert_eq!(types.as_array().unwrap().len(), 8);
    assert_eq!(types[0], json!({"code": "joint_lesson_observation", "label": "Joint lesson observation"}));

    let denied =
        invoke(&w, "set_estimate", json!({"reviewId": id, "areaCode": "leadership", "value": "effective", "rationale": ""})).unwrap_err();
    assert_eq!(denied["code"], "forbidden", "no estimates while preparing: {denied}");
    let moved = invoke(&w, "transition_review", json!({"reviewId": id, "toState": "in_visit"})).unwrap();
    assert_eq!(moved["state"], "in_visit");
    let est =
        invoke(&w, "set_estimate", json!({"reviewId": id, "areaCode": "leadership", "value": "effective", "rationale": "Shared plan."}))
            .unwrap();
    assert_eq!(est["value"], "effective");
    assert_eq!(invoke(&w, "list_estimates", json!({"reviewId": id})).unwrap().as_array().unwrap().len(), 1);

    invoke(&w, "delete_evidence", json!({"evidenceId": note["id"]})).unwrap();
    assert_eq!(invoke(&w, "list_evidence", json!({"reviewId": id})).unwrap(), json!([]));

    // Nobody has signed in: sync says so in the status and keeps every change.
    assert_eq!(invoke(&w, "session", json!({})).unwrap(), Value::Null);
    let status = invoke(&w, "sync_now", json!({})).unwrap();
    assert_eq!(status["pendingOps"], 6, "create review, add note, edit note, start visit, estimate, delete note");
    assert_eq!(status["lastErrorCode"], "signed_out", "{status}");
    assert!(status["lastError"].as_str().unwrap().contains("sign in"), "{status}");
    // Nothing listens on port 9: signing in says the server can't be reached.
    let offline = invoke(
        &w,
        "sign_in",
        json!({"input": {"serverUrl": "http://127.0.0.1:9", "email": "anika.marsh@example.org", "password": "x", "totpCode": "000000"}}),
    )
    .unwrap_err();
    assert_eq!(offline["code"], "offline", "{offline}");
    let bad_url =
        invoke(&w, "sign_in", json!({"input": {"serverUrl": "ftp://x", "email": "a@b.c", "password": "x", "totpCode": "1"}})).unwrap_err();
    assert_eq!(bad_url["code"], "invalid");
    assert_eq!(invoke(&w, "sync_status", json!({})).unwrap()["pendingOps"], 6);
}

/// Signs in as a demo account through IPC, with the code its authenticator would show now.
fn sign_in(w: &WebviewWindow<MockRuntime>, url: &str, email: &str, secret: &str) -> Value {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    let code = qar_server::auth::crypto::totp_code(secret, now).unwrap();
    let input = json!({"serverUrl": url, "email": email, "password": "demo-password-2026", "totpCode": code, "deviceName": "Test laptop"});
    invoke(w, "sign_in", json!({ "input": input })).unwrap()
}

#[test]
fn sync_now_sends_everything_to_a_real_server() {
    let dir = tempfile::tempdir().unwrap();
    let (url, stop) = server(dir.path().join("server"));
    let (_app, w) = window(&dir.path().join("laptop"), &url);
    let wrong = invoke(
        &w,
        "sign_in",
        json!({"input": {"serverUrl": url, "email": "anika.marsh@example.org", "password": "wrong-password-1", "totpCode": "123456"}}),
    )
    .unwrap_err();
    assert_eq!(wrong["code"], "invalid_credentials", "{wrong}");
    let session = sign_in(&w, &url, "anika.marsh@example.org", "QARDEMOANIKAMARSHLEADREVIEWER234");
    assert_eq!(session["name"], "Dr Anika Marsh");
    assert_eq!(invoke(&w, "session", json!({})).unwrap()["email"], "anika.marsh@example.org");
    invoke(&w, "create_review", json!({"input": {"schoolName": "Heron Vale Academy", "schoolUrn": "990102", "startDate": "2027-01-19"}}))
        .unwrap();
    let status = invoke(&w, "sync_now", json!({})).unwrap();
    assert_eq!(status["pendingOps"], 0, "{status}");
    assert_eq!(status["lastError"], Value::Null);
    assert!(status["lastSyncAt"].is_string());
    let reviews = invoke(&w, "list_reviews", json!({})).unwrap();
    assert_eq!(reviews.as_array().unwrap().len(), 4, "own review plus three demo reviews: {reviews}");
    stop.send(()).unwrap();
}
