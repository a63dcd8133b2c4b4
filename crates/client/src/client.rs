//! `Client`: the one object the desktop shell holds. It owns the store and the sync client and
//! reads the wall clock, so everything below it gets time passed in.

use crate::error::Result;
use crate::model::{Estimate, Evidence, EvidenceQuery, NewEvidence, NewReview, ReviewSummary, SyncStatus};
use crate::store::Store;
use crate::sync::{self, lock, SyncClient, SyncReport};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// File name of the store inside the app's data folder.
pub const STORE_FILE: &str = "qar-field.db";

pub struct Client {
    store: Mutex<Store>,
    _checkpointer: crate::store::Checkpointer,
    sync: SyncClient,
    syncing: AtomicBool,
    /// One sync at a time: a timer tick and a button press must not push the same ops twice.
    sync_gate: tokio::sync::Mutex<()>,
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl Client {
    pub fn open(data_dir: &Path, server_url: &str) -> Result<Client> {
        std::fs::create_dir_all(data_dir)
            .map_err(|source| crate::ClientError::DataDir { path: data_dir.display().to_string(), source })?;
        let path = data_dir.join(STORE_FILE);
        let store = Store::open(&path)?;
        let checkpointer = crate::store::Checkpointer::start(&path, std::time::Duration::from_secs(1))?;
        Ok(Client {
            store: Mutex::new(store),
            _checkpointer: checkpointer,
            sync: SyncClient::new(server_url),
            syncing: AtomicBool::new(false),
            sync_gate: tokio::sync::Mutex::new(()),
        })
    }

    pub fn list_reviews(&self) -> Result<Vec<ReviewSummary>> {
        lock(&self.store).list_reviews()
    }

    pub fn create_review(&self, new: &NewReview) -> Result<ReviewSummary> {
        lock(&self.store).create_review(new, now_ms())
    }

    pub fn review(&self, id: &str) -> Result<ReviewSummary> {
        lock(&self.store).review(id)
    }

    pub fn list_evidence(&self, review_id: &str) -> Result<Vec<Evidence>> {
        lock(&self.store).list_evidence(review_id)
    }

    pub fn add_evidence(&self, new: &NewEvidence) -> Result<Evidence> {
        lock(&self.store).add_evidence(new, now_ms())
    }

    pub fn update_evidence_field(&self, id: &str, field: &str, value: Value) -> Result<Evidence> {
        lock(&self.store).update_evidence_field(id, field, value, now_ms())
    }

    pub fn transition_review(&self, review_id: &str, to_state: &str) -> Result<ReviewSummary> {
        lock(&self.store).transition_review(review_id, to_state, now_ms())
    }

    pub fn set_estimate(&self, review_id: &str, area_code: &str, value: &str, rationale: &str) -> Result<Estimate> {
        lock(&self.store).set_estimate(review_id, area_code, value, rationale, now_ms())
    }

    pub fn list_estimates(&self, review_id: &str) -> Result<Vec<Estimate>> {
        lock(&self.store).list_estimates(review_id)
    }

    pub fn delete_evidence(&self, id: &str) -> Result<()> {
        lock(&self.store).delete_evidence(id, now_ms())
    }

    pub fn search_evidence(&self, review_id: &str, query: &EvidenceQuery) -> Result<Vec<Evidence>> {
        lock(&self.store).search_evidence(review_id, query)
    }

    pub fn status(&self) -> Result<SyncStatus> {
        let store = lock(&self.store);
        let rfc3339 = |ms: u64| DateTime::<Utc>::from_timestamp_millis(ms as i64).map(|t| t.to_rfc3339());
        Ok(SyncStatus {
            pending_ops: store.pending_count()?,
            last_sync_at: store.last_sync_ms()?.and_then(rfc3339),
            last_error: store.last_sync_error()?,
            server_url: self.sync.base_url().to_owned(),
            syncing: self.syncing.load(Ordering::Relaxed),
            clock_warning: store.clock_skew_ms()?.and_then(clock_warning),
        })
    }

    /// Holds a pull open for up to `wait_ms` and applies whatever other devices changed.
    /// Returns how many records changed on this laptop.
    pub async fn wait_for_changes(&self, wait_ms: u64) -> Result<usize> {
        let changed = sync::wait_and_pull(&self.store, &self.sync, wait_ms, now_ms).await?;
        if changed > 0 {
            // A successful exchange: the status (and the screens that follow it) move on.
            lock(&self.store).record_sync_outcome(now_ms(), None)?;
        }
        Ok(changed)
    }

    /// Pushes and pulls once. A failure (server down, say) is recorded in the status in plain
    /// words and returned; local work is untouched either way.
    pub async fn sync_now(&self) -> Result<SyncReport> {
        let _gate = self.sync_gate.lock().await;
        self.syncing.store(true, Ordering::Relaxed);
        let outcome = sync::sync_once(&self.store, &self.sync, now_ms).await;
        self.syncing.store(false, Ordering::Relaxed);
        let message = outcome.as_ref().err().map(|e| e.to_string());
        let store = lock(&self.store);
        store.record_sync_outcome(now_ms(), message.as_deref())?;
        if let Ok(report) = &outcome {
            store.record_clock_skew(report.skew_ms)?;
        }
        drop(store);
        outcome
    }
}

/// Words for a clock that is off by more than two minutes; `None` when it is close enough.
/// Order never depends on wall clocks (hybrid logical clocks), but times people read do.
fn clock_warning(skew_ms: i64) -> Option<String> {
    const LIMIT_MS: i64 = 2 * 60 * 1000;
    if skew_ms.abs() <= LIMIT_MS {
        return None;
    }
    let minutes = (skew_ms.abs() + 30_000) / 60_000;
    let way = if skew_ms > 0 { "behind" } else { "ahead of" };
    Some(format!(
        "This laptop's clock is about {minutes} minutes {way} the server's. Your notes stay in the right order, \
         but times shown may be off: set the date and time to update automatically."
    ))
}

#[cfg(test)]
mod tests {
    use super::clock_warning;

    #[test]
    fn clock_warning_only_beyond_two_minutes_and_says_which_way() {
        assert_eq!(clock_warning(119_000), None);
        assert_eq!(clock_warning(-120_000), None);
        assert!(clock_warning(10 * 60_000).unwrap().contains("about 10 minutes behind"));
        assert!(clock_warning(-3 * 60_000 - 40_000).unwrap().contains("about 4 minutes ahead of"));
    }
}
