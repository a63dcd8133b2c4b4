//! The store's side of attachment files: the key that seals them and which random file holds which
//! attachment. The bytes themselves are sealed and written by `crate::attachment_files`.
//!
//! Order of writes, so a crash never leaves a row without its file: the sealed file is renamed into
//! place first, then the row is committed. A crash between the two leaves a file no row names;
//! `sweep_attachment_files` (run at open) removes such files and any unfinished temporary one.

use super::Store;
use crate::attachment_files::{self as files, FileKey};
use crate::error::{ClientError, Result};
use crate::vault::sibling;
use rusqlite::{OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::PathBuf;
use zeroize::Zeroizing;

/// What the store knows about an attachment's bytes held on this laptop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttachment {
    /// Size of the plain bytes.
    pub size: u64,
    /// SHA-256 of the plain bytes, hex.
    pub sha256: String,
}

impl Store {
    /// The folder beside the store file that holds the sealed attachment files.
    pub fn attachment_folder(&self) -> PathBuf {
        sibling(&self.path, ".attachments")
    }

    /// Keeps `bytes` as the attachment `attachment_id`, sealed in a new random file; an earlier
    /// copy of the same attachment is replaced (its file removed once the new one is recorded).
    pub fn put_attachment_bytes(&mut self, attachment_id: &str, bytes: &[u8]) -> Result<StoredAttachment> {
        check_id(attachment_id)?;
        let key = self.attachment_key()?;
        let folder = self.attachment_folder();
        let name = files::random_file_name()?;
        let written = files::write_sealed(&folder, &name, &key, attachment_id, bytes)?;
        let stored = StoredAttachment { size: bytes.len() as u64, sha256: hex::encode(Sha256::digest(bytes)) };
        let recorded = (|| -> Result<Option<String>> {
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let previous: Option<String> = tx
                .query_row("SELECT file_name FROM attachment_files WHERE attachment_id = ?1", [attachment_id], |r| r.get(0))
                .optional()?;
            tx.execute(
                "INSERT INTO attachment_files(attachment_id, file_name, size, sha256) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(attachment_id) DO UPDATE SET file_name = excluded.file_name, size = excluded.size, sha256 = excluded.sha256",
                rusqlite::params![attachment_id, name, stored.size as i64, stored.sha256],
            )?;
            tx.commit()?;
            Ok(previous)
        })();
        match recorded {
            Ok(previous) => {
                if let Some(old) = previous {
                    files::remove(&folder.join(old))?;
                }
                Ok(stored)
            }
            Err(e) => {
                // Nothing names the new file: take it away again so nothing is half-saved.
                let _ = files::remove(&written);
                Err(e)
            }
        }
    }

    /// Seals `bytes` into a new random file for `attachment_id` without recording it: the caller
    /// records the returned name in its own transaction (`INSERT INTO attachment_files`) and
    /// removes the file if that fails. Until then the sweep at open treats it as a leftover.
    pub(super) fn seal_unrecorded(&mut self, attachment_id: &str, bytes: &[u8]) -> Result<(String, PathBuf, StoredAttachment)> {
        check_id(attachment_id)?;
        let key = self.attachment_key()?;
        let name = files::random_file_name()?;
        let written = files::write_sealed(&self.attachment_folder(), &name, &key, attachment_id, bytes)?;
        Ok((name, written, StoredAttachment { size: bytes.len() as u64, sha256: hex::encode(Sha256::digest(bytes)) }))
    }

    /// The plain bytes of an attachment held on this laptop, checked against tampering.
    pub fn attachment_bytes(&self, attachment_id: &str) -> Result<Vec<u8>> {
        let name = self.attachment_file_name(attachment_id)?.ok_or_else(|| not_found(attachment_id))?;
        let key = self.attachment_key_if_any()?.ok_or_else(|| not_found(attachment_id))?;
        files::read_sealed(&self.attachment_folder().join(name), &key, attachment_id)
    }

    /// Size and hash of an attachment's bytes held here, or `None` when it has none on this laptop.
    pub fn stored_attachment(&self, attachment_id: &str) -> Result<Option<StoredAttachment>> {
        Ok(self
            .conn
            .query_row("SELECT size, sha256 FROM attachment_files WHERE attachment_id = ?1", [attachment_id], |r| {
                Ok(StoredAttachment { size: r.get::<_, i64>(0)? as u64, sha256: r.get(1)? })
            })
            .optional()?)
    }

    /// Removes an attachment's bytes from this laptop: the row first (so nothing points at a
    /// missing file), then the file. False when there were none.
    pub fn delete_attachment_bytes(&mut self, attachment_id: &str) -> Result<bool> {
        let Some(name) = self.attachment_file_name(attachment_id)? else {
            return Ok(false);
        };
        self.conn.execute("DELETE FROM attachment_files WHERE attachment_id = ?1", [attachment_id])?;
        files::remove(&self.attachment_folder().join(name))?;
        Ok(true)
    }

    /// Removes files in the attachment folder that no row names: leftovers of a write cut short
    /// (temporary files, or a file renamed into place whose row never committed) and of a delete
    /// whose file removal failed. Returns how many were removed.
    pub fn sweep_attachment_files(&self) -> Result<usize> {
        let folder = self.attachment_folder();
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(ClientError::AttachmentFile { path: folder.display().to_string(), source: e }),
        };
        let known: BTreeSet<String> =
            self.conn.prepare("SELECT file_name FROM attachment_files")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.path().is_file() && !known.contains(&name) {
                files::remove(&entry.path())?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn attachment_file_name(&self, attachment_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT file_name FROM attachment_files WHERE attachment_id = ?1", [attachment_id], |r| r.get(0))
            .optional()?)
    }

    pub(super) fn attachment_key_if_any(&self) -> Result<Option<FileKey>> {
        let key: Option<Vec<u8>> = self.conn.query_row("SELECT key FROM attachment_keys WHERE id = 1", [], |r| r.get(0)).optional()?;
        Ok(key.map(|bytes| {
            let bytes = Zeroizing::new(bytes);
            let mut key = Zeroizing::new([0u8; 32]);
            key.copy_from_slice(&bytes[..32]);
            FileKey(key)
        }))
    }

    /// The store's file key, made on first use.
    pub(super) fn attachment_key(&mut self) -> Result<FileKey> {
        if let Some(key) = self.attachment_key_if_any()? {
            return Ok(key);
        }
        let key = FileKey::random()?;
        self.conn.execute("INSERT OR IGNORE INTO attachment_keys(id, key) VALUES (1, ?1)", [key.0.as_slice()])?;
        // Another writer may have won the insert: use whatever key is stored.
        self.attachment_key_if_any()?.ok_or_else(|| ClientError::Vault("the attachment key could not be kept".into()))
    }
}

fn check_id(attachment_id: &str) -> Result<()> {
    if attachment_id.is_empty() || attachment_id.len() > 64 {
        return Err(ClientError::NotFound { what: format!("Attachment {attachment_id:?}") });
    }
    Ok(())
}

fn not_found(attachment_id: &str) -> ClientError {
    ClientError::NotFound { what: format!("Attachment {attachment_id}") }
}
