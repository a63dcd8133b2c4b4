//! The review desk's store behaviour: sign-in, sync badges, report, comments and conflicts.

use super::tests::{change, complete_report, new_review, note, open, T0};
use super::*;
use crate::model::{ConflictChoice, Session, SessionRole};
use crate::ClientError;
use qar_core::protocol::{PullResponse, PushResponse};
use qar_core::EntityKind;
use serde_json::json;

fn session(user: &str) -> Session {
    Session {
        user_id: user.into(),
        name: format!("Name of {user}"),
        email: format!("{user}@example.org"),
        server_url: "http://127.0.0.1:8787".into(),
        roles: vec![],
        device_name: "Test laptop".into(),
        signed_in_at: "2026-11-23T08:00:00Z".into(),
    }
}

fn page(changes: Vec<qar_core::protocol::Change>) -> PullResponse {
    let cursor = changes.iter().map(|c| c.server_seq).max().unwrap_or(0);
    PullResponse {
        changes,
        cursor,
        has_more: false,
        server_time_ms: T0,
        access_revoked: vec![],
        compat: None,
        feed_epoch: None,
        purged: vec![],
        register_head: None,
        set_aside: vec![],
    }
}

fn ack(s: &mut Store) {
    let through = s.pending_batch(10_000).unwrap().ops.last().map_or(0, |o| o.seq);
    s.record_push(
        &PushResponse {
            acked_through: through,
            results: vec![],
            server_time_ms: T0,
            pull: None,
            clock_ahead: None,
            compat: None,
            feed_epoch: None,
        },
        T0,
    )
    .unwrap();
}

const SERVER: Hlc = Hlc { wall_ms: T0 + 60_000, counter: 0, node: 7 };

#[test]
fn the_sync_badge_follows_a_reviews_changes_to_the_server() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    assert_eq!(s.review(&r.id).unwrap().sync_badge, "local", "made here, never acknowledged");
    ack(&mut s);
    assert_eq!(s.review(&r.id).unwrap().sync_badge, "acknowledged");
    s.add_evidence(&note(&r.id, "Y2 phonics"), T0 + 1).unwrap();
    assert_eq!(s.review(&r.id).unwrap().sync_badge, "queued");
    let last = s.pending_batch(10).unwrap().ops.last().unwrap().seq;
    s.set_in_flight(last);
    assert_eq!(s.review(&r.id).unwrap().sync_badge, "sent");
    ack(&mut s);
    s.set_in_flight(0);
    assert_eq!(s.list_reviews().unwrap()[0].sync_badge, "acknowledged");
}

#[test]
fn a_store_belongs_to_one_person_and_team_lists_set_their_role() {
    let (_d, mut s) = open();
    s.save_session(&session("user-anika"), "token-a").unwrap();
    let r = s.create_review(&new_review(), T0).unwrap();
    let rid: uuid::Uuid = r.id.parse().unwrap();
    assert_eq!(s.review(&r.id).unwrap().my_role.as_deref(), Some("lead_reviewer"), "who sets it up leads it");
    // The server's team list arrives: Anika is a reviewer on this one.
    let team = json!([{"user_id": "user-owen", "name": "Owen", "role": "lead_reviewer"},
                      {"user_id": "user-anika", "name": "Anika", "role": "reviewer"}]);
    s.apply_pull(&page(vec![change(1, EntityKind::Review, rid, rid, &[("team", team)], SERVER)]), T0).unwrap();
    assert_eq!(s.review(&r.id).unwrap().my_role.as_deref(), Some("reviewer"));
    let e = s.set_estimate(&r.id, "leadership", "effective", "", T0).unwrap_err();
    assert_eq!(e.code(), "forbidden", "a reviewer sets no estimates: {e}");
    let detail = s.review_detail(&r.id).unwrap();
    assert_eq!(detail.team.len(), 2);
    assert!(detail.allowed_actions.contains(&"create_evidence".to_owned()));
    assert!(!detail.allowed_actions.contains(&"set_estimate".to_owned()));
    assert_eq!(detail.visit_days, ["2026-11-23", "2026-11-24", "2026-11-25"]);
    // Someone else may not sign in over Anika's reviews; Anika again may.
    let other = s.save_session(&session("user-owen"), "token-o").unwrap_err();
    assert!(matches!(other, ClientError::OtherUser { .. }), "{other:?}");
    assert!(other.to_string().contains("Name of user-anika"), "{other}");
    s.save_session(&session("user-anika"), "token-a2").unwrap();
    assert_eq!(s.token().unwrap().as_deref(), Some("token-a2"));
}

