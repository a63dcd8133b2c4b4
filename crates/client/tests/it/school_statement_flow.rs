//! What the host school wrote before its visit (issue 22) reaches the team's laptops with a
//! real qar-server: the school's headteacher saves its context statement and proposed Area of
//! Excellence; the Lead Reviewer's laptop pulls them and reads them with the server gone, and a
//! change the head makes later replaces them on the next sync.

use crate::common::{demo_server, now_ms, signed_in_client};
use serde_json::json;

const HERON: &str = "01900000-0000-7000-8000-000000000102";

async fn head_saves(url: &str, token: &str, body: serde_json::Value) {
    let resp = reqwest::Client::new()
        .put(format!("{url}/v1/reviews/{HERON}/school-statement"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200, "{}", resp.text().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_team_reads_the_schools_statement_offline() {
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let srv = demo_server(dirs[0].path()).await;
    let url = srv.url();
    let lead = signed_in_client(dirs[1].path(), &url, "anika.marsh@example.org", "QARDEMOANIKAMARSHLEADREVIEWER234").await;
    lead.sync_now().await.unwrap();
    assert!(lead.school_statement(HERON).unwrap().is_none(), "nothing written yet");

    srv.store().test_school_head("user-helen-heron-head", "Helen Heron", "990102").unwrap();
    let head = srv.store().test_token("user-helen-heron-head", uuid::Uuid::now_v7(), now_ms()).unwrap();
    head_saves(&url, &head, json!({"context_statement": "A two-form entry primary by the estuary.", "aoe_title": "Oracy"})).await;
    lead.sync_now().await.unwrap();
    let seen = lead.school_statement(HERON).unwrap().expect("the statement is on the laptop");
    assert_eq!((seen.context_statement.as_str(), seen.aoe_title.as_str()), ("A two-form entry primary by the estuary.", "Oracy"));
    assert_eq!((seen.aoe_summary.as_str(), seen.written_by.as_str()), ("", "Helen Heron"));

    head_saves(&url, &head, json!({"aoe_summary": "Talk before writing, in every class."})).await;
    lead.sync_now().await.unwrap();
    drop(srv);
    // Offline: the latest words, both parts.
    let seen = lead.school_statement(HERON).unwrap().unwrap();
    assert_eq!(seen.aoe_title, "Oracy");
    assert_eq!(seen.aoe_summary, "Talk before writing, in every class.");
    assert!(seen.written_at.starts_with("20"), "{}", seen.written_at);
}
