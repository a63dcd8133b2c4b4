//! Role × endpoint, cell by cell, against a real server on loopback: who gets which status
//! (and which reason code) from every endpoint. Each role gets a fresh demo server, so one
//! row's approve cannot change another row's answers.

mod common;

use common::*;
use qar_core::EntityKind;
use qar_server::auth::crypto::totp_code;
use qar_server::store::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRETS};
use qar_server::store::now_ms;
use qar_server::{AuthDevice, Role};
use serde_json::{json, Value};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    NoToken,
    RevokedDevice,
    Admin,
    Coordinator,
    OtherHubCoordinator,
    LeadReviewer,
    Reviewer,
    Shadow,
    NotOnReview,
}

const ENDPOINTS: [&str; 11] =
    ["health", "openapi", "login", "devices", "revoke", "pull", "push_evidence", "push_estimate", "approve", "return", "logout"];

/// Expected cells, in ENDPOINTS order: status, then the reason code or what the caller got.
fn expected(who: Who) -> [&'static str; 11] {
    use Who::*;
    match who {
        NoToken => ["200", "200", "401 invalid_credentials", "401 unauthenticated", "401 unauthenticated", "401 unauthenticated",
            "401 unauthenticated", "401 unauthenticated", "401 unauthenticated", "401 unauthenticated", "401 unauthenticated"],
        RevokedDevice => ["200", "200", "200", "401 device_revoked", "401 device_revoked", "401 device_revoked",
            "401 device_revoked", "401 device_revoked", "401 device_revoked", "401 device_revoked", "401 device_revoked"],
        Admin => ["200", "200", "200", "200", "200", "200 reviews=3 evidence=3",
            "200 not_your_role", "200 not_your_role", "403 not_your_role", "403 not_your_role", "200"],
        Coordinator => ["200", "200", "200", "200", "403 forbidden", "200 reviews=3 evidence=0",
            "200 not_your_role", "200 not_your_role", "200 approved", "200 returned", "200"],
        OtherHubCoordinator => ["200", "200", "401 invalid_credentials", "200", "403 forbidden", "200 reviews=0 evidence=0",
            "403 not_on_review", "403 not_on_review", "403 other_hub", "403 other_hub", "200"],
        LeadReviewer => ["200", "200", "200", "200", "403 forbidden", "200 reviews=3 evidence=3",
            "200 applied", "200 applied", "403 not_your_role", "403 not_your_role", "200"],
        Reviewer => ["200", "200", "200", "200", "403 forbidden", "200 reviews=3 evidence=3",
            "200 applied", "200 not_your_role", "403 not_your_role", "403 not_your_role", "200"],
        Shadow => ["200", "200", "401 invalid_credentials", "200", "403 forbidden", "200 reviews=3 evidence=3",
            "200 not_your_role", "200 not_your_role", "403 not_your_role", "403 not_your_role", "200"],
        NotOnReview => ["200", "200", "401 invalid_credentials", "200", "403 forbidden", "200 reviews=0 evidence=0",
            "403 not_on_review", "403 not_on_review", "403 not_your_role", "403 not_your_role", "200"],
    }
}

/// The person of each row and the e-mail they sign in with.
fn person(who: Who) -> (&'static str, &'static str) {
    match who {
        Who::NoToken => ("", "nobody@example.org"),
        Who::RevokedDevice | Who::LeadReviewer => (ANIKA, "anika.marsh@example.org"),
        Who::Admin => (ADMIN, "admin@example.org"),
        Who::Coordinator => (HOLLIE, "hollie.brennan@example.org"),
        Who::OtherHubCoordinator => (OLGA_OTHER_HUB, "user-olga-otherhub@test.invalid"),
        Who::Reviewer => (OWEN, "owen.pritchard@example.org"),
        Who::Shadow => (SAM_SHADOW, "user-sam-shadow@test.invalid"),
        Who::NotOnReview => (NADIA_NOBODY, "user-nadia-nobody@test.invalid"),
    }
}

fn cell(status: reqwest::StatusCode, body: &Value) -> String {
    if status.is_success() {
        status.as_u16().to_string()
    } else {
        format!("{} {}", status.as_u16(), body["code"].as_str().unwrap_or("?"))
    }
}

