//! Hubs and people, online (issue 9): hubs, schools in hubs, invitations, roles, deactivation.
//! Administrators only, except where a route says otherwise.

use super::blocking;
use super::extract::{JsonBody, QueryParams};
use crate::auth::{AccountSummary, AuthDevice};
use crate::error::ApiError;
use crate::net::ClientAddr;
use crate::store::hub_admin::{AssignOutcome, HubInfo, SchoolInfo, UserInfo};
use crate::store::invitations::{InvitationIssued, NewInvitation, Redeemed};
use crate::store::now_ms;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use qar_core::protocol::admin::{AssignSchools, Deactivate, HubSettings, NewHub, SetRoles};
use qar_core::protocol::invitations::{ConfirmRequest, RedeemRequest};
use qar_core::protocol::ErrorBody;
use qar_core::ErrorCode;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SchoolQuery {
    /// Part of a name, URN, town or postcode.
    #[serde(default)]
    pub q: String,
    /// Schools in the answer, 1 to 200 (default 50).
    #[serde(default = "default_limit")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: u32,
}

fn default_limit() -> u32 {
    50
}

/// Most schools one search answers with.
pub const MAX_SCHOOL_RESULTS: u32 = 200;

impl SchoolQuery {
    /// Refused rather than clamped, so the published maximum is the one that holds.
    fn check(self) -> Result<Self, ApiError> {
        if !(1..=MAX_SCHOOL_RESULTS).contains(&self.limit) {
            let message = format!("limit must be 1 to {MAX_SCHOOL_RESULTS}, not {}", self.limit);
            return Err(ApiError::new(ErrorCode::BadQuery, message));
        }
        Ok(self)
    }
}

#[utoipa::path(post, path = "/v1/hubs", tag = "admin", request_body = NewHub, security(("bearer" = [])),
    responses(
        (status = 201, description = "The new hub", body = HubInfo),
        (status = 403, description = "admin_only", body = ErrorBody),
        (status = 409, description = "hub_exists", body = ErrorBody),
        (status = 422, description = "invalid", body = ErrorBody),
    ))]
pub async fn create_hub(
    State(state): State<AppState>,
    caller: AuthDevice,
    JsonBody(req): JsonBody<NewHub>,
) -> Result<(StatusCode, Json<HubInfo>), ApiError> {
    let store = state.store.clone();
    let hub = blocking(move || Ok(store.create_hub(&caller, &req.name, &req.region, req.report_deadline_days, now_ms())?)).await?;
    Ok((StatusCode::CREATED, Json(hub)))
}

/// Every hub for an administrator; a coordinator's own hubs for a coordinator.
#[utoipa::path(get, path = "/v1/hubs", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "Hubs", body = Vec<HubInfo>)))]
pub async fn list_hubs(State(state): State<AppState>, caller: AuthDevice) -> Result<Json<Vec<HubInfo>>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.list_hubs(&caller)?)).await?))
}

#[utoipa::path(put, path = "/v1/hubs/{hub_id}/settings", tag = "admin", request_body = HubSettings, security(("bearer" = [])),
    params(("hub_id" = String, Path, description = "The hub's id")),
    responses(
        (status = 200, description = "The hub", body = HubInfo),
        (status = 403, description = "admin_only", body = ErrorBody),
        (status = 404, description = "unknown_hub", body = ErrorBody),
        (status = 422, description = "invalid", body = ErrorBody),
    ))]
pub async fn hub_settings(
    State(state): State<AppState>,
    caller: AuthDevice,
    Path(hub_id): Path<String>,
    JsonBody(req): JsonBody<HubSettings>,
) -> Result<Json<HubInfo>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.set_report_deadline(&caller, &hub_id, req.report_deadline_days, now_ms())?)).await?))
}

/// Puts schools of the register (by URN) in the hub; unknown URNs are listed, the rest assigned.
#[utoipa::path(post, path = "/v1/hubs/{hub_id}/schools", tag = "admin", request_body = AssignSchools, security(("bearer" = [])),
    params(("hub_id" = String, Path, description = "The hub's id")),
    responses(
        (status = 200, description = "Assigned and unknown URNs", body = AssignOutcome),
        (status = 403, description = "admin_only", body = ErrorBody),
        (status = 404, description = "unknown_hub", body = ErrorBody),
        (status = 422, description = "invalid", body = ErrorBody),
    ))]
pub async fn assign_schools(
    State(state): State<AppState>,
    caller: AuthDevice,
    Path(hub_id): Path<String>,
    JsonBody(req): JsonBody<AssignSchools>,
) -> Result<Json<AssignOutcome>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.assign_schools(&caller, &hub_id, &req.urns, now_ms())?)).await?))
}

/// The hub's schools matching `q` (its coordinator or an administrator).
#[utoipa::path(get, path = "/v1/hubs/{hub_id}/schools", tag = "admin", params(("hub_id" = String, Path, description = "The hub's id"), SchoolQuery), security(("bearer" = [])),
    responses((status = 200, description = "Schools", body = Vec<SchoolInfo>), (status = 403, description = "not_your_hub", body = ErrorBody)))]
pub async fn hub_schools(
    State(state): State<AppState>,
    caller: AuthDevice,
    Path(hub_id): Path<String>,
    QueryParams(q): QueryParams<SchoolQuery>,
) -> Result<Json<Vec<SchoolInfo>>, ApiError> {
    let q = q.check()?;
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.search_schools(&caller, Some(&hub_id), &q.q, q.limit)?)).await?))
}

