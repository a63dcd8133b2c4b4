use super::*;
use crate::model::{NewEvidence, NewReview};
use crate::ClientError;
use qar_core::protocol::{Change, OpOutcome, OpResult, PullResponse, PushResponse};
use qar_core::EntityKind;
use serde_json::json;

const T0: u64 = 1_795_000_000_000;

fn new_review() -> NewReview {
    NewReview { school_name: "Kestrel Brook Primary".into(), school_urn: "900101".into(), start_date: "2026-11-23".into() }
}

fn note(review_id: &str, text: &str) -> NewEvidence {
    NewEvidence {
        review_id: review_id.into(),
        activity_type: "learning_walk".into(),
        started_at: Some("2026-11-23T09:40".into()),
        notes: text.into(),
    }
}

fn counts(s: &Store) -> (i64, i64, i64, i64) {
    let q = |sql: &str| s.conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    (
        q("SELECT count(*) FROM reviews"),
        q("SELECT count(*) FROM evidence"),
        q("SELECT count(*) FROM outbox"),
        q("SELECT count(*) FROM audit"),
    )
}

#[test]
fn a_save_survives_closing_and_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let (review_id, device) = {
        let mut s = Store::open(&path).unwrap();
        let r = s.create_review(&new_review(), T0).unwrap();
        s.add_evidence(&note(&r.id, "Year 4 reading: pupils explained inference with confidence."), T0 + 5).unwrap();
        (r.id, s.device_id())
    };
    let s = Store::open(&path).unwrap();
    assert_eq!(s.device_id(), device, "device id is stable across restarts");
    let reviews = s.list_reviews().unwrap();
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0].school_urn, "900101");
    assert_eq!(reviews[0].evidence_count, 1);
    let ev = s.list_evidence(&review_id).unwrap();
    assert_eq!(ev[0].notes, "Year 4 reading: pupils explained inference with confidence.");
    assert_eq!(ev[0].started_at.as_deref(), Some("2026-11-23T09:40"));
    let mode: String = s.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    assert!(s.integrity_ok().unwrap());
}

#[test]
fn each_save_writes_row_one_op_per_field_and_an_audit_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("s.db")).unwrap();
    let r = s.create_review(&new_review(), T0).unwrap();
    assert_eq!(counts(&s), (1, 0, 5, 1));
    s.add_evidence(&note(&r.id, "n"), T0).unwrap();
    assert_eq!(counts(&s), (1, 1, 8, 2));
    let batch = s.pending_batch(100).unwrap();
    let seqs: Vec<u64> = batch.ops.iter().map(|o| o.seq).collect();
    assert_eq!(seqs, (1..=8).collect::<Vec<_>>(), "seq is contiguous from 1");
    assert!(batch.ops.windows(2).all(|w| w[0].hlc < w[1].hlc), "stamps strictly increase");
    assert!(batch.ops.iter().all(|o| o.base_version.is_none()), "new records have no base");
    assert_eq!(s.review(&r.id).unwrap().pending_ops, 8);
}

