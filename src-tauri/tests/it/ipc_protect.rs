//! The protected start-up as the webview drives it, on Tauri's mock runtime, on the passphrase
//! path (these machines have no keychain): first run sets a passphrase, the next start asks for
//! it, a wrong one is refused clearly, the idle lock checks it without reopening, and a revoked
//! laptop exports its unsent work and wipes, against a real server on loopback.

use crate::common::{invoke, server_with_admin};

use serde_json::{json, Value};
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::{Manager, WebviewWindow, WebviewWindowBuilder};

const PASSPHRASE: &str = "kestrel-brook-field-notes";

/// One start of the app: a gate over `data_dir` with no keychain, nothing opened yet.
fn start(data_dir: &std::path::Path, server_url: &str) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = mock_builder().invoke_handler(qar_app::invoke_handler()).build(mock_context(noop_assets())).unwrap();
    let vault = qar_client::vault::Vault::new(&data_dir.join(qar_client::client_store_file()), Box::new(qar_client::vault::NoKeychain));
    app.manage(qar_app::protect::Gate::new(vault, data_dir, server_url, std::time::Duration::from_millis(200), 600));
    let w = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    (app, w)
}

#[test]
fn first_run_sets_a_passphrase_and_the_next_start_needs_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("laptop");
    std::fs::create_dir_all(&data).unwrap();
    {
        let (_app, w) = start(&data, "http://127.0.0.1:9");
        let status = invoke(&w, "vault_status", json!({})).unwrap();
        assert_eq!(status["state"], "needs_new_passphrase", "{status}");
        assert_eq!(status["idleLockSecs"], 600);
        // Review commands do not answer before the store is open.
        assert!(invoke(&w, "list_reviews", json!({})).is_err());

        let short = invoke(&w, "unlock_store", json!({"passphrase": "short"})).unwrap_err();
        assert_eq!(short["code"], "vault", "{short}");
        assert!(short["message"].as_str().unwrap().contains("at least 8 characters"), "{short}");
        assert_eq!(invoke(&w, "vault_status", json!({})).unwrap()["state"], "needs_new_passphrase", "nothing was set");

        let opened = invoke(&w, "unlock_store", json!({"passphrase": PASSPHRASE})).unwrap();
        assert_eq!(opened["state"], "unlocked", "{opened}");
        assert_eq!(opened["protection"], "passphrase");
        assert!(opened["description"].as_str().unwrap().contains("passphrase"));
        invoke(
            &w,
            "create_review",
            json!({"input": {"schoolName": "Kestrel Brook Primary School", "schoolUrn": "990101", "startDate": "2027-02-02"}}),
        )
        .unwrap();

        // The idle lock checks without reopening: wrong is refused with its own code.
        let wrong = invoke(&w, "unlock_idle", json!({"secret": "not-the-passphrase"})).unwrap_err();
        assert_eq!(wrong["code"], "wrong_passphrase", "{wrong}");
        invoke(&w, "unlock_idle", json!({"secret": PASSPHRASE})).unwrap();
        assert_eq!(invoke(&w, "list_reviews", json!({})).unwrap().as_array().unwrap().len(), 1, "the store stayed open");
    }
    let raw = std::fs::read(data.join(qar_client::client_store_file())).unwrap();
    assert!(!raw.starts_with(b"SQLite format 3"), "the store file is encrypted");
    assert!(!raw.windows(13).any(|w| w == b"Kestrel Brook"), "no school name in clear");

    let (_app, w) = start(&data, "http://127.0.0.1:9");
    assert_eq!(invoke(&w, "vault_status", json!({})).unwrap()["state"], "needs_passphrase");
    let missing = invoke(&w, "unlock_store", json!({})).unwrap_err();
    assert_eq!(missing["code"], "passphrase_needed", "{missing}");
    let wrong = invoke(&w, "unlock_store", json!({"passphrase": "kestrel-brook-field-NOTES"})).unwrap_err();
    assert_eq!(wrong["code"], "wrong_passphrase", "{wrong}");
    assert_eq!(invoke(&w, "vault_status", json!({})).unwrap()["state"], "needs_passphrase");
    assert_eq!(invoke(&w, "unlock_store", json!({"passphrase": PASSPHRASE})).unwrap()["state"], "unlocked");
    let reviews = invoke(&w, "list_reviews", json!({})).unwrap();
    assert_eq!(reviews[0]["schoolName"], "Kestrel Brook Primary School", "nothing lost across the restart");
}

