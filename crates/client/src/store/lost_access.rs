//! Reviews this laptop lost access to (issue 9): a pull says `access_revoked` when the hub took
//! the person off a review's team. The review is remembered (meta `access_revoked`) and dropped
//! only once nothing of it is waiting to be sent, so unsent work still reaches the server first
//! (which accepts or refuses it clearly). Also what the laptop reports about its outbox.

use super::{meta, Store};
use crate::error::Result;
use qar_core::Hlc;
use rusqlite::OptionalExtension;
use std::collections::BTreeSet;
use uuid::Uuid;

const KEY: &str = "access_revoked";

/// Tables holding a review's records, children before the review itself (foreign keys).
pub(super) const REVIEW_TABLES: [&str; 11] = [
    "attachment_uploads",
    "attachments",
    "evidence",
    "estimates",
    "report_sections",
    "comments",
    "conflicts",
    "plan_activities",
    "previous_reviews",
    "school_statements",
    "set_aside",
];

impl Store {
    /// Remembers reviews a pull said this person was taken off.
    pub fn note_access_revoked(&self, reviews: &[Uuid]) -> Result<()> {
        if reviews.is_empty() {
            return Ok(());
        }
        let mut pending = self.access_revoked()?;
        pending.extend(reviews.iter().map(Uuid::to_string));
        meta::set(&self.conn, KEY, &serde_json::to_string(&pending).unwrap_or_default())
    }

    /// Reviews waiting to be dropped.
    pub fn access_revoked(&self) -> Result<BTreeSet<String>> {
        Ok(meta::get(&self.conn, KEY)?.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default())
    }

    /// Drops every remembered review with nothing left to send; returns (dropped, still waiting
    /// because they have unsent ops). The outbox rows stay: they are the record of what was sent.
    pub fn drop_revoked_reviews(&mut self) -> Result<(Vec<String>, Vec<String>)> {
        let pending = self.access_revoked()?;
        if pending.is_empty() {
            return Ok((vec![], vec![]));
        }
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let acked = meta::acked_through(&tx)?;
        let (mut dropped, mut waiting) = (Vec::new(), Vec::new());
        for review in &pending {
            let unsent = tx
                .prepare_cached("SELECT 1 FROM outbox WHERE review_id = ?1 AND seq > ?2")?
                .exists(rusqlite::params![review, acked as i64])?;
            if unsent {
                waiting.push(review.clone());
                continue;
            }
            // The review's attachment bytes go with it: rows now, sealed files by the sweep below.
            tx.execute("DELETE FROM attachment_files WHERE attachment_id IN (SELECT id FROM attachments WHERE review_id = ?1 UNION ALL SELECT id || ':thumb' FROM attachments WHERE review_id = ?1)", [review])?;
            for table in REVIEW_TABLES {
                tx.execute(&format!("DELETE FROM {table} WHERE review_id = ?1"), [review])?;
            }
            tx.execute("DELETE FROM reviews WHERE id = ?1", [review])?;
            dropped.push(review.clone());
        }
        meta::set(&tx, KEY, &serde_json::to_string(&waiting).unwrap_or_default())?;
        tx.commit()?;
        if !dropped.is_empty() {
            // Unreadable without their rows already; removing them is tidiness, retried at open.
            if let Err(e) = self.sweep_attachment_files() {
                tracing::warn!(error = %e, "attachment files of a dropped review stay until the next open");
            }
        }
        self.changed_reviews.extend(dropped.iter().cloned());
        Ok((dropped, waiting))
    }

    /// (ops not yet acknowledged, time of the oldest of them in ms): sent to the server with
    /// each sync request so the hub overview can show work stuck on a laptop.
    pub fn outbox_report(&self) -> Result<(u64, Option<u64>)> {
        let acked = meta::acked_through(&self.conn)?;
        let (count, first): (i64, Option<String>) = self.conn.query_row(
            "SELECT count(*), (SELECT hlc FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT 1) FROM outbox WHERE seq > ?1",
            [acked as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let oldest = first.and_then(|h| h.parse::<Hlc>().ok()).map(|h| h.wall_ms);
        Ok((count as u64, oldest))
    }

    /// The school facts and visit days hub scheduling wrote on a review (JSON), if any.
    pub fn scheduled_context(&self, review_id: &str) -> Result<Option<(serde_json::Value, serde_json::Value)>> {
        let row: Option<(Option<String>, Option<String>)> = self
            .conn
            .query_row("SELECT school_context, visit_dates FROM reviews WHERE id = ?1", [review_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or(serde_json::Value::Null);
        Ok(row.map(|(c, d)| (parse(c), parse(d))))
    }
}
