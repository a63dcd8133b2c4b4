//! The laptop's local store: one SQLite file (WAL) per user. All SQL of the client lives in
//! this module. Every user edit is one transaction: entity row + outbox op(s) + audit row.
//! Write transactions begin IMMEDIATE: the background thread also writes (index catch-up),
//! and a read-then-write transaction could otherwise be refused outright instead of waiting.

mod access;
mod attachment_files;
mod attachments;
mod checkpoint;
mod columns;
mod conflicts;
pub mod encrypt;
mod estimates;
mod evidence;
mod forward;
mod handover;
mod handover_files;
mod inbox;
mod local_copy;
mod lost_access;
mod meta;
mod outbox;
mod plan;
mod previous_review;
mod register_copy;
mod report;
mod report_changes;
mod report_versions;
mod restored_server;
mod retention_purge;
mod review_detail;
mod reviews;
mod revoke;
mod schema;
mod school_statement;
mod search_index;
mod session;
mod upload_queue;
mod wipe;

pub use attachment_files::StoredAttachment;
pub use attachments::AttachChoice;
pub use checkpoint::Checkpointer;
pub use evidence::SEARCH_LIMIT;
pub use forward::Refusal;
pub use handover_files::HandedFile;
pub use local_copy::KEPT_ON_THE_SERVER;
pub use outbox::PendingBatch;
pub use upload_queue::{DueUpload, UploadQueueStatus};

use crate::error::Result;
use qar_core::{Hlc, HlcClock};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use uuid::Uuid;

pub struct Store {
    conn: Connection,
    path: PathBuf,
    device_id: Uuid,
    clock: HlcClock,
    /// Ops up to this seq are in a push now in flight (for the "sent" badge); 0 when none.
    in_flight_through: u64,
    /// Reviews that pulled changes touched since the app last asked (to refresh open screens).
    changed_reviews: std::collections::BTreeSet<String>,
    /// What the uploader is doing now (in memory only: the sync panel's "sending 2 of 5").
    uploads_live: upload_queue::UploadsLive,
}

/// The laptop store's page cache in KiB (SQLite's negative `cache_size`).
const STORE_CACHE_KIB: i64 = -16 * 1024;

/// The store's own settings on top of qar-dbkit's (journal, durability, key).
fn tune(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "wal_autocheckpoint", checkpoint::SAFETY_NET_PAGES)?;
    // With SQLCipher every page read from disk is decrypted and its HMAC checked; a review's
    // notes and search index fit in 16 MB, so searches and lists decrypt each page once.
    conn.pragma_update(None, "cache_size", STORE_CACHE_KIB)?;
    Ok(())
}

impl Store {
    /// Opens or creates the store file, migrating it forward. A file written by a newer app is
    /// refused rather than damaged.
    pub fn open(path: &Path) -> Result<Store> {
        Store::from_connection(encrypt::open_connection(path, None)?, path)
    }

    /// The rest of opening, for a plain or an encrypted (already keyed) connection made by
    /// [`encrypt::open_connection`].
    fn from_connection(mut conn: Connection, path: &Path) -> Result<Store> {
        qar_dbkit::migrate(&mut conn, schema::MIGRATIONS)?;
        let device_id = meta::device_id(&conn)?;
        let last = meta::clock(&conn)?.unwrap_or(Hlc { wall_ms: 0, counter: 0, node: Hlc::node_of(&device_id) });
        let mut store = Store {
            conn,
            path: path.to_owned(),
            device_id,
            clock: HlcClock::resume(last),
            in_flight_through: 0,
            changed_reviews: Default::default(),
            uploads_live: Default::default(),
        };
        // An app updated with unsent work: its ops are brought up to this build's schema
        // before anything can push them (issue 17).
        store.upcast_outbox()?;
        store.apply_set_aside_now_known()?;
        // Attachment files a crash left without their row (or half-written) are taken away.
        let swept = store.sweep_attachment_files()?;
        if swept > 0 {
            tracing::info!(files = swept, "removed attachment files no record names");
        }
        Ok(store)
    }

    /// The reviews pulled changes touched since the last call.
    pub fn take_changed_reviews(&mut self) -> Vec<String> {
        std::mem::take(&mut self.changed_reviews).into_iter().collect()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn device_id(&self) -> Uuid {
        self.device_id
    }

    /// Schema version of the file (the number of the last migration applied).
    pub fn schema_version(&self) -> Result<u32> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    pub fn integrity_ok(&self) -> Result<bool> {
        let verdict: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(verdict == "ok")
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod inbox_tests;

#[cfg(test)]
mod desk_tests;

#[cfg(test)]
mod forward_tests;
