use super::*;
use qar_core::protocol::{Op, OpOutcome, PushRequest};
use qar_core::{EntityKind, Hlc, SCHEMA_VERSION};
use serde_json::json;
use uuid::Uuid;

const T: u64 = 1_795_000_000_000;

fn store() -> (tempfile::TempDir, ServerStore) {
    let dir = tempfile::tempdir().unwrap();
    let s = ServerStore::open(dir.path()).unwrap();
    (dir, s)
}

fn hlc(wall: u64, node: u64) -> Hlc {
    Hlc { wall_ms: wall, counter: 0, node }
}

fn op(seq: u64, entity: EntityKind, id: Uuid, review: Uuid, field: &str, value: serde_json::Value, h: Hlc, base: Option<Hlc>) -> Op {
    Op { seq, entity, id, review_id: review, field: field.into(), value, hlc: h, base_version: base, schema_version: SCHEMA_VERSION }
}

fn review_ops(start_seq: u64, review: Uuid, node: u64) -> Vec<Op> {
    vec![
        op(start_seq, EntityKind::Review, review, review, "school_name", json!("Kestrel Brook Primary School"), hlc(T, node), None),
        op(start_seq + 1, EntityKind::Review, review, review, "school_urn", json!("990101"), hlc(T + 1, node), None),
    ]
}

#[test]
fn replaying_a_batch_changes_nothing() {
    let (_d, s) = store();
    let device = Uuid::now_v7();
    let review = Uuid::now_v7();
    let req = PushRequest { device_id: device, schema_version: SCHEMA_VERSION, ops: review_ops(1, review, 1) };
    let first = s.push(&req, T).unwrap();
    assert_eq!(first.acked_through, 2);
    assert!(first.results.iter().all(|r| r.outcome == OpOutcome::Applied));
    let before = s.dump().unwrap();
    let again = s.push(&req, T + 5).unwrap();
    assert_eq!(again.acked_through, 2);
    assert!(again.results.iter().all(|r| r.outcome == OpOutcome::Duplicate));
    assert_eq!(s.dump().unwrap(), before, "server state identical after replay");
}

#[test]
fn a_gap_in_seq_is_refused_and_nothing_is_written() {
    let (_d, s) = store();
    let review = Uuid::now_v7();
    let req = PushRequest { device_id: Uuid::now_v7(), schema_version: SCHEMA_VERSION, ops: review_ops(3, review, 1) };
    assert!(matches!(s.push(&req, T), Err(StoreError::SeqGap { expected: 1, got: 3 })));
    let mut shuffled = review_ops(1, review, 1);
    shuffled.swap(0, 1);
    let req = PushRequest { device_id: Uuid::now_v7(), schema_version: SCHEMA_VERSION, ops: shuffled };
    assert!(matches!(s.push(&req, T), Err(StoreError::NotContiguous { .. })));
    assert_eq!(s.counts().unwrap(), (0, 0));
}

