use super::*;
use crate::model::{EvidenceQuery, NewEvidence, NewReview};
use crate::ClientError;
use qar_core::protocol::{Change, FieldValue, OpOutcome, OpResult, PullResponse, PushResponse};
use qar_core::EntityKind;
use serde_json::{json, Value};

pub(super) const T0: u64 = 1_795_000_000_000;

pub(super) fn new_review() -> NewReview {
    NewReview { school_name: "Kestrel Brook Primary".into(), school_urn: "900101".into(), start_date: "2026-11-23".into() }
}

pub(super) fn note(review_id: &str, text: &str) -> NewEvidence {
    NewEvidence {
        review_id: review_id.into(),
        activity_type: "learning_walk".into(),
        started_at: Some("2026-11-23T09:40".into()),
        notes: text.into(),
        ..Default::default()
    }
}

pub(super) fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("s.db")).unwrap();
    (dir, s)
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
fn each_save_writes_the_row_one_op_and_one_audit_row() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    assert_eq!(counts(&s), (1, 0, 1, 1));
    s.add_evidence(&note(&r.id, "n"), T0).unwrap();
    assert_eq!(counts(&s), (1, 1, 2, 2));
    let ops = s.pending_batch(100).unwrap().ops;
    assert_eq!(ops.iter().map(|o| o.seq).collect::<Vec<_>>(), [1, 2], "seq is contiguous from 1");
    assert!(ops[0].hlc < ops[1].hlc, "stamps strictly increase");
    let fields: Vec<&str> = ops[0].fields.keys().map(String::as_str).collect();
    assert_eq!(fields, ["framework_version", "school_name", "school_urn", "start_date", "state"]);
    assert!(ops.iter().flat_map(|o| o.fields.values()).all(|w| w.base.is_none()), "new records have no base");
    assert_eq!(s.review(&r.id).unwrap().pending_ops, 2);
}

#[test]
fn an_edit_carries_the_version_it_was_made_on() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    let e = s.add_evidence(&note(&r.id, "first"), T0).unwrap();
    let created = s.pending_batch(100).unwrap().ops[1].hlc;
    let edited = s.update_evidence_field(&e.id, "notes", json!("second"), T0 + 1).unwrap();
    assert_eq!(edited.notes, "second");
    let last = s.pending_batch(100).unwrap().ops.pop().unwrap();
    assert_eq!(last.fields.len(), 1, "a field edit sends only that field");
    assert_eq!(last.fields["notes"].base, Some(created));
}

