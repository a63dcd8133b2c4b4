//! A resubmitted report read as what changed since the coordinator returned it (decision 81):
//! the report as returned (written on the review by the server) against the report held here.

use super::Store;
use crate::error::Result;
use crate::model::ChangesSinceReturn;
use qar_core::report_diff::{changes_since_return, CurrentReport, ReturnedEstimate, ReturnedReport};
use rusqlite::OptionalExtension;
use std::collections::BTreeMap;

impl Store {
    /// What changed since the report was last returned, or `None` when it never was (or the
    /// returned copy was not kept): the screen then shows the report whole, as for a first read.
    pub fn changes_since_return(&self, review_id: &str) -> Result<Option<ChangesSinceReturn>> {
        let raw: Option<Option<String>> = self
            .conn
            .prepare_cached("SELECT returned_report FROM reviews WHERE id = ?1 AND deleted = 0")?
            .query_row([review_id], |r| r.get(0))
            .optional()?;
        let Some(returned) = raw.flatten().and_then(|s| serde_json::from_str::<ReturnedReport>(&s).ok()) else {
            return Ok(None);
        };
        let sections: BTreeMap<String, String> = self.section_texts(review_id)?.into_iter().map(|(code, body, _)| (code, body)).collect();
        let estimates: BTreeMap<String, ReturnedEstimate> = self
            .list_estimates(review_id)?
            .into_iter()
            .map(|e| (e.area_code, ReturnedEstimate { value: e.value, rationale: e.rationale }))
            .collect();
        let changes = changes_since_return(&returned, &CurrentReport { sections: &sections, estimates: &estimates });
        let returned_at = i64::try_from(returned.returned_ms)
            .ok()
            .and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_millis)
            .map(|t| t.to_rfc3339())
            .unwrap_or_default();
        Ok(Some(ChangesSinceReturn { returned_at, changes }))
    }
}
