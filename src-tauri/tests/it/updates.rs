//! Signed updates, offline (issue 21): a throwaway minisign key pair made here signs an update
//! that a loopback HTTP server offers in a release manifest (the same `latest.json` shape the
//! release workflow publishes). The app's updater, configured with the throwaway public key the
//! way tauri.conf.json configures the real one, must offer a good update and accept its download
//! (verified up to the point of install), and refuse a tampered artifact or a manifest signed by
//! another key with a clear message, installing nothing.

use crate::common;
use base64::Engine;
use minisign::KeyPair;
use qar_app::updates;
use serde_json::{json, Value};
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const NOTES: &str = "Evidence search is faster; the report export names files safely on Windows.";
const NEW_VERSION: &str = "99.0.0";

/// The updater's public key setting: base64 of the whole minisign public key file, as
/// `tauri signer generate` writes it.
fn pubkey_setting(kp: &KeyPair) -> String {
    B64.encode(kp.pk.to_box().unwrap().to_string())
}

/// A `.sig` file's text in base64, as the Tauri bundler puts it in the manifest.
fn signature(kp: &KeyPair, artifact: &[u8], version: &str) -> String {
    let trusted = format!("timestamp:1796601600\tfile:QAR-Field_{version}_amd64.AppImage\tversion:{version}");
    let sig = minisign::sign(Some(&kp.pk), &kp.sk, std::io::Cursor::new(artifact), Some(&trusted), Some("signature from tauri secret key"))
        .unwrap();
    B64.encode(sig.to_string())
}

/// An app on the mock runtime whose updater trusts `pubkey`.
fn app_trusting(pubkey: &str) -> tauri::App<MockRuntime> {
    let mut ctx = mock_context(noop_assets());
    // As tauri.conf.json: the signature must also name the version the manifest announces.
    ctx.config_mut().plugins.0.insert("updater".into(), json!({ "pubkey": pubkey, "requireSignedVersion": true }));
    qar_app::with_plugins(mock_builder(), qar_app::logging::LogFile::default())
        .invoke_handler(qar_app::invoke_handler())
        .build(ctx)
        .unwrap()
}

/// Serves `/latest.json` and `/artifact` on a loopback port until the test process ends.
fn serve(manifest_for: impl FnOnce(&str) -> Value, artifact: Vec<u8>) -> String {
    let listener = tauri::async_runtime::block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let manifest = manifest_for(&format!("{base}/artifact"));
    let router = axum::Router::new()
        .route("/latest.json", axum::routing::get(move || async move { axum::Json(manifest) }))
        .route("/artifact", axum::routing::get(move || async move { artifact }));
    tauri::async_runtime::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("{base}/latest.json")
}

/// The manifest names the artifact for every desktop platform, so the test runs on any of them.
fn manifest(version: &str, url: &str, signature: &str) -> Value {
    let entry = json!({ "url": url, "signature": signature });
    let platforms: serde_json::Map<String, Value> = ["linux", "darwin", "windows"]
        .iter()
        .flat_map(|os| ["x86_64", "aarch64"].map(|arch| (format!("{os}-{arch}"), entry.clone())))
        .collect();
    json!({ "version": version, "notes": NOTES, "pub_date": "2026-12-01T09:00:00Z", "platforms": platforms })
}

