//! Property (issue 15): whatever an op's fields, stamp or sender, an op the server refuses
//! changes nothing it keeps (`dump()`, less the sync ledger, which acknowledges the op by
//! design), and a push refused whole changes nothing at all. Store level, real SQLite files.

use proptest::prelude::*;
use qar_core::entities::TeamRole;
use qar_core::protocol::{FieldWrite, Op, OpOutcome, PushRequest};
use qar_core::report_template::{content_hash, section_id};
use qar_core::{EntityKind, Hlc, ReviewState, SCHEMA_VERSION};
use qar_server::store::demo::DEMO_HUB_ID;
use qar_server::store::now_ms;
use qar_server::{AuthDevice, Role, ServerStore};
use serde_json::{json, Value};
use std::sync::OnceLock;
use uuid::Uuid;

const KESTREL: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0101);
const HERON: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0102);
const LARKSPUR: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0103);
const NOTE: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0001_0001);
/// A review Owen proposed from his laptop (in no hub).
const PROPOSAL: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0999);

fn person(i: usize) -> AuthDevice {
    let (user, roles) = match i {
        0 => ("user-anika-marsh", vec![]),
        1 => ("user-owen-pritchard", vec![]),
        2 => ("user-hollie-brennan", vec![Role::HubCoordinator { hub_id: DEMO_HUB_ID.into() }]),
        3 => ("user-olga-otherhub", vec![Role::HubCoordinator { hub_id: "hub-other".into() }]),
        4 => ("user-sam-shadow", vec![]),
        5 => ("user-nadia-nobody", vec![]),
        _ => ("user-demo-admin", vec![Role::Admin]),
    };
    AuthDevice { user_id: user.into(), device_id: Uuid::now_v7(), roles }
}

/// One op to push: (kind, record id, review id, field values).
type OpSpec<'a> = (EntityKind, Uuid, Uuid, Vec<(&'a str, Value)>);

fn push(store: &ServerStore, caller: &AuthDevice, ops: Vec<OpSpec<'_>>) {
    let hlc = Hlc { wall_ms: now_ms(), counter: 0, node: Hlc::node_of(&caller.device_id) };
    let ops = ops
        .into_iter()
        .enumerate()
        .map(|(i, (entity, id, review_id, fields))| Op {
            seq: i as u64 + 1,
            entity,
            id,
            review_id,
            fields: fields.into_iter().map(|(f, v)| (f.to_owned(), FieldWrite { value: v, base: None })).collect(),
            hlc: Hlc { counter: i as u32, ..hlc },
            schema_version: SCHEMA_VERSION,
        })
        .collect();
    store
        .push(&PushRequest { device_id: caller.device_id, schema_version: SCHEMA_VERSION, ops, pull_cursor: None }, caller, now_ms())
        .unwrap();
}

/// The demo data, a shadow and two strangers, a proposal, and Heron Vale approved: reviews in
/// scheduled, in visit, approved and a hubless preparing one.
fn store() -> &'static ServerStore {
    static STORE: OnceLock<(tempfile::TempDir, ServerStore)> = OnceLock::new();
    &STORE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let s = crate::common::open_store(dir.path());
            s.seed_demo(now_ms()).unwrap();
            s.test_user("user-sam-shadow", "Sam Shadow", &[]).unwrap();
            s.test_user("user-olga-otherhub", "Olga Otherhub", &[Role::HubCoordinator { hub_id: "hub-other".into() }]).unwrap();
            s.test_user("user-nadia-nobody", "Nadia Nobody", &[]).unwrap();
            for review in [KESTREL, HERON, LARKSPUR] {
                s.test_team_member(review, "user-sam-shadow", TeamRole::Shadow, now_ms()).unwrap();
            }
            push(
                &s,
                &person(1),
                vec![(
                    EntityKind::Review,
                    PROPOSAL,
                    PROPOSAL,
                    vec![("school_name", json!("Owen's proposal")), ("school_urn", json!("990101"))],
                )],
            );
            let path = ["in_visit", "estimates_agreed", "drafting", "submitted"];
            push(&s, &person(0), path.iter().map(|st| (EntityKind::Review, HERON, HERON, vec![("state", json!(st))])).collect());
            s.approve(HERON, &content_hash(&[], &[]), &person(2), now_ms()).unwrap();
            (dir, s)
        })
        .1
}

fn review_from(pool: u8, fresh: u128) -> Uuid {
    match pool % 5 {
        0 => KESTREL,
        1 => HERON,
        2 => LARKSPUR,
        3 => PROPOSAL,
        _ => Uuid::from_u128(fresh),
    }
}

/// A record id of the kind, mostly one that exists (so edits, not only creations, are tried).
fn record_id(entity: EntityKind, pool: u8, review: Uuid, fresh: u128) -> Uuid {
    match (entity, pool % 3) {
        (_, 2) => Uuid::from_u128(fresh.rotate_left(7)),
        (EntityKind::Review, _) => review,
        (EntityKind::Evidence, 0) => NOTE,
        (EntityKind::Evidence, _) => Uuid::from_u128(NOTE.as_u128() + 1),
        (EntityKind::Estimate, _) => Uuid::new_v5(&review, b"leadership"),
        (EntityKind::ReportSection, _) => section_id(review, "context"),
        _ => Uuid::from_u128(fresh),
    }
}

