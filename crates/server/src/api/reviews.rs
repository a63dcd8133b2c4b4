//! The coordinator's workflow decisions, online only: `POST /v1/reviews/{id}/approve` and
//! `POST /v1/reviews/{id}/return`.

use super::blocking;
use super::extract::{JsonBody, ReviewId};
use crate::auth::AuthDevice;
use crate::error::ApiError;
use crate::store::{now_ms, NewComment};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use qar_core::protocol::{Change, ErrorBody};
use serde::Deserialize;
use uuid::Uuid;

/// `POST /v1/reviews/{id}/approve`: the hash of the report as the coordinator read it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ApproveRequest {
    /// `qar_core::report_template::content_hash` of the sections and estimates (hex SHA-256).
    pub report_hash: String,
}

/// One return comment; its id is made by the caller, so a retried return adds nothing twice.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReturnCommentBody {
    pub id: Uuid,
    /// `section:<code>` or `estimate:<area code>`.
    pub target: String,
    pub text: String,
}

/// `POST /v1/reviews/{id}/return`: at least one comment, none blank.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReturnRequest {
    pub comments: Vec<ReturnCommentBody>,
}

/// Hub coordinator of the review's hub only, while the review is submitted. Records state
/// `approved`, `approved_hash` and `approved_by` (server writes, synced to every laptop of the
/// review). Approving again with the same hash changes nothing.
#[utoipa::path(post, path = "/v1/reviews/{review_id}/approve", tag = "workflow", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id")),
    request_body = ApproveRequest,
    responses(
        (status = 200, description = "Approved: the review record as it now is", body = Change),
        (status = 400, description = "malformed_json", body = ErrorBody),
        (status = 403, description = "The permission table's reason: not_your_role, other_hub, wrong_state, review_closed", body = ErrorBody),
        (status = 404, description = "unknown_review", body = ErrorBody),
        (status = 409, description = "report_changed: the report is not the one approved; details.current_hash", body = ErrorBody),
        (status = 422, description = "invalid_body", body = ErrorBody),
    ))]
pub async fn approve(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    JsonBody(req): JsonBody<ApproveRequest>,
) -> Result<Json<Change>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.approve(id, req.report_hash.trim(), &caller, now_ms())?)).await?))
}

/// Hub coordinator of the review's hub only, while the review is submitted. Records state
/// `returned` and one `comment` record per comment (author, time, the report hash they were
/// made on), in one transaction; they sync down to the team. Comments already stored (same ids)
/// are not written again.
#[utoipa::path(post, path = "/v1/reviews/{review_id}/return", tag = "workflow", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id")),
    request_body = ReturnRequest,
    responses(
        (status = 200, description = "Returned: the review record as it now is", body = Change),
        (status = 400, description = "malformed_json", body = ErrorBody),
        (status = 403, description = "The permission table's reason: not_your_role, other_hub, wrong_state, review_closed", body = ErrorBody),
        (status = 404, description = "unknown_review", body = ErrorBody),
        (status = 422, description = "invalid (no comment, a blank one, an unknown target) or invalid_body", body = ErrorBody),
    ))]
pub async fn return_report(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    JsonBody(req): JsonBody<ReturnRequest>,
) -> Result<Json<Change>, ApiError> {
    let comments: Vec<NewComment> = req.comments.into_iter().map(|c| NewComment { id: c.id, target: c.target, text: c.text }).collect();
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.return_report(id, &comments, &caller, now_ms())?)).await?))
}
