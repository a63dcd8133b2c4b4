//! Holding the laptop's writes still while the app replaces itself (issue 21): an update must
//! never restart the app half-way through saving a note or applying a sync.

use super::Client;
use crate::store::Store;
use crate::sync::lock;

/// While this lives, no sync runs and no write reaches the local store: both wait. Dropping it
/// (or the process ending with it held) lets them go on; unsent changes stay in the outbox.
pub struct WritesPaused<'a> {
    _sync: tokio::sync::MutexGuard<'a, ()>,
    _store: std::sync::MutexGuard<'a, Store>,
}

impl Client {
    /// Waits for a sync in progress and then for the write in progress to finish, and holds
    /// both. Every save is a single transaction under the store lock, so once this returns
    /// nothing is half-written. Take it last, right before restarting: saves wait meanwhile.
    pub async fn pause_writes(&self) -> WritesPaused<'_> {
        let sync = self.sync_gate.lock().await;
        WritesPaused { _sync: sync, _store: lock(&self.store) }
    }
}
