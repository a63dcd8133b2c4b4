//! Attachment bytes at rest (issue 19, point 3): one file per attachment in the folder beside the
//! store, sealed with XChaCha20-Poly1305 in the STREAM construction (`chacha20poly1305`'s
//! `stream` module, big-endian 32-bit chunk counter with a last-chunk flag) so a file of any size
//! is sealed and checked 64 KiB at a time, and a file cut at a chunk boundary, chunks swapped or
//! any byte changed fails to open.
//!
//! File layout: one format byte, the 19-byte random nonce prefix, then the sealed chunks (each
//! 64 KiB of plain bytes + a 16-byte tag; the last one shorter). Every chunk is bound to the
//! attachment id (associated data), so one attachment's file put in another's place is refused
//! too. The file name is random and the key lives only inside the encrypted store: the folder
//! shows how many attachments there are and roughly how large, nothing else.
//!
//! No SQL here: the store (`store/attachment_files.rs`) keeps the key and the id → file map.

use crate::error::{ClientError, Result};
use chacha20poly1305::aead::generic_array::GenericArray;
use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::aead::{KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Plain bytes per sealed chunk.
pub(crate) const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const FORMAT_V1: u8 = 1;
/// XChaCha20's 24-byte nonce less the STREAM construction's 5 bytes of counter and flag.
const NONCE_PREFIX: usize = 19;
const HEADER: usize = 1 + NONCE_PREFIX;
/// Leftovers of a write that did not finish end in this; the store's sweep removes them.
pub(crate) const TEMP_SUFFIX: &str = ".partial";

/// The 32-byte key that seals every attachment file of one store; wiped from memory when dropped.
pub(crate) struct FileKey(pub(crate) Zeroizing<[u8; 32]>);

impl FileKey {
    pub(crate) fn random() -> Result<FileKey> {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::fill(key.as_mut()).map_err(|e| ClientError::Vault(format!("no random numbers for a file key: {e}")))?;
        Ok(FileKey(key))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(Key::from_slice(self.0.as_slice()))
    }
}

/// A new file name: 128 random bits in hex. Not derived from the content, so equal photos on two
/// laptops (or twice on one) have unrelated names.
pub(crate) fn random_file_name() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| ClientError::Vault(format!("no random numbers for a file name: {e}")))?;
    Ok(hex::encode(bytes))
}

fn io_error(path: &Path, source: std::io::Error) -> ClientError {
    ClientError::AttachmentFile { path: path.display().to_string(), source }
}

/// Seals `plain` into `folder/name` atomically: written to a temporary file, flushed to disk,
/// renamed over the final name, and the folder flushed so the rename itself survives a power cut.
/// A crash at any point leaves either no file or the whole file, never part of one.
pub(crate) fn write_sealed(folder: &Path, name: &str, key: &FileKey, attachment_id: &str, plain: &[u8]) -> Result<PathBuf> {
    std::fs::create_dir_all(folder).map_err(|e| io_error(folder, e))?;
    let target = folder.join(name);
    let temp = folder.join(format!("{name}{TEMP_SUFFIX}"));
    let written = (|| -> std::io::Result<()> {
        let mut file = File::create(&temp)?;
        seal(&mut file, key, attachment_id, plain)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, &target)?;
        sync_folder(folder)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(io_error(&target, e));
    }
    Ok(target)
}

/// On Unix a rename is durable only once the folder's entry is flushed; Windows has no way to open
/// a folder for that and makes renames durable itself.
fn sync_folder(folder: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    File::open(folder)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}

fn seal(out: &mut impl Write, key: &FileKey, attachment_id: &str, plain: &[u8]) -> std::io::Result<()> {
    let mut prefix = [0u8; NONCE_PREFIX];
    getrandom::fill(&mut prefix).map_err(|e| std::io::Error::other(format!("no random numbers for a nonce: {e}")))?;
    out.write_all(&[FORMAT_V1])?;
    out.write_all(&prefix)?;
    let mut encryptor = EncryptorBE32::from_aead(key.cipher(), GenericArray::from_slice(&prefix));
    let aad = attachment_id.as_bytes();
    let sealing_failed = |_| std::io::Error::other("sealing a chunk failed");
    // Every chunk but the last is full; the last carries the flag that ends the stream (an empty
    // one for an empty attachment), so a file cut after any full chunk is detected.
    let mut chunks = plain.chunks(CHUNK).peekable();
    loop {
        match chunks.next() {
            Some(chunk) if chunks.peek().is_some() => {
                out.write_all(&encryptor.encrypt_next(Payload { msg: chunk, aad }).map_err(sealing_failed)?)?;
            }
            last => {
                let msg = last.unwrap_or_default();
                out.write_all(&encryptor.encrypt_last(Payload { msg, aad }).map_err(sealing_failed)?)?;
                return Ok(());
            }
        }
    }
}

/// Reads and checks a sealed file chunk by chunk. Any change to the file (a byte, a cut, chunks
/// reordered, another attachment's file) fails authentication: [`ClientError::AttachmentDamaged`].
pub(crate) fn read_sealed(path: &Path, key: &FileKey, attachment_id: &str) -> Result<Vec<u8>> {
    let damaged = || ClientError::AttachmentDamaged { attachment_id: attachment_id.to_string() };
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    let total = file.metadata().map_err(|e| io_error(path, e))?.len() as usize;
    if total < HEADER + TAG {
        return Err(damaged());
    }
    let mut header = [0u8; HEADER];
    file.read_exact(&mut header).map_err(|e| io_error(path, e))?;
    if header[0] != FORMAT_V1 {
        return Err(damaged());
    }
    let mut decryptor = DecryptorBE32::from_aead(key.cipher(), GenericArray::from_slice(&header[1..]));
    let aad = attachment_id.as_bytes();
    let mut left = total - HEADER;
    let mut plain = Vec::with_capacity(left);
    let mut sealed = vec![0u8; CHUNK + TAG];
    while left > CHUNK + TAG {
        file.read_exact(&mut sealed).map_err(|e| io_error(path, e))?;
        plain.extend_from_slice(&decryptor.decrypt_next(Payload { msg: &sealed, aad }).map_err(|_| damaged())?);
        left -= CHUNK + TAG;
    }
    let last = &mut sealed[..left];
    file.read_exact(last).map_err(|e| io_error(path, e))?;
    plain.extend_from_slice(&decryptor.decrypt_last(Payload { msg: &*last, aad }).map_err(|_| damaged())?);
    Ok(plain)
}

/// Removes a file; one already gone is fine.
pub(crate) fn remove(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error(path, e)),
    }
}

/// What a photo's thumbnail is kept and queued under on this laptop: the attachment's id with
/// ":thumb" after it (the store's SQL that removes a review's files names the same suffix).
pub fn thumb_id(attachment_id: &str) -> String {
    format!("{attachment_id}:thumb")
}

/// The attachment a kept file belongs to, and whether it is that attachment's thumbnail.
pub fn owner_of(file_id: &str) -> (&str, bool) {
    match file_id.strip_suffix(":thumb") {
        Some(base) => (base, true),
        None => (file_id, false),
    }
}
