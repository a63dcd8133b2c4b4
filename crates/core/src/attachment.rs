//! Attachments (issue 19): photos and documents on a note. The record that syncs is metadata
//! only (which note, what kind, caption, the bytes' SHA-256, size and type, the face check's
//! yes/no); the bytes travel apart, content-addressed by review and hash.

use serde::{Deserialize, Serialize};

/// What a reviewer attached, as the form offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    /// A page of a pupil's book (work scrutiny).
    PupilsWork,
    /// A display seen on a learning walk.
    Display,
    /// A document the school handed over (self-evaluation, timetable, data summary).
    Document,
    Other,
}

impl AttachmentKind {
    pub const ALL: [AttachmentKind; 4] =
        [AttachmentKind::PupilsWork, AttachmentKind::Display, AttachmentKind::Document, AttachmentKind::Other];

    pub fn code(self) -> &'static str {
        match self {
            AttachmentKind::PupilsWork => "pupils_work",
            AttachmentKind::Display => "display",
            AttachmentKind::Document => "document",
            AttachmentKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AttachmentKind::PupilsWork => "Pupil's work",
            AttachmentKind::Display => "Display",
            AttachmentKind::Document => "Document",
            AttachmentKind::Other => "Other",
        }
    }

    pub fn parse(code: &str) -> Option<AttachmentKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Largest attachment the server keeps: a 2,048 px photo is well under 2 MB, a full-size one
/// rarely over 15 MB, and qar-media keeps documents to 25 MB.
pub const MAX_FILE_BYTES: u64 = 25_000_000;

/// Most attachment bytes one review keeps on the server: about 500 downscaled photos or 40
/// large documents, far beyond a three-day visit, and a bound on what one team can fill.
pub const MAX_REVIEW_BYTES: u64 = 1_000_000_000;

/// Longest caption, in characters (a sentence or two, shown under a thumbnail).
pub const MAX_CAPTION: usize = 500;

/// The only types an attachment's bytes may have: what qar-media writes.
pub const MEDIA_TYPES: [&str; 3] = ["image/jpeg", "image/png", "application/pdf"];

/// A SHA-256 written as 64 lowercase hex digits.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Fields fixed once an attachment is recorded: the bytes are addressed by their hash, so a new
/// file is a new attachment, and an attachment does not move to another note.
/// A photo's thumbnail (a small JPEG of the same pixels, its own blob of the review) is fixed
/// with it; a document, or a photo recorded before thumbnails, has none.
pub const FIXED_FIELDS: [&str; 6] = ["evidence_id", "sha256", "size", "mime", "thumb_sha256", "thumb_size"];

/// Fields a new attachment must carry.
pub const REQUIRED_FIELDS: [&str; 5] = ["evidence_id", "kind", "sha256", "size", "mime"];

/// What an attachment says about its note's content, which only those who may read the team's
/// evidence receive: the caption (free text, may name people) and the face check's answer. A hub
/// coordinator off the team still gets the rest (hash, type, size, note id), which the report's
/// photos are printed from, but sees a photo only when the report shows it (issue 19, decision 97).
pub const TEAM_ONLY_FIELDS: [&str; 2] = ["caption", "may_show_face"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_hashes_are_read_strictly() {
        for k in AttachmentKind::ALL {
            assert_eq!(AttachmentKind::parse(k.code()), Some(k));
        }
        assert_eq!(AttachmentKind::parse("Display"), None);
        assert!(is_sha256(&"ab".repeat(32)));
        assert!(!is_sha256(&"AB".repeat(32)), "lowercase only, so one photo has one address");
        assert!(!is_sha256(&"ab".repeat(31)));
        assert!(!is_sha256(&"zz".repeat(32)));
    }
}
