//! The laptop beside newer and older apps (issue 17): unsent work of an older app is brought up
//! at open; a pull page with kinds and fields this build does not know is applied, with those
//! kept aside; the server's answers about versions are kept for the status.

use super::tests::{new_review, note, open, T0};
use super::*;
use qar_core::protocol::{Compat, PullResponse};
use serde_json::json;

/// The first release's store file with one unsent note op of schema 1 (a year group as typed).
#[test]
fn unsent_work_of_an_older_app_is_brought_up_when_the_updated_app_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let mut c = qar_dbkit::open(&path, qar_dbkit::Durability::Normal).unwrap();
        qar_dbkit::migrate(&mut c, &schema::MIGRATIONS[..7]).unwrap();
        c.execute_batch(
            "INSERT INTO meta(key, value) VALUES ('device_id', '0190f0f0-0000-7000-8000-00000000abcd');
             INSERT INTO reviews(id, school_name, school_urn, start_date, created_at_ms, updated_at_ms)
               VALUES ('0190f0f0-0000-7000-8000-000000000001', 'Heron Vale Academy', '990102', '2027-01-19', 1, 1);
             INSERT INTO outbox(entity, entity_id, review_id, fields, hlc, schema_version)
               VALUES ('evidence', '0190f0f0-0000-7000-8000-000000000002', '0190f0f0-0000-7000-8000-000000000001',
                       '{\"notes\":{\"value\":\"Phonics in Year 1\",\"base\":null},\"year_group\":{\"value\":\"Year 1\",\"base\":null}}',
                       '0000000000002-0000000000-00000000000abcd0', 1),
                      ('review', '0190f0f0-0000-7000-8000-000000000001', '0190f0f0-0000-7000-8000-000000000001',
                       '{\"school_name\":{\"value\":\"Heron Vale Academy\",\"base\":null}}',
                       '0000000000003-0000000000-00000000000abcd0', 1);",
        )
        .unwrap();
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.outbox_ops_below_current_schema().unwrap(), 0);
    let batch = s.pending_batch(10).unwrap();
    assert_eq!(batch.ops.len(), 2, "every unsent op is still there");
    assert!(batch.ops.iter().all(|o| o.schema_version == qar_core::SCHEMA_VERSION));
    assert_eq!(batch.ops[0].fields["year_group"].value, json!("Y1"));
    assert_eq!(batch.ops[0].fields["notes"].value, json!("Phonics in Year 1"));
    assert_eq!(batch.ops[1].fields["school_name"].value, json!("Heron Vale Academy"));
    drop(s);
    // Opening again finds nothing to bring up.
    let s = Store::open(&path).unwrap();
    assert_eq!(s.pending_batch(10).unwrap().ops, batch.ops);
}

/// An open reads only the ops written since the last open (a start no longer reads the whole
/// unsent outbox), yet an older app's ops written after this build opened the store are
/// still brought up at the next open.
#[test]
fn ops_an_older_app_wrote_after_the_last_open_are_still_brought_up() {
    let (dir, mut s) = open();
    let review = s.create_review(&new_review(), T0).unwrap();
    s.add_evidence(&note(&review.id, "Reading corner well used"), T0 + 1).unwrap();
    drop(s);
    let path = dir.path().join("s.db");
    let s = Store::open(&path).unwrap();
    let checked: u64 = meta::parse_u64(meta::get(&s.conn, "outbox_upcast_checked_through").unwrap());
    assert_eq!(checked, s.pending_batch(10).unwrap().ops.last().unwrap().seq, "the open looked at every op there");
    // The older app runs on the same file and adds an op of schema 1.
    s.conn
        .execute(
            "INSERT INTO outbox(entity, entity_id, review_id, fields, hlc, schema_version)
             VALUES ('evidence', '0190f0f0-0000-7000-8000-000000000009', ?1,
                     '{\"year_group\":{\"value\":\"Year 3\",\"base\":null}}', '0000000000009-0000000000-00000000000abcd0', 1)",
            [&review.id],
        )
        .unwrap();
    drop(s);
    let s = Store::open(&path).unwrap();
    assert_eq!(s.outbox_ops_below_current_schema().unwrap(), 0);
    let last = s.pending_batch(10).unwrap().ops.pop().unwrap();
    assert_eq!(last.fields["year_group"].value, json!("Y3"));
}

#[test]
fn this_app_writes_year_groups_the_one_way() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    let mut n = note(&r.id, "Guided reading");
    n.year_group = " Year 4 ".into();
    let e = s.add_evidence(&n, T0 + 1).unwrap();
    assert_eq!(e.year_group, "Y4");
    let e = s.update_evidence_field(&e.id, "year_group", json!("Y3/4"), T0 + 2).unwrap();
    assert_eq!(e.year_group, "Y3/Y4");
    let e = s.update_evidence_field(&e.id, "year_group", json!("Nurture group"), T0 + 3).unwrap();
    assert_eq!(e.year_group, "Nurture group", "text that is not a year group is kept as typed");
}

fn version(n: u64) -> qar_core::Hlc {
    qar_core::Hlc { wall_ms: T0 + n, counter: 0, node: 77 }
}

