//! Undelivered mail for administrators (issue 22): the dead letters, and resending one. The
//! same is on the server's command line (`qar-server mail-dead`, `qar-server mail-resend`).

use super::blocking;
use crate::auth::AuthDevice;
use crate::error::ApiError;
use crate::store::mail_outbox::OutboxMail;
use crate::store::now_ms;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use qar_core::protocol::ErrorBody;
use utoipa::OpenApi;

/// Mail that was not delivered after its last attempt (or was refused for good), newest first.
/// Its content is not shown: an invitation's code stays sealed.
#[utoipa::path(get, path = "/v1/mail/dead", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "Undelivered mail", body = Vec<OutboxMail>),
        (status = 403, description = "admin_only", body = ErrorBody),
    ))]
pub async fn list_dead(State(state): State<AppState>, caller: AuthDevice) -> Result<Json<Vec<OutboxMail>>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.dead_mail(&caller)?)).await?))
}

/// Puts an undelivered mail back in the queue with its attempts counted afresh; it is sent with
/// the same message id. A mail that is not undelivered is left as it is (a repeated resend
/// changes nothing) and answered as it is.
#[utoipa::path(post, path = "/v1/mail/{message_id}/resend", tag = "admin", security(("bearer" = [])),
    params(("message_id" = String, Path, description = "The mail's message id (32 hex digits)")),
    responses(
        (status = 200, description = "The mail as it now is (state pending once resent)", body = OutboxMail),
        (status = 403, description = "admin_only", body = ErrorBody),
        (status = 404, description = "not_found: no mail with this message id", body = ErrorBody),
    ))]
pub async fn resend(
    State(state): State<AppState>,
    caller: AuthDevice,
    Path(message_id): Path<String>,
) -> Result<Json<OutboxMail>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.resend_mail(&caller, &message_id, now_ms())?)).await?))
}

#[derive(OpenApi)]
#[openapi(paths(list_dead, resend), components(schemas(OutboxMail)))]
struct MailApiDoc;

/// `doc` with the mail administration routes added.
pub fn with_mail_admin(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    doc.merge(MailApiDoc::openapi());
    doc
}
