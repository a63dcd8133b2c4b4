//! Sign-in, the `AuthDevice` extractor and the device registry over HTTP (`app(state)` driven
//! with `oneshot`, no socket), against the demo data folder.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use http_body_util::BodyExt;
use qar_server::auth::crypto::totp_code;
use qar_server::auth::{LoginRequest, TOKEN_TTL_MS};
use qar_server::store::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRETS};
use qar_server::store::now_ms;
use qar_server::{app, AppState, AuthDevice, ServerStore};
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;
use uuid::Uuid;

const ANIKA: &str = "anika.marsh@example.org";
const OWEN: &str = "owen.pritchard@example.org";
const ADMIN: &str = "admin@example.org";

/// The test-only route: answers with the extractor's view of the caller.
async fn whoami(device: AuthDevice) -> Json<AuthDevice> {
    Json(device)
}

struct Harness {
    dir: tempfile::TempDir,
    store: Arc<ServerStore>,
    router: Router,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(crate::common::open_store(dir.path()));
    store.seed_demo(now_ms()).unwrap();
    let state = AppState::new(store.clone());
    let router = app(state.clone()).merge(Router::new().route("/test/whoami", get(whoami)).with_state(state));
    Harness { dir, store, router }
}

fn secret(email: &str) -> &'static str {
    DEMO_TOTP_SECRETS.iter().find(|(e, _)| *e == email).unwrap().1
}

fn login_body(email: &str, password: &str, code: &str, device: Uuid) -> String {
    json!({"email": email, "password": password, "totp_code": code, "device_id": device, "device_name": "Test laptop"}).to_string()
}

fn post_json(path: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path).header("content-type", "application/json").body(body.into()).unwrap()
}

