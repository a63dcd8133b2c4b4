//! The host school's context statement and proposed Area of Excellence (issue 22): written by
//! the school's headteacher before the visit ends, audited, and pulled read-only by the team's
//! laptops. Another school's head, the Lead Reviewer, the coordinator and a laptop's op are all
//! refused, and a refused write changes nothing.

use crate::common::*;
use qar_core::school_statement::{record_id, MAX_AOE_TITLE_CHARS};
use qar_core::EntityKind;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

const HERON_HEAD: &str = "user-helen-heron-head";
const KESTREL_HEAD: &str = "user-kit-kestrel-head";

fn path(review: Uuid) -> String {
    format!("/v1/reviews/{review}/school-statement")
}

fn refusal(s: StatusCode, b: &Value) -> (u16, String) {
    (s.as_u16(), b["code"].as_str().unwrap_or("").to_owned())
}

async fn with_heads() -> Env {
    let env = Env::demo().await;
    env.srv.store().test_school_head(HERON_HEAD, "Helen Heron", "990102").unwrap();
    env.srv.store().test_school_head(KESTREL_HEAD, "Kit Kestrel", "990101").unwrap();
    env
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_head_writes_the_statement_and_another_laptop_of_the_team_pulls_it() {
    let env = with_heads().await;
    let head = env.laptop(HERON_HEAD);
    let (s, b) = env.get(&path(HERON), Some(&head.token)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!((b["context_statement"].as_str(), b["open"].as_bool(), b["written_ms"].as_u64()), (Some(""), Some(true), Some(0)));

    let statement =
        "Heron Vale is a two-form entry primary on the edge of the estuary.\n\nA third of our pupils are eligible for free school meals.";
    let body = json!({"context_statement": format!("  {statement}  "), "aoe_title": "Oracy across the curriculum",
                      "aoe_summary": "Every class debates weekly; we would like the team to look at how talk builds writing."});
    let (s, b) = env.put(&path(HERON), Some(&head.token), body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["context_statement"], statement, "trimmed at the ends, line breaks kept");
    assert_eq!(b["written_by"], "Helen Heron");
    assert!(b["written_ms"].as_u64().unwrap() > 0);

    // The Lead Reviewer's laptop receives it through the ordinary pull, as a server-written record.
    let lr = env.laptop(ANIKA);
    let pulled = env.pull_all(&lr).await;
    let record = pulled.get(&record_id(HERON)).expect("the statement reaches the team's laptop");
    assert_eq!(record.entity, EntityKind::SchoolStatement);
    assert_eq!(record.review_id, HERON);
    assert_eq!(record.fields["context_statement"].value, statement);
    assert_eq!(record.fields["aoe_title"].value, "Oracy across the curriculum");
    // The shadow on the team reads it through the route too.
    let (s, b) = env.get(&path(HERON), Some(&env.laptop(SAM_SHADOW).token)).await;
    assert_eq!((s, b["open"].as_bool()), (StatusCode::OK, Some(false)), "{b}: only the head may change it");

    // One part changed: the others stay; the same words again write and audit nothing.
    let (s, b) = env.put(&path(HERON), Some(&head.token), json!({"aoe_title": "Oracy and writing"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!((b["aoe_title"].as_str(), b["context_statement"].as_str()), (Some("Oracy and writing"), Some(statement)));
    let (s, _) = env.put(&path(HERON), Some(&head.token), json!({"aoe_title": "Oracy and writing"})).await;
    assert_eq!(s, StatusCode::OK);
    let conn = store_sql(env.dir.path());
    let details: Vec<String> = conn
        .prepare("SELECT detail FROM audit_log WHERE kind = 'write_school_statement' AND subject = ?1 ORDER BY seq")
        .unwrap()
        .query_map([HERON.to_string()], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(details.len(), 2, "two saves that changed something: {details:?}");
    assert!(!details.iter().any(|d| d.contains("estuary")), "the audit keeps lengths, not the school's words: {details:?}");
    assert!(details[1].contains("\"aoe_title\":17"), "{details:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everyone_but_the_schools_own_head_is_refused_and_nothing_changes() {
    let env = with_heads().await;
    let head = env.laptop(HERON_HEAD);
    let (s, b) = env.put(&path(HERON), Some(&head.token), json!({"context_statement": "Our school."})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let before = env.get(&path(HERON), Some(&head.token)).await.1;
    let attempt = json!({"context_statement": "Written by someone else."});

    // Another school's head: refused on both routes of Heron Vale's review.
    let other = env.laptop(KESTREL_HEAD);
    let (s, b) = env.put(&path(HERON), Some(&other.token), attempt.clone()).await;
    assert_eq!(refusal(s, &b), (403, "not_your_role".into()), "{b}");
    let (s, b) = env.get(&path(HERON), Some(&other.token)).await;
    assert_eq!(refusal(s, &b), (403, "not_your_role".into()), "{b}");
    // The Lead Reviewer, the hub's coordinator and an administrator read it but may not write it.
    for who in [ANIKA, HOLLIE, ADMIN] {
        let token = env.laptop(who).token;
        let (s, b) = env.put(&path(HERON), Some(&token), attempt.clone()).await;
        assert_eq!(refusal(s, &b), (403, "not_your_role".into()), "{who}: {b}");
        assert!(b["message"].as_str().unwrap().contains("Only the headteacher of the school being reviewed"), "{b}");
    }
    // Someone with no part in the review reads nothing.
    let (s, b) = env.get(&path(HERON), Some(&env.laptop(NADIA_NOBODY).token)).await;
    assert_eq!(refusal(s, &b), (403, "not_your_role".into()), "{b}");
    // Unknown review, nothing to save, a part too long.
    let (s, b) = env.put(&path(Uuid::from_u128(77)), Some(&head.token), attempt.clone()).await;
    assert_eq!(refusal(s, &b), (404, "unknown_review".into()), "{b}");
    let (s, b) = env.put(&path(HERON), Some(&head.token), json!({})).await;
    assert_eq!(refusal(s, &b), (422, "invalid".into()), "{b}");
    let (s, b) = env.put(&path(HERON), Some(&head.token), json!({"aoe_title": "x".repeat(MAX_AOE_TITLE_CHARS + 1)})).await;
    assert_eq!(refusal(s, &b), (422, "invalid".into()), "{b}");

    // A laptop's op of the kind is refused, whoever pushes it.
    let mut lr = env.laptop(ANIKA);
    let op = (EntityKind::SchoolStatement, record_id(HERON), HERON, vec![("context_statement", json!("From a laptop"), None)]);
    let (s, b) = env.push(&mut lr, &[op]).await;
    assert_eq!((s, outcomes(&b)), (StatusCode::OK, vec!["server_field".to_owned()]), "{b}");

    // After the visit: the team has agreed its estimates and submitted; the head may not change it.
    env.submit(HERON).await;
    let (s, b) = env.put(&path(HERON), Some(&head.token), attempt.clone()).await;
    assert_eq!(refusal(s, &b), (403, "wrong_state".into()), "{b}");
    assert!(b["message"].as_str().unwrap().contains("only until the visit ends"), "{b}");
    let (s, after) = env.get(&path(HERON), Some(&head.token)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(after["context_statement"], before["context_statement"], "no refusal changed the statement");
    assert_eq!(after["written_ms"], before["written_ms"]);
    assert_eq!(after["open"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_head_leaves_the_statement_without_their_name() {
    let env = with_heads().await;
    let head = env.laptop(HERON_HEAD);
    let (s, b) = env.put(&path(HERON), Some(&head.token), json!({"context_statement": "Our school by the estuary."})).await;
    assert_eq!((s, b["written_by"].as_str()), (StatusCode::OK, Some("Helen Heron")), "{b}");
    let admin = qar_server::AuthDevice { user_id: ADMIN.into(), device_id: Uuid::now_v7(), roles: vec![qar_server::Role::Admin] };
    env.srv.store().deactivate_user(&admin, HERON_HEAD, "left the school", qar_server::store::now_ms()).unwrap();
    let (s, b) = env.post(&format!("/v1/users/{HERON_HEAD}/erase"), Some(&env.laptop(ADMIN).token), Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // The team's laptops receive the change; the school's words stay.
    let record = env.pull_all(&env.laptop(ANIKA)).await.remove(&record_id(HERON)).unwrap();
    assert_eq!(record.fields["written_by"].value, qar_server::store::erasure::FORMER_HEAD);
    assert_eq!(record.fields["context_statement"].value, "Our school by the estuary.");
}
