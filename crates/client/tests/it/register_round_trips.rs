//! One round trip per sync again (issue 25): every pull page says where the register's feed
//! ends, so a sync with nothing new in the register makes no request for it. Requests are
//! counted by the real server on loopback (its `/metrics`, by route), not by the laptop.

use crate::common::{heron_vale_review, laptop, now_ms};
use qar_client::sync::register_http::pull_register_if_moved;
use qar_client::sync::sync_once;
use qar_server::store::demo_history::{history_review_id, HISTORY_YEARS};
use qar_server::store::register::ConsentChange;
use qar_server::{start, AuthDevice, Role, RunningServer, ServerConfig};
use std::collections::BTreeMap;

fn admin() -> AuthDevice {
    AuthDevice { user_id: "user-demo-admin".into(), device_id: uuid::Uuid::now_v7(), roles: vec![Role::Admin] }
}

/// Requests the server has answered so far, by route template (its `/metrics`).
async fn answered(metrics: std::net::SocketAddr) -> BTreeMap<String, u64> {
    let text = reqwest::get(format!("http://{metrics}/metrics")).await.unwrap().text().await.unwrap();
    let mut by_route = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("qar_http_requests_total{")) {
        let route = line.split("route=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_owned();
        let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        *by_route.entry(route).or_default() += count as u64;
    }
    by_route
}

/// What was asked between two readings of [`answered`], by route; routes not asked are left out.
fn asked(before: &BTreeMap<String, u64>, after: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    after.iter().map(|(r, n)| (r.clone(), n - before.get(r).copied().unwrap_or(0))).filter(|(_, n)| *n > 0).collect()
}

fn routes(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(r, n)| ((*r).to_owned(), *n)).collect()
}

/// A demo server serving its metrics, one register entry published by its head's consent, and a
/// reviewer's laptop signed in to it (the temporary folders live as long as the value).
struct Published {
    srv: RunningServer,
    metrics: std::net::SocketAddr,
    entry: uuid::Uuid,
    store: std::sync::Mutex<qar_client::Store>,
    client: qar_client::sync::SyncClient,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

async fn published_entry_and_a_laptop() -> Published {
    let (srv_dir, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let config = ServerConfig {
        data_dir: srv_dir.path().to_owned(),
        listen: "127.0.0.1:0".parse().unwrap(),
        metrics_listen: Some("127.0.0.1:0".parse().unwrap()),
        demo: true,
        demo_history: true,
        ..Default::default()
    };
    let srv = start(&config).await.unwrap();
    let metrics = srv.metrics_addr.expect("the metrics address is served");
    let entry = history_review_id("990101", HISTORY_YEARS[2]);
    let given = ConsentChange { given: true, head_name: "Morwenna Pendleford".into() };
    srv.store().set_register_consent(&admin(), entry, &given, now_ms()).unwrap();
    let (store, client) = laptop(dir.path(), &srv.url(), srv.store(), "owen.pritchard@example.org", "user-owen-pritchard");
    Published { srv, metrics, entry, store, client, _dirs: (srv_dir, dir) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_with_an_unchanged_register_is_one_request_and_a_change_still_arrives() {
    let Published { srv, metrics, entry, store, client, _dirs } = published_entry_and_a_laptop().await;
    let server = srv.store();

    // The first sync brings the register with a request of its own.
    let before = answered(metrics).await;
    let first = sync_once(&store, &client, now_ms).await.unwrap();
    assert!(first.register_changed > 0, "the published entry arrives");
    let after = answered(metrics).await;
    assert_eq!(asked(&before, &after).get("/v1/register/changes"), Some(&1), "{:?}", asked(&before, &after));

    // Nothing new anywhere: one pull, nothing else.
    let quiet = sync_once(&store, &client, now_ms).await.unwrap();
    let later = answered(metrics).await;
    assert_eq!(asked(&after, &later), routes(&[("/v1/sync/pull", 1)]));
    assert_eq!((quiet.pushed, quiet.pulled, quiet.register_changed), (0, 0, 0));

    // One changed record: the push, whose answer carries the page of news, and nothing else.
    heron_vale_review(&mut store.lock().unwrap());
    let edit = sync_once(&store, &client, now_ms).await.unwrap();
    let after_edit = answered(metrics).await;
    assert_eq!(edit.pushed, 1);
    assert_eq!(asked(&later, &after_edit), routes(&[("/v1/sync/push", 1)]));

    // The head revokes consent: the next sync sees the register moved and brings the change.
    let revoked = ConsentChange { given: false, head_name: "Morwenna Pendleford".into() };
    server.set_register_consent(&admin(), entry, &revoked, now_ms()).unwrap();
    let moved = sync_once(&store, &client, now_ms).await.unwrap();
    let after_move = answered(metrics).await;
    assert_eq!(moved.register_changed, 1);
    assert!(store.lock().unwrap().register_entry(&entry.to_string()).unwrap().is_none(), "the revoked entry left");
    assert_eq!(asked(&after_edit, &after_move), routes(&[("/v1/register/changes", 1), ("/v1/sync/pull", 1)]));
    srv.stop().await;
}

/// A server older than the head on pages never says it: the laptop then asks, as before, and
/// the register's changes still arrive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_head_from_the_server_the_laptop_asks_as_before() {
    let Published { srv, metrics, entry, store, client, _dirs } = published_entry_and_a_laptop().await;

    let before = answered(metrics).await;
    let changed = pull_register_if_moved(&store, &client, None).await.unwrap();
    assert!(changed > 0, "the published entry arrives");
    assert!(store.lock().unwrap().register_entry(&entry.to_string()).unwrap().is_some());
    let after = answered(metrics).await;
    assert_eq!(asked(&before, &after), routes(&[("/v1/register/changes", 1)]));
    // Asked again with no head: still asked (nothing changes here); with the copy's own cursor
    // as the head, not asked.
    assert_eq!(pull_register_if_moved(&store, &client, None).await.unwrap(), 0);
    let cursor = store.lock().unwrap().register_cursor().unwrap();
    assert_eq!(pull_register_if_moved(&store, &client, Some(cursor)).await.unwrap(), 0);
    let last = answered(metrics).await;
    assert_eq!(asked(&after, &last), routes(&[("/v1/register/changes", 1)]));
    srv.stop().await;
}
