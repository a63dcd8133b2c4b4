//! The server's own secret (issue 15), kept outside the database: a file only the server's user
//! can read (created at first start), or the `QAR_SERVER_KEY` environment variable for
//! containers. Separate subkeys are derived from it (HKDF-SHA256), one per use, so the audit MAC
//! and the encryption of TOTP secrets never share a key:
//! - `audit`: HMAC-SHA256 of the audit chain (a file editor without the key cannot re-forge it);
//! - `totp`: XChaCha20-Poly1305 of TOTP secrets at rest, the record id as associated data (a
//!   secret copied to another person's row does not decrypt);
//! - `check`: a fingerprint kept in the database, so a wrong key is refused at start instead of
//!   showing up later as a broken chain and sign-ins that fail;
//! - `backup`: SQLCipher's key for backup files (`qar-server backup`), so a backup taken off the
//!   machine is unreadable without the server key, which travels apart from it.

use crate::private_files;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::{Path, PathBuf};
use zeroize::{Zeroize, Zeroizing};

/// The key file's name in the data folder when no other place is given.
pub const KEY_FILE: &str = "server.key";
/// The environment variable holding the key as 64 hex digits (e.g. `openssl rand -hex 32`).
pub const KEY_ENV: &str = "QAR_SERVER_KEY";
/// How an encrypted TOTP secret starts (base32 secrets never contain ':').
const SEALED_PREFIX: &str = "enc1:";

/// Where the server key comes from.
#[derive(Clone, Default)]
pub enum KeySource {
    /// `<data folder>/server.key`, created (0600) at first start.
    #[default]
    DataDir,
    /// A file elsewhere (`--key-file`): created (0600) when missing.
    File(PathBuf),
    /// The key itself, 64 hex digits (from `QAR_SERVER_KEY`).
    Hex(String),
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::DataDir => f.write_str("DataDir"),
            KeySource::File(p) => f.debug_tuple("File").field(p).finish(),
            KeySource::Hex(_) => f.write_str("Hex(<redacted>)"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "the server key file {path} can be read by other users (mode {mode:03o}); run `chmod 600 {path}` and check who may have copied it"
    )]
    Exposed { path: String, mode: u32 },
    #[error("the server key in {0} is not 64 hex digits")]
    Malformed(String),
    #[error("could not read or create the server key file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("could not make a random key: {0}")]
    Random(String),
    /// A sealed secret that does not open with this key and record id.
    #[error("a stored secret could not be decrypted with this server key")]
    Undecryptable,
}

/// The subkeys derived from the server key. Wiped from memory when dropped.
pub struct ServerKey {
    audit: Zeroizing<[u8; 32]>,
    totp: Zeroizing<[u8; 32]>,
    check: Zeroizing<[u8; 32]>,
    backup: Zeroizing<[u8; 32]>,
    /// Attachment blobs at rest (issue 19): their sealing and their file names.
    blob: Zeroizing<[u8; 32]>,
    blob_names: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(<redacted>)")
    }
}

impl KeySource {
    /// Reads the key (creating the file when it is missing), refusing a file others can read.
    pub fn load(&self, data_dir: &Path) -> Result<ServerKey, KeyError> {
        match self {
            KeySource::DataDir => load_file(&data_dir.join(KEY_FILE)),
            KeySource::File(path) => load_file(path),
            KeySource::Hex(text) => ServerKey::from_hex(text, KEY_ENV),
        }
    }
}

fn load_file(path: &Path) -> Result<ServerKey, KeyError> {
    let shown = path.display().to_string();
    let io = |source| KeyError::Io { path: shown.clone(), source };
    if !path.exists() {
        let mut root = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut root[..]).map_err(|e| KeyError::Random(e.to_string()))?;
        let text = Zeroizing::new(format!("{}\n", hex::encode(AsRef::<[u8]>::as_ref(&root))));
        private_files::create_new_private(path, text.as_bytes()).map_err(io)?;
        tracing::warn!(path = %shown, "created a new server key: back it up apart from the data folder (without it TOTP secrets and the audit chain cannot be read)");
        return Ok(ServerKey::from_root(&root));
    }
    if let Some(mode) = private_files::others_can_read(path).map_err(io)? {
        return Err(KeyError::Exposed { path: shown, mode });
    }
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(io)?);
    ServerKey::from_hex(&text, &shown)
}

impl ServerKey {
    /// The key from 64 hex digits; `place` names where they came from in an error.
    pub fn from_hex(text: &str, place: &str) -> Result<ServerKey, KeyError> {
        let mut bytes = Zeroizing::new(hex::decode(text.trim()).map_err(|_| KeyError::Malformed(place.to_owned()))?);
        let root: [u8; 32] = bytes.as_slice().try_into().map_err(|_| KeyError::Malformed(place.to_owned()))?;
        bytes.zeroize();
        let root = Zeroizing::new(root);
        Ok(ServerKey::from_root(&root))
    }

    fn from_root(root: &[u8; 32]) -> ServerKey {
        let hk = hkdf::Hkdf::<Sha256>::new(Some(b"qar-server key v1"), root);
        let derive = |info: &[u8]| {
            let mut out = Zeroizing::new([0u8; 32]);
            hk.expand(info, out.as_mut()).expect("32 bytes is a valid HKDF-SHA256 length");
            out
        };
        ServerKey {
            audit: derive(b"audit-mac"),
            totp: derive(b"totp-secret-encryption"),
            check: derive(b"key-check"),
            backup: derive(b"backup-file-encryption"),
            blob: derive(b"blob-encryption"),
            blob_names: derive(b"blob-names"),
        }
    }