#[test]
fn every_evidence_field_is_stored_and_edited() {
    let (_d, mut s) = open();
    s.set_current_user("user-anika-marsh").unwrap();
    let r = s.create_review(&new_review(), T0).unwrap();
    let new = NewEvidence {
        review_id: r.id.clone(),
        activity_type: "joint_lesson_observation".into(),
        started_at: Some("2026-11-23T10:05".into()),
        year_group: "Y5".into(),
        subject: "Mathematics".into(),
        host_colleague_role: "Deputy headteacher".into(),
        area_tags: vec!["provision_outcomes".into(), "disadvantaged_additional_needs".into()],
        notes: "Bar models used to compare fractions.".into(),
        strengths: "Precise questioning.".into(),
        development_points: "Pace in the starter.".into(),
    };
    let e = s.add_evidence(&new, T0).unwrap();
    assert_eq!(e.author_id, "user-anika-marsh");
    // Schema 3: the subject is written the one way reviewers read it, on add and on edit.
    assert_eq!((e.year_group.as_str(), e.subject.as_str()), ("Y5", "Maths"));
    assert_eq!(s.update_evidence_field(&e.id, "subject", json!("p.e."), T0).unwrap().subject, "PE");
    assert_eq!(e.area_tags, ["provision_outcomes", "disadvantaged_additional_needs"]);
    let e = s.update_evidence_field(&e.id, "area_tags", json!(["leadership"]), T0 + 1).unwrap();
    assert_eq!(e.area_tags, ["leadership"]);
    let e = s.update_evidence_field(&e.id, "started_at", Value::Null, T0 + 2).unwrap();
    assert_eq!(e.started_at, None);
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    let e = s.add_evidence(&note(&r.id, "kept"), T0).unwrap();
    let before = counts(&s);

    let bad_urn = NewReview { school_urn: "12345".into(), ..new_review() };
    assert!(matches!(s.create_review(&bad_urn, T0), Err(ClientError::Invalid(_))));
    let bad_date = NewReview { start_date: "31/12/2026".into(), ..new_review() };
    assert!(matches!(s.create_review(&bad_date, T0), Err(ClientError::Invalid(_))));
    let bad_type = NewEvidence { activity_type: "deep_dive".into(), ..note(&r.id, "x") };
    assert_eq!(s.add_evidence(&bad_type, T0).unwrap_err().code(), "invalid");
    let bad_area = NewEvidence { area_tags: vec!["safeguarding".into()], ..note(&r.id, "x") };
    assert_eq!(s.add_evidence(&bad_area, T0).unwrap_err().code(), "invalid");
    let too_long = note(&r.id, &"x".repeat(qar_core::fields::MAX_NOTES + 1));
    assert_eq!(s.add_evidence(&too_long, T0).unwrap_err().code(), "invalid");
    let no_review = note("0190f0f0-0000-7000-8000-000000000000", "x");
    assert_eq!(s.add_evidence(&no_review, T0).unwrap_err().code(), "not_found");
    assert_eq!(s.update_evidence_field(&e.id, "deleted", json!(true), T0).unwrap_err().code(), "invalid");
    assert_eq!(s.update_evidence_field(&e.id, "author_id", json!("someone"), T0).unwrap_err().code(), "invalid");
    assert_eq!(s.update_evidence_field(&e.id, "colour", json!("red"), T0).unwrap_err().code(), "invalid");

    assert_eq!(counts(&s), before, "no refused edit left a trace");
    assert_eq!(s.evidence(&e.id).unwrap().notes, "kept");
}

#[test]
fn search_finds_words_and_filters_narrow() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    let mk = |activity: &str, at: &str, tags: &[&str], notes: &str, strengths: &str| NewEvidence {
        review_id: r.id.clone(),
        activity_type: activity.into(),
        started_at: Some(at.into()),
        area_tags: tags.iter().map(|t| t.to_string()).collect(),
        notes: notes.into(),
        strengths: strengths.into(),
        ..Default::default()
    };
    s.add_evidence(&mk("learning_walk", "2026-11-23T09:00", &["provision_outcomes"], "Phonics across KS1 was consistent.", ""), T0)
        .unwrap();
    s.add_evidence(&mk("pupil_voice", "2026-11-24T13:00", &["leadership"], "Pupils named the school values.", "Pupils felt safe."), T0 + 1)
        .unwrap();
    let x = s
        .add_evidence(
            &mk("learning_walk", "2026-11-24T10:00", &["leadership", "provision_outcomes"], "Café-style reading corner.", ""),
            T0 + 2,
        )
        .unwrap();

    let find = |s: &Store, q: EvidenceQuery| s.search_evidence(&r.id, &q).unwrap().into_iter().map(|e| e.notes).collect::<Vec<_>>();
    assert_eq!(find(&s, EvidenceQuery { text: "phon".into(), ..Default::default() }), ["Phonics across KS1 was consistent."]);
    assert_eq!(
        find(&s, EvidenceQuery { text: "safe".into(), ..Default::default() }),
        ["Pupils named the school values."],
        "strengths are searched"
    );
    assert_eq!(find(&s, EvidenceQuery { text: "cafe".into(), ..Default::default() }).len(), 1, "accents folded");
    assert_eq!(find(&s, EvidenceQuery { text: "pupils values".into(), ..Default::default() }).len(), 1, "all words must match");
    assert_eq!(find(&s, EvidenceQuery { area: Some("leadership".into()), ..Default::default() }).len(), 2);
    assert_eq!(
        find(&s, EvidenceQuery { activity_type: Some("learning_walk".into()), day: Some("2026-11-24".into()), ..Default::default() }).len(),
        1
    );
    assert_eq!(find(&s, EvidenceQuery { text: "\"NEAR(".into(), ..Default::default() }), Vec::<String>::new(), "syntax is not an error");

    // Edits re-index; tombstones disappear from lists and search but stay as a row.
    s.update_evidence_field(&x.id, "notes", json!("Reading corner well stocked."), T0 + 3).unwrap();
    assert_eq!(find(&s, EvidenceQuery { text: "cafe".into(), ..Default::default() }).len(), 0);
    s.delete_evidence(&x.id, T0 + 4).unwrap();
    assert_eq!(find(&s, EvidenceQuery { text: "stocked".into(), ..Default::default() }).len(), 0);
    assert_eq!(s.list_evidence(&r.id).unwrap().len(), 2);
    assert_eq!(s.evidence(&x.id).unwrap_err().code(), "not_found");
    assert_eq!(counts(&s).1, 3, "the deleted note's row is kept as a tombstone");
    assert_eq!(s.pending_batch(100).unwrap().ops.last().unwrap().fields["deleted"].value, json!(true));
}

