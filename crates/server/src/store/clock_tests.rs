//! Issue 15 at the store level: a refused op changes nothing, whatever its stamp; an accepted
//! op stamped too far ahead is re-stamped; stored data that does not read back is loud.

use super::*;
use crate::auth::AuthDevice;
use proptest::prelude::*;
use qar_core::hlc::MAX_WALL_MS;
use qar_core::protocol::{FieldWrite, Op, OpOutcome, PushRequest};
use qar_core::{EntityKind, Hlc, ReviewState, SCHEMA_VERSION};
use serde_json::{json, Value};
use uuid::Uuid;

const KESTREL: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0101);
/// Anika's (the Lead Reviewer's) demo note in Kestrel Brook.
const ANIKAS_NOTE: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0001_0001);
const OWEN: &str = "user-owen-pritchard";
const ANIKA: &str = "user-anika-marsh";
const YEAR_MS: u64 = 365 * 24 * 3600 * 1000;

fn demo() -> (tempfile::TempDir, ServerStore) {
    let dir = tempfile::tempdir().unwrap();
    let s = crate::open_store(dir.path(), None, &crate::KeySource::DataDir).unwrap();
    s.seed_demo(now_ms()).unwrap();
    (dir, s)
}

fn op(seq: u64, entity: EntityKind, id: Uuid, fields: &[(&str, Value, Option<Hlc>)], hlc: Hlc) -> Op {
    Op {
        seq,
        entity,
        id,
        review_id: KESTREL,
        fields: fields.iter().map(|(f, v, b)| (f.to_string(), FieldWrite { value: v.clone(), base: *b })).collect(),
        hlc,
        schema_version: SCHEMA_VERSION,
    }
}

fn push(s: &ServerStore, user: &str, device: Uuid, ops: Vec<Op>, now: u64) -> qar_core::protocol::PushResponse {
    let caller = AuthDevice { user_id: user.into(), device_id: device, roles: vec![] };
    s.push(&PushRequest { device_id: device, schema_version: SCHEMA_VERSION, ops, pull_cursor: None }, &caller, now).unwrap()
}

/// Everything a refused op must leave alone: records, teams, hubs, legacy conflicts, the
/// re-stamp table and the clock. (A refused op is still acknowledged, so the device's
/// high-water mark and the push's audit entry move; they are about the push, not the op.)
fn state(s: &ServerStore) -> (Vec<String>, Option<String>, i64) {
    let records = s.dump().unwrap().into_iter().filter(|l| !l.starts_with("device|")).collect();
    let restamps = s.reader().query_row("SELECT count(*) FROM restamps", [], |r| r.get(0)).unwrap();
    (records, s.test_server_clock().unwrap(), restamps)
}

/// A refused op of one of six kinds, for Owen (a reviewer on Kestrel Brook): server-written
/// fields, a state change, Anika's note, an invalid URN, a newer schema, an empty edit.
fn refused_op(kind: usize, pick: u8, hlc: Hlc) -> Op {
    let server_fields = ["approved_hash", "approved_by", "approved_at_ms", "team", "hub_id", "visit_dates"];
    // Kestrel Brook is in its visit: writing that state again is no change, so not refused.
    let states: Vec<ReviewState> = ReviewState::ALL.into_iter().filter(|s| *s != ReviewState::InVisit).collect();
    match kind {
        0 => {
            let field = server_fields[pick as usize % server_fields.len()];
            let value = if field == "approved_at_ms" { json!(hlc.wall_ms) } else { json!("x") };
            op(0, EntityKind::Review, KESTREL, &[(field, value, None)], hlc)
        }
        1 => op(0, EntityKind::Review, KESTREL, &[("state", json!(states[pick as usize % states.len()].code()), None)], hlc),
        2 => op(0, EntityKind::Evidence, ANIKAS_NOTE, &[("notes", json!(format!("Owen was here {pick}")), None)], hlc),
        3 => op(0, EntityKind::Review, KESTREL, &[("school_urn", json!("12"), None)], hlc),
        // A field this schema does not have. (An op of a newer schema is refused too, but its
        // values are kept as conflicts: tests/it/schema_versions.rs.)
        4 => op(0, EntityKind::Evidence, Uuid::now_v7(), &[("photo_caption", json!("new"), None)], hlc),
        _ => op(0, EntityKind::Evidence, Uuid::now_v7(), &[], hlc),
    }
}