fn artifact() -> Vec<u8> {
    // Stands in for the installer: the updater checks the signature over whatever bytes arrive.
    (0..64 * 1024).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn a_correctly_signed_update_is_offered_with_its_notes_and_its_download_verifies() {
    let key = KeyPair::generate_unencrypted_keypair().unwrap();
    let bytes = artifact();
    let sig = signature(&key, &bytes, NEW_VERSION);
    let url = serve(|artifact_url| manifest(NEW_VERSION, artifact_url, &sig), bytes.clone());
    let app = app_trusting(&pubkey_setting(&key));

    let update =
        tauri::async_runtime::block_on(updates::check(app.handle(), Some(url.parse().unwrap()))).unwrap().expect("an update is offered");
    let offer = updates::offer(&update);
    assert_eq!(offer.version, NEW_VERSION);
    assert_eq!(offer.current_version, app.package_info().version.to_string());
    assert_eq!(offer.notes.as_deref(), Some(NOTES));
    assert_eq!(offer.date.as_deref(), Some("2026-12-01T09:00:00Z"));

    let downloaded = tauri::async_runtime::block_on(updates::download_verified(&update)).expect("a good signature verifies");
    assert_eq!(downloaded, bytes, "the verified bytes are the ones served");
}

#[test]
fn a_tampered_artifact_is_refused_with_a_clear_message() {
    let key = KeyPair::generate_unencrypted_keypair().unwrap();
    let bytes = artifact();
    let sig = signature(&key, &bytes, NEW_VERSION);
    let mut tampered = bytes.clone();
    tampered[1000] ^= 0x01;
    let url = serve(|artifact_url| manifest(NEW_VERSION, artifact_url, &sig), tampered);
    let app = app_trusting(&pubkey_setting(&key));

    let update = tauri::async_runtime::block_on(updates::check(app.handle(), Some(url.parse().unwrap()))).unwrap().unwrap();
    let err = tauri::async_runtime::block_on(updates::download_verified(&update)).expect_err("a changed byte must fail the signature");
    assert_eq!(err.code, qar_core::ErrorCode::UpdateNotVerified);
    assert!(err.message.contains("not signed by QAR Field's release key") && err.message.contains("not installed"), "{}", err.message);
}

#[test]
fn a_manifest_signed_by_another_key_is_refused() {
    let trusted = KeyPair::generate_unencrypted_keypair().unwrap();
    let attacker = KeyPair::generate_unencrypted_keypair().unwrap();
    let bytes = artifact();
    let sig = signature(&attacker, &bytes, NEW_VERSION);
    let url = serve(|artifact_url| manifest(NEW_VERSION, artifact_url, &sig), bytes);
    let app = app_trusting(&pubkey_setting(&trusted));

    let update = tauri::async_runtime::block_on(updates::check(app.handle(), Some(url.parse().unwrap()))).unwrap().unwrap();
    let err = tauri::async_runtime::block_on(updates::download_verified(&update)).expect_err("another key's signature must not verify");
    assert_eq!(err.code, qar_core::ErrorCode::UpdateNotVerified);
    assert!(err.message.contains("not signed by QAR Field's release key"), "{}", err.message);
}

#[test]
fn an_older_release_served_as_a_newer_one_is_refused() {
    // A genuine, correctly signed artifact of another version, announced as the new one: the
    // signed version in the signature's trusted comment gives it away.
    let key = KeyPair::generate_unencrypted_keypair().unwrap();
    let bytes = artifact();
    let sig = signature(&key, &bytes, "98.0.0");
    let url = serve(|artifact_url| manifest(NEW_VERSION, artifact_url, &sig), bytes);
    let app = app_trusting(&pubkey_setting(&key));

    let update = tauri::async_runtime::block_on(updates::check(app.handle(), Some(url.parse().unwrap()))).unwrap().unwrap();
    let err = tauri::async_runtime::block_on(updates::download_verified(&update)).expect_err("the versions disagree");
    assert_eq!(err.code, qar_core::ErrorCode::UpdateNotVerified);
}

#[test]
fn the_same_version_is_not_offered() {
    let key = KeyPair::generate_unencrypted_keypair().unwrap();
    let bytes = artifact();
    let app = app_trusting(&pubkey_setting(&key));
    let current = app.package_info().version.to_string();
    let sig = signature(&key, &bytes, &current);
    let url = serve(|artifact_url| manifest(&current, artifact_url, &sig), bytes);
    let update = tauri::async_runtime::block_on(updates::check(app.handle(), Some(url.parse().unwrap()))).unwrap();
    assert!(update.is_none(), "the installed version is not an update");
}

/// Through IPC as the webview calls it: "Update available" carries the notes, and a click on
/// install with a tampered download is refused before anything is installed or restarted.
#[test]
fn the_webview_is_offered_the_update_and_a_tampered_install_is_refused() {
    let key = KeyPair::generate_unencrypted_keypair().unwrap();
    let bytes = artifact();
    let sig = signature(&key, &bytes, NEW_VERSION);
    let mut tampered = bytes;
    tampered[0] ^= 0xff;
    let url = serve(|artifact_url| manifest(NEW_VERSION, artifact_url, &sig), tampered);
    // The only test that sets the address through the environment; other tests of this binary
    // (one process, decision 42) must not depend on it being unset.
    std::env::set_var(updates::UPDATE_URL_ENV, &url);
    let app = app_trusting(&pubkey_setting(&key));
    let w = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();

    let offer = common::invoke(&w, "check_for_update", json!({})).unwrap();
    assert_eq!(offer["version"], NEW_VERSION);
    assert_eq!(offer["notes"], NOTES);

    let err = common::invoke(&w, "install_update", json!({})).expect_err("a tampered update is not installed");
    assert_eq!(err["code"], "update_not_verified");

    let err = common::invoke(&w, "install_update", json!({})).expect_err("the refused update is not kept for another try");
    assert_eq!(err["code"], "update_failed");
    assert!(err["message"].as_str().unwrap().contains("check for updates again"));
}
