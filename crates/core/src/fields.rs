//! The synced fields of each kind of record and the rule each value must satisfy. Sync works per
//! field (architecture.md §4), so this table is what client and server both validate against,
//! and the only list of column names the stores may build SQL from.

use crate::{ActivityType, ReviewState, Urn, ValidationError};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Review,
    Evidence,
    /// The team's estimate for one area of one review (LR only). Its id is derived from the
    /// review and area, so two laptops estimating the same area write the same record and a
    /// disagreement surfaces as a conflict instead of two estimates.
    Estimate,
    /// One section of the report (LR only). Its id is derived from the review and section code.
    ReportSection,
    /// A coordinator's return comment on a section or an estimate. Written by the server when a
    /// report is returned; the LR may only mark it addressed.
    Comment,
    /// The losing side of a concurrent same-field write (or an edit that arrived after a delete),
    /// written by the server so it syncs down; resolving it is an op that sets `resolved`.
    Conflict,
    /// One planned activity of the visit's timetable (schema 3): when, what, which reviewers,
    /// with whom. The Lead Reviewer plans; the team reads the plan and starts notes from it.
    PlanActivity,
    /// A photo or document on a note (schema 3): its metadata syncs like any record, its bytes
    /// travel apart by review and SHA-256. Written under the rules for editing that note.
    Attachment,
    /// The school's previous issued review as the team needs it while preparing (schema 3):
    /// its estimates and its *Even better if* points, from the issued report. Written only by
    /// the server (when the review is scheduled or its link changes), read by the team only.
    PreviousReview,
    /// What the host school wrote before its visit (schema 3): its context statement and its
    /// proposed Area of Excellence. Written only by the server, from the school's headteacher's
    /// form (`qar_core::school_statement`); the team's laptops read it.
    SchoolStatement,
}

impl EntityKind {
    pub const ALL: [EntityKind; 10] = [
        EntityKind::Review,
        EntityKind::Evidence,
        EntityKind::Estimate,
        EntityKind::ReportSection,
        EntityKind::Comment,
        EntityKind::Conflict,
        EntityKind::PlanActivity,
        EntityKind::Attachment,
        EntityKind::PreviousReview,
        EntityKind::SchoolStatement,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EntityKind::Review => "review",
            EntityKind::Evidence => "evidence",
            EntityKind::Estimate => "estimate",
            EntityKind::ReportSection => "report_section",
            EntityKind::Comment => "comment",
            EntityKind::Conflict => "conflict",
            EntityKind::PlanActivity => "plan_activity",
            EntityKind::Attachment => "attachment",
            EntityKind::PreviousReview => "previous_review",
            EntityKind::SchoolStatement => "school_statement",
        }
    }

    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|k| k.code() == code).ok_or_else(|| ValidationError::UnknownEntity(code.to_owned()))
    }

    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            EntityKind::Review => REVIEW_FIELDS,
            EntityKind::Evidence => EVIDENCE_FIELDS,
            EntityKind::Estimate => ESTIMATE_FIELDS,
            EntityKind::ReportSection => REPORT_SECTION_FIELDS,
            EntityKind::Comment => COMMENT_FIELDS,
            EntityKind::Conflict => CONFLICT_FIELDS,
            EntityKind::PlanActivity => PLAN_ACTIVITY_FIELDS,
            EntityKind::Attachment => ATTACHMENT_FIELDS,
            EntityKind::PreviousReview => PREVIOUS_REVIEW_FIELDS,
            EntityKind::SchoolStatement => SCHOOL_STATEMENT_FIELDS,
        }
    }

    /// Only the server writes this field (team lists, approval stamps, comments, conflicts):
    /// a device op that sets it is refused, so a laptop cannot approve its own report.
    pub fn server_written(self, field: &str) -> bool {
        match self {
            EntityKind::Review => {
                matches!(
                    field,
                    "hub_id"
                        | "team"
                        | "approved_hash"
                        | "approved_by"
                        | "approved_at_ms"
                        | "visit_dates"
                        | "school_context"
                        | "returned_report"
                )
            }
            EntityKind::Comment | EntityKind::Conflict => field != "resolved",
            // Copied from an issued report by the server: nobody edits a past report here.
            EntityKind::PreviousReview => true,
            // The school's own words, from its headteacher: the team reads them, never edits.
            EntityKind::SchoolStatement => true,
            EntityKind::Evidence | EntityKind::Estimate | EntityKind::ReportSection | EntityKind::PlanActivity | EntityKind::Attachment => {
                false
            }
        }
    }

    pub fn field(self, name: &str) -> Result<&'static FieldSpec, ValidationError> {
        self.fields()
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| ValidationError::UnknownField { entity: self.code(), field: name.to_owned() })
    }
}