#[test]
fn a_database_from_migration_1_moves_forward_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        // What the first release wrote: schema 1 only, with a review, a note and its outbox op.
        let mut c = qar_dbkit::open(&path, qar_dbkit::Durability::Normal).unwrap();
        qar_dbkit::migrate(&mut c, &schema::MIGRATIONS[..1]).unwrap();
        c.execute_batch(
            "INSERT INTO meta(key, value) VALUES ('device_id', '0190f0f0-0000-7000-8000-00000000abcd');
             INSERT INTO reviews(id, school_name, school_urn, start_date, created_at_ms, updated_at_ms)
               VALUES ('0190f0f0-0000-7000-8000-000000000001', 'Heron Vale Academy', '990102', '2027-01-19', 1, 1);
             INSERT INTO evidence(id, review_id, activity_type, notes, created_at_ms, updated_at_ms)
               VALUES ('0190f0f0-0000-7000-8000-000000000002', '0190f0f0-0000-7000-8000-000000000001',
                       'work_scrutiny', 'Books show feedback acted upon in Y9 science.', 2, 2);
             INSERT INTO outbox(entity, entity_id, review_id, fields, hlc, schema_version)
               VALUES ('evidence', '0190f0f0-0000-7000-8000-000000000002', '0190f0f0-0000-7000-8000-000000000001',
                       '{\"notes\":{\"value\":\"Books show feedback acted upon in Y9 science.\",\"base\":null}}',
                       '0000000000002-0000000000-00000000000abcd0', 1);",
        )
        .unwrap();
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), schema::MIGRATIONS.len() as u32);
    assert_eq!(s.device_id().to_string(), "0190f0f0-0000-7000-8000-00000000abcd");
    let review = "0190f0f0-0000-7000-8000-000000000001";
    assert_eq!(s.review(review).unwrap().school_name, "Heron Vale Academy");
    let notes = s.list_evidence(review).unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!((notes[0].activity_type.as_str(), notes[0].area_tags.len()), ("work_scrutiny", 0));
    let found = s.search_evidence(review, &EvidenceQuery { text: "feedback".into(), ..Default::default() }).unwrap();
    assert_eq!(found.len(), 1, "notes written before the migration are searchable");
    assert_eq!(s.pending_count().unwrap(), 1, "unsent work is still unsent");
    assert!(s.integrity_ok().unwrap());
}

#[test]
fn push_results_acknowledge_through_the_high_water_mark() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    for i in 0..3 {
        s.add_evidence(&note(&r.id, &format!("n{i}")), T0).unwrap();
    }
    let reply = PushResponse {
        acked_through: 3,
        results: vec![OpResult { seq: 2, outcome: OpOutcome::Rejected { code: "invalid".into(), message: "m".into() } }],
        server_time_ms: T0,
        pull: None,
        clock_ahead: None,
        compat: None,
        feed_epoch: None,
    };
    s.record_push(&reply, T0).unwrap();
    assert_eq!(s.pending_count().unwrap(), 1);
    assert_eq!(s.pending_batch(10).unwrap().ops[0].seq, 4);
}

pub(super) fn change(
    seq: u64,
    entity: EntityKind,
    id: uuid::Uuid,
    review_id: uuid::Uuid,
    fields: &[(&str, Value)],
    version: Hlc,
) -> Change {
    Change {
        server_seq: seq,
        entity,
        id,
        review_id,
        fields: fields.iter().map(|(f, v)| (f.to_string(), FieldValue { value: v.clone(), version })).collect(),
    }
}

