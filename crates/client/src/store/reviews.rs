//! Reviews held on this laptop.

use super::{meta, Store};
use crate::error::{ClientError, Result};
use crate::model::{NewReview, ReviewSummary};
use qar_core::{EntityKind, ReviewState};
use rusqlite::{OptionalExtension, Row};
use serde_json::json;
use uuid::Uuid;

const SUMMARY_SQL: &str = "SELECT r.id, r.school_name, r.school_urn, r.start_date, r.state,
        (SELECT count(*) FROM evidence e WHERE e.review_id = r.id AND e.deleted = 0),
        (SELECT count(*) FROM outbox o WHERE o.review_id = r.id
           AND o.seq > coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'acked_through'), 0))
     FROM reviews r WHERE r.deleted = 0";

fn summary(r: &Row) -> rusqlite::Result<ReviewSummary> {
    Ok(ReviewSummary {
        id: r.get(0)?,
        school_name: r.get(1)?,
        school_urn: r.get(2)?,
        start_date: r.get(3)?,
        state: r.get(4)?,
        evidence_count: r.get(5)?,
        pending_ops: r.get(6)?,
    })
}

impl Store {
    /// Creates a review on this laptop (it syncs later). Refused whole if any field is invalid.
    /// Scheduling belongs to the hub; a review a Lead Reviewer sets up here starts in preparation.
    pub fn create_review(&mut self, new: &NewReview, now_ms: u64) -> Result<ReviewSummary> {
        let id = Uuid::now_v7();
        let fields = [
            ("school_name", json!(new.school_name.trim())),
            ("school_urn", json!(new.school_urn.trim())),
            ("start_date", json!(new.start_date.trim())),
            ("state", json!(ReviewState::Preparing.code())),
            ("framework_version", json!("2019")),
        ];
        self.write_record(EntityKind::Review, id, id, &fields, "create", now_ms)?;
        self.review(&id.to_string())
    }

    /// Moves a review along its lifecycle, if the permission table allows it here and now.
    pub fn transition_review(&mut self, review_id: &str, to: &str, now_ms: u64) -> Result<ReviewSummary> {
        let to = ReviewState::parse(to)?;
        let info = self.review_info(review_id)?;
        let action = qar_core::lifecycle::action_for(info.state, to)?;
        let decision = self.check(&info, action, false)?;
        let next = decision.next_state.unwrap_or(to);
        let id = super::evidence::parse_id("Review", review_id)?;
        self.write_record(EntityKind::Review, id, id, &[("state", json!(next.code()))], action.code(), now_ms)?;
        self.review(review_id)
    }

    /// Reviews with a school name, soonest visit last (newest first), placeholders hidden.
    pub fn list_reviews(&self) -> Result<Vec<ReviewSummary>> {
        let sql = format!("{SUMMARY_SQL} AND r.school_name <> '' ORDER BY r.start_date DESC, r.school_name");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], summary)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn review(&self, id: &str) -> Result<ReviewSummary> {
        let sql = format!("{SUMMARY_SQL} AND r.id = ?1");
        self.conn
            .prepare_cached(&sql)?
            .query_row([id], summary)
            .optional()?
            .ok_or_else(|| ClientError::NotFound { what: format!("Review {id}") })
    }

    pub fn last_sync_ms(&self) -> Result<Option<u64>> {
        Ok(meta::get(&self.conn, "last_sync_ms")?.and_then(|s| s.parse().ok()))
    }

    pub fn last_sync_error(&self) -> Result<Option<String>> {
        meta::get(&self.conn, "last_sync_error")
    }

    /// Server clock minus this laptop's, as last measured by a sync.
    pub fn clock_skew_ms(&self) -> Result<Option<i64>> {
        Ok(meta::get(&self.conn, "clock_skew_ms")?.and_then(|s| s.parse().ok()))
    }

    pub fn record_clock_skew(&self, skew_ms: i64) -> Result<()> {
        meta::set(&self.conn, "clock_skew_ms", &skew_ms.to_string())
    }

    /// Remembers how the last sync attempt ended, so the status survives a restart.
    pub fn record_sync_outcome(&self, now_ms: u64, error: Option<&str>) -> Result<()> {
        match error {
            None => {
                meta::set(&self.conn, "last_sync_ms", &now_ms.to_string())?;
                meta::delete(&self.conn, "last_sync_error")
            }
            Some(e) => meta::set(&self.conn, "last_sync_error", e),
        }
    }
}
