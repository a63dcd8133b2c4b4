//! Attachments in a handover or revoke export (issue 19, point 6): the files this laptop has not
//! sent yet travel with the unsent ops, as their cleaned bytes (opened from the sealed files)
//! with their metadata, inside the passphrase-sealed handover file. Importing checks each file
//! against its SHA-256, keeps it sealed here and queues it for upload as if attached here.

use super::Store;
use crate::error::{ClientError, Result};
use qar_core::attachment::AttachmentKind;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// One attachment's bytes and what they are, as a handover file carries them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandedFile {
    pub attachment_id: String,
    pub review_id: String,
    pub evidence_id: String,
    pub kind: AttachmentKind,
    pub caption: String,
    pub mime: String,
    pub sha256: String,
    pub size: u64,
    /// The cleaned bytes, base64 (standard alphabet).
    pub bytes: String,
}

impl HandedFile {
    /// The bytes, checked against the SHA-256 and size they travel under.
    pub fn verified_bytes(&self) -> Result<Vec<u8>> {
        use base64::Engine as _;
        let damaged = || ClientError::Vault(format!("the handover file's copy of attachment {} is damaged", self.attachment_id));
        let bytes = base64::engine::general_purpose::STANDARD.decode(&self.bytes).map_err(|_| damaged())?;
        if bytes.len() as u64 != self.size || hex::encode(Sha256::digest(&bytes)) != self.sha256 {
            return Err(damaged());
        }
        Ok(bytes)
    }
}

impl Store {
    /// The attachments whose bytes are still waiting to be sent (of one review, or all),
    /// oldest first, with their bytes opened from the sealed files.
    pub fn unsent_files(&self, review_id: Option<Uuid>) -> Result<Vec<HandedFile>> {
        use base64::Engine as _;
        let ids: Vec<(String, String)> = {
            let mut stmt =
                self.conn.prepare_cached("SELECT attachment_id, review_id FROM attachment_uploads ORDER BY queued_at_ms, attachment_id")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut out = Vec::new();
        for (id, review) in ids.into_iter().filter(|(_, r)| review_id.is_none_or(|want| want.to_string() == *r)) {
            // A photo's thumbnail travels as a file of its own, under its ":thumb" id.
            let (owner, is_thumb) = crate::attachment_files::owner_of(&id);
            let a = self.attachment(owner)?;
            let sha256 = if is_thumb { self.attachment_thumb(owner)?.map(|t| t.0).unwrap_or_default() } else { a.sha256 };
            let bytes = self.attachment_bytes(&id)?;
            out.push(HandedFile {
                attachment_id: id,
                review_id: review,
                evidence_id: a.evidence_id,
                kind: a.kind,
                caption: a.caption,
                mime: if is_thumb { "image/jpeg".to_owned() } else { a.mime },
                sha256,
                size: bytes.len() as u64,
                bytes: base64::engine::general_purpose::STANDARD.encode(&bytes),
            });
        }
        Ok(out)
    }

    /// Keeps a handed-over file here and queues it for upload. Its record must be here (the
    /// handover's ops are imported first, or it synced). False when this laptop already holds
    /// the bytes (a second import of the same file changes nothing).
    pub fn import_file(&mut self, file: &HandedFile, now_ms: u64) -> Result<bool> {
        let bytes = file.verified_bytes()?;
        let (owner, is_thumb) = crate::attachment_files::owner_of(&file.attachment_id);
        let record = self.attachment(owner)?;
        let named = if is_thumb { self.attachment_thumb(owner)?.map(|t| t.0).unwrap_or_default() } else { record.sha256 };
        if named != file.sha256 || record.review_id != file.review_id {
            return Err(ClientError::Vault(format!(
                "the handover file's copy of attachment {} is not the file its record names",
                file.attachment_id
            )));
        }
        if self.stored_attachment(&file.attachment_id)?.is_some() {
            return Ok(false);
        }
        self.put_attachment_bytes(&file.attachment_id, &bytes)?;
        self.conn.execute(
            "INSERT OR IGNORE INTO attachment_uploads(attachment_id, review_id, sha256, size, queued_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![file.attachment_id, file.review_id, file.sha256, file.size as i64, now_ms as i64],
        )?;
        Ok(true)
    }
}