#[test]
fn pulled_values_apply_but_never_over_a_pending_local_edit() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    let e = s.add_evidence(&note(&r.id, "mine, not yet sent"), T0).unwrap();
    let remote = Hlc { wall_ms: T0 + 10_000, counter: 0, node: 42 };
    let (other_review, other_note) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let (rid, eid) = (r.id.parse().unwrap(), e.id.parse().unwrap());
    let page = PullResponse {
        changes: vec![
            // Notes is pending here, subject is not: only subject is taken.
            change(1, EntityKind::Evidence, eid, rid, &[("notes", json!("theirs")), ("subject", json!("History"))], remote),
            // A note before its review's own change: a placeholder review holds it.
            change(
                2,
                EntityKind::Evidence,
                other_note,
                other_review,
                &[("notes", json!("from a colleague")), ("activity_type", json!("pupil_voice"))],
                remote,
            ),
            change(
                3,
                EntityKind::Review,
                other_review,
                other_review,
                &[("school_name", json!("Heron Vale Academy")), ("school_urn", json!("990102"))],
                remote,
            ),
        ],
        cursor: 3,
        has_more: false,
        server_time_ms: T0,
        access_revoked: vec![],
        compat: None,
        feed_epoch: None,
        purged: vec![],
        register_head: None,
        set_aside: vec![],
    };
    assert_eq!(s.apply_pull(&page, T0).unwrap(), 3);
    let mine = s.evidence(&e.id).unwrap();
    assert_eq!((mine.notes.as_str(), mine.subject.as_str()), ("mine, not yet sent", "History"));
    assert_eq!(s.evidence(&other_note.to_string()).unwrap().notes, "from a colleague");
    assert_eq!(s.review(&other_review.to_string()).unwrap().school_name, "Heron Vale Academy");
    assert_eq!(s.pull_cursor().unwrap(), 3);
    // Re-applying the same page changes nothing.
    assert_eq!(s.apply_pull(&page, T0).unwrap(), 0);
    // The next local stamp sorts after what was pulled, even though the laptop clock is behind.
    s.update_evidence_field(&e.id, "notes", json!("edited"), T0 + 1).unwrap();
    assert!(s.pending_batch(100).unwrap().ops.last().unwrap().hlc > remote);
}

/// Estimates every area and writes every required section.
pub(super) fn complete_report(s: &mut Store, review_id: &str) {
    for area in qar_core::framework("2019").unwrap().areas {
        s.set_estimate(review_id, area.code, "effective", "Seen across the visit.", T0).unwrap();
    }
    let codes: Vec<String> = s.report_template(review_id).unwrap().sections.iter().filter(|x| x.required).map(|x| x.code.clone()).collect();
    for code in codes {
        s.save_report_section(review_id, &code, "Written with the school.", T0).unwrap();
    }
    assert!(s.submit_check(review_id).unwrap().is_empty());
}

/// What a pull brings once the hub's coordinator has adopted a review set up on this laptop.
pub(super) fn adopted_by_hub(s: &Store, review_id: &str) {
    s.conn.execute("UPDATE reviews SET hub_id = 'hub-riverside-fells' WHERE id = ?1", [review_id]).unwrap();
}

fn set_role(s: &Store, review_id: &str, role: &str) {
    s.conn.execute("UPDATE reviews SET my_role = ?1 WHERE id = ?2", [role, review_id]).unwrap();
}