#[test]
fn coordinators_act_by_hub_and_see_approve_and_return() {
    let (_d, mut s) = open();
    let mut coordinator = session("user-hollie");
    coordinator.roles = vec![SessionRole { role: "hub_coordinator".into(), hub_id: Some("hub-riverside-fells".into()) }];
    s.save_session(&coordinator, "t").unwrap();
    let rid = uuid::Uuid::now_v7();
    let fields = [
        ("school_name", json!("Heron Vale Academy")),
        ("school_urn", json!("990102")),
        ("start_date", json!("2027-01-19")),
        ("state", json!("submitted")),
        ("hub_id", json!("hub-riverside-fells")),
        ("team", json!([{"user_id": "user-anika", "name": "Anika", "role": "lead_reviewer"}])),
    ];
    s.apply_pull(&page(vec![change(1, EntityKind::Review, rid, rid, &fields, SERVER)]), T0).unwrap();
    let summary = s.review(&rid.to_string()).unwrap();
    assert_eq!(summary.my_role, None, "not on the team");
    let allowed = s.review_detail(&rid.to_string()).unwrap().allowed_actions;
    assert!(allowed.contains(&"approve".to_owned()) && allowed.contains(&"return".to_owned()), "{allowed:?}");
    assert!(!allowed.contains(&"read_team_evidence".to_owned()));
}

#[test]
fn the_report_is_drafted_by_section_and_edits_after_approval_need_reapproval() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    for to in ["in_visit", "estimates_agreed", "drafting"] {
        s.transition_review(&r.id, to, T0).unwrap();
    }
    let saved = s.save_report_section(&r.id, "context", "A larger than average primary serving two estates.", T0).unwrap();
    assert_eq!(saved.word_count, 8);
    assert_eq!(s.list_report_sections(&r.id).unwrap().len(), s.report_template(&r.id).unwrap().sections.len());
    assert_eq!(s.save_report_section(&r.id, "no_such_section", "x", T0).unwrap_err().code(), "not_found");
    let missing = s.submit_check(&r.id).unwrap();
    assert_eq!(missing.len(), 3 + 7, "three estimates and seven required sections besides context: {missing:?}");
    complete_report(&mut s, &r.id);
    super::tests::adopted_by_hub(&s, &r.id);
    s.transition_review(&r.id, "submitted", T0).unwrap();
    ack(&mut s);

    // The coordinator approves on the server: state and the approved hash arrive by pull.
    let rid: uuid::Uuid = r.id.parse().unwrap();
    let hash = s.report_hash(&r.id).unwrap();
    let approved = [("state", json!("approved")), ("approved_hash", json!(hash)), ("approved_by", json!("Hollie Brennan"))];
    s.apply_pull(&page(vec![change(1, EntityKind::Review, rid, rid, &approved, SERVER)]), T0).unwrap();
    let summary = s.review(&r.id).unwrap();
    assert_eq!((summary.state.as_str(), summary.changed_since_approval), ("approved", false));

    // The LR edits afterwards: the review goes back for approval, and says why.
    s.save_report_section(&r.id, "next_steps", "Support with the Y6 writing moderation.", T0 + 70_000).unwrap();
    let summary = s.review(&r.id).unwrap();
    assert_eq!(summary.state, "submitted");
    assert!(summary.changed_since_approval);
    let ops = s.pending_batch(10).unwrap().ops;
    assert_eq!(ops.iter().map(|o| o.entity).collect::<Vec<_>>(), [EntityKind::ReportSection], "the server moves the state");
    let e = s.save_report_section(&r.id, "context", "A second edit.", T0 + 80_000).unwrap_err();
    assert_eq!(e.code(), "forbidden", "submitted again: no more edits until it is returned");
}

/// The report's approval date is the server's wall time at the approval (`approved_at_ms`),
/// not the stamp of the approval's version, which a clock years ahead could move (issue 15).
/// Reviews approved by an older server, without it, fall back to the stamp.
#[test]
fn the_approval_date_is_the_servers_wall_time_with_the_stamp_as_fallback() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    ack(&mut s);
    let rid: uuid::Uuid = r.id.parse().unwrap();
    let ten_years_on = Hlc { wall_ms: T0 + 10 * 365 * 86_400_000, counter: 0, node: 7 };
    let older = [("state", json!("approved")), ("approved_hash", json!("abc")), ("approved_by", json!("Hollie Brennan"))];
    s.apply_pull(&page(vec![change(1, EntityKind::Review, rid, rid, &older, ten_years_on)]), T0).unwrap();
    assert_eq!(s.approval_ms(&r.id).unwrap(), Some(ten_years_on.wall_ms), "an older server: the stamp is all there is");
    let approved_at = [("approved_at_ms", json!(T0 + 5_000))];
    s.apply_pull(&page(vec![change(2, EntityKind::Review, rid, rid, &approved_at, Hlc { counter: 1, ..ten_years_on })]), T0).unwrap();
    assert_eq!(s.approval_ms(&r.id).unwrap(), Some(T0 + 5_000));
}

