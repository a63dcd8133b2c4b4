//! The host school's factual-accuracy check (issue 22): the hub turns it on with a number of
//! days; after approval the school's headteacher comments on matters of fact in the report's
//! sections (never on estimates), the comments reach the Lead Reviewer's laptop as comment
//! records, and the first issue waits until the head finishes (the Lead Reviewer is mailed) or
//! the days pass. Every refusal is tested, and refusals change nothing.

use crate::common::*;
use qar_core::EntityKind;
use qar_server::store::demo::DEMO_HUB_ID;
use qar_server::store::mail_outbox::message_id;
use qar_server::store::{now_ms, StoreError};
use qar_server::{AuthDevice, Role};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

const HERON_HEAD: &str = "user-helen-heron-head";
const KESTREL_HEAD: &str = "user-kit-kestrel-head";
const DAY_MS: u64 = 86_400_000;

fn refusal(s: StatusCode, b: &Value) -> (u16, String) {
    (s.as_u16(), b["code"].as_str().unwrap_or("").to_owned())
}

fn hub() -> AuthDevice {
    AuthDevice { user_id: HOLLIE.into(), device_id: Uuid::now_v7(), roles: vec![Role::HubCoordinator { hub_id: DEMO_HUB_ID.into() }] }
}

fn comment_path() -> String {
    format!("/v1/reviews/{HERON}/accuracy-check/comments")
}

async fn set_window(env: &Env, token: &str, days: Value) -> (StatusCode, Value) {
    env.put(&format!("/v1/hubs/{DEMO_HUB_ID}/accuracy-window"), Some(token), json!({ "days": days })).await
}

