//! What an app of an older data schema can read of a pull page (issue 17,
//! docs/compatibility.md).
//!
//! From schema 2 on, apps read pages through `sync::forward`: a kind of record or a field they
//! do not know is set aside, never a failed page, so the server sends them everything. The
//! first release (schema 1) reads pages with a closed list of kinds and refuses a field it does
//! not know, so a page holding either would stop its sync for good. The server therefore leaves
//! out of a schema 1 app's pages every kind and field added after schema 1 (the cursor still
//! moves past them); that app never pushes them either.
//!
//! Adding a kind of record: give it its schema in [`kind_since`] (the match has no default, so
//! the build asks). Adding a field to a kind that already syncs: list it in [`LATER_FIELDS`].
//! `crates/core/tests/upcast/v1/kinds_and_fields.txt` holds what schema 1 knew; a test
//! fails when a kind or field outside it claims schema 1.

use crate::EntityKind;

/// The first schema whose app sets aside kinds and fields it does not know.
pub const SETS_ASIDE_SINCE: u32 = 2;

/// The data schema whose app first wrote records of `kind`.
pub fn kind_since(kind: EntityKind) -> u32 {
    match kind {
        EntityKind::Review
        | EntityKind::Evidence
        | EntityKind::Estimate
        | EntityKind::ReportSection
        | EntityKind::Comment
        | EntityKind::Conflict => 1,
        EntityKind::PlanActivity | EntityKind::Attachment | EntityKind::PreviousReview | EntityKind::SchoolStatement => 3,
    }
}

/// Fields added to a kind after the kind itself: kind, field, the schema that added it.
pub const LATER_FIELDS: &[(EntityKind, &str, u32)] = &[
    (EntityKind::Review, "returned_report", 3),
    (EntityKind::ReportSection, "ebi_point", 3),
    (EntityKind::ReportSection, "ebi_area", 3),
    (EntityKind::ReportSection, "photos", 3),
];

/// The data schema whose app first knew `field` of `kind`.
pub fn field_since(kind: EntityKind, field: &str) -> u32 {
    LATER_FIELDS.iter().find(|(k, f, _)| *k == kind && *f == field).map_or_else(|| kind_since(kind), |(_, _, since)| *since)
}

/// The app asking for a pull page, by the data schema it declared. Apps of the first release
/// declared none: [`PullReader::of`] reads that as schema 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PullReader {
    pub schema: u32,
}

impl PullReader {
    /// The reader of a request that declared `schema`, or the first release when it did not.
    pub fn of(schema: Option<u32>) -> PullReader {
        PullReader { schema: schema.unwrap_or(1) }
    }

    /// An app of this build's schema.
    pub fn current() -> PullReader {
        PullReader { schema: crate::SCHEMA_VERSION }
    }

    /// The app sets aside what it does not know: it may be sent every record as stored.
    pub fn takes_everything(self) -> bool {
        self.schema >= SETS_ASIDE_SINCE
    }

    /// Whether a record whose kind is stored as `code` may be sent to this app. A code this
    /// build does not know (written by a newer server before a rollback) goes only to apps
    /// that set it aside.
    pub fn takes_kind(self, code: &str) -> bool {
        self.takes_everything() || EntityKind::parse(code).is_ok_and(|k| kind_since(k) <= self.schema)
    }

    /// Whether `field` of a record of `kind` may be sent to this app.
    pub fn takes_field(self, kind: EntityKind, field: &str) -> bool {
        self.takes_everything() || (kind.field(field).is_ok() && field_since(kind, field) <= self.schema)
    }

    /// Whether every field of `kind` this build knows may be sent, so only a field this build
    /// does not know could need leaving out.
    pub fn takes_every_known_field(self, kind: EntityKind) -> bool {
        self.takes_everything() || kind.fields().iter().all(|f| field_since(kind, f.name) <= self.schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_that_declared_nothing_is_the_first_release() {
        assert_eq!(PullReader::of(None).schema, 1);
        assert!(!PullReader::of(None).takes_everything());
        assert!(PullReader::of(Some(2)).takes_everything());
        assert!(PullReader::current().takes_everything());
    }

    #[test]
    fn the_first_release_is_sent_only_what_it_can_read() {
        let first = PullReader::of(Some(1));
        assert!(first.takes_kind("evidence"));
        assert!(!first.takes_kind("school_page"), "a kind this build does not know");
        assert!(!first.takes_kind("NOT A CODE"));
        assert!(first.takes_field(EntityKind::Evidence, "notes"));
        assert!(!first.takes_field(EntityKind::Evidence, "mood"), "a field this build does not know");
        let later = PullReader::of(Some(2));
        assert!(later.takes_kind("school_page") && later.takes_field(EntityKind::Evidence, "mood"));
    }
}
