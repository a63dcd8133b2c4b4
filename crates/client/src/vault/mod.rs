//! The store's encryption key: a random 256-bit key per store file (one person per store), kept
//! in the OS keychain, or, where no keychain works (a headless Linux box), wrapped in a small
//! key file under a passphrase the user sets. Never a plain key file.
//!
//! Files beside the store `qar-field.db`: `qar-field.db.key` (passphrase mode: salt, argon2id
//! parameters, nonce, ciphertext) or `qar-field.db.keychain` (keychain mode: only the account
//! name under which the key sits in the keychain, no secret).

pub mod handover;
mod keychain;
mod passphrase;

#[cfg(feature = "test-support")]
pub use keychain::MemoryKeychain;
pub use keychain::{Keychain, NoKeychain, OsKeychain};
pub use passphrase::MIN_PASSPHRASE_CHARS;

use crate::error::{ClientError, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The 32-byte SQLCipher key; wiped from memory when dropped.
#[derive(Clone)]
pub struct StoreKey(Zeroizing<[u8; 32]>);

impl StoreKey {
    pub fn random() -> Result<StoreKey> {
        let mut k = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut k[..]).map_err(|e| ClientError::Vault(format!("no random numbers from the system: {e}")))?;
        Ok(StoreKey(k))
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<StoreKey> {
        let arr: [u8; 32] = bytes.try_into().ok()?;
        Some(StoreKey(Zeroizing::new(arr)))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// SQLCipher's raw-key form, `x'<64 hex>'`: used as is, no key derivation on every open.
    pub fn sqlcipher_pragma(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(&self.0[..])))
    }
}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(…)")
    }
}

/// How this laptop's store key is protected, for the UI to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Protection {
    /// In the OS keychain: opens without asking, as safe as the login of this computer account.
    Keychain,
    /// Wrapped under the passphrase the user set (no keychain here): asked at every start.
    Passphrase,
}

impl Protection {
    pub fn describe(self) -> &'static str {
        match self {
            Protection::Keychain => "Review data on this laptop is encrypted; the key is kept in this computer's keychain.",
            Protection::Passphrase => {
                "Review data on this laptop is encrypted; no keychain is available here, so it is unlocked with your passphrase."
            }
        }
    }
}

/// What opening needs, before any key is at hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VaultState {
    /// The key is in the keychain: open without asking.
    Keychain,
    /// A key file exists: ask for the passphrase ("Unlock").
    NeedsPassphrase,
    /// First run (or a store from a release without encryption) and no keychain works: ask the
    /// user to set a passphrase, with a confirm field.
    NeedsNewPassphrase,
    /// First run and a keychain works: a key will be made and kept there without asking.
    NewKeychain,
}

/// The key of one store file.
pub struct Vault {
    store: PathBuf,
    keychain: Box<dyn Keychain>,
}

impl Vault {
    pub fn new(store: &Path, keychain: Box<dyn Keychain>) -> Vault {
        Vault { store: store.to_owned(), keychain }
    }

    /// The OS keychain when it works here (a set/get round trip), else passphrase mode.
    pub fn with_os_keychain(store: &Path) -> Vault {
        Vault::new(store, Box::new(OsKeychain::for_store(store)))
    }

    pub fn key_file(&self) -> PathBuf {
        sibling(&self.store, ".key")
    }

    fn keychain_marker(&self) -> PathBuf {
        sibling(&self.store, ".keychain")
    }

    pub fn state(&self) -> VaultState {
        if self.key_file().exists() {
            VaultState::NeedsPassphrase
        } else if self.keychain_marker().exists() {
            VaultState::Keychain
        } else if self.keychain.works() {
            VaultState::NewKeychain
        } else {
            VaultState::NeedsNewPassphrase
        }
    }