fn authed(method: &str, path: &str, token: &str, body: Option<Value>) -> Request<Body> {
    let b = Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
    match body {
        Some(v) => b.header("content-type", "application/json").body(Body::from(v.to_string())).unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

impl Harness {
    async fn call_full(&self, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let (status, headers) = (resp.status(), resp.headers().clone());
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (status, headers, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn call(&self, req: Request<Body>) -> (StatusCode, Value) {
        let (s, _, v) = self.call_full(req).await;
        (s, v)
    }

    /// Signs a demo person in now on `device`; returns the token.
    async fn sign_in(&self, email: &str, device: Uuid) -> String {
        let code = totp_code(secret(email), now_ms()).unwrap();
        let (status, body) = self.call(post_json("/v1/auth/login", login_body(email, DEMO_PASSWORD, &code, device))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn a_signed_in_laptops_token_is_accepted_by_the_extractor() {
    let h = harness();
    let device = Uuid::now_v7();
    let code = totp_code(secret(ANIKA), now_ms()).unwrap();
    let (status, body) = h.call(post_json("/v1/auth/login", login_body(ANIKA, DEMO_PASSWORD, &code, device))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"], json!({"id": "user-anika-marsh", "name": "Dr Anika Marsh", "email": ANIKA, "roles": []}));
    let expires = body["expires_at_ms"].as_u64().unwrap();
    assert!(expires > now_ms() + TOKEN_TTL_MS - 60_000 && expires <= now_ms() + TOKEN_TTL_MS);
    let token = body["token"].as_str().unwrap();

    let (status, me) = h.call(authed("GET", "/test/whoami", token, None)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me, json!({"user_id": "user-anika-marsh", "device_id": device, "roles": []}));

    let (status, list) = h.call(authed("GET", "/v1/devices", token, None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["device_id"], json!(device));
    assert_eq!(list[0]["name"], "Test laptop");
    assert_eq!(list[0]["status"], "active");
    assert!(!list.to_string().contains(token) && list[0].get("token_hash").is_none(), "{list}");

    // The token is nowhere on disk: not in the database, not in its WAL.
    for entry in std::fs::read_dir(h.dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()), "the token was stored in clear");
    }
}

#[tokio::test]
async fn wrong_password_wrong_code_and_unknown_email_get_identical_401s() {
    let h = harness();
    let code = totp_code(secret(ANIKA), now_ms()).unwrap();
    let wrong_code = format!("{:06}", (code.parse::<u32>().unwrap() + 500_000) % 1_000_000);
    let attempts = [
        login_body(ANIKA, "not-the-password", &code, Uuid::now_v7()),
        login_body(ANIKA, DEMO_PASSWORD, &wrong_code, Uuid::now_v7()),
        login_body("nobody.here@example.org", DEMO_PASSWORD, &code, Uuid::now_v7()),
    ];
    let mut bodies = Vec::new();
    for a in attempts {
        let (status, body) = h.call(post_json("/v1/auth/login", a)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["code"], "invalid_credentials");
        bodies.push(body);
    }
    assert_eq!(bodies[0], bodies[1]);
    assert_eq!(bodies[1], bodies[2]);
}

/// Issue 15: five failures for an e-mail make *that address* wait (1 s, then doubling), with
/// `Retry-After`; no 15-minute lock. The owner elsewhere is unaffected (tests/wire_throttle.rs).
#[tokio::test]
async fn failed_sign_ins_from_one_address_back_off_with_retry_after() {
    let h = harness();
    let device = Uuid::now_v7();
    for i in 1..=5 {
        let (status, body) = h.call(post_json("/v1/auth/login", login_body(OWEN, "guess", "123456", device))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}: {body}");
    }
    let code = totp_code(secret(OWEN), now_ms()).unwrap();
    let (status, headers, body) = h.call_full(post_json("/v1/auth/login", login_body(OWEN, DEMO_PASSWORD, &code, device))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["code"], "too_many_attempts");
    assert_eq!(body["details"]["retry_after_s"].as_u64(), Some(1));
    assert_eq!(headers.get(header::RETRY_AFTER).unwrap(), "1");
    assert!(body["message"].as_str().unwrap().contains("a minute"));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, body) = h.call(post_json("/v1/auth/login", login_body(OWEN, DEMO_PASSWORD, &code, device))).await;
    assert_eq!(status, StatusCode::OK, "after the wait the right credentials get in: {body}");
}

#[tokio::test]
async fn missing_malformed_and_unknown_tokens_are_refused() {
    let h = harness();
    let (status, headers, body) = h.call_full(Request::get("/test/whoami").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "unauthenticated");
    assert!(headers.get(header::WWW_AUTHENTICATE).unwrap().to_str().unwrap().starts_with("Bearer"));
    for value in ["Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Bearer", "Bearer ", "Bearer two words", "qar1_abc"] {
        let req = Request::get("/test/whoami").header(header::AUTHORIZATION, value).body(Body::empty()).unwrap();
        let (status, body) = h.call(req).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")), "{value}");
    }
    let (status, body) = h.call(authed("GET", "/v1/devices", "qar1_not-a-real-token", None)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_token")));
    let (status, body) = h.call(Request::post("/v1/auth/logout").body(Body::empty()).unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));
}

#[tokio::test]
async fn an_expired_token_gets_token_expired() {
    let h = harness();
    let then = now_ms() - TOKEN_TTL_MS - 3_600_000;
    let device = Uuid::now_v7();
    let req = LoginRequest {
        email: ANIKA.into(),
        password: DEMO_PASSWORD.into(),
        totp_code: totp_code(secret(ANIKA), then).unwrap(),
        device_id: device,
        device_name: "Old laptop".into(),
    };
    let grant = h.store.login(&req, then).unwrap();
    let (status, body) = h.call(authed("GET", "/test/whoami", &grant.token, None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "token_expired");
    assert_eq!(body["details"]["expired_ms"], grant.expires_at_ms);
}

#[tokio::test]
async fn only_an_admin_revokes_and_the_revoked_laptop_is_told_why() {
    let h = harness();
    let laptop = Uuid::now_v7();
    let anika = h.sign_in(ANIKA, laptop).await;
    let owen = h.sign_in(OWEN, Uuid::now_v7()).await;
    let admin = h.sign_in(ADMIN, Uuid::now_v7()).await;
    let path = format!("/v1/devices/{laptop}/revoke");
    let reason = json!({"reason": "laptop reported stolen"});

    for token in [&owen, &anika] {
        let (status, body) = h.call(authed("POST", &path, token, Some(reason.clone()))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "forbidden");
        assert!(body["message"].as_str().unwrap().contains("Only an administrator"), "{body}");
    }
    let (_, list) = h.call(authed("GET", "/v1/devices", &owen, None)).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "Owen sees only his own laptop");
    let (_, list) = h.call(authed("GET", "/v1/devices", &admin, None)).await;
    assert_eq!(list.as_array().unwrap().len(), 3, "the admin sees every laptop");

    let bad = [
        (authed("POST", "/v1/devices/not-a-uuid/revoke", &admin, Some(reason.clone())), StatusCode::BAD_REQUEST, "invalid_device_id"),
        (
            authed("POST", &format!("/v1/devices/{}/revoke", Uuid::now_v7()), &admin, Some(reason.clone())),
            StatusCode::NOT_FOUND,
            "device_not_found",
        ),
        (authed("POST", &path, &admin, Some(json!({"reason": ""}))), StatusCode::UNPROCESSABLE_ENTITY, "invalid_reason"),
        (authed("POST", &path, &admin, Some(json!({}))), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
    ];
    for (req, want_status, want_code) in bad {
        let label = req.uri().to_string();
        let (status, body) = h.call(req).await;
        assert_eq!((status, body["code"].as_str()), (want_status, Some(want_code)), "{label}: {body}");
    }
    let (status, _) = h.call(authed("GET", "/test/whoami", &anika, None)).await;
    assert_eq!(status, StatusCode::OK, "refused revocations changed nothing");

    let (status, info) = h.call(authed("POST", &path, &admin, Some(reason))).await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert_eq!(info["status"], "revoked");
    assert_eq!(info["revoked_reason"], "laptop reported stolen");

    let (status, body) = h.call(authed("GET", "/test/whoami", &anika, None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "device_revoked");
    assert_eq!(body["message"], "This laptop was signed out by an administrator: laptop reported stolen. Unsent work is kept on it.");
    assert_eq!(body["details"]["reason"], "laptop reported stolen");
}

#[tokio::test]
async fn logout_signs_out_the_callers_own_laptop() {
    let h = harness();
    let token = h.sign_in(OWEN, Uuid::now_v7()).await;
    let (status, info) = h.call(authed("POST", "/v1/auth/logout", &token, None)).await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert_eq!(info["status"], "revoked");
    let (status, body) = h.call(authed("GET", "/v1/devices", &token, None)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("device_revoked")));
    assert!(body["message"].as_str().unwrap().starts_with("This laptop was signed out (signed out on the laptop)"), "{body}");
}

#[tokio::test]
async fn bad_sign_in_bodies_get_json_errors_not_500s() {
    let h = harness();
    let cases = [
        ("{not json".to_owned(), StatusCode::BAD_REQUEST, "malformed_json"),
        (json!({"email": ANIKA, "password": "x", "totp_code": "1"}).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
        (
            json!({"email": ANIKA, "password": "x", "totp_code": "1", "device_id": "laptop-1"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({"email": ANIKA, "password": "x", "totp_code": "1", "device_id": Uuid::now_v7(), "device_name": "n".repeat(500)})
                .to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_device_name",
        ),
    ];
    for (body, want_status, want_code) in cases {
        let (status, reply) = h.call(post_json("/v1/auth/login", body.clone())).await;
        assert_eq!((status, reply["code"].as_str()), (want_status, Some(want_code)), "{body}: {reply}");
    }
    let (status, reply) = h.call(Request::get("/v1/auth/login").body(Body::empty()).unwrap()).await;
    assert_eq!((status, reply["code"].as_str()), (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed")));
}
