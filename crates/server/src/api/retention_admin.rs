//! The retention policy for administrators (issue 24): read every policy, set the
//! partnership's or a hub's. The purge itself runs hourly and from `qar-server purge`.

use super::blocking;
use super::extract::JsonBody;
use crate::auth::AuthDevice;
use crate::error::ApiError;
use crate::store::now_ms;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use qar_core::protocol::ErrorBody;
use qar_core::retention::RetentionPolicy;
use utoipa::OpenApi;

/// Every retention policy: the partnership's (no `hub_id`) first, then each hub's own.
#[utoipa::path(get, path = "/v1/retention", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "The retention policies", body = Vec<RetentionPolicy>),
        (status = 403, description = "admin_only", body = ErrorBody),
    ))]
pub async fn list_policies(State(state): State<AppState>, caller: AuthDevice) -> Result<Json<Vec<RetentionPolicy>>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.retention_policies(&caller)?)).await?))
}

/// Sets the partnership's policy (no `hub_id`) or a hub's. Recorded in the audit chain.
#[utoipa::path(put, path = "/v1/retention", tag = "admin", request_body = RetentionPolicy, security(("bearer" = [])),
    responses(
        (status = 200, description = "The policy as stored", body = RetentionPolicy),
        (status = 403, description = "admin_only", body = ErrorBody),
        (status = 404, description = "unknown_hub", body = ErrorBody),
        (status = 422, description = "invalid: a setting out of its limits", body = ErrorBody),
    ))]
pub async fn set_policy(
    State(state): State<AppState>,
    caller: AuthDevice,
    JsonBody(req): JsonBody<RetentionPolicy>,
) -> Result<Json<RetentionPolicy>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.set_retention_policy(&caller, &req, now_ms())?)).await?))
}

#[derive(OpenApi)]
#[openapi(paths(list_policies, set_policy), components(schemas(RetentionPolicy)))]
struct RetentionApiDoc;

/// `doc` with the retention routes added.
pub fn with_retention_admin(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    doc.merge(RetentionApiDoc::openapi());
    doc
}