#[test]
fn the_lifecycle_moves_only_along_allowed_edges() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    assert_eq!(r.state, "preparing", "a review set up on the laptop starts in preparation");
    let before = counts(&s);
    let e = s.transition_review(&r.id, "submitted", T0).unwrap_err();
    assert_eq!(e.code(), "invalid", "preparing → submitted is not an edge: {e}");
    assert_eq!(counts(&s), before);
    for (i, to) in ["in_visit", "estimates_agreed", "drafting"].into_iter().enumerate() {
        assert_eq!(s.transition_review(&r.id, to, T0 + i as u64).unwrap().state, to);
    }
    // Submitting needs every area estimated and every required section written.
    let e = s.transition_review(&r.id, "submitted", T0 + 5).unwrap_err();
    assert_eq!(e.code(), "incomplete");
    assert!(e.to_string().contains("the estimate for Leadership at all levels"), "{e}");
    complete_report(&mut s, &r.id);
    // Set up on this laptop, it is in no hub's queue: the laptop refuses as the server would.
    let before = counts(&s);
    let e = s.transition_review(&r.id, "submitted", T0 + 6).unwrap_err();
    assert!(matches!(e, ClientError::Denied { reason: qar_core::ErrorCode::NotAdopted, .. }), "{e:?}");
    assert!(e.to_string().contains("adopt"), "{e}");
    assert_eq!(counts(&s), before, "a refused submit writes nothing");
    adopted_by_hub(&s, &r.id);
    assert_eq!(s.transition_review(&r.id, "submitted", T0 + 6).unwrap().state, "submitted");
    // Approving is the coordinator's, and online only: refused here with the table's reason.
    let e = s.transition_review(&r.id, "approved", T0 + 9).unwrap_err();
    assert_eq!(e.code(), "forbidden");
    assert!(!e.to_string().is_empty());
    // Evidence is read-only once submitted.
    let e = s.add_evidence(&note(&r.id, "late"), T0 + 10).unwrap_err();
    assert!(matches!(e, ClientError::Denied { reason: qar_core::ErrorCode::EvidenceReadOnly, .. }), "{e:?}");
    assert_eq!(s.review(&r.id).unwrap().state, "submitted");
}

#[test]
fn roles_limit_what_a_laptop_may_write() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    s.transition_review(&r.id, "in_visit", T0).unwrap();
    let own = s.add_evidence(&note(&r.id, "mine"), T0).unwrap();

    set_role(&s, &r.id, "reviewer");
    let before = counts(&s);
    let e = s.set_estimate(&r.id, "leadership", "effective", "Clear vision shared by all staff.", T0).unwrap_err();
    assert!(matches!(e, ClientError::Denied { reason: qar_core::ErrorCode::NotYourRole, .. }), "{e:?}");
    s.update_evidence_field(&own.id, "notes", json!("a reviewer edits their own note"), T0).unwrap();

    set_role(&s, &r.id, "shadow");
    let after_edit = counts(&s);
    assert_eq!(s.add_evidence(&note(&r.id, "x"), T0).unwrap_err().code(), "forbidden");
    assert_eq!(counts(&s), after_edit, "refusals write nothing");
    assert_eq!(after_edit.2, before.2 + 1, "only the permitted edit reached the outbox");

    // Someone else's note cannot be changed, not even by the Lead Reviewer.
    set_role(&s, &r.id, "lead_reviewer");
    s.set_current_user("user-another-reviewer").unwrap();
    let e = s.update_evidence_field(&own.id, "notes", json!("not mine"), T0).unwrap_err();
    assert!(matches!(e, ClientError::Denied { reason: qar_core::ErrorCode::NotYourEvidence, .. }), "{e:?}");
}

#[test]
fn estimates_follow_the_reviews_framework() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    let e = s.set_estimate(&r.id, "leadership", "effective", "", T0).unwrap_err();
    assert_eq!(e.code(), "forbidden", "no estimates before the visit: {e}");
    s.transition_review(&r.id, "in_visit", T0).unwrap();
    let before = counts(&s);
    let e = s.set_estimate(&r.id, "leadership", "outstanding", "", T0).unwrap_err();
    assert_eq!(e.code(), "invalid");
    assert!(e.to_string().contains("Estimate 'outstanding' is not in framework 2019 area 'Leadership at all levels'"), "{e}");
    let e = s.set_estimate(&r.id, "safeguarding", "leading", "", T0).unwrap_err();
    assert!(e.to_string().contains("'safeguarding'"), "{e}");
    assert_eq!(counts(&s), before);

    let first = s.set_estimate(&r.id, "leadership", "effective", "Leaders at all levels share one plan.", T0).unwrap();
    let again = s.set_estimate(&r.id, "leadership", "leading", "Middle leaders drive improvement.", T0 + 1).unwrap();
    assert_eq!(first.id, again.id, "one record per area");
    assert_eq!(s.list_estimates(&r.id).unwrap().len(), 1);
    assert_eq!(again.value, "leading");
    let last = s.pending_batch(100).unwrap().ops.pop().unwrap();
    assert_eq!(last.entity, EntityKind::Estimate);
    assert!(last.fields["value"].base.is_some(), "the change is based on the first estimate");
}

