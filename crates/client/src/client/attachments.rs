//! Attachments through the facade (issue 19): photos and documents on notes, their sealed bytes
//! by attachment id, and (in `sync/blobs.rs`) their upload and download.

use super::{now_ms, Client};
use crate::error::Result;
use crate::model::{Attachment, AttachmentCheck, NewAttachment};
use crate::store::{AttachChoice, StoredAttachment};
use crate::sync::lock;

impl Client {
    /// Runs the safe pipeline over a picked file without storing anything, so the person sees
    /// what will be kept (cleaned, face check) and chooses before saving. Refused first when
    /// they may not edit the note, so nothing is processed for nothing.
    pub fn check_attachment(&self, evidence_id: &str, bytes: &[u8], file_name: &str, full_size: bool) -> Result<AttachmentCheck> {
        lock(&self.store).check_can_attach(evidence_id)?;
        let options = qar_media::Options { full_size, ..qar_media::Options::default() };
        let safe = qar_media::make_safe(bytes, file_name, &options, false)?;
        Ok(AttachmentCheck {
            mime: safe.mime.as_str().to_owned(),
            width: safe.dimensions.map(|d| d.0),
            height: safe.dimensions.map(|d| d.1),
            size: safe.bytes.len() as u64,
            original_size: bytes.len() as u64,
            metadata_removed: safe.dimensions.is_some(),
            may_show_face: safe.may_show_face,
        })
    }

    /// [`Client::attach_file`] with the choices as the app sends them.
    pub fn attach(&self, new: &NewAttachment, bytes: &[u8]) -> Result<Attachment> {
        let choice = AttachChoice { kind: new.kind, caption: &new.caption, full_size: new.full_size, blur_faces: new.blur_faces };
        self.attach_file(&new.evidence_id, bytes, &new.file_name, &choice)
    }

    /// A review's attachments, for the thumbnails in its evidence list.
    pub fn list_review_attachments(&self, review_id: &str) -> Result<Vec<Attachment>> {
        lock(&self.store).list_review_attachments(review_id)
    }

    /// Attaches a picked file to a note: checked against the note's rules first, made safe by
    /// qar-media without holding the store (a 12-megapixel photo takes a moment), then sealed
    /// and recorded with its upload entry in one go. Nothing is stored when anything is refused.
    pub fn attach_file(&self, evidence_id: &str, bytes: &[u8], file_name: &str, choice: &AttachChoice) -> Result<Attachment> {
        lock(&self.store).check_can_attach(evidence_id)?;
        let options = qar_media::Options { full_size: choice.full_size, ..qar_media::Options::default() };
        let safe = qar_media::make_safe(bytes, file_name, &options, choice.blur_faces)?;
        lock(&self.store).attach_safe(evidence_id, &safe, choice.kind, choice.caption, now_ms())
    }

    /// An attachment's bytes to show: from this laptop, or, for a teammate's file not here
    /// yet, fetched from the server on first open (checked against its SHA-256) and kept
    /// sealed. Offline, a missing file is a clear error and everything else keeps working.
    pub async fn open_attachment(&self, id: &str) -> Result<Vec<u8>> {
        let found = lock(&self.store).attachment(id)?;
        if found.held_here {
            return lock(&self.store).attachment_bytes(id);
        }
        let bytes = self.sync_client().blob_fetch(&found.review_id, &found.sha256).await?;
        lock(&self.store).put_attachment_bytes(id, &bytes)?;
        Ok(bytes)
    }

    /// The bytes to draw an attachment's tile in a list: the photo's small thumbnail, from this
    /// laptop or fetched once from the server (checked against its SHA-256) and kept sealed, so
    /// a list of a teammate's photos downloads kilobytes, not the photos. The full file comes
    /// only with [`Client::open_attachment`]. A record without a thumbnail (a document, or a
    /// photo attached before thumbnails) falls back to the full file; so does a thumbnail the
    /// server cannot give.
    pub async fn open_attachment_thumbnail(&self, id: &str) -> Result<Vec<u8>> {
        let review_id = lock(&self.store).attachment(id)?.review_id;
        let thumb_id = crate::attachment_files::thumb_id(id);
        let Some((sha256, _)) = lock(&self.store).attachment_thumb(id)? else {
            return self.open_attachment(id).await;
        };
        if lock(&self.store).stored_attachment(&thumb_id)?.is_some() {
            return lock(&self.store).attachment_bytes(&thumb_id);
        }
        match self.sync_client().blob_fetch(&review_id, &sha256).await {
            Ok(bytes) => {
                lock(&self.store).put_attachment_bytes(&thumb_id, &bytes)?;
                Ok(bytes)
            }
            // Not on the server yet (its author's laptop has not sent it): as before thumbnails,
            // the tile shows the full file, held here or fetched.
            Err(e) => {
                tracing::info!(attachment = id, error = %e, "no thumbnail to hand: the tile shows the full file");
                self.open_attachment(id).await
            }
        }
    }

    /// The SHA-256 and size of a photo's thumbnail, when its record names one.
    pub fn attachment_thumb(&self, id: &str) -> Result<Option<(String, u64)>> {
        lock(&self.store).attachment_thumb(id)
    }

    /// Files waiting to be sent, bytes left and failing files (the sync panel).
    pub fn upload_queue_status(&self) -> Result<crate::store::UploadQueueStatus> {
        lock(&self.store).upload_queue_status()
    }

    pub fn list_attachments(&self, evidence_id: &str) -> Result<Vec<Attachment>> {
        lock(&self.store).list_attachments(evidence_id)
    }

    pub fn set_attachment_caption(&self, id: &str, caption: &str) -> Result<Attachment> {
        lock(&self.store).set_attachment_caption(id, caption, now_ms())
    }

    pub fn delete_attachment(&self, id: &str) -> Result<()> {
        lock(&self.store).delete_attachment(id, now_ms())
    }

    /// Keeps the (already cleaned, see qar-media) bytes of an attachment, sealed on this laptop.
    pub fn put_attachment_bytes(&self, attachment_id: &str, bytes: &[u8]) -> Result<StoredAttachment> {
        lock(&self.store).put_attachment_bytes(attachment_id, bytes)
    }

    pub fn attachment_bytes(&self, attachment_id: &str) -> Result<Vec<u8>> {
        lock(&self.store).attachment_bytes(attachment_id)
    }

    pub fn delete_attachment_bytes(&self, attachment_id: &str) -> Result<bool> {
        lock(&self.store).delete_attachment_bytes(attachment_id)
    }
}
