//! Changing a scheduled review's visit days and a person's home school over HTTP: who may,
//! in which states, which dates, what the team's laptops pull, and what the audit chain holds.

use crate::common::*;
use qar_server::store::demo::DEMO_HUB_ID;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

fn audit_kinds(env: &Env) -> Vec<(String, String)> {
    let conn = store_sql(env.dir.path());
    let mut stmt = conn.prepare("SELECT kind, subject FROM audit_log ORDER BY seq").unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    rows.map(Result::unwrap).collect()
}

#[tokio::test]
async fn coordinator_moves_the_visit_and_the_team_pulls_the_new_days() {
    let env = Env::demo().await;
    let (hollie, owen) = (env.laptop(HOLLIE), env.laptop(OWEN));
    let before = env.pull_all(&owen).await.remove(&LARKSPUR).unwrap();
    assert_eq!(before.fields["state"].value, "scheduled");

    let days = visit(3);
    let (status, body) = env
        .put(&format!("/v1/reviews/{LARKSPUR}/visit"), Some(&hollie.token), json!({ "visit_dates": days, "framework_version": "2019" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["changed"], true);
    // The demo review had only a start date: its days were that date and the two after.
    assert_eq!(body["previous_dates"], json!(["2027-03-09", "2027-03-10", "2027-03-11"]));
    assert_eq!(body["review"]["fields"]["visit_dates"]["value"], json!(days));

    // Owen's laptop pulls the new days, with newer versions, through the ordinary feed.
    let after = env.pull_all(&owen).await.remove(&LARKSPUR).unwrap();
    assert_eq!(after.fields["visit_dates"].value, json!(days));
    assert_eq!(after.fields["start_date"].value, json!(days[0]));
    assert!(after.fields["start_date"].version > before.fields["start_date"].version);
    assert!(after.server_seq > before.server_seq);
    // Untouched fields keep their versions.
    assert_eq!(after.fields["school_name"].version, before.fields["school_name"].version);

    // The hub overview shows the new days and the report deadline from the last one.
    let (status, overview) = env.get(&format!("/v1/hubs/{DEMO_HUB_ID}/overview"), Some(&hollie.token)).await;
    assert_eq!(status, StatusCode::OK);
    let row = overview["reviews"].as_array().unwrap().iter().find(|r| r["review_id"] == json!(LARKSPUR.to_string())).unwrap().clone();
    assert_eq!(row["visit_dates"], json!(days));
    assert_eq!(row["last_day"], json!(days[2]));

    // Repeating the request changes nothing: no new feed entry, no new audit entry.
    let audited = audit_kinds(&env).len();
    let (status, body) = env.put(&format!("/v1/reviews/{LARKSPUR}/visit"), Some(&hollie.token), json!({ "visit_dates": days })).await;
    assert_eq!((status, body["changed"].as_bool()), (StatusCode::OK, Some(false)), "{body}");
    assert_eq!(body["review"]["server_seq"], json!(after.server_seq));
    assert_eq!(audit_kinds(&env).len(), audited);

    // An administrator may move it too; each change is one audit entry on the review.
    let admin = env.laptop(ADMIN);
    let (status, _) = env.put(&format!("/v1/reviews/{LARKSPUR}/visit"), Some(&admin.token), json!({ "visit_dates": visit(4) })).await;
    assert_eq!(status, StatusCode::OK);
    let changes: Vec<_> = audit_kinds(&env).into_iter().filter(|(k, _)| k == "change_visit").collect();
    assert_eq!(changes, vec![("change_visit".to_owned(), LARKSPUR.to_string()); 2]);
    assert!(env.srv.store().verify_audit().unwrap().broken.is_none());
}

#[tokio::test]
async fn refusals_say_why_and_write_nothing() {
    let env = Env::demo().await;
    let (hollie, olga, owen, anika) = (env.laptop(HOLLIE), env.laptop(OLGA_OTHER_HUB), env.laptop(OWEN), env.laptop(ANIKA));
    let dump = env.srv.store().dump().unwrap();
    let path = format!("/v1/reviews/{LARKSPUR}/visit");
    let good = json!({ "visit_dates": visit(2) });

    // A coordinator of another hub: 403 not_your_hub, naming the hub.
    let (status, body) = env.put(&path, Some(&olga.token), good.clone()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_your_hub")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("Riverside & Fells Hub"), "{body}");
    // Team members, the Lead Reviewer included, do not reschedule: 403 not_your_role.
    for who in [&owen, &anika] {
        let (status, body) = env.put(&path, Some(&who.token), good.clone()).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_your_role")), "{body}");
    }
    // No sign-in: 401.
    let (status, _) = env.put(&path, None, good.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Bad dates: 422 invalid_dates with the reason in words.
    let cases = [
        (json!([day(2, 4), day(2, 5), day(3, 0)]), "Saturday"),
        (json!([day(-1, 1), day(-1, 2), day(-1, 3)]), "has passed"),
        (json!([day(2, 3), day(2, 2), day(2, 4)]), "in order"),
        (json!([day(2, 1), day(2, 1), day(2, 2)]), "different"),
        (json!([day(2, 1), day(2, 2)]), "Give the 3 visit days"),
        (json!([day(2, 1), day(2, 2), day(5, 0)]), "within 14 days"),
        (json!(["2031-02-30", day(2, 2), day(2, 3)]), "2031-02-30 is not a date"),
    ];
    for (dates, why) in cases {
        let (status, body) = env.put(&path, Some(&hollie.token), json!({ "visit_dates": dates })).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_dates")), "{dates}: {body}");
        assert!(body["message"].as_str().unwrap().contains(why), "{dates}: {body}");
    }
    // A body that is not JSON: 400; one without the dates: 422 invalid_body.
    let (status, body) = env
        .send(env.http.put(env.url(&path)).header("content-type", "application/json").body("{\"visit_dates\": ["), Some(&hollie.token))
        .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_json")), "{body}");
    let (status, body) = env.put(&path, Some(&hollie.token), json!({ "dates": visit(2) })).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body")), "{body}");
    // An unknown framework: 422; an unknown review: 404.
    let (status, body) = env.put(&path, Some(&hollie.token), json!({ "visit_dates": visit(2), "framework_version": "1999" })).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_framework")), "{body}");
    let (status, body) = env.put(&format!("/v1/reviews/{}/visit", Uuid::now_v7()), Some(&hollie.token), good.clone()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_review")), "{body}");

    // The visit has started (Kestrel Brook is in visit): 409 visit_started.
    let (status, body) = env.put(&format!("/v1/reviews/{KESTREL}/visit"), Some(&hollie.token), good.clone()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("visit_started")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("in visit"), "{body}");
    // Preparing (Heron Vale): the days may move, the framework may not.
    let (status, body) = env
        .put(&format!("/v1/reviews/{HERON}/visit"), Some(&hollie.token), json!({ "visit_dates": visit(2), "framework_version": "2031" }))
        .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("framework_locked")), "{body}");
    assert_eq!(env.srv.store().dump().unwrap(), dump, "no refusal wrote anything");
    let (status, body) = env
        .put(&format!("/v1/reviews/{HERON}/visit"), Some(&hollie.token), json!({ "visit_dates": visit(2), "framework_version": "2019" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A submitted review is past its visit: 409 too.
    env.submit(HERON).await;
    let (status, body) = env.put(&format!("/v1/reviews/{HERON}/visit"), Some(&hollie.token), json!({ "visit_dates": visit(3) })).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("visit_started")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("submitted"), "{body}");
}

#[tokio::test]
async fn an_administrator_sets_and_clears_a_home_school() {
    let env = Env::demo().await;
    let (admin, hollie, owen) = (env.laptop(ADMIN), env.laptop(HOLLIE), env.laptop(OWEN));
    let path = format!("/v1/users/{OWEN}/home-school");

    // Owen's home school becomes Larkspur Hill, whose review he is on: set, with a warning.
    let (status, body) = env.put(&path, Some(&admin.token), json!({ "urn": " 990103 " })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["home_school_urn"], "990103");
    assert_eq!(body["user"]["home_school_name"], "Larkspur Hill Church of England Primary School");
    let warnings = body["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{body}");
    assert_eq!(
        (warnings[0]["code"].as_str(), warnings[0]["review_id"].as_str()),
        (Some("conflict_of_interest"), Some(LARKSPUR.to_string().as_str()))
    );

    // The users list shows it, and scheduling now warns of the conflict.
    let (_, users) = env.get("/v1/users", Some(&admin.token)).await;
    let listed = users.as_array().unwrap().iter().find(|u| u["id"] == OWEN).unwrap().clone();
    assert_eq!(
        (listed["home_school_urn"].as_str(), listed["home_school_name"].as_str()),
        (Some("990103"), Some("Larkspur Hill Church of England Primary School"))
    );

    // Unknown URN: 422 unknown_school, nothing changed. Unknown person: 404.
    let (status, body) = env.put(&path, Some(&admin.token), json!({ "urn": "999999" })).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_school")), "{body}");
    let (status, body) = env.put("/v1/users/user-nobody-at-all/home-school", Some(&admin.token), json!({ "urn": "990101" })).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_user")), "{body}");
    // Only an administrator: the coordinator and Owen himself are refused.
    for who in [&hollie, &owen] {
        let (status, body) = env.put(&path, Some(&who.token), json!({ "urn": "990101" })).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("admin_only")), "{body}");
    }
    let (_, users) = env.get("/v1/users", Some(&admin.token)).await;
    assert_eq!(users.as_array().unwrap().iter().find(|u| u["id"] == OWEN).unwrap()["home_school_urn"], "990103");

    // Cleared with null: no home school, no warnings.
    let (status, body) = env.put(&path, Some(&admin.token), json!({ "urn": null })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["user"]["home_school_urn"].clone(), body["user"]["home_school_name"].clone()), (Value::Null, Value::Null));
    assert_eq!(body["warnings"], json!([]));

    // Two changes, two audit entries naming Owen; the chain verifies.
    let entries: Vec<_> = audit_kinds(&env).into_iter().filter(|(k, _)| k == "set_home_school").collect();
    assert_eq!(entries, vec![("set_home_school".to_owned(), OWEN.to_owned()); 2]);
    assert!(env.srv.store().verify_audit().unwrap().broken.is_none());
}

#[tokio::test]
async fn a_home_school_set_later_is_used_for_the_conflict_warning() {
    let env = Env::demo().await;
    let (admin, hollie) = (env.laptop(ADMIN), env.laptop(HOLLIE));
    let (status, _) = env.put(&format!("/v1/users/{SAM_SHADOW}/home-school"), Some(&admin.token), json!({ "urn": "990102" })).await;
    assert_eq!(status, StatusCode::OK);
    let body = json!({
        "school_urn": "990102", "visit_dates": visit(6), "framework_version": "2019",
        "lead_reviewer_id": ANIKA, "reviewers": [SAM_SHADOW], "shadows": [],
    });
    let (status, done) = env.post(&format!("/v1/hubs/{DEMO_HUB_ID}/reviews"), Some(&hollie.token), body).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    let warnings = done["warnings"].as_array().unwrap();
    assert_eq!((warnings.len(), warnings[0]["user_id"].as_str()), (1, Some(SAM_SHADOW)), "{done}");
}
