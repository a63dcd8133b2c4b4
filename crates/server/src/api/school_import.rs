//! `POST /v1/schools/import`: the same GIAS import as `qar-server import-schools`, from the
//! administrator's screen (issue 9). The body is the CSV file as it is (UTF-8 or Windows-1252).

use super::blocking;
use crate::auth::AuthDevice;
use crate::error::ApiError;
use crate::gias::{self, FileEncoding, GiasError};
use crate::store::now_ms;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
pub use qar_core::protocol::admin::{ImportReply, RejectedRow};
use qar_core::protocol::ErrorBody;
use qar_core::ErrorCode;

/// Largest accepted file: the national file is about 60 MB.
pub const MAX_IMPORT_BYTES: usize = 160 * 1024 * 1024;
/// Rejected rows listed in the reply (all are counted).
const LISTED: usize = 500;

/// Administrators only. A missing required column refuses the whole file (422, nothing
/// written); bad rows are listed with their line and the rest imported. Idempotent.
#[utoipa::path(post, path = "/v1/schools/import", tag = "admin", security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv", description = "The GIAS \"all establishments\" CSV"),
    responses(
        (status = 200, description = "What the import did", body = ImportReply),
        (status = 403, description = "admin_only", body = ErrorBody),
        (status = 413, description = "body_too_large", body = ErrorBody),
        (status = 422, description = "invalid_file: empty, unreadable header or a missing required column", body = ErrorBody),
    ))]
pub async fn import_schools(State(state): State<AppState>, caller: AuthDevice, body: Bytes) -> Result<Json<ImportReply>, ApiError> {
    if !caller.is_admin() {
        return Err(ApiError::new(ErrorCode::AdminOnly, "Only an administrator can import the school register."));
    }
    let store = state.store.clone();
    let summary = blocking(move || {
        let summary = gias::import_bytes(&body, &store, now_ms()).map_err(|e| match e {
            GiasError::Store(e) => ApiError::from(e),
            other => ApiError::new(ErrorCode::InvalidFile, other.to_string()),
        })?;
        store.audit_school_import(&caller, &summary.summary(), now_ms())?;
        Ok(summary)
    })
    .await?;
    Ok(Json(ImportReply {
        summary: summary.summary(),
        encoding: match summary.encoding {
            FileEncoding::Utf8 => "utf-8",
            FileEncoding::Windows1252 => "windows-1252",
        }
        .to_owned(),
        added: summary.added,
        updated: summary.updated,
        unchanged: summary.unchanged,
        rejected: summary.rejected(),
        rejections: summary
            .rejections
            .iter()
            .take(LISTED)
            .map(|r| RejectedRow { line: r.line, urn: r.urn.clone(), reason: r.reason.clone() })
            .collect(),
    }))
}
