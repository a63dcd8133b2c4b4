//! Attachment bytes on the server (issue 19, point 5): one interface, [`BlobStore`], and the
//! folder under `--data-dir` that implements it. Blobs are addressed by review and SHA-256, so
//! the same photo in two reviews is two blobs and nobody reaches a review's blob from another.
//!
//! Everything at rest is sealed with the server key's blob subkey (XChaCha20-Poly1305, the
//! place as associated data), and every file is named by an HMAC of the place, so the folder
//! shows neither hashes nor reviews. An unfinished upload is a `.part` file of sealed pieces
//! (each sealed with its offset), so a cut connection keeps what arrived; a finished blob is
//! written to a temporary file, flushed and renamed into place: whole or absent.

use crate::server_key::ServerKey;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Where a blob belongs: its review and the SHA-256 of its bytes (lowercase hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobPlace {
    pub review_id: String,
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("blob storage: {0}")]
    Io(#[from] io::Error),
    /// A stored piece does not open with this key at its place: changed on disk or another key.
    #[error("a stored attachment does not open with this server key")]
    Damaged,
    /// The piece does not start where the stored part ends.
    #[error("the upload continues at byte {0}")]
    WrongOffset(u64),
}

/// The server's attachment bytes: a folder by default ([`FolderBlobs`]), or the store's own
/// database, which several server instances share (`blobs_db::DatabaseBlobs`, decision 96).
pub trait BlobStore: Send + Sync {
    /// Whether the whole blob is stored.
    fn has(&self, place: &BlobPlace) -> Result<bool, BlobError>;
    /// Bytes of an unfinished upload received so far (0 when none).
    fn received(&self, place: &BlobPlace) -> Result<u64, BlobError>;
    /// Adds `bytes` to the unfinished upload; `offset` must be what [`BlobStore::received`]
    /// says. Returns the new length.
    fn append(&self, place: &BlobPlace, offset: u64, bytes: &[u8]) -> Result<u64, BlobError>;
    /// The unfinished upload's bytes, opened.
    fn read_partial(&self, place: &BlobPlace) -> Result<Vec<u8>, BlobError>;
    /// Forgets an unfinished upload.
    fn discard_partial(&self, place: &BlobPlace) -> Result<(), BlobError>;
    /// Stores a whole blob atomically (whole or not at all).
    fn put(&self, place: &BlobPlace, plain: &[u8]) -> Result<(), BlobError>;
    /// A whole blob's bytes, or `None` when it is not stored.
    fn get(&self, place: &BlobPlace) -> Result<Option<Vec<u8>>, BlobError>;
    /// Bytes a review holds, whole blobs and unfinished uploads (for its limit).
    fn review_bytes(&self, review_id: &str) -> Result<u64, BlobError>;
    /// Removes a blob, whole or unfinished (retention). Whether anything was there.
    fn remove(&self, place: &BlobPlace) -> Result<bool, BlobError>;
    /// Removes every blob of a review (retention purged it whole). How many files went.
    fn remove_review(&self, review_id: &str) -> Result<u64, BlobError>;
    /// Tells instances sharing this store that this one is taking the upload's pieces until
    /// `until_ms` (`Some`), or has stored all it took (`None`). One instance needs no telling:
    /// its own upload lock orders status and pieces (see `ServerStore::uploads`).
    fn taking(&self, _place: &BlobPlace, _until_ms: Option<u64>) -> Result<(), BlobError> {
        Ok(())
    }
    /// Whether another instance is taking the upload's pieces at `now_ms`.
    fn being_taken(&self, _place: &BlobPlace, _now_ms: u64) -> Result<bool, BlobError> {
        Ok(false)
    }
}

/// Blobs in a folder (`<data-dir>/blobs`), one subfolder per review.
pub struct FolderBlobs {
    root: PathBuf,
    key: Arc<ServerKey>,
    /// Appends and puts one at a time: two laptops sending the same photo never interleave.
    writing: Mutex<()>,
}

/// Each piece of an unfinished upload: plain length, sealed length (big-endian u32), sealed bytes.
const PIECE_HEADER: usize = 8;

/// One stored piece: where it starts in the file's plain bytes, how many, and where its sealed
/// bytes lie in the `.part` file.
#[derive(Debug, Clone, Copy)]
struct Piece {
    plain_at: u64,
    plain_len: u64,
    sealed_at: u64,
    sealed_len: u64,
}

impl Piece {
    fn end(&self) -> u64 {
        self.plain_at + self.plain_len
    }
}

impl FolderBlobs {
    /// The folder is made (0700) with the first blob, so a server without attachments has none.
    pub fn new(root: PathBuf, key: Arc<ServerKey>) -> FolderBlobs {
        FolderBlobs { root, key, writing: Mutex::new(()) }
    }

    /// The review's subfolder, made (with the root) as 0700 when missing.
    fn make_review_dir(&self, review_id: &str) -> io::Result<PathBuf> {
        crate::private_files::private_dir(&self.root)?;
        let dir = self.review_dir(review_id);
        crate::private_files::private_dir(&dir)?;
        Ok(dir)
    }

    fn review_dir(&self, review_id: &str) -> PathBuf {
        self.root.join(&self.key.blob_name(review_id, "")[..32])
    }

    fn name(&self, place: &BlobPlace) -> String {
        self.key.blob_name(&place.review_id, &place.sha256)
    }

    fn whole_path(&self, place: &BlobPlace) -> PathBuf {
        self.review_dir(&place.review_id).join(self.name(place))
    }

    fn part_path(&self, place: &BlobPlace) -> PathBuf {
        self.review_dir(&place.review_id).join(format!("{}.part", self.name(place)))
    }

    fn aad(&self, place: &BlobPlace, piece_at: Option<u64>) -> Vec<u8> {
        match piece_at {
            Some(offset) => format!("blob-part/{}/{}/{offset}", place.review_id, place.sha256).into_bytes(),
            None => format!("blob/{}/{}", place.review_id, place.sha256).into_bytes(),
        }
    }

    /// The pieces of a `.part` file, and where the whole pieces end (a torn last piece is ignored).
    fn pieces(path: &Path) -> io::Result<(Vec<Piece>, u64)> {
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
            Err(e) => return Err(e),
        };
        let len = file.metadata()?.len();
        let (mut pos, mut plain_at, mut out) = (0u64, 0u64, Vec::new());
        let mut header = [0u8; PIECE_HEADER];
        while pos + PIECE_HEADER as u64 <= len {
            file.seek(SeekFrom::Start(pos))?;
            file.read_exact(&mut header)?;
            let plain = u64::from(u32::from_be_bytes(header[..4].try_into().unwrap_or_default()));
            let sealed = u64::from(u32::from_be_bytes(header[4..].try_into().unwrap_or_default()));
            let end = pos + PIECE_HEADER as u64 + sealed;
            if end > len {
                break;
            }
            out.push(Piece { plain_at, plain_len: plain, sealed_at: pos + PIECE_HEADER as u64, sealed_len: sealed });
            plain_at += plain;
            pos = end;
        }
        Ok((out, pos))
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

impl BlobStore for FolderBlobs {
    fn remove(&self, place: &BlobPlace) -> Result<bool, BlobError> {
        let _one_at_a_time = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let mut removed = false;
        for path in [self.whole_path(place), self.part_path(place)] {
            match std::fs::remove_file(&path) {
                Ok(()) => removed = true,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(removed)
    }

    fn remove_review(&self, review_id: &str) -> Result<u64, BlobError> {
        let _one_at_a_time = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let dir = self.review_dir(review_id);
        let files = match std::fs::read_dir(&dir) {
            Ok(entries) => entries.count() as u64,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e.into()),
        };
        std::fs::remove_dir_all(&dir)?;
        Ok(files)
    }

    fn has(&self, place: &BlobPlace) -> Result<bool, BlobError> {
        Ok(self.whole_path(place).is_file())
    }

    fn received(&self, place: &BlobPlace) -> Result<u64, BlobError> {
        let (pieces, _) = Self::pieces(&self.part_path(place))?;
        Ok(pieces.last().map_or(0, Piece::end))
    }

    fn append(&self, place: &BlobPlace, offset: u64, bytes: &[u8]) -> Result<u64, BlobError> {
        let _one = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let path = self.part_path(place);
        let (pieces, whole_end) = Self::pieces(&path)?;
        let received = pieces.last().map_or(0, Piece::end);
        if offset != received {
            return Err(BlobError::WrongOffset(received));
        }
        if bytes.is_empty() {
            return Ok(received);
        }
        self.make_review_dir(&place.review_id)?;
        let sealed = self.key.seal_bytes(&self.aad(place, Some(offset)), bytes).map_err(|_| BlobError::Damaged)?;
        let mut file = OpenOptions::new().create(true).write(true).truncate(false).open(&path)?;
        crate::private_files::private_file(&path)?;
        // A piece torn by a crash is cut away before the next one is written after it.
        file.set_len(whole_end)?;
        file.seek(SeekFrom::Start(whole_end))?;
        let mut record = Vec::with_capacity(PIECE_HEADER + sealed.len());
        record.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        record.extend_from_slice(&(sealed.len() as u32).to_be_bytes());
        record.extend_from_slice(&sealed);
        file.write_all(&record)?;
        file.sync_data()?;
        Ok(received + bytes.len() as u64)
    }

    fn read_partial(&self, place: &BlobPlace) -> Result<Vec<u8>, BlobError> {
        let path = self.part_path(place);
        let (pieces, _) = Self::pieces(&path)?;
        let mut out = Vec::with_capacity(pieces.last().map_or(0, |p| p.end() as usize));
        if pieces.is_empty() {
            return Ok(out);
        }
        let mut file = File::open(&path)?;
        for piece in pieces {
            let mut sealed = vec![0u8; piece.sealed_len as usize];
            file.seek(SeekFrom::Start(piece.sealed_at))?;
            file.read_exact(&mut sealed)?;
            out.extend(self.key.open_bytes(&self.aad(place, Some(piece.plain_at)), &sealed).map_err(|_| BlobError::Damaged)?);
        }
        Ok(out)
    }

    fn discard_partial(&self, place: &BlobPlace) -> Result<(), BlobError> {
        match fs::remove_file(self.part_path(place)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    fn put(&self, place: &BlobPlace, plain: &[u8]) -> Result<(), BlobError> {
        let _one = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let dir = self.make_review_dir(&place.review_id)?;
        let sealed = self.key.seal_bytes(&self.aad(place, None), plain).map_err(|_| BlobError::Damaged)?;
        let target = self.whole_path(place);
        let temp = dir.join(format!("{}.tmp", self.name(place)));
        {
            let mut file = OpenOptions::new().create(true).write(true).truncate(true).open(&temp)?;
            crate::private_files::private_file(&temp)?;
            file.write_all(&sealed)?;
            file.sync_all()?;
        }
        fs::rename(&temp, &target)?;
        sync_dir(&dir)?;
        Ok(())
    }

    fn get(&self, place: &BlobPlace) -> Result<Option<Vec<u8>>, BlobError> {
        let sealed = match fs::read(self.whole_path(place)) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        self.key.open_bytes(&self.aad(place, None), &sealed).map(Some).map_err(|_| BlobError::Damaged)
    }

    fn review_bytes(&self, review_id: &str) -> Result<u64, BlobError> {
        let entries = match fs::read_dir(self.review_dir(review_id)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e.into()),
        };
        let mut total = 0;
        for entry in entries.flatten() {
            total += entry.metadata().map(|m| m.len()).unwrap_or(0);
        }
        Ok(total)
    }
}
