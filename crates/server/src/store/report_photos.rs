//! Photos in the report on the server (issue 19): what a section's `photos` field names, frozen
//! into an issued snapshot with each photo's SHA-256 and type from its attachment record, and
//! the bytes an issued version's PDF or Word download prints, read from the blob store.
//!
//! Who sees a photo this way is who may read the report (the coordinator, the host school's
//! head once issued): the photo is part of the report. The team's other photos stay behind
//! `blob_access`'s team-only rule.

use super::blobs::BlobPlace;
use super::records::{self, text, Doc};
use super::{ServerStore, StoreError};
use crate::store::db::{params, Connection, OptionalExtension};
use qar_core::report_photos::{self, ReportPhoto, IMAGE_TYPES};
use qar_core::ErrorCode;
use serde_json::{json, Value};

/// The photos a report section's record names.
pub(super) fn of_section(doc: &Doc) -> Vec<ReportPhoto> {
    report_photos::read(doc.get("photos").map(|f| &f.value))
}

/// The photos of `photos` as an issued snapshot keeps them: each with the SHA-256 and type of
/// its attachment. A photo whose attachment was removed, or is not a picture, is left out.
pub(super) fn frozen(tx: &Connection, rid: &str, photos: &[ReportPhoto]) -> crate::store::db::Result<Vec<Value>> {
    let mut stmt = tx.prepare_cached("SELECT fields FROM records WHERE review_id = ?1 AND entity = 'attachment' AND id = ?2")?;
    let mut out = Vec::with_capacity(photos.len());
    for p in photos {
        let fields: Option<String> = stmt.query_row(params![rid, p.attachment_id], |r| r.get(0)).optional()?;
        let Some(fields) = fields else { continue };
        let doc: Doc = records::parse_doc(&fields, || format!("attachment {} of review {rid}", p.attachment_id))?;
        if records::tombstone(&doc).is_some() || !IMAGE_TYPES.contains(&text(&doc, "mime")) {
            continue;
        }
        out.push(json!({
            "attachment_id": p.attachment_id,
            "caption": p.caption,
            "sha256": text(&doc, "sha256"),
            "mime": text(&doc, "mime"),
        }));
    }
    Ok(out)
}

impl ServerStore {
    /// Every photo a snapshot names is stored whole, or the refusal naming the first that is
    /// not: an issued version must print on the server as it does on the laptops.
    pub(super) fn check_photos_stored(&self, rid: &str, sections: &[Value]) -> Result<(), StoreError> {
        for photo in sections.iter().filter_map(|s| s.get("photos").and_then(Value::as_array)).flatten() {
            let sha256 = photo.get("sha256").and_then(Value::as_str).unwrap_or_default();
            if !self.blobs.has(&BlobPlace { review_id: rid.to_owned(), sha256: sha256.to_owned() })? {
                let caption = photo.get("caption").and_then(Value::as_str).unwrap_or_default().trim();
                let name = if caption.is_empty() { "A photo without a caption".to_owned() } else { format!("The photo '{caption}'") };
                return Err(StoreError::Refused {
                    code: ErrorCode::PhotoNotUploaded,
                    message: format!(
                        "{name}, chosen for the report, has not reached the server yet: the laptop it was taken on must sync first"
                    ),
                    details: json!({ "sha256": sha256 }),
                });
            }
        }
        Ok(())
    }

    /// The bytes of a photo an issued version prints. The caller has already been allowed to
    /// read that version; only photos its snapshot names are read.
    pub fn report_photo_bytes(&self, review_id: &str, sha256: &str) -> Result<Vec<u8>, StoreError> {
        let place = BlobPlace { review_id: review_id.to_owned(), sha256: sha256.to_owned() };
        self.blobs.get(&place)?.ok_or_else(|| StoreError::Refused {
            code: ErrorCode::PhotoNotUploaded,
            message: "A photo of this issued report is missing from the server's storage".into(),
            details: json!({ "sha256": sha256 }),
        })
    }
}
