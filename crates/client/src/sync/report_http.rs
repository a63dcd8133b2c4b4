//! Issuing the report and reading its versions (issue 10), online only.

use super::SyncClient;
use crate::error::{ClientError, Result};
use crate::model::ReportVersion;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

impl SyncClient {
    /// Coordinator: issues the approved report whose hash is `report_hash`; `reason` for a correction.
    pub async fn issue(&self, review_id: &str, report_hash: &str, reason: &str) -> Result<Value> {
        let url = self.url(&format!("/v1/reviews/{review_id}/issue"));
        let reason = (!reason.trim().is_empty()).then(|| reason.trim());
        self.send(self.http.post(url).json(&json!({ "report_hash": report_hash, "reason": reason }))).await
    }

    pub async fn report_versions(&self, review_id: &str) -> Result<Vec<ReportVersion>> {
        self.send(self.http.get(self.url(&format!("/v1/reviews/{review_id}/versions")))).await
    }

    /// One version's frozen snapshot as canonical text, checked against `sha256`. The server's
    /// snapshot is compact JSON with sorted keys, which is what serde_json writes back.
    pub async fn report_snapshot(&self, review_id: &str, version: u32, sha256: &str) -> Result<String> {
        let doc: Value = self.send(self.http.get(self.url(&format!("/v1/reviews/{review_id}/versions/{version}")))).await?;
        let text = doc.to_string();
        if hex::encode(Sha256::digest(text.as_bytes())) != sha256 {
            return Err(ClientError::Protocol(format!("issued version {version} does not match its SHA-256")));
        }
        Ok(text)
    }
}
