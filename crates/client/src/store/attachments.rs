//! Attachments on notes (issue 19): the synced record and, in the same transaction, the sealed
//! file's row and the upload queue entry. A photo is part of its note, so attaching, captioning
//! and removing one need the right to edit that note (the server decides the same way).

use super::evidence::parse_id;
use super::Store;
use crate::attachment_files as files;
use crate::error::{ClientError, Result};
use crate::model::Attachment;
use chrono::{DateTime, Utc};
use qar_core::attachment::AttachmentKind;
use qar_core::permissions::Action;
use qar_core::EntityKind;
use qar_media::SafeAttachment;
use rusqlite::{params, OptionalExtension, Row};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use uuid::Uuid;

const COLUMNS: &str = "a.id, a.review_id, a.evidence_id, a.kind, a.caption, a.sha256, a.size, a.mime, a.may_show_face,
     f.attachment_id IS NOT NULL, u.attachment_id IS NOT NULL, u.last_error, a.created_at_ms";
const FROM: &str = "attachments a LEFT JOIN attachment_files f ON f.attachment_id = a.id
     LEFT JOIN attachment_uploads u ON u.attachment_id = a.id";

/// What a person chose when attaching a file.
#[derive(Debug, Clone)]
pub struct AttachChoice<'a> {
    pub kind: AttachmentKind,
    pub caption: &'a str,
    /// Keep a photo's own size instead of 2,048 px on its longest side.
    pub full_size: bool,
    /// Blur the areas the face check found before saving.
    pub blur_faces: bool,
}

impl Store {
    /// Checks that the user may attach to (edit) this note now, before any file is processed.
    pub fn check_can_attach(&self, evidence_id: &str) -> Result<()> {
        let note = self.evidence(evidence_id)?;
        let own = self.is_own(&note.author_id)?;
        self.check(&self.review_info(&note.review_id)?, Action::edit_evidence(own), own)?;
        Ok(())
    }

    /// Makes a picked file safe (qar-media), seals its bytes and records the attachment with
    /// its upload queue entry. Refused whole, with nothing stored, when the file or the caption
    /// is refused or the user may not edit the note.
    pub fn attach_file(
        &mut self,
        evidence_id: &str,
        bytes: &[u8],
        file_name: &str,
        choice: &AttachChoice,
        now_ms: u64,
    ) -> Result<Attachment> {
        self.check_can_attach(evidence_id)?;
        let options = qar_media::Options { full_size: choice.full_size, ..qar_media::Options::default() };
        let safe = qar_media::make_safe(bytes, file_name, &options, choice.blur_faces)?;
        self.attach_safe(evidence_id, &safe, choice.kind, choice.caption, now_ms)
    }

    /// Stores a file qar-media already made safe (the app runs the pipeline outside the store's
    /// lock). The sealed file is written first; the record, the file's row and the upload entry
    /// are one transaction; if that fails the file is removed (a crash in between leaves a file
    /// no row names, which the sweep at open removes).
    pub fn attach_safe(
        &mut self,
        evidence_id: &str,
        safe: &SafeAttachment,
        kind: AttachmentKind,
        caption: &str,
        now_ms: u64,
    ) -> Result<Attachment> {
        self.check_can_attach(evidence_id)?;
        let note = self.evidence(evidence_id)?;
        let caption = caption.trim();
        qar_core::validate_field(EntityKind::Attachment, "caption", &json!(caption))?;
        let id = Uuid::now_v7();
        let review = parse_id("Review", &note.review_id)?;
        let (name, written, stored) = self.seal_unrecorded(&id.to_string(), &safe.bytes)?;
        let thumb_id = files::thumb_id(&id.to_string());
        let thumb = match &safe.thumbnail {
            Some(bytes) => match self.seal_unrecorded(&thumb_id, bytes) {
                Ok(sealed) => Some(sealed),
                Err(e) => {
                    let _ = files::remove(&written);
                    return Err(e);
                }
            },
            None => None,
        };
        let mut fields: Vec<(&str, Value)> = vec![
            ("evidence_id", json!(note.id)),
            ("kind", json!(kind.code())),
            ("sha256", json!(stored.sha256)),
            ("size", json!(stored.size)),
            ("mime", json!(safe.mime.as_str())),
            ("may_show_face", json!(safe.may_show_face)),
        ];
        if let Some((_, _, t)) = &thumb {
            fields.push(("thumb_sha256", json!(t.sha256)));
            fields.push(("thumb_size", json!(t.size)));
        }
        if !caption.is_empty() {
            fields.push(("caption", json!(caption)));
        }
        let attachment_id = id.to_string();
        let written_ok = self.write_record_with(EntityKind::Attachment, id, review, &fields, "attach", now_ms, |tx| {
            tx.execute(
                "INSERT INTO attachment_files(attachment_id, file_name, size, sha256) VALUES (?1, ?2, ?3, ?4)",
                params![attachment_id, name, stored.size as i64, stored.sha256],
            )?;
            tx.execute(
                "INSERT INTO attachment_uploads(attachment_id, review_id, sha256, size, queued_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![attachment_id, note.review_id, stored.sha256, stored.size as i64, now_ms as i64],
            )?;
            // The thumbnail is queued just before the photo, so a teammate's list has it first.
            if let Some((thumb_name, _, t)) = &thumb {
                tx.execute(
                    "INSERT INTO attachment_files(attachment_id, file_name, size, sha256) VALUES (?1, ?2, ?3, ?4)",
                    params![thumb_id, thumb_name, t.size as i64, t.sha256],
                )?;
                tx.execute(
                    "INSERT INTO attachment_uploads(attachment_id, review_id, sha256, size, queued_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![thumb_id, note.review_id, t.sha256, t.size as i64, now_ms.saturating_sub(1) as i64],
                )?;
            }
            Ok(())
        });
        if let Err(e) = written_ok {
            let _ = files::remove(&written);
            if let Some((_, thumb_written, _)) = &thumb {
                let _ = files::remove(thumb_written);
            }
            return Err(e);
        }
        self.attachment(&attachment_id)
    }

