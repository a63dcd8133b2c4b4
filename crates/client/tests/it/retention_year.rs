//! A whole review year under retention (issue 24, point 6), with the purge's clock moved on and
//! two real laptop stores that are offline through it. A review is issued and one is cancelled
//! while the laptops hold their notes (one of them with unsent work on both); a new review starts
//! and a laptop writes in it offline. The server soft-deletes and purges on schedule; then the
//! laptops come back. Nothing purged comes back from a laptop (their late edits are refused and
//! the server keeps nothing of them), the unsent work of the live review lands, what was purged
//! leaves both laptops (rows, search index, the text of their sent edits, a photo's sealed file),
//! the server's blob store and the next backup,
//! what must stay stays, and the audit chain still verifies.

use crate::common::{laptop, now_ms};
use qar_client::model::NewEvidence;
use qar_client::store::AttachChoice;
use qar_client::sync::sync_once;
use qar_client::{EvidenceQuery, Store};
use qar_core::attachment::AttachmentKind;
use qar_core::entities::TeamRole;
use qar_server::{start, ServerConfig};
use std::path::Path;
use std::sync::Mutex;

const DAY: u64 = 86_400_000;

/// Rows of a review's evidence-kind records on a laptop, its search-index entries and the
/// outbox rows still holding `word`, read from the laptop's file.
fn laptop_holds(dir: &Path, review_id: &str, word: &str) -> (i64, i64, i64) {
    let conn = rusqlite::Connection::open(dir.join("qar-field.db")).unwrap();
    let count = |sql: &str, p: &str| conn.query_row(sql, [p], |r| r.get::<_, i64>(0)).unwrap();
    let key: String = format!("r{}", review_id.replace('-', ""));
    (
        count(
            "SELECT (SELECT count(*) FROM evidence WHERE review_id = ?1) + (SELECT count(*) FROM comments WHERE review_id = ?1)",
            review_id,
        ),
        count("SELECT count(*) FROM evidence_fts WHERE evidence_fts MATCH ?1", &format!("review_key:{key}")),
        count("SELECT count(*) FROM outbox WHERE fields LIKE ?1", &format!("%{word}%")),
    )
}

