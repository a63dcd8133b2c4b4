//! Issuing the report to the school and reading its versions (issue 10):
//! `POST /v1/reviews/{id}/issue`, `GET /v1/reviews/{id}/versions`, `GET /v1/reviews/{id}/versions/{n}`,
//! and the version as PDF and Word (`…/versions/{n}/pdf`, `…/docx`, issue 22).

use super::blocking;
use super::extract::{JsonBody, ReviewId, VersionNumber};
use crate::auth::AuthDevice;
use crate::error::ApiError;
use crate::store::now_ms;
use crate::store::report_versions::ReportVersion;
use crate::store::ServerStore;
use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
pub use qar_core::protocol::reports::{IssueReply, IssueRequest};
use qar_core::protocol::ErrorBody;

/// Hub coordinator of the review's hub (or an admin), while the review is approved and the
/// report is still the approved one. Freezes the next version, moves the review to `issued`,
/// writes an audit entry. Issuing the same approved report again changes nothing.
#[utoipa::path(post, path = "/v1/reviews/{review_id}/issue", tag = "workflow", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id")),
    request_body = IssueRequest,
    responses(
        (status = 200, description = "Issued: the review record and the version stored", body = IssueReply),
        (status = 400, description = "reason_required (a correction needs a reason), reason_too_long, malformed_json", body = ErrorBody),
        (status = 403, description = "The permission table's reason: not_your_role, other_hub, wrong_state, review_closed", body = ErrorBody),
        (status = 404, description = "unknown_review", body = ErrorBody),
        (status = 409, description = "report_changed: not the approved report; details.current_hash", body = ErrorBody),
        (status = 422, description = "invalid_body", body = ErrorBody),
    ))]
pub async fn issue(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    JsonBody(req): JsonBody<IssueRequest>,
) -> Result<Json<IssueReply>, ApiError> {
    let store = state.store.clone();
    let reason = req.reason.unwrap_or_default();
    let (review, version) = blocking(move || Ok(store.issue_report(id, req.report_hash.trim(), &reason, &caller, now_ms())?)).await?;
    Ok(Json(IssueReply { review, version }))
}

/// The review's issued versions, oldest first: anyone on the team, its hub's coordinator, admins.
#[utoipa::path(get, path = "/v1/reviews/{review_id}/versions", tag = "workflow", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id")),
    responses(
        (status = 200, description = "Versions, oldest first", body = Vec<ReportVersion>),
        (status = 403, description = "not_your_role, other_hub", body = ErrorBody),
        (status = 404, description = "unknown_review", body = ErrorBody),
    ))]
pub async fn list_versions(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
) -> Result<Json<Vec<ReportVersion>>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.report_versions(id, &caller)?)).await?))
}

/// One version's frozen snapshot: canonical JSON, served byte for byte as stored; its SHA-256
/// is the listed `sha256` (also in the `X-QAR-Sha256` header).
#[utoipa::path(get, path = "/v1/reviews/{review_id}/versions/{version}", tag = "workflow", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id"), ("version" = u32, Path, description = "Version number, from 1")),
    responses(
        (status = 200, description = "The frozen snapshot (JSON object)", content_type = "application/json"),
        (status = 403, description = "not_your_role, other_hub", body = ErrorBody),
        (status = 404, description = "unknown_review, unknown_version", body = ErrorBody),
    ))]
pub async fn get_version(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    VersionNumber(number): VersionNumber,
) -> Result<Response, ApiError> {
    let store = state.store.clone();
    let frozen = blocking(move || Ok(store.report_version(id, number, &caller)?)).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json".to_owned()), (header::HeaderName::from_static("x-qar-sha256"), frozen.version.sha256)],
        frozen.snapshot,
    )
        .into_response())
}

/// What an issued version is downloaded as.
#[derive(Debug, Clone, Copy)]
pub enum Download {
    Pdf,
    Docx,
}

/// The issued version as PDF: rendered here from the frozen snapshot by `qar-report`, the code
/// the laptops export with, so the bytes are the laptop's export of that version. For whoever
/// may read the version (its team, its hub's coordinator, administrators, and the host school's
/// headteacher once it is issued).
#[utoipa::path(get, path = "/v1/reviews/{review_id}/versions/{version}/pdf", tag = "workflow", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id"), ("version" = u32, Path, description = "Version number, from 1")),
    responses(
        (status = 200, description = "The PDF, as an attachment named as the laptop names its export", content_type = "application/pdf"),
        (status = 403, description = "not_your_role, other_hub, wrong_state", body = ErrorBody),
        (status = 404, description = "unknown_review, unknown_version", body = ErrorBody),
    ))]
pub async fn version_pdf(state: State<AppState>, caller: AuthDevice, id: ReviewId, number: VersionNumber) -> Result<Response, ApiError> {
    download(state, caller, id, number, Download::Pdf).await
}

/// The issued version as Word (DOCX), rendered like [`version_pdf`].
#[utoipa::path(get, path = "/v1/reviews/{review_id}/versions/{version}/docx", tag = "workflow", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id"), ("version" = u32, Path, description = "Version number, from 1")),
    responses(
        (status = 200, description = "The Word document, as an attachment named as the laptop names its export",
         content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 403, description = "not_your_role, other_hub, wrong_state", body = ErrorBody),
        (status = 404, description = "unknown_review, unknown_version", body = ErrorBody),
    ))]
pub async fn version_docx(state: State<AppState>, caller: AuthDevice, id: ReviewId, number: VersionNumber) -> Result<Response, ApiError> {
    download(state, caller, id, number, Download::Docx).await
}

async fn download(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    VersionNumber(number): VersionNumber,
    format: Download,
) -> Result<Response, ApiError> {
    let store = state.store.clone();
    let (name, bytes) = blocking(move || render_version(&store, id, number, &caller, format)).await?;
    Ok(download_response(&name, bytes, format))
}

/// The issued version rendered as a file, with the laptop's file name, for whoever may read it:
/// the API's downloads and the school's pages (`web::report`) both call this, so their bytes
/// are the same.
pub(crate) fn render_version(
    store: &ServerStore,
    id: uuid::Uuid,
    number: u32,
    caller: &AuthDevice,
    format: Download,
) -> Result<(String, Vec<u8>), ApiError> {
    let frozen = store.report_version(id, number, caller)?;
    let mut doc = qar_report::source::from_snapshot(&frozen.snapshot).map_err(ApiError::internal)?;
    // The photos it prints, from the blob store: the same bytes the laptops hold.
    doc.fill_photos(|p| store.report_photo_bytes(&id.to_string(), &p.sha256))?;
    let (extension, bytes) = match format {
        Download::Pdf => ("pdf", qar_report::render_pdf(&doc)),
        Download::Docx => ("docx", qar_report::render_docx(&doc)),
    };
    Ok((qar_report::source::file_name(&doc, extension), bytes.map_err(ApiError::internal)?))
}

/// A rendered version as an attachment.
pub(crate) fn download_response(name: &str, bytes: Vec<u8>, format: Download) -> Response {
    let content_type = match format {
        Download::Pdf => "application/pdf",
        Download::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    };
    ([(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, content_disposition(name))], bytes).into_response()
}

/// `attachment` with the name as ASCII (`filename`, others replaced) and exactly (`filename*`, RFC 6266/5987).
fn content_disposition(name: &str) -> String {
    let ascii: String = name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}