fn audited(env: &Env, kind: &str) -> i64 {
    store_sql(env.dir.path()).query_row("SELECT count(*) FROM audit_log WHERE kind = ?1", [kind], |r| r.get(0)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_issue_waits_for_the_schools_check_until_the_head_finishes() {
    let env = Env::demo().await;
    let store = env.srv.store();
    store.test_school_head(HERON_HEAD, "Helen Heron", "990102").unwrap();
    store.test_school_head(KESTREL_HEAD, "Kit Kestrel", "990101").unwrap();
    let head = env.laptop(HERON_HEAD).token;
    let coordinator = env.laptop(HOLLIE).token;

    // The hub's setting: its coordinator or an administrator, 0..=30 whole days.
    for (token, days, expected) in [
        (env.laptop(OLGA_OTHER_HUB).token, json!(10), (403, "not_your_hub")),
        (env.laptop(ANIKA).token, json!(10), (403, "not_your_hub")),
        (head.clone(), json!(10), (403, "not_your_hub")),
        (coordinator.clone(), json!(31), (422, "invalid")),
        (coordinator.clone(), json!(2.5), (422, "invalid_body")),
    ] {
        let (s, b) = set_window(&env, &token, days.clone()).await;
        assert_eq!(refusal(s, &b), (expected.0, expected.1.to_owned()), "{days}: {b}");
    }
    let (s, b) = env.put("/v1/hubs/hub-nowhere/accuracy-window", Some(&env.laptop(ADMIN).token), json!({"days": 5})).await;
    assert_eq!(refusal(s, &b), (404, "unknown_hub".into()), "{b}");
    assert_eq!(audited(&env, "set_accuracy_window"), 0, "no refusal was audited");
    let (s, b) = set_window(&env, &coordinator, json!(10)).await;
    assert_eq!((s, b["accuracy_window_days"].as_u64()), (StatusCode::OK, Some(10)), "{b}");
    assert_eq!(audited(&env, "set_accuracy_window"), 1);

    // Before approval the school has nothing to check.
    let context = json!({"target": "section:context", "text": "We have 412 pupils on roll, not 380."});
    let (s, b) = env.post(&comment_path(), Some(&head), context.clone()).await;
    assert_eq!(refusal(s, &b), (409, "accuracy_check_closed".into()), "{b}");

    env.submit(HERON).await;
    let hash = qar_core::report_template::content_hash(&[], &[]);
    store.approve(HERON, &hash, &hub(), now_ms()).unwrap();
    // Issuing waits, and says until when.
    match store.issue_report(HERON, &hash, "", &hub(), now_ms()) {
        Err(StoreError::Refused { code, message, .. }) => {
            assert_eq!(code, qar_core::ErrorCode::AccuracyCheckOpen);
            assert!(message.contains("checking the report for factual accuracy until ") && message.contains("(UTC)"), "{message}");
        }
        other => panic!("issued during the school's check: {other:?}"),
    }

    // Who may comment, and on what.
    for (token, body, expected) in [
        (env.laptop(KESTREL_HEAD).token, context.clone(), (403, "not_your_role")),
        (env.laptop(ANIKA).token, context.clone(), (403, "not_your_role")),
        (coordinator.clone(), context.clone(), (403, "not_your_role")),
        (
            head.clone(),
            json!({"target": "estimate:leadership", "text": "We think this should be stronger."}),
            (422, "not_a_matter_of_fact"),
        ),
        (head.clone(), json!({"target": "report", "text": "Overall we disagree."}), (422, "not_a_matter_of_fact")),
        (head.clone(), json!({"target": "section:context", "text": "   "}), (422, "invalid")),
    ] {
        let (s, b) = env.post(&comment_path(), Some(&token), body.clone()).await;
        assert_eq!(refusal(s, &b), (expected.0, expected.1.to_owned()), "{body}: {b}");
    }
    let (s, b) = env.post(&comment_path(), Some(&head), context.clone()).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["window"]["status"], "open");
    let comments = b["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 1, "only the accepted comment was written: {b}");
    let comment_id: Uuid = serde_json::from_value(comments[0]["id"].clone()).unwrap();

    // It reaches the Lead Reviewer's laptop like a return comment.
    let pulled = env.pull_all(&env.laptop(ANIKA)).await;
    let record = pulled.get(&comment_id).expect("the head's comment is pulled by the team");
    assert_eq!(record.entity, EntityKind::Comment);
    assert_eq!(record.fields["target"].value, "section:context");
    assert_eq!(record.fields["text"].value, "We have 412 pupils on roll, not 380.");
    assert_eq!(record.fields["author_name"].value, "Helen Heron");
    assert_eq!(record.fields["resolved"].value, false);

    // Another school's head and someone with no part in the review see nothing of it.
    for token in [env.laptop(KESTREL_HEAD).token, env.laptop(NADIA_NOBODY).token] {
        let (s, b) = env.get(&format!("/v1/reviews/{HERON}/accuracy-check"), Some(&token)).await;
        assert_eq!(refusal(s, &b), (403, "not_your_role".into()), "{b}");
        let (s, b) = env.post(&format!("/v1/reviews/{HERON}/accuracy-check/finish"), Some(&token), json!({})).await;
        assert_eq!(refusal(s, &b), (403, "not_your_role".into()), "{b}");
    }
    let (s, b) = env.post(&format!("/v1/reviews/{HERON}/accuracy-check/finish"), Some(&coordinator), json!({})).await;
    assert_eq!(refusal(s, &b), (403, "not_your_role".into()), "{b}");

    // The head finishes: the Lead Reviewer is mailed (a count and a link), issuing goes ahead.
    let (s, b) = env.post(&format!("/v1/reviews/{HERON}/accuracy-check/finish"), Some(&head), json!({})).await;
    assert_eq!((s, &b["window"]["status"]), (StatusCode::OK, &json!("finished")), "{b}");
    let (s, again) = env.post(&format!("/v1/reviews/{HERON}/accuracy-check/finish"), Some(&head), json!({})).await;
    assert_eq!((s, &again["finished_ms"]), (StatusCode::OK, &b["finished_ms"]), "saying it twice changes nothing");
    let mail = store.outbox_mail(&message_id(&format!("accuracy_check_finished:{HERON}"), "anika.marsh@example.org")).unwrap();
    assert_eq!(mail.map(|m| m.template), Some("accuracy_check_finished".to_owned()));
    let (s, b) = env.post(&comment_path(), Some(&head), context.clone()).await;
    assert_eq!(refusal(s, &b), (409, "accuracy_check_closed".into()), "{b}");
    assert_eq!((audited(&env, "accuracy_comment"), audited(&env, "finish_accuracy_check")), (1, 1));
    store.issue_report(HERON, &hash, "", &hub(), now_ms()).unwrap();
    assert!(store.verify_audit().unwrap().broken.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_the_days_pass_the_report_is_issued_without_the_head() {
    let env = Env::demo().await;
    let store = env.srv.store();
    store.test_school_head(HERON_HEAD, "Helen Heron", "990102").unwrap();
    let head = env.laptop(HERON_HEAD).token;
    let (s, b) = set_window(&env, &env.laptop(ADMIN).token, json!(10)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    env.submit(HERON).await;
    let hash = qar_core::report_template::content_hash(&[], &[]);
    // Approved eleven days ago: the ten days have passed.
    store.approve(HERON, &hash, &hub(), now_ms() - 11 * DAY_MS).unwrap();
    let (s, b) = env.get(&format!("/v1/reviews/{HERON}/accuracy-check"), Some(&head)).await;
    assert_eq!((s, &b["window"]["status"]), (StatusCode::OK, &json!("closed")), "{b}");
    assert_eq!(b["sections"], json!([]), "the days have passed: the report is read once issued, as before");
    let (s, b) = env.post(&comment_path(), Some(&head), json!({"target": "section:context", "text": "Too late."})).await;
    assert_eq!(refusal(s, &b), (409, "accuracy_check_closed".into()), "{b}");
    let (s, b) = env.post(&format!("/v1/reviews/{HERON}/accuracy-check/finish"), Some(&head), json!({})).await;
    assert_eq!(refusal(s, &b), (409, "accuracy_check_closed".into()), "{b}");
    store.issue_report(HERON, &hash, "", &hub(), now_ms()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overlong_comment_and_the_hundred_and_first_are_refused() {
    let env = Env::demo().await;
    let store = env.srv.store();
    store.test_school_head(HERON_HEAD, "Helen Heron", "990102").unwrap();
    let head = env.laptop(HERON_HEAD).token;
    let (s, b) = set_window(&env, &env.laptop(HOLLIE).token, json!(10)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    env.submit(HERON).await;
    let hash = qar_core::report_template::content_hash(&[], &[]);
    store.approve(HERON, &hash, &hub(), now_ms()).unwrap();
    let long = "x".repeat(qar_core::accuracy_check::MAX_COMMENT_CHARS + 1);
    let (s, b) = env.post(&comment_path(), Some(&head), json!({"target": "section:context", "text": long})).await;
    assert_eq!(refusal(s, &b), (422, "invalid".into()), "{b}");
    for n in 0..qar_core::accuracy_check::MAX_COMMENTS {
        let (s, b) = env.post(&comment_path(), Some(&head), json!({"target": "section:context", "text": format!("Fact {n}.")})).await;
        assert_eq!(s, StatusCode::OK, "{n}: {b}");
    }
    let (s, b) = env.post(&comment_path(), Some(&head), json!({"target": "section:context", "text": "One more."})).await;
    assert_eq!(refusal(s, &b), (422, "invalid".into()), "{b}");
    assert!(b["message"].as_str().unwrap().contains("At most 100 comments"), "{b}");
    assert_eq!(audited(&env, "accuracy_comment"), 100, "the refusals were not audited");
}
