//! Reading an upload's body in pieces, each stored as soon as it is gathered, so a connection
//! cut halfway loses only what was still in flight.

use super::blocking;
use crate::error::ApiError;
use crate::AppState;
use axum::body::Body;
use http_body_util::BodyExt;
use qar_core::protocol::blobs::BlobStatus;
use qar_core::ErrorCode;
use uuid::Uuid;

/// Bytes gathered before they are stored: small enough that a request stopped by the time
/// limit loses little, large enough that a 25 MB file is a few hundred writes.
const PIECE: usize = 64 * 1024;

pub(super) async fn read_pieces(
    state: AppState,
    review: Uuid,
    sha: String,
    size: u64,
    offset: u64,
    body: Body,
) -> Result<BlobStatus, ApiError> {
    let mut body = body;
    let mut at = offset;
    let mut gathered: Vec<u8> = Vec::with_capacity(PIECE);
    let mut last = BlobStatus { offset, complete: false };
    loop {
        let frame = body.frame().await;
        let (done, broken) = match frame {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    if at + (gathered.len() + data.len()) as u64 > size {
                        return Err(ApiError::new(ErrorCode::BodyTooLarge, "More bytes than the file's declared size"));
                    }
                    gathered.extend_from_slice(&data);
                }
                (false, false)
            }
            Some(Err(_)) => (true, true),
            None => (true, false),
        };
        if gathered.len() >= PIECE || (done && !gathered.is_empty()) {
            let piece = std::mem::take(&mut gathered);
            let (store, sha) = (state.store.clone(), sha.clone());
            let len = piece.len() as u64;
            last = blocking(move || Ok(store.blob_append(review, &sha, size, at, &piece)?)).await?;
            at += len;
        }
        if broken {
            // Nobody reads this answer (the connection is gone); what arrived is kept.
            return Err(ApiError::new(ErrorCode::BadBody, "The connection broke while the file was being sent: send the rest"));
        }
        if done {
            return Ok(last);
        }
    }
}
