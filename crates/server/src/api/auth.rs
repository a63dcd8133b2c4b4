//! Sign-in and the device registry: `POST /v1/auth/login`, `POST /v1/auth/logout`,
//! `GET /v1/devices`, `POST /v1/devices/{device_id}/revoke`.

use super::blocking;
use super::extract::{DeviceId, JsonBody};
use crate::auth::{AuthDevice, DeviceInfo, LoginGrant, LoginRequest};
use crate::error::ApiError;
use crate::net::ClientAddr;
use crate::store::now_ms;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use qar_core::protocol::ErrorBody;
use serde::Deserialize;

/// 200 `{token, user: {id, name, email, roles}, expires_at_ms}`; 401 `invalid_credentials`;
/// 403 `account_disabled`; 409 `device_in_use`; 429 `too_many_attempts`; 503 `server_busy`.
///
/// Limits (issue 15, `auth::sign_in`, shared with the school's pages): each attempt takes one from the client address's bucket
/// (given back on success); an address that failed for this e-mail backs off; password checks
/// wait for a free core. None of these is written to disk.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the token is shown once", body = LoginGrant),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "invalid_credentials (same for unknown e-mail, password or code)", body = ErrorBody),
        (status = 403, description = "account_disabled", body = ErrorBody),
        (status = 409, description = "device_in_use", body = ErrorBody),
        (status = 422, description = "Wrong field types", body = ErrorBody),
        (status = 429, description = "too_many_attempts; details.retry_after_s and Retry-After", body = ErrorBody),
        (status = 503, description = "server_busy; Retry-After", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Result<Json<LoginGrant>, ApiError> {
    let email = req.email.clone();
    let grant = crate::auth::sign_in::throttled(state.store.clone(), client.0, &email, move |store| store.login(&req, now_ms())).await?;
    Ok(Json(grant))
}

/// Signs the caller's laptop out: 200 with its registry entry, now revoked.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "This laptop is signed out", body = DeviceInfo),
    ))]
pub async fn logout(State(state): State<AppState>, device: AuthDevice) -> Result<Json<DeviceInfo>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.logout(&device, now_ms())?)).await?))
}

/// Every laptop for an admin; the caller's own otherwise.
#[utoipa::path(get, path = "/v1/devices", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "Devices (tokens never included)", body = [DeviceInfo]),
    ))]
pub async fn list_devices(State(state): State<AppState>, device: AuthDevice) -> Result<Json<Vec<DeviceInfo>>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.list_devices(&device, now_ms())?)).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RevokeRequest {
    pub reason: String,
}

/// Admin only (403 `forbidden` otherwise). 200 with the entry; 404 `device_not_found`.
#[utoipa::path(post, path = "/v1/devices/{device_id}/revoke", tag = "auth", security(("bearer" = [])),
    params(("device_id" = uuid::Uuid, Path, description = "The laptop's device id")),
    request_body = RevokeRequest,
    responses(
        (status = 200, description = "Revoked: its next request gets 401 device_revoked", body = DeviceInfo),
        (status = 400, description = "invalid_device_id", body = ErrorBody),
        (status = 403, description = "forbidden: only an administrator can sign out a laptop", body = ErrorBody),
        (status = 404, description = "device_not_found", body = ErrorBody),
        (status = 422, description = "invalid_reason or invalid_body", body = ErrorBody),
    ))]
pub async fn revoke_device(
    State(state): State<AppState>,
    caller: AuthDevice,
    DeviceId(device_id): DeviceId,
    JsonBody(req): JsonBody<RevokeRequest>,
) -> Result<Json<DeviceInfo>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.revoke_device(&caller, device_id, &req.reason, now_ms())?)).await?))
}

/// Admin only (403 `forbidden` otherwise): lets another person sign in with a laptop's device
/// id, which otherwise stays its first person's (`device_in_use`). The laptop must be signed
/// out or revoked first (422 `device_active`).
#[utoipa::path(post, path = "/v1/devices/{device_id}/release", tag = "auth", security(("bearer" = [])),
    params(("device_id" = uuid::Uuid, Path, description = "The laptop's device id")),
    responses(
        (status = 200, description = "Released: the entry as it was", body = DeviceInfo),
        (status = 400, description = "invalid_device_id", body = ErrorBody),
        (status = 403, description = "forbidden: only an administrator can release a laptop", body = ErrorBody),
        (status = 404, description = "device_not_found", body = ErrorBody),
        (status = 422, description = "device_active: sign the laptop out first", body = ErrorBody),
    ))]
pub async fn release_device(
    State(state): State<AppState>,
    caller: AuthDevice,
    DeviceId(device_id): DeviceId,
) -> Result<Json<DeviceInfo>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.release_device(&caller, device_id, now_ms())?)).await?))
}
