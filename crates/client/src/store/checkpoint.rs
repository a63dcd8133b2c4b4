//! Background upkeep of the store on its own connection: WAL checkpoints off the save path,
//! and indexing of notes a bulk pull deferred.
//!
//! Moves WAL checkpoints off the save path. SQLite's automatic checkpoint runs inside whichever
//! commit crosses the threshold, so one save in a few hundred paid for copying the whole WAL
//! back (p99 ~4 ms). A background thread with its own connection checkpoints instead; the
//! store keeps a high automatic threshold only as a safety net when this thread is not running.

use crate::error::Result;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Pages after which a commit checkpoints by itself if no background checkpointer runs (~40 MB).
pub(super) const SAFETY_NET_PAGES: u32 = 10_000;

pub struct Checkpointer {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Checkpoints `path` every `every` (PASSIVE: never blocks a writer) until dropped.
    pub fn start(path: &Path, every: Duration) -> Result<Checkpointer> {
        Checkpointer::start_with(qar_dbkit::open(path, qar_dbkit::Durability::Normal)?, path, every)
    }

    /// [`Checkpointer::start`] for an encrypted store: its own connection needs the key too.
    pub fn start_keyed(path: &Path, key: &crate::vault::StoreKey, every: Duration) -> Result<Checkpointer> {
        let conn =
            qar_dbkit::open_keyed(path, qar_dbkit::Durability::Normal, &key.sqlcipher_pragma()).map_err(super::encrypt::map_open_error)?;
        Checkpointer::start_with(conn, path, every)
    }

    fn start_with(conn: rusqlite::Connection, path: &Path, every: Duration) -> Result<Checkpointer> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::Builder::new()
            .name("qar-checkpoint".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::park_timeout(every);
                    // Index what a bulk pull deferred, a slice at a time so saves never wait long.
                    while let Ok(n) = super::search_index::catch_up(&conn, 500) {
                        if n == 0 || flag.load(Ordering::Relaxed) {
                            break;
                        }
                    }
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                        tracing::warn!("background checkpoint failed (will retry): {e}");
                    }
                }
            })
            .map_err(|e| crate::ClientError::DataDir { path: path.display().to_string(), source: e })?;
        Ok(Checkpointer { stop, handle: Some(handle) })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            h.thread().unpark();
            let _ = h.join();
        }
    }
}
