//! What the published contract promises, held against the router: the shared error answers and
//! limits are in `/v1/openapi.json`, and the server refuses what the schema refuses (the cases
//! schemathesis found, `tests/contract/run.sh`).

use super::*;
use crate::auth::Role;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

/// A router over a fresh store and an administrator's token.
fn admin_router() -> (tempfile::TempDir, Router, String) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(crate::open_store(dir.path(), None, &crate::KeySource::DataDir).unwrap());
    store.test_user("user-admin", "Ada Admin", &[Role::Admin]).unwrap();
    let token = store.test_token("user-admin", uuid::Uuid::now_v7(), crate::store::now_ms()).unwrap();
    (dir, app(AppState::new(store)), token)
}

async fn call(router: &Router, token: &str, method: &str, path: &str, body: Option<&str>) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(path).header("authorization", format!("Bearer {token}"));
    if body.is_some() {
        req = req.header("content-type", "application/json");
    }
    let req = req.body(body.map_or(Body::empty(), |b| Body::from(b.to_owned()))).unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn out_of_range_query_limits_are_refused_not_clamped() {
    let (_d, r, token) = admin_router();
    for path in
        ["/v1/sync/pull?limit=0", "/v1/sync/pull?limit=5001", "/v1/sync/pull?wait_ms=25001", "/v1/schools?limit=0", "/v1/schools?limit=201"]
    {
        let (status, body) = call(&r, &token, "GET", path, None).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_query")), "{path}: {body}");
    }
    for path in ["/v1/sync/pull?limit=5000&wait_ms=0", "/v1/sync/pull?limit=1", "/v1/schools?limit=200", "/v1/schools?limit=1"] {
        let (status, body) = call(&r, &token, "GET", path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
}

#[tokio::test]
async fn integers_written_as_whole_floats_are_read_and_fractions_refused() {
    let (_d, r, token) = admin_router();
    let (status, hub) = call(&r, &token, "POST", "/v1/hubs", Some(r#"{"name": "North", "report_deadline_days": 30.0}"#)).await;
    assert_eq!(status, StatusCode::CREATED, "{hub}");
    assert_eq!(hub["report_deadline_days"], 30);
    let settings = format!("/v1/hubs/{}/settings", hub["id"].as_str().unwrap());
    let (status, hub) = call(&r, &token, "PUT", &settings, Some(r#"{"report_deadline_days": 14.0}"#)).await;
    assert_eq!((status, hub["report_deadline_days"].as_u64()), (StatusCode::OK, Some(14)), "{hub}");
    let (status, body) = call(&r, &token, "PUT", &settings, Some(r#"{"report_deadline_days": 14.5}"#)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body")), "{body}");
}

#[tokio::test]
async fn a_body_the_schema_calls_an_object_is_read_only_from_an_object() {
    let (_d, r, token) = admin_router();
    let (status, body) = call(&r, &token, "POST", "/v1/users/user-nobody/deactivate", Some("[]")).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body")), "{body}");
    for (method, path, array) in [("PUT", "/v1/users/user-nobody/home-school", "[null]"), ("PUT", "/v1/hubs/h/settings", " [30]")] {
        let (status, body) = call(&r, &token, method, path, Some(array)).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body")), "{path} {array}: {body}");
    }
    let (status, body) = call(&r, &token, "PUT", "/v1/hubs/h/settings", Some("[30")).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_json")), "{body}");
    let (status, body) = call(&r, &token, "POST", "/v1/users/user-nobody/deactivate", Some("{}")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_user")),
        "read, then refused for the unknown person: {body}"
    );
}

#[tokio::test]
async fn names_and_reasons_are_measured_as_sent() {
    let (_d, r, token) = admin_router();
    // 200 characters once trimmed, 201 as sent: the published maxLength is 200.
    let padded = json!({ "name": format!("{} ", "n".repeat(200)) }).to_string();
    let (status, body) = call(&r, &token, "POST", "/v1/hubs", Some(&padded)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid")), "{body}");
    let reason = json!({ "reason": format!("{} ", "r".repeat(300)) }).to_string();
    let (status, body) = call(&r, &token, "POST", "/v1/users/user-nobody/deactivate", Some(&reason)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_reason")), "{body}");
}

#[tokio::test]
async fn the_document_lists_the_shared_answers_and_the_limits() {
    let doc = serde_json::to_value(super::openapi::document()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let statuses = op["responses"].as_object().unwrap();
            for status in ["408", "421"] {
                assert!(statuses.contains_key(status), "{method} {path} lacks {status}");
            }
            if op.get("security").is_some() {
                assert!(statuses.contains_key("401") && statuses.contains_key("403"), "{method} {path}: signed in, so 401 and 403");
            }
            if op["requestBody"]["content"].get("application/json").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(statuses.contains_key(status), "{method} {path}: a JSON body, so {status}");
                }
            }
        }
    }
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["NewHub"]["properties"]["name"]["maxLength"], 200);
    assert_eq!(schemas["LoginRequest"]["properties"]["password"]["maxLength"], crate::auth::MAX_PASSWORD_LEN);
    assert_eq!(schemas["ReturnRequest"]["properties"]["comments"]["maxItems"], crate::store::MAX_RETURN_COMMENTS);
    assert_eq!(
        doc["components"]["responses"]["Unauthenticated"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorBody"
    );
}
