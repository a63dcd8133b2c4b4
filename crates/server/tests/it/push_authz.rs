//! Issue 15, items 3–6 and 12: the sync push is no side door around the rules. Each test is a
//! reproduction from the issue, against a real server on loopback with the demo data.

use crate::common::*;
use qar_core::report_template::content_hash;
use qar_core::EntityKind;
use qar_server::auth::crypto::totp_code;
use qar_server::store::demo::{DEMO_HUB_ID, DEMO_PASSWORD, DEMO_TOTP_SECRETS};
use qar_server::store::now_ms;
use qar_server::{AuthDevice, Role};
use serde_json::{json, Value};
use uuid::Uuid;

/// Anika's first demo note on Kestrel Brook (in visit).
const ANIKAS_NOTE: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0001_0001);

fn hollie() -> AuthDevice {
    AuthDevice { user_id: HOLLIE.into(), device_id: Uuid::now_v7(), roles: vec![Role::HubCoordinator { hub_id: DEMO_HUB_ID.into() }] }
}

fn field(change: &qar_core::protocol::Change, name: &str) -> Value {
    change.fields.get(name).map_or(Value::Null, |f| f.value.clone())
}

/// Every record except the sync ledger (a refused op is still acknowledged, so the device's
/// high-water mark moves on by design).
fn records(env: &Env) -> Vec<String> {
    env.srv.store().dump().unwrap().into_iter().filter(|l| !l.starts_with("device|")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_takes_over_another_persons_note_by_writing_its_author() {
    let env = Env::demo().await;
    let mut owen = env.laptop(OWEN);
    let before = env.review(KESTREL).await;
    let note_before = env.pull_all(&env.laptop(ADMIN)).await.remove(&ANIKAS_NOTE).unwrap();
    // The reproduction: author_id alone, then the rewrite and the delete it was meant to allow.
    let ops = [
        (EntityKind::Evidence, ANIKAS_NOTE, KESTREL, vec![("author_id", json!(OWEN), None)]),
        (EntityKind::Evidence, ANIKAS_NOTE, KESTREL, vec![("notes", json!("Rewritten by Owen"), None)]),
        (EntityKind::Evidence, ANIKAS_NOTE, KESTREL, vec![("deleted", json!(true), None)]),
        // Writing the current author again is no way round either: it is an edit of her note.
        (EntityKind::Evidence, ANIKAS_NOTE, KESTREL, vec![("author_id", json!(ANIKA), None)]),
    ];
    let (status, body) = env.push(&mut owen, &ops).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    assert_eq!(outcomes(&body), ["server_field", "not_your_evidence", "not_your_evidence", "not_your_evidence"]);
    assert!(body["results"][0]["message"].as_str().unwrap().contains("author is fixed"), "{body}");
    let note = env.pull_all(&env.laptop(ADMIN)).await.remove(&ANIKAS_NOTE).unwrap();
    assert_eq!(note.fields, note_before.fields, "the note is untouched");
    assert_eq!(field(&note, "author_id"), json!(ANIKA));
    assert_eq!(env.review(KESTREL).await.fields, before.fields);

    // Once the review is submitted (and so once it is issued) even the author's own
    // author-only op is an edit of frozen evidence.
    env.submit(KESTREL).await;
    let mut anika = env.laptop(ANIKA);
    let (_, body) = env.push(&mut anika, &[(EntityKind::Evidence, ANIKAS_NOTE, KESTREL, vec![("author_id", json!(ANIKA), None)])]).await;
    assert_eq!(outcomes(&body), ["evidence_read_only"]);
    let (_, body) = env.push(&mut owen, &[(EntityKind::Evidence, ANIKAS_NOTE, KESTREL, vec![("author_id", json!(OWEN), None)])]).await;
    assert_eq!(outcomes(&body), ["server_field"]);
    let hash = content_hash(&[], &[]);
    env.srv.store().approve(KESTREL, &hash, &hollie(), now_ms()).unwrap();
    env.srv.store().issue_report(KESTREL, &hash, "", &hollie(), now_ms()).unwrap();
    let (_, body) = env.push(&mut owen, &[(EntityKind::Evidence, ANIKAS_NOTE, KESTREL, vec![("author_id", json!(OWEN), None)])]).await;
    assert_eq!(outcomes(&body), ["server_field"]);
    let note = env.pull_all(&env.laptop(ADMIN)).await.remove(&ANIKAS_NOTE).unwrap();
    assert_eq!(field(&note, "author_id"), json!(ANIKA));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pushed_review_is_a_proposal_in_no_hub_until_its_hub_adopts_it() {
    let env = Env::demo().await;
    let mut owen = env.laptop(OWEN);
    let hub = env.laptop(HOLLIE);
    // The reproduction: a plain reviewer invents a review of a hub's school and drives it to
    // submitted in one push.
    let invented = Uuid::now_v7();
    let mut ops = vec![(
        EntityKind::Review,
        invented,
        invented,
        vec![
            ("school_name", json!("Kestrel Brook Primary School"), None),
            ("school_urn", json!("990101"), None),
            ("state", json!("preparing"), None),
        ],
    )];
    for to in ["in_visit", "estimates_agreed", "drafting", "submitted"] {
        ops.push((EntityKind::Review, invented, invented, vec![("state", json!(to), None)]));
    }
    let stamped: Vec<_> = ops.iter().map(|o| (o.clone(), owen.clock.tick(now_ms()))).collect();
    let stamps: Vec<_> = stamped.iter().map(|(_, h)| *h).collect();
    // Each state write is based on the one before it.
    let stamped: Vec<_> = stamped
        .into_iter()
        .enumerate()
        .map(|(i, ((e, id, r, mut f), h))| {
            if i > 0 {
                f[0].2 = Some(stamps[i - 1]);
            }
            ((e, id, r, f), h)
        })
        .collect();
    let (status, body) = env.push_stamped(&mut owen, &stamped).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    assert_eq!(outcomes(&body), ["applied", "applied", "applied", "applied", "not_adopted"]);
    assert!(body["results"][4]["message"].as_str().unwrap().contains("adopt"), "{body}");
    let mine = env.review(invented).await;
    assert_eq!(field(&mine, "hub_id"), Value::Null, "a proposal is in no hub, whatever its URN");
    assert_eq!(field(&mine, "team"), json!([{"user_id": OWEN, "name": "Owen Pritchard", "role": "lead_reviewer"}]));
    assert_eq!(field(&mine, "state"), json!("drafting"));
    assert!(!env.pull_all(&hub).await.contains_key(&invented), "not in the hub coordinator's queue");
    let hash = content_hash(&[], &[]);
    let (s, b) = env.post(&format!("/v1/reviews/{invented}/approve"), Some(&hub.token), json!({"report_hash": hash})).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (403, Some("other_hub")), "{b}");

    // A coordinator of another hub sets one up too: she leads a proposal, inside nobody's hub.
    let mut olga = env.laptop(OLGA_OTHER_HUB);
    let hers = Uuid::now_v7();
    let (_, body) = env
        .push(
            &mut olga,
            &[(
                EntityKind::Review,
                hers,
                hers,
                vec![("school_name", json!("Heron Vale Academy"), None), ("school_urn", json!("990102"), None)],
            )],
        )
        .await;
    assert_eq!(outcomes(&body), ["applied"]);
    assert_eq!(field(&env.review(hers).await, "hub_id"), Value::Null);
    // A new review starts in preparation: a laptop cannot schedule, nor start further on.
    for state in ["scheduled", "in_visit", "submitted", "approved"] {
        let id = Uuid::now_v7();
        let (_, body) = env
            .push(
                &mut owen,
                &[(EntityKind::Review, id, id, vec![("school_name", json!("X Primary"), None), ("state", json!(state), None)])],
            )
            .await;
        let want = if state == "approved" { "server_decides" } else { "wrong_state" };
        assert_eq!(outcomes(&body), [want], "{state}: {body}");
    }

    // The hub's overview lists it as a proposal for its coordinator to adopt.
    let (s, overview) = env.get(&format!("/v1/hubs/{DEMO_HUB_ID}/overview"), Some(&hub.token)).await;
    assert_eq!(s.as_u16(), 200, "{overview}");
    let proposed: Vec<&str> = overview["proposals"].as_array().unwrap().iter().map(|r| r["review_id"].as_str().unwrap()).collect();
    assert!(proposed.contains(&invented.to_string().as_str()) && proposed.contains(&hers.to_string().as_str()), "{overview}");
    assert_eq!(overview["reviews"].as_array().unwrap().len(), 3, "not among the hub's reviews");

    // Adoption: only the coordinator of the school's hub (or an administrator); a refusal writes nothing.
    let before = env.srv.store().dump().unwrap();
    let (s, b) = env.post(&format!("/v1/reviews/{invented}/adopt"), Some(&olga.token), Value::Null).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (403, Some("not_your_hub")), "{b}");
    let (s, b) = env.post(&format!("/v1/reviews/{invented}/adopt"), Some(&owen.token), Value::Null).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (403, Some("not_your_role")), "{b}");
    assert_eq!(env.srv.store().dump().unwrap(), before, "refused adoptions change nothing");
    let audit_before = env.srv.store().verify_audit().unwrap().entries;
    let (s, b) = env.post(&format!("/v1/reviews/{invented}/adopt"), Some(&hub.token), Value::Null).await;
    assert_eq!(s.as_u16(), 200, "{b}");
    assert_eq!(b["fields"]["hub_id"]["value"], json!(DEMO_HUB_ID));
    assert_eq!(env.srv.store().verify_audit().unwrap().entries, audit_before + 1, "adoption is audited");
    let (s, b) = env.post(&format!("/v1/reviews/{invented}/adopt"), Some(&hub.token), Value::Null).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (409, Some("already_in_hub")), "{b}");
    assert!(env.pull_all(&hub).await.contains_key(&invented), "now in the hub's queue");
    let (_, overview) = env.get(&format!("/v1/hubs/{DEMO_HUB_ID}/overview"), Some(&hub.token)).await;
    assert_eq!((overview["reviews"].as_array().unwrap().len(), overview["proposals"].as_array().unwrap().len()), (4, 1), "{overview}");

    // Adopted, it is scheduled work: the school is fixed, and the lead may now submit.
    let current = env.review(invented).await;
    let urn_base = Some(current.fields["school_urn"].version);
    let ops = [
        (EntityKind::Review, invented, invented, vec![("school_urn", json!("990103"), urn_base)]),
        (
            EntityKind::Review,
            invented,
            invented,
            vec![("school_name", json!("Somewhere Else"), Some(current.fields["school_name"].version))],
        ),
        (EntityKind::Review, invented, invented, vec![("state", json!("submitted"), Some(current.fields["state"].version))]),
    ];
    let (_, body) = env.push(&mut owen, &ops).await;
    assert_eq!(outcomes(&body), ["scheduled_field", "scheduled_field", "applied"]);
    let after = env.review(invented).await;
    assert_eq!((field(&after, "school_urn"), field(&after, "hub_id")), (json!("990101"), json!(DEMO_HUB_ID)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_reviews_school_cannot_be_rewritten_or_moved_to_another_hub_by_push() {
    let env = Env::demo().await;
    let mut anika = env.laptop(ANIKA);
    let before = env.review(LARKSPUR).await;
    let ops = [
        (EntityKind::Review, LARKSPUR, LARKSPUR, vec![("school_urn", json!("990101"), Some(before.fields["school_urn"].version))]),
        (
            EntityKind::Review,
            LARKSPUR,
            LARKSPUR,
            vec![("school_name", json!("Renamed Primary"), Some(before.fields["school_name"].version))],
        ),
        (EntityKind::Review, LARKSPUR, LARKSPUR, vec![("start_date", json!("2027-06-01"), Some(before.fields["start_date"].version))]),
        // The same value again changes nothing and is no refusal.
        (EntityKind::Review, LARKSPUR, LARKSPUR, vec![("school_urn", json!("990103"), Some(before.fields["school_urn"].version))]),
    ];
    let before_records = records(&env);
    let (_, body) = env.push(&mut anika, &ops[..3]).await;
    assert_eq!(outcomes(&body), ["scheduled_field", "scheduled_field", "scheduled_field"]);
    assert!(body["results"][0]["message"].as_str().unwrap().contains("hub coordinator"), "{body}");
    assert_eq!(records(&env), before_records);
    let (_, body) = env.push(&mut anika, &ops[3..]).await;
    assert_eq!(outcomes(&body), ["applied"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_decided_states_are_refused_by_push_for_everyone() {
    let env = Env::demo().await;
    env.submit(HERON).await;
    let current = env.review(HERON).await;
    let base = Some(current.fields["state"].version);
    for who in [HOLLIE, ANIKA, ADMIN] {
        let mut laptop = env.laptop(who);
        let before = records(&env);
        let states = ["approved", "issued", "returned", "archived", "cancelled"];
        let ops: Vec<_> = states.iter().map(|s| (EntityKind::Review, HERON, HERON, vec![("state", json!(s), base)])).collect();
        let (status, body) = env.push(&mut laptop, &ops).await;
        assert_eq!(status.as_u16(), 200, "{who}: {body}");
        assert_eq!(outcomes(&body), vec!["server_decides"; 5], "{who}: {body}");
        let messages: Vec<&str> = body["results"].as_array().unwrap().iter().map(|r| r["message"].as_str().unwrap()).collect();
        assert!(messages[0].contains("Approve button") && messages[2].contains("Return to the Lead Reviewer"), "{messages:?}");
        assert!(messages[1].contains("Issue to school"), "{messages:?}");
        assert_eq!(records(&env), before, "{who}: nothing changed");
    }
    // Writing the state it already has is still a write: the Lead Reviewer's alone.
    for (who, want) in [(OWEN, "not_your_role"), (HOLLIE, "not_your_role"), (SAM_SHADOW, "not_your_role"), (ANIKA, "applied")] {
        let (_, body) =
            env.push(&mut env.laptop(who), &[(EntityKind::Review, HERON, HERON, vec![("state", json!("submitted"), base)])]).await;
        assert_eq!(outcomes(&body), [want], "{who}: {body}");
    }
    let (s, versions) = env.get(&format!("/v1/reviews/{HERON}/versions"), Some(&env.laptop(HOLLIE).token)).await;
    assert_eq!((s.as_u16(), versions), (200, json!([])));
    assert_eq!(field(&env.review(HERON).await, "state"), json!("submitted"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_of_approve_return_and_issue_tell_nothing_to_someone_who_could_not_have_made_them() {
    let env = Env::demo().await;
    env.submit(HERON).await;
    env.submit(LARKSPUR).await;
    let hash = content_hash(&[], &[]);
    env.srv.store().approve(HERON, &hash, &hollie(), now_ms()).unwrap();
    let comment = Uuid::now_v7();
    let comments = json!({"comments": [{"id": comment, "target": "section:context", "text": "Say more about the context."}]});
    let store_comments =
        [qar_server::store::NewComment { id: comment, target: "section:context".into(), text: "Say more about the context.".into() }];
    env.srv.store().return_report(LARKSPUR, &store_comments, &hollie(), now_ms()).unwrap();
    for (who, code) in [
        (OWEN, "not_your_role"),
        (ANIKA, "not_your_role"),
        (NADIA_NOBODY, "not_your_role"),
        (OLGA_OTHER_HUB, "other_hub"),
        (ADMIN, "not_your_role"),
    ] {
        let token = env.laptop(who).token;
        let (s, b) = env.post(&format!("/v1/reviews/{HERON}/approve"), Some(&token), json!({"report_hash": hash})).await;
        assert_eq!((s.as_u16(), b["code"].as_str()), (403, Some(code)), "approve retry by {who}: {b}");
        let (s, b) = env.post(&format!("/v1/reviews/{LARKSPUR}/return"), Some(&token), comments.clone()).await;
        assert_eq!((s.as_u16(), b["code"].as_str()), (403, Some(code)), "return retry by {who}: {b}");
    }
    // The coordinator's own retries still answer the record.
    let token = env.laptop(HOLLIE).token;
    let (s, b) = env.post(&format!("/v1/reviews/{HERON}/approve"), Some(&token), json!({"report_hash": hash})).await;
    assert_eq!((s.as_u16(), b["fields"]["state"]["value"].as_str()), (200, Some("approved")), "{b}");
    let (s, b) = env.post(&format!("/v1/reviews/{LARKSPUR}/return"), Some(&token), comments).await;
    assert_eq!((s.as_u16(), b["fields"]["state"]["value"].as_str()), (200, Some("returned")), "{b}");
    // Issue: an administrator may issue, so a reviewer's retry is what must say nothing.
    let (s, _) = env.post(&format!("/v1/reviews/{HERON}/issue"), Some(&token), json!({"report_hash": hash})).await;
    assert_eq!(s.as_u16(), 200);
    for (who, code) in [(OWEN, "not_your_role"), (ANIKA, "not_your_role"), (OLGA_OTHER_HUB, "other_hub")] {
        let (s, b) = env.post(&format!("/v1/reviews/{HERON}/issue"), Some(&env.laptop(who).token), json!({"report_hash": hash})).await;
        assert_eq!((s.as_u16(), b["code"].as_str()), (403, Some(code)), "issue retry by {who}: {b}");
    }
    let (s, _) = env.post(&format!("/v1/reviews/{HERON}/issue"), Some(&token), json!({"report_hash": hash})).await;
    assert_eq!(s.as_u16(), 200, "the coordinator's retry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_reviewer_cannot_hand_over_the_lead_or_add_people_through_the_team_endpoint() {
    let env = Env::demo().await;
    let anika = env.laptop(ANIKA);
    let env = &env;
    let put = |token: String, team: Value| async move {
        let req = env.http.put(env.url(&format!("/v1/reviews/{LARKSPUR}/team"))).json(&team);
        env.send(req, Some(&token)).await
    };
    let (s, b) = put(anika.token.clone(), json!({"lead_reviewer_id": OWEN, "reviewers": [ANIKA], "shadows": [SAM_SHADOW]})).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (403, Some("lead_stays")), "{b}");
    let (s, b) = put(anika.token.clone(), json!({"lead_reviewer_id": OWEN, "reviewers": [], "shadows": []})).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (403, Some("lead_stays")), "{b}");
    let (s, b) =
        put(anika.token.clone(), json!({"lead_reviewer_id": ANIKA, "reviewers": [OWEN, NADIA_NOBODY], "shadows": [SAM_SHADOW]})).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (403, Some("coordinator_adds")), "{b}");
    assert_eq!(env.review(LARKSPUR).await.fields["team"].value.as_array().unwrap().len(), 3, "team unchanged");
    // What a lead may do: take someone off, change a place.
    let (s, b) = put(anika.token.clone(), json!({"lead_reviewer_id": ANIKA, "reviewers": [], "shadows": [OWEN]})).await;
    assert_eq!(s.as_u16(), 200, "{b}");
    assert_eq!(b["removed"], json!([SAM_SHADOW]));
    // The coordinator adds people and hands the lead over.
    let (s, b) = put(env.laptop(HOLLIE).token, json!({"lead_reviewer_id": OWEN, "reviewers": [ANIKA, NADIA_NOBODY]})).await;
    assert_eq!(s.as_u16(), 200, "{b}");
}

async fn sign_in(env: &Env, email: &str, device: Uuid, at_ms: u64) -> (reqwest::StatusCode, Value) {
    let secret = DEMO_TOTP_SECRETS.iter().find(|(e, _)| *e == email).unwrap().1;
    let body = json!({"email": email, "password": DEMO_PASSWORD, "totp_code": totp_code(secret, at_ms).unwrap(), "device_id": device, "device_name": "Shared laptop"});
    env.post("/v1/auth/login", None, body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_id_stays_its_owners_so_his_unsent_work_is_never_a_duplicate() {
    let env = Env::demo().await;
    let device = Uuid::now_v7();
    let now = now_ms();
    // Owen signs in on his laptop and signs out, with a note still unsent (seq 1).
    let (s, grant) = sign_in(&env, "owen.pritchard@example.org", device, now).await;
    assert_eq!(s.as_u16(), 200, "{grant}");
    let (s, _) = env.post("/v1/auth/logout", grant["token"].as_str(), Value::Null).await;
    assert_eq!(s.as_u16(), 200);
    // Someone else signs in with that device id: refused, so they cannot push seqs 1..50 on it.
    let (s, b) = sign_in(&env, "anika.marsh@example.org", device, now).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (409, Some("device_in_use")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("administrator"), "{b}");
    // Owen signs in again (next TOTP step) and his note with seq 1 is applied, not a duplicate.
    let (s, grant) = sign_in(&env, "owen.pritchard@example.org", device, now + 30_000).await;
    assert_eq!(s.as_u16(), 200, "{grant}");
    let mut owen = Laptop {
        user_id: OWEN.into(),
        device,
        token: grant["token"].as_str().unwrap().into(),
        seq: 0,
        clock: qar_core::HlcClock::new(qar_core::Hlc::node_of(&device)),
    };
    let note = Uuid::now_v7();
    let (s, b) = env
        .push(
            &mut owen,
            &[(
                EntityKind::Evidence,
                note,
                KESTREL,
                vec![("activity_type", json!("learning_walk"), None), ("notes", json!("Unsent before sign-out"), None)],
            )],
        )
        .await;
    assert_eq!((s.as_u16(), outcomes(&b)), (200, vec!["applied".to_owned()]), "{b}");
    assert!(env.pull_all(&env.laptop(ANIKA)).await.contains_key(&note));

    // Only an administrator releases a device id, and only once it is signed out.
    let admin = env.laptop(ADMIN);
    let audit_before = env.srv.store().verify_audit().unwrap().entries;
    let (s, b) = env.post(&format!("/v1/devices/{device}/release"), Some(&owen.token), Value::Null).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (403, Some("forbidden")), "{b}");
    let (s, b) = env.post(&format!("/v1/devices/{device}/release"), Some(&admin.token), Value::Null).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (422, Some("device_active")), "{b}");
    assert_eq!(env.srv.store().verify_audit().unwrap().entries, audit_before, "refused releases write no audit entry");
    env.post("/v1/auth/logout", Some(&owen.token), Value::Null).await;
    let (s, b) = env.post(&format!("/v1/devices/{device}/release"), Some(&admin.token), Value::Null).await;
    assert_eq!(s.as_u16(), 200, "{b}");
    let (s, b) = sign_in(&env, "anika.marsh@example.org", device, now + 30_000).await;
    assert_eq!(s.as_u16(), 200, "after the release: {b}");
}
