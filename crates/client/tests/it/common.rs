//! What the flow tests with real laptops share: a plain laptop store signed in as a demo person.
#![allow(dead_code)] // each test file uses its own part

use qar_client::sync::SyncClient;
use qar_client::{NewReview, ReviewSummary, Session, Store};
use qar_server::ServerStore;
use std::path::Path;
use std::sync::Mutex;

/// A real qar-server on loopback (a free port) with the synthetic demo data, in `dir`.
pub async fn demo_server(dir: &Path) -> qar_server::RunningServer {
    let config =
        qar_server::ServerConfig { data_dir: dir.to_owned(), listen: "127.0.0.1:0".parse().unwrap(), demo: true, ..Default::default() };
    qar_server::start(&config).await.unwrap()
}

/// An HTTP client signed in on a new device as a demo person (token from the server's test support).
pub fn signed_in(srv: &qar_server::RunningServer, email: &str) -> SyncClient {
    SyncClient::with_token(&srv.url(), &srv.store().test_token_for_email(email, uuid::Uuid::now_v7(), now_ms()).unwrap())
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

pub use qar_server::store::{day, visit};

/// A laptop signed in as a demo person (token from the server's test support).
pub fn laptop(dir: &Path, url: &str, server: &ServerStore, email: &str, user_id: &str) -> (Mutex<Store>, SyncClient) {
    let mut store = Store::open(&dir.join("qar-field.db")).unwrap();
    let token = server.test_token_for_email(email, store.device_id(), now_ms()).unwrap();
    save_session(&mut store, url, &token, user_id, user_id, email);
    (Mutex::new(store), SyncClient::with_token(url, &token))
}

/// Signs `store` in as `user_id` with a device token made by the server's test support (real
/// sign-in with password and TOTP is covered by the server's auth tests); returns the token.
pub fn sign_in_store(store: &mut Store, url: &str, server: &ServerStore, user_id: &str, name: &str) -> String {
    let token = server.test_token(user_id, store.device_id(), now_ms()).unwrap();
    save_session(store, url, &token, user_id, name, &format!("{user_id}@test.invalid"));
    token
}

fn save_session(store: &mut Store, url: &str, token: &str, user_id: &str, name: &str, email: &str) {
    let session = Session {
        user_id: user_id.into(),
        name: name.into(),
        email: email.into(),
        server_url: url.into(),
        roles: vec![],
        device_name: "Test laptop".into(),
        signed_in_at: String::new(),
    };
    store.save_session(&session, token).unwrap();
}

/// A laptop signed in the way a person does it (email, demo password, the authenticator's code)
/// and synced once.
pub async fn signed_in_client(dir: &Path, url: &str, email: &str, secret: &str) -> qar_client::Client {
    let client = qar_client::Client::open(dir, url).unwrap();
    let code = qar_server::auth::crypto::totp_code(secret, now_ms()).unwrap();
    let input = qar_client::SignIn {
        server_url: url.into(),
        email: email.into(),
        password: "demo-password-2026".into(),
        totp_code: code,
        device_name: Some("Test laptop".into()),
    };
    client.sign_in(&input).await.unwrap();
    client.sync_now().await.unwrap();
    client
}

/// pdftotext's reading of a PDF, whitespace runs squashed.
pub fn pdf_text(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) installed");
    assert!(out.status.success());
    squash(&String::from_utf8_lossy(&out.stdout))
}

pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The review the flow tests sync: Heron Vale Academy (URN 990102), starting 19 January 2027.
pub fn heron_vale_review(store: &mut Store) -> ReviewSummary {
    store
        .create_review(
            &NewReview { school_name: "Heron Vale Academy".into(), school_urn: "990102".into(), start_date: "2027-01-19".into() },
            now_ms(),
        )
        .unwrap()
}