/// Ids of the server's records of one review.
fn server_records(dir: &Path, review_id: &str) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(dir.join(qar_server::store::STORE_FILE)).unwrap();
    let mut stmt = conn.prepare("SELECT entity, id FROM records WHERE review_id = ?1 ORDER BY entity, id").unwrap();
    stmt.query_map([review_id], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

/// What the server said about the laptop's ops on `entity_id` (their kept outcomes).
fn outcomes(dir: &Path, entity_id: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(dir.join("qar-field.db")).unwrap();
    let mut stmt = conn.prepare("SELECT coalesce(outcome, 'applied') FROM outbox WHERE entity_id = ?1 ORDER BY seq").unwrap();
    stmt.query_map([entity_id], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

/// A small JPEG of noise.
fn photo() -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(11);
    let img = image::RgbImage::from_fn(64, 48, |_, _| image::Rgb([rng.u8(..), rng.u8(..), rng.u8(..)]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// Files in a folder and its subfolders (a missing folder has none).
fn files_under(dir: &Path) -> usize {
    std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| if e.path().is_dir() { files_under(&e.path()) } else { 1 }).sum()
}

fn note(review_id: &str, text: &str) -> NewEvidence {
    NewEvidence { review_id: review_id.into(), activity_type: "learning_walk".into(), notes: text.into(), ..Default::default() }
}

fn search(store: &Mutex<Store>, review_id: &str, words: &str) -> usize {
    let q = EvidenceQuery { text: words.into(), ..Default::default() };
    store.lock().unwrap().search_evidence(review_id, &q).unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_of_retention_with_two_laptops_offline_through_the_purge() {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let config = ServerConfig { data_dir: dirs[0].path().to_owned(), listen: "127.0.0.1:0".parse().unwrap(), ..Default::default() };
    let srv = start(&config).await.unwrap();
    let server = srv.store();
    let (server_dir, lena_dir, ravi_dir) = (dirs[0].path(), dirs[1].path(), dirs[2].path());
    // September (t0). What the server does on its own schedule is called with a moved clock
    // below; edits on the laptops carry today's stamps. Nothing falls due at today's time, so the
    // server's own hourly run leaves everything alone.
    let t0 = now_ms();
    server.test_user("user-lena", "Lena Lead", &[]).unwrap();
    server.test_user("user-ravi", "Ravi Reviewer", &[]).unwrap();
    let autumn = server.test_live_review(None, 3, t0).unwrap();
    let cancelled = server.test_live_review(None, 1, t0).unwrap();
    for r in [&autumn, &cancelled] {
        server.test_team_member(r.review.parse().unwrap(), "user-lena", TeamRole::LeadReviewer, t0).unwrap();
        server.test_team_member(r.review.parse().unwrap(), "user-ravi", TeamRole::Reviewer, t0).unwrap();
    }
    let (lena, lena_sync) = laptop(lena_dir, &srv.url(), server, "user-lena@test.invalid", "user-lena");
    let (ravi, ravi_sync) = laptop(ravi_dir, &srv.url(), server, "user-ravi@test.invalid", "user-ravi");
    for (store, client) in [(&lena, &lena_sync), (&ravi, &ravi_sync)] {
        sync_once(store, client, now_ms).await.unwrap();
        assert_eq!(store.lock().unwrap().list_evidence(&autumn.review).unwrap().len(), 3, "both laptops hold the visit's notes");
    }

    // Lena photographs a display for a note of her own, sent with the note.
    let choice = AttachChoice { kind: AttachmentKind::Display, caption: "Reading wall", full_size: false, blur_faces: false };
    {
        let mut s = lena.lock().unwrap();
        let mine = s.add_evidence(&note(&autumn.review, "Quokka reading wall"), now_ms()).unwrap();
        s.attach_file(&mine.id, &photo(), "IMG_0007.JPG", &choice, now_ms()).unwrap();
    }
    let sent = sync_once(&lena, &lena_sync, now_ms).await.unwrap();
    assert_eq!(sent.files_sent, 1, "{sent:?}");
    let sealed_on_lena = || std::fs::read_dir(lena.lock().unwrap().attachment_folder()).map_or(0, |d| d.count());
    assert_eq!(
        (files_under(&server_dir.join("blobs")), sealed_on_lena()),
        (2, 2),
        "the photo and its thumbnail on the server and sealed on Lena's laptop"
    );

    // Ravi's laptop goes offline with the notes, and he writes one more in each review.
    let late_autumn = ravi.lock().unwrap().add_evidence(&note(&autumn.review, "Quokka reading corner, written late"), now_ms()).unwrap();
    let late_cancelled = ravi.lock().unwrap().add_evidence(&note(&cancelled.review, "Quokka assembly"), now_ms()).unwrap();

    // Meanwhile the autumn review is issued, the other one cancelled, and a spring review starts.
    server.test_issue(&autumn.review, t0, t0).unwrap();
    server.test_cancel(&cancelled.review, t0).unwrap();
    let spring = server.test_live_review(None, 1, t0).unwrap();
    for user in ["user-lena", "user-ravi"] {
        server.test_team_member(spring.review.parse().unwrap(), user, TeamRole::Reviewer, t0).unwrap();
    }
    sync_once(&lena, &lena_sync, now_ms).await.unwrap();
    assert_eq!(lena.lock().unwrap().review(&autumn.review).unwrap().state, "issued");
    // Lena goes offline too, writing in the spring review: her unsent work.
    for text in ["Wombat phonics lesson", "Wombat playground"] {
        lena.lock().unwrap().add_evidence(&note(&spring.review, text), now_ms()).unwrap();
    }

    // The year on the server, with nobody syncing.
    assert!(server.purge(false, t0 + 60 * DAY).unwrap().is_empty(), "two months on, nothing is due");
    let soft = server.purge(false, t0 + 91 * DAY).unwrap();
    assert_eq!(soft.soft_deleted_cancelled, 5, "the cancelled review, its note, comment, estimate and section: {soft:?}");
    let purged = server.purge(false, t0 + 122 * DAY).unwrap();
    assert_eq!(purged.purged, 5, "{purged:?}");
    assert!(server.purge(false, t0 + 300 * DAY).unwrap().is_empty(), "the issued review's notes are kept twelve months");
    let soft = server.purge(false, t0 + 366 * DAY).unwrap();
    assert_eq!(soft.soft_deleted_evidence, 6, "four notes, the photo and a comment: {soft:?}");
    let purged = server.purge(false, t0 + 397 * DAY).unwrap();
    assert_eq!((purged.purged, purged.attachment_blobs_removed), (6, 2), "the photo and its thumbnail: {purged:?}");
    assert_eq!(files_under(&server_dir.join("blobs")), 0, "the photo's and its thumbnail's bytes left the server's blob store");

    // The laptops come back, Ravi first: his late notes are refused, never stored.
    sync_once(&ravi, &ravi_sync, now_ms).await.unwrap();
    for (id, what) in [(&late_autumn.id, "a note on the issued review"), (&late_cancelled.id, "a note on the purged cancelled review")] {
        let said = outcomes(ravi_dir, id);
        assert!(said.len() == 1 && said[0].contains("rejected"), "{what} is refused: {said:?}");
    }
    let report = sync_once(&lena, &lena_sync, now_ms).await.unwrap();
    assert_eq!(report.pushed, 2, "Lena's unsent spring notes reach the server: {report:?}");
    sync_once(&ravi, &ravi_sync, now_ms).await.unwrap();

    // The server: nothing purged came back.
    let autumn_left: Vec<String> = server_records(server_dir, &autumn.review).into_iter().map(|(e, _)| e).collect();
    assert_eq!(autumn_left, ["estimate", "report_section", "review"], "only the report's parts stay of the issued review");
    assert_eq!(server_records(server_dir, &cancelled.review), [("review".to_owned(), cancelled.review.clone())], "a bare tombstone");
    assert_eq!(server_records(server_dir, &spring.review).iter().filter(|(e, _)| e == "evidence").count(), 3, "spring's notes stay");

    // Both laptops: the purged records are gone, with their index entries and sent text; the
    // issued review's report stays listed, the cancelled review does not; spring is whole.
    for (who, dir, store) in [("Lena", lena_dir, &lena), ("Ravi", ravi_dir, &ravi)] {
        assert_eq!(laptop_holds(dir, &autumn.review, "Quokka"), (0, 0, 0), "{who}: the issued review's notes");
        assert_eq!(laptop_holds(dir, &cancelled.review, "Quokka"), (0, 0, 0), "{who}: the cancelled review's notes");
        assert_eq!(search(store, &autumn.review, "example"), 0);
        let s = store.lock().unwrap();
        let reviews: Vec<String> = s.list_reviews().unwrap().into_iter().map(|r| r.id).collect();
        assert!(reviews.contains(&autumn.review) && !reviews.contains(&cancelled.review), "{who}: {reviews:?}");
        let spring_notes: Vec<String> = s.list_evidence(&spring.review).unwrap().into_iter().map(|e| e.notes).collect();
        assert_eq!(spring_notes.len(), 3, "{who}: {spring_notes:?}");
        assert!(spring_notes.iter().any(|n| n == "Wombat playground"), "{who}: Lena's offline work arrived");
        assert!(s.last_purge().unwrap().is_some(), "{who}: the sync panel tells of the purge");
        assert!(s.wipe_check().unwrap().safe, "{who}: nothing is left waiting to be sent");
    }
    assert_eq!(sealed_on_lena(), 0, "the sealed photo and thumbnail files left Lena's laptop");
    let verdict = server.verify_audit().unwrap();
    assert!(verdict.broken.is_none(), "verify-audit passes after a year of purges: {verdict:?}");

    // The next backup, taken while the server runs and restored elsewhere, holds none of it.
    let backups = tempfile::tempdir().unwrap();
    let (file, restored) = (backups.path().join("after-purge.qarbak"), backups.path().join("restored"));
    let key = qar_server::KeySource::File(server_dir.join(qar_server::server_key::KEY_FILE));
    qar_server::store::backup::backup(server_dir, &key, &file).unwrap();
    qar_server::store::backup::restore(&file, &restored, &key).unwrap();
    let copy = qar_server::ServerStore::open_with(&restored, &key).unwrap().dump().unwrap();
    let purged: Vec<&String> = autumn.evidence.iter().chain([&autumn.comment, &cancelled.evidence[0], &cancelled.comment]).collect();
    for id in purged.iter().chain([&&late_autumn.id, &&late_cancelled.id]) {
        assert!(!copy.iter().any(|row| row.contains(id.as_str())), "{id} is not in the backup");
    }
    let kept: Vec<&String> = copy.iter().filter(|row| !row.contains(spring.review.as_str())).collect();
    assert!(!kept.iter().any(|row| row.contains("Quokka") || row.contains("Example")), "no purged text in the backup: {kept:?}");
    assert!(copy.iter().any(|row| row.contains("Wombat playground")), "the live review's notes are");
}