#[test]
fn a_revoked_laptop_exports_its_unsent_work_then_wipes() {
    let dir = tempfile::tempdir().unwrap();
    let (url, admin, stop) = server_with_admin(dir.path().join("server"));
    let data = dir.path().join("laptop");
    std::fs::create_dir_all(&data).unwrap();
    let (_app, w) = start(&data, &url);
    invoke(&w, "unlock_store", json!({"passphrase": PASSPHRASE})).unwrap();

    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    let code = qar_server::auth::crypto::totp_code("QARDEMOANIKAMARSHLEADREVIEWER234", now).unwrap();
    let input = json!({"serverUrl": url, "email": "anika.marsh@example.org", "password": "demo-password-2026", "totpCode": code, "deviceName": "Train laptop"});
    invoke(&w, "sign_in", json!({ "input": input })).unwrap();
    // Keychain mode would check the sign-in password at the idle lock; here the passphrase rules.
    assert_eq!(invoke(&w, "unlock_idle", json!({"secret": "demo-password-2026"})).unwrap_err()["code"], "wrong_passphrase");
    assert_eq!(invoke(&w, "sync_now", json!({})).unwrap()["pendingOps"], 0);

    // An administrator revokes the laptop through the API, as the admin screen does.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let http = reqwest::Client::new();
    let revoked = rt.block_on(async {
        let token = admin.as_str();
        let devices: Value = http.get(format!("{url}/v1/devices")).bearer_auth(token).send().await.unwrap().json().await.unwrap();
        let laptop =
            devices.as_array().unwrap().iter().find(|d| d["name"] == "Train laptop").unwrap_or_else(|| panic!("{devices}")).clone();
        let id = laptop["device_id"].as_str().unwrap().to_owned();
        http.post(format!("{url}/v1/devices/{id}/revoke"))
            .bearer_auth(token)
            .json(&json!({"reason": "reported lost on the train"}))
            .send()
            .await
            .unwrap()
            .status()
    });
    assert!(revoked.is_success(), "{revoked}");

    // Work written after the revoke stays unsent: the server refuses the laptop now.
    invoke(&w, "create_review", json!({"input": {"schoolName": "Heron Vale Academy", "schoolUrn": "990102", "startDate": "2027-03-09"}}))
        .unwrap();
    let status = invoke(&w, "sync_now", json!({})).unwrap();
    assert_eq!(status["revoked"], true, "{status}");
    assert_eq!(status["revokedReason"], "reported lost on the train");
    assert_eq!(invoke(&w, "wipe_check", json!({})).unwrap()["safe"], false);

    let refused = invoke(&w, "wipe_laptop", json!({"discardUnsent": false})).unwrap_err();
    assert_eq!(refused["code"], "unsent_work", "{refused}");
    let file = dir.path().join("handover.qarhandover");
    let exported = invoke(&w, "export_unsent", json!({"path": file, "passphrase": "handover-passphrase-9", "reviewId": null})).unwrap();
    assert!(exported["ops"].as_u64().unwrap() > 0, "{exported}");
    assert!(std::fs::metadata(&file).unwrap().len() > 0);

    invoke(&w, "wipe_laptop", json!({"discardUnsent": true})).unwrap();
    assert_eq!(invoke(&w, "vault_status", json!({})).unwrap()["state"], "wiped");
    let left: Vec<_> = std::fs::read_dir(&data).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(left.iter().all(|f| !f.starts_with("qar-field.db")), "store, WAL and key file are gone: {left:?}");
    assert_eq!(invoke(&w, "unlock_store", json!({"passphrase": PASSPHRASE})).unwrap_err()["code"], "wiped");
    stop.send(()).unwrap();
}
