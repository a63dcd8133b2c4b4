//! Sync with the server: push the outbox in order, then pull pages until caught up.

mod backoff;
mod blob_http;
mod http;
mod lost_access;
pub mod register_http;
pub mod uploads;

pub use backoff::Backoff;

pub use http::{check_secure_address, Account, LoginBody, LoginGrant, Redeemed, ReturnComment, SyncClient};

use crate::error::Result;
use crate::store::Store;
use std::sync::Mutex;

/// Ops per push request. Large enough that an initial sync needs few round trips, small enough
/// that one request stays well under the server's body limit.
pub const PUSH_BATCH: usize = 1000;
/// Changes per pull page; each page is applied in one transaction.
pub const PULL_PAGE: u32 = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncReport {
    pub pushed: usize,
    pub pulled: usize,
    /// Records removed here because the server purged them under its retention policy.
    pub purged: usize,
    /// Entries of the register's copy added, changed or removed here (issue 23).
    pub register_changed: usize,
    /// Server clock minus this laptop's clock, as seen on the last reply.
    pub skew_ms: i64,
    /// How far ahead of the server's time the server found this laptop's change stamps, when
    /// it re-stamped some (`clock_ahead` in a push answer); 0 when it did not.
    pub stamps_ahead_ms: u64,
    /// Attachment files the server now holds whole, sent in this round.
    pub files_sent: usize,
    /// Issued reviews whose local copy left this laptop by itself after the sync (decision 88).
    pub copies_dropped: usize,
}

impl SyncReport {
    /// The skew the clock warning goes by: a laptop whose stamps the server found too far
    /// ahead is ahead, even when its wall clock has been set right since (its stamps only move
    /// forward, so they stay ahead until real time catches up).
    pub fn warning_skew_ms(&self) -> i64 {
        self.skew_ms.min(-(self.stamps_ahead_ms.min(i64::MAX as u64) as i64))
    }
}

/// One full sync. The store lock is held only between network calls, never across them, so
/// the user keeps typing while a slow request is in flight. Each push also asks for news, so
/// a single edit costs a single round trip.
pub async fn sync_once(store: &Mutex<Store>, client: &SyncClient, now_ms: impl Fn() -> u64) -> Result<SyncReport> {
    sync_once_with_progress(store, client, now_ms, &|_| {}).await
}

