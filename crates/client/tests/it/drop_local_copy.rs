//! "Remove from this laptop" (issue 24, decision 88) with a real laptop store and a real server
//! on loopback: refused for a review still under way and while the laptop has unsent work of
//! it; once allowed, the review's notes, their search entries, the text of sent edits and the
//! sealed photo files leave the laptop, the server keeps everything, and the review does not
//! come back at the next pulls, even when the server changes it again.

use crate::common::{laptop, now_ms};
use qar_client::model::NewEvidence;
use qar_client::store::AttachChoice;
use qar_client::sync::{sync_once, wait_and_pull};
use qar_client::{ClientError, EvidenceQuery};
use qar_core::attachment::AttachmentKind;
use qar_core::entities::TeamRole;
use qar_core::ErrorCode;
use qar_server::{start, ServerConfig};
use std::path::Path;

fn note(review_id: &str, text: &str) -> NewEvidence {
    NewEvidence { review_id: review_id.into(), activity_type: "work_scrutiny".into(), notes: text.into(), ..Default::default() }
}

/// A small JPEG of noise, for a sealed file on the laptop.
fn photo() -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(7);
    let img = image::RgbImage::from_fn(64, 48, |_, _| image::Rgb([rng.u8(..), rng.u8(..), rng.u8(..)]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// (rows of the review's notes, its search-index entries, outbox rows holding `word`).
fn laptop_holds(dir: &Path, review_id: &str, word: &str) -> (i64, i64, i64) {
    let conn = rusqlite::Connection::open(dir.join("qar-field.db")).unwrap();
    let count = |sql: &str, p: &str| conn.query_row(sql, [p], |r| r.get::<_, i64>(0)).unwrap();
    (
        count("SELECT count(*) FROM evidence WHERE review_id = ?1", review_id),
        count("SELECT count(*) FROM evidence_fts WHERE evidence_fts MATCH ?1", &format!("review_key:r{}", review_id.replace('-', ""))),
        count("SELECT count(*) FROM outbox WHERE fields LIKE ?1", &format!("%{word}%")),
    )
}

fn refusal(e: ClientError) -> (String, String) {
    match e {
        ClientError::Denied { reason, message } => (reason.as_str().to_owned(), message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issued_review_leaves_the_laptop_once_the_server_holds_its_work_and_stays_away() {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let config = ServerConfig { data_dir: dirs[0].path().to_owned(), listen: "127.0.0.1:0".parse().unwrap(), ..Default::default() };
    let srv = start(&config).await.unwrap();
    let server = srv.store();
    let dir = dirs[1].path();
    let t0 = now_ms();
    server.test_user("user-lena", "Lena Lead", &[]).unwrap();
    server.test_user("user-ravi", "Ravi Reviewer", &[]).unwrap();
    let review = server.test_live_review(None, 2, t0).unwrap();
    let other = server.test_live_review(None, 1, t0).unwrap();
    for r in [&review, &other] {
        server.test_team_member(r.review.parse().unwrap(), "user-lena", TeamRole::LeadReviewer, t0).unwrap();
    }
    let (store, client) = laptop(dir, &srv.url(), server, "user-lena@test.invalid", "user-lena");
    sync_once(&store, &client, now_ms).await.unwrap();
    let choice = AttachChoice { kind: AttachmentKind::PupilsWork, caption: "Y5 book", full_size: false, blur_faces: false };
    {
        let mut s = store.lock().unwrap();
        let mine = s.add_evidence(&note(&review.review, "Platypus maths books, Y5"), now_ms()).unwrap();
        s.attach_file(&mine.id, &photo(), "IMG_0001.JPG", &choice, now_ms()).unwrap();
        s.add_evidence(&note(&other.review, "Platypus corridor display"), now_ms()).unwrap();
    }
    sync_once(&store, &client, now_ms).await.unwrap();
    let sealed = || std::fs::read_dir(store.lock().unwrap().attachment_folder()).map_or(0, |d| d.count());
    assert_eq!(sealed(), 2, "the photo and its thumbnail are sealed beside the store");

    // Still under way: refused, nothing changed.
    let (code, message) = refusal(store.lock().unwrap().drop_local_copy(&review.review, now_ms()).unwrap_err());
    assert_eq!(code, ErrorCode::WrongState.as_str());
    assert!(message.contains("Only an issued review can be removed from this laptop; this one is in visit"), "{message}");

    // A last note written offline, then the review is issued on the server; the laptop learns
    // of the issue (a pull) while its note is still unsent: refused, and it says what waits.
    store.lock().unwrap().add_evidence(&note(&review.review, "Platypus late note"), now_ms()).unwrap();
    server.test_issue(&review.review, t0, t0).unwrap();
    wait_and_pull(&store, &client, 0, now_ms).await.unwrap();
    let copy = store.lock().unwrap().local_copy(&review.review).unwrap();
    assert_eq!((copy.notes, copy.files, copy.unsent_changes, copy.unsent_files), (4, 1, 1, 0), "{copy:?}");
    assert!(copy.kept_on_the_server.contains("The server keeps this review"), "what is kept is said: {copy:?}");
    let (code, message) = refusal(store.lock().unwrap().drop_local_copy(&review.review, now_ms()).unwrap_err());
    assert_eq!(code, ErrorCode::UnsentWork.as_str());
    assert!(message.contains("still has 1 change of this review that the server does not hold yet. Sync first"), "{message}");
    assert_eq!(laptop_holds(dir, &review.review, "Platypus").0, 4, "a refusal changes nothing");

    // After a sync the server has answered for everything (the late note is refused: the report
    // was issued without it), so the copy may go.
    sync_once(&store, &client, now_ms).await.unwrap();
    let copy = store.lock().unwrap().local_copy(&review.review).unwrap();
    assert_eq!(copy.why_not, None, "{copy:?}");
    let dropped = store.lock().unwrap().drop_local_copy(&review.review, now_ms()).unwrap();
    assert_eq!(dropped.school_name, "Retention Test School");
    assert_eq!(laptop_holds(dir, &review.review, "Platypus maths"), (0, 0, 0), "notes, index entries and sent text gone");
    assert_eq!(sealed(), 0, "the sealed photo file is gone");
    {
        let s = store.lock().unwrap();
        let listed: Vec<String> = s.list_reviews().unwrap().into_iter().map(|r| r.id).collect();
        assert_eq!(listed, std::slice::from_ref(&other.review), "only the other review is listed");
        let q = EvidenceQuery { text: "platypus".into(), ..Default::default() };
        assert_eq!(s.search_evidence(&other.review, &q).unwrap().len(), 1, "the other review is untouched");
        assert!(s.wipe_check().unwrap().safe);
    }

    // The server keeps it all; changes to it (a correction, a new team member) stay away from
    // this laptop, from the next pull and from a pull of the whole feed again.
    let on_server = server.dump().unwrap();
    assert!(on_server.iter().any(|r| r.contains("Platypus maths books, Y5")), "the server still holds the note");
    server.test_team_member(review.review.parse().unwrap(), "user-ravi", TeamRole::Reviewer, now_ms()).unwrap();
    sync_once(&store, &client, now_ms).await.unwrap();
    assert!(store.lock().unwrap().review(&review.review).is_err(), "the review did not come back");
    // As after a restored server: the cursor back to 0, nothing to send again.
    store.lock().unwrap().follow_restored_server(u64::MAX, None).unwrap();
    sync_once(&store, &client, now_ms).await.unwrap();
    assert!(store.lock().unwrap().review(&review.review).is_err(), "not even from a pull from the start");
    assert_eq!(laptop_holds(dir, &review.review, "Platypus maths"), (0, 0, 0));
    assert_eq!(store.lock().unwrap().list_evidence(&other.review).unwrap().len(), 2, "the other review came back whole");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issued_review_leaves_by_itself_a_month_after_issue_unless_the_person_keeps_it() {
    const DAY: u64 = 86_400_000;
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let config = ServerConfig { data_dir: dirs[0].path().to_owned(), listen: "127.0.0.1:0".parse().unwrap(), ..Default::default() };
    let srv = start(&config).await.unwrap();
    let server = srv.store();
    let t0 = now_ms();
    server.test_user("user-lena", "Lena Lead", &[]).unwrap();
    let (first, second) = (server.test_live_review(None, 1, t0).unwrap(), server.test_live_review(None, 1, t0).unwrap());
    for r in [&first, &second] {
        server.test_team_member(r.review.parse().unwrap(), "user-lena", TeamRole::LeadReviewer, t0).unwrap();
    }
    let (store, client) = laptop(dirs[1].path(), &srv.url(), server, "user-lena@test.invalid", "user-lena");
    assert_eq!(store.lock().unwrap().keep_issued_days().unwrap(), Some(30), "on by default: a month");
    sync_once(&store, &client, now_ms).await.unwrap();
    // A note written offline on the second review; both are issued; the laptop learns of it.
    store.lock().unwrap().add_evidence(&note(&second.review, "Platypus unsent"), now_ms()).unwrap();
    server.test_issue(&first.review, t0, t0).unwrap();
    server.test_issue(&second.review, t0, t0).unwrap();
    wait_and_pull(&store, &client, 0, now_ms).await.unwrap();
    {
        let mut s = store.lock().unwrap();
        assert!(s.drop_due_local_copies(now_ms() + 29 * DAY).unwrap().is_empty(), "kept for the month");
        assert_eq!(s.drop_due_local_copies(now_ms() + 31 * DAY).unwrap().len(), 1, "after it, the one with nothing unsent leaves");
        let listed: Vec<String> = s.list_reviews().unwrap().into_iter().map(|r| r.id).collect();
        assert_eq!(listed, std::slice::from_ref(&second.review), "the one with unsent work stays");
    }
    let report = sync_once(&store, &client, now_ms).await.unwrap();
    assert_eq!(report.copies_dropped, 0, "issued today: kept after a sync");
    assert_eq!(store.lock().unwrap().drop_due_local_copies(now_ms() + 31 * DAY).unwrap().len(), 1, "sent, it may leave too");
    assert!(store.lock().unwrap().list_reviews().unwrap().is_empty());
    sync_once(&store, &client, now_ms).await.unwrap();
    assert!(store.lock().unwrap().list_reviews().unwrap().is_empty(), "neither comes back");

    // Someone who keeps issued reviews: nothing leaves by itself; the setting has limits.
    let dir = tempfile::tempdir().unwrap();
    let (kept, kept_client) = laptop(dir.path(), &srv.url(), server, "user-lena@test.invalid", "user-lena");
    kept.lock().unwrap().set_keep_issued_days(None).unwrap();
    sync_once(&kept, &kept_client, now_ms).await.unwrap();
    assert!(kept.lock().unwrap().drop_due_local_copies(now_ms() + 3000 * DAY).unwrap().is_empty());
    assert_eq!(kept.lock().unwrap().list_reviews().unwrap().len(), 2);
    let err = kept.lock().unwrap().set_keep_issued_days(Some(0)).unwrap_err().to_string();
    assert!(err.contains("Days to keep issued reviews"), "{err}");
}
