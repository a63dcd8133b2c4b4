use super::blocking;
use crate::error::ApiError;
use crate::store::now_ms;
use crate::AppState;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use qar_core::protocol::{PullResponse, PushRequest, PushResponse};
use serde::Deserialize;

/// Most ops accepted in one push; clients send at most 1,000.
pub const MAX_OPS_PER_PUSH: usize = 5000;

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
    let reply = blocking(move || Ok(store.push(&req, now_ms())?)).await?;
    Ok(Json(reply))
}

#[derive(Debug, Deserialize)]
pub struct PullParams {
    #[serde(default)]
    cursor: u64,
    #[serde(default = "default_limit")]
    limit: u32,
}

fn default_limit() -> u32 {
    1000
}

pub async fn pull(
    State(state): State<AppState>,
    params: Result<Query<PullParams>, QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    let Query(p) = params?;
    let store = state.store.clone();
    let page = blocking(move || Ok(store.pull(p.cursor, p.limit, now_ms())?)).await?;
    Ok(Json(page))
}
