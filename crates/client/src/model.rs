//! What the client hands to the app (and, through IPC, to the UI). camelCase on the wire.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewSummary {
    pub id: String,
    pub school_name: String,
    pub school_urn: String,
    pub start_date: String,
    pub state: String,
    pub evidence_count: u32,
    /// Local changes to this review not yet acknowledged by the server.
    pub pending_ops: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewReview {
    pub school_name: String,
    pub school_urn: String,
    pub start_date: String,
}

/// One evidence record as the app shows it: every field of the data model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    pub id: String,
    pub review_id: String,
    pub author_id: String,
    pub activity_type: String,
    /// `YYYY-MM-DDTHH:MM`, local time of the activity.
    pub started_at: Option<String>,
    pub year_group: String,
    pub subject: String,
    pub host_colleague_role: String,
    /// Framework area codes this evidence bears on.
    pub area_tags: Vec<String>,
    pub notes: String,
    pub strengths: String,
    pub development_points: String,
    /// RFC 3339, time of the last change on any device.
    pub updated_at: String,
}

/// A new note. Only the activity type is required; empty fields are simply not written.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NewEvidence {
    pub review_id: String,
    pub activity_type: String,
    pub started_at: Option<String>,
    pub year_group: String,
    pub subject: String,
    pub host_colleague_role: String,
    pub area_tags: Vec<String>,
    pub notes: String,
    pub strengths: String,
    pub development_points: String,
}

/// The estimate for one area of one review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Estimate {
    pub id: String,
    pub review_id: String,
    /// Framework area code, e.g. `leadership`.
    pub area_code: String,
    /// Estimate scale code, e.g. `effective`.
    pub value: String,
    pub rationale: String,
    pub updated_at: String,
}

/// Search and filters over one review's evidence. Empty means "any".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EvidenceQuery {
    /// Words to find in notes, strengths and development points (prefix match, all words).
    pub text: String,
    pub area: Option<String>,
    pub activity_type: Option<String>,
    pub author_id: Option<String>,
    /// `YYYY-MM-DD`: the day of the activity (or, without a time, of writing).
    pub day: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub pending_ops: u32,
    /// RFC 3339 time of the last sync that completed.
    pub last_sync_at: Option<String>,
    /// Why the last attempt failed, in plain words; `None` after a success.
    pub last_error: Option<String>,
    pub server_url: String,
    pub syncing: bool,
    /// Set when this laptop's clock disagrees with the server's by more than two minutes.
    pub clock_warning: Option<String>,
}