#[test]
fn a_list_shows_every_note_and_a_text_search_the_best_hundred() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    for i in 0..150 {
        s.add_evidence(&note(&r.id, &format!("Observation {i} of reading fluency")), T0 + i).unwrap();
    }
    assert_eq!(s.list_evidence(&r.id).unwrap().len(), 150, "no note is hidden from the list");
    let q = EvidenceQuery { activity_type: Some("learning_walk".into()), ..Default::default() };
    assert_eq!(s.search_evidence(&r.id, &q).unwrap().len(), 150, "filters without words return all");
    let q = EvidenceQuery { text: "fluency".into(), ..Default::default() };
    assert_eq!(s.search_evidence(&r.id, &q).unwrap().len() as i64, super::SEARCH_LIMIT);
}

#[test]
fn a_bulk_pull_defers_indexing_and_search_stays_complete() {
    let (_d, mut s) = open();
    let review = uuid::Uuid::now_v7();
    let v = |i: u64| Hlc { wall_ms: T0 + i, counter: 0, node: 7 };
    let mut changes = vec![change(
        1,
        EntityKind::Review,
        review,
        review,
        &[("school_name", json!("Heron Vale Academy")), ("state", json!("in_visit"))],
        v(0),
    )];
    let notes: Vec<uuid::Uuid> = (0..100).map(|_| uuid::Uuid::now_v7()).collect();
    for (i, id) in notes.iter().enumerate() {
        let text = if i == 42 { "Oracy: pupils debated persuasively".to_string() } else { format!("Routine note {i}") };
        changes.push(change(
            i as u64 + 2,
            EntityKind::Evidence,
            *id,
            review,
            &[("notes", json!(text)), ("activity_type", json!("learning_walk"))],
            v(i as u64 + 1),
        ));
    }
    let page = PullResponse {
        changes,
        cursor: 101,
        has_more: false,
        server_time_ms: T0,
        access_revoked: vec![],
        compat: None,
        feed_epoch: None,
        purged: vec![],
        register_head: None,
        set_aside: vec![],
    };
    s.apply_pull(&page, T0).unwrap();
    assert_eq!(s.search_backlog().unwrap(), 100, "a bulk page is indexed later, not inside the pull");

    // A local edit of a waiting note leaves it waiting with its new text (and never 'deletes'
    // text that was never indexed, which would corrupt FTS5).
    s.conn.execute("UPDATE reviews SET my_role = 'lead_reviewer' WHERE id = ?1", [review.to_string()]).unwrap();
    s.update_evidence_field(&notes[7].to_string(), "notes", json!("Phonics: blending secure"), T0 + 500).unwrap();
    assert_eq!(s.search_backlog().unwrap(), 100, "the edited note waits with its new text");

    let find = |s: &Store, text: &str| {
        s.search_evidence(&review.to_string(), &EvidenceQuery { text: text.into(), ..Default::default() }).unwrap().len()
    };
    assert_eq!(find(&s, "debated"), 1, "a search catches the index up first");
    assert_eq!(s.search_backlog().unwrap(), 0);
    assert_eq!(find(&s, "blending"), 1);
    assert_eq!(find(&s, "Routine"), 98, "every other note is searchable (the edited one changed its text)");
    // A save of an indexed note takes its old text out of the index at once and queues the new
    // text for the background pass (decision 120); a search sees the new text, never the old.
    s.update_evidence_field(&notes[9].to_string(), "notes", json!("Reading: fluency improving"), T0 + 550).unwrap();
    assert_eq!(s.search_backlog().unwrap(), 1, "the save queued the new text instead of indexing it");
    assert_eq!(find(&s, "fluency"), 1);
    assert_eq!(find(&s, "Routine"), 97, "the old text left the index with the save");
    assert_eq!(s.search_backlog().unwrap(), 0);
    s.delete_evidence(&notes[42].to_string(), T0 + 600).unwrap();
    assert_eq!(find(&s, "debated"), 0, "a tombstone leaves the index");
    assert!(s.integrity_ok().unwrap());
}

