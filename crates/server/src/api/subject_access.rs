//! Subject access and erasure for administrators (issue 24, points 3 and 4): one person's data
//! as a zip (JSON, HTML summary, manifest), made on request, sent and not kept (a POST because
//! making it is recorded in the audit chain); and erasing a deactivated person.

use super::blocking;
use crate::auth::AuthDevice;
use crate::error::ApiError;
use crate::store::erasure::ErasureCounts;
use crate::store::now_ms;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use qar_core::protocol::ErrorBody;
use utoipa::OpenApi;

/// Everything the server holds about one person, as a zip: `manifest.json`,
/// `subject-access.json` and `summary.html`. Mentions of other people in the person's own free
/// text are flagged for the data protection officer. Audited; not kept on the server.
#[utoipa::path(post, path = "/v1/users/{user_id}/subject-access", tag = "admin", security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The export (a zip)", content_type = "application/zip"),
        (status = 403, description = "admin_only", body = ErrorBody),
        (status = 404, description = "unknown_user", body = ErrorBody),
    ))]
pub async fn export(State(state): State<AppState>, caller: AuthDevice, Path(user_id): Path<String>) -> Result<Response, ApiError> {
    let store = state.store.clone();
    let (bytes, file_name) = blocking(move || {
        let export = store.subject_access(&caller, &user_id, now_ms())?;
        let (bytes, _) = crate::subject_access_zip::pack(&export).map_err(ApiError::internal)?;
        Ok((bytes, crate::subject_access_zip::file_name(&export.user_id)))
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
        ],
        bytes,
    )
        .into_response())
}

/// Erases a deactivated person: name and e-mail gone from the directory, sign-in data, roles and
/// laptop names removed, their name in teams, comments and approvals replaced by "A former
/// reviewer" (sent down the feed), and their id and name in the audit chain and issued reports
/// replaced by one pseudonym; both still verify. Audited.
#[utoipa::path(post, path = "/v1/users/{user_id}/erase", tag = "admin", security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The person's id")),
    responses(
        (status = 200, description = "What was changed, in counts", body = ErasureCounts),
        (status = 403, description = "admin_only", body = ErrorBody),
        (status = 404, description = "unknown_user", body = ErrorBody),
        (status = 409, description = "already_active: deactivate the account first", body = ErrorBody),
    ))]
pub async fn erase(
    State(state): State<AppState>,
    caller: AuthDevice,
    Path(user_id): Path<String>,
) -> Result<Json<ErasureCounts>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.erase_user(&caller, &user_id, now_ms())?)).await?))
}

#[derive(OpenApi)]
#[openapi(paths(export, erase), components(schemas(ErasureCounts)))]
struct SubjectAccessApiDoc;

/// `doc` with the subject-access route added.
pub fn with_subject_access(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    doc.merge(SubjectAccessApiDoc::openapi());
    doc
}
