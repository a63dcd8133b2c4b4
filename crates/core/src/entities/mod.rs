//! The records of domain.md §5 as plain serde structs, with the rules each must satisfy.
//!
//! Conventions, the same in every struct:
//! - **Ids** are `Uuid`s (v7) made on the device that creates the record (architecture.md §2);
//!   a school's key is its `Urn`. Records without an id of their own (an estimate, a finding)
//!   are keyed by their review and area.
//! - **Dates and times a person enters** are text as typed, in the school's local time:
//!   `YYYY-MM-DD` for dates, `YYYY-MM-DDTHH:MM` for times (the same formats `fields.rs` checks).
//! - **Instants the machine records** (`updated_at`, `at_ms`) are `i64` milliseconds since the
//!   Unix epoch, UTC, for display only; order always comes from the HLC `version`.
//! - Codes (states, roles, areas, kinds) serialise as snake_case text.

mod audit;
mod evidence;
mod judgement;
mod org;
mod report;
mod review;

pub use audit::AuditEvent;
pub use evidence::EvidenceRecord;
pub use judgement::{AreaOfExcellence, Estimate, Finding, FindingKind};
pub use org::{hub_uuid, GlobalRole, Hub, School, User};
pub use report::{CommentTarget, ReportSection, ReviewComment};
pub use review::{Review, TeamMember, TeamRole, DEFAULT_VISIT_DAYS};

use crate::ValidationError;

/// Names and titles: a school's name in GIAS is at most ~120 characters.
pub const MAX_NAME: usize = 200;
/// Short descriptive text: a subject, a year group, a colleague's role.
pub const MAX_SHORT: usize = 100;
/// One finding or comment: a paragraph, not a page.
pub const MAX_FINDING: usize = 2_000;
/// Codes chosen by configuration (report sections): short snake_case.
pub const MAX_CODE: usize = 50;

/// Refuses blank required text and text over `max` characters (not bytes).
pub(crate) fn check_text(field: &'static str, value: &str, max: usize, required: bool) -> Result<(), ValidationError> {
    if required && value.trim().is_empty() {
        return Err(ValidationError::Empty { field });
    }
    let len = value.chars().count();
    if len > max {
        return Err(ValidationError::TooLong { field, len, max });
    }
    Ok(())
}

/// Characters a name must not hold: control characters (NUL, line breaks, escapes) and the
/// bidirectional marks, embeddings, overrides and isolates that make text display in another
/// order than it is stored (a "right-to-left override" spoofs a name in every list).
pub fn hidden_name_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// [`check_text`] for a name of a person, hub or school: also refuses hidden characters.
pub fn check_name(field: &'static str, value: &str, max: usize, required: bool) -> Result<(), ValidationError> {
    check_text(field, value, max, required)?;
    match value.chars().find(|c| hidden_name_char(*c)) {
        Some(c) => Err(ValidationError::HiddenCharacter { field, code: format!("U+{:04X}", c as u32) }),
        None => Ok(()),
    }
}

pub(crate) fn check_opt_text(field: &'static str, value: &Option<String>, max: usize) -> Result<(), ValidationError> {
    value.as_deref().map_or(Ok(()), |v| check_text(field, v, max, false))
}

pub fn check_code(field: &'static str, value: &str) -> Result<(), ValidationError> {
    let ok = !value.is_empty()
        && value.len() <= MAX_CODE
        && value.starts_with(|c: char| c.is_ascii_lowercase())
        && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ValidationError::BadCode { field, value: value.chars().take(60).collect() })
    }
}

pub(crate) fn check_date(field: &'static str, value: &str) -> Result<(), ValidationError> {
    if crate::fields::is_date(value) {
        Ok(())
    } else {
        Err(ValidationError::BadDate { field, value: value.chars().take(40).collect() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_give_readable_errors() {
        assert_eq!(check_text("Title", "  ", 10, true), Err(ValidationError::Empty { field: "Title" }));
        assert_eq!(check_text("Title", "ééé", 3, true), Ok(()));
        assert_eq!(check_text("Title", "abcd", 3, false), Err(ValidationError::TooLong { field: "Title", len: 4, max: 3 }));
        assert_eq!(check_opt_text("Subject", &None, 1), Ok(()));
        check_code("Section", "context_and_character").unwrap();
        for bad in ["", "Context", "1st", "a-b", "é"] {
            let e = check_code("Section", bad).unwrap_err().to_string();
            assert!(e.contains("lower-case letters"), "{bad}: {e}");
        }
        assert!(check_date("Deadline", "2026-02-30").unwrap_err().to_string().contains("YYYY-MM-DD"));
    }
}