fn stamp() -> impl Strategy<Value = Hlc> {
    let now = now_ms();
    let wall = prop_oneof![0..=MAX_WALL_MS, Just(MAX_WALL_MS), now..now + 20 * YEAR_MS, now - 60_000..now + 60_000];
    let counter = prop_oneof![any::<u32>(), Just(u32::MAX)];
    (wall, counter, any::<u64>()).prop_map(|(wall_ms, counter, node)| Hlc { wall_ms, counter, node })
}

/// For random refused ops, with random stamps (far-future and the largest stamp included),
/// nothing of the server's state changes: not the records, not the clock.
#[test]
fn refused_ops_change_nothing_whatever_their_stamp() {
    let (_d, s) = demo();
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config { cases: 48, ..Default::default() });
    let ops = proptest::collection::vec((0usize..6, any::<u8>(), stamp()), 1..6);
    runner
        .run(&ops, |ops| {
            let before = state(&s);
            let device = Uuid::now_v7();
            let ops: Vec<Op> = ops.into_iter().enumerate().map(|(i, (k, p, h))| Op { seq: i as u64 + 1, ..refused_op(k, p, h) }).collect();
            let reply = push(&s, OWEN, device, ops, now_ms());
            for r in &reply.results {
                prop_assert!(matches!(r.outcome, OpOutcome::Rejected { .. }), "{:?}", r);
            }
            prop_assert!(reply.clock_ahead.is_none(), "a refused op is never re-stamped");
            prop_assert_eq!(state(&s), before);
            Ok(())
        })
        .unwrap();
}

/// An accepted op stamped years ahead is applied with a server stamp near now; the server
/// clock stays near now; a later edit based on the laptop's own stamp follows on without a
/// conflict; the device is told.
#[test]
fn an_accepted_op_years_ahead_is_restamped_and_its_follow_up_merges() {
    let (_d, s) = demo();
    let now = now_ms();
    let device = Uuid::now_v7();
    let node = Hlc::node_of(&device);
    let note = Uuid::now_v7();
    let ahead = Hlc { wall_ms: now + 10 * YEAR_MS, counter: 0, node };
    let first =
        op(1, EntityKind::Evidence, note, &[("activity_type", json!("work_scrutiny"), None), ("notes", json!("Y6 books"), None)], ahead);
    let reply = push(&s, ANIKA, device, vec![first], now);
    assert_eq!(reply.results[0].outcome, OpOutcome::Applied);
    let told = reply.clock_ahead.expect("the device is told");
    assert_eq!((told.server_time_ms, told.ahead_ms, told.op_seqs.clone()), (now, 10 * YEAR_MS, vec![1]));
    assert_eq!(told.max_ahead_ms, DEFAULT_MAX_CLOCK_AHEAD_MS);
    let clock: Hlc = s.test_server_clock().unwrap().unwrap().parse().unwrap();
    assert!(clock.wall_ms <= now, "the server clock stays at its own time: {clock}");
    let stored = records::load(&s.reader(), EntityKind::Evidence, &note.to_string()).unwrap().unwrap();
    let version = stored.doc["notes"].version;
    assert!(version.wall_ms <= now && version.node != node, "re-stamped by the server: {version}");

    // The laptop edits again before it has pulled: the base is its own (far-ahead) stamp.
    let next = Hlc { counter: 1, ..ahead };
    let reply = push(
        &s,
        ANIKA,
        device,
        vec![op(2, EntityKind::Evidence, note, &[("notes", json!("Y6 books, two sets"), Some(ahead))], next)],
        now + 1,
    );
    assert_eq!(reply.results[0].outcome, OpOutcome::Applied, "a follow-up, not a conflict with itself");
    let stored = records::load(&s.reader(), EntityKind::Evidence, &note.to_string()).unwrap().unwrap();
    assert_eq!(stored.doc["notes"].value, json!("Y6 books, two sets"));
    assert_eq!(s.counts().unwrap().1, 0, "no conflict kept");

    // Within the bound, a stamp is observed as before.
    let near = Hlc { wall_ms: now + 60_000, counter: 0, node };
    let reply = push(&s, ANIKA, device, vec![op(3, EntityKind::Evidence, Uuid::now_v7(), &[("notes", json!("ok"), None)], near)], now + 2);
    assert!(reply.clock_ahead.is_none());
    let clock: Hlc = s.test_server_clock().unwrap().unwrap().parse().unwrap();
    assert!(clock > near, "observed: {clock}");
}