/// Serialised (for the UI's tables, `tables.rs`) as `{"kind": "text", "max": 200, "required": true}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FieldType {
    /// Free text up to `max` characters; `required` refuses blank text.
    Text {
        max: usize,
        required: bool,
    },
    /// A name of a person or school: [`FieldType::Text`] without control or text-direction
    /// characters (`entities::check_name`).
    Name {
        max: usize,
        required: bool,
    },
    Urn,
    /// Calendar date `YYYY-MM-DD`.
    Date,
    /// Local date and time `YYYY-MM-DDTHH:MM` (what a person types; no zone, the visit is in one place).
    DateTime,
    ActivityType,
    ReviewState,
    Bool,
    /// A list of framework area codes (each known to some framework version, no repeats).
    AreaTags,
    /// One framework area code.
    AreaCode,
    /// One estimate scale code (the review's own framework is checked where it is known).
    EstimateValue,
    /// A short snake_case code chosen by configuration (a report section, an entity kind).
    Code,
    /// Milliseconds since the Unix epoch (a non-negative integer).
    Millis,
    /// What a comment is about: `section:<code>` or `estimate:<area code>`.
    CommentTarget,
    /// A review's team: a list of `{user_id, name, role}` with a team role code.
    Team,
    /// Some of a review's team, by user id: at most [`MAX_PEOPLE`], none twice.
    People,
    /// An attachment's kind (`attachment::AttachmentKind` code).
    AttachmentKind,
    /// A SHA-256 as 64 lowercase hex digits.
    Sha256,
    /// An attachment's media type, one of `attachment::MEDIA_TYPES`.
    MediaType,
    /// A file size in bytes, 1 to `attachment::MAX_FILE_BYTES`.
    FileSize,
    /// The photos a report section shows: a list of `{attachment_id, caption}`
    /// (`report_photos::parse`).
    ReportPhotos,
    /// Any JSON value up to [`MAX_JSON_BYTES`] (a conflict keeps the losing value as it was).
    Json,
}

/// A kept conflict value is at most a field's own limit, in JSON text.
pub const MAX_JSON_BYTES: usize = 4 * MAX_NOTES + 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FieldSpec {
    pub name: &'static str,
    /// Words a reviewer recognises, used in error messages.
    pub label: &'static str,
    #[serde(rename = "type")]
    pub ty: FieldType,
}

/// Notes of 2 KB are typical; 20,000 characters is about eight pages and still "sane".
pub const MAX_NOTES: usize = 20_000;

const REVIEW_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "school_name", label: "School name", ty: FieldType::Name { max: 200, required: true } },
    FieldSpec { name: "school_urn", label: "URN", ty: FieldType::Urn },
    FieldSpec { name: "start_date", label: "Visit start date", ty: FieldType::Date },
    FieldSpec { name: "state", label: "Review state", ty: FieldType::ReviewState },
    FieldSpec { name: "framework_version", label: "Framework version", ty: FieldType::Text { max: 20, required: true } },
    FieldSpec { name: "deleted", label: "Deleted", ty: FieldType::Bool },
    spec("hub_id", "Hub", text(100, false)),
    spec("team", "Review team", FieldType::Team),
    spec("approved_hash", "Approved report version", text(100, false)),
    spec("approved_by", "Approved by", FieldType::Name { max: 200, required: false }),
    // The server's wall time of the approval: the date on the report. A field version's HLC
    // is for ordering, and a laptop clock ahead could move it (issue 15).
    spec("approved_at_ms", "Time of approval", FieldType::Millis),
    // Written by hub scheduling (issue 9): the three visit days and the school's register facts.
    spec("visit_dates", "Visit days", FieldType::Json),
    spec("school_context", "School context", FieldType::Json),
    // Written by the server when the coordinator returns the report (schema 3): the report as
    // it was returned, so a resubmission can be read as a diff (`report_diff`).
    spec("returned_report", "Report as returned", FieldType::Json),
];

