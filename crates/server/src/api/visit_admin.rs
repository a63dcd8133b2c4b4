//! Changing a scheduled review's visit days (its hub's coordinator or an administrator) and a
//! person's home school (administrators), online.

use super::blocking;
use super::extract::{JsonBody, ReviewId};
use crate::auth::AuthDevice;
use crate::error::ApiError;
use crate::store::home_school::{HomeSchool, HomeSchoolSet};
use crate::store::now_ms;
use crate::store::visit_days::{VisitChange, VisitChanged};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use qar_core::protocol::ErrorBody;

/// Moves the visit days (and, while `scheduled`, the framework). The review record changes as a
/// server write, so every team member's laptop receives the new days on its next pull.
#[utoipa::path(put, path = "/v1/reviews/{review_id}/visit", tag = "scheduling", request_body = VisitChange, security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id")),
    responses(
        (status = 200, description = "The review record, the days it had, and whether anything changed", body = VisitChanged),
        (status = 400, description = "malformed_json", body = ErrorBody),
        (status = 403, description = "not_your_hub (a coordinator of another hub) or not_your_role", body = ErrorBody),
        (status = 404, description = "unknown_review", body = ErrorBody),
        (status = 409, description = "visit_started (the review is in visit or later) or framework_locked (no longer scheduled)", body = ErrorBody),
        (status = 422, description = "invalid_dates (not three ordered school days from today within 14 days), unknown_framework, invalid_body", body = ErrorBody),
    ))]
pub async fn change_visit(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    JsonBody(change): JsonBody<VisitChange>,
) -> Result<Json<VisitChanged>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.change_visit(&caller, id, &change, now_ms())?)).await?))
}

/// Sets or clears (`urn: null`) a person's home school, used to warn of conflicts of interest.
#[utoipa::path(put, path = "/v1/users/{user_id}/home-school", tag = "admin", request_body = HomeSchool, security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The person, and open reviews of that school they are on", body = HomeSchoolSet),
        (status = 403, description = "admin_only", body = ErrorBody),
        (status = 404, description = "unknown_user", body = ErrorBody),
        (status = 422, description = "unknown_school or invalid_body", body = ErrorBody),
    ))]
pub async fn set_home_school(
    State(state): State<AppState>,
    caller: AuthDevice,
    Path(user_id): Path<String>,
    JsonBody(req): JsonBody<HomeSchool>,
) -> Result<Json<HomeSchoolSet>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.set_home_school(&caller, &user_id, req.urn.as_deref(), now_ms())?)).await?))
}