#[test]
fn a_review_summary_says_since_when_it_is_in_its_state_and_who_leads_it() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    assert_eq!(r.state_since.as_deref(), Some("2026-11-18T11:06:40+00:00"), "the creation wrote the state");
    assert_eq!(r.lead_reviewer, None, "no team has synced yet");
    let later = T0 + 5 * 86_400_000; // the visit's first day
    let moved = s.transition_review(&r.id, "in_visit", later).unwrap();
    assert_eq!(moved.state_since.as_deref(), Some("2026-11-23T11:06:40+00:00"), "the last state change counts");
    s.conn
        .execute(
            "UPDATE reviews SET team = ?1 WHERE id = ?2",
            [r#"[{"user_id":"u2","name":"Owen Pritchard","role":"reviewer"},{"user_id":"u1","name":"Dr Anika Marsh","role":"lead_reviewer"}]"#, &r.id],
        )
        .unwrap();
    assert_eq!(s.review(&r.id).unwrap().lead_reviewer.as_deref(), Some("Dr Anika Marsh"));
}

#[test]
fn waiting_changes_are_counted_as_records_a_person_would_count() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    let e = s.add_evidence(&note(&r.id, "first words"), T0).unwrap();
    s.update_evidence_field(&e.id, "notes", json!("first words, more"), T0 + 1).unwrap();
    s.update_evidence_field(&e.id, "notes", json!("first words, more and more"), T0 + 2).unwrap();
    s.add_evidence(&note(&r.id, "second note"), T0 + 3).unwrap();
    assert_eq!(s.pending_count().unwrap(), 5, "five writes");
    let kinds: Vec<(String, u32)> = s.pending_records().unwrap().into_iter().map(|p| (p.kind, p.records)).collect();
    assert_eq!(kinds, [("evidence".to_owned(), 2), ("review".to_owned(), 1)], "two notes and one review");
}

/// The visit plan: the Lead Reviewer plans (only what changed is written), a reviewer reads it;
/// an end before the start is refused with nothing written.
#[test]
fn the_lead_reviewer_plans_the_visit_and_the_team_reads_it() {
    use crate::model::PlanActivityDraft;
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    let draft = PlanActivityDraft {
        starts_at: "2026-11-24T09:30".into(),
        ends_at: Some("2026-11-24T10:15".into()),
        activity_type: "joint_lesson_observation".into(),
        reviewer_ids: vec!["user-owen-pritchard".into()],
        host_colleague: "Deputy headteacher".into(),
        year_group: "Year 4".into(),
        subject: "mathematics".into(),
        focus: "Reasoning".into(),
    };
    let a = s.save_plan_activity(&r.id, None, &draft, T0).unwrap();
    assert_eq!((a.year_group.as_str(), a.subject.as_str()), ("Y4", "Maths"), "written the schema 3 way");
    let before = counts(&s);
    let moved = PlanActivityDraft { starts_at: "2026-11-24T11:00".into(), ends_at: None, ..draft.clone() };
    let a = s.save_plan_activity(&r.id, Some(&a.id), &moved, T0 + 1).unwrap();
    assert_eq!((a.starts_at.as_str(), a.ends_at.as_deref()), ("2026-11-24T11:00", None));
    let last = s.pending_batch(100).unwrap().ops.pop().unwrap();
    assert_eq!(last.fields.keys().collect::<Vec<_>>(), ["ends_at", "starts_at"], "only what changed is written");
    assert_eq!(counts(&s).2, before.2 + 1);

    let before = counts(&s);
    let late = PlanActivityDraft { ends_at: Some("2026-11-24T08:00".into()), ..draft.clone() };
    let e = s.save_plan_activity(&r.id, None, &late, T0 + 2).unwrap_err();
    assert_eq!(e.code(), "invalid", "{e}");
    assert_eq!(counts(&s), before, "a refused plan writes nothing");

    set_role(&s, &r.id, "reviewer");
    let e = s.save_plan_activity(&r.id, None, &draft, T0 + 3).unwrap_err();
    assert!(matches!(e, ClientError::Denied { reason: qar_core::ErrorCode::NotYourRole, .. }), "{e:?}");
    assert!(s.delete_plan_activity(&a.id, T0 + 3).is_err());
    assert_eq!(s.list_plan(&r.id).unwrap().len(), 1, "the team reads the plan");
    set_role(&s, &r.id, "lead_reviewer");
    s.delete_plan_activity(&a.id, T0 + 4).unwrap();
    assert!(s.list_plan(&r.id).unwrap().is_empty());
    assert_eq!(s.pending_records().unwrap().iter().find(|p| p.kind == "plan_activity").map(|p| p.records), Some(1));
}

