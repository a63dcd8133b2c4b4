//! The invitation commands through IPC on Tauri's mock runtime, in an app with no store opened
//! (as before the store is unlocked), against a real sync server on loopback.

mod common;
use common::invoke;

use serde_json::json;
use tauri::test::{mock_builder, mock_context, noop_assets};
use tauri::WebviewWindowBuilder;

/// A real sync server with demo data, its administrator's bearer token, and a stop switch.
fn server(dir: std::path::PathBuf) -> (String, String, std::sync::mpsc::Sender<()>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let cfg = qar_server::ServerConfig { data_dir: dir, listen: "127.0.0.1:0".parse().unwrap(), demo: true };
            let srv = qar_server::start(&cfg).await.unwrap();
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
            let admin = srv.store().test_token_for_email("admin@example.org", uuid::Uuid::now_v7(), now).unwrap();
            tx.send((srv.url(), admin)).unwrap();
            tokio::task::spawn_blocking(move || stop_rx.recv()).await.unwrap().ok();
            srv.stop().await;
        });
    });
    let (url, admin) = rx.recv().unwrap();
    (url, admin, stop_tx)
}

/// The administrator's invitation code, through the client's own admin call.
fn invite(url: &str, admin_token: &str) -> String {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let issued = rt
        .block_on(qar_client::sync::SyncClient::with_token(url, admin_token).invite(&json!({
            "email": "ravi.castellano@example.org", "name": "Ravi Castellano", "role": { "role": "reviewer" }
        })))
        .unwrap();
    issued["code"].as_str().unwrap().to_owned()
}

#[test]
fn invitation_commands_work_before_any_store_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let (url, admin, stop) = server(dir.path().join("server"));
    // No AppState is managed: nothing here may need the store.
    let app = mock_builder().invoke_handler(qar_app::invoke_handler()).build(mock_context(noop_assets())).unwrap();
    let w = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();

    let bad = invoke(&w, "redeem_invitation", json!({"serverUrl": "ftp://x", "code": "x", "password": "long enough pass"})).unwrap_err();
    assert_eq!(bad["code"], "invalid", "{bad}");
    let unknown = invoke(&w, "redeem_invitation", json!({"serverUrl": url, "code": "nope", "password": "long enough pass"})).unwrap_err();
    assert_eq!(unknown["code"], "unknown_code", "{unknown}");
    assert!(unknown["message"].as_str().unwrap().contains("not recognised"), "{unknown}");

    let code = invite(&url, &admin);
    let weak = invoke(&w, "redeem_invitation", json!({"serverUrl": url, "code": code, "password": "short"})).unwrap_err();
    assert_eq!(weak["code"], "weak_password", "{weak}");
    let setup = invoke(&w, "redeem_invitation", json!({"serverUrl": url, "code": code, "password": "kestrel lantern meadow 42"})).unwrap();
    assert_eq!(setup["email"], "ravi.castellano@example.org");
    let secret = setup["totpSecret"].as_str().unwrap();
    assert!(setup["otpauthUri"].as_str().unwrap().starts_with("otpauth://totp/"), "{setup}");

    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    let totp = qar_server::auth::crypto::totp_code(secret, now).unwrap();
    let account = invoke(&w, "confirm_invitation", json!({"serverUrl": url, "code": code, "totpCode": totp})).unwrap();
    assert_eq!(account["name"], "Ravi Castellano");
    assert!(account["userId"].is_string(), "{account}");
    let used = invoke(&w, "confirm_invitation", json!({"serverUrl": url, "code": code, "totpCode": totp})).unwrap_err();
    assert_eq!(used["code"], "code_used", "{used}");
    stop.send(()).unwrap();
}
