//! Who may send and fetch a review's attachment bytes, and the upload's steps (issue 19).
//!
//! - **Sending** (status, pieces): anyone on the review's team. The bytes alone show nothing:
//!   an attachment record, decided under its note's rules, is what puts them on a note.
//! - **Fetching**: team members who may read the team's evidence. Never a coordinator or an
//!   administrator who is not on the team (the report decides what they see), never someone
//!   taken off the team, and never a blob of another review: blobs are stored per review, so
//!   knowing a hash reaches nothing elsewhere.

use super::access::{self, ReviewAccess};
use super::blobs::{BlobError, BlobPlace};
use super::workflow::check;
use super::{ServerStore, StoreError};
use crate::auth::AuthDevice;
use qar_core::attachment::{is_sha256, MAX_FILE_BYTES, MAX_REVIEW_BYTES};
use qar_core::protocol::blobs::BlobStatus;
use qar_core::{Action, ErrorCode};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub(super) fn refused(code: ErrorCode, message: impl Into<String>) -> StoreError {
    StoreError::Refused { code, message: message.into(), details: serde_json::Value::Null }
}

impl From<BlobError> for StoreError {
    fn from(e: BlobError) -> StoreError {
        match e {
            BlobError::WrongOffset(offset) => StoreError::Refused {
                code: ErrorCode::WrongOffset,
                message: format!("The server holds {offset} bytes of this file: send from there"),
                details: serde_json::json!({ "offset": offset }),
            },
            BlobError::Damaged => StoreError::Corrupt { what: "attachment blob".into(), detail: e.to_string() },
            BlobError::Io(io) => StoreError::Corrupt { what: "attachment blob storage".into(), detail: io.to_string() },
        }
    }
}

