//! The host school's context statement and proposed Area of Excellence (issue 22): read and
//! written by the school's headteacher before the visit. The school's web form calls the same
//! store function, [`crate::store::ServerStore::write_school_statement`], so there is one write
//! path. The team reads the statement on their laptops, from the pull.

use super::blocking;
use super::extract::{JsonBody, ReviewId};
use crate::auth::AuthDevice;
use crate::error::ApiError;
use crate::store::now_ms;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use qar_core::protocol::ErrorBody;
use qar_core::school_statement::{SchoolStatement, SchoolStatementChange};
use utoipa::OpenApi;

/// What the school has written for this review, and whether its head may still change it.
#[utoipa::path(get, path = "/v1/reviews/{review_id}/school-statement", tag = "school", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id")),
    responses(
        (status = 200, description = "The school's statement (empty parts before anything is written)", body = SchoolStatement),
        (status = 403, description = "not_your_role: not the school's headteacher, the team, the hub's coordinator or an administrator", body = ErrorBody),
        (status = 404, description = "unknown_review", body = ErrorBody),
    ))]
pub async fn school_statement(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
) -> Result<Json<SchoolStatement>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.school_statement(&caller, id)?)).await?))
}

/// The school's headteacher saves its context statement, its proposed Area of Excellence or why
/// it proposes it (a part left out stays as it was), until the visit ends. Audited; the team's
/// laptops receive it on their next pull.
#[utoipa::path(put, path = "/v1/reviews/{review_id}/school-statement", tag = "school", request_body = SchoolStatementChange,
    security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id")),
    responses(
        (status = 200, description = "The statement as it now is", body = SchoolStatement),
        (status = 400, description = "malformed_json", body = ErrorBody),
        (status = 403, description = "not_your_role: only the headteacher of the school being reviewed; wrong_state: the visit has ended", body = ErrorBody),
        (status = 404, description = "unknown_review", body = ErrorBody),
        (status = 422, description = "invalid: nothing to save, or a part too long", body = ErrorBody),
    ))]
pub async fn write_school_statement(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    JsonBody(change): JsonBody<SchoolStatementChange>,
) -> Result<Json<SchoolStatement>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.write_school_statement(&caller, id, &change, now_ms())?)).await?))
}

#[derive(OpenApi)]
#[openapi(paths(school_statement, write_school_statement), components(schemas(SchoolStatement, SchoolStatementChange)))]
struct SchoolStatementApiDoc;

/// `doc` with the school statement's routes added.
pub fn with_school_statement(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    doc.merge(SchoolStatementApiDoc::openapi());
    doc
}
