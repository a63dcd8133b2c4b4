//! The attachment upload queue (issue 19): apart from the op outbox, so a photo that fails
//! never holds back a note. Rows are written with the attachment (`attachments.rs`).

use super::Store;
use crate::error::Result;
use rusqlite::params;

/// One attachment whose bytes are due to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueUpload {
    pub attachment_id: String,
    pub review_id: String,
    pub sha256: String,
    pub size: u64,
}

/// Where the upload queue stands, for the sync panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UploadQueueStatus {
    pub files: u32,
    pub bytes_left: u64,
    pub failing: u32,
}

impl Store {
    /// Uploads whose back-off has passed, oldest first, at most `limit`.
    pub fn due_uploads(&self, now_ms: u64, limit: usize) -> Result<Vec<DueUpload>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT attachment_id, review_id, sha256, size FROM attachment_uploads
             WHERE next_try_ms <= ?1 ORDER BY queued_at_ms, attachment_id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![now_ms as i64, limit as i64], |r| {
            Ok(DueUpload { attachment_id: r.get(0)?, review_id: r.get(1)?, sha256: r.get(2)?, size: r.get::<_, i64>(3)? as u64 })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The server holds the whole file: off the queue.
    pub fn upload_done(&self, attachment_id: &str) -> Result<()> {
        self.conn.execute("DELETE FROM attachment_uploads WHERE attachment_id = ?1", [attachment_id])?;
        Ok(())
    }

    /// How far the server got (a cut connection keeps its part).
    pub fn upload_progress(&self, attachment_id: &str, sent: u64) -> Result<()> {
        self.conn.execute("UPDATE attachment_uploads SET sent = ?2 WHERE attachment_id = ?1", params![attachment_id, sent as i64])?;
        Ok(())
    }

    /// A failed attempt: tried again after `retry_in_ms`, its reason kept in words.
    pub fn upload_failed(&self, attachment_id: &str, reason: &str, retry_in_ms: u64, now_ms: u64) -> Result<()> {
        self.conn.execute(
            "UPDATE attachment_uploads SET attempts = attempts + 1, last_error = ?2, next_try_ms = ?3 WHERE attachment_id = ?1",
            params![attachment_id, reason, (now_ms + retry_in_ms) as i64],
        )?;
        Ok(())
    }

    /// How many failures an upload has had (for its back-off).
    pub fn upload_attempts(&self, attachment_id: &str) -> Result<u32> {
        Ok(self.conn.query_row("SELECT attempts FROM attachment_uploads WHERE attachment_id = ?1", [attachment_id], |r| r.get(0))?)
    }

    pub fn upload_queue_status(&self) -> Result<UploadQueueStatus> {
        Ok(self.conn.query_row("SELECT count(*), coalesce(sum(size - sent), 0), count(last_error) FROM attachment_uploads", [], |r| {
            Ok(UploadQueueStatus { files: r.get(0)?, bytes_left: r.get::<_, i64>(1)? as u64, failing: r.get(2)? })
        })?)
    }
}
