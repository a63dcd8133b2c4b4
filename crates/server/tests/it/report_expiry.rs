//! Issued reports removed after their retention (issue 24; 6 years by default), with a moved
//! clock: nothing before, soft deletion when due, removal after the grace period; the audit
//! chain still verifies (a keyed removal record per version) and a removal made outside the
//! purge is still reported.

use crate::common::*;
use qar_server::store::{now_ms, ReadScope};

const DAY: u64 = 86_400_000;
/// Six years of mean Gregorian length, as the policy counts them.
const SIX_YEARS: u64 = 6 * 36_525 * DAY / 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issued_report_goes_six_years_after_issue_and_the_chain_still_verifies() {
    let env = Env::demo().await;
    env.submit(HERON).await;
    let store = env.srv.store();
    let hollie = store.authenticate(&env.laptop(HOLLIE).token, now_ms()).unwrap();
    let hash = qar_core::report_template::content_hash(&[], &[]);
    store.approve(HERON, &hash, &hollie, now_ms()).unwrap();
    let issued = now_ms();
    store.issue_report(HERON, &hash, "", &hollie, issued).unwrap();
    let dir = env.dir.path();
    let count = |sql: &str| -> i64 { store_sql(dir).query_row(sql, [], |r| r.get(0)).unwrap() };

    // Five years on: the notes went long ago, the report stays.
    store.purge(false, issued + 5 * 365 * DAY).unwrap();
    store.purge(false, issued + 5 * 365 * DAY + 31 * DAY).unwrap();
    assert_eq!(count("SELECT count(*) FROM report_versions"), 1);

    // Six years and a day: everything left of the review is soft-deleted; the report is kept
    // through the grace period.
    let due = store.purge(false, issued + SIX_YEARS + DAY).unwrap();
    assert!(due.soft_deleted_reports >= 1 && due.report_versions_removed == 0, "{due:?}");
    assert_eq!(count("SELECT count(*) FROM report_versions"), 1);
    assert!(store.purge(false, issued + SIX_YEARS + 20 * DAY).unwrap().is_empty());

    // After the grace period: gone, with a removal record, and the chain still verifies.
    let gone = store.purge(false, issued + SIX_YEARS + 32 * DAY).unwrap();
    assert_eq!(gone.report_versions_removed, 1, "{gone:?}");
    assert_eq!(count("SELECT count(*) FROM report_versions"), 0);
    assert_eq!(count("SELECT count(*) FROM report_removals"), 1);
    assert!(store.report_versions(HERON, &hollie).map(|v| v.is_empty()).unwrap_or(true));
    let verdict = store.verify_audit().unwrap();
    assert!(verdict.intact() && verdict.versions_removed == 1, "{verdict:?}");

    // Laptops are told to drop the review whole.
    let page = store.pull(0, 5000, None, &ReadScope::everything(), issued + SIX_YEARS + 32 * DAY).unwrap();
    assert!(page.purged.iter().any(|p| p.entity == "review" && p.id == HERON), "{:?}", page.purged);

    // A removal record that was not made with the key does not excuse a missing version.
    let conn = store_sql(dir);
    conn.execute("UPDATE report_removals SET removed_ms = removed_ms + 1", []).unwrap();
    let verdict = store.verify_audit().unwrap();
    assert!(verdict.version_problems.iter().any(|p| p.contains("snapshot is gone")), "{verdict:?}");
}

/// Every file under the data folder's `blobs`.
fn blob_files(dir: &std::path::Path) -> usize {
    fn walk(p: &std::path::Path) -> usize {
        std::fs::read_dir(p).map_or(0, |entries| entries.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum())
    }
    walk(&dir.join("blobs"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attachments_bytes_leave_the_server_with_its_note() {
    use qar_core::EntityKind;
    use serde_json::json;
    use sha2::Digest;
    let env = Env::demo().await;
    let store = env.srv.store();
    // A photo on a note of Kestrel Brook, its bytes uploaded; another review's photo beside it.
    let mut anika = env.laptop(ANIKA);
    let (note, attachment) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let photo = b"a page of a pupil's book".to_vec();
    let sha = hex::encode(sha2::Sha256::digest(&photo));
    let ops = vec![
        (EntityKind::Evidence, note, KESTREL, vec![("activity_type", json!("work_scrutiny"), None), ("notes", json!("Books."), None)]),
        (
            EntityKind::Attachment,
            attachment,
            KESTREL,
            vec![
                ("evidence_id", json!(note.to_string()), None),
                ("kind", json!("pupils_work"), None),
                ("sha256", json!(sha), None),
                ("size", json!(photo.len()), None),
                ("mime", json!("image/jpeg"), None),
            ],
        ),
    ];
    let (s, b) = env.push(&mut anika, &ops).await;
    assert!(s.is_success() && outcomes(&b).iter().all(|o| o == "applied"), "{b}");
    store.blob_append(KESTREL, &sha, photo.len() as u64, 0, &photo).unwrap();
    let other = b"a display in the hall".to_vec();
    let other_sha = hex::encode(sha2::Sha256::digest(&other));
    store.blob_append(HERON, &other_sha, other.len() as u64, 0, &other).unwrap();
    assert_eq!(blob_files(env.dir.path()), 2);

    env.submit(KESTREL).await;
    let hollie = store.authenticate(&env.laptop(HOLLIE).token, now_ms()).unwrap();
    let hash = qar_core::report_template::content_hash(&[], &[]);
    store.approve(KESTREL, &hash, &hollie, now_ms()).unwrap();
    let issued = now_ms();
    store.issue_report(KESTREL, &hash, "", &hollie, issued).unwrap();

    // Twelve months on the note and its attachment are soft-deleted; the bytes stay through
    // the grace period, then go with the records.
    let soft = store.purge(false, issued + 366 * DAY).unwrap();
    assert!(soft.soft_deleted_evidence >= 2, "{soft:?}");
    assert_eq!(blob_files(env.dir.path()), 2);
    let gone = store.purge(false, issued + 366 * DAY + 31 * DAY).unwrap();
    assert_eq!(gone.attachment_blobs_removed, 1, "{gone:?}");
    assert_eq!(blob_files(env.dir.path()), 1, "Heron Vale's photo stays");
    assert!(store.blob_bytes(HERON, &other_sha, &store.authenticate(&anika.token, now_ms()).unwrap()).is_ok());
    let page = store.pull(0, 5000, None, &ReadScope::everything(), issued + 400 * DAY).unwrap();
    assert!(page.purged.iter().any(|p| p.entity == "attachment" && p.id == attachment), "laptops are told: {:?}", page.purged);
    assert!(store.verify_audit().unwrap().intact());
}