#[test]
fn an_edit_carries_the_version_it_was_made_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("s.db")).unwrap();
    let r = s.create_review(&new_review(), T0).unwrap();
    let e = s.add_evidence(&note(&r.id, "first"), T0).unwrap();
    let before = s.pending_batch(100).unwrap().ops.into_iter().find(|o| o.field == "notes").unwrap();
    let edited = s.update_evidence_field(&e.id, "notes", json!("second"), T0 + 1).unwrap();
    assert_eq!(edited.notes, "second");
    let ops = s.pending_batch(100).unwrap().ops;
    let last = ops.last().unwrap();
    assert_eq!((last.field.as_str(), last.base_version), ("notes", Some(before.hlc)));
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("s.db")).unwrap();
    let r = s.create_review(&new_review(), T0).unwrap();
    let e = s.add_evidence(&note(&r.id, "kept"), T0).unwrap();
    let before = counts(&s);

    let bad_urn = NewReview { school_urn: "12345".into(), ..new_review() };
    assert!(matches!(s.create_review(&bad_urn, T0), Err(ClientError::Invalid(_))));
    let bad_date = NewReview { start_date: "31/12/2026".into(), ..new_review() };
    assert!(matches!(s.create_review(&bad_date, T0), Err(ClientError::Invalid(_))));
    let bad_type = NewEvidence { activity_type: "deep_dive".into(), ..note(&r.id, "x") };
    assert_eq!(s.add_evidence(&bad_type, T0).unwrap_err().code(), "invalid");
    let too_long = note(&r.id, &"x".repeat(qar_core::fields::MAX_NOTES + 1));
    assert_eq!(s.add_evidence(&too_long, T0).unwrap_err().code(), "invalid");
    let no_review = note("0190f0f0-0000-7000-8000-000000000000", "x");
    assert_eq!(s.add_evidence(&no_review, T0).unwrap_err().code(), "not_found");
    assert_eq!(s.update_evidence_field(&e.id, "deleted", json!(true), T0).unwrap_err().code(), "invalid");
    assert_eq!(s.update_evidence_field(&e.id, "colour", json!("red"), T0).unwrap_err().code(), "invalid");

    assert_eq!(counts(&s), before, "no refused edit left a trace");
    assert_eq!(s.evidence(&e.id).unwrap().notes, "kept");
}

#[test]
fn push_results_acknowledge_through_the_high_water_mark() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("s.db")).unwrap();
    s.create_review(&new_review(), T0).unwrap();
    let reply = PushResponse {
        acked_through: 3,
        results: vec![OpResult { seq: 2, outcome: OpOutcome::Rejected { code: "invalid".into(), message: "m".into() } }],
        server_time_ms: T0,
    };
    s.record_push(&reply, T0).unwrap();
    assert_eq!(s.pending_count().unwrap(), 2);
    assert_eq!(s.pending_batch(10).unwrap().ops[0].seq, 4);
}

#[test]
fn pulled_values_apply_but_never_over_a_pending_local_edit() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("s.db")).unwrap();
    let r = s.create_review(&new_review(), T0).unwrap();
    let e = s.add_evidence(&note(&r.id, "mine, not yet sent"), T0).unwrap();
    let remote = Hlc { wall_ms: T0 + 10_000, counter: 0, node: 42 };
    let other_review = uuid::Uuid::now_v7();
    let other_note = uuid::Uuid::now_v7();
    let change = |seq, entity, id, review_id, field: &str, value| Change {
        server_seq: seq,
        entity,
        id,
        review_id,
        field: field.into(),
        value,
        version: remote,
        device_id: uuid::Uuid::nil(),
    };
    let page = PullResponse {
        changes: vec![
            change(1, EntityKind::Evidence, e.id.parse().unwrap(), r.id.parse().unwrap(), "notes", json!("theirs")),
            // Evidence before its review's fields: a placeholder review holds it.
            change(2, EntityKind::Evidence, other_note, other_review, "notes", json!("from a colleague")),
            change(3, EntityKind::Review, other_review, other_review, "school_name", json!("Heron Vale Academy")),
        ],
        cursor: 3,
        has_more: false,
        server_time_ms: T0,
    };
    assert_eq!(s.apply_pull(&page, T0).unwrap(), 2);
    assert_eq!(s.evidence(&e.id).unwrap().notes, "mine, not yet sent");
    assert_eq!(s.evidence(&other_note.to_string()).unwrap().notes, "from a colleague");
    assert_eq!(s.review(&other_review.to_string()).unwrap().school_name, "Heron Vale Academy");
    assert_eq!(s.pull_cursor().unwrap(), 3);
    // The next local stamp sorts after what was pulled, even though the laptop clock is behind.
    s.update_evidence_field(&e.id, "notes", json!("edited"), T0 + 1).unwrap();
    assert!(s.pending_batch(100).unwrap().ops.last().unwrap().hlc > remote);
}
