//! Retention purges reach every laptop (issue 24): two laptops hold an issued review's notes and
//! a cancelled review; one syncs through the server's soft deletion and purge, the other is
//! offline for both and syncs afterwards. On both, the purged notes, comment and the cancelled
//! review are gone from the store and from the search index; the report's parts stay.

use crate::common::{laptop, now_ms};
use qar_client::sync::sync_once;
use qar_client::{EvidenceQuery, Store};
use qar_core::entities::TeamRole;
use qar_server::{start, ServerConfig};
use std::path::Path;
use std::sync::Mutex;

const DAY: u64 = 86_400_000;

/// (rows, rows in the search index matching the notes' words, outbox rows naming the text) for
/// one review, read from the laptop's file beside the store.
fn held(dir: &Path, review_id: &str) -> (i64, i64, i64) {
    let conn = rusqlite::Connection::open(dir.join("qar-field.db")).unwrap();
    let count = |sql: &str| conn.query_row(sql, [review_id], |r| r.get::<_, i64>(0)).unwrap();
    (
        count(
            "SELECT (SELECT count(*) FROM evidence WHERE review_id = ?1) + (SELECT count(*) FROM comments WHERE review_id = ?1)
                  + (SELECT count(*) FROM reviews WHERE id = ?1 AND state = 'cancelled')",
        ),
        count("SELECT count(*) FROM evidence_fts WHERE evidence_fts MATCH 'example' AND ?1 <> ''"),
        count("SELECT count(*) FROM outbox WHERE review_id = ?1 AND fields LIKE '%Example%'"),
    )
}

fn search(store: &Mutex<Store>, review_id: &str) -> usize {
    let q = EvidenceQuery { text: "example".into(), ..Default::default() };
    store.lock().unwrap().search_evidence(review_id, &q).unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purge_reaches_a_laptop_that_was_online_and_one_that_was_offline() {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let config = ServerConfig { data_dir: dirs[0].path().to_owned(), listen: "127.0.0.1:0".parse().unwrap(), ..Default::default() };
    let srv = start(&config).await.unwrap();
    let server = srv.store();
    // Nothing is due yet at the real time, so the server's own hourly run (which starts at once)
    // leaves it alone; the test moves the purge's clock on by itself.
    let now = now_ms();
    server.test_user("user-lena", "Lena Lead", &[]).unwrap();
    let issued = server.test_issued_review(None, 3, now - 300 * DAY).unwrap();
    let cancelled = server.test_cancelled_review(None, 1, now - 60 * DAY).unwrap();
    for r in [&issued, &cancelled] {
        server.test_team_member(r.review.parse().unwrap(), "user-lena", TeamRole::Reviewer, now).unwrap();
    }
    let (online, online_client) = laptop(dirs[1].path(), &srv.url(), server, "user-lena@test.invalid", "user-lena");
    let (offline, offline_client) = laptop(dirs[2].path(), &srv.url(), server, "user-lena@test.invalid", "user-lena");
    // Laptops whose person keeps issued reviews (by default they leave a month after issue, and
    // this one was issued months ago): the purge must reach them.
    for store in [&online, &offline] {
        store.lock().unwrap().set_keep_issued_days(None).unwrap();
    }
    for (store, client) in [(&online, &online_client), (&offline, &offline_client)] {
        let r = sync_once(store, client, now_ms).await.unwrap();
        let listed = store.lock().unwrap().list_evidence(&issued.review).unwrap().len();
        assert_eq!((listed, search(store, &issued.review)), (3, 3), "both laptops hold the notes before the purge: {r:?}");
    }
    let dir_of = |i: usize| dirs[i].path().to_owned();
    assert_eq!(held(&dir_of(1), &issued.review).0, 4, "three notes and a comment");

    // Soft deletion: the online laptop takes the notes' tombstones, so search no longer finds them.
    let soft = server.purge(false, now + 70 * DAY).unwrap();
    assert_eq!((soft.soft_deleted_evidence, soft.soft_deleted_cancelled), (4, 5), "{soft:?}");
    sync_once(&online, &online_client, now_ms).await.unwrap();
    assert_eq!(search(&online, &issued.review), 0);

    // The purge after the grace period: both laptops remove the records, however long they were away.
    let hard = server.purge(false, now + 101 * DAY).unwrap();
    assert_eq!(hard.purged, 9, "{hard:?}");
    let report = sync_once(&online, &online_client, now_ms).await.unwrap();
    assert!(report.purged >= 4, "the sync says what it removed: {report:?}");
    let report = sync_once(&offline, &offline_client, now_ms).await.unwrap();
    assert!(report.purged >= 4, "{report:?}");
    for (i, store) in [(1, &online), (2, &offline)] {
        assert_eq!(held(&dir_of(i), &issued.review), (0, 0, 0), "laptop {i}: notes, comment and index entries gone");
        assert_eq!(held(&dir_of(i), &cancelled.review), (0, 0, 0), "laptop {i}: the cancelled review gone");
        assert_eq!(search(store, &issued.review), 0);
        let s = store.lock().unwrap();
        let (records, _) = s.last_purge().unwrap().expect("the sync panel has the purge to tell");
        assert!(records >= 4, "laptop {i}: {records} records told");
        let reviews: Vec<String> = s.list_reviews().unwrap().into_iter().map(|r| r.id).collect();
        assert!(reviews.contains(&issued.review) && !reviews.contains(&cancelled.review), "laptop {i}: {reviews:?}");
        let conn = rusqlite::Connection::open(dirs[i].path().join("qar-field.db")).unwrap();
        let kept: i64 = conn
            .query_row(
                "SELECT (SELECT count(*) FROM estimates WHERE id = ?1) + (SELECT count(*) FROM report_sections WHERE id = ?2)",
                [&issued.estimate, &issued.section],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(kept, 2, "laptop {i}: the report's estimate and section stay");
    }
}