    /// The store key and how it is protected. `passphrase` is needed in the two passphrase
    /// states (for `NeedsNewPassphrase` it becomes the new passphrase). A key made here is
    /// saved (keychain or key file) before it is returned, so it is never used and then lost.
    pub fn unlock(&self, passphrase: Option<&str>) -> Result<(StoreKey, Protection)> {
        match self.state() {
            VaultState::NeedsPassphrase => {
                let pass = passphrase.ok_or(ClientError::PassphraseNeeded)?;
                Ok((passphrase::unwrap_file(&self.key_file(), pass)?, Protection::Passphrase))
            }
            VaultState::Keychain => {
                let key = self.keychain.get()?.ok_or_else(|| {
                    ClientError::Vault(
                        "the store key is missing from this computer's keychain; the review data here cannot be opened".into(),
                    )
                })?;
                Ok((key, Protection::Keychain))
            }
            VaultState::NewKeychain => {
                let key = StoreKey::random()?;
                self.keychain.set(&key)?;
                std::fs::write(self.keychain_marker(), self.keychain.account())
                    .map_err(|e| ClientError::Vault(format!("could not write {}: {e}", self.keychain_marker().display())))?;
                Ok((key, Protection::Keychain))
            }
            VaultState::NeedsNewPassphrase => {
                let pass = passphrase.ok_or(ClientError::PassphraseNeeded)?;
                let key = StoreKey::random()?;
                passphrase::wrap_to_file(&self.key_file(), &key, pass)?;
                Ok((key, Protection::Passphrase))
            }
        }
    }

    /// Checks a passphrase against the key file without opening anything (the idle lock).
    pub fn verify_passphrase(&self, pass: &str) -> Result<()> {
        passphrase::unwrap_file(&self.key_file(), pass).map(|_| ())
    }

    /// The way out of a forgotten passphrase: moves the locked store (with its WAL), its key file
    /// and its sealed attachment files into a dated folder under `set-aside/` beside the store,
    /// so the next start asks for a new passphrase and a sign-in brings the server's copy back.
    /// Set aside rather than deleted: if the passphrase comes back to mind, moving the files back
    /// recovers the unsent work as well. Only for a passphrase-locked store: a keychain store has
    /// no passphrase to forget, and an open one is not locked.
    pub fn set_aside(&self) -> Result<PathBuf> {
        if self.state() != VaultState::NeedsPassphrase {
            return Err(ClientError::Vault("only a store locked with a passphrase can be set aside".into()));
        }
        let dir = self.store.parent().unwrap_or_else(|| Path::new("."));
        let stamp = chrono::Utc::now().format("%Y-%m-%d-%H%M%S");
        let mut folder = dir.join("set-aside").join(format!("locked-{stamp}"));
        let mut n = 1;
        while folder.exists() {
            n += 1;
            folder = dir.join("set-aside").join(format!("locked-{stamp}-{n}"));
        }
        std::fs::create_dir_all(&folder).map_err(|e| ClientError::Vault(format!("could not make {}: {e}", folder.display())))?;
        // The key file last: until it moves the store still asks for the passphrase, so a
        // failure half-way leaves a laptop that can be unlocked, never a store with no key.
        for suffix in ["", "-wal", "-shm", ".encrypting", ".attachments", ".key"] {
            let from = sibling(&self.store, suffix);
            let Some(name) = from.file_name() else { continue };
            match std::fs::rename(&from, folder.join(name)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(ClientError::Vault(format!("could not move {} aside: {e}", from.display()))),
            }
        }
        Ok(folder)
    }

    /// Removes the key everywhere this laptop keeps it: after this the store file is noise.
    pub fn forget(&self) -> Result<()> {
        if self.keychain_marker().exists() {
            self.keychain.delete()?;
        }
        for f in [self.key_file(), self.keychain_marker()] {
            remove_if_present(&f)?;
        }
        Ok(())
    }
}

pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

pub(crate) fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(ClientError::Vault(format!("could not delete {}: {e}", path.display()))),
    }
}

#[cfg(test)]
mod tests;