/// The whole register matching `q` (administrators, to assign schools).
#[utoipa::path(get, path = "/v1/schools", tag = "admin", params(SchoolQuery), security(("bearer" = [])),
    responses((status = 200, description = "Schools", body = Vec<SchoolInfo>), (status = 403, description = "admin_only", body = ErrorBody)))]
pub async fn search_schools(
    State(state): State<AppState>,
    caller: AuthDevice,
    QueryParams(q): QueryParams<SchoolQuery>,
) -> Result<Json<Vec<SchoolInfo>>, ApiError> {
    let q = q.check()?;
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.search_schools(&caller, None, &q.q, q.limit)?)).await?))
}

/// The people directory (administrators, and coordinators choosing teams).
#[utoipa::path(get, path = "/v1/users", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "People", body = Vec<UserInfo>), (status = 403, description = "admin_only", body = ErrorBody)))]
pub async fn list_users(State(state): State<AppState>, caller: AuthDevice) -> Result<Json<Vec<UserInfo>>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.list_users(&caller, now_ms())?)).await?))
}

#[utoipa::path(put, path = "/v1/users/{user_id}/roles", tag = "admin", request_body = SetRoles, security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The person", body = UserInfo),
        (status = 403, description = "admin_only", body = ErrorBody),
        (status = 404, description = "unknown_user or unknown_hub", body = ErrorBody),
        (status = 409, description = "last_admin", body = ErrorBody),
    ))]
pub async fn set_roles(
    State(state): State<AppState>,
    caller: AuthDevice,
    Path(user_id): Path<String>,
    JsonBody(req): JsonBody<SetRoles>,
) -> Result<Json<UserInfo>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.set_user_roles(&caller, &user_id, &req.roles, now_ms())?)).await?))
}

/// Switches the person off and revokes every laptop of theirs (next request: 401
/// `device_revoked` with the reason).
#[utoipa::path(post, path = "/v1/users/{user_id}/deactivate", tag = "admin", request_body = Deactivate, security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The person", body = UserInfo),
        (status = 403, description = "admin_only", body = ErrorBody),
        (status = 404, description = "unknown_user", body = ErrorBody),
        (status = 409, description = "last_admin or cannot_deactivate_self", body = ErrorBody),
    ))]
pub async fn deactivate(
    State(state): State<AppState>,
    caller: AuthDevice,
    Path(user_id): Path<String>,
    JsonBody(req): JsonBody<Deactivate>,
) -> Result<Json<UserInfo>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.deactivate_user(&caller, &user_id, &req.reason, now_ms())?)).await?))
}

/// Invites a person; the one-time code is in this reply only (the server keeps its hash).
#[utoipa::path(post, path = "/v1/invitations", tag = "admin", request_body = NewInvitation, security(("bearer" = [])),
    responses(
        (status = 201, description = "The invitation with its one-time code (valid 7 days)", body = InvitationIssued),
        (status = 403, description = "admin_only", body = ErrorBody),
        (status = 404, description = "unknown_hub", body = ErrorBody),
        (status = 409, description = "already_active or invitation_pending", body = ErrorBody),
        (status = 422, description = "invalid_email, invalid, unknown_school", body = ErrorBody),
    ))]
pub async fn invite(
    State(state): State<AppState>,
    caller: AuthDevice,
    JsonBody(req): JsonBody<NewInvitation>,
) -> Result<(StatusCode, Json<InvitationIssued>), ApiError> {
    let store = state.store.clone();
    let issued = blocking(move || Ok(store.invite(&caller, &req, now_ms())?)).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// No sign-in: the invited person sets their password and receives a TOTP secret.
#[utoipa::path(post, path = "/v1/invitations/redeem", tag = "admin", request_body = RedeemRequest,
    responses(
        (status = 200, description = "The TOTP secret and otpauth URL; confirm with a first code", body = Redeemed),
        (status = 404, description = "unknown_code", body = ErrorBody),
        (status = 409, description = "code_used", body = ErrorBody),
        (status = 410, description = "code_expired or invitation_cancelled", body = ErrorBody),
        (status = 422, description = "weak_password", body = ErrorBody),
        (status = 429, description = "too_many_attempts from this address; Retry-After", body = ErrorBody),
        (status = 503, description = "server_busy; Retry-After", body = ErrorBody),
    ))]
pub async fn redeem(
    State(state): State<AppState>,
    client: ClientAddr,
    JsonBody(req): JsonBody<RedeemRequest>,
) -> Result<Json<Redeemed>, ApiError> {
    Ok(Json(crate::auth::sign_in::redeem_throttled(state.store.clone(), client.0, req.code, req.password).await?))
}

/// No sign-in: a first authenticator code switches the account on; then sign in as usual.
#[utoipa::path(post, path = "/v1/invitations/confirm", tag = "admin", request_body = ConfirmRequest,
    responses(
        (status = 200, description = "The account, now active", body = AccountSummary),
        (status = 404, description = "unknown_code", body = ErrorBody),
        (status = 409, description = "code_used or not_redeemed", body = ErrorBody),
        (status = 410, description = "code_expired or invitation_cancelled", body = ErrorBody),
        (status = 410, description = "too_many_codes: the invitation's tries are used up", body = ErrorBody),
        (status = 422, description = "invalid_totp; details.tries_left", body = ErrorBody),
        (status = 429, description = "too_many_attempts from this address; Retry-After", body = ErrorBody),
    ))]
pub async fn confirm(
    State(state): State<AppState>,
    client: ClientAddr,
    JsonBody(req): JsonBody<ConfirmRequest>,
) -> Result<Json<AccountSummary>, ApiError> {
    Ok(Json(crate::auth::sign_in::confirm_throttled(state.store.clone(), client.0, req.code, req.totp_code).await?))
}
