//! The host school's headteacher (issue 22): the hub invites them, and they read only their own
//! school. Their issued reports are read through the review's version routes
//! (`report_versions`), which let the host headteacher in once a report is issued.

use super::blocking;
use super::extract::JsonBody;
use crate::auth::AuthDevice;
use crate::error::ApiError;
use crate::store::invitations::InvitationIssued;
use crate::store::now_ms;
use crate::store::school_heads::{NewHeadteacher, SchoolReview};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use qar_core::protocol::ErrorBody;
use qar_core::school::Urn;
use qar_core::ErrorCode;
use utoipa::OpenApi;

/// A URN from the path, six digits, or 400 `bad_query` before anything is looked up.
fn urn(raw: &str) -> Result<String, ApiError> {
    Urn::parse(raw).map(|u| u.as_str().to_owned()).map_err(|_| ApiError::new(ErrorCode::BadQuery, "A school's URN is six digits."))
}

/// Invites the school's headteacher: the one-time code is in this reply and in the invitation
/// mail (queued in the outbox with the invitation). They set a password and an authenticator
/// like everyone else, and see only this school.
#[utoipa::path(post, path = "/v1/hubs/{hub_id}/schools/{urn}/headteacher", tag = "admin", request_body = NewHeadteacher,
    security(("bearer" = [])),
    params(("hub_id" = String, Path, description = "The hub's id"),
           ("urn" = String, Path, description = "The school's URN, six digits", pattern = "^[0-9]{6}$")),
    responses(
        (status = 201, description = "The invitation with its one-time code (valid 7 days)", body = InvitationIssued),
        (status = 400, description = "bad_query: not a URN", body = ErrorBody),
        (status = 403, description = "not_your_hub: only the hub's coordinator or an administrator", body = ErrorBody),
        (status = 404, description = "unknown_hub, or unknown_school: no such school in this hub", body = ErrorBody),
        (status = 409, description = "already_active or invitation_pending", body = ErrorBody),
        (status = 422, description = "invalid_email, invalid, invalid_name", body = ErrorBody),
    ))]
pub async fn invite_headteacher(
    State(state): State<AppState>,
    caller: AuthDevice,
    Path((hub_id, raw_urn)): Path<(String, String)>,
    JsonBody(req): JsonBody<NewHeadteacher>,
) -> Result<(StatusCode, Json<InvitationIssued>), ApiError> {
    let urn = urn(&raw_urn)?;
    let store = state.store.clone();
    let issued = blocking(move || Ok(store.invite_headteacher(&caller, &hub_id, &urn, &req, now_ms())?)).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// The school's reviews (not cancelled ones) with their issued versions: for its headteacher,
/// the coordinator of its hub or an administrator. Anyone else is refused the same way whether
/// or not the school exists.
#[utoipa::path(get, path = "/v1/schools/{urn}/reviews", tag = "school", security(("bearer" = [])),
    params(("urn" = String, Path, description = "The school's URN, six digits", pattern = "^[0-9]{6}$")),
    responses(
        (status = 200, description = "The school's reviews", body = Vec<SchoolReview>),
        (status = 400, description = "bad_query: not a URN", body = ErrorBody),
        (status = 403, description = "not_your_role: not this school's headteacher, its hub's coordinator or an administrator", body = ErrorBody),
    ))]
pub async fn school_reviews(
    State(state): State<AppState>,
    caller: AuthDevice,
    Path(raw_urn): Path<String>,
) -> Result<Json<Vec<SchoolReview>>, ApiError> {
    let urn = urn(&raw_urn)?;
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.school_reviews(&caller, &urn)?)).await?))
}

#[derive(OpenApi)]
#[openapi(
    paths(invite_headteacher, school_reviews),
    components(schemas(NewHeadteacher, SchoolReview)),
    tags((name = "school", description = "The host school's own pages: its headteacher's view"))
)]
struct HostSchoolApiDoc;

/// `doc` with the host school's routes added.
pub fn with_host_school(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    doc.merge(HostSchoolApiDoc::openapi());
    doc
}