const fn spec(name: &'static str, label: &'static str, ty: FieldType) -> FieldSpec {
    FieldSpec { name, label, ty }
}

const fn text(max: usize, required: bool) -> FieldType {
    FieldType::Text { max, required }
}

const REPORT_SECTION_FIELDS: &[FieldSpec] = &[
    spec("section_code", "Report section", FieldType::Code),
    spec("body", "Section text", text(MAX_NOTES, false)),
    spec("deleted", "Deleted", FieldType::Bool),
    // Schema 3 (`upcast::readers::LATER_FIELDS`): on a "Progress since the last review" entry,
    // the previous report's Even better if point it answers and that point's area, copied in so
    // the report (and its issued snapshot) reads whole without the previous review.
    spec("ebi_point", "Point from the last review", text(crate::previous_review::MAX_POINT_CHARS, false)),
    spec("ebi_area", "Area of the point from the last review", FieldType::AreaCode),
    // Schema 3: photos from the team's notes the Lead Reviewer chose to show under this section.
    spec("photos", "Photos in the report", FieldType::ReportPhotos),
];

const PREVIOUS_REVIEW_FIELDS: &[FieldSpec] = &[
    spec("previous_review_id", "Previous review", text(40, true)),
    spec("school_name", "School name", FieldType::Name { max: 200, required: true }),
    spec("school_urn", "URN", FieldType::Urn),
    spec("start_date", "Previous visit start date", FieldType::Date),
    spec("framework_version", "Framework version", text(20, true)),
    spec("issued_ms", "Time the previous report was issued", FieldType::Millis),
    // `[{area_code, value}]` and `[{area_code, text}]` (`previous_review`), bounded there.
    spec("estimates", "Previous estimates", FieldType::Json),
    spec("ebi_points", "Previous Even better if points", FieldType::Json),
    spec("deleted", "Deleted", FieldType::Bool),
];

const SCHOOL_STATEMENT_FIELDS: &[FieldSpec] = &[
    spec("context_statement", "Context statement", text(crate::school_statement::MAX_CONTEXT_CHARS, false)),
    spec("aoe_title", "Proposed Area of Excellence", text(crate::school_statement::MAX_AOE_TITLE_CHARS, false)),
    spec("aoe_summary", "Why the school proposes it", text(crate::school_statement::MAX_AOE_SUMMARY_CHARS, false)),
    spec("written_by", "Written by", FieldType::Name { max: 200, required: false }),
    spec("written_ms", "Time it was written", FieldType::Millis),
    spec("deleted", "Deleted", FieldType::Bool),
];

const COMMENT_FIELDS: &[FieldSpec] = &[
    spec("target", "What the comment is about", FieldType::CommentTarget),
    spec("text", "Comment", text(2_000, true)),
    spec("author_id", "Author", text(100, false)),
    spec("author_name", "Author's name", FieldType::Name { max: 200, required: false }),
    spec("created_ms", "Time of the comment", FieldType::Millis),
    spec("report_hash", "Report version", text(100, false)),
    spec("resolved", "Addressed", FieldType::Bool),
];

const CONFLICT_FIELDS: &[FieldSpec] = &[
    spec("entity", "Record kind", FieldType::Code),
    spec("record_id", "Record", text(40, true)),
    spec("field", "Field", FieldType::Code),
    spec("value", "Other value", FieldType::Json),
    spec("version", "Other value's version", text(60, true)),
    spec("winner_version", "Current value's version", text(60, true)),
    spec("author_id", "Author of the other value", text(100, false)),
    spec("kind", "Kind of conflict", FieldType::Code),
    spec("recorded_ms", "Time the conflict was found", FieldType::Millis),
    spec("resolved", "Resolved", FieldType::Bool),
];

const ESTIMATE_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "area_code", label: "Area", ty: FieldType::AreaCode },
    FieldSpec { name: "value", label: "Estimate", ty: FieldType::EstimateValue },
    FieldSpec { name: "rationale", label: "Rationale", ty: FieldType::Text { max: 2_000, required: false } },
    FieldSpec { name: "deleted", label: "Deleted", ty: FieldType::Bool },
];

