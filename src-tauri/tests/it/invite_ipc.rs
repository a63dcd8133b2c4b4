//! The invitation commands through IPC on Tauri's mock runtime, in an app with no store opened
//! (as before the store is unlocked), against a real sync server on loopback.

use crate::common::{invoke, server_with_admin};

use qar_core::protocol::invitations::{InviteRole, NewInvitation};
use serde_json::json;
use tauri::test::{mock_builder, mock_context, noop_assets};
use tauri::WebviewWindowBuilder;

/// The administrator's invitation code, through the client's own admin call.
fn invite(url: &str, admin_token: &str) -> String {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let issued = rt
        .block_on(qar_client::sync::SyncClient::with_token(url, admin_token).invite(&NewInvitation {
            email: "ravi.castellano@example.org".into(),
            name: "Ravi Castellano".into(),
            role: InviteRole::Reviewer,
            home_school_urn: None,
        }))
        .unwrap();
    issued.code
}

#[test]
fn invitation_commands_work_before_any_store_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let (url, admin, stop) = server_with_admin(dir.path().join("server"));
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
