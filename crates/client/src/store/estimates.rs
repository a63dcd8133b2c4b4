//! Estimates per framework area: Lead Reviewer only, checked against the review's own framework.

use super::evidence::parse_id;
use super::Store;
use crate::error::Result;
use crate::model::Estimate;
use chrono::{DateTime, Utc};
use qar_core::permissions::Action;
use qar_core::EntityKind;
use serde_json::json;
use uuid::Uuid;

impl Store {
    /// Sets (or changes) the estimate for one area. Refused whole, with nothing written, if the
    /// user may not set estimates now or the value is not on this review's framework's scale.
    pub fn set_estimate(&mut self, review_id: &str, area_code: &str, value: &str, rationale: &str, now_ms: u64) -> Result<Estimate> {
        let info = self.review_info(review_id)?;
        self.check(&info, Action::SetEstimate, false)?;
        qar_core::framework::framework(&info.framework_version)?.validate_estimate(area_code, value)?;
        let review = parse_id("Review", review_id)?;
        // One record per (review, area) on every laptop: concurrent estimates collide as a conflict.
        let id = Uuid::new_v5(&review, area_code.as_bytes());
        let fields = [("area_code", json!(area_code)), ("value", json!(value)), ("rationale", json!(rationale))];
        self.write_record(EntityKind::Estimate, id, review, &fields, "set_estimate", now_ms)?;
        Ok(self.list_estimates(review_id)?.into_iter().find(|e| e.area_code == area_code).expect("just written"))
    }

    pub fn list_estimates(&self, review_id: &str) -> Result<Vec<Estimate>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, review_id, area_code, value, rationale, updated_at_ms FROM estimates
             WHERE review_id = ?1 AND deleted = 0 AND area_code <> '' ORDER BY area_code",
        )?;
        let rows = stmt.query_map([review_id], |r| {
            Ok(Estimate {
                id: r.get(0)?,
                review_id: r.get(1)?,
                area_code: r.get(2)?,
                value: r.get(3)?,
                rationale: r.get(4)?,
                updated_at: DateTime::<Utc>::from_timestamp_millis(r.get(5)?).unwrap_or_default().to_rfc3339(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