async fn row(who: Who) -> Vec<String> {
    let env = Env::demo().await;
    env.submit(HERON).await;
    env.submit(LARKSPUR).await;
    let (user, email) = person(who);
    let mut laptop = match who {
        Who::NoToken => None,
        _ => Some(env.laptop(user)),
    };
    if who == Who::RevokedDevice {
        let admin = AuthDevice { user_id: ADMIN.into(), device_id: Uuid::now_v7(), roles: vec![Role::Admin] };
        let device = laptop.as_ref().unwrap().device;
        env.srv.store().revoke_device(&admin, device, "laptop reported lost", now_ms()).unwrap();
    }
    let token = laptop.as_ref().map(|l| l.token.clone());
    let token = token.as_deref();
    let owen_spare = env.laptop(OWEN).device;
    let mut cells = Vec::new();

    let (s, b) = env.get("/v1/health", token).await;
    cells.push(cell(s, &b));
    let (s, b) = env.get("/v1/openapi.json", token).await;
    cells.push(cell(s, &b));
    let secret = DEMO_TOTP_SECRETS.iter().find(|(e, _)| *e == email).map_or("QARDEMOANIKAMARSHLEADREVIEWER234", |(_, s)| s);
    let login = json!({"email": email, "password": DEMO_PASSWORD, "totp_code": totp_code(secret, now_ms()).unwrap(),
                       "device_id": Uuid::now_v7(), "device_name": "Matrix laptop"});
    let (s, b) = env.post("/v1/auth/login", None, login).await;
    cells.push(cell(s, &b));
    let (s, b) = env.get("/v1/devices", token).await;
    cells.push(cell(s, &b));
    let (s, b) = env.post(&format!("/v1/devices/{owen_spare}/revoke"), token, json!({"reason": "matrix test"})).await;
    cells.push(cell(s, &b));

    // Pull: what the caller may read of the three demo reviews.
    let path = match &laptop {
        Some(l) => format!("/v1/sync/pull?cursor=0&limit=1000&device_id={}", l.device),
        None => "/v1/sync/pull?cursor=0&limit=1000".into(),
    };
    let (s, b) = env.get(&path, token).await;
    cells.push(if s.is_success() {
        let count = |kind: &str| b["changes"].as_array().unwrap().iter().filter(|c| c["entity"] == kind).count();
        format!("200 reviews={} evidence={}", count("review"), count("evidence"))
    } else {
        cell(s, &b)
    });

    // Push: a new note, then an estimate, each in its own push to the review in visit.
    let evidence = (EntityKind::Evidence, Uuid::now_v7(), KESTREL, vec![("activity_type", json!("learning_walk"), None), ("notes", json!("Calm corridors."), None)]);
    let estimate = (EntityKind::Estimate, estimate_id(KESTREL, "leadership"), KESTREL, vec![("area_code", json!("leadership"), None), ("value", json!("effective"), None)]);
    for op in [evidence, estimate] {
        let (s, b) = match laptop.as_mut() {
            Some(l) => env.push(l, &[op]).await,
            None => {
                let body = json!({"device_id": Uuid::now_v7(), "schema_version": 1, "ops": []});
                env.post("/v1/sync/push", None, body).await
            }
        };
        cells.push(if s.is_success() { format!("200 {}", outcomes(&b).join(",")) } else { cell(s, &b) });
    }

    // Approve (Heron Vale, submitted) and return (Larkspur Hill, submitted).
    let hash = qar_core::report_template::content_hash(&[], &[]);
    let (s, b) = env.post(&format!("/v1/reviews/{HERON}/approve"), token, json!({"report_hash": hash})).await;
    cells.push(if s.is_success() { format!("200 {}", b["fields"]["state"]["value"].as_str().unwrap_or("?")) } else { cell(s, &b) });
    let comments = json!({"comments": [{"id": Uuid::now_v7(), "target": "section:context", "text": "Say more about the school's context."}]});
    let (s, b) = env.post(&format!("/v1/reviews/{LARKSPUR}/return"), token, comments).await;
    cells.push(if s.is_success() { format!("200 {}", b["fields"]["state"]["value"].as_str().unwrap_or("?")) } else { cell(s, &b) });

    let (s, b) = env.post("/v1/auth/logout", token, Value::Null).await;
    cells.push(cell(s, &b));
    cells
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_gets_the_expected_answer_from_every_endpoint() {
    use Who::*;
    let mut wrong = Vec::new();
    for who in [NoToken, RevokedDevice, Admin, Coordinator, OtherHubCoordinator, LeadReviewer, Reviewer, Shadow, NotOnReview] {
        let got = row(who).await;
        for ((endpoint, want), got) in ENDPOINTS.iter().zip(expected(who)).zip(&got) {
            if want != got {
                wrong.push(format!("{who:?} × {endpoint}: expected '{want}', got '{got}'"));
            }
        }
    }
    assert!(wrong.is_empty(), "{} cells differ:\n{}", wrong.len(), wrong.join("\n"));
}
