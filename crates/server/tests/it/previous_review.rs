//! Each review builds on the last (issue 23, point 3) over HTTP: scheduling links a review to
//! its school's latest issued review by URN (issued ones only, never another school's), the
//! copy of that report's estimates and Even better if points reaches the team's laptops and
//! nobody else's, and the hub's coordinator sees and changes the link.

use crate::common::*;
use qar_core::previous_review::record_id;
use qar_core::protocol::Change;
use qar_core::report_template::{content_hash, section_id};
use qar_core::EntityKind;
use qar_server::store::demo::DEMO_HUB_ID;
use qar_server::store::now_ms;
use qar_server::{AuthDevice, Role};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

const SECTIONS: [(&str, &str); 3] = [
    ("context", "A large secondary academy on the edge of Westmere."),
    ("leadership_ebi", "- Middle leaders check the impact of their plans\n- Governors hear from subject leaders"),
    ("disadvantaged_additional_needs_ebi", "Track the attendance of disadvantaged pupils week by week."),
];

fn hollie() -> AuthDevice {
    AuthDevice { user_id: HOLLIE.into(), device_id: Uuid::now_v7(), roles: vec![Role::HubCoordinator { hub_id: DEMO_HUB_ID.into() }] }
}

/// Takes a demo review through drafting (sections and estimates written by its Lead Reviewer's
/// laptop), submission and approval; issues it when `issue` says so.
async fn report_on(env: &Env, review: Uuid, issue: bool) {
    if review == HERON {
        // The demo visit is months ahead: next week's, so a review scheduled later follows it.
        let change = qar_server::store::visit_days::VisitChange { visit_dates: visit(1), framework_version: None };
        env.srv.store().change_visit(&hollie(), HERON, &change, now_ms()).unwrap();
    }
    let mut lr = env.laptop(ANIKA);
    let current = env.review(review).await;
    let state = current.fields["state"].value.as_str().unwrap().to_owned();
    let path = ["scheduled", "preparing", "in_visit", "estimates_agreed", "drafting"];
    let mut base = Some(current.fields["state"].version);
    for to in &path[path.iter().position(|s| *s == state).unwrap() + 1..] {
        let (s, r) = env.push(&mut lr, &[(EntityKind::Review, review, review, vec![("state", json!(to), base)])]).await;
        assert_eq!((s, outcomes(&r)), (StatusCode::OK, vec!["applied".to_owned()]), "to {to}: {r}");
        base = Some(lr.clock.last());
    }
    let mut ops: Vec<OpSpec> = SECTIONS
        .iter()
        .map(|(code, body)| {
            (
                EntityKind::ReportSection,
                section_id(review, code),
                review,
                vec![("section_code", json!(code), None), ("body", json!(body), None)],
            )
        })
        .collect();
    for (area, value) in [("leadership", "effective"), ("disadvantaged_additional_needs", "working_towards_effective")] {
        ops.push((
            EntityKind::Estimate,
            estimate_id(review, area),
            review,
            vec![("area_code", json!(area), None), ("value", json!(value), None)],
        ));
    }
    let (s, r) = env.push(&mut lr, &ops).await;
    assert!(s == StatusCode::OK && outcomes(&r).iter().all(|o| o == "applied"), "{r}");
    let (s, r) = env.push(&mut lr, &[(EntityKind::Review, review, review, vec![("state", json!("submitted"), base)])]).await;
    assert_eq!((s, outcomes(&r)), (StatusCode::OK, vec!["applied".to_owned()]), "{r}");
    let sections: Vec<(String, String)> = SECTIONS.iter().map(|(c, b)| ((*c).into(), (*b).into())).collect();
    let estimates: Vec<(String, String, String)> = vec![
        ("disadvantaged_additional_needs".into(), "working_towards_effective".into(), String::new()),
        ("leadership".into(), "effective".into(), String::new()),
    ];
    let hash = content_hash(&sections, &estimates);
    let store = env.srv.store();
    store.approve(review, &hash, &hollie(), now_ms()).unwrap();
    if issue {
        store.issue_report(review, &hash, "", &hollie(), now_ms()).unwrap();
    }
}

