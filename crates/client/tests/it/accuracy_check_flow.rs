//! The host school's factual-accuracy check (issue 22) with real laptops and a real qar-server:
//! the hub gives schools five days; Kestrel Brook's report is approved; the coordinator's laptop
//! cannot issue it while the school checks (a clear refusal naming the date); the head comments
//! on a fact in a section, which reaches the Lead Reviewer's laptop like a return comment; the
//! head says they have finished and the report is issued.

use crate::common::{demo_server, now_ms, signed_in_client};
use qar_core::ErrorCode;
use qar_server::store::demo::DEMO_HUB_ID;
use serde_json::json;

const KESTREL: &str = "01900000-0000-7000-8000-000000000101";

async fn call(method: reqwest::Method, url: String, token: &str, body: serde_json::Value) -> serde_json::Value {
    let resp = reqwest::Client::new().request(method, url).bearer_auth(token).json(&body).send().await.unwrap();
    let status = resp.status().as_u16();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_school_checks_the_facts_and_the_lead_reviewer_reads_its_comments() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let srv = demo_server(dirs[0].path()).await;
    let url = srv.url();
    let lead = signed_in_client(dirs[1].path(), &url, "anika.marsh@example.org", "QARDEMOANIKAMARSHLEADREVIEWER234").await;
    let hub = signed_in_client(dirs[2].path(), &url, "hollie.brennan@example.org", "QARDEMOHOLLIEBRENNANHUBCOORD2345").await;
    let hollie = srv.store().test_token_for_email("hollie.brennan@example.org", uuid::Uuid::now_v7(), now_ms()).unwrap();
    call(reqwest::Method::PUT, format!("{url}/v1/hubs/{DEMO_HUB_ID}/accuracy-window"), &hollie, json!({"days": 5})).await;

    // Kestrel Brook's report is written, submitted and approved.
    for area in qar_core::framework("2019").unwrap().areas {
        lead.set_estimate(KESTREL, area.code, "effective", "Seen in every class.").unwrap();
    }
    for to in ["estimates_agreed", "drafting"] {
        lead.transition_review(KESTREL, to).unwrap();
    }
    for s in lead.report_template(KESTREL).unwrap().sections.into_iter().filter(|s| s.required) {
        lead.save_report_section(KESTREL, &s.code, &format!("{}: what the team saw.", s.title)).unwrap();
    }
    lead.transition_review(KESTREL, "submitted").unwrap();
    lead.sync_now().await.unwrap();
    hub.sync_now().await.unwrap();
    hub.approve_review(KESTREL).await.unwrap();

    // While the school checks, issuing is refused with the date the check ends.
    let e = hub.issue_report(KESTREL, "").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::AccuracyCheckOpen, "{e}");
    assert!(e.to_string().contains("factual accuracy until "), "{e}");

    srv.store().test_school_head("user-kit-kestrel-head", "Kit Kestrel", "990101").unwrap();
    let head = srv.store().test_token("user-kit-kestrel-head", uuid::Uuid::now_v7(), now_ms()).unwrap();
    // The head reads the approved report's sections to check them.
    let check = reqwest::Client::new().get(format!("{url}/v1/reviews/{KESTREL}/accuracy-check")).bearer_auth(&head).send().await.unwrap();
    let check: serde_json::Value = check.json().await.unwrap();
    let context = check["sections"].as_array().unwrap().iter().find(|s| s["target"] == "section:context").expect("the context section");
    assert!(context["body"].as_str().unwrap().ends_with("what the team saw."), "{check}");
    assert!(!context["title"].as_str().unwrap().is_empty());
    let comment = json!({"target": "section:context", "text": "We have 412 pupils on roll, not 380."});
    call(reqwest::Method::POST, format!("{url}/v1/reviews/{KESTREL}/accuracy-check/comments"), &head, comment).await;

    // The Lead Reviewer's laptop holds the comment, as it holds a coordinator's return comments.
    lead.sync_now().await.unwrap();
    let comments = lead.list_comments(KESTREL).unwrap();
    let theirs = comments.iter().find(|c| c.author_name == "Kit Kestrel").expect("the head's comment is on the laptop");
    assert_eq!((theirs.target.as_str(), theirs.text.as_str()), ("section:context", "We have 412 pupils on roll, not 380."));
    assert!(!theirs.resolved);

    // The head has finished: the report is issued.
    let done = call(reqwest::Method::POST, format!("{url}/v1/reviews/{KESTREL}/accuracy-check/finish"), &head, json!({})).await;
    assert_eq!(done["window"]["status"], "finished");
    let issued = hub.issue_report(KESTREL, "").await.unwrap();
    assert_eq!(issued.state, "issued");
}
