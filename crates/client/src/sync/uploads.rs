//! Sending attachment bytes after the ops (issue 19). Each sync round pushes the notes first,
//! then sends a few queued files, each resuming from the offset the server holds, so a round
//! never keeps a note waiting behind photos. A failure is kept on that file's row with a
//! back-off of its own; it never fails the sync.

use super::{lock, SyncClient};
use crate::error::Result;
use crate::model::SendingFile;
use crate::store::{DueUpload, Store};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Files one sync round starts at most; the rest wait for the next round (a few seconds later),
/// so new notes keep going out between photos.
pub const FILES_PER_ROUND: usize = 8;
/// No new file is started once a round has spent this long on files.
const ROUND_BUDGET: Duration = Duration::from_secs(10);
/// Tries of one file in a round without the server's offset moving on.
const SENDS_PER_FILE: u32 = 8;
/// Bytes sent in one request at most: the server keeps each part, so the sync panel can show a
/// file's progress between parts and a cut link loses at most one part.
const PART_BYTES: usize = 1024 * 1024;

/// Sends due uploads; returns how many files the server now holds whole.
pub async fn send_due(store: &Mutex<Store>, client: &SyncClient, now_ms: &impl Fn() -> u64) -> Result<usize> {
    let due = lock(store).due_uploads(now_ms(), FILES_PER_ROUND)?;
    let of = due.len() as u32;
    lock(store).upload_round(Some(of));
    let outcome = send_round(store, client, now_ms, due, of).await;
    lock(store).upload_round(None);
    outcome
}

async fn send_round(store: &Mutex<Store>, client: &SyncClient, now_ms: &impl Fn() -> u64, due: Vec<DueUpload>, of: u32) -> Result<usize> {
    let started = Instant::now();
    let mut done = 0;
    for (n, upload) in due.into_iter().enumerate() {
        if started.elapsed() > ROUND_BUDGET {
            break;
        }
        let index = n as u32 + 1;
        match send_one(store, client, &upload, index, of).await {
            Ok(()) => {
                let mut s = lock(store);
                s.upload_done(&upload.attachment_id)?;
                // Counted as people attached them: a photo's thumbnail is part of the photo.
                if !crate::attachment_files::owner_of(&upload.attachment_id).1 {
                    s.upload_sent();
                    done += 1;
                }
            }
            Err(e) => {
                let s = lock(store);
                let attempts = s.upload_attempts(&upload.attachment_id).unwrap_or(0);
                let wait = retry_in(attempts);
                tracing::warn!(attachment = %upload.attachment_id, error = %e, retry_in_s = wait.as_secs(), "an attachment upload failed; notes go on syncing");
                s.upload_failed(&upload.attachment_id, &failure_words(&e), wait.as_millis() as u64, now_ms())?;
            }
        }
    }
    Ok(done)
}

/// 2 s doubling to 10 minutes: a photo the server refuses does not retry in a tight loop.
fn retry_in(attempts: u32) -> Duration {
    Duration::from_secs(2).saturating_mul(1u32 << attempts.min(9)).min(Duration::from_secs(600))
}

fn failure_words(e: &crate::ClientError) -> String {
    format!("Not sent yet: {e}. It is tried again by itself")
}

async fn send_one(store: &Mutex<Store>, client: &SyncClient, upload: &DueUpload, index: u32, of: u32) -> Result<()> {
    let mut bytes: Option<Vec<u8>> = None;
    let mut last_err = None;
    // Tries without progress; a send that moved the server's offset on starts the count again,
    // so a link that is cut often but carries data finishes the file in this round.
    let mut stuck = 0;
    let mut held = None;
    // The server's answer to a part says where it now stands: no need to ask again.
    let mut known = None;
    while stuck < SENDS_PER_FILE {
        stuck += 1;
        let asked = match known.take() {
            Some(status) => Ok(status),
            None => client.blob_status(&upload.review_id, &upload.sha256).await,
        };
        let status = match asked {
            Ok(status) => status,
            // A connection the link cut while it sat in the pool: pause and ask again.
            Err(e @ crate::ClientError::Offline { .. }) => {
                last_err = Some(e);
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            Err(e) => return Err(e),
        };
        if status.complete {
            return Ok(());
        }
        if held.is_some_and(|h| status.offset > h) {
            stuck = 1;
        }
        let moved = held.map_or(0, |h| status.offset.saturating_sub(h));
        held = Some(status.offset);
        {
            let mut s = lock(store);
            s.upload_progress(&upload.attachment_id, status.offset)?;
            s.upload_sending(SendingFile { index, of, sent: status.offset, size: upload.size }, moved);
        }
        let all = match &bytes {
            Some(b) => b,
            None => bytes.insert(lock(store).attachment_bytes(&upload.attachment_id)?),
        };
        let rest = all.get(status.offset as usize..).unwrap_or_default();
        let rest = rest[..rest.len().min(PART_BYTES)].to_vec();
        match client.blob_send(&upload.review_id, &upload.sha256, upload.size, status.offset, rest).await {
            Ok(s) if s.complete => return Ok(()),
            Ok(s) => known = Some(s),
            // Cut off halfway: the server kept what arrived; a moment's pause lets it store
            // that before it is asked where to go on.
            Err(e @ crate::ClientError::Offline { .. }) => {
                last_err = Some(e);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            // The server's copy moved on (another laptop sent the same photo): ask again.
            Err(crate::ClientError::Server { code, .. }) if code == qar_core::ErrorCode::WrongOffset.as_str() => {}
            Err(e) => return Err(e),
        }
    }
    Err(last_err.unwrap_or_else(|| crate::ClientError::Protocol("the upload made no progress in this round".into())))
}
