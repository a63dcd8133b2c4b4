use super::*;
use crate::auth::AuthDevice;
use qar_core::protocol::{FieldConflict, FieldWrite, Op, OpOutcome, PushRequest};
use qar_core::{EntityKind, Hlc, SCHEMA_VERSION};
use serde_json::{json, Value};
use uuid::Uuid;

const T: u64 = 1_795_000_000_000;

/// The person every device of these tests belongs to (lead reviewer of the reviews they create).
const LR: &str = "user-lead";

fn store() -> (tempfile::TempDir, ServerStore) {
    let dir = tempfile::tempdir().unwrap();
    let s = crate::open_store(dir.path(), None, &crate::KeySource::DataDir).unwrap();
    s.test_user(LR, "Lena Lead", &[]).unwrap();
    (dir, s)
}

/// `device` signed in as the lead reviewer.
fn who(device: Uuid) -> AuthDevice {
    AuthDevice { user_id: LR.into(), device_id: device, roles: vec![] }
}

fn all() -> ReadScope {
    ReadScope::everything()
}

fn hlc(wall: u64, node: u64) -> Hlc {
    Hlc { wall_ms: wall, counter: 0, node }
}

fn op(seq: u64, entity: EntityKind, id: Uuid, review: Uuid, fields: &[(&str, Value, Option<Hlc>)], h: Hlc) -> Op {
    Op {
        seq,
        entity,
        id,
        review_id: review,
        fields: fields.iter().map(|(f, v, b)| (f.to_string(), FieldWrite { value: v.clone(), base: *b })).collect(),
        hlc: h,
        schema_version: SCHEMA_VERSION,
    }
}

fn create_review(seq: u64, review: Uuid, node: u64) -> Op {
    let fields = [("school_name", json!("Kestrel Brook Primary School"), None), ("school_urn", json!("990101"), None)];
    op(seq, EntityKind::Review, review, review, &fields, hlc(T, node))
}

fn push(s: &ServerStore, device: Uuid, ops: Vec<Op>) -> qar_core::protocol::PushResponse {
    s.push(&PushRequest { device_id: device, schema_version: SCHEMA_VERSION, ops, pull_cursor: None }, &who(device), T).unwrap()
}

fn current(s: &ServerStore, field: &str) -> Value {
    let page = s.pull(0, 100, None, &all(), T).unwrap();
    page.changes.iter().find_map(|c| c.fields.get(field)).unwrap().value.clone()
}

#[test]
fn replaying_a_batch_changes_nothing() {
    let (_d, s) = store();
    let device = Uuid::now_v7();
    let review = Uuid::now_v7();
    let note = Uuid::now_v7();
    let ops = vec![
        create_review(1, review, 1),
        op(2, EntityKind::Evidence, note, review, &[("notes", json!("Y4 reading"), None)], hlc(T + 1, 1)),
    ];
    let first = push(&s, device, ops.clone());
    assert_eq!(first.acked_through, 2);
    assert!(first.results.iter().all(|r| r.outcome == OpOutcome::Applied));
    let before = s.dump().unwrap();
    let again = push(&s, device, ops);
    assert_eq!(again.acked_through, 2);
    assert!(again.results.iter().all(|r| r.outcome == OpOutcome::Duplicate));
    assert_eq!(s.dump().unwrap(), before, "server state identical after replay");
}

#[test]
fn a_gap_in_seq_is_refused_and_nothing_is_written() {
    let (_d, s) = store();
    let review = Uuid::now_v7();
    let req = PushRequest {
        device_id: Uuid::now_v7(),
        schema_version: SCHEMA_VERSION,
        ops: vec![create_review(3, review, 1)],
        pull_cursor: None,
    };
    assert!(matches!(s.push(&req, &who(req.device_id), T), Err(StoreError::SeqGap { expected: 1, got: 3 })));
    let shuffled = vec![create_review(2, review, 1), create_review(1, Uuid::now_v7(), 1)];
    let req = PushRequest { device_id: Uuid::now_v7(), schema_version: SCHEMA_VERSION, ops: shuffled, pull_cursor: None };
    assert!(matches!(s.push(&req, &who(req.device_id), T), Err(StoreError::NotContiguous { .. })));
    assert_eq!(s.counts().unwrap(), (0, 0));
}