#[test]
fn return_comments_arrive_and_the_lead_reviewer_marks_them_addressed() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    for to in ["in_visit", "estimates_agreed", "drafting"] {
        s.transition_review(&r.id, to, T0).unwrap();
    }
    ack(&mut s);
    let rid: uuid::Uuid = r.id.parse().unwrap();
    let cid = uuid::Uuid::now_v7();
    let comment = [
        ("target", json!("section:leadership_ebi")),
        ("text", json!("Say which leaders the EBI is for.")),
        ("author_name", json!("Hollie Brennan")),
        ("created_ms", json!(T0 + 5_000)),
        ("resolved", json!(false)),
    ];
    let returned = [("state", json!("returned"))];
    s.apply_pull(
        &page(vec![change(1, EntityKind::Review, rid, rid, &returned, SERVER), change(2, EntityKind::Comment, cid, rid, &comment, SERVER)]),
        T0,
    )
    .unwrap();
    let summary = s.review(&r.id).unwrap();
    assert_eq!((summary.state.as_str(), summary.open_comments), ("returned", 1));
    let listed = s.list_comments(&r.id).unwrap();
    assert_eq!(listed[0].target, "section:leadership_ebi");
    assert_eq!(listed[0].author_name, "Hollie Brennan");
    let done = s.resolve_comment(&cid.to_string(), T0).unwrap();
    assert!(done.resolved);
    assert_eq!(s.review(&r.id).unwrap().open_comments, 0);
    let last = s.pending_batch(10).unwrap().ops.pop().unwrap();
    assert_eq!((last.entity, last.fields.keys().map(String::as_str).collect::<Vec<_>>()), (EntityKind::Comment, vec!["resolved"]));
}

#[test]
fn a_kept_conflict_is_listed_side_by_side_and_resolved_by_an_op() {
    let (_d, mut s) = open();
    s.save_session(&session("user-anika"), "t").unwrap();
    let r = s.create_review(&new_review(), T0).unwrap();
    let e = s.add_evidence(&note(&r.id, "Mine: calm start to the day."), T0).unwrap();
    ack(&mut s);
    let (rid, eid): (uuid::Uuid, uuid::Uuid) = (r.id.parse().unwrap(), e.id.parse().unwrap());
    let kid = uuid::Uuid::now_v7();
    let kept = [
        ("entity", json!("evidence")),
        ("record_id", json!(e.id)),
        ("field", json!("notes")),
        ("value", json!("Other laptop: calm start; two late arrivals.")),
        ("version", json!(SERVER.to_string())),
        ("winner_version", json!(SERVER.to_string())),
        ("author_id", json!("user-anika")),
        ("kind", json!("concurrent")),
        ("recorded_ms", json!(T0 + 1)),
        ("resolved", json!(false)),
    ];
    s.apply_pull(&page(vec![change(1, EntityKind::Conflict, kid, rid, &kept, SERVER)]), T0).unwrap();
    assert_eq!(s.open_conflict_count().unwrap(), 1);
    let c = &s.list_conflicts(Some(&r.id)).unwrap()[0];
    assert_eq!(c.field_label, "Notes");
    assert_eq!(c.record_label, "Learning walk, 2026-11-23 09:40");
    assert_eq!(c.current_value, json!("Mine: calm start to the day."));
    assert_eq!(c.other_value, json!("Other laptop: calm start; two late arrivals."));
    assert!(c.current_is_mine, "this laptop wrote the current value");
    assert_eq!(s.review(&r.id).unwrap().open_conflicts, 1);

    s.resolve_conflict(&kid.to_string(), ConflictChoice::Merged, Some(json!("Calm start; two late arrivals.")), T0 + 2).unwrap();
    assert!(s.list_conflicts(None).unwrap().is_empty());
    assert_eq!(s.evidence(&eid.to_string()).unwrap().notes, "Calm start; two late arrivals.");
    let ops = s.pending_batch(10).unwrap().ops;
    assert_eq!(ops.iter().map(|o| o.entity).collect::<Vec<_>>(), [EntityKind::Evidence, EntityKind::Conflict]);
    let e = s.resolve_conflict(&kid.to_string(), ConflictChoice::KeepCurrent, None, T0).unwrap_err();
    assert_eq!(e.code(), "not_found", "resolving twice is refused plainly");
    let e = s.resolve_conflict("x", ConflictChoice::Merged, None, T0).unwrap_err();
    assert_eq!(e.code(), "not_found");
}

#[test]
fn safe_to_wipe_only_when_the_server_holds_everything() {
    let (_d, mut s) = open();
    assert!(s.wipe_check().unwrap().safe, "nothing made here yet");
    let r = s.create_review(&new_review(), T0).unwrap();
    s.add_evidence(&note(&r.id, "Y1 phonics"), T0).unwrap();
    let check = s.wipe_check().unwrap();
    assert!(!check.safe);
    assert_eq!((check.unsent[0].school_name.as_str(), check.unsent[0].changes), ("Kestrel Brook Primary", 2));
    ack(&mut s);
    assert!(s.wipe_check().unwrap().safe);
    s.update_evidence_field(&s.list_evidence(&r.id).unwrap()[0].id, "notes", json!("Y1 phonics, edited"), T0).unwrap();
    assert!(!s.wipe_check().unwrap().safe, "one unsent edit is enough to say no");
}