impl ServerStore {
    /// The lock of one blob's upload (see `ServerStore::uploads`).
    pub fn upload_lock(&self, review_id: Uuid, sha256: &str) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        let mut uploads = self.uploads.lock().unwrap_or_else(|e| e.into_inner());
        // Locks nobody holds or waits for are forgotten, so the map stays as small as the uploads under way.
        uploads.retain(|_, lock| std::sync::Arc::strong_count(lock) > 1);
        uploads.entry(format!("{review_id}/{sha256}")).or_default().clone()
    }

    /// Marks this instance as taking the upload's pieces for the next `for_ms` (`Some`), or as
    /// done with them (`None`), for the instances that share the blob store (decision 96).
    /// Called only after [`ServerStore::blob_piece_allowed`] let the sender in.
    pub fn blob_taking(&self, review_id: Uuid, sha256: &str, for_ms: Option<u64>) -> Result<(), StoreError> {
        let place = BlobPlace { review_id: review_id.to_string(), sha256: sha256.to_owned() };
        Ok(self.blobs.taking(&place, for_ms.map(|ms| super::now_ms() + ms))?)
    }

    /// Whether another instance is taking pieces of this upload now: its status waits for them.
    pub fn blob_being_taken(&self, review_id: Uuid, sha256: &str) -> Result<bool, StoreError> {
        let place = BlobPlace { review_id: review_id.to_string(), sha256: sha256.to_owned() };
        Ok(self.blobs.being_taken(&place, super::now_ms())?)
    }

    fn blob_review(&self, review_id: Uuid, sha256: &str, caller: &AuthDevice) -> Result<(ReviewAccess, BlobPlace), StoreError> {
        if !is_sha256(sha256) {
            return Err(refused(ErrorCode::BadQuery, "An attachment is named by its SHA-256: 64 lowercase hex digits"));
        }
        let review =
            access::review_access(&self.reader(), &review_id.to_string(), &caller.user_id)?.ok_or(StoreError::UnknownReview(review_id))?;
        Ok((review, BlobPlace { review_id: review_id.to_string(), sha256: sha256.to_owned() }))
    }

    fn may_send(caller: &AuthDevice, review: &ReviewAccess) -> Result<(), StoreError> {
        if review.team_role.is_none() {
            return Err(refused(ErrorCode::NotYourRole, "Only the review's team sends attachments to it"));
        }
        check(caller, Action::ViewReview, review)
    }

    /// Where an upload stands: complete, or how many bytes the server holds.
    pub fn blob_status(&self, review_id: Uuid, sha256: &str, caller: &AuthDevice) -> Result<BlobStatus, StoreError> {
        let (review, place) = self.blob_review(review_id, sha256, caller)?;
        Self::may_send(caller, &review)?;
        if self.blobs.has(&place)? {
            return Ok(BlobStatus { offset: 0, complete: true });
        }
        Ok(BlobStatus { offset: self.blobs.received(&place)?, complete: false })
    }

    /// Checks a piece before its bytes are read: the sender, the declared size against the
    /// limits, and the offset against what the server holds.
    pub fn blob_piece_allowed(
        &self,
        review_id: Uuid,
        sha256: &str,
        size: u64,
        offset: u64,
        caller: &AuthDevice,
    ) -> Result<BlobStatus, StoreError> {
        let status = self.blob_status(review_id, sha256, caller)?;
        if status.complete {
            return Ok(status);
        }
        if size == 0 || size > MAX_FILE_BYTES {
            return Err(refused(
                ErrorCode::FileTooLarge,
                format!("An attachment may be up to {} MB; this one is {:.1} MB", MAX_FILE_BYTES / 1_000_000, size as f64 / 1e6),
            ));
        }
        if offset > size {
            return Err(refused(ErrorCode::BadQuery, "The offset is past the file's declared size"));
        }
        if offset != status.offset {
            return Err(BlobError::WrongOffset(status.offset).into());
        }
        let held = self.blobs.review_bytes(&review_id.to_string())?;
        if held.saturating_add(size - offset) > MAX_REVIEW_BYTES {
            return Err(refused(
                ErrorCode::ReviewStorageFull,
                format!(
                    "This review's attachments already take {:.0} MB of the {} MB the server keeps for one review: remove some, or ask the hub",
                    held as f64 / 1e6,
                    MAX_REVIEW_BYTES / 1_000_000
                ),
            ));
        }
        Ok(status)
    }

    /// Keeps a piece that arrived (all of a request's body, or what came before the connection
    /// broke). When the server then holds `size` bytes, their SHA-256 is checked and the blob
    /// stored whole; a mismatch drops the upload.
    pub fn blob_append(&self, review_id: Uuid, sha256: &str, size: u64, offset: u64, bytes: &[u8]) -> Result<BlobStatus, StoreError> {
        let place = BlobPlace { review_id: review_id.to_string(), sha256: sha256.to_owned() };
        if self.blobs.has(&place)? {
            return Ok(BlobStatus { offset: 0, complete: true });
        }
        if offset.saturating_add(bytes.len() as u64) > size {
            return Err(refused(ErrorCode::BodyTooLarge, "More bytes than the file's declared size"));
        }
        let held = self.blobs.append(&place, offset, bytes)?;
        if held < size {
            return Ok(BlobStatus { offset: held, complete: false });
        }
        let whole = self.blobs.read_partial(&place)?;
        if hex::encode(Sha256::digest(&whole)) != sha256 {
            self.blobs.discard_partial(&place)?;
            return Err(refused(
                ErrorCode::HashMismatch,
                "The file that arrived does not have the checksum it was sent under: it was dropped; send it again",
            ));
        }
        self.blobs.put(&place, &whole)?;
        self.blobs.discard_partial(&place)?;
        Ok(BlobStatus { offset: size, complete: true })
    }

    /// A blob's bytes, for a team member who may read the team's evidence.
    pub fn blob_bytes(&self, review_id: Uuid, sha256: &str, caller: &AuthDevice) -> Result<Vec<u8>, StoreError> {
        let (review, place) = self.blob_review(review_id, sha256, caller)?;
        if review.team_role.is_none() {
            return Err(refused(ErrorCode::NotYourRole, "Attachments are seen by the review's team only"));
        }
        check(caller, Action::ReadTeamEvidence, &review)?;
        self.blobs.get(&place)?.ok_or_else(|| {
            refused(ErrorCode::NotFound, "The server does not have this attachment (yet): its author's laptop has not sent it")
        })
    }
}