#[test]
fn invalid_ops_are_rejected_whole_but_do_not_block_later_ones() {
    let (_d, s) = store();
    let review = Uuid::now_v7();
    let base = Some(hlc(T, 1));
    let ops = vec![
        create_review(1, review, 1),
        // One bad field refuses the whole edit: the good field beside it is not applied either.
        op(2, EntityKind::Review, review, review, &[("school_urn", json!("12"), base), ("school_name", json!("X"), base)], hlc(T + 2, 1)),
        op(3, EntityKind::Evidence, Uuid::now_v7(), Uuid::now_v7(), &[("notes", json!("x"), None)], hlc(T + 3, 1)),
        op(4, EntityKind::Review, review, review, &[], hlc(T + 4, 1)),
        op(5, EntityKind::Review, review, review, &[("start_date", json!("2026-11-24"), None)], hlc(T + 5, 1)),
    ];
    let reply = push(&s, Uuid::now_v7(), ops);
    assert_eq!(reply.acked_through, 5);
    let codes: Vec<String> = reply
        .results
        .iter()
        .map(|r| match &r.outcome {
            OpOutcome::Rejected { code, .. } => code.clone(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(codes, ["Applied", "invalid", "unknown_review", "invalid", "Applied"]);
    assert_eq!(current(&s, "school_name"), json!("Kestrel Brook Primary School"));
}

#[test]
fn different_fields_of_one_record_merge() {
    let (_d, s) = store();
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    let review = Uuid::now_v7();
    push(&s, a, vec![create_review(1, review, 1)]);
    let base = Some(hlc(T, 1));
    push(&s, a, vec![op(2, EntityKind::Review, review, review, &[("school_name", json!("A's name"), base)], hlc(T + 5, 1))]);
    let rb = push(&s, b, vec![op(1, EntityKind::Review, review, review, &[("school_urn", json!("990555"), base)], hlc(T + 6, 2))]);
    assert_eq!(rb.results[0].outcome, OpOutcome::Applied);
    assert_eq!((current(&s, "school_name"), current(&s, "school_urn")), (json!("A's name"), json!("990555")));
    assert_eq!(s.counts().unwrap(), (1, 0));
}

#[test]
fn concurrent_writes_to_one_field_keep_both_values() {
    let (_d, s) = store();
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    let review = Uuid::now_v7();
    push(&s, a, vec![create_review(1, review, 1)]);
    let base = Some(hlc(T, 1));
    // B edits from the same base with an earlier stamp; A then edits later: A's value wins.
    let b_op = op(1, EntityKind::Review, review, review, &[("school_name", json!("B's name"), base)], hlc(T + 10, 2));
    let a_op = op(2, EntityKind::Review, review, review, &[("school_name", json!("A's name"), base)], hlc(T + 20, 1));
    assert_eq!(push(&s, b, vec![b_op]).results[0].outcome, OpOutcome::Applied);
    let ra = push(&s, a, vec![a_op]);
    let want = vec![FieldConflict { field: "school_name".into(), current_version: hlc(T + 20, 1), kept_as_current: true }];
    assert_eq!(ra.results[0].outcome, OpOutcome::Conflict { fields: want });
    assert_eq!(s.counts().unwrap(), (1, 1), "one record, one kept conflict");
    assert_eq!(current(&s, "school_name"), json!("A's name"));
    assert!(s.dump().unwrap().iter().any(|row| row.starts_with("conflict|") && row.contains("B's name")));
}

#[test]
fn a_losing_write_is_kept_and_the_winner_is_announced_again() {
    let (_d, s) = store();
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    let review = Uuid::now_v7();
    push(&s, a, vec![create_review(1, review, 1)]);
    let base = Some(hlc(T, 1));
    push(&s, a, vec![op(2, EntityKind::Review, review, review, &[("school_name", json!("later"), base)], hlc(T + 50, 1))]);
    let cursor = s.pull(0, 100, None, &all(), T).unwrap().cursor;
    let early = op(1, EntityKind::Review, review, review, &[("school_name", json!("earlier"), base)], hlc(T + 5, 2));
    let r = push(&s, b, vec![early]);
    let want = vec![FieldConflict { field: "school_name".into(), current_version: hlc(T + 50, 1), kept_as_current: false }];
    assert_eq!(r.results[0].outcome, OpOutcome::Conflict { fields: want });
    let page = s.pull(cursor, 100, None, &all(), T).unwrap();
    let kinds: Vec<EntityKind> = page.changes.iter().map(|c| c.entity).collect();
    assert_eq!(kinds, [EntityKind::Conflict, EntityKind::Review], "the kept value, and the record announced again for the losing device");
    assert_eq!(page.changes[1].fields["school_name"].value, json!("later"));
    let kept = &page.changes[0].fields;
    assert_eq!(
        (&kept["value"].value, &kept["kind"].value, &kept["field"].value),
        (&json!("earlier"), &json!("concurrent"), &json!("school_name"))
    );
    assert_eq!(kept["author_id"].value, json!(LR));
}

#[test]
fn pull_pages_in_server_order() {
    let (_d, s) = store();
    let review = Uuid::now_v7();
    let mut ops = vec![create_review(1, review, 1)];
    for i in 0..4 {
        ops.push(op(i + 2, EntityKind::Evidence, Uuid::now_v7(), review, &[("notes", json!(format!("note {i}")), None)], hlc(T + i, 1)));
    }
    push(&s, Uuid::now_v7(), ops);
    let p1 = s.pull(0, 2, None, &all(), T).unwrap();
    assert_eq!((p1.changes.len(), p1.has_more, p1.cursor), (2, true, 2));
    let p2 = s.pull(p1.cursor, 2, None, &all(), T).unwrap();
    let p3 = s.pull(p2.cursor, 2, None, &all(), T).unwrap();
    assert_eq!((p3.changes.len(), p3.has_more, p3.cursor), (1, false, 5));
    assert_eq!(s.pull(5, 2, None, &all(), T).unwrap().changes.len(), 0);
}

#[test]
fn demo_seed_is_idempotent() {
    let (_d, s) = store();
    s.seed_demo(T).unwrap();
    let once = s.dump().unwrap();
    assert_eq!(once.len(), 3 + 3 + 3 + 6, "three reviews and three notes; their hubs; two people on each team");
    let page = s.pull(0, 100, None, &all(), T).unwrap();
    let review = page.changes.iter().find(|c| c.entity == EntityKind::Review).unwrap();
    assert_eq!(review.fields["hub_id"].value, json!(demo::DEMO_HUB_ID));
    let team = review.fields["team"].value.clone();
    assert_eq!(
        team,
        json!([{"user_id": "user-anika-marsh", "name": "Dr Anika Marsh", "role": "lead_reviewer"},
               {"user_id": "user-owen-pritchard", "name": "Owen Pritchard", "role": "reviewer"}])
    );
    s.seed_demo(T + 1000).unwrap();
    assert_eq!(s.dump().unwrap(), once);
}

#[test]
fn store_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let review = Uuid::now_v7();
    {
        let s = crate::open_store(dir.path(), None, &crate::KeySource::DataDir).unwrap();
        s.test_user(LR, "Lena Lead", &[]).unwrap();
        push(&s, Uuid::now_v7(), vec![create_review(1, review, 1)]);
    }
    let s = crate::open_store(dir.path(), None, &crate::KeySource::DataDir).unwrap();
    assert_eq!(s.counts().unwrap(), (1, 0));
}

#[test]
fn a_device_is_not_sent_its_own_writes_back() {
    let (_d, s) = store();
    // Device ids whose clock nodes are the `node` numbers used in the stamps below.
    let a = Uuid::from_u128(1);
    let b = Uuid::from_u128(2);
    let review = Uuid::now_v7();
    push(&s, a, vec![create_review(1, review, 1)]);
    let page = s.pull(0, 100, Some(a), &all(), T).unwrap();
    let fields: Vec<&str> = page.changes[0].fields.keys().map(String::as_str).collect();
    assert_eq!((fields, page.cursor), (vec!["team"], 1), "A gets only what the server wrote (the team), not its own fields");
    // B changes one field of A's record: A gets exactly that field.
    let base = Some(hlc(T, 1));
    push(&s, b, vec![op(1, EntityKind::Review, review, review, &[("school_urn", json!("990777"), base)], hlc(T + 9, 2))]);
    let for_a = s.pull(1, 100, Some(a), &all(), T).unwrap();
    let fields: Vec<&str> = for_a.changes[0].fields.keys().map(String::as_str).collect();
    assert_eq!(fields, ["school_urn", "team"], "B's field, and the server's (never A's own)");
    let for_b = s.pull(1, 100, Some(b), &all(), T).unwrap();
    let fields: Vec<&str> = for_b.changes[0].fields.keys().map(String::as_str).collect();
    assert_eq!(fields, ["school_name", "team"], "B gets the fields it never had, not its own back");
    assert_eq!(s.pull(0, 100, None, &all(), T).unwrap().changes[0].fields.len(), 3, "without a device, everything");
}

#[test]
fn concurrent_pushes_commit_together_and_a_refused_one_changes_nothing() {
    let (_d, s) = store();
    let s = std::sync::Arc::new(s);
    let review = Uuid::now_v7();
    push(&s, Uuid::now_v7(), vec![create_review(1, review, 1)]);
    let before = s.counts().unwrap();
    let handles: Vec<_> = (0..32u64)
        .map(|i| {
            let s = s.clone();
            std::thread::spawn(move || {
                let device = Uuid::now_v7();
                // Device 7 starts at seq 5: a gap the server must refuse, alone.
                let first = if i == 7 { 5 } else { 1 };
                let ops = (first..first + 3)
                    .map(|seq| {
                        op(
                            seq,
                            EntityKind::Evidence,
                            Uuid::now_v7(),
                            review,
                            &[("notes", json!(format!("t{i} s{seq}")), None)],
                            hlc(T + seq, 100 + i),
                        )
                    })
                    .collect();
                s.push(&PushRequest { device_id: device, schema_version: SCHEMA_VERSION, ops, pull_cursor: None }, &who(device), T)
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for (i, r) in results.iter().enumerate() {
        if i == 7 {
            assert!(matches!(r, Err(StoreError::SeqGap { expected: 1, got: 5 })), "{r:?}");
        } else {
            let reply = r.as_ref().unwrap();
            assert_eq!((reply.acked_through, reply.results.len()), (3, 3));
        }
    }
    assert_eq!(s.counts().unwrap().0, before.0 + 31 * 3, "every accepted note once, none of the refused push");
    let page = s.pull(0, 1000, None, &all(), T).unwrap();
    let seqs: Vec<u64> = page.changes.iter().map(|c| c.server_seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "server order has no repeats");
}

#[test]
fn server_writes_are_stamped_after_every_stamp_the_server_has_seen() {
    let (dir, s) = store();
    let review = Uuid::now_v7();
    // A laptop whose clock runs four minutes ahead: within the bound, so observed (a stamp
    // further ahead is re-stamped instead, decision 35; see clock_tests).
    let ahead = Hlc { wall_ms: now_ms() + 4 * 60_000, counter: 7, node: 1 };
    let device = Uuid::from_u128(1);
    let ops = vec![op(1, EntityKind::Review, review, review, &[("school_name", json!("Ahead Academy"), None)], ahead)];
    s.push(&PushRequest { device_id: device, schema_version: SCHEMA_VERSION, ops, pull_cursor: None }, &who(device), now_ms()).unwrap();
    s.test_user("user-rex", "Rex Reviewer", &[]).unwrap();
    s.test_team_member(review, "user-rex", qar_core::entities::TeamRole::Reviewer, now_ms()).unwrap();
    let team = s.pull(0, 100, None, &all(), T).unwrap().changes[0].fields["team"].clone();
    assert!(team.version > ahead, "{} must sort after {ahead}", team.version);
    assert_eq!(team.value.as_array().unwrap().len(), 2);
    // The clock survives a restart: reopened, it still stamps after what it issued.
    drop(s);
    let s = crate::open_store(dir.path(), None, &crate::KeySource::DataDir).unwrap();
    s.test_user("user-sue", "Sue Shadow", &[]).unwrap();
    s.test_team_member(review, "user-sue", qar_core::entities::TeamRole::Shadow, now_ms()).unwrap();
    let again = s.pull(0, 100, None, &all(), T).unwrap().changes[0].fields["team"].version;
    assert!(again > team.version, "{again} after {}", team.version);
    // SQLite's one process keeps its node; on PostgreSQL each start takes a new one (decision 98).
    let on_sqlite = crate::store::pg_testkit::database_for_this_server(dir.path()).unwrap().is_none();
    assert_eq!(again.node == team.version.node, on_sqlite, "{again} after {}", team.version);
}