/// A page from a newer server: a record of an unknown kind and a note with a field this build
/// does not have. The page is applied, the cursor moves, and both are kept aside.
#[test]
fn a_page_from_a_newer_server_is_applied_and_what_is_unknown_kept_aside() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    let note_id = uuid::Uuid::now_v7();
    let wire = json!({
        "changes": [
            {"server_seq": 10, "entity": "school_page", "id": "0190f0f0-0000-7000-8000-0000000000a1", "review_id": r.id,
             "fields": {"caption": {"value": "Working wall", "version": version(1).to_string()}}},
            {"server_seq": 11, "entity": "evidence", "id": note_id, "review_id": r.id,
             "fields": {"activity_type": {"value": "learning_walk", "version": version(2).to_string()},
                        "notes": {"value": "Calm corridors", "version": version(2).to_string()},
                        "mood": {"value": "settled", "version": version(2).to_string()}}}
        ],
        "cursor": 11, "has_more": false, "server_time_ms": T0,
        "compat": {"schema_version": qar_core::SCHEMA_VERSION + 1, "oldest_schema_version": 1, "min_app_version": "0.1.0"}
    });
    let page: PullResponse = serde_json::from_value(wire).unwrap();
    s.apply_pull(&page, T0 + 5).unwrap();
    assert_eq!(s.pull_cursor().unwrap(), 11);
    assert_eq!(s.evidence(&note_id.to_string()).unwrap().notes, "Calm corridors");
    assert_eq!(s.set_aside_count().unwrap(), 2);
    let kept = s.set_aside_fields("school_page", "0190f0f0-0000-7000-8000-0000000000a1").unwrap().unwrap();
    assert_eq!(kept["caption"]["value"], "Working wall");
    assert_eq!(s.set_aside_fields("evidence", &note_id.to_string()).unwrap().unwrap()["mood"]["value"], "settled");
    let compat = s.server_compat().unwrap().unwrap();
    assert!(compat.update_available() && !compat.update_required());

    // A later page with one field of the same record replaces that field and keeps the other.
    let later = PullResponse {
        changes: vec![],
        cursor: 12,
        has_more: false,
        server_time_ms: T0,
        access_revoked: vec![],
        compat: Some(Compat::of_this_build()),
        feed_epoch: None,
        purged: vec![],
        register_head: None,
        set_aside: vec![qar_core::sync::forward::SetAside {
            server_seq: 12,
            entity: "school_page".into(),
            id: "0190f0f0-0000-7000-8000-0000000000a1".into(),
            review_id: r.id.clone(),
            fields: [("alt_text".to_owned(), json!({"value": "Display of Y6 work", "version": version(3).to_string()}))]
                .into_iter()
                .collect(),
            unknown_kind: true,
        }],
    };
    s.apply_pull(&later, T0 + 6).unwrap();
    let kept = s.set_aside_fields("school_page", "0190f0f0-0000-7000-8000-0000000000a1").unwrap().unwrap();
    assert_eq!((kept["caption"]["value"].as_str(), kept["alt_text"]["value"].as_str()), (Some("Working wall"), Some("Display of Y6 work")));
    assert!(!s.server_compat().unwrap().unwrap().update_available());
}

/// A refused change is shown with the server's words for two weeks after it was made.
#[test]
fn refused_changes_are_shown_for_a_while_with_their_reason() {
    use qar_core::protocol::{OpOutcome, OpResult, PushResponse};
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    s.add_evidence(&note(&r.id, "Refused note"), T0 + 1).unwrap();
    let message = "This change was made with an app too old for the server.".to_owned();
    let reply = PushResponse {
        acked_through: 2,
        results: vec![OpResult { seq: 2, outcome: OpOutcome::Rejected { code: "update_required".into(), message: message.clone() } }],
        server_time_ms: T0,
        pull: None,
        clock_ahead: None,
        compat: None,
        feed_epoch: None,
    };
    s.record_push(&reply, T0 + 2).unwrap();
    let shown = s.refused_changes(T0 + 3).unwrap();
    assert_eq!(shown, vec![forward::Refusal { code: "update_required".into(), message }]);
    assert!(s.refused_changes(T0 + forward::REFUSALS_SHOWN_MS + 10).unwrap().is_empty());
}

/// A laptop on schema 2 kept a planned activity aside (it did not know the kind); once updated
/// to this build the store applies it from there at open, without a re-sync, and keeps aside
/// only what it still does not know.
#[test]
fn what_an_older_version_kept_aside_is_applied_once_this_build_knows_it() {
    let (dir, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    let plan_id = "0190f0f0-0000-7000-8000-0000000000b1";
    let fields = json!({"starts_at": {"value": "2026-11-24T09:30", "version": version(1).to_string()},
                        "activity_type": {"value": "learning_walk", "version": version(1).to_string()},
                        "room": {"value": "Hall", "version": version(1).to_string()}});
    let aside = qar_core::sync::forward::SetAside {
        server_seq: 20,
        entity: "plan_activity".into(),
        id: plan_id.into(),
        review_id: r.id.clone(),
        fields: fields.as_object().unwrap().clone(),
        unknown_kind: true,
    };
    forward::keep_set_aside(&s.conn, &[aside]).unwrap();
    let path = dir.path().join("s.db");
    let pending = s.pending_count().unwrap();
    drop(s);
    let s = Store::open(&path).unwrap();
    let plan = s.list_plan(&r.id).unwrap();
    assert_eq!(plan.len(), 1, "applied at open");
    assert_eq!((plan[0].starts_at.as_str(), plan[0].activity_type.as_str()), ("2026-11-24T09:30", "learning_walk"));
    assert_eq!(s.set_aside_count().unwrap(), 1, "the field this build does not know stays aside");
    assert_eq!(s.set_aside_fields("plan_activity", plan_id).unwrap().unwrap()["room"]["value"], "Hall");
    assert_eq!(s.pending_count().unwrap(), pending, "applied as pulled, not sent back");
}
