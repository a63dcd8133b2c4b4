//! The end of a sync when the hub took this person off a review (issue 9): send what is still
//! unsent (the server answers each op, accepted or `removed_from_team`), then drop the review.

use super::{lock, SyncClient, PUSH_BATCH};
use crate::error::Result;
use crate::store::Store;
use std::sync::Mutex;

/// Tells the server (header on the next requests) how much work waits here and since when.
pub(super) fn report_outbox(store: &Mutex<Store>, client: &SyncClient) -> Result<()> {
    let (pending, oldest) = lock(store).outbox_report()?;
    client.set_outbox_report(pending, oldest);
    Ok(())
}

/// Drops reviews this laptop lost access to once their work is sent; pushes first when some of
/// it is not (edits made while the pull was under way). Returns the ops pushed.
pub(super) async fn finish(store: &Mutex<Store>, client: &SyncClient, now_ms: &impl Fn() -> u64) -> Result<usize> {
    let (_, waiting) = lock(store).drop_revoked_reviews()?;
    if waiting.is_empty() {
        return Ok(0);
    }
    let mut pushed = 0;
    loop {
        let batch = lock(store).pending_batch(PUSH_BATCH)?;
        if batch.ops.is_empty() {
            break;
        }
        let sent = batch.ops.len();
        let reply = client.push(batch.device_id, batch.ops, None).await?;
        lock(store).record_push(&reply, now_ms())?;
        pushed += sent;
    }
    lock(store).drop_revoked_reviews()?;
    report_outbox(store, client)?;
    Ok(pushed)
}