/// Schedules a review of `urn` as Hollie, Anika leading and Owen reviewing; returns its id.
async fn schedule(env: &Env, urn: &str) -> Uuid {
    let hollie = env.laptop(HOLLIE);
    let id = Uuid::now_v7();
    let body = json!({"review_id": id, "school_urn": urn, "visit_dates": visit(2), "lead_reviewer_id": ANIKA, "reviewers": [OWEN]});
    let (s, b) = env.post(&format!("/v1/hubs/{DEMO_HUB_ID}/reviews"), Some(&hollie.token), body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    id
}

fn previous_of(changes: &std::collections::BTreeMap<Uuid, Change>, review: Uuid) -> Option<&Change> {
    changes.get(&record_id(review)).filter(|c| c.entity == EntityKind::PreviousReview)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_review_builds_on_the_schools_last_issued_review_and_only_its_team_receives_it() {
    let env = Env::demo().await;
    // Heron Vale's demo review is issued; Kestrel Brook's is approved but never issued.
    report_on(&env, HERON, true).await;
    report_on(&env, KESTREL, false).await;
    let heron_next = schedule(&env, "990102").await;
    let kestrel_next = schedule(&env, "990101").await;
    let hollie = env.laptop(HOLLIE);

    // The coordinator sees the link the server found by URN, and the school's candidates.
    let (s, link) = env.get(&format!("/v1/reviews/{heron_next}/previous-review"), Some(&hollie.token)).await;
    assert_eq!(s, StatusCode::OK, "{link}");
    assert_eq!(link["linked"]["review_id"], json!(HERON));
    assert_eq!(link["linked"]["version"], json!(1));
    assert_eq!(link["candidates"].as_array().unwrap().len(), 1);
    // Only issued reviews count: Kestrel Brook's approved report is not one to build on.
    let (s, none) = env.get(&format!("/v1/reviews/{kestrel_next}/previous-review"), Some(&hollie.token)).await;
    assert_eq!((s, &none["linked"], &none["candidates"]), (StatusCode::OK, &Value::Null, &json!([])), "{none}");

    // The team's laptops receive the copy: estimates and EBI points from the issued report.
    let owen = env.laptop(OWEN);
    let got = env.pull_all(&owen).await;
    let copy = previous_of(&got, heron_next).expect("the team receives the previous review");
    assert_eq!(copy.review_id, heron_next);
    assert_eq!(copy.fields["previous_review_id"].value, json!(HERON.to_string()));
    assert_eq!(copy.fields["school_urn"].value, json!("990102"));
    assert_eq!(copy.fields["deleted"].value, json!(false));
    assert_eq!(
        copy.fields["ebi_points"].value,
        json!([
            {"area_code": "leadership", "text": "Middle leaders check the impact of their plans"},
            {"area_code": "leadership", "text": "Governors hear from subject leaders"},
            {"area_code": "disadvantaged_additional_needs", "text": "Track the attendance of disadvantaged pupils week by week."},
        ])
    );
    assert_eq!(
        copy.fields["estimates"].value,
        json!([{"area_code": "disadvantaged_additional_needs", "value": "working_towards_effective"}, {"area_code": "leadership", "value": "effective"}])
    );
    assert!(previous_of(&got, kestrel_next).is_none(), "no issued review of Kestrel Brook: nothing to build on");

    // Nobody off the team receives it: not the hub's coordinator, not an administrator.
    for who in [HOLLIE, ADMIN, NADIA_NOBODY] {
        let theirs = env.pull_all(&env.laptop(who)).await;
        assert!(theirs.values().all(|c| c.entity != EntityKind::PreviousReview), "{who} received a previous review");
    }
    // A first-release app (schema 1) does not know the kind and is not sent it.
    let path = format!("/v1/sync/pull?cursor=0&limit=1000&device_id={}&schema=1", owen.device);
    let (_, page) = env.get(&path, Some(&owen.token)).await;
    assert!(page["changes"].as_array().unwrap().iter().all(|c| c["entity"] != "previous_review"), "{page}");

    // A laptop cannot write it.
    let mut anika = env.laptop(ANIKA);
    let op = (EntityKind::PreviousReview, record_id(heron_next), heron_next, vec![("ebi_points", json!([]), None)]);
    let (s, r) = env.push(&mut anika, &[op]).await;
    assert_eq!((s, outcomes(&r)), (StatusCode::OK, vec!["server_field".to_owned()]), "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_coordinator_changes_the_link_within_the_school_and_the_team_follows() {
    let env = Env::demo().await;
    report_on(&env, HERON, true).await;
    let heron_next = schedule(&env, "990102").await;
    let kestrel_next = schedule(&env, "990101").await;
    let (hollie, olga, owen, anika) = (env.laptop(HOLLIE), env.laptop(OLGA_OTHER_HUB), env.laptop(OWEN), env.laptop(ANIKA));
    let path = format!("/v1/reviews/{heron_next}/previous-review");

    // Another school's issued review is not one to build on, nor is a made-up one.
    let (s, b) =
        env.put(&format!("/v1/reviews/{kestrel_next}/previous-review"), Some(&hollie.token), json!({"previous_review_id": HERON})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("not_previous_review")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("990101"), "{b}");
    let (s, b) = env.put(&path, Some(&hollie.token), json!({"previous_review_id": Uuid::now_v7()})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("not_previous_review")), "{b}");
    // The team and other hubs' coordinators neither see nor change it.
    for (who, code) in [(&owen, "not_your_role"), (&anika, "not_your_role"), (&olga, "not_your_hub")] {
        let (s, b) = env.get(&path, Some(&who.token)).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some(code)), "{b}");
        let (s, b) = env.put(&path, Some(&who.token), json!({"previous_review_id": null})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some(code)), "{b}");
    }
    assert!(previous_of(&env.pull_all(&owen).await, heron_next).is_some_and(|c| c.fields["deleted"].value == json!(false)));

    // Unlinked: the team's copy goes (deleted), and the change is audited once.
    let (s, b) = env.put(&path, Some(&hollie.token), json!({"previous_review_id": null})).await;
    assert_eq!((s, &b["linked"]), (StatusCode::OK, &Value::Null), "{b}");
    assert_eq!(b["candidates"][0]["review_id"], json!(HERON));
    let copy = previous_of(&env.pull_all(&owen).await, heron_next).cloned().unwrap();
    assert_eq!(copy.fields["deleted"].value, json!(true));
    // Linked again by an administrator.
    let (s, b) = env.put(&path, Some(&env.laptop(ADMIN).token), json!({"previous_review_id": HERON})).await;
    assert_eq!((s, &b["linked"]["review_id"]), (StatusCode::OK, &json!(HERON)), "{b}");
    let again = previous_of(&env.pull_all(&owen).await, heron_next).cloned().unwrap();
    assert_eq!(again.fields["deleted"].value, json!(false));
    assert!(again.server_seq > copy.server_seq);
    let conn = store_sql(env.dir.path());
    let audited: i64 = conn
        .query_row("SELECT count(*) FROM audit_log WHERE kind = 'set_previous_review' AND subject = ?1", [heron_next.to_string()], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(audited, 2);
    assert!(env.srv.store().verify_audit().unwrap().broken.is_none());

    // Once the visit starts the link is history: 409, nothing changes.
    let mut lr = env.laptop(ANIKA);
    let current = env.review(heron_next).await;
    let mut base = Some(current.fields["state"].version);
    for to in ["preparing", "in_visit"] {
        let (s, r) = env.push(&mut lr, &[(EntityKind::Review, heron_next, heron_next, vec![("state", json!(to), base)])]).await;
        assert_eq!((s, outcomes(&r)), (StatusCode::OK, vec!["applied".to_owned()]), "{r}");
        base = Some(lr.clock.last());
    }
    let (s, b) = env.put(&path, Some(&hollie.token), json!({"previous_review_id": null})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("visit_started")), "{b}");
    let (s, b) = env.get(&path, Some(&hollie.token)).await;
    assert_eq!((s, &b["linked"]["review_id"]), (StatusCode::OK, &json!(HERON)), "{b}");
}
