//! What the host school wrote before its visit, on this laptop (issue 22): the server's
//! read-only copy of its context statement and proposed Area of Excellence
//! (`qar_core::school_statement`), pulled like any record and never written here.

use super::Store;
use crate::error::Result;
use crate::model::SchoolStatementView;
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

impl Store {
    /// The school's statement for this review; `None` while the school has written nothing.
    pub fn school_statement(&self, review_id: &str) -> Result<Option<SchoolStatementView>> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT context_statement, aoe_title, aoe_summary, written_by, written_ms FROM school_statements
                 WHERE review_id = ?1 AND deleted = 0",
            )?
            .query_row([review_id], |r| {
                Ok(SchoolStatementView {
                    context_statement: r.get(0)?,
                    aoe_title: r.get(1)?,
                    aoe_summary: r.get(2)?,
                    written_by: r.get(3)?,
                    written_at: DateTime::<Utc>::from_timestamp_millis(r.get(4)?).unwrap_or_default().to_rfc3339(),
                })
            })
            .optional()?;
        Ok(row.filter(|s| !(s.context_statement.is_empty() && s.aoe_title.is_empty() && s.aoe_summary.is_empty())))
    }
}
