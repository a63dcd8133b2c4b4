//! Two laptops with separate data folders and a real qar-server on a loopback port.

use crate::common::{now_ms, sign_in_store};
use qar_client::{Client, NewEvidence, NewReview, Store};
use qar_core::entities::TeamRole;
use qar_server::{start, ServerConfig, ServerStore};
use std::path::Path;

/// Opens a laptop signed in as `user_id`: a device token made with the server's test support
/// (real sign-in with password + TOTP is covered by the server's auth tests).
fn signed_in_laptop(dir: &Path, url: &str, server: &ServerStore, user_id: &str, name: &str) -> (Client, String) {
    let mut store = Store::open(&dir.join("qar-field.db")).unwrap();
    let token = sign_in_store(&mut store, url, server, user_id, name);
    drop(store);
    (Client::open(dir, url).unwrap(), token)
}

async fn server(dir: &std::path::Path) -> qar_server::RunningServer {
    start(&ServerConfig { data_dir: dir.to_owned(), listen: "127.0.0.1:0".parse().unwrap(), demo: false, ..Default::default() })
        .await
        .expect("server starts on a free loopback port")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_written_offline_on_one_laptop_reaches_the_other_once() {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let srv = server(dirs[0].path()).await;
    // A is the Lead Reviewer who sets the review up; B a reviewer put on its team.
    srv.store().test_user("user-lena", "Lena Lead", &[]).unwrap();
    srv.store().test_user("user-rhys", "Rhys Reviewer", &[]).unwrap();
    let (a, token_a) = signed_in_laptop(dirs[1].path(), &srv.url(), srv.store(), "user-lena", "Lena Lead");
    let (b, _) = signed_in_laptop(dirs[2].path(), &srv.url(), srv.store(), "user-rhys", "Rhys Reviewer");

    let review = a
        .create_review(&NewReview {
            school_name: "Heron Vale Academy".into(),
            school_urn: "990102".into(),
            start_date: "2027-01-19".into(),
        })
        .unwrap();
    for (kind, text) in [
        ("work_scrutiny", "Y9 science books: feedback acted on in most books."),
        ("pupil_voice", "Y8 pupils felt safe; clear on how to report concerns."),
    ] {
        a.add_evidence(&NewEvidence {
            review_id: review.id.clone(),
            activity_type: kind.into(),
            started_at: None,
            notes: text.into(),
            ..Default::default()
        })
        .unwrap();
    }
    assert_eq!(a.status().unwrap().pending_ops, 3, "one op per edit: the review and two notes");

    let report = a.sync_now().await.unwrap();
    assert_eq!(report.pushed, 3);
    let review_id: uuid::Uuid = review.id.parse().unwrap();
    srv.store().test_team_member(review_id, "user-rhys", TeamRole::Reviewer, now_ms()).unwrap();
    let status = a.status().unwrap();
    assert_eq!(status.pending_ops, 0);
    assert!(status.last_sync_at.is_some() && status.last_error.is_none());

    b.sync_now().await.unwrap();
    let on_b = b.list_reviews().unwrap();
    assert_eq!(on_b.len(), 1);
    assert_eq!((on_b[0].school_name.as_str(), on_b[0].school_urn.as_str(), on_b[0].evidence_count), ("Heron Vale Academy", "990102", 2));
    let notes: Vec<String> = b.list_evidence(&review.id).unwrap().into_iter().map(|e| e.notes).collect();
    assert!(notes.contains(&"Y9 science books: feedback acted on in most books.".to_string()));

    // A pushes the very same batch again (as after a lost reply): the server holds no duplicate.
    let store = srv.store().clone();
    let before = store.dump().unwrap();
    let (device, ops) = all_outbox_ops(dirs[1].path());
    let sync = qar_client::sync::SyncClient::with_token(&srv.url(), &token_a);
    let reply = sync.push(device, ops, None).await.unwrap();
    assert_eq!(reply.acked_through, 3);
    assert!(reply.results.iter().all(|r| r.outcome == qar_core::protocol::OpOutcome::Duplicate));
    assert_eq!(store.dump().unwrap(), before, "replay changed nothing on the server");
    b.sync_now().await.unwrap();
    assert_eq!(b.list_evidence(&review.id).unwrap().len(), 2, "no duplicate reached laptop B");
    srv.stop().await;
}

/// Every op in a laptop's outbox, acknowledged or not (as if no reply had ever arrived).
fn all_outbox_ops(dir: &std::path::Path) -> (uuid::Uuid, Vec<qar_core::protocol::Op>) {
    let conn = rusqlite::Connection::open(dir.join("qar-field.db")).unwrap();
    conn.execute("DELETE FROM meta WHERE key = 'acked_through'", []).unwrap();
    let s = qar_client::Store::open(&dir.join("qar-field.db")).unwrap();
    let batch = s.pending_batch(1000).unwrap();
    (batch.device_id, batch.ops)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_server_down_work_is_kept_and_the_error_is_plain() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    // Anika (a demo Lead Reviewer) signed in on this laptop earlier; the server is down now.
    let srv_dir = tempfile::tempdir().unwrap();
    let (a, _) = {
        let server_store = ServerStore::open(srv_dir.path()).unwrap();
        server_store.seed_demo(now_ms()).unwrap();
        let anika = server_store.user_id_by_email("anika.marsh@example.org").unwrap().unwrap();
        signed_in_laptop(dir.path(), &url, &server_store, &anika, "Dr Anika Marsh")
    };
    let review = a
        .create_review(&NewReview {
            school_name: "Larkspur Hill Primary".into(),
            school_urn: "990103".into(),
            start_date: "2027-03-09".into(),
        })
        .unwrap();
    let err = a.sync_now().await.unwrap_err();
    assert_eq!(err.code(), "offline");
    let status = a.status().unwrap();
    assert_eq!(status.pending_ops, 1);
    let message = status.last_error.unwrap();
    assert!(message.contains("can't reach the sync server") && message.contains("saved on this laptop"), "{message}");
    assert_eq!(a.review(&review.id).unwrap().school_name, "Larkspur Hill Primary");

    // The server comes up on that port: the next sync sends everything and clears the error.
    let srv = start(&ServerConfig {
        data_dir: srv_dir.path().to_owned(),
        listen: format!("127.0.0.1:{port}").parse().unwrap(),
        demo: true,
        ..Default::default()
    })
    .await
    .unwrap();
    a.sync_now().await.unwrap();
    let status = a.status().unwrap();
    assert_eq!((status.pending_ops, status.last_error), (0, None));
    assert_eq!(a.list_reviews().unwrap().len(), 4, "own review plus the three demo reviews Anika leads");
    srv.stop().await;
}

/// More than two push batches in one sync: the next batch is read while one is on the wire, so
/// this checks that nothing is skipped or sent twice across batch boundaries, including edits
/// made between syncs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_of_several_full_batches_sends_every_op_once_in_order() {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let srv = server(dirs[0].path()).await;
    srv.store().test_user("user-lena", "Lena Lead", &[]).unwrap();
    srv.store().test_user("user-rhys", "Rhys Reviewer", &[]).unwrap();
    let (a, _) = signed_in_laptop(dirs[1].path(), &srv.url(), srv.store(), "user-lena", "Lena Lead");
    let (b, _) = signed_in_laptop(dirs[2].path(), &srv.url(), srv.store(), "user-rhys", "Rhys Reviewer");
    let review = a
        .create_review(&NewReview {
            school_name: "Larkspur Fields Primary".into(),
            school_urn: "990177".into(),
            start_date: "2027-02-02".into(),
        })
        .unwrap();
    let batch = qar_client::sync::PUSH_BATCH;
    let first = 2 * batch + 300; // two full batches and a partial one, plus the review
    for i in 0..first {
        let note = NewEvidence {
            review_id: review.id.clone(),
            activity_type: "learning_walk".into(),
            notes: format!("Walk note {i:05}"),
            ..Default::default()
        };
        a.add_evidence(&note).unwrap();
    }
    let report = a.sync_now().await.unwrap();
    assert_eq!(report.pushed, first + 1, "every op once");
    assert_eq!(a.status().unwrap().pending_ops, 0);
    // Exactly one full batch more: the read-ahead after it finds nothing and the loop ends.
    for i in first..first + batch {
        let note = NewEvidence {
            review_id: review.id.clone(),
            activity_type: "learning_walk".into(),
            notes: format!("Walk note {i:05}"),
            ..Default::default()
        };
        a.add_evidence(&note).unwrap();
    }
    assert_eq!(a.sync_now().await.unwrap().pushed, batch);
    assert_eq!(a.status().unwrap().pending_ops, 0);

    srv.store().test_team_member(review.id.parse().unwrap(), "user-rhys", TeamRole::Reviewer, now_ms()).unwrap();
    b.sync_now().await.unwrap();
    let mut notes: Vec<String> = b.list_evidence(&review.id).unwrap().into_iter().map(|e| e.notes).collect();
    notes.sort();
    let expected: Vec<String> = (0..first + batch).map(|i| format!("Walk note {i:05}")).collect();
    assert_eq!(notes, expected);
}
