//! The school's statement in the browser (issue 22, decision 94): the head writes the context
//! statement and the proposed Area of Excellence in the school's pages, through the same store
//! function as the JSON route; the team reads them from the pull. Refused: a form without its
//! token, another school's head, an over-long part (shown again as typed), and any change once
//! the visit is over (the page shows the statement read-only).

use crate::common::*;
use crate::web_support::{csrf_field, get, post};
use reqwest::StatusCode;

const HERON_HEAD: &str = "user-helen-heron-head";
const KESTREL_HEAD: &str = "user-kit-kestrel-head";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_head_writes_the_schools_statement_in_the_browser() {
    let env = Env::demo().await;
    let store = env.srv.store();
    store.test_school_head(HERON_HEAD, "Helen Heron", "990102").unwrap();
    store.test_school_head(KESTREL_HEAD, "Kit Kestrel", "990101").unwrap();
    let session = store.test_web_session(HERON_HEAD, qar_server::store::now_ms()).unwrap();
    let page = format!("/schools/990102/reviews/{HERON}/statement");

    // The school's page links to it while the review is before or in its visit.
    let (s, home) = get(&env, "/schools/990102", &session).await;
    assert_eq!(s, StatusCode::OK);
    assert!(home.contains(&format!("href=\"{page}\"")), "{home}");
    let (s, html) = get(&env, &page, &session).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("<label for=\"context_statement\">") && html.contains("<label for=\"aoe_title\">"), "{html}");
    let csrf = csrf_field(&html);

    // Without its token the form writes nothing.
    let (s, _, _) = post(&env, &page, &session, &[("csrf", "not-the-token"), ("part", "context"), ("context_statement", "Forged.")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let words = "Heron Vale is a two-form entry primary <by the estuary>.\r\n\r\nA third of our pupils are eligible for free school meals.";
    let (s, to, _) = post(&env, &page, &session, &[("csrf", &csrf), ("part", "context"), ("context_statement", words)]).await;
    assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some(format!("{page}?saved=context").as_str())));
    let (s, to, _) =
        post(&env, &page, &session, &[("csrf", &csrf), ("part", "aoe"), ("aoe_title", "Oracy"), ("aoe_summary", "Talk before writing.")])
            .await;
    assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some(format!("{page}?saved=aoe").as_str())));
    let (_, html) = get(&env, &format!("{page}?saved=aoe"), &session).await;
    assert!(html.contains("role=\"status\"") && html.contains("Proposal saved"), "{html}");
    assert!(html.contains("&lt;by the estuary&gt;"), "the school's words, escaped: {html}");

    // The team reads both parts (the JSON route reads the same store).
    let (s, b) = env.get(&format!("/v1/reviews/{HERON}/school-statement"), Some(&env.laptop(ANIKA).token)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b["context_statement"].as_str().unwrap().starts_with("Heron Vale is a two-form entry primary <by the estuary>."), "{b}");
    assert_eq!((b["aoe_title"].as_str(), b["written_by"].as_str()), (Some("Oracy"), Some("Helen Heron")));

    // Too long: refused, and the page shows the words as typed.
    let long = format!("Typed words {}", "x".repeat(qar_core::school_statement::MAX_AOE_TITLE_CHARS));
    let (s, _, html) =
        post(&env, &page, &session, &[("csrf", &csrf), ("part", "aoe"), ("aoe_title", &long), ("aoe_summary", "Kept.")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("role=\"alert\"") && html.contains(&long), "{html}");

    // Another school's head: refused on the page, under either school's address.
    let other = store.test_web_session(KESTREL_HEAD, qar_server::store::now_ms()).unwrap();
    let (s, _) = get(&env, &page, &other).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = get(&env, &format!("/schools/990101/reviews/{HERON}/statement"), &other).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let other_csrf = csrf_field(&get(&env, "/schools/990101", &other).await.1);
    let (s, _, _) = post(
        &env,
        &format!("/schools/990101/reviews/{HERON}/statement"),
        &other,
        &[("csrf", &other_csrf), ("part", "aoe"), ("aoe_title", "Not ours")],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // After the visit: read-only, and a post is refused.
    env.submit(HERON).await;
    let (s, html) = get(&env, &page, &session).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("<textarea") && html.contains("The visit has ended") && html.contains("Oracy"), "{html}");
    let (s, _, html) = post(&env, &page, &session, &[("csrf", &csrf), ("part", "aoe"), ("aoe_title", "Too late")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{html}");
    let (_, b) = env.get(&format!("/v1/reviews/{HERON}/school-statement"), Some(&env.laptop(ANIKA).token)).await;
    assert_eq!(b["aoe_title"], "Oracy", "no refusal changed it");
}