    /// HMAC-SHA256 with the audit subkey, as hex.
    pub(crate) fn audit_mac(&self, data: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.audit.as_ref()).expect("HMAC takes any key length");
        mac.update(data);
        hex::encode(mac.finalize().into_bytes())
    }

    /// What the database keeps to recognise its key (not the key: an HMAC of a fixed text).
    pub(crate) fn fingerprint(&self) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.check.as_ref()).expect("HMAC takes any key length");
        mac.update(b"qar-server key check");
        hex::encode(mac.finalize().into_bytes())
    }

    /// SQLCipher's raw-key form (`x'<64 hex>'`) of the backup subkey: backups are whole
    /// encrypted databases, opened only with the server key they were taken with.
    pub(crate) fn backup_sql_key(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(AsRef::<[u8]>::as_ref(&self.backup))))
    }

    /// Encrypts a TOTP secret for the record `aad` names (e.g. `accounts:<user id>`).
    pub(crate) fn seal(&self, aad: &str, secret: &str) -> Result<String, KeyError> {
        let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(self.totp.as_ref()));
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|e| KeyError::Random(e.to_string()))?;
        let sealed = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: secret.as_bytes(), aad: aad.as_bytes() })
            .map_err(|_| KeyError::Undecryptable)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{SEALED_PREFIX}{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(out)))
    }

    /// Decrypts what [`ServerKey::seal`] made for the same record.
    pub(crate) fn open(&self, aad: &str, stored: &str) -> Result<Zeroizing<String>, KeyError> {
        let body = stored.strip_prefix(SEALED_PREFIX).ok_or(KeyError::Undecryptable)?;
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD.decode(body).map_err(|_| KeyError::Undecryptable)?;
        if bytes.len() < 24 {
            return Err(KeyError::Undecryptable);
        }
        let (nonce, sealed) = bytes.split_at(24);
        let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(self.totp.as_ref()));
        let plain =
            cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: aad.as_bytes() }).map_err(|_| KeyError::Undecryptable)?;
        String::from_utf8(plain).map(Zeroizing::new).map_err(|_| KeyError::Undecryptable)
    }

    /// Seals bytes (an attachment blob or a piece of one) for the place `aad` names: a random
    /// 24-byte nonce, then XChaCha20-Poly1305 of the bytes.
    pub(crate) fn seal_bytes(&self, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>, KeyError> {
        let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(self.blob.as_ref()));
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|e| KeyError::Random(e.to_string()))?;
        let sealed = cipher.encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad }).map_err(|_| KeyError::Undecryptable)?;
        let mut out = Vec::with_capacity(24 + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`ServerKey::seal_bytes`] made for the same `aad`.
    pub(crate) fn open_bytes(&self, aad: &[u8], stored: &[u8]) -> Result<Vec<u8>, KeyError> {
        if stored.len() < 24 {
            return Err(KeyError::Undecryptable);
        }
        let (nonce, sealed) = stored.split_at(24);
        let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(self.blob.as_ref()));
        cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad }).map_err(|_| KeyError::Undecryptable)
    }

    /// A file name for a blob that says nothing about it without the key (not its hash, not its
    /// review): HMAC-SHA256 of both, hex.
    pub(crate) fn blob_name(&self, review_id: &str, sha256: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.blob_names.as_ref()).expect("HMAC takes any key length");
        mac.update(review_id.as_bytes());
        mac.update(b"/");
        mac.update(sha256.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    pub(crate) fn is_sealed(stored: &str) -> bool {
        stored.starts_with(SEALED_PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_for_its_record_and_key() {
        let key = ServerKey::from_hex(&"11".repeat(32), "test").unwrap();
        let sealed = key.seal("accounts:u1", "JBSWY3DPEHPK3PXP").unwrap();
        assert!(ServerKey::is_sealed(&sealed) && !sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(key.open("accounts:u1", &sealed).unwrap().as_str(), "JBSWY3DPEHPK3PXP");
        assert!(matches!(key.open("accounts:u2", &sealed), Err(KeyError::Undecryptable)), "moved to another person's row");
        let other = ServerKey::from_hex(&"22".repeat(32), "test").unwrap();
        assert!(matches!(other.open("accounts:u1", &sealed), Err(KeyError::Undecryptable)), "another key");
        assert_ne!(key.fingerprint(), other.fingerprint());
        assert_ne!(key.audit_mac(b"x"), other.audit_mac(b"x"));
    }

    #[test]
    fn a_key_file_is_made_private_and_an_exposed_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let made = KeySource::File(path.clone()).load(dir.path()).unwrap();
        let again = KeySource::File(path.clone()).load(dir.path()).unwrap();
        assert_eq!(made.fingerprint(), again.fingerprint(), "the file is read back, not replaced");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
            let e = KeySource::File(path.clone()).load(dir.path()).unwrap_err();
            assert!(e.to_string().contains("can be read by other users (mode 640)"), "{e}");
        }
        let e = KeySource::Hex("abc".into()).load(dir.path()).unwrap_err();
        assert!(e.to_string().contains("QAR_SERVER_KEY is not 64 hex digits"), "{e}");
    }
}
