use super::*;
use crate::store::ServerStore;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

fn router() -> (tempfile::TempDir, Router) {
    let (dir, _, router) = router_with_store();
    (dir, router)
}

fn router_with_store() -> (tempfile::TempDir, Arc<ServerStore>, Router) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(crate::open_store(dir.path(), None, &crate::KeySource::DataDir).unwrap());
    store.test_user("user-lead", "Lena Lead", &[]).unwrap();
    (dir, store.clone(), app(AppState::new(store)))
}

/// A signed-in device of the test person: (device id, token).
fn device(store: &ServerStore, id: uuid::Uuid) -> (uuid::Uuid, String) {
    (id, store.test_token("user-lead", id, crate::store::now_ms()).unwrap())
}

fn with_token(mut req: Request<Body>, token: &str) -> Request<Body> {
    req.headers_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    req
}

async fn call(router: &Router, req: Request<Body>) -> (StatusCode, Value) {
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn post_json(path: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path).header("content-type", "application/json").body(body.into()).unwrap()
}

#[tokio::test]
async fn health_answers() {
    let (_d, r) = router();
    let (status, body) = call(&r, Request::get("/v1/health").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert!(body["server_time_ms"].as_u64().unwrap() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_the_store_and_liveness_does_not() {
    let (dir, _store, r) = router_with_store();
    let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
    assert_eq!(call(&r, get("/livez")).await, (StatusCode::OK, json!({"status": "alive"})));
    assert_eq!(call(&r, get("/readyz")).await, (StatusCode::OK, json!({"status": "ready"})));
    // A store that no longer reads (its tables gone under it): not ready, and says why; still alive.
    let conn = crate::store::pg_testkit::connect_for_test(dir.path()).unwrap();
    conn.execute_batch("DROP TABLE meta").unwrap();
    let (status, body) = call(&r, get("/readyz")).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("not_ready")), "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("meta")), "{body}");
    assert_eq!(call(&r, get("/livez")).await.0, StatusCode::OK);
}

#[tokio::test]
async fn bad_requests_get_clear_json_errors_and_write_nothing() {
    let (_d, store, r) = router_with_store();
    let (device, token) = device(&store, uuid::Uuid::now_v7());
    let big_note = "x".repeat(MAX_BODY_BYTES);
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (post_json("/v1/sync/push", "{not json"), StatusCode::BAD_REQUEST, "malformed_json"),
        (post_json("/v1/sync/push", r#"{"device_id": 5, "ops": []}"#), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
        (
            Request::post("/v1/sync/push").header("content-type", "text/plain").body(Body::from("{}")).unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected_json",
        ),
        (
            post_json("/v1/sync/push", json!({"device_id": device, "schema_version": 1, "ops": [], "pad": big_note}).to_string()),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
        // An op without the parts every schema's op has (seq, id, …) is a malformed body; an
        // op of an old schema is refused alone inside a 200 (tests/it/schema_versions.rs).
        (
            post_json("/v1/sync/push", json!({"device_id": device, "schema_version": 1, "ops": [{"seq": 1}]}).to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (Request::get("/v1/sync/pull?cursor=-4").body(Body::empty()).unwrap(), StatusCode::BAD_REQUEST, "bad_query"),
        (Request::get("/v1/nothing").body(Body::empty()).unwrap(), StatusCode::NOT_FOUND, "not_found"),
        (Request::delete("/v1/sync/push").body(Body::empty()).unwrap(), StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
    ];
    for (req, want_status, want_code) in cases {
        let label = format!("{} {}", req.method(), req.uri());
        let (status, body) = call(&r, with_token(req, &token)).await;
        assert_eq!(status, want_status, "{label}: {body}");
        assert_eq!(body["code"], want_code, "{label}: {body}");
        assert!(!body["message"].as_str().unwrap_or("").is_empty(), "{label} has a message");
    }
    let (_, page) = call(&r, with_token(Request::get("/v1/sync/pull").body(Body::empty()).unwrap(), &token)).await;
    assert_eq!(page["changes"], json!([]), "nothing was written");
    assert_eq!(store.counts().unwrap(), (0, 0));
}

#[tokio::test]
async fn push_then_pull_over_http() {
    let (_d, store, r) = router_with_store();
    let (device, token) = device(&store, uuid::Uuid::now_v7());
    let review = uuid::Uuid::now_v7();
    let body = json!({
        "device_id": device, "schema_version": 1,
        "ops": [{"seq": 1, "entity": "review", "id": review, "review_id": review,
                 "fields": {"school_name": {"value": "Heron Vale Academy", "base": null}},
                 "hlc": "1795000000000-0000000000-0000000000000001", "schema_version": 1}]
    });
    let (status, reply) = call(&r, with_token(post_json("/v1/sync/push", body.to_string()), &token)).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["acked_through"], 1);
    assert_eq!(reply["results"][0]["status"], "applied");
    let (_, page) = call(&r, with_token(Request::get("/v1/sync/pull?cursor=0&limit=10").body(Body::empty()).unwrap(), &token)).await;
    assert_eq!(page["changes"][0]["fields"]["school_name"]["value"], "Heron Vale Academy");
    assert_eq!(page["cursor"], 1);
}

#[tokio::test]
async fn a_waiting_pull_answers_when_another_device_pushes() {
    let (_dir, store, r) = router_with_store();
    let (_, waiter) = device(&store, uuid::Uuid::now_v7());
    let (_, pusher) = device(&store, "01900000-0000-7000-8000-000000000007".parse().unwrap());
    let review = uuid::Uuid::now_v7();
    let waiting = {
        let (r, waiter) = (r.clone(), waiter.clone());
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let req = Request::get("/v1/sync/pull?cursor=0&wait_ms=5000").body(Body::empty()).unwrap();
            let (status, page) = call(&r, with_token(req, &waiter)).await;
            (status, page, started.elapsed())
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let body = json!({
        // Device id whose clock node (its last 8 bytes, 8000000000000007) is the node of the stamp below.
        "device_id": "01900000-0000-7000-8000-000000000007", "schema_version": 1, "pull_cursor": 0,
        "ops": [{"seq": 1, "entity": "review", "id": review, "review_id": review,
                 "fields": {"school_name": {"value": "Heron Vale Academy", "base": null}},
                 "hlc": "1795000000000-0000000000-8000000000000007", "schema_version": 1}]
    });
    let (status, reply) = call(&r, with_token(post_json("/v1/sync/push", body.to_string()), &pusher)).await;
    assert_eq!(status, StatusCode::OK);
    let echo = &reply["pull"]["changes"][0]["fields"];
    assert!(
        echo["school_name"].is_null() && echo["team"]["value"].is_array(),
        "the pusher is not sent its own write, only the server's: {echo}"
    );
    assert_eq!(reply["pull"]["cursor"], 1);
    let (status, page, waited) = waiting.await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["changes"][0]["fields"]["school_name"]["value"], "Heron Vale Academy");
    assert!(waited < std::time::Duration::from_millis(3000), "answered on the push, not at the deadline: {waited:?}");
    let (_, empty) = call(&r, with_token(Request::get("/v1/sync/pull?cursor=1&wait_ms=50").body(Body::empty()).unwrap(), &waiter)).await;
    assert_eq!(empty["changes"], json!([]), "nothing new: answers empty at the deadline");
}

#[tokio::test]
async fn the_openapi_document_covers_every_route_and_the_error_body() {
    let (_d, r) = router();
    let (status, doc) = call(&r, Request::get("/v1/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let routes = [
        ("/v1/health", "get"),
        ("/v1/openapi.json", "get"),
        ("/v1/sync/push", "post"),
        ("/v1/sync/pull", "get"),
        ("/v1/auth/login", "post"),
        ("/v1/auth/logout", "post"),
        ("/v1/devices", "get"),
        ("/v1/devices/{device_id}/revoke", "post"),
        ("/v1/reviews/{review_id}/approve", "post"),
        ("/v1/reviews/{review_id}/return", "post"),
        ("/v1/reviews/{review_id}/issue", "post"),
        ("/v1/reviews/{review_id}/versions", "get"),
        ("/v1/reviews/{review_id}/versions/{version}", "get"),
        ("/v1/devices/{device_id}/release", "post"),
        // Hub administration and scheduling (issue 9); two methods on a path count once.
        ("/v1/hubs", "get"),
        ("/v1/hubs", "post"),
        ("/v1/hubs/{hub_id}/settings", "put"),
        ("/v1/hubs/{hub_id}/schools", "get"),
        ("/v1/hubs/{hub_id}/schools", "post"),
        ("/v1/hubs/{hub_id}/reviews", "post"),
        ("/v1/hubs/{hub_id}/overview", "get"),
        ("/v1/schools", "get"),
        ("/v1/schools/import", "post"),
        ("/v1/users", "get"),
        ("/v1/users/{user_id}/roles", "put"),
        ("/v1/users/{user_id}/deactivate", "post"),
        ("/v1/invitations", "post"),
        ("/v1/invitations/redeem", "post"),
        ("/v1/invitations/confirm", "post"),
        ("/v1/reviews/{review_id}/team", "put"),
        ("/v1/reviews/{review_id}/adopt", "post"),
        ("/v1/reviews/{review_id}/visit", "put"),
        ("/v1/users/{user_id}/home-school", "put"),
        // Probes for load balancers (issue 20).
        ("/livez", "get"),
        ("/readyz", "get"),
        // Undelivered mail (issue 22).
        ("/v1/mail/dead", "get"),
        ("/v1/mail/{message_id}/resend", "post"),
        // Attachment bytes (issue 19).
        ("/v1/reviews/{review_id}/blobs/{sha256}", "get"),
        // A photo the report shows, for whoever may read the report (issue 19, decision 97).
        ("/v1/reviews/{review_id}/report/photos/{sha256}", "get"),
        ("/v1/reviews/{review_id}/blobs/{sha256}/upload", "get"),
        ("/v1/reviews/{review_id}/blobs/{sha256}/upload", "patch"),
        // Retention (issue 24).
        ("/v1/retention", "get"),
        ("/v1/retention", "put"),
        // Subject access (issue 24).
        ("/v1/users/{user_id}/subject-access", "post"),
        ("/v1/users/{user_id}/erase", "post"),
        // The host school's headteacher (issue 22).
        ("/v1/reviews/{review_id}/versions/{version}/pdf", "get"),
        ("/v1/reviews/{review_id}/versions/{version}/docx", "get"),
        ("/v1/hubs/{hub_id}/schools/{urn}/headteacher", "post"),
        ("/v1/schools/{urn}/reviews", "get"),
        // Hub insights (issue 23).
        ("/v1/insights", "get"),
        // The register of Areas of Excellence (issue 23).
        ("/v1/register/search", "get"),
        ("/v1/register/changes", "get"),
        ("/v1/register/hubs/{hub_id}", "get"),
        ("/v1/register/entries/{review_id}", "get"),
        ("/v1/register/entries/{review_id}", "put"),
        ("/v1/register/entries/{review_id}/consent", "put"),
        ("/v1/register/entries/{review_id}/visit-requests", "post"),
        ("/v1/schools/{urn}/visit-requests", "get"),
        ("/v1/schools/{urn}/register", "get"),
        // Each review builds on the last (issue 23).
        ("/v1/reviews/{review_id}/previous-review", "get"),
        ("/v1/reviews/{review_id}/previous-review", "put"),
        // The host school's statement and factual-accuracy check (issue 22).
        ("/v1/reviews/{review_id}/school-statement", "get"),
        ("/v1/reviews/{review_id}/school-statement", "put"),
        ("/v1/hubs/{hub_id}/accuracy-window", "put"),
        ("/v1/reviews/{review_id}/accuracy-check", "get"),
        ("/v1/reviews/{review_id}/accuracy-check/comments", "post"),
        ("/v1/reviews/{review_id}/accuracy-check/finish", "post"),
    ];
    for (path, method) in routes {
        assert!(doc["paths"][path][method].is_object(), "{method} {path} is documented");
    }
    let distinct: std::collections::BTreeSet<&str> = routes.iter().map(|(p, _)| *p).collect();
    assert_eq!(doc["paths"].as_object().unwrap().len(), distinct.len(), "no route left out, none invented");
    let schemas = [
        "ErrorBody",
        "NewHeadteacher",
        "SchoolReview",
        "BlobStatus",
        "PushRequest",
        "PushResponse",
        "PullResponse",
        "Op",
        "OpOutcome",
        "LoginRequest",
        "DeviceInfo",
        "ApproveRequest",
        "ReturnRequest",
        "ReturnCommentBody",
        "Change",
        "VisitChange",
        "VisitChanged",
        "OutboxMail",
        "HomeSchool",
        "HomeSchoolSet",
    ];
    for schema in schemas {
        assert!(doc["components"]["schemas"][schema].is_object(), "schema {schema}");
    }
    // Issue 15: the push answer's optional clock_ahead, documented and optional.
    assert!(doc["components"]["schemas"]["ClockAhead"]["properties"]["server_time_ms"].is_object(), "schema ClockAhead");
    let required = doc["components"]["schemas"]["PushResponse"]["required"].as_array().cloned().unwrap_or_default();
    assert!(!required.contains(&serde_json::json!("clock_ahead")), "older clients need not know it");
    assert_eq!(
        doc["paths"]["/v1/sync/push"]["post"]["responses"]["409"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorBody"
    );
}

#[tokio::test]
async fn sync_needs_a_sign_in_and_the_signed_in_device() {
    let (_d, store, r) = router_with_store();
    let (device, token) = device(&store, uuid::Uuid::now_v7());
    let other = uuid::Uuid::now_v7();
    let push = |id: uuid::Uuid| post_json("/v1/sync/push", json!({"device_id": id, "schema_version": 1, "ops": []}).to_string());
    let (status, body) = call(&r, push(device)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));
    let (status, body) = call(&r, with_token(push(other), &token)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("device_mismatch")), "{body}");
    let pull = Request::get(format!("/v1/sync/pull?device_id={other}")).body(Body::empty()).unwrap();
    let (status, body) = call(&r, with_token(pull, &token)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("device_mismatch")));
    let (status, _) = call(&r, with_token(push(device), &token)).await;
    assert_eq!(status, StatusCode::OK);
    // A well-formed id of no review is not found; anything but a UUID is the client's mistake.
    let path = format!("/v1/reviews/{other}/approve");
    let (status, body) = call(&r, with_token(post_json(&path, r#"{"report_hash": "x"}"#), &token)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_review")), "{path}");
    let (status, body) = call(&r, with_token(post_json("/v1/reviews/not-a-uuid/approve", r#"{"report_hash": "x"}"#), &token)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_review_id")), "{body}");
}

/// Issue 16: the JSON body and review-id extractors answer every route alike, with axum's
/// statuses and our `{code, message}` body, before any rule runs.
#[tokio::test]
async fn the_extractors_refuse_bad_bodies_and_bad_review_ids_with_json_errors() {
    let (_d, store, r) = router_with_store();
    let (_, token) = device(&store, uuid::Uuid::now_v7());
    let review = uuid::Uuid::now_v7();
    let approve = format!("/v1/reviews/{review}/approve");
    let typed = |path: &str, content_type: &str, body: &'static str| {
        Request::post(path).header("content-type", content_type).body(Body::from(body)).unwrap()
    };
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (post_json(&approve, "{\"report_hash\": "), StatusCode::BAD_REQUEST, "malformed_json"),
        (typed(&approve, "text/plain", r#"{"report_hash": "x"}"#), StatusCode::UNSUPPORTED_MEDIA_TYPE, "expected_json"),
        (Request::post(&approve).body(Body::from(r#"{"report_hash": "x"}"#)).unwrap(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "expected_json"),
        (post_json(&approve, r#"{"report_hash": 7}"#), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
        (post_json(&approve, r#"{}"#), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
        (post_json("/v1/hubs", r#"{"name": "North"#), StatusCode::BAD_REQUEST, "malformed_json"),
        (post_json("/v1/hubs", "[1, 2]"), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
        (post_json("/v1/reviews/42/approve", r#"{"report_hash": "x"}"#), StatusCode::BAD_REQUEST, "invalid_review_id"),
        (post_json("/v1/reviews/%FF%FE/return", r#"{"comments": []}"#), StatusCode::BAD_REQUEST, "invalid_review_id"),
        (
            Request::put("/v1/reviews/not-a-review/team").header("content-type", "application/json").body(Body::from("{}")).unwrap(),
            StatusCode::BAD_REQUEST,
            "invalid_review_id",
        ),
        (Request::get("/v1/reviews/not-a-review/versions").body(Body::empty()).unwrap(), StatusCode::BAD_REQUEST, "invalid_review_id"),
        (Request::get("/v1/reviews/not-a-review/versions/1").body(Body::empty()).unwrap(), StatusCode::BAD_REQUEST, "invalid_review_id"),
        (Request::get(format!("/v1/reviews/{review}/versions/0")).body(Body::empty()).unwrap(), StatusCode::NOT_FOUND, "unknown_version"),
        (Request::get(format!("/v1/reviews/{review}/versions/two")).body(Body::empty()).unwrap(), StatusCode::NOT_FOUND, "unknown_version"),
        (Request::post("/v1/reviews/x/adopt").body(Body::empty()).unwrap(), StatusCode::BAD_REQUEST, "invalid_review_id"),
        (Request::post("/v1/devices/laptop-7/release").body(Body::empty()).unwrap(), StatusCode::BAD_REQUEST, "invalid_device_id"),
        (post_json("/v1/devices/laptop-7/revoke", r#"{"reason": "lost"}"#), StatusCode::BAD_REQUEST, "invalid_device_id"),
        (Request::get("/v1/sync/pull?limit=many").body(Body::empty()).unwrap(), StatusCode::BAD_REQUEST, "bad_query"),
    ];
    for (req, want_status, want_code) in cases {
        let label = format!("{} {}", req.method(), req.uri());
        let resp = r.clone().oneshot(with_token(req, &token)).await.unwrap();
        let status = resp.status();
        assert_eq!(resp.headers()["content-type"], "application/json", "{label}");
        let logged = resp.extensions().get::<crate::error::ErrorLog>().map(|l| l.code.as_str());
        assert_eq!(logged, Some(want_code), "{label}: the error layer sees the code");
        let body: Value = serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap();
        assert_eq!((status, body["code"].as_str()), (want_status, Some(want_code)), "{label}: {body}");
        assert!(!body["message"].as_str().unwrap_or("").is_empty(), "{label} has a message");
    }
    assert_eq!(store.counts().unwrap(), (0, 0), "nothing was written");
}

/// An internal error tells the client only that nothing changed; its cause goes to the log.
#[test]
fn an_internal_error_keeps_its_cause_out_of_the_reply() {
    let resp = axum::response::IntoResponse::into_response(ApiError::internal("disk I/O error at /srv/qar/qar-server.db"));
    assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let log = resp.extensions().get::<crate::error::ErrorLog>().unwrap();
    assert_eq!(log.cause.as_deref(), Some("disk I/O error at /srv/qar/qar-server.db"));
    assert!(!log.message.contains("/srv"), "the reply's message names no file");
}

/// The store says what went wrong; the status follows from it in `error.rs` alone.
#[test]
fn store_refusals_get_their_status_from_the_code_or_the_variant() {
    use crate::store::StoreError;
    use qar_core::ErrorCode;
    let reply = |e: StoreError| ApiError::from(e).status;
    let refused = |code| StoreError::Refused { code, message: "m".into(), details: Value::Null };
    assert_eq!(reply(refused(ErrorCode::UnknownSchool)), StatusCode::NOT_FOUND);
    assert_eq!(
        reply(StoreError::UnknownReference { code: ErrorCode::UnknownSchool, message: "m".into(), details: Value::Null }),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a school named in the body is the request's fault"
    );
    assert_eq!(reply(refused(ErrorCode::ReviewClosed)), StatusCode::CONFLICT);
    assert_eq!(reply(StoreError::Denied { code: ErrorCode::ReviewClosed, message: "m".into() }), StatusCode::FORBIDDEN);
    assert_eq!(reply(refused(ErrorCode::CodeExpired)), StatusCode::GONE);
    assert_eq!(reply(refused(ErrorCode::ReasonRequired)), StatusCode::BAD_REQUEST);
}
