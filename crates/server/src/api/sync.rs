use super::blocking;
use crate::error::ApiError;
use crate::store::now_ms;
use crate::AppState;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use qar_core::protocol::{ErrorBody, PullResponse, PushRequest, PushResponse};
use serde::Deserialize;

/// Most ops accepted in one push; clients send at most 1,000.
pub const MAX_OPS_PER_PUSH: usize = 5000;

/// Applies a device's ops in one transaction with its high-water mark, answering only after
/// commit; optionally returns the first page of news (`pull_cursor`).
#[utoipa::path(post, path = "/v1/sync/push", tag = "sync", request_body = PushRequest,
    responses(
        (status = 200, description = "Per-op results; everything up to acked_through is durable", body = PushResponse),
        (status = 400, description = "malformed_json or not_contiguous", body = ErrorBody),
        (status = 409, description = "seq_gap: push the earlier ops first; details.expected", body = ErrorBody),
        (status = 413, description = "body_too_large or too_many_ops", body = ErrorBody),
        (status = 415, description = "expected_json", body = ErrorBody),
        (status = 422, description = "invalid_body (wrong field types)", body = ErrorBody),
        (status = 426, description = "update_required: the app's data schema is too old", body = ErrorBody),
    ))]
pub async fn push(
    State(state): State<AppState>,
    body: Result<Json<PushRequest>, JsonRejection>,
) -> Result<Json<PushResponse>, ApiError> {
    let Json(req) = body?;
    if req.ops.len() > MAX_OPS_PER_PUSH {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_ops",
            format!("{} ops in one push; send at most {MAX_OPS_PER_PUSH} at a time", req.ops.len()),
        ));
    }
    let store = state.store.clone();
    let reply = blocking(move || {
        let mut reply = store.push(&req, now_ms())?;
        if let Some(cursor) = req.pull_cursor {
            reply.pull = Some(store.pull(cursor, DEFAULT_PULL_LIMIT, Some(req.device_id), now_ms())?);
        }
        Ok(reply)
    })
    .await?;
    Ok(Json(reply))
}

/// Changes per page unless the client asks otherwise.
pub const DEFAULT_PULL_LIMIT: u32 = 1000;
/// Longest a pull may wait for news. Below common proxy idle timeouts (30–60 s).
pub const MAX_WAIT_MS: u64 = 25_000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullParams {
    #[serde(default)]
    cursor: u64,
    #[serde(default = "default_limit")]
    limit: u32,
    /// The asking device: its own writes are not sent back to it.
    device_id: Option<uuid::Uuid>,
    /// Long-poll: when nothing is new, wait up to this long for a change before answering.
    #[serde(default)]
    wait_ms: u64,
}

fn default_limit() -> u32 {
    DEFAULT_PULL_LIMIT
}

/// Records changed after the cursor, in server order, without the asker's own writes.
#[utoipa::path(get, path = "/v1/sync/pull", tag = "sync", params(PullParams),
    responses(
        (status = 200, description = "A page of changes and the next cursor", body = PullResponse),
        (status = 400, description = "bad_query", body = ErrorBody),
    ))]
pub async fn pull(
    State(state): State<AppState>,
    params: Result<Query<PullParams>, QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    let Query(p) = params?;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(p.wait_ms.min(MAX_WAIT_MS));
    let mut latest = state.store.subscribe();
    let mut cursor = p.cursor;
    loop {
        let store = state.store.clone();
        let page = blocking(move || Ok(store.pull(cursor, p.limit, p.device_id, now_ms())?)).await?;
        // Answer with news, with a cursor that moved (even past only our own writes), or at the end.
        if !page.changes.is_empty() || page.cursor != p.cursor || tokio::time::Instant::now() >= deadline {
            return Ok(Json(page));
        }
        cursor = page.cursor;
        // Sleep until a commit announces a newer seq, or until the deadline.
        let newer = latest.wait_for(|seq| *seq > cursor);
        if tokio::time::timeout_at(deadline, newer).await.is_err() {
            let store = state.store.clone();
            let page = blocking(move || Ok(store.pull(cursor, p.limit, p.device_id, now_ms())?)).await?;
            return Ok(Json(page));
        }
    }
}
