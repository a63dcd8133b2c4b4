//! Photos in the report on the server (issue 19): what a section's `photos` field names, frozen
//! into an issued snapshot with each photo's SHA-256 and type from its attachment record, and
//! the bytes an issued version's PDF or Word download prints, read from the blob store.
//!
//! Who sees a photo this way is who may read the report (the coordinator, the host school's
//! head once issued): the photo is part of the report. The team's other photos stay behind
//! `blob_access`'s team-only rule.

use super::access;
use super::blob_access::refused;
use super::blobs::BlobPlace;
use super::records::{self, text, Doc};
use super::workflow::check;
use super::{ServerStore, StoreError};
use crate::auth::AuthDevice;
use crate::store::db::{params, Connection, OptionalExtension};
use qar_core::attachment::is_sha256;
use qar_core::report_photos::{self, ReportPhoto, IMAGE_TYPES};
use qar_core::{Action, ErrorCode};
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

/// Whether the report of `rid` shows the photo with this SHA-256: a live section's chosen photo
/// (through its attachment, still a picture and not removed) or one an issued version froze.
fn report_shows(conn: &Connection, rid: &str, sha256: &str) -> crate::store::db::Result<bool> {
    let mut sections = conn.prepare("SELECT fields FROM records WHERE review_id = ?1 AND entity = 'report_section'")?;
    for fields in sections.query_map([rid], |r| r.get::<_, String>(0))? {
        let doc: Doc = records::parse_doc(&fields?, || format!("report_section record of review {rid}"))?;
        if records::tombstone(&doc).is_some() {
            continue;
        }
        if frozen(conn, rid, &of_section(&doc))?.iter().any(|p| p["sha256"] == sha256) {
            return Ok(true);
        }
    }
    let mut versions = conn.prepare("SELECT snapshot FROM report_versions WHERE review_id = ?1")?;
    for snapshot in versions.query_map([rid], |r| r.get::<_, String>(0))? {
        // A snapshot that no longer parses (an expired version keeps no text) shows nothing.
        let snapshot: Value = serde_json::from_str(&snapshot?).unwrap_or(Value::Null);
        let sections = snapshot.get("sections").and_then(Value::as_array).into_iter().flatten();
        let mut photos = sections.filter_map(|s| s.get("photos").and_then(Value::as_array)).flatten();
        if photos.any(|p| p["sha256"] == sha256) {
            return Ok(true);
        }
    }
    Ok(false)
}

impl ServerStore {
    /// A photo the review's report shows, for whoever may read the review's report, above all
    /// the hub's coordinator, whose laptop prints it in the report view (issue 19). Nothing else
    /// of the team's evidence is reached this way: a photo the report does not show is refused
    /// as if absent, even to the team (their route is `blob_bytes`).
    pub fn report_photo_for(&self, review_id: uuid::Uuid, sha256: &str, caller: &AuthDevice) -> Result<Vec<u8>, StoreError> {
        if !is_sha256(sha256) {
            return Err(refused(ErrorCode::BadQuery, "A photo is named by its SHA-256: 64 lowercase hex digits"));
        }
        let rid = review_id.to_string();
        let shows = {
            let conn = self.reader();
            let review = access::review_access(&conn, &rid, &caller.user_id)?.ok_or(StoreError::UnknownReview(review_id))?;
            check(caller, Action::ViewReview, &review)?;
            report_shows(&conn, &rid, sha256)?
        };
        if !shows {
            return Err(refused(ErrorCode::NotFound, "The review's report shows no such photo"));
        }
        self.blobs.get(&BlobPlace { review_id: rid, sha256: sha256.to_owned() })?.ok_or_else(|| {
            refused(
                ErrorCode::PhotoNotUploaded,
                "This photo of the report has not reached the server yet: the laptop it was taken on must sync first",
            )
        })
    }

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