/// [`sync_once`], telling `progress` how many records have arrived so far (a first sync of a
/// laptop can bring thousands).
pub async fn sync_once_with_progress(
    store: &Mutex<Store>,
    client: &SyncClient,
    now_ms: impl Fn() -> u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SyncReport> {
    let outcome = sync_steps(store, client, &now_ms, progress).await;
    lock(store).set_in_flight(0);
    outcome
}

async fn sync_steps(
    store: &Mutex<Store>,
    client: &SyncClient,
    now_ms: &impl Fn() -> u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SyncReport> {
    let mut report = SyncReport::default();
    let device = lock(store).device_id();
    lost_access::report_outbox(store, client)?;
    let mut more_to_pull = true;
    // A server restored from a backup is followed at most twice in one sync: a third would mean
    // the server keeps forgetting, and the error then says what happened.
    let mut restores_followed = 0;
    // Where the register's feed ended at the last page read (None: no page said, as from an
    // older server); it decides whether the register needs a request of its own (issue 25).
    let mut register_head = None;
    'sync: loop {
        let mut read_ahead: Option<crate::store::PendingBatch> = None;
        loop {
            let (batch, cursor) = {
                let s = lock(store);
                let batch = match read_ahead.take() {
                    Some(b) => b,
                    None => s.pending_batch(PUSH_BATCH)?,
                };
                (batch, s.pull_cursor()?)
            };
            if batch.ops.is_empty() {
                break;
            }
            let sent = batch.ops.len();
            let last = batch.ops.last().map_or(0, |o| o.seq);
            lock(store).set_in_flight(last);
            let request = client.push(batch.device_id, batch.ops, Some(cursor));
            let reply = if sent == PUSH_BATCH {
                // A full batch means more is waiting (a laptop's first sync): read the next batch
                // while this one is on the wire and the server applies it, instead of taking turns.
                // The outbox only grows at its end, so that batch still follows this one, as long
                // as the server acknowledges all of this one (checked below).
                let (reply, ahead) = tokio::join!(request, async { lock(store).pending_batch_after(last, PUSH_BATCH) });
                let reply = match reply {
                    Err(e) if restores_followed < 2 && is_seq_gap(&e) => {
                        restores_followed += 1;
                        follow_restored_server(store, client, device, None).await?;
                        continue 'sync;
                    }
                    other => other?,
                };
                // Anything else (a partial acknowledgement, a failed read) reads afresh next time.
                read_ahead = ahead.ok().filter(|b| reply.acked_through == last && !b.ops.is_empty());
                reply
            } else {
                match request.await {
                    // The server holds fewer of this laptop's ops than it acknowledged: it was
                    // restored from a backup (decision 55).
                    Err(e) if restores_followed < 2 && is_seq_gap(&e) => {
                        restores_followed += 1;
                        follow_restored_server(store, client, device, None).await?;
                        continue 'sync;
                    }
                    other => other?,
                }
            };
            report.skew_ms = reply.server_time_ms as i64 - now_ms() as i64;
            if let Some(ahead) = &reply.clock_ahead {
                tracing::warn!(
                    ahead_ms = ahead.ahead_ms,
                    ops = ahead.op_seqs.len(),
                    "the server re-stamped changes stamped ahead of its clock"
                );
                report.stamps_ahead_ms = report.stamps_ahead_ms.max(ahead.ahead_ms);
            }
            let moved = {
                let mut s = lock(store);
                s.record_push(&reply, now_ms())?;
                if let Some(compat) = &reply.compat {
                    s.note_server_compat(compat)?;
                }
                match &reply.pull {
                    Some(page) if restores_followed < 2 && s.feed_moved(page, cursor)? => Some(page.feed_epoch.clone()),
                    Some(page) => {
                        register_head = page.register_head;
                        report.pulled += s.apply_pull(page, now_ms())?;
                        s.note_access_revoked(&page.access_revoked)?;
                        report.purged += s.apply_purged(&page.purged, now_ms())?;
                        more_to_pull = page.has_more;
                        progress(report.pulled as u64);
                        None
                    }
                    None => None,
                }
            };
            report.pushed += sent;
            if let Some(epoch) = moved {
                restores_followed += 1;
                follow_restored_server(store, client, device, epoch).await?;
                more_to_pull = true;
                continue 'sync;
            }
        }
        while more_to_pull {
            let cursor = lock(store).pull_cursor()?;
            let page = client.pull(cursor, PULL_PAGE, device, 0).await?;
            report.skew_ms = page.server_time_ms as i64 - now_ms() as i64;
            if restores_followed < 2 && lock(store).feed_moved(&page, cursor)? {
                restores_followed += 1;
                follow_restored_server(store, client, device, page.feed_epoch.clone()).await?;
                continue 'sync;
            }
            register_head = page.register_head;
            report.pulled += lock(store).apply_pull(&page, now_ms())?;
            lock(store).note_access_revoked(&page.access_revoked)?;
            report.purged += lock(store).apply_purged(&page.purged, now_ms())?;
            more_to_pull = page.has_more;
            progress(report.pulled as u64);
        }
        break;
    }
    report.pushed += lost_access::finish(store, client, now_ms).await?;
    // Attachment bytes after the notes: a failing photo waits on its own row, never the sync.
    match uploads::send_due(store, client, now_ms).await {
        Ok(sent) => report.files_sent = sent,
        Err(e) => tracing::warn!(error = %e, "attachment uploads stopped for this round"),
    }
    // Issued reviews kept here longer than the person's setting leave once everything of them
    // is sent (this round's uploads included). A failure here never fails the sync.
    match lock(store).drop_due_local_copies(now_ms()) {
        Ok(schools) => report.copies_dropped = schools.len(),
        Err(e) => tracing::warn!(error = %e, "issued reviews due to leave this laptop stay until the next sync"),
    }
    // The register's copy last, on its own cursor: partnership-wide, not per review. A server
    // without the register (older) or a failure here never fails the sync of the reviews; the
    // next sync tries again, and a revoked entry goes then. Asked only when the pages said the
    // register moved past the copy (or did not say).
    match register_http::pull_register_if_moved(store, client, register_head).await {
        Ok(changed) => report.register_changed = changed,
        Err(e) => tracing::warn!(error = %e, "the register's copy was not brought up to date this round"),
    }
    Ok(report)
}

fn is_seq_gap(e: &crate::error::ClientError) -> bool {
    matches!(e, crate::error::ClientError::Server { code, .. } if code == qar_core::ErrorCode::SeqGap.as_str())
}

/// The server was restored from a backup: an empty push asks what it holds of this laptop's
/// ops (its `acked_through`), then the laptop pulls from 0 and sends again what came after.
async fn follow_restored_server(store: &Mutex<Store>, client: &SyncClient, device: uuid::Uuid, epoch: Option<String>) -> Result<()> {
    let reply = client.push(device, Vec::new(), None).await?;
    let epoch = epoch.or(reply.feed_epoch);
    lock(store).follow_restored_server(reply.acked_through, epoch.as_deref())?;
    Ok(())
}

/// Waits (long-poll, up to `wait_ms`) for changes from other devices and applies them.
/// Returns how many records changed here.
pub async fn wait_and_pull(store: &Mutex<Store>, client: &SyncClient, wait_ms: u64, now_ms: impl Fn() -> u64) -> Result<usize> {
    let (device, cursor) = {
        let s = lock(store);
        (s.device_id(), s.pull_cursor()?)
    };
    let page = client.pull(cursor, PULL_PAGE, device, wait_ms).await?;
    if lock(store).feed_moved(&page, cursor)? {
        // A restored server: a full sync follows it (and finds the same).
        return Ok(sync_once(store, client, now_ms).await?.pulled);
    }
    let mut applied = lock(store).apply_pull(&page, now_ms())?;
    lock(store).note_access_revoked(&page.access_revoked)?;
    applied += lock(store).apply_purged(&page.purged, now_ms())?;
    if page.has_more || !page.access_revoked.is_empty() {
        applied += sync_once(store, client, now_ms).await?.pulled;
    }
    Ok(applied)
}

/// A panic while the lock was held rolled its transaction back (rusqlite's Drop), so the
/// connection is consistent and the store stays usable.
pub(crate) fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