const EVIDENCE_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "activity_type", label: "Activity type", ty: FieldType::ActivityType },
    FieldSpec { name: "started_at", label: "Time of activity", ty: FieldType::DateTime },
    FieldSpec { name: "notes", label: "Notes", ty: FieldType::Text { max: MAX_NOTES, required: false } },
    FieldSpec { name: "deleted", label: "Deleted", ty: FieldType::Bool },
    FieldSpec { name: "author_id", label: "Author", ty: FieldType::Text { max: 100, required: false } },
    FieldSpec { name: "year_group", label: "Year group", ty: FieldType::Text { max: 40, required: false } },
    FieldSpec { name: "subject", label: "Subject", ty: FieldType::Text { max: 100, required: false } },
    FieldSpec { name: "host_colleague_role", label: "Host colleague's role", ty: FieldType::Text { max: 100, required: false } },
    FieldSpec { name: "area_tags", label: "Areas", ty: FieldType::AreaTags },
    FieldSpec { name: "strengths", label: "Strengths", ty: FieldType::Text { max: MAX_NOTES, required: false } },
    FieldSpec { name: "development_points", label: "Development points", ty: FieldType::Text { max: MAX_NOTES, required: false } },
];

/// Most people one planned activity names (a whole team is rarely more than six).
pub const MAX_PEOPLE: usize = 12;

const PLAN_ACTIVITY_FIELDS: &[FieldSpec] = &[
    spec("starts_at", "Start time", FieldType::DateTime),
    spec("ends_at", "End time", FieldType::DateTime),
    spec("activity_type", "Activity type", FieldType::ActivityType),
    spec("reviewer_ids", "Reviewers", FieldType::People),
    spec("host_colleague", "Host colleague", text(100, false)),
    spec("year_group", "Year group", text(40, false)),
    spec("subject", "Subject", text(100, false)),
    spec("focus", "Focus", text(2_000, false)),
    spec("deleted", "Deleted", FieldType::Bool),
];

const ATTACHMENT_FIELDS: &[FieldSpec] = &[
    spec("evidence_id", "Note", text(40, true)),
    spec("kind", "Kind of attachment", FieldType::AttachmentKind),
    spec("caption", "Caption", text(crate::attachment::MAX_CAPTION, false)),
    spec("sha256", "File checksum", FieldType::Sha256),
    spec("size", "File size", FieldType::FileSize),
    spec("mime", "File type", FieldType::MediaType),
    spec("thumb_sha256", "Thumbnail checksum", FieldType::Sha256),
    spec("thumb_size", "Thumbnail size", FieldType::FileSize),
    spec("may_show_face", "May show a face", FieldType::Bool),
    spec("deleted", "Deleted", FieldType::Bool),
];

