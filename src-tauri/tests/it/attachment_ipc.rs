//! Photos and documents over IPC (issue 19), as the webview sends them: the file's bytes as the
//! raw body and the choices in the `x-qar-attachment` header, percent-encoded.

use serde_json::{json, Value};
use std::sync::Arc;
use tauri::ipc::{CallbackFn, InvokeBody, InvokeResponseBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow, WebviewWindowBuilder};

use crate::common::invoke;

/// A 4×3 red PNG, as a phone or a screenshot tool would hand it over (made with Python's zlib).
const PNG: [u8; 73] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 4, 0, 0, 0, 3, 8, 2, 0, 0, 0, 59, 150, 57, 145, 0, 0, 0, 16, 73,
    68, 65, 84, 120, 156, 99, 56, 161, 161, 1, 71, 12, 56, 57, 0, 7, 166, 13, 33, 148, 176, 19, 252, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66,
    96, 130,
];

fn window(data_dir: &std::path::Path) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let client = qar_client::Client::open(data_dir, "http://127.0.0.1:9").unwrap();
    let app = mock_builder().invoke_handler(qar_app::invoke_handler()).build(mock_context(noop_assets())).unwrap();
    app.manage(qar_app::AppState::new(Arc::new(client)));
    let w = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    (app, w)
}

/// `encodeURIComponent` as the UI applies it to the header's JSON.
fn encode_uri_component(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn invoke_raw(w: &WebviewWindow<MockRuntime>, cmd: &str, bytes: &[u8], choice: Option<Value>) -> Result<InvokeResponseBody, Value> {
    let mut headers = tauri::http::HeaderMap::new();
    if let Some(choice) = choice {
        headers.insert("x-qar-attachment", encode_uri_component(&choice.to_string()).parse().unwrap());
    }
    get_ipc_response(
        w,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Raw(bytes.to_vec()),
            headers,
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
}

fn json_of(body: InvokeResponseBody) -> Value {
    body.deserialize::<Value>().unwrap()
}

#[test]
fn a_photo_is_checked_attached_opened_captioned_and_removed_over_ipc() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = window(dir.path());
    let review = invoke(
        &w,
        "create_review",
        json!({"input": {"schoolName": "Heron Vale Academy", "schoolUrn": "990102", "startDate": "2027-01-19"}}),
    )
    .unwrap();
    let note =
        invoke(&w, "add_evidence", json!({"input": {"reviewId": review["id"], "activityType": "learning_walk", "notes": "Y3 display"}}))
            .unwrap();
    let choice = |caption: &str| json!({"evidenceId": note["id"], "fileName": "Écran café.png", "kind": "display", "caption": caption, "fullSize": false, "blurFaces": false});

    let check = json_of(invoke_raw(&w, "check_attachment", &PNG, Some(choice(""))).unwrap());
    assert_eq!(
        (check["mime"].as_str(), check["width"].as_u64(), check["height"].as_u64()),
        (Some("image/jpeg"), Some(4), Some(3)),
        "an opaque PNG becomes a JPEG"
    );
    assert_eq!((check["metadataRemoved"].as_bool(), check["mayShowFace"].as_bool()), (Some(true), Some(false)));
    assert_eq!(invoke(&w, "list_attachments", json!({"evidenceId": note["id"]})).unwrap(), json!([]), "a check stores nothing");

    let refused = invoke_raw(&w, "attach_file", b"%!PS-Adobe not a photo", Some(choice(""))).unwrap_err();
    assert_eq!(refused["code"], "invalid_file");
    assert!(refused["message"].as_str().unwrap().contains("“Écran café.png”"), "the name survives the header: {refused}");
    let no_header = invoke_raw(&w, "attach_file", &PNG, None).unwrap_err();
    assert_eq!(no_header["code"], "invalid");

    let attached = json_of(invoke_raw(&w, "attach_file", &PNG, Some(choice("“Books we love” — Y3"))).unwrap());
    assert_eq!((attached["caption"].as_str(), attached["uploadPending"].as_bool()), (Some("“Books we love” — Y3"), Some(true)));
    let id = attached["id"].clone();
    let listed = invoke(&w, "list_review_attachments", json!({"reviewId": review["id"]})).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let InvokeResponseBody::Raw(opened) = invoke_raw_open(&w, &id) else { panic!("the bytes come back raw, as an ArrayBuffer") };
    assert_eq!(&opened[..3], &[0xFF, 0xD8, 0xFF], "a JPEG, re-encoded from the PNG's pixels");

    let captioned = invoke(&w, "set_attachment_caption", json!({"attachmentId": id, "caption": "Reading wall"})).unwrap();
    assert_eq!(captioned["caption"], "Reading wall");
    let status = invoke(&w, "sync_status", json!({})).unwrap();
    assert_eq!(status["uploads"]["waitingFiles"], 1);
    assert_eq!(invoke(&w, "wipe_check", json!({})).unwrap()["unsent"][0]["files"], 1);

    invoke(&w, "delete_attachment", json!({"attachmentId": id})).unwrap();
    assert_eq!(invoke(&w, "list_attachments", json!({"evidenceId": note["id"]})).unwrap(), json!([]));
    assert_eq!(invoke(&w, "sync_status", json!({})).unwrap()["uploads"]["waitingFiles"], 0, "its upload stops with it");
}

fn invoke_raw_open(w: &WebviewWindow<MockRuntime>, id: &Value) -> InvokeResponseBody {
    get_ipc_response(
        w,
        InvokeRequest {
            cmd: "open_attachment".into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(json!({"attachmentId": id})),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .unwrap()
}
