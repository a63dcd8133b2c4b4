//! Protecting review data on the laptop, as the app sees it: opening the encrypted store,
//! handover export/import, and wiping after a revoke.

use super::{now_ms, Client};
use crate::error::{ClientError, Result};
use crate::sync::lock;
use crate::vault::{handover, remove_if_present, sibling, StoreKey, Vault};
use std::path::Path;
use uuid::Uuid;

/// What a handover export wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct HandoverExport {
    pub ops: usize,
    /// Photos and documents not sent yet, carried with their bytes.
    pub files: usize,
    pub path: String,
}

impl Client {
    /// Opens the store in `data_dir` encrypted under `key` (moving a store from a release without
    /// encryption into encryption first). A wrong key gives [`ClientError::WrongKey`].
    pub fn open_encrypted(data_dir: &Path, server_url: &str, key: &StoreKey) -> Result<Client> {
        Client::open_with(data_dir, server_url, Some(key))
    }

    /// Seals this laptop's unacknowledged ops (of one review, or all) into `path` under `pass`.
    pub fn export_unsent(&self, path: &Path, pass: &str, review_id: Option<&str>) -> Result<HandoverExport> {
        let review = review_id.map(parse_id).transpose()?;
        let store = lock(&self.store);
        let ops = store.unsent_ops(review)?;
        let file = handover::Handover {
            user_id: store.session()?.map(|s| s.user_id),
            origin_device: store.device_id(),
            created_at_ms: now_ms(),
            ops,
            files: store.unsent_files(review)?,
        };
        drop(store);
        handover::write(path, &file, pass)?;
        Ok(HandoverExport { ops: file.ops.len(), files: file.files.len(), path: path.display().to_string() })
    }

    /// Applies a handover file's ops here as local edits, queued for sync, then keeps its
    /// attachments' bytes sealed here, queued for upload. Importing the same file again changes
    /// nothing. Returns how many ops were applied now.
    pub fn import_handover(&self, path: &Path, pass: &str) -> Result<usize> {
        let file = handover::read(path, pass)?;
        let mut store = lock(&self.store);
        if let (Some(theirs), Some(here)) = (&file.user_id, store.session()?) {
            if *theirs != here.user_id {
                return Err(ClientError::OtherUser { name: here.name });
            }
        }
        // Every file is checked before anything is applied, so a damaged one changes nothing.
        for f in &file.files {
            f.verified_bytes()?;
        }
        let applied = store.import_ops(file.origin_device, &file.ops, now_ms())?;
        for f in &file.files {
            store.import_file(f, now_ms())?;
        }
        Ok(applied)
    }

    /// Deletes the store (and its WAL) and the store key everywhere this laptop keeps it. After
    /// this the client is unusable: the app shows its wiped screen and starts afresh.
    pub fn wipe_local_data(&self, vault: &Vault) -> Result<()> {
        let mut store = lock(&self.store);
        let path = store.path().to_owned();
        drop(self.checkpointer.lock().unwrap_or_else(|p| p.into_inner()).take());
        store.close_for_wipe();
        self.sync_client().set_token(None);
        // The key first: once it is gone the file is unreadable even if a delete fails.
        vault.forget()?;
        for suffix in ["", "-wal", "-shm", ".encrypting"] {
            remove_if_present(&sibling(&path, suffix))?;
        }
        // The attachment files' key was inside the store just deleted: they are unreadable from
        // here on, and removed so they do not take up room.
        let attachments = sibling(&path, ".attachments");
        match std::fs::remove_dir_all(&attachments) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(ClientError::Vault(format!("could not delete {}: {e}", attachments.display())))
            }
            _ => {}
        }
        Ok(())
    }
}

fn parse_id(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|_| ClientError::NotFound { what: format!("Review {s}") })
}