/// Checks one synced value. Called by the client before it writes and by the server before it
/// accepts a pushed op, so the two can never disagree about what is valid.
pub fn validate_field(entity: EntityKind, field: &str, value: &Value) -> Result<(), ValidationError> {
    let spec = entity.field(field)?;
    // The time of an activity is optional: null clears it.
    if value.is_null() && spec.ty == FieldType::DateTime {
        return Ok(());
    }
    let text = || value.as_str().ok_or_else(|| ValidationError::WrongType { field: spec.label.to_owned(), expected: "text" });
    match spec.ty {
        FieldType::Text { max, required } => {
            let s = text()?;
            let len = s.chars().count();
            if required && s.trim().is_empty() {
                return Err(ValidationError::Empty { field: spec.label });
            }
            if len > max {
                return Err(ValidationError::TooLong { field: spec.label, len, max });
            }
        }
        FieldType::Name { max, required } => crate::entities::check_name(spec.label, text()?, max, required)?,
        FieldType::Urn => {
            Urn::parse(text()?)?;
        }
        FieldType::Date => {
            let s = text()?;
            if !is_date(s) {
                return Err(ValidationError::BadDate { field: spec.label, value: s.chars().take(40).collect() });
            }
        }
        FieldType::DateTime => {
            let s = text()?;
            if !is_local_datetime(s) {
                return Err(ValidationError::BadDate { field: spec.label, value: s.chars().take(40).collect() });
            }
        }
        FieldType::ActivityType => {
            ActivityType::parse(text()?)?;
        }
        FieldType::ReviewState => {
            ReviewState::parse(text()?)?;
        }
        FieldType::AreaCode => {
            let code = text()?;
            if !crate::framework::FRAMEWORKS.iter().any(|f| f.area(code).is_ok()) {
                return Err(ValidationError::UnknownArea {
                    area: code.chars().take(60).collect(),
                    version: crate::framework::CURRENT_FRAMEWORK,
                });
            }
        }
        FieldType::EstimateValue => {
            let code = text()?;
            if !crate::framework::FRAMEWORKS.iter().any(|f| f.scale_value(code).is_some()) {
                let fw = crate::framework::framework(crate::framework::CURRENT_FRAMEWORK)?;
                return fw.validate_estimate(fw.areas[0].code, code);
            }
        }
        FieldType::AreaTags => {
            let wrong = || ValidationError::WrongType { field: spec.label.to_owned(), expected: "a list of area codes" };
            let tags = value.as_array().ok_or_else(wrong)?;
            let mut seen = Vec::with_capacity(tags.len());
            for tag in tags {
                let code = tag.as_str().ok_or_else(wrong)?;
                let known = crate::framework::FRAMEWORKS.iter().any(|f| f.area(code).is_ok());
                if !known {
                    return Err(ValidationError::UnknownArea {
                        area: code.chars().take(60).collect(),
                        version: crate::framework::CURRENT_FRAMEWORK,
                    });
                }
                if seen.contains(&code) {
                    return Err(ValidationError::WrongType { field: spec.label.to_owned(), expected: "each area at most once" });
                }
                seen.push(code);
            }
        }
        FieldType::Bool => {
            if !value.is_boolean() {
                return Err(ValidationError::WrongType { field: spec.label.to_owned(), expected: "true or false" });
            }
        }
        FieldType::Code => crate::entities::check_code(spec.label, text()?)?,
        FieldType::Millis => {
            if value.as_u64().is_none() {
                return Err(ValidationError::WrongType { field: spec.label.to_owned(), expected: "a time in milliseconds" });
            }
        }
        FieldType::CommentTarget => {
            let wrong = || ValidationError::WrongType { field: spec.label.to_owned(), expected: "section:<code> or estimate:<area>" };
            let (kind, code) = text()?.split_once(':').ok_or_else(wrong)?;
            match kind {
                "section" => crate::entities::check_code("Report section", code)?,
                "estimate" => {
                    if !crate::framework::FRAMEWORKS.iter().any(|f| f.area(code).is_ok()) {
                        return Err(ValidationError::UnknownArea {
                            area: code.chars().take(60).collect(),
                            version: crate::framework::CURRENT_FRAMEWORK,
                        });
                    }
                }
                _ => return Err(wrong()),
            }
        }
        FieldType::Team => {
            let wrong = || ValidationError::WrongType { field: spec.label.to_owned(), expected: "a list of {user_id, name, role}" };
            for member in value.as_array().ok_or_else(wrong)? {
                let part = |k: &str| member.get(k).and_then(Value::as_str).ok_or_else(wrong);
                let (id, name, role) = (part("user_id")?, part("name")?, part("role")?);
                if id.is_empty() || id.len() > 100 || name.chars().count() > 200 || crate::entities::TeamRole::parse(role).is_none() {
                    return Err(wrong());
                }
                crate::entities::check_name("Team member's name", name, 200, false)?;
            }
        }
        FieldType::People => {
            let wrong = || ValidationError::WrongType { field: spec.label.to_owned(), expected: "a list of team members, each once" };
            let ids = value.as_array().filter(|ids| ids.len() <= MAX_PEOPLE).ok_or_else(wrong)?;
            let mut seen = Vec::with_capacity(ids.len());
            for id in ids {
                let id = id.as_str().filter(|id| !id.is_empty() && id.len() <= 100).ok_or_else(wrong)?;
                if seen.contains(&id) {
                    return Err(wrong());
                }
                seen.push(id);
            }
        }
        FieldType::AttachmentKind => {
            if crate::attachment::AttachmentKind::parse(text()?).is_none() {
                return Err(ValidationError::WrongType {
                    field: spec.label.to_owned(),
                    expected: "pupils_work, display, document or other",
                });
            }
        }
        FieldType::Sha256 => {
            if !crate::attachment::is_sha256(text()?) {
                return Err(ValidationError::WrongType { field: spec.label.to_owned(), expected: "a SHA-256 in lowercase hex" });
            }
        }
        FieldType::MediaType => {
            if !crate::attachment::MEDIA_TYPES.contains(&text()?) {
                return Err(ValidationError::WrongType {
                    field: spec.label.to_owned(),
                    expected: "image/jpeg, image/png or application/pdf",
                });
            }
        }
        FieldType::FileSize => {
            if !value.as_u64().is_some_and(|n| (1..=crate::attachment::MAX_FILE_BYTES).contains(&n)) {
                return Err(ValidationError::WrongType { field: spec.label.to_owned(), expected: "a size from 1 byte to 25 MB" });
            }
        }
        FieldType::ReportPhotos => {
            crate::report_photos::parse(spec.label, value)?;
        }
        FieldType::Json => {
            let len = value.to_string().len();
            if len > MAX_JSON_BYTES {
                return Err(ValidationError::TooLong { field: spec.label, len, max: MAX_JSON_BYTES });
            }
        }
    }
    Ok(())
}