#[test]
fn invalid_ops_are_rejected_but_do_not_block_later_ones() {
    let (_d, s) = store();
    let device = Uuid::now_v7();
    let review = Uuid::now_v7();
    let mut ops = review_ops(1, review, 1);
    ops.push(op(3, EntityKind::Review, review, review, "school_urn", json!("12"), hlc(T + 2, 1), Some(hlc(T + 1, 1))));
    let stray = Uuid::now_v7();
    ops.push(op(4, EntityKind::Evidence, Uuid::now_v7(), stray, "notes", json!("x"), hlc(T + 3, 1), None));
    ops.push(op(5, EntityKind::Review, review, review, "start_date", json!("2026-11-24"), hlc(T + 4, 1), None));
    let reply = s.push(&PushRequest { device_id: device, schema_version: SCHEMA_VERSION, ops }, T).unwrap();
    assert_eq!(reply.acked_through, 5);
    let codes: Vec<String> = reply
        .results
        .iter()
        .map(|r| match &r.outcome {
            OpOutcome::Rejected { code, .. } => code.clone(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(codes, ["Applied", "Applied", "invalid", "unknown_review", "Applied"]);
}

#[test]
fn concurrent_writes_to_one_field_keep_both_values() {
    let (_d, s) = store();
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    let review = Uuid::now_v7();
    s.push(&PushRequest { device_id: a, schema_version: SCHEMA_VERSION, ops: review_ops(1, review, 1) }, T).unwrap();
    let base = Some(hlc(T, 1));
    // B edits from the same base but with an earlier stamp; A then edits later.
    let b_op = op(1, EntityKind::Review, review, review, "school_name", json!("B's name"), hlc(T + 10, 2), base);
    let a_op = op(3, EntityKind::Review, review, review, "school_name", json!("A's name"), hlc(T + 20, 1), base);
    let rb = s.push(&PushRequest { device_id: b, schema_version: SCHEMA_VERSION, ops: vec![b_op] }, T).unwrap();
    assert_eq!(rb.results[0].outcome, OpOutcome::Applied);
    let ra = s.push(&PushRequest { device_id: a, schema_version: SCHEMA_VERSION, ops: vec![a_op] }, T).unwrap();
    assert_eq!(ra.results[0].outcome, OpOutcome::Conflict { current_version: hlc(T + 20, 1), kept_as_current: true });
    assert_eq!(s.counts().unwrap(), (2, 1), "two fields, one kept conflict");
    let page = s.pull(0, 100, T).unwrap();
    let name = page.changes.iter().find(|c| c.field == "school_name").unwrap();
    assert_eq!(name.value, json!("A's name"));
}

#[test]
fn a_losing_write_is_kept_and_the_winner_is_announced_again() {
    let (_d, s) = store();
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    let review = Uuid::now_v7();
    s.push(&PushRequest { device_id: a, schema_version: SCHEMA_VERSION, ops: review_ops(1, review, 1) }, T).unwrap();
    let base = Some(hlc(T, 1));
    let late = op(3, EntityKind::Review, review, review, "school_name", json!("later"), hlc(T + 50, 1), base);
    s.push(&PushRequest { device_id: a, schema_version: SCHEMA_VERSION, ops: vec![late] }, T).unwrap();
    let cursor = s.pull(0, 100, T).unwrap().cursor;
    let early = op(1, EntityKind::Review, review, review, "school_name", json!("earlier"), hlc(T + 5, 2), base);
    let r = s.push(&PushRequest { device_id: b, schema_version: SCHEMA_VERSION, ops: vec![early] }, T).unwrap();
    assert_eq!(r.results[0].outcome, OpOutcome::Conflict { current_version: hlc(T + 50, 1), kept_as_current: false });
    let page = s.pull(cursor, 100, T).unwrap();
    assert_eq!(page.changes.len(), 1);
    assert_eq!(page.changes[0].value, json!("later"));
}

#[test]
fn pull_pages_in_server_order() {
    let (_d, s) = store();
    let review = Uuid::now_v7();
    let ops: Vec<Op> = (0..5)
        .map(|i| {
            let f = ["school_name", "school_urn", "start_date", "state", "framework_version"][i];
            let v = [json!("S"), json!("990101"), json!("2026-01-05"), json!("scheduled"), json!("2019")][i].clone();
            op(i as u64 + 1, EntityKind::Review, review, review, f, v, hlc(T + i as u64, 1), None)
        })
        .collect();
    s.push(&PushRequest { device_id: Uuid::now_v7(), schema_version: SCHEMA_VERSION, ops }, T).unwrap();
    let p1 = s.pull(0, 2, T).unwrap();
    assert_eq!((p1.changes.len(), p1.has_more, p1.cursor), (2, true, 2));
    let p2 = s.pull(p1.cursor, 2, T).unwrap();
    let p3 = s.pull(p2.cursor, 2, T).unwrap();
    assert_eq!((p3.changes.len(), p3.has_more, p3.cursor), (1, false, 5));
    assert_eq!(s.pull(5, 2, T).unwrap().changes.len(), 0);
}

#[test]
fn demo_seed_is_idempotent() {
    let (_d, s) = store();
    s.seed_demo(T).unwrap();
    let once = s.dump().unwrap();
    assert_eq!(once.len(), 3 * 5 + 3 * 3);
    s.seed_demo(T + 1000).unwrap();
    assert_eq!(s.dump().unwrap(), once);
}

#[test]
fn store_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let review = Uuid::now_v7();
    {
        let s = ServerStore::open(dir.path()).unwrap();
        s.push(&PushRequest { device_id: Uuid::now_v7(), schema_version: SCHEMA_VERSION, ops: review_ops(1, review, 1) }, T)
            .unwrap();
    }
    let s = ServerStore::open(dir.path()).unwrap();
    assert_eq!(s.counts().unwrap(), (2, 0));
}