/// Issue 19: a photo attached to a note is made safe, sealed and recorded with its upload entry
/// in one go; its caption is found by the evidence search; a refused file or a note the user
/// may not edit leaves nothing behind; a delete is a tombstone that takes the bytes away.
#[test]
fn a_photo_is_attached_whole_or_not_at_all_and_its_caption_is_searchable() {
    use crate::store::AttachChoice;
    use qar_core::attachment::AttachmentKind;
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    let n = s.add_evidence(&note(&r.id, "Calm corridors"), T0).unwrap();
    let photo = include_bytes!("../../../media/tests/fixtures/astronaut.jpg");
    let choice = AttachChoice { kind: AttachmentKind::Display, caption: " Working wall in Y6 ", full_size: false, blur_faces: true };
    let a = s.attach_file(&n.id, photo, "IMG_0042.JPG", &choice, T0 + 1).unwrap();
    assert_eq!((a.kind, a.caption.as_str(), a.mime.as_str()), (AttachmentKind::Display, "Working wall in Y6", "image/jpeg"));
    assert!(a.may_show_face && a.held_here && a.upload_pending, "{a:?}");
    let kept = s.attachment_bytes(&a.id).unwrap();
    assert_eq!(kept.len() as u64, a.size);
    assert_ne!(kept.as_slice(), photo.as_slice(), "re-encoded, never the original");
    let op = s.pending_batch(100).unwrap().ops.pop().unwrap();
    assert_eq!(op.entity, EntityKind::Attachment);
    assert_eq!(op.fields["sha256"].value, json!(a.sha256));

    let found = s.search_evidence(&r.id, &EvidenceQuery { text: "working WALL".into(), ..Default::default() }).unwrap();
    assert_eq!(found.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), [n.id.as_str()], "captions are searched");

    let before = counts(&s);
    let folder = s.attachment_folder();
    let files = || std::fs::read_dir(&folder).unwrap().count();
    let on_disk = files();
    let refused = s.attach_file(&n.id, b"GIF89a not really", "anim.gif", &choice, T0 + 2).unwrap_err();
    assert_eq!(refused.code(), qar_core::ErrorCode::InvalidFile, "{refused}");
    let long = "x".repeat(qar_core::attachment::MAX_CAPTION + 1);
    let too_long = AttachChoice { caption: &long, ..choice.clone() };
    assert_eq!(s.attach_file(&n.id, photo, "a.jpg", &too_long, T0 + 2).unwrap_err().code(), qar_core::ErrorCode::Invalid);
    assert_eq!((counts(&s), files()), (before, on_disk), "nothing half-saved");

    s.conn.execute("UPDATE evidence SET author_id = 'someone-else' WHERE id = ?1", [&n.id]).unwrap();
    set_role(&s, &r.id, "reviewer");
    let denied = s.attach_file(&n.id, photo, "a.jpg", &choice, T0 + 3).unwrap_err();
    assert!(matches!(denied, ClientError::Denied { .. }), "a reviewer does not attach to a teammate's note: {denied:?}");
    assert!(s.delete_attachment(&a.id, T0 + 3).is_err());
    set_role(&s, &r.id, "lead_reviewer");
    s.conn.execute("UPDATE evidence SET author_id = ?1 WHERE id = ?2", [&n.author_id, &n.id]).unwrap();

    s.delete_attachment(&a.id, T0 + 4).unwrap();
    assert!(s.list_attachments(&n.id).unwrap().is_empty());
    assert!(s.attachment_bytes(&a.id).is_err(), "the bytes leave with it");
    assert_eq!(files(), 0);
    let queued: i64 = s.conn.query_row("SELECT count(*) FROM attachment_uploads", [], |r| r.get(0)).unwrap();
    assert_eq!(queued, 0, "a removed photo is not uploaded");
}
