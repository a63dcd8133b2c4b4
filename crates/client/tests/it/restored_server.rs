//! A server restored from a backup that misses what two laptops already synced (decision 55):
//! one laptop's cursor is ahead of the restored feed, the other has unsent work on top of ops
//! the restore lost. Both notice, pull again from the start and send again what the server no
//! longer has, and in the end the server and both laptops hold every note, each once.

use crate::common::{heron_vale_review, now_ms, sign_in_store};
use qar_client::model::NewEvidence;
use qar_client::sync::{sync_once, SyncClient};
use qar_client::Store;
use qar_core::entities::TeamRole;
use qar_server::{start, KeySource, RunningServer, ServerConfig};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;

async fn server(dir: &Path, key: &Path) -> RunningServer {
    let config = ServerConfig {
        data_dir: dir.to_owned(),
        listen: "127.0.0.1:0".parse().unwrap(),
        key: KeySource::File(key.to_owned()),
        ..Default::default()
    };
    start(&config).await.expect("server starts")
}

fn note(review_id: &str, text: &str) -> NewEvidence {
    NewEvidence { review_id: review_id.into(), activity_type: "learning_walk".into(), notes: text.into(), ..Default::default() }
}

fn notes(store: &Mutex<Store>, review_id: &str) -> BTreeSet<String> {
    store.lock().unwrap().list_evidence(review_id).unwrap().into_iter().map(|e| e.notes).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn laptops_ahead_of_a_restored_server_resync_and_lose_nothing() {
    let root = tempfile::tempdir().unwrap();
    let (live, key, backup, restored) =
        (root.path().join("live"), root.path().join("server.key"), root.path().join("b.qarbak"), root.path().join("restored"));
    let (dir_a, dir_b) = (root.path().join("a"), root.path().join("b"));
    std::fs::create_dir_all(&dir_a).unwrap();
    std::fs::create_dir_all(&dir_b).unwrap();
    let srv = server(&live, &key).await;
    srv.store().test_user("user-lena", "Lena Lead", &[]).unwrap();
    srv.store().test_user("user-rhys", "Rhys Reviewer", &[]).unwrap();
    let mut a = Store::open(&dir_a.join("qar-field.db")).unwrap();
    let token_a = sign_in_store(&mut a, &srv.url(), srv.store(), "user-lena", "Lena Lead");
    let mut b = Store::open(&dir_b.join("qar-field.db")).unwrap();
    let token_b = sign_in_store(&mut b, &srv.url(), srv.store(), "user-rhys", "Rhys Reviewer");
    let (a, b) = (Mutex::new(a), Mutex::new(b));
    let (http_a, http_b) = (SyncClient::with_token(&srv.url(), &token_a), SyncClient::with_token(&srv.url(), &token_b));

    let review = heron_vale_review(&mut a.lock().unwrap());
    a.lock().unwrap().add_evidence(&note(&review.id, "1: before the backup"), now_ms()).unwrap();
    sync_once(&a, &http_a, now_ms).await.unwrap();
    srv.store().test_team_member(review.id.parse().unwrap(), "user-rhys", TeamRole::Reviewer, now_ms()).unwrap();
    sync_once(&b, &http_b, now_ms).await.unwrap();

    qar_server::store::backup::backup(&live, &KeySource::File(key.clone()), &backup).unwrap();

    // After the backup: both laptops sync notes the restore will lose, and B pulls A's.
    a.lock().unwrap().add_evidence(&note(&review.id, "2: A, after the backup"), now_ms()).unwrap();
    sync_once(&a, &http_a, now_ms).await.unwrap();
    b.lock().unwrap().add_evidence(&note(&review.id, "3: B, after the backup"), now_ms()).unwrap();
    sync_once(&b, &http_b, now_ms).await.unwrap();
    assert_eq!(notes(&b, &review.id).len(), 3);
    let cursor_b = b.lock().unwrap().pull_cursor().unwrap();
    srv.stop().await;

    qar_server::store::backup::restore(&backup, &restored, &KeySource::File(key.clone())).unwrap();
    let srv = server(&restored, &key).await;
    let (http_a, http_b) = (SyncClient::with_token(&srv.url(), &token_a), SyncClient::with_token(&srv.url(), &token_b));
    let lost = srv.store().pull(0, 1000, None, &qar_server::store::ReadScope::everything(), now_ms()).unwrap();
    assert!(lost.cursor < cursor_b, "the restored feed ends below B's cursor ({} < {cursor_b})", lost.cursor);

    // A writes on, offline, on top of an op the server lost: its next push finds the gap.
    a.lock().unwrap().add_evidence(&note(&review.id, "4: A, unsent at the restore"), now_ms()).unwrap();
    // B has nothing unsent: its pull finds the feed moved under it.
    let report_b = sync_once(&b, &http_b, now_ms).await.unwrap();
    assert_eq!(report_b.pushed, 1, "B sends its note 3 again");
    let report_a = sync_once(&a, &http_a, now_ms).await.unwrap();
    assert_eq!(report_a.pushed, 2, "A sends note 2 again and note 4");
    sync_once(&b, &http_b, now_ms).await.unwrap();
    sync_once(&a, &http_a, now_ms).await.unwrap();

    let all: BTreeSet<String> = ["1: before the backup", "2: A, after the backup", "3: B, after the backup", "4: A, unsent at the restore"]
        .map(String::from)
        .into();
    assert_eq!(notes(&a, &review.id), all, "A holds every note");
    assert_eq!(notes(&b, &review.id), all, "B holds every note");
    for laptop in [&a, &b] {
        let s = laptop.lock().unwrap();
        assert_eq!(s.pending_count().unwrap(), 0, "nothing left unsent");
        assert_eq!(s.list_evidence(&review.id).unwrap().len(), 4, "each note once");
    }
    let on_server = srv.store().pull(0, 1000, None, &qar_server::store::ReadScope::everything(), now_ms()).unwrap();
    let texts: Vec<String> =
        on_server.changes.iter().filter_map(|c| c.fields.get("notes").and_then(|f| f.value.as_str()).map(String::from)).collect();
    assert_eq!(texts.len(), 4, "each note once on the server: {texts:?}");
    assert_eq!(texts.into_iter().collect::<BTreeSet<_>>(), all);
    assert_eq!(on_server.feed_epoch.as_deref(), Some(srv.store().feed_epoch()));
}