/// Writes of every field the kind has (valid values, so the permission check is what decides),
/// and of some it does not have or only the server writes.
fn writes(entity: EntityKind) -> Vec<(&'static str, Value)> {
    let mut w: Vec<(&str, Value)> = match entity {
        EntityKind::Review => {
            let mut w: Vec<(&str, Value)> = ReviewState::ALL.iter().map(|s| ("state", json!(s.code()))).collect();
            w.extend([
                ("deleted", json!(true)),
                ("deleted", json!(false)),
                ("school_urn", json!("990101")),
                ("school_urn", json!("990103")),
                ("school_name", json!("Renamed School")),
                ("start_date", json!("2027-05-04")),
                ("framework_version", json!("2019")),
                ("hub_id", json!("hub-other")),
                ("team", json!([])),
                ("approved_hash", json!("00")),
            ]);
            w
        }
        EntityKind::Evidence => vec![
            ("author_id", json!("user-anika-marsh")),
            ("author_id", json!("user-owen-pritchard")),
            ("author_id", json!("user-sam-shadow")),
            ("notes", json!("A note")),
            ("activity_type", json!("learning_walk")),
            ("started_at", json!("2026-11-24T10:00")),
            ("deleted", json!(true)),
            ("deleted", json!(false)),
        ],
        EntityKind::Estimate => vec![
            ("area_code", json!("leadership")),
            ("value", json!("effective")),
            ("rationale", json!("Because")),
            ("deleted", json!(true)),
        ],
        EntityKind::ReportSection => vec![
            ("section_code", json!("context")),
            ("body", json!("Report text")),
            ("deleted", json!(true)),
            ("ebi_point", json!("A point from the last review")),
            ("ebi_area", json!("leadership")),
        ],
        EntityKind::Comment => vec![("resolved", json!(true)), ("text", json!("A comment"))],
        EntityKind::Conflict => vec![("resolved", json!(true)), ("value", json!("x"))],
        EntityKind::PlanActivity => vec![
            ("starts_at", json!("2026-11-24T09:00")),
            ("activity_type", json!("learning_walk")),
            ("reviewer_ids", json!(["user-owen-pritchard"])),
            ("focus", json!("Reading in Y2")),
            ("deleted", json!(true)),
        ],
        EntityKind::Attachment => vec![
            ("evidence_id", json!("0190f0f0-0000-7000-8000-00000000e001")),
            ("kind", json!("pupils_work")),
            ("caption", json!("Y4 books")),
            ("sha256", json!("ab".repeat(32))),
            ("size", json!(1234)),
            ("mime", json!("image/jpeg")),
            ("may_show_face", json!(false)),
            ("deleted", json!(true)),
        ],
        EntityKind::PreviousReview => vec![
            ("previous_review_id", json!("0190f0f0-0000-7000-8000-00000000e002")),
            ("ebi_points", json!([{"area_code": "leadership", "text": "Rewritten"}])),
            ("deleted", json!(true)),
        ],
        EntityKind::SchoolStatement => vec![
            ("context_statement", json!("A school written about by a laptop")),
            ("aoe_title", json!("Reading for pleasure")),
            ("written_by", json!("Not the head")),
            ("deleted", json!(true)),
        ],
    };
    w.push(("notes", json!("not always a field of this kind")));
    w
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
    #[test]
    fn a_refused_op_changes_nothing(
        who in 0usize..7,
        entity in prop::sample::select(EntityKind::ALL.to_vec()),
        id_pool in any::<u8>(),
        review_pool in any::<u8>(),
        fresh in any::<u128>(),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 1..4),
        base in prop::option::of((0u64..9_999_999_999_999, 0u32..1_000, any::<u64>())),
        stamp in (0u64..9_999_999_999_999, 0u32..1_000),
    ) {
        let s = store();
        let caller = person(who);
        let review_id = review_from(review_pool, fresh);
        let id = record_id(entity, id_pool, review_id, fresh);
        let pool = writes(entity);
        let base = base.map(|(wall_ms, counter, node)| Hlc { wall_ms, counter, node });
        let op = Op {
            seq: 1,
            entity,
            id,
            review_id,
            fields: picks.iter().map(|i| pool[i.index(pool.len())].clone()).map(|(f, v)| (f.to_owned(), FieldWrite { value: v, base })).collect(),
            hlc: Hlc { wall_ms: stamp.0, counter: stamp.1, node: Hlc::node_of(&caller.device_id) },
            schema_version: SCHEMA_VERSION,
        };
        let before = s.dump().unwrap();
        let req = PushRequest { device_id: caller.device_id, schema_version: SCHEMA_VERSION, ops: vec![op.clone()], pull_cursor: None };
        match s.push(&req, &caller, now_ms()) {
            Err(e) => prop_assert_eq!(s.dump().unwrap(), before, "a push refused whole ({}) wrote something: {:?}", e, op),
            Ok(reply) => {
                if let OpOutcome::Rejected { code, .. } = &reply.results[0].outcome {
                    let kept = |d: Vec<String>| d.into_iter().filter(|l| !l.starts_with("device|")).collect::<Vec<_>>();
                    prop_assert_eq!(kept(s.dump().unwrap()), kept(before), "refused ({}) but changed: {:?} by {}", code, op, caller.user_id);
                }
            }
        }
    }
}
