//! Scheduling reviews and the hub overview (issue 9), online.

use super::blocking;
use super::extract::{JsonBody, ReviewId};
use crate::auth::AuthDevice;
use crate::error::ApiError;
use crate::store::now_ms;
use crate::store::overview::HubOverview;
use crate::store::previous_review::{PreviousReviewLink, SetPreviousReview};
use crate::store::scheduling::{ScheduleRequest, Scheduled, TeamChoice};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use qar_core::protocol::{Change, ErrorBody};

/// A hub coordinator (of this hub) or an administrator schedules a review of one of the hub's
/// schools. Warnings (e.g. `conflict_of_interest`) do not stop it.
#[utoipa::path(post, path = "/v1/hubs/{hub_id}/reviews", tag = "scheduling", request_body = ScheduleRequest, security(("bearer" = [])),
    params(("hub_id" = String, Path, description = "The hub's id")),
    responses(
        (status = 201, description = "The scheduled review record and warnings", body = Scheduled),
        (status = 403, description = "not_your_hub (a coordinator of another hub) or not_your_role", body = ErrorBody),
        (status = 404, description = "unknown_hub or unknown_school", body = ErrorBody),
        (status = 409, description = "review_exists", body = ErrorBody),
        (status = 422, description = "invalid_dates, unknown_framework, school_not_in_hub, no_lead_reviewer, duplicate_member, unknown_user, user_deactivated", body = ErrorBody),
    ))]
pub async fn schedule(
    State(state): State<AppState>,
    caller: AuthDevice,
    Path(hub_id): Path<String>,
    JsonBody(req): JsonBody<ScheduleRequest>,
) -> Result<(StatusCode, Json<Scheduled>), ApiError> {
    let store = state.store.clone();
    let done = blocking(move || Ok(store.schedule_review(&caller, &hub_id, &req, now_ms())?)).await?;
    Ok((StatusCode::CREATED, Json(done)))
}

/// Replaces the review's team. People taken off stop receiving it; their laptops are told on
/// their next pull (`access_revoked`) and drop it after sending unsent work.
#[utoipa::path(put, path = "/v1/reviews/{review_id}/team", tag = "scheduling", request_body = TeamChoice, security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id")),
    responses(
        (status = 200, description = "The review record, warnings and who was taken off", body = Scheduled),
        (status = 403, description = "not_your_hub, not_your_role or wrong_state", body = ErrorBody),
        (status = 404, description = "unknown_review", body = ErrorBody),
        (status = 422, description = "no_lead_reviewer, duplicate_member, unknown_user, user_deactivated", body = ErrorBody),
    ))]
pub async fn set_team(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    JsonBody(team): JsonBody<TeamChoice>,
) -> Result<Json<Scheduled>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.set_review_team(&caller, id, &team, now_ms())?)).await?))
}

/// Reviews by state and date with overdue reports marked, and laptops with unsent work older
/// than a day (as they last reported it).
#[utoipa::path(get, path = "/v1/hubs/{hub_id}/overview", tag = "scheduling", security(("bearer" = [])),
    params(("hub_id" = String, Path, description = "The hub's id")),
    responses(
        (status = 200, description = "The overview", body = HubOverview),
        (status = 403, description = "not_your_hub", body = ErrorBody),
        (status = 404, description = "unknown_hub", body = ErrorBody),
    ))]
pub async fn overview(
    State(state): State<AppState>,
    caller: AuthDevice,
    Path(hub_id): Path<String>,
) -> Result<Json<HubOverview>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.hub_overview(&caller, &hub_id, now_ms())?)).await?))
}

/// Adopts a review a Lead Reviewer set up on their laptop into the hub of its school (by URN):
/// the coordinator of that hub or an administrator. Until then the review is in no hub's
/// queue and its report cannot be submitted.
#[utoipa::path(post, path = "/v1/reviews/{review_id}/adopt", tag = "scheduling", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id")),
    responses(
        (status = 200, description = "The review record, now in the school's hub", body = Change),
        (status = 403, description = "not_your_hub (a coordinator of another hub) or not_your_role", body = ErrorBody),
        (status = 404, description = "unknown_review", body = ErrorBody),
        (status = 409, description = "already_in_hub or review_closed", body = ErrorBody),
        (status = 422, description = "unknown_school (the URN is not in the register) or school_not_in_hub", body = ErrorBody),
    ))]
pub async fn adopt(State(state): State<AppState>, caller: AuthDevice, ReviewId(id): ReviewId) -> Result<Json<Change>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.adopt_review(&caller, id, now_ms())?)).await?))
}

/// Which issued review of the school this review builds on (none for a first review), and the
/// school's earlier issued reviews it could be: the hub's coordinator or an administrator.
#[utoipa::path(get, path = "/v1/reviews/{review_id}/previous-review", tag = "scheduling", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id")),
    responses(
        (status = 200, description = "The linked previous review and the candidates", body = PreviousReviewLink),
        (status = 403, description = "not_your_hub (a coordinator of another hub), not_your_role or not_on_review", body = ErrorBody),
        (status = 404, description = "unknown_review", body = ErrorBody),
    ))]
pub async fn previous_review(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
) -> Result<Json<PreviousReviewLink>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.previous_review_link(&caller, id)?)).await?))
}

/// Links the review to another earlier issued review of its school, or to none (`null`), while
/// it is scheduled or in preparation. The team's laptops receive the new copy of the previous
/// report's estimates and Even better if points (or its removal) on their next pull.
#[utoipa::path(put, path = "/v1/reviews/{review_id}/previous-review", tag = "scheduling", request_body = SetPreviousReview, security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id")),
    responses(
        (status = 200, description = "The link as it now is", body = PreviousReviewLink),
        (status = 400, description = "malformed_json", body = ErrorBody),
        (status = 403, description = "not_your_hub (a coordinator of another hub), not_your_role or not_on_review", body = ErrorBody),
        (status = 404, description = "unknown_review", body = ErrorBody),
        (status = 409, description = "visit_started (the review is in visit or later)", body = ErrorBody),
        (status = 422, description = "not_previous_review (not an earlier issued review of the same school), invalid_body", body = ErrorBody),
    ))]
pub async fn set_previous_review(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    JsonBody(req): JsonBody<SetPreviousReview>,
) -> Result<Json<PreviousReviewLink>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.set_previous_review(&caller, id, &req, now_ms())?)).await?))
}
