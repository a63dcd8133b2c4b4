//! The factual-accuracy check in the browser (issue 22, decision 95): the head reads the approved
//! report's sections, comments on a fact under one of them, and says they have finished, through
//! the same store functions as the JSON routes. Refused: a form without its token, another
//! school's head, a comment that is not about a section, and anything once finished.

use crate::common::*;
use crate::web_support::{csrf_field, get, post};
use qar_core::report_template::{content_hash, section_id};
use qar_core::EntityKind;
use qar_server::store::demo::DEMO_HUB_ID;
use qar_server::store::now_ms;
use qar_server::{AuthDevice, Role};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

const HERON_HEAD: &str = "user-helen-heron-head";
const KESTREL_HEAD: &str = "user-kit-kestrel-head";
const CONTEXT: &str = "Heron Vale Academy has 380 pupils on roll.";

/// Heron Vale's report, with a context section, written, submitted and approved, in a hub that
/// gives its schools ten days to check.
async fn approved_with_a_check(env: &Env) {
    let (s, b) = env.put(&format!("/v1/hubs/{DEMO_HUB_ID}/accuracy-window"), Some(&env.laptop(HOLLIE).token), json!({"days": 10})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let mut lr = env.laptop(ANIKA);
    let mut base = Some(env.review(HERON).await.fields["state"].version);
    for to in ["in_visit", "estimates_agreed", "drafting"] {
        let (s, b) = env.push(&mut lr, &[(EntityKind::Review, HERON, HERON, vec![("state", json!(to), base)])]).await;
        assert_eq!((s, outcomes(&b)), (StatusCode::OK, vec!["applied".to_owned()]), "{b}");
        base = Some(lr.clock.last());
    }
    let section = (
        EntityKind::ReportSection,
        section_id(HERON, "context"),
        HERON,
        vec![("section_code", json!("context"), None), ("body", json!(CONTEXT), None)],
    );
    let (s, b) = env.push(&mut lr, &[section]).await;
    assert_eq!((s, outcomes(&b)), (StatusCode::OK, vec!["applied".to_owned()]), "{b}");
    env.submit(HERON).await;
    let hub =
        AuthDevice { user_id: HOLLIE.into(), device_id: Uuid::now_v7(), roles: vec![Role::HubCoordinator { hub_id: DEMO_HUB_ID.into() }] };
    env.srv.store().approve(HERON, &content_hash(&[("context".into(), CONTEXT.into())], &[]), &hub, now_ms()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_head_checks_the_facts_in_the_browser_and_finishes() {
    let env = Env::demo().await;
    let store = env.srv.store();
    store.test_school_head(HERON_HEAD, "Helen Heron", "990102").unwrap();
    store.test_school_head(KESTREL_HEAD, "Kit Kestrel", "990101").unwrap();
    approved_with_a_check(&env).await;
    let session = store.test_web_session(HERON_HEAD, now_ms()).unwrap();
    let page = format!("/schools/990102/reviews/{HERON}/accuracy");

    let (s, home) = get(&env, "/schools/990102", &session).await;
    assert_eq!(s, StatusCode::OK);
    assert!(home.contains(&format!("href=\"{page}\"")), "{home}");
    let (s, html) = get(&env, &page, &session).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("You can comment until ") && html.contains(CONTEXT), "{html}");
    assert!(html.contains("<label for=\"section-context-text\">"), "{html}");
    let csrf = csrf_field(&html);

    // Without the token, about an estimate, or from another school: nothing is written.
    let fact = "We have 412 pupils on roll, not 380.";
    let (s, _, _) =
        post(&env, &format!("{page}/comments"), &session, &[("csrf", "forged"), ("target", "section:context"), ("text", fact)]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, html) = post(
        &env,
        &format!("{page}/comments"),
        &session,
        &[("csrf", &csrf), ("target", "estimate:leadership"), ("text", "Stronger, surely.")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("role=\"alert\"") && html.contains("judgement"), "{html}");
    let other = store.test_web_session(KESTREL_HEAD, now_ms()).unwrap();
    let (s, _) = get(&env, &page, &other).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = get(&env, &format!("/schools/990101/reviews/{HERON}/accuracy"), &other).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // A comment on the fact: the page shows it under the section; the Lead Reviewer pulls it.
    let (s, to, _) =
        post(&env, &format!("{page}/comments"), &session, &[("csrf", &csrf), ("target", "section:context"), ("text", fact)]).await;
    assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some(format!("{page}?saved=comment").as_str())));
    let (_, html) = get(&env, &format!("{page}?saved=comment"), &session).await;
    assert!(html.contains("Comment added") && html.contains(fact), "{html}");
    let pulled = env.pull_all(&env.laptop(ANIKA)).await;
    assert!(pulled.values().any(|c| c.entity == EntityKind::Comment && c.fields["text"].value == fact), "the LR's laptop has the comment");

    // Finished: the report may be issued; no more comments.
    let (s, to, _) = post(&env, &format!("{page}/finish"), &session, &[("csrf", &csrf)]).await;
    assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some(format!("{page}?saved=finished").as_str())));
    let (_, html) = get(&env, &page, &session).await;
    assert!(html.contains("finished checking this report") && !html.contains("<textarea"), "{html}");
    let (s, _, html) =
        post(&env, &format!("{page}/comments"), &session, &[("csrf", &csrf), ("target", "section:context"), ("text", "One more.")]).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("role=\"alert\""), "{html}");
    let (_, check) = env.get(&format!("/v1/reviews/{HERON}/accuracy-check"), Some(&env.laptop(HERON_HEAD).token)).await;
    assert_eq!((check["window"]["status"].as_str(), check["comments"].as_array().map(Vec::len)), (Some("finished"), Some(1)), "{check}");
}