    /// Changes an attachment's caption (an edit of its note).
    pub fn set_attachment_caption(&mut self, id: &str, caption: &str, now_ms: u64) -> Result<Attachment> {
        let current = self.attachment(id)?;
        self.check_can_attach(&current.evidence_id)?;
        let review = parse_id("Review", &current.review_id)?;
        self.write_record(
            EntityKind::Attachment,
            parse_id("Attachment", id)?,
            review,
            &[("caption", json!(caption.trim()))],
            "edit",
            now_ms,
        )?;
        self.attachment(id)
    }

    /// Removes an attachment from its note: a tombstone like any record. Its upload stops and
    /// its bytes leave this laptop (they were only kept for the note).
    pub fn delete_attachment(&mut self, id: &str, now_ms: u64) -> Result<()> {
        let current = self.attachment(id)?;
        self.check_can_attach(&current.evidence_id)?;
        let review = parse_id("Review", &current.review_id)?;
        let thumb_id = files::thumb_id(id);
        let names: Vec<String> = self
            .conn
            .prepare("SELECT file_name FROM attachment_files WHERE attachment_id IN (?1, ?2)")?
            .query_map([id, thumb_id.as_str()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        self.write_record_with(
            EntityKind::Attachment,
            parse_id("Attachment", id)?,
            review,
            &[("deleted", json!(true))],
            "delete",
            now_ms,
            |tx| {
                tx.execute("DELETE FROM attachment_uploads WHERE attachment_id IN (?1, ?2)", [id, thumb_id.as_str()])?;
                tx.execute("DELETE FROM attachment_files WHERE attachment_id IN (?1, ?2)", [id, thumb_id.as_str()])?;
                Ok(())
            },
        )?;
        for name in names {
            // The row is gone, so the file is unreadable already; a failed removal is swept at open.
            let _ = files::remove(&self.attachment_folder().join(name));
        }
        Ok(())
    }

    /// A note's attachments, oldest first (the order they were added in).
    pub fn list_attachments(&self, evidence_id: &str) -> Result<Vec<Attachment>> {
        let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE a.evidence_id = ?1 AND a.deleted = 0 ORDER BY a.created_at_ms, a.id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([evidence_id], row_to_attachment)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A review's attachments (for the evidence list's thumbnails and exports).
    pub fn list_review_attachments(&self, review_id: &str) -> Result<Vec<Attachment>> {
        let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE a.review_id = ?1 AND a.deleted = 0 ORDER BY a.created_at_ms, a.id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([review_id], row_to_attachment)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn attachment(&self, id: &str) -> Result<Attachment> {
        let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE a.id = ?1 AND a.deleted = 0");
        self.conn
            .prepare_cached(&sql)?
            .query_row([id], row_to_attachment)
            .optional()?
            .ok_or_else(|| ClientError::NotFound { what: format!("Attachment '{id}'") })
    }

    /// The SHA-256 and size of a photo's thumbnail blob, when its record names one (photos
    /// attached before thumbnails, and documents, have none).
    pub fn attachment_thumb(&self, id: &str) -> Result<Option<(String, u64)>> {
        let row: Option<(Option<String>, Option<i64>)> = self
            .conn
            .query_row("SELECT thumb_sha256, thumb_size FROM attachments WHERE id = ?1 AND deleted = 0", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        Ok(match row {
            Some((Some(sha256), Some(size))) => Some((sha256, size as u64)),
            _ => None,
        })
    }

    /// Notes of a review with an attachment whose caption holds every word of `text` (any case):
    /// captions are found by the evidence search beside the notes' own text.
    pub(super) fn notes_with_caption(&self, review_id: &str, text: &str) -> Result<BTreeSet<String>> {
        let words: Vec<String> = text.split_whitespace().map(|w| w.to_lowercase()).filter(|w| !w.is_empty()).collect();
        if words.is_empty() {
            return Ok(BTreeSet::new());
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT evidence_id, caption FROM attachments WHERE review_id = ?1 AND deleted = 0 AND caption <> ''")?;
        let rows = stmt.query_map([review_id], |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, String>(1)?)))?;
        let mut hits = BTreeSet::new();
        for row in rows {
            let (note, caption) = row?;
            let caption = caption.to_lowercase();
            if let Some(note) = note.filter(|_| words.iter().all(|w| caption.contains(w.as_str()))) {
                hits.insert(note);
            }
        }
        Ok(hits)
    }
}

fn row_to_attachment(r: &Row) -> rusqlite::Result<Attachment> {
    let kind: String = r.get(3)?;
    Ok(Attachment {
        id: r.get(0)?,
        review_id: r.get(1)?,
        evidence_id: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
        kind: AttachmentKind::parse(&kind).unwrap_or(AttachmentKind::Other),
        caption: r.get(4)?,
        sha256: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
        size: r.get::<_, Option<i64>>(6)?.unwrap_or(0) as u64,
        mime: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
        may_show_face: r.get(8)?,
        held_here: r.get(9)?,
        upload_pending: r.get(10)?,
        upload_error: r.get(11)?,
        created_at: DateTime::<Utc>::from_timestamp_millis(r.get(12)?).unwrap_or_default().to_rfc3339(),
    })
}
