//! A laptop whose changes are stamped ahead of the server's clock (issue 15): the server keeps
//! them with its own stamp and says so, and the app's clock warning shows, even when the
//! laptop's wall clock has been set right since (its stamps only move forward).

use crate::common::{demo_server, laptop, now_ms};
use qar_client::{Client, EvidenceEdit, NewEvidence};

const KESTREL: &str = "01900000-0000-7000-8000-000000000101";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laptop_whose_clock_was_an_hour_ahead_is_warned_and_its_note_is_kept() {
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let srv = demo_server(dirs[0].path()).await;
    let url = srv.url();
    {
        let (store, sync) = laptop(dirs[1].path(), &url, srv.store(), "anika.marsh@example.org", "user-anika-marsh");
        qar_client::sync::sync_once(&store, &sync, now_ms).await.unwrap();
        // Written while the laptop's clock was an hour ahead.
        let an_hour_on = now_ms() + 3_600_000;
        let new = NewEvidence {
            review_id: KESTREL.into(),
            activity_type: "work_scrutiny".into(),
            notes: "Y6 books, written an hour ahead".into(),
            ..Default::default()
        };
        store.lock().unwrap().add_evidence(&new, an_hour_on).unwrap();
    }
    // The clock is right again; the app syncs.
    let client = Client::open(dirs[1].path(), &url).unwrap();
    assert_eq!(client.status().unwrap().clock_warning, None, "no warning before the server has said anything");
    let report = client.sync_now().await.unwrap();
    assert!(report.stamps_ahead_ms > 3_500_000, "{report:?}");
    let status = client.status().unwrap();
    assert_eq!(status.pending_ops, 0, "the note was kept, not refused");
    let warning = status.clock_warning.expect("the clock warning shows");
    assert!(warning.contains("about 60 minutes ahead of the server's"), "{warning}");
    // The note is on the server, and this laptop holds the server's version of it, so its next
    // edit follows on without a conflict.
    let note = client.list_evidence(KESTREL).unwrap().into_iter().find(|e| e.notes.contains("an hour ahead")).expect("kept");
    client.update_evidence_field(&note.id, EvidenceEdit::Notes("Y6 books, edited after the clock was fixed".into())).unwrap();
    client.sync_now().await.unwrap();
    assert_eq!(client.list_conflicts(Some(KESTREL)).unwrap().len(), 0, "no conflict with itself");
    assert_eq!(client.status().unwrap().pending_ops, 0);
}
