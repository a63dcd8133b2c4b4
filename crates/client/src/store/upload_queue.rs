//! The attachment upload queue (issue 19): apart from the op outbox, so a photo that fails
//! never holds back a note. Rows are written with the attachment (`attachments.rs`).

use super::Store;
use crate::error::Result;
use crate::model::{FailedUpload, SendingFile, UploadStatus};
use qar_core::attachment::AttachmentKind;
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

    /// Files are counted as people attached them: a photo and its thumbnail are one file, the
    /// bytes left are both's.
    pub fn upload_queue_status(&self) -> Result<UploadQueueStatus> {
        Ok(self.conn.query_row("SELECT count(DISTINCT replace(attachment_id, ':thumb', '')), coalesce(sum(size - sent), 0), count(last_error) FROM attachment_uploads", [], |r| {
            Ok(UploadQueueStatus { files: r.get(0)?, bytes_left: r.get::<_, i64>(1)? as u64, failing: r.get(2)? })
        })?)
    }
}

/// The uploader's progress in this run of the app: which file of the round is on its way and
/// how fast the round is going (for "time left"). Nothing of it needs to survive a restart.
#[derive(Debug, Default)]
pub(crate) struct UploadsLive {
    sending: Option<SendingFile>,
    round_started: Option<std::time::Instant>,
    round_bytes: u64,
    sent_files: u32,
}

impl Store {
    /// A round of uploads starts (`of` files due) or ends (`None`).
    pub fn upload_round(&mut self, of: Option<u32>) {
        let live = &mut self.uploads_live;
        live.sending = None;
        live.round_bytes = 0;
        live.round_started = of.filter(|n| *n > 0).map(|_| std::time::Instant::now());
    }

    /// File `index` of the round is on its way, the server holding `sent` of its `size` bytes;
    /// `moved` bytes went over the link since the last call.
    pub fn upload_sending(&mut self, file: SendingFile, moved: u64) {
        self.uploads_live.sending = Some(file);
        self.uploads_live.round_bytes += moved;
    }

    /// One more file the server now holds whole.
    pub fn upload_sent(&mut self) {
        self.uploads_live.sent_files += 1;
    }

    /// The queue as the sync panel shows it: counts and bytes from the table, the file on its
    /// way and the time left from this round's speed, and each failing file with its reason.
    pub fn upload_status(&self) -> Result<UploadStatus> {
        let queue = self.upload_queue_status()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT u.attachment_id, coalesce(a.evidence_id, ''), coalesce(a.caption, ''), coalesce(a.kind, 'other'), u.last_error
             FROM attachment_uploads u LEFT JOIN attachments a ON a.id = replace(u.attachment_id, ':thumb', '')
             WHERE u.last_error IS NOT NULL ORDER BY u.queued_at_ms, u.attachment_id",
        )?;
        let failed = stmt
            .query_map([], |r| {
                let caption: String = r.get(2)?;
                let kind: String = r.get(3)?;
                let label = if caption.trim().is_empty() {
                    AttachmentKind::parse(&kind).unwrap_or(AttachmentKind::Other).label().to_owned()
                } else {
                    caption
                };
                Ok(FailedUpload { attachment_id: r.get(0)?, evidence_id: r.get(1)?, label, reason: r.get(4)? })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let live = &self.uploads_live;
        let seconds_left = live.round_started.and_then(|started| {
            let secs = started.elapsed().as_secs_f64();
            // Under a second or a few KB is no measure of a link's speed.
            (secs >= 1.0 && live.round_bytes >= 16 * 1024).then(|| {
                let rate = live.round_bytes as f64 / secs;
                (queue.bytes_left as f64 / rate).ceil().min(u32::MAX as f64) as u32
            })
        });
        Ok(UploadStatus {
            waiting_files: queue.files,
            bytes_left: queue.bytes_left,
            sending: live.sending,
            seconds_left: seconds_left.filter(|_| queue.files > 0),
            sent_files: live.sent_files,
            failed,
        })
    }
}