/// `YYYY-MM-DDTHH:MM`, local time as a person types it.
pub(crate) fn is_local_datetime(s: &str) -> bool {
    s.len() == 16 && s.is_char_boundary(10) && is_date(&s[..10]) && s.as_bytes()[10] == b'T' && is_time(&s[11..])
}

/// `YYYY-MM-DD` with a real day of that month (leap years included), from 1900 on.
pub(crate) fn is_date(s: &str) -> bool {
    crate::calendar::parse_date(s).is_some()
}

/// Days in month `m` (1–12) of year `y`, leap years included; `None` for a month that isn't one.
pub fn days_in_month(y: u32, m: u32) -> Option<u32> {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        4 | 6 | 9 | 11 => Some(30),
        2 if leap => Some(29),
        2 => Some(28),
        _ => None,
    }
}

fn is_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && s[..2].parse::<u32>().is_ok_and(|h| h < 24 && s[..2].bytes().all(|c| c.is_ascii_digit()))
        && s[3..].parse::<u32>().is_ok_and(|m| m < 60 && s[3..].bytes().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_refuse_hidden_control_and_direction_characters() {
        validate_field(EntityKind::Review, "school_name", &json!("Ysgol Gymraeg Llundain – أكاديمية")).unwrap();
        for (bad, code) in [
            ("Heron\u{0}Primary", "U+0000"),
            ("Heron \u{202E}yramirP", "U+202E"),
            ("A\u{2066}B\u{2069}", "U+2066"),
            ("Line\nbreak", "U+000A"),
        ] {
            let e = validate_field(EntityKind::Review, "school_name", &json!(bad)).unwrap_err();
            assert_eq!(e, ValidationError::HiddenCharacter { field: "School name", code: code.into() }, "{bad:?}");
            assert!(e.to_string().contains("hidden control or text-direction character"));
        }
        let team = json!([{"user_id": "u1", "name": "Ann\u{202E}eroc", "role": "reviewer"}]);
        assert!(matches!(validate_field(EntityKind::Review, "team", &team), Err(ValidationError::HiddenCharacter { .. })));
        // Notes are free text: line breaks stay allowed there.
        validate_field(EntityKind::Evidence, "notes", &json!("line one\nline two")).unwrap();
    }

    #[test]
    fn accepts_good_values() {
        validate_field(EntityKind::Review, "school_urn", &json!("123456")).unwrap();
        validate_field(EntityKind::Review, "start_date", &json!("2028-02-29")).unwrap();
        validate_field(EntityKind::Evidence, "started_at", &json!("2026-11-23T09:05")).unwrap();
        validate_field(EntityKind::Evidence, "activity_type", &json!("pupil_voice")).unwrap();
        validate_field(EntityKind::Evidence, "notes", &json!("")).unwrap();
        validate_field(EntityKind::Evidence, "deleted", &json!(true)).unwrap();
        validate_field(EntityKind::Evidence, "started_at", &json!(null)).unwrap();
        validate_field(EntityKind::Evidence, "area_tags", &json!(["leadership", "provision_outcomes"])).unwrap();
        validate_field(EntityKind::Evidence, "area_tags", &json!([])).unwrap();
        validate_field(EntityKind::Evidence, "year_group", &json!("Y4")).unwrap();
    }

    #[test]
    fn refuses_bad_values_with_readable_reasons() {
        let cases = [
            (EntityKind::Review, "school_urn", json!("12345"), "URN '12345' is not valid"),
            (EntityKind::Review, "start_date", json!("2027-02-29"), "Visit start date must be a date"),
            (EntityKind::Review, "start_date", json!("29/02/2028"), "YYYY-MM-DD"),
            (EntityKind::Review, "school_name", json!("   "), "School name must not be empty"),
            (EntityKind::Review, "state", json!("done"), "not a state"),
            (EntityKind::Evidence, "activity_type", json!("deep_dive"), "not one we record"),
            (EntityKind::Evidence, "started_at", json!("2026-11-23T25:00"), "Time of activity"),
            (EntityKind::Evidence, "notes", json!(42), "expected text"),
            (EntityKind::Evidence, "deleted", json!("yes"), "true or false"),
            (EntityKind::Review, "school_urn", json!(null), "expected text"),
            (EntityKind::Evidence, "area_tags", json!(["safeguarding"]), "'safeguarding'"),
            (EntityKind::Estimate, "value", json!("outstanding"), "Estimate 'outstanding' is not in framework 2019"),
            (EntityKind::Estimate, "area_code", json!("behaviour"), "'behaviour'"),
            (EntityKind::Evidence, "area_tags", json!("leadership"), "a list of area codes"),
            (EntityKind::Evidence, "area_tags", json!(["leadership", "leadership"]), "at most once"),
            (EntityKind::Evidence, "colour", json!("red"), "'colour' is not a field of a evidence"),
        ];
        for (entity, field, value, want) in cases {
            let e = validate_field(entity, field, &value).unwrap_err().to_string();
            assert!(e.contains(want), "{field}={value}: got '{e}', want '{want}'");
        }
    }

    #[test]
    fn desk_fields_are_checked() {
        let team = json!([{"user_id": "u1", "name": "Anika", "role": "lead_reviewer"}]);
        validate_field(EntityKind::Review, "team", &team).unwrap();
        validate_field(EntityKind::Comment, "target", &json!("section:context")).unwrap();
        validate_field(EntityKind::Comment, "target", &json!("estimate:leadership")).unwrap();
        validate_field(EntityKind::Conflict, "value", &json!({"any": ["json"]})).unwrap();
        validate_field(EntityKind::Conflict, "recorded_ms", &json!(1_795_000_000_000u64)).unwrap();
        let bad = [
            (EntityKind::Review, "team", json!([{"user_id": "u1", "name": "A", "role": "boss"}]), "user_id, name, role"),
            (EntityKind::Comment, "target", json!("page:3"), "section:<code>"),
            (EntityKind::Comment, "target", json!("estimate:behaviour"), "'behaviour'"),
            (EntityKind::Comment, "text", json!("  "), "Comment must not be empty"),
            (EntityKind::Conflict, "recorded_ms", json!(-1), "milliseconds"),
            (EntityKind::ReportSection, "section_code", json!("Context"), "short code"),
        ];
        for (entity, field, value, want) in bad {
            let e = validate_field(entity, field, &value).unwrap_err().to_string();
            assert!(e.contains(want), "{field}={value}: got '{e}', want '{want}'");
        }
        assert!(EntityKind::Review.server_written("approved_hash"));
        assert!(EntityKind::Review.server_written("approved_at_ms"));
        assert!(!EntityKind::Review.server_written("state"));
        assert!(EntityKind::Comment.server_written("text") && !EntityKind::Comment.server_written("resolved"));
    }

    #[test]
    fn non_ascii_date_text_is_refused_not_a_panic() {
        // 16 bytes whose 10th byte falls inside 'é': slicing by bytes used to panic here.
        let e = validate_field(EntityKind::Evidence, "started_at", &json!("2026-11-0é09:05")).unwrap_err();
        assert!(e.to_string().contains("Time of activity"), "{e}");
    }

    #[test]
    fn text_limit_counts_characters_not_bytes() {
        let at_limit = "é".repeat(MAX_NOTES);
        validate_field(EntityKind::Evidence, "notes", &json!(at_limit)).unwrap();
        let over = "a".repeat(MAX_NOTES + 1);
        let e = validate_field(EntityKind::Evidence, "notes", &json!(over)).unwrap_err();
        assert_eq!(e, ValidationError::TooLong { field: "Notes", len: MAX_NOTES + 1, max: MAX_NOTES });
    }
}
