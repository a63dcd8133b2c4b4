//! The register of Areas of Excellence on the wire (issue 23): a published entry, what a
//! coordinator records (description, the head's consent), the laptop's copy as pages of changes
//! after its own cursor, and "Ask to visit".

use serde::{Deserialize, Serialize};

/// One published entry, as every signed-in member reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RegisterEntry {
    /// The issued review the Area of Excellence comes from: one entry per review.
    pub review_id: String,
    pub urn: String,
    pub school_name: String,
    /// From the school register (GIAS): phase, region and local authority.
    pub phase: String,
    pub region: String,
    pub la_name: String,
    pub title: String,
    pub summary: String,
    /// Framework area codes the practice relates to.
    pub areas: Vec<String>,
    /// Theme codes of `qar_core::register::themes`.
    pub themes: Vec<String>,
    /// It concerns disadvantaged pupils or pupils with additional needs (SEND).
    pub disadvantaged_focus: bool,
    /// The academic year of the visit, by the year it starts in (2024 is 2024/25).
    pub academic_year: u16,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub issued_ms: u64,
}

/// An entry as its hub's coordinator or an administrator sees it: published or not, with the
/// consent behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RegisterRecord {
    pub entry: RegisterEntry,
    /// The host head teacher's consent is recorded and not revoked: the entry is published.
    pub consented: bool,
    /// Whose consent, as the coordinator recorded it; empty when none was ever recorded.
    pub head_name: String,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub consent_changed_ms: Option<u64>,
}

/// `PUT /v1/register/{review_id}`: how the entry is described (the coordinator or an
/// administrator; title and summary start from the report's Area of Excellence section).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RegisterDescription {
    pub title: String,
    pub summary: String,
    pub areas: Vec<String>,
    pub themes: Vec<String>,
    pub disadvantaged_focus: bool,
}

/// `PUT /v1/register/{review_id}/consent`: the host head teacher's consent recorded (`given`)
/// or revoked. Revoking unpublishes at once; laptops drop the entry at their next sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ConsentChange {
    pub given: bool,
    /// The head teacher who consented (or revoked), as told to the coordinator; when the head
    /// records it themselves, their account's name is stored instead.
    pub head_name: String,
}

/// `GET /v1/register/changes?after=N`: a page of the laptop's copy. Entries published or
/// changed after the cursor, and the review ids of entries no longer published (revoked),
/// which the laptop deletes. `next` is the cursor to ask from next time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RegisterChanges {
    pub entries: Vec<RegisterEntry>,
    pub removed: Vec<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub next: u64,
    /// More changes wait after `next`: ask again at once.
    pub more: bool,
}

/// `POST /v1/register/{review_id}/visit-requests`: "Ask to visit".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct VisitRequestBody {
    /// What the visitor would like to see; shown to the school, never mailed (links only).
    pub message: String,
}

/// A request to visit a school about one of its entries, as listed for the school.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VisitRequest {
    pub id: String,
    pub review_id: String,
    pub urn: String,
    pub entry_title: String,
    pub requester_name: String,
    pub message: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_ms: u64,
}
