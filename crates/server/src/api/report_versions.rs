//! Issuing the report to the school and reading its versions (issue 10):
//! `POST /v1/reviews/{id}/issue`, `GET /v1/reviews/{id}/versions`, `GET /v1/reviews/{id}/versions/{n}`.

use super::blocking;
use super::extract::{JsonBody, ReviewId, VersionNumber};
use crate::auth::AuthDevice;
use crate::error::ApiError;
use crate::store::now_ms;
use crate::store::report_versions::ReportVersion;
use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
pub use qar_core::protocol::reports::{IssueReply, IssueRequest};
use qar_core::protocol::ErrorBody;

/// Hub coordinator of the review's hub (or an admin), while the review is approved and the
/// report is still the approved one. Freezes the next version, moves the review to `issued`,
/// writes an audit entry. Issuing the same approved report again changes nothing.
#[utoipa::path(post, path = "/v1/reviews/{review_id}/issue", tag = "workflow", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id")),
    request_body = IssueRequest,
    responses(
        (status = 200, description = "Issued: the review record and the version stored", body = IssueReply),
        (status = 400, description = "reason_required (a correction needs a reason), reason_too_long, malformed_json", body = ErrorBody),
        (status = 403, description = "The permission table's reason: not_your_role, other_hub, wrong_state, review_closed", body = ErrorBody),
        (status = 404, description = "unknown_review", body = ErrorBody),
        (status = 409, description = "report_changed: not the approved report; details.current_hash", body = ErrorBody),
        (status = 422, description = "invalid_body", body = ErrorBody),
    ))]
pub async fn issue(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    JsonBody(req): JsonBody<IssueRequest>,
) -> Result<Json<IssueReply>, ApiError> {
    let store = state.store.clone();
    let reason = req.reason.unwrap_or_default();
    let (review, version) = blocking(move || Ok(store.issue_report(id, req.report_hash.trim(), &reason, &caller, now_ms())?)).await?;
    Ok(Json(IssueReply { review, version }))
}

/// The review's issued versions, oldest first: anyone on the team, its hub's coordinator, admins.
#[utoipa::path(get, path = "/v1/reviews/{review_id}/versions", tag = "workflow", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id")),
    responses(
        (status = 200, description = "Versions, oldest first", body = Vec<ReportVersion>),
        (status = 403, description = "not_your_role, other_hub", body = ErrorBody),
        (status = 404, description = "unknown_review", body = ErrorBody),
    ))]
pub async fn list_versions(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
) -> Result<Json<Vec<ReportVersion>>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.report_versions(id, &caller)?)).await?))
}

/// One version's frozen snapshot: canonical JSON, served byte for byte as stored; its SHA-256
/// is the listed `sha256` (also in the `X-QAR-Sha256` header).
#[utoipa::path(get, path = "/v1/reviews/{review_id}/versions/{version}", tag = "workflow", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id"), ("version" = u32, Path, description = "Version number, from 1")),
    responses(
        (status = 200, description = "The frozen snapshot (JSON object)", content_type = "application/json"),
        (status = 403, description = "not_your_role, other_hub", body = ErrorBody),
        (status = 404, description = "unknown_review, unknown_version", body = ErrorBody),
    ))]
pub async fn get_version(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    VersionNumber(number): VersionNumber,
) -> Result<Response, ApiError> {
    let store = state.store.clone();
    let frozen = blocking(move || Ok(store.report_version(id, number, &caller)?)).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json".to_owned()), (header::HeaderName::from_static("x-qar-sha256"), frozen.version.sha256)],
        frozen.snapshot,
    )
        .into_response())
}