/// The bound is a setting: a store told to accept 30 minutes keeps a 20-minute stamp as it is.
#[test]
fn the_bound_is_a_setting() {
    let (_d, s) = demo();
    s.set_max_clock_ahead_ms(30 * 60_000);
    let now = now_ms();
    let device = Uuid::now_v7();
    let twenty = Hlc { wall_ms: now + 20 * 60_000, counter: 0, node: Hlc::node_of(&device) };
    let reply = push(&s, ANIKA, device, vec![op(1, EntityKind::Evidence, Uuid::now_v7(), &[("notes", json!("n"), None)], twenty)], now);
    assert!(reply.clock_ahead.is_none());
}

/// A record whose stored fields do not read back is a loud error, never an empty document
/// that the next write would store without its other fields.
#[test]
fn a_corrupt_record_is_a_loud_error_and_stays_as_it_was() {
    let (_d, s) = demo();
    let broken = r#"{"notes":{"value":"x","version":"10000000000000-0000000000-8000000000000001"}}"#;
    s.writer().execute("UPDATE records SET fields = ?1 WHERE id = ?2", crate::store::db::params![broken, ANIKAS_NOTE.to_string()]).unwrap();
    let device = Uuid::now_v7();
    let caller = AuthDevice { user_id: ANIKA.into(), device_id: device, roles: vec![] };
    let edit =
        op(1, EntityKind::Evidence, ANIKAS_NOTE, &[("notes", json!("rewritten"), None)], Hlc { wall_ms: now_ms(), counter: 0, node: 1 });
    let err = s
        .push(&PushRequest { device_id: device, schema_version: SCHEMA_VERSION, ops: vec![edit], pull_cursor: None }, &caller, now_ms())
        .unwrap_err();
    assert!(matches!(&err, StoreError::Corrupt { what, .. } if what.contains(&ANIKAS_NOTE.to_string())), "{err:?}");
    let raw: String = s.reader().query_row("SELECT fields FROM records WHERE id = ?1", [ANIKAS_NOTE.to_string()], |r| r.get(0)).unwrap();
    assert_eq!(raw, broken, "left as it was for someone to repair");
}

/// An unreadable server clock stops the server from opening the store, instead of starting
/// again from zero (stamps older than the ones stored: server writes would lose).
#[test]
fn an_unreadable_clock_refuses_to_open() {
    let (dir, s) = demo();
    s.writer()
        .execute("INSERT INTO meta(key, value) VALUES ('server_hlc', '10000000000000-0000000000-0000000000000001') ON CONFLICT(key) DO UPDATE SET value = excluded.value", [])
        .unwrap();
    drop(s);
    let err = crate::open_store(dir.path(), None, &crate::KeySource::DataDir).err().expect("refused");
    assert!(err.to_string().contains("server clock"), "{err}");
}
