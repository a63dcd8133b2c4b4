//! The host school's factual-accuracy check (issue 22): the hub sets how many days a school has
//! to check its approved report; the school's headteacher comments on matters of fact and says
//! when they have finished; issuing waits for that or for the days to pass. The school's web
//! pages call the same store functions.

use super::blocking;
use super::extract::{JsonBody, ReviewId};
use crate::auth::AuthDevice;
use crate::error::ApiError;
use crate::store::accuracy_check::{AccuracyCheck, AccuracyComment, AccuracyCommentRequest, AccuracySection};
use crate::store::now_ms;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use qar_core::accuracy_check::AccuracyWindow;
use qar_core::protocol::admin::{AccuracyWindowSetting, HubInfo};
use qar_core::protocol::ErrorBody;
use utoipa::OpenApi;

/// Sets how many days a school of this hub has to check an approved report for factual
/// accuracy (0 turns the check off): the hub's coordinator or an administrator. Audited.
#[utoipa::path(put, path = "/v1/hubs/{hub_id}/accuracy-window", tag = "admin", request_body = AccuracyWindowSetting,
    security(("bearer" = [])),
    params(("hub_id" = String, Path, description = "The hub's id")),
    responses(
        (status = 200, description = "The hub, with its window as it now is", body = HubInfo),
        (status = 400, description = "malformed_json", body = ErrorBody),
        (status = 403, description = "not_your_hub: only the hub's coordinator or an administrator", body = ErrorBody),
        (status = 404, description = "unknown_hub", body = ErrorBody),
        (status = 422, description = "invalid: more than 30 days, or not a whole number", body = ErrorBody),
    ))]
pub async fn set_accuracy_window(
    State(state): State<AppState>,
    caller: AuthDevice,
    Path(hub_id): Path<String>,
    JsonBody(req): JsonBody<AccuracyWindowSetting>,
) -> Result<Json<HubInfo>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.set_accuracy_window(&caller, &hub_id, req.days, now_ms())?)).await?))
}

/// Where the review's factual-accuracy check stands, with the head's comments and, while the
/// report is approved, its sections to check.
#[utoipa::path(get, path = "/v1/reviews/{review_id}/accuracy-check", tag = "school", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id")),
    responses(
        (status = 200, description = "The check", body = AccuracyCheck),
        (status = 403, description = "not_your_role", body = ErrorBody),
        (status = 404, description = "unknown_review", body = ErrorBody),
    ))]
pub async fn accuracy_check(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
) -> Result<Json<AccuracyCheck>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.accuracy_check(&caller, id, now_ms())?)).await?))
}

/// The school's headteacher comments on a matter of fact in a section of the approved report,
/// while the window is open. The Lead Reviewer's laptop receives it like a return comment.
#[utoipa::path(post, path = "/v1/reviews/{review_id}/accuracy-check/comments", tag = "school", request_body = AccuracyCommentRequest,
    security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id")),
    responses(
        (status = 200, description = "The check with the new comment", body = AccuracyCheck),
        (status = 400, description = "malformed_json", body = ErrorBody),
        (status = 403, description = "not_your_role: only the headteacher of the school being reviewed", body = ErrorBody),
        (status = 404, description = "unknown_review", body = ErrorBody),
        (status = 409, description = "accuracy_check_closed: not approved, no check in this hub, finished or the days have passed", body = ErrorBody),
        (status = 422, description = "not_a_matter_of_fact (an estimate, or not a section), invalid", body = ErrorBody),
    ))]
pub async fn comment_on_accuracy(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    JsonBody(req): JsonBody<AccuracyCommentRequest>,
) -> Result<Json<AccuracyCheck>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.comment_on_accuracy(&caller, id, &req, now_ms())?)).await?))
}

/// The school's headteacher has finished checking: the report may be issued now, and its Lead
/// Reviewer is mailed. Saying it again changes nothing.
#[utoipa::path(post, path = "/v1/reviews/{review_id}/accuracy-check/finish", tag = "school", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id")),
    responses(
        (status = 200, description = "The check, finished", body = AccuracyCheck),
        (status = 403, description = "not_your_role: only the headteacher of the school being reviewed", body = ErrorBody),
        (status = 404, description = "unknown_review", body = ErrorBody),
        (status = 409, description = "accuracy_check_closed: not approved, no check in this hub, or the days have passed", body = ErrorBody),
    ))]
pub async fn finish_accuracy_check(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
) -> Result<Json<AccuracyCheck>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.finish_accuracy_check(&caller, id, now_ms())?)).await?))
}

#[derive(OpenApi)]
#[openapi(
    paths(set_accuracy_window, accuracy_check, comment_on_accuracy, finish_accuracy_check),
    components(schemas(AccuracyWindowSetting, AccuracyCheck, AccuracyComment, AccuracySection, AccuracyCommentRequest, AccuracyWindow))
)]
struct AccuracyCheckApiDoc;

/// `doc` with the factual-accuracy check's routes added.
pub fn with_accuracy_check(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    doc.merge(AccuracyCheckApiDoc::openapi());
    doc
}
