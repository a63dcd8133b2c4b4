//! The register of Areas of Excellence (issue 23): drafted when a report is issued, published
//! only with the head teacher's consent, revocable, searched with filters, copied to laptops
//! page by page; "Ask to visit" recorded and mailed. On the demo history (point 4), which is
//! also checked here: deterministic, fast and chained in the audit log like real issues.

use crate::common::*;
use qar_core::report_template::{content_hash, section_id};
use qar_core::EntityKind;
use qar_server::store::demo_history::{history_review_id, HISTORY_HUB_ID, HISTORY_YEARS};
use qar_server::store::mail_outbox::message_id;
use qar_server::store::now_ms;
use qar_server::store::register::{ConsentChange, RegisterQuery};
use qar_server::{AuthDevice, Role};
use serde_json::{json, Value};
use std::time::Instant;
use uuid::Uuid;

/// A filter's promise about each entry it returns.
type Holds = fn(&Value) -> bool;

fn admin() -> AuthDevice {
    AuthDevice { user_id: ADMIN.into(), device_id: Uuid::now_v7(), roles: vec![Role::Admin] }
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|e| e["review_id"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn the_demo_history_is_deterministic_quick_and_chained() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut copies = Vec::new();
    for dir in [&a, &b] {
        let store = crate::common::open_store(dir.path());
        store.seed_demo(now_ms()).unwrap();
        let started = Instant::now();
        store.seed_demo_history(now_ms()).unwrap();
        let took = started.elapsed();
        assert!(took.as_secs_f64() < 20.0, "seeding the history took {took:?}");
        eprintln!("demo history seeded in {took:?}");
        store.seed_demo_history(now_ms()).unwrap();
        let everything = store.register_changes(&admin(), 0, 500).unwrap();
        let (fells, moorland) =
            (store.hub_register(&admin(), "hub-riverside-fells").unwrap(), store.hub_register(&admin(), HISTORY_HUB_ID).unwrap());
        assert!(fells.len() >= 30 && moorland.len() >= 30, "{} and {} entries", fells.len(), moorland.len());
        let schools: std::collections::BTreeSet<_> = fells.iter().chain(&moorland).map(|r| r.entry.urn.clone()).collect();
        assert!(schools.len() >= 30, "a few dozen schools: {}", schools.len());
        for year in HISTORY_YEARS {
            assert!(fells.iter().chain(&moorland).any(|r| r.entry.academic_year == year), "{year}");
        }
        assert!(!everything.entries.is_empty() && !everything.removed.is_empty(), "some heads consented, some did not");
        assert_eq!(everything.entries.len() + everything.removed.len(), fells.len() + moorland.len(), "a second seed added nothing");
        // Every issued version is in an issue entry of the chain.
        let verdict = store.verify_audit().unwrap();
        assert!(verdict.intact() && verdict.versions_checked as usize == fells.len() + moorland.len(), "{verdict:?}");
        // Each original demo school has last year's review to build on.
        for urn in ["990101", "990102", "990103"] {
            let previous = history_review_id(urn, HISTORY_YEARS[2]);
            assert_eq!(store.report_versions(previous, &admin()).unwrap().len(), 1, "{urn}");
        }
        // … and the demo's own review of Kestrel Brook is linked to it, as scheduling would,
        // so `./x run` shows last year's estimates and points while preparing.
        let kestrel = uuid::Uuid::parse_str("01900000-0000-7000-8000-000000000101").unwrap();
        let link = store.previous_review_link(&admin(), kestrel).unwrap();
        assert_eq!(link.linked.map(|l| l.review_id), Some(history_review_id("990101", HISTORY_YEARS[2])));
        copies.push(everything);
    }
    assert_eq!(copies[0], copies[1], "the same history in every data folder");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_is_published_only_with_consent_and_revocation_takes_it_away() {
    let env = Env::demo().await;
    let store = env.srv.store();
    store.seed_demo_history(now_ms()).unwrap();
    let entry = history_review_id("990101", HISTORY_YEARS[2]);
    let id = entry.to_string();
    let revoke = ConsentChange { given: false, head_name: "Morwenna Pendleford".into() };
    store.set_register_consent(&admin(), entry, &revoke, now_ms()).unwrap();
    let title = store.register_record(&admin(), entry).unwrap().entry.title;
    let words = title.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    let reader = env.laptop(NADIA_NOBODY);
    let coordinator = env.laptop(HOLLIE);
    let search = format!("/v1/register/search?q={}&limit=500", words.replace(' ', "+"));

    // Without consent: in no search, not on the school's page, only a removal in the copy,
    // not found for a visit, and only its curators see it.
    let (status, hits) = env.get(&search, Some(&reader.token)).await;
    assert_eq!(status, 200, "{hits}");
    assert!(!ids(&hits).contains(&id), "unpublished entry found by a search");
    let (_, page) = env.get("/v1/schools/990101/register", Some(&reader.token)).await;
    assert!(!ids(&page).contains(&id));
    let (_, changes) = env.get("/v1/register/changes?after=0", Some(&reader.token)).await;
    assert!(!ids(&changes["entries"]).contains(&id));
    assert!(changes["removed"].as_array().unwrap().contains(&json!(id)));
    let (status, body) =
        env.post(&format!("/v1/register/entries/{id}/visit-requests"), Some(&reader.token), json!({"message": "May we visit?"})).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (404, Some("not_found")), "{body}");
    let (status, body) = env.get(&format!("/v1/register/entries/{id}"), Some(&reader.token)).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (403, Some("not_your_hub")));
    let cursor = changes["next"].as_u64().unwrap();

    // The coordinator records the head's consent: published, and in the next page of the copy.
    let (status, record) = env
        .put(
            &format!("/v1/register/entries/{id}/consent"),
            Some(&coordinator.token),
            json!({"given": true, "head_name": "Morwenna Pendleford"}),
        )
        .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!((record["consented"].as_bool(), record["head_name"].as_str()), (Some(true), Some("Morwenna Pendleford")));
    let (_, hits) = env.get(&search, Some(&reader.token)).await;
    assert!(ids(&hits).contains(&id), "{hits}");
    let (_, changes) = env.get(&format!("/v1/register/changes?after={cursor}"), Some(&reader.token)).await;
    assert_eq!((ids(&changes["entries"]), changes["removed"].clone()), (vec![id.clone()], json!([])));
    let cursor = changes["next"].as_u64().unwrap();

    // "Ask to visit": recorded for the school and queued as mail to its hub's coordinator and
    // its headteacher.
    store.test_school_head("user-kit-kestrel-head", "Kit Kestrel", "990101").unwrap();
    store.test_school_head("user-helen-heron-head", "Helen Heron", "990102").unwrap();
    let (status, made) = env
        .post(
            &format!("/v1/register/entries/{id}/visit-requests"),
            Some(&reader.token),
            json!({"message": "  Phonics in Reception, please. "}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!((made["message"].as_str(), made["requester_name"].as_str()), (Some("Phonics in Reception, please."), Some("Nadia Nobody")));
    let (status, listed) = env.get("/v1/schools/990101/visit-requests", Some(&coordinator.token)).await;
    assert_eq!(status, 200);
    assert_eq!(listed[0]["id"], made["id"], "{listed}");
    let mail = message_id(&format!("visit_request:{}", made["id"].as_str().unwrap()), "hollie.brennan@example.org");
    assert!(store.outbox_mail(&mail).unwrap().is_some(), "the coordinator is mailed");
    let (status, body) = env.get("/v1/schools/990101/visit-requests", Some(&reader.token)).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (403, Some("not_your_hub")));
    // The school's own headteacher answers such requests: mailed, and they list them (decision
    // 74's `school_heads`); another school's head is refused like anyone else, and not mailed.
    let head_mail = message_id(&format!("visit_request:{}", made["id"].as_str().unwrap()), "user-kit-kestrel-head@test.invalid");
    assert!(store.outbox_mail(&head_mail).unwrap().is_some(), "the school's head is mailed");
    let other_head_mail = message_id(&format!("visit_request:{}", made["id"].as_str().unwrap()), "user-helen-heron-head@test.invalid");
    assert!(store.outbox_mail(&other_head_mail).unwrap().is_none(), "another school's head is not mailed");
    let (status, listed) = env.get("/v1/schools/990101/visit-requests", Some(&env.laptop("user-kit-kestrel-head").token)).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!((listed[0]["id"].clone(), listed[0]["message"].as_str()), (made["id"].clone(), Some("Phonics in Reception, please.")));
    let (status, body) = env.get("/v1/schools/990101/visit-requests", Some(&env.laptop("user-helen-heron-head").token)).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (403, Some("not_your_hub")), "{body}");

    // Revoked: gone from searches at once and removed from laptops at their next page.
    let (status, _) = env
        .put(
            &format!("/v1/register/entries/{id}/consent"),
            Some(&coordinator.token),
            json!({"given": false, "head_name": "Morwenna Pendleford"}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, hits) = env.get(&search, Some(&reader.token)).await;
    assert!(!ids(&hits).contains(&id));
    let (_, changes) = env.get(&format!("/v1/register/changes?after={cursor}"), Some(&reader.token)).await;
    assert_eq!((changes["entries"].clone(), changes["removed"].clone()), (json!([]), json!([id])));
    // Both consent changes are in the audit chain, which still holds.
    let verdict = store.verify_audit().unwrap();
    assert!(verdict.intact(), "{verdict:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_filters_all_apply_and_bad_requests_are_refused() {
    let env = Env::demo().await;
    let store = env.srv.store();
    store.seed_demo_history(now_ms()).unwrap();
    let token = env.laptop(OWEN).token;
    let coordinator = env.laptop(HOLLIE).token;
    let all = store.search_register(&admin(), &RegisterQuery { limit: 500, ..Default::default() }).unwrap();
    assert!(all.len() > 20, "{}", all.len());
    let checks: [(&str, Holds); 5] = [
        ("phase=Secondary", |e| e["phase"] == "Secondary"),
        ("region=South+West", |e| e["region"] == "South West"),
        ("theme=early_reading", |e| e["themes"].as_array().unwrap().contains(&json!("early_reading"))),
        ("disadvantaged=true", |e| e["disadvantaged_focus"] == true),
        ("year=2024&disadvantaged=false", |e| e["academic_year"] == 2024 && e["disadvantaged_focus"] == false),
    ];
    for (filter, holds) in checks {
        let (status, hits) = env.get(&format!("/v1/register/search?{filter}&limit=500"), Some(&token)).await;
        assert_eq!(status, 200, "{filter}: {hits}");
        let hits = hits.as_array().unwrap();
        assert!(!hits.is_empty() && hits.len() < all.len(), "{filter}: {} of {}", hits.len(), all.len());
        assert!(hits.iter().all(holds), "{filter}");
    }
    // Words are prefixes, all required; what FTS5 would read as syntax is only text.
    let (_, hits) = env.get("/v1/register/search?q=phon+catch&limit=500", Some(&token)).await;
    assert!(hits.as_array().unwrap().iter().all(|e| e["summary"].as_str().unwrap().contains("phonics")), "{hits}");
    assert!(!hits.as_array().unwrap().is_empty());
    let (status, _) = env.get("/v1/register/search?q=%22reading%22+OR+*+NEAR(&limit=5", Some(&token)).await;
    assert_eq!(status, 200);

    for bad in ["limit=0", "limit=501", "year=1900", &format!("q={}", "x".repeat(201))] {
        let (status, body) = env.get(&format!("/v1/register/search?{bad}"), Some(&token)).await;
        assert_eq!((status.as_u16(), body["code"].as_str()), (400, Some("bad_query")), "{bad}");
    }
    let entry = history_review_id("990101", HISTORY_YEARS[2]);
    let path = format!("/v1/register/entries/{entry}");
    let describe = |themes: Value, title: &str| json!({"title": title, "summary": "Daily phonics.", "areas": ["provision_outcomes"], "themes": themes, "disadvantaged_focus": false});
    for (body, says) in [
        (describe(json!(["knitting"]), "Phonics"), "Theme 'knitting'"),
        (describe(json!(["oracy", "oracy"]), "Phonics"), "each theme once"),
        (describe(json!([]), "   "), "Title must not be empty"),
    ] {
        let (status, reply) = env.put(&path, Some(&coordinator), body).await;
        assert_eq!((status.as_u16(), reply["code"].as_str()), (422, Some("invalid")), "{reply}");
        assert!(reply["message"].as_str().unwrap().contains(says), "{reply}");
    }
    let (status, reply) = env.put(&format!("{path}/consent"), Some(&coordinator), json!({"given": true, "head_name": " "})).await;
    assert_eq!((status.as_u16(), reply["code"].as_str()), (422, Some("invalid")), "{reply}");
    let (status, reply) = env
        .put(&format!("/v1/register/entries/{}/consent", Uuid::now_v7()), Some(&coordinator), json!({"given": true, "head_name": "A Head"}))
        .await;
    assert_eq!((status.as_u16(), reply["code"].as_str()), (404, Some("not_found")), "{reply}");
    let (status, reply) = env.post(&format!("{path}/visit-requests"), Some(&token), json!({"message": " "})).await;
    assert!(matches!((status.as_u16(), reply["code"].as_str()), (422, Some("invalid")) | (404, Some("not_found"))), "{reply}");
    // A refused description changed nothing.
    let record = store.register_record(&admin(), entry).unwrap();
    assert_ne!(record.entry.title, "   ");
    assert!(!record.entry.themes.contains(&"knitting".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issuing_a_report_drafts_an_unpublished_entry_from_its_area_of_excellence() {
    let env = Env::demo().await;
    let mut lr = env.laptop(ANIKA);
    let coordinator = env.laptop(HOLLIE);
    let mut base = Some(env.review(HERON).await.fields["state"].version);
    for to in ["in_visit", "estimates_agreed"] {
        env.push(&mut lr, &[(EntityKind::Review, HERON, HERON, vec![("state", json!(to), base)])]).await;
        base = Some(lr.clock.last());
    }
    let aoe = "Reading for pleasure in Key Stage 3\nTutor-time reading of shared novels and a librarian who knows every reader.";
    let sections = [("context", "A larger than average secondary."), ("area_of_excellence", aoe)];
    let ops: Vec<OpSpec> = sections
        .iter()
        .map(|(code, body)| {
            (
                EntityKind::ReportSection,
                section_id(HERON, code),
                HERON,
                vec![("section_code", json!(code), None), ("body", json!(body), None)],
            )
        })
        .collect();
    let (status, reply) = env.push(&mut lr, &ops).await;
    assert_eq!(outcomes(&reply), ["applied", "applied"], "{status} {reply}");
    base = Some(env.review(HERON).await.fields["state"].version);
    for to in ["drafting", "submitted"] {
        env.push(&mut lr, &[(EntityKind::Review, HERON, HERON, vec![("state", json!(to), base)])]).await;
        base = Some(lr.clock.last());
    }
    let hash = content_hash(&sections.map(|(c, b)| (c.to_owned(), b.to_owned())), &[]);
    let token = Some(coordinator.token.as_str());
    let (status, body) = env.post(&format!("/v1/reviews/{HERON}/approve"), token, json!({"report_hash": hash})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = env.post(&format!("/v1/reviews/{HERON}/issue"), token, json!({"report_hash": hash})).await;
    assert_eq!(status, 200, "{body}");

    let (status, record) = env.get(&format!("/v1/register/entries/{HERON}"), token).await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["consented"], false);
    assert_eq!(record["entry"]["title"], "Reading for pleasure in Key Stage 3");
    assert_eq!(record["entry"]["summary"], "Tutor-time reading of shared novels and a librarian who knows every reader.");
    assert_eq!((record["entry"]["urn"].as_str(), record["entry"]["academic_year"].as_u64()), (Some("990102"), Some(2026)));
    let (_, hits) = env.get("/v1/register/search?q=librarian", token).await;
    assert_eq!(hits, json!([]), "not published before consent");
}
