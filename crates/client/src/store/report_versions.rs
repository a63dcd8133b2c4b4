//! Issued report versions cached on the laptop (migration 5), and when the approval that the
//! export prints was recorded.

use super::Store;
use crate::error::Result;
use crate::model::ReportVersion;
use rusqlite::{params, OptionalExtension};

impl Store {
    /// Keeps one issued version. A version already held is left as it is: issued versions are
    /// frozen on the server, so the first copy is the copy.
    pub fn cache_report_version(&self, review_id: &str, v: &ReportVersion, snapshot: &str) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO report_versions (review_id, version, snapshot, sha256, report_hash, issued_ms, issued_by, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![review_id, v.version, snapshot, v.sha256, v.report_hash, v.issued_ms as i64, v.issued_by, v.reason])?;
        Ok(())
    }

    /// The versions held for a review, oldest first.
    pub fn cached_report_versions(&self, review_id: &str) -> Result<Vec<ReportVersion>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT version, sha256, report_hash, issued_ms, issued_by, reason FROM report_versions WHERE review_id = ?1 ORDER BY version",
        )?;
        let rows = stmt.query_map([review_id], |r| {
            Ok(ReportVersion {
                version: r.get(0)?,
                sha256: r.get(1)?,
                report_hash: r.get(2)?,
                issued_ms: r.get::<_, i64>(3)? as u64,
                issued_by: r.get(4)?,
                reason: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One held version's frozen snapshot text, if this laptop has it.
    pub fn cached_report_snapshot(&self, review_id: &str, version: u32) -> Result<Option<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT snapshot FROM report_versions WHERE review_id = ?1 AND version = ?2")?;
        Ok(stmt.query_row(params![review_id, version], |r| r.get(0)).optional()?)
    }

    /// When the server approved the review's current report: its wall time at the approval
    /// (`approved_at_ms`), if it has one. Reviews approved by an older server fall back to the
    /// wall time of the `approved_hash` field's version.
    pub fn approval_ms(&self, review_id: &str) -> Result<Option<u64>> {
        let row: Option<(Option<i64>, Option<String>)> = self
            .conn
            .prepare_cached("SELECT approved_at_ms, versions FROM reviews WHERE id = ?1")?
            .query_row([review_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((at, versions)) = row else { return Ok(None) };
        if let Some(at) = at.filter(|ms| *ms > 0) {
            return Ok(Some(at as u64));
        }
        let map: std::collections::BTreeMap<String, qar_core::Hlc> =
            versions.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default();
        Ok(map.get("approved_hash").map(|h| h.wall_ms))
    }
}
