//! The server enforces roles and the workflow on sync, over HTTP on loopback: whole-push
//! refusal for strangers, per-op rejections that do not block, approval bound to the report's
//! hash, return comments, conflict records and tombstones.

use crate::common::*;
use qar_core::report_template::{content_hash, section_id};
use qar_core::{EntityKind, Hlc};
use qar_server::store::now_ms;
use serde_json::json;
use uuid::Uuid;

const NOTE_1: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0001_0001);

fn state(change: &qar_core::protocol::Change) -> &str {
    change.fields["state"].value.as_str().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_touching_a_review_you_are_not_on_is_refused_whole() {
    let env = Env::demo().await;
    let mut nadia = env.laptop(NADIA_NOBODY);
    let before = env.srv.store().dump().unwrap();
    let audit_before = env.srv.store().verify_audit().unwrap().entries;
    let own = Uuid::now_v7();
    let ops = [
        (EntityKind::Review, own, own, vec![("school_name", json!("Nadia's own review"), None)]),
        (EntityKind::Evidence, Uuid::now_v7(), KESTREL, vec![("notes", json!("Not my review"), None)]),
    ];
    let (status, body) = env.push(&mut nadia, &ops).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (403, Some("not_on_review")), "{body}");
    assert_eq!(body["details"], json!({"review_id": KESTREL, "seq": 2}));
    assert_eq!(env.srv.store().dump().unwrap(), before, "nothing written, not even the high-water mark");
    assert_eq!(env.srv.store().verify_audit().unwrap().entries, audit_before, "a refused push is not in the audit log");
    // Her own review alone goes through, from seq 1: she sets it up and leads it.
    let (status, body) = env.push(&mut nadia, &ops[..1]).await;
    assert_eq!((status.as_u16(), outcomes(&body)), (200, vec!["applied".to_owned()]));
    let mine = env.pull_all(&nadia).await;
    assert_eq!(mine.len(), 1, "she reads her own review only");
    assert_eq!(mine[&own].fields["team"].value, json!([{"user_id": NADIA_NOBODY, "name": "Nadia Nobody", "role": "lead_reviewer"}]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewers_estimate_is_rejected_and_later_ops_still_apply() {
    let env = Env::demo().await;
    let mut owen = env.laptop(OWEN);
    let note = Uuid::now_v7();
    let ops = [
        (
            EntityKind::Estimate,
            estimate_id(KESTREL, "leadership"),
            KESTREL,
            vec![("area_code", json!("leadership"), None), ("value", json!("leading"), None)],
        ),
        (EntityKind::Evidence, note, KESTREL, vec![("activity_type", json!("work_scrutiny"), None), ("notes", json!("Y6 books"), None)]),
        (EntityKind::Evidence, NOTE_1, KESTREL, vec![("notes", json!("Editing Anika's note"), None)]),
        (EntityKind::Review, KESTREL, KESTREL, vec![("team", json!([]), None)]),
        (EntityKind::Evidence, note, KESTREL, vec![("author_id", json!(ANIKA), None)]),
    ];
    let (status, body) = env.push(&mut owen, &ops).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    assert_eq!(body["acked_through"], 5);
    assert_eq!(
        outcomes(&body),
        ["not_your_role", "applied", "not_your_evidence", "server_field", "server_field"],
        "a note's author is fixed once it exists"
    );
    assert!(body["results"][0]["message"].as_str().unwrap().contains("Lead Reviewer"), "{body}");
    let seen = env.pull_all(&env.laptop(ANIKA)).await;
    assert_eq!(seen[&note].fields["author_id"].value, json!(OWEN), "the server wrote the author");
    assert!(!seen.contains_key(&estimate_id(KESTREL, "leadership")), "the refused estimate was not written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_is_bound_to_the_report_and_an_edit_after_it_needs_approval_again() {
    let env = Env::demo().await;
    let mut lr = env.laptop(ANIKA);
    let coordinator = env.laptop(HOLLIE);
    let section = section_id(HERON, "context");
    let mut base = Some(env.review(HERON).await.fields["state"].version);
    for to in ["in_visit", "estimates_agreed"] {
        env.push(&mut lr, &[(EntityKind::Review, HERON, HERON, vec![("state", json!(to), base)])]).await;
        base = Some(lr.clock.last());
    }
    let est = estimate_id(HERON, "leadership");
    let (_, body) = env
        .push(
            &mut lr,
            &[
                (
                    EntityKind::ReportSection,
                    section,
                    HERON,
                    vec![("section_code", json!("context"), None), ("body", json!("A larger than average secondary."), None)],
                ),
                (
                    EntityKind::Estimate,
                    est,
                    HERON,
                    vec![
                        ("area_code", json!("leadership"), None),
                        ("value", json!("effective"), None),
                        ("rationale", json!("Clear vision."), None),
                    ],
                ),
            ],
        )
        .await;
    assert_eq!(outcomes(&body), ["applied", "applied"]);
    base = Some(env.review(HERON).await.fields["state"].version);
    for to in ["drafting", "submitted"] {
        let (_, b) = env.push(&mut lr, &[(EntityKind::Review, HERON, HERON, vec![("state", json!(to), base)])]).await;
        assert_eq!(outcomes(&b), ["applied"], "{b}");
        base = Some(lr.clock.last());
    }
    let hash = content_hash(
        &[("context".into(), "A larger than average secondary.".into())],
        &[("leadership".into(), "effective".into(), "Clear vision.".into())],
    );

    let (status, body) = env.post(&format!("/v1/reviews/{HERON}/approve"), Some(&coordinator.token), json!({"report_hash": "stale"})).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (409, Some("report_changed")));
    assert_eq!(body["details"]["current_hash"], json!(hash));
    let (status, body) = env.post(&format!("/v1/reviews/{HERON}/approve"), Some(&coordinator.token), json!({"report_hash": hash})).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    assert_eq!(
        (body["fields"]["state"]["value"].clone(), body["fields"]["approved_hash"]["value"].clone()),
        (json!("approved"), json!(hash))
    );
    assert_eq!(body["fields"]["approved_by"]["value"], json!("Hollie Brennan"));
    let (status, again) = env.post(&format!("/v1/reviews/{HERON}/approve"), Some(&coordinator.token), json!({"report_hash": hash})).await;
    assert_eq!((status.as_u16(), &again["server_seq"]), (200, &body["server_seq"]), "approving again changes nothing");

    // The LR edits the approved report: back to submitted, the approval hash kept.
    let section_version = env.pull_all(&coordinator).await[&section].fields["body"].version;
    let (_, b) = env
        .push(
            &mut lr,
            &[(
                EntityKind::ReportSection,
                section,
                HERON,
                vec![("body", json!("A larger than average 11–18 school."), Some(section_version))],
            )],
        )
        .await;
    assert_eq!(outcomes(&b), ["applied"], "{b}");
    let review = env.review(HERON).await;
    assert_eq!(state(&review), "submitted");
    assert_eq!(review.fields["approved_hash"].value, json!(hash), "the hash of what was approved stays");
    let now = content_hash(
        &[("context".into(), "A larger than average 11–18 school.".into())],
        &[("leadership".into(), "effective".into(), "Clear vision.".into())],
    );
    assert_ne!(now, hash, "so every laptop sees 'changed since approval'");
    let (status, body) = env.post(&format!("/v1/reviews/{HERON}/approve"), Some(&coordinator.token), json!({"report_hash": hash})).await;
    assert_eq!((status.as_u16(), body["details"]["current_hash"].clone()), (409, json!(now)));
    // A laptop may not approve its own report by writing the fields.
    let (_, b) = env.push(&mut lr, &[(EntityKind::Review, HERON, HERON, vec![("approved_hash", json!(now), None)])]).await;
    assert_eq!(outcomes(&b), ["server_field"]);
    // Every push, the approval included, is in the audit chain, and the chain is whole.
    let verdict = env.srv.store().verify_audit().unwrap();
    assert_eq!(verdict.broken, None);
    assert!(verdict.entries >= 4, "pushes and the approval: {verdict:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn return_comments_reach_the_lead_reviewer_and_a_retry_changes_nothing() {
    let env = Env::demo().await;
    env.submit(LARKSPUR).await;
    let coordinator = env.laptop(HOLLIE);
    let path = format!("/v1/reviews/{LARKSPUR}/return");
    let token = Some(coordinator.token.as_str());
    let (c1, c2) = (Uuid::now_v7(), Uuid::now_v7());
    for (body, status, code) in [
        (json!({"comments": []}), 422, "invalid"),
        (json!({"comments": [{"id": c1, "target": "section:context", "text": "   "}]}), 422, "invalid"),
        (json!({"comments": [{"id": c1, "target": "chapter:one", "text": "Where?"}]}), 422, "invalid"),
        (json!({"comments": [{"id": "not-a-uuid", "target": "section:context", "text": "x"}]}), 422, "invalid_body"),
        (json!({"comment": "typo"}), 422, "invalid_body"),
    ] {
        let (s, b) = env.post(&path, token, body.clone()).await;
        assert_eq!((s.as_u16(), b["code"].as_str()), (status, Some(code)), "{body}: {b}");
    }
    let (s, b) = env.send(env.http.post(env.url(&path)).header("content-type", "application/json").body("{oops"), token).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (400, Some("malformed_json")));

    let comments = json!({"comments": [
        {"id": c1, "target": "section:context", "text": "Say more about the school's context."},
        {"id": c2, "target": "estimate:leadership", "text": "The rationale needs evidence."},
    ]});
    let (s, b) = env.post(&path, token, comments.clone()).await;
    assert_eq!((s.as_u16(), b["fields"]["state"]["value"].clone()), (200, json!("returned")), "{b}");
    let before = env.srv.store().dump().unwrap();
    let (s, _) = env.post(&path, token, comments).await;
    assert_eq!(s.as_u16(), 200);
    assert_eq!(env.srv.store().dump().unwrap(), before, "a retried return changes nothing");

    let mut lr = env.laptop(ANIKA);
    let seen = env.pull_all(&lr).await;
    let comment = &seen[&c1];
    assert_eq!((comment.entity, comment.review_id), (EntityKind::Comment, LARKSPUR));
    assert_eq!(comment.fields["text"].value, json!("Say more about the school's context."));
    assert_eq!(comment.fields["author_name"].value, json!("Hollie Brennan"));
    assert_eq!(comment.fields["resolved"].value, json!(false));
    assert_eq!(comment.fields["report_hash"].value, json!(content_hash(&[], &[])));
    assert_eq!(seen[&c2].fields["target"].value, json!("estimate:leadership"));
    // The LR marks one addressed; the text is the coordinator's.
    let version = comment.fields["resolved"].version;
    let (_, b) = env
        .push(
            &mut lr,
            &[
                (EntityKind::Comment, c1, LARKSPUR, vec![("resolved", json!(true), Some(version))]),
                (EntityKind::Comment, c2, LARKSPUR, vec![("text", json!("Rewritten"), None)]),
                (EntityKind::Comment, Uuid::now_v7(), LARKSPUR, vec![("resolved", json!(true), None)]),
            ],
        )
        .await;
    assert_eq!(outcomes(&b), ["applied", "server_field", "server_field"]);
    let mut owen = env.laptop(OWEN);
    let (_, b) = env.push(&mut owen, &[(EntityKind::Comment, c2, LARKSPUR, vec![("resolved", json!(true), None)])]).await;
    assert_eq!(outcomes(&b), ["not_your_role"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrent_edit_becomes_a_conflict_record_on_both_laptops() {
    let env = Env::demo().await;
    let (mut a, mut b) = (env.laptop(ANIKA), env.laptop(ANIKA));
    let base = env.pull_all(&a).await[&NOTE_1].fields["notes"].version;
    let (_, r) = env.push(&mut a, &[(EntityKind::Evidence, NOTE_1, KESTREL, vec![("notes", json!("A's wording"), Some(base))])]).await;
    assert_eq!(outcomes(&r), ["applied"]);
    let (_, r) = env.push(&mut b, &[(EntityKind::Evidence, NOTE_1, KESTREL, vec![("notes", json!("B's wording"), Some(base))])]).await;
    assert_eq!(outcomes(&r), ["conflict"]);
    // The same value written concurrently is no conflict.
    let strengths = [(EntityKind::Evidence, NOTE_1, KESTREL, vec![("strengths", json!("Precise support"), None)])];
    env.push(&mut a, &strengths).await;
    let (_, r) = env.push(&mut b, &strengths).await;
    assert_eq!(outcomes(&r), ["applied"]);

    let (on_a, on_b) = (env.pull_all(&a).await, env.pull_all(&b).await);
    for seen in [&on_a, &on_b] {
        let conflicts: Vec<_> = seen.values().filter(|c| c.entity == EntityKind::Conflict).collect();
        assert_eq!(conflicts.len(), 1, "one kept value, on both laptops");
        let f = &conflicts[0].fields;
        assert_eq!((f["record_id"].value.clone(), f["field"].value.clone()), (json!(NOTE_1), json!("notes")));
        assert_eq!(
            (f["value"].value.clone(), f["kind"].value.clone()),
            (json!("A's wording"), json!("concurrent")),
            "A's stamp is earlier: B's is current"
        );
        assert_eq!((f["author_id"].value.clone(), f["resolved"].value.clone()), (json!(ANIKA), json!(false)));
        assert_eq!(conflicts[0].review_id, KESTREL);
    }
    assert_eq!(on_a[&NOTE_1].fields["notes"].value, json!("B's wording"));
    let conflict = on_a.values().find(|c| c.entity == EntityKind::Conflict).unwrap().clone();
    // The coordinator reads neither team evidence nor its conflicts.
    let hub = env.pull_all(&env.laptop(HOLLIE)).await;
    assert!(hub.values().all(|c| !matches!(c.entity, EntityKind::Evidence | EntityKind::Conflict)));
    // A reviewer may not resolve a conflict on another's note; its author (the LR) may.
    let resolve =
        [(EntityKind::Conflict, conflict.id, KESTREL, vec![("resolved", json!(true), Some(conflict.fields["resolved"].version))])];
    let (_, r) = env.push(&mut env.laptop(OWEN), &resolve).await;
    assert_eq!(outcomes(&r), ["not_your_evidence"]);
    let (_, r) = env.push(&mut a, &resolve).await;
    assert_eq!(outcomes(&r), ["applied"]);
    let (_, r) = env.push(&mut a, &[(EntityKind::Conflict, conflict.id, KESTREL, vec![("value", json!("x"), None)])]).await;
    assert_eq!(outcomes(&r), ["server_field"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tombstones_take_older_edits_keep_newer_ones_as_conflicts_and_can_be_restored() {
    let env = Env::demo().await;
    let (mut a, mut b) = (env.laptop(OWEN), env.laptop(OWEN));
    let note = Uuid::now_v7();
    let t = qar_server::store::now_ms();
    let (node_a, node_b) = (a.clock.last().node, b.clock.last().node);
    let at = |node: u64, ms: u64| Hlc { wall_ms: ms, counter: 0, node };
    let create =
        (EntityKind::Evidence, note, KESTREL, vec![("activity_type", json!("learning_walk"), None), ("notes", json!("first"), None)]);
    env.push_stamped(&mut a, &[(create, at(node_a, t))]).await;
    let created = env.pull_all(&b).await[&note].fields["notes"].version;
    let delete = (EntityKind::Evidence, note, KESTREL, vec![("deleted", json!(true), None)]);
    let (_, r) = env.push_stamped(&mut a, &[(delete, at(node_a, t + 100))]).await;
    assert_eq!(outcomes(&r), ["applied"]);
    let deleted_at = at(node_a, t + 100);

    // B edited before the delete (older stamp): applied, and the note stays deleted.
    let older = (EntityKind::Evidence, note, KESTREL, vec![("notes", json!("edited before the delete"), Some(created))]);
    let (_, r) = env.push_stamped(&mut b, &[(older, at(node_b, t + 50))]).await;
    assert_eq!(outcomes(&r), ["applied"]);
    let seen = env.pull_all(&env.laptop(ANIKA)).await;
    assert_eq!(
        (seen[&note].fields["notes"].value.clone(), seen[&note].fields["deleted"].value.clone()),
        (json!("edited before the delete"), json!(true))
    );

    // B edits after the delete (newer stamp): not applied, kept as an after_delete conflict.
    let newer = (EntityKind::Evidence, note, KESTREL, vec![("notes", json!("edited after the delete"), Some(created))]);
    let (_, r) = env.push_stamped(&mut b, &[(newer, at(node_b, t + 200))]).await;
    assert_eq!(outcomes(&r), ["conflict"], "{r}");
    assert_eq!(r["results"][0]["fields"][0]["kept_as_current"], json!(false));
    let seen = env.pull_all(&env.laptop(ANIKA)).await;
    assert_eq!(seen[&note].fields["notes"].value, json!("edited before the delete"));
    let kept: Vec<_> = seen.values().filter(|c| c.entity == EntityKind::Conflict).collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        (kept[0].fields["kind"].value.clone(), kept[0].fields["value"].value.clone()),
        (json!("after_delete"), json!("edited after the delete"))
    );
    assert_eq!(kept[0].fields["winner_version"].value, json!(deleted_at.to_string()));

    // Restoring on the delete's version brings it back.
    let restore = (EntityKind::Evidence, note, KESTREL, vec![("deleted", json!(false), Some(deleted_at))]);
    let (_, r) = env.push_stamped(&mut a, &[(restore, at(node_a, t + 300))]).await;
    assert_eq!(outcomes(&r), ["applied"]);
    assert_eq!(env.pull_all(&env.laptop(ANIKA)).await[&note].fields["deleted"].value, json!(false));
}

/// A push applied whose answer was lost is sent again and answered `duplicate`; meanwhile the
/// laptop skipped the server's value of that field as pending. When the retried write is not
/// current (here a later one from another laptop won), the server announces the record again,
/// so the laptop's next pull brings the winner (decision 44); a retry that won moves nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_whose_write_lost_puts_its_record_back_in_the_feed() {
    let env = Env::demo().await;
    let (mut a, mut b) = (env.laptop(ANIKA), env.laptop(ANIKA));
    let base = env.pull_all(&a).await[&NOTE_1].fields["notes"].version;
    let first = |text: &'static str| [(EntityKind::Evidence, NOTE_1, KESTREL, vec![("notes", json!(text), Some(base))])];
    let a_stamp = a.clock.tick(now_ms());
    let (_, r) = env.push_stamped(&mut a, &[(first("A's wording")[0].clone(), a_stamp)]).await;
    assert_eq!(outcomes(&r), ["applied"], "applied, but say A never hears so");
    let b_stamp = b.clock.tick(now_ms() + 1_000);
    let (_, r) = env.push_stamped(&mut b, &[(first("B's wording")[0].clone(), b_stamp)]).await;
    assert_eq!(outcomes(&r), ["conflict"], "B's later stamp wins; A's value is kept");
    let cursor_of = |page: &serde_json::Value| page["cursor"].as_u64().unwrap();
    let (_, page) = env.get(&format!("/v1/sync/pull?cursor=0&limit=5000&device_id={}", a.device), Some(&a.token)).await;
    let after = cursor_of(&page);

    // A sends the same op again (same seq and stamp): a duplicate that re-announces NOTE_1.
    a.seq = 0;
    let (_, r) = env.push_stamped(&mut a, &[(first("A's wording")[0].clone(), a_stamp)]).await;
    assert_eq!(outcomes(&r), ["duplicate"]);
    let (_, page) = env.get(&format!("/v1/sync/pull?cursor={after}&device_id={}", a.device), Some(&a.token)).await;
    let changes = page["changes"].as_array().unwrap();
    let note = changes.iter().find(|c| c["id"] == json!(NOTE_1)).expect("the record is announced again");
    assert_eq!(note["fields"]["notes"]["value"], json!("B's wording"));

    // B retries its winning op: nothing to announce, the feed stays where it is.
    let after = cursor_of(&page);
    b.seq = 0;
    let (_, r) = env.push_stamped(&mut b, &[(first("B's wording")[0].clone(), b_stamp)]).await;
    assert_eq!(outcomes(&r), ["duplicate"]);
    let (_, page) = env.get(&format!("/v1/sync/pull?cursor={after}&device_id={}", b.device), Some(&b.token)).await;
    assert!(page["changes"].as_array().unwrap().iter().all(|c| c["id"] != json!(NOTE_1)), "{page}");
}

/// A "retry" is only a seq at or below the device's mark: the pusher chooses the record it names.
/// So re-announcing is refused for a record of another review than the op's, and for a review
/// the pusher may not read; a refused re-announce moves nothing in the feed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_made_up_retry_cannot_move_other_peoples_records() {
    let env = Env::demo().await;
    let store = env.srv.store();
    store.test_user("user-tess", "Tess Kestrel-only", &[]).unwrap();
    store.test_team_member(KESTREL, "user-tess", qar_core::entities::TeamRole::Reviewer, now_ms()).unwrap();
    let mut tess = env.laptop("user-tess");
    let own = Uuid::now_v7();
    let note =
        [(EntityKind::Evidence, own, KESTREL, vec![("activity_type", json!("learning_walk"), None), ("notes", json!("Calm"), None)])];
    let (_, r) = env.push(&mut tess, &note).await;
    assert_eq!(outcomes(&r), ["applied"]);
    let admin = env.laptop(ADMIN);
    let feed_end = |page: &serde_json::Value| page["cursor"].as_u64().unwrap();
    let (_, page) = env.get(&format!("/v1/sync/pull?cursor=0&limit=5000&device_id={}", admin.device), Some(&admin.token)).await;
    let after = feed_end(&page);

    // Seq 1 again, naming records Tess has no business with: a review she is not on, and a
    // Kestrel note given under another review's id.
    for (entity, id, review) in [(EntityKind::Review, HERON, HERON), (EntityKind::Evidence, NOTE_1, HERON)] {
        tess.seq = 0;
        let stamp = tess.clock.tick(now_ms());
        let (_, r) = env.push_stamped(&mut tess, &[((entity, id, review, vec![("notes", json!("x"), None)]), stamp)]).await;
        assert_eq!(outcomes(&r), ["duplicate"], "{r}");
    }
    let (_, page) = env.get(&format!("/v1/sync/pull?cursor={after}&device_id={}", admin.device), Some(&admin.token)).await;
    assert_eq!(page["changes"], json!([]), "nothing moved in the feed");
    assert_eq!(feed_end(&page), after);
}
