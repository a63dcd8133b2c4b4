//! Attachment bytes (issue 19), apart from the notes' sync:
//! `GET /v1/reviews/{id}/blobs/{sha256}/upload` (where an upload stands),
//! `PATCH /v1/reviews/{id}/blobs/{sha256}/upload?offset=&size=` (the bytes from `offset` on),
//! `GET /v1/reviews/{id}/blobs/{sha256}` (the bytes, for the team),
//! `GET /v1/reviews/{id}/report/photos/{sha256}` (a photo the report shows, for its readers).
//!
//! A PATCH body is kept as it arrives, in pieces: when the connection breaks halfway, what came
//! is stored and the laptop resumes from the offset the status then gives, never from zero.

use super::blobs_body::read_pieces;
use super::blocking;
use super::extract::{BlobSha, QueryParams, ReviewId};
use crate::auth::AuthDevice;
use crate::error::ApiError;
use crate::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use qar_core::protocol::blobs::BlobStatus;
use qar_core::protocol::ErrorBody;
use serde::Deserialize;
use std::time::{Duration, Instant};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PieceParams {
    /// Where this body starts in the file: what the server said it holds.
    offset: u64,
    /// The whole file's size in bytes (at most 25 MB).
    size: u64,
}

/// Where an upload of this blob stands for this review: complete (nothing to send), or how
/// many bytes the server holds. Anyone on the review's team.
#[utoipa::path(get, path = "/v1/reviews/{review_id}/blobs/{sha256}/upload", tag = "attachments", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id"),
           ("sha256" = String, Path, description = "SHA-256 of the file, 64 lowercase hex digits", pattern = "^[0-9a-f]{64}$")),
    responses(
        (status = 200, description = "Where the upload stands", body = BlobStatus),
        (status = 400, description = "bad_query: not a SHA-256", body = ErrorBody),
        (status = 403, description = "not_your_role: not on the review's team", body = ErrorBody),
        (status = 404, description = "unknown_review", body = ErrorBody),
    ))]
pub async fn upload_status(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    BlobSha(sha): BlobSha,
) -> Result<Json<BlobStatus>, ApiError> {
    let store = state.store.clone();
    let lock = store.upload_lock(id, &sha);
    let _settled = lock.lock().await;
    settle(&store, id, &sha).await?;
    Ok(Json(blocking(move || Ok(store.blob_status(id, &sha, &caller)?)).await?))
}

/// How long an instance waits for another one to store the pieces it took before a cut. Storing
/// what arrived takes milliseconds; an instance that died holding the mark is waited out no
/// longer than this, and its mark then lapses by itself.
const SETTLE_LIMIT: Duration = Duration::from_secs(3);
/// How long an instance's mark lasts: past any request's time to read its body.
const TAKING_FOR_MS: u64 = 120_000;

