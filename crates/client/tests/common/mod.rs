//! What the flow tests with real laptops share: a plain laptop store signed in as a demo person.
#![allow(dead_code)] // each test file uses its own part

use qar_client::sync::SyncClient;
use qar_client::{Session, Store};
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

/// The day `offset` days (0 = Monday … 6 = Sunday) after Monday of the week `weeks` after this
/// one (UTC, as the server counts): scheduled days stay valid whenever the tests run, since the
/// visit-day rule refuses past days (`qar_core::visit_days`).
pub fn day(weeks: i64, offset: i64) -> String {
    use chrono::{Datelike, Duration, Utc};
    let today = Utc::now().date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    (monday + Duration::days(7 * weeks + offset)).format("%Y-%m-%d").to_string()
}

/// Tuesday to Thursday of the week `weeks` ahead: three valid visit days.
pub fn visit(weeks: i64) -> Vec<String> {
    (1..=3).map(|d| day(weeks, d)).collect()
}

/// A laptop signed in as a demo person (token from the server's test support).
pub fn laptop(dir: &Path, url: &str, server: &ServerStore, email: &str, user_id: &str) -> (Mutex<Store>, SyncClient) {
    let mut store = Store::open(&dir.join("qar-field.db")).unwrap();
    let token = server.test_token_for_email(email, store.device_id(), now_ms()).unwrap();
    let session = Session {
        user_id: user_id.into(),
        name: user_id.into(),
        email: email.into(),
        server_url: url.into(),
        roles: vec![],
        device_name: "Test laptop".into(),
        signed_in_at: String::new(),
    };
    store.save_session(&session, &token).unwrap();
    (Mutex::new(store), SyncClient::with_token(url, &token))
}
