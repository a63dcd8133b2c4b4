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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    pub id: String,
    pub review_id: String,
    pub activity_type: String,
    pub started_at: Option<String>,
    pub notes: String,
    /// RFC 3339, local edit time.
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewEvidence {
    pub review_id: String,
    pub activity_type: String,
    pub started_at: Option<String>,
    pub notes: String,
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
}