/// Waits (at most [`SETTLE_LIMIT`]) while another instance that shares the blob store is taking
/// pieces of this upload, so the offset read next is where the upload really stands.
async fn settle(store: &std::sync::Arc<crate::ServerStore>, id: uuid::Uuid, sha: &str) -> Result<(), ApiError> {
    let until = Instant::now() + SETTLE_LIMIT;
    loop {
        let (s, sha) = (store.clone(), sha.to_owned());
        if !blocking(move || Ok(s.blob_being_taken(id, &sha)?)).await? || Instant::now() >= until {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Sends the file's bytes from `offset` on (all the rest, or a part). The server keeps what
/// arrives even when the connection breaks; once it holds `size` bytes it checks their SHA-256
/// and stores the blob whole. A blob already stored for this review is not taken again.
#[utoipa::path(patch, path = "/v1/reviews/{review_id}/blobs/{sha256}/upload", tag = "attachments", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id"),
           ("sha256" = String, Path, description = "SHA-256 of the file, 64 lowercase hex digits", pattern = "^[0-9a-f]{64}$"), PieceParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes from `offset` on"),
    responses(
        (status = 200, description = "Where the upload stands now", body = BlobStatus),
        (status = 400, description = "bad_query", body = ErrorBody),
        (status = 403, description = "not_your_role: not on the review's team", body = ErrorBody),
        (status = 404, description = "unknown_review", body = ErrorBody),
        (status = 409, description = "wrong_offset: details.offset is where the server's copy ends", body = ErrorBody),
        (status = 413, description = "file_too_large (over 25 MB), review_storage_full, body_too_large (more than size)", body = ErrorBody),
        (status = 422, description = "hash_mismatch: the bytes do not have this SHA-256; dropped", body = ErrorBody),
    ))]
pub async fn upload_piece(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    BlobSha(sha): BlobSha,
    QueryParams(p): QueryParams<PieceParams>,
    body: Body,
) -> Result<Json<BlobStatus>, ApiError> {
    // All of it in a task of its own: when the connection breaks, the server drops this
    // handler at once, but the task still stores what arrived before the break.
    let work = async move {
        let store = state.store.clone();
        let lock = store.upload_lock(id, &sha);
        let _one_at_a_time = lock.lock().await;
        settle(&store, id, &sha).await?;
        let sha_check = sha.clone();
        let checked = store.clone();
        let status = blocking(move || Ok(checked.blob_piece_allowed(id, &sha_check, p.size, p.offset, &caller)?)).await?;
        if status.complete {
            return Ok(status);
        }
        let (marked, sha_mark) = (store.clone(), sha.clone());
        blocking(move || Ok(marked.blob_taking(id, &sha_mark, Some(TAKING_FOR_MS))?)).await?;
        let read = read_pieces(state, id, sha.clone(), p.size, p.offset, body).await;
        // Cleared whether the body came whole or was cut: what arrived is stored by now.
        blocking(move || Ok(store.blob_taking(id, &sha, None)?)).await?;
        read
    };
    Ok(Json(tokio::spawn(work).await.map_err(ApiError::internal)??))
}

/// The blob's bytes, for a member of the review's team who may read the team's evidence.
#[utoipa::path(get, path = "/v1/reviews/{review_id}/blobs/{sha256}", tag = "attachments", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id"),
           ("sha256" = String, Path, description = "SHA-256 of the file, 64 lowercase hex digits", pattern = "^[0-9a-f]{64}$")),
    responses(
        (status = 200, description = "The file's bytes", content_type = "application/octet-stream"),
        (status = 400, description = "bad_query: not a SHA-256", body = ErrorBody),
        (status = 403, description = "not_your_role: not on the review's team (coordinators and administrators neither)", body = ErrorBody),
        (status = 404, description = "unknown_review; not_found: the server does not have it (yet)", body = ErrorBody),
    ))]
pub async fn download(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    BlobSha(sha): BlobSha,
) -> Result<Response, ApiError> {
    let store = state.store.clone();
    let sha_header = sha.clone();
    let bytes = blocking(move || Ok(store.blob_bytes(id, &sha, &caller)?)).await?;
    Ok(file_bytes(sha_header, bytes))
}

/// A file's bytes as an answer, named by their SHA-256 (the laptop checks them against it).
fn file_bytes(sha256: String, bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/octet-stream".to_owned()), (header::HeaderName::from_static("x-qar-sha256"), sha256)], bytes)
        .into_response()
}

/// A photo the review's report shows, for anyone who may read the review's report: the hub's
/// coordinator's laptop prints it in the report view. A photo the report does not show is not
/// served here, whoever asks (the team fetches its files from `…/blobs/{sha256}`).
#[utoipa::path(get, path = "/v1/reviews/{review_id}/report/photos/{sha256}", tag = "attachments", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The review's id"),
           ("sha256" = String, Path, description = "SHA-256 of the photo, 64 lowercase hex digits", pattern = "^[0-9a-f]{64}$")),
    responses(
        (status = 200, description = "The photo's bytes", content_type = "application/octet-stream"),
        (status = 400, description = "bad_query: not a SHA-256", body = ErrorBody),
        (status = 403, description = "not_your_role: may not read this review's report", body = ErrorBody),
        (status = 404, description = "unknown_review; not_found: the report shows no such photo", body = ErrorBody),
        (status = 409, description = "photo_not_uploaded: the report shows it, but its laptop has not sent it yet", body = ErrorBody),
    ))]
pub async fn report_photo(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    BlobSha(sha): BlobSha,
) -> Result<Response, ApiError> {
    let store = state.store.clone();
    let sha_header = sha.clone();
    let bytes = blocking(move || Ok(store.report_photo_for(id, &sha, &caller)?)).await?;
    Ok(file_bytes(sha_header, bytes))
}
