//! The issued report on the wire (issue 10): issuing an approved report, and the versions kept.

use super::Change;
use serde::{Deserialize, Serialize};

/// One issued version of a review's report, as the server lists it and the laptop keeps it
/// (the snapshot itself is fetched on its own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportVersion {
    pub version: u32,
    /// Hex SHA-256 of the snapshot's bytes, as served.
    pub sha256: String,
    /// The approved content hash the version was issued from.
    pub report_hash: String,
    pub issued_ms: u64,
    pub issued_by: String,
    /// Why this version replaced the previous one; empty for version 1.
    pub reason: String,
}

/// `POST /v1/reviews/{id}/issue`: the approved hash as the coordinator read it, and for a
/// correction (version 2 onwards) why it replaces the issued one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueRequest {
    pub report_hash: String,
    #[serde(default)]
    pub reason: Option<String>,
}

/// The review as it now is and the version just stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueReply {
    pub review: Change,
    pub version: ReportVersion,
}
