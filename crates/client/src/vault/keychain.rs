//! The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux) via
//! `keyring`. Every call runs on its own thread with a deadline: the Secret Service backend
//! drives its own async runtime (which must not nest in the app's) and a session bus without a
//! keyring daemon can stall on activation; both must end in "no keychain", not a hang.

use super::StoreKey;
use crate::error::{ClientError, Result};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

const SERVICE: &str = "QAR Field";
const DEADLINE: Duration = Duration::from_secs(5);

pub trait Keychain: Send + Sync {
    /// Whether a set/get round trip works here now.
    fn works(&self) -> bool;
    fn account(&self) -> String;
    fn get(&self) -> Result<Option<StoreKey>>;
    fn set(&self, key: &StoreKey) -> Result<()>;
    fn delete(&self) -> Result<()>;
}

/// Never available: forces the passphrase path (tests, or a user who opts out).
pub struct NoKeychain;

impl Keychain for NoKeychain {
    fn works(&self) -> bool {
        false
    }
    fn account(&self) -> String {
        String::new()
    }
    fn get(&self) -> Result<Option<StoreKey>> {
        Ok(None)
    }
    fn set(&self, _: &StoreKey) -> Result<()> {
        Err(ClientError::Vault("no keychain on this computer".into()))
    }
    fn delete(&self) -> Result<()> {
        Ok(())
    }
}

pub struct OsKeychain {
    account: String,
    /// The probe's answer, asked once: a missing keychain daemon costs its full deadline.
    works: std::sync::OnceLock<bool>,
}

impl OsKeychain {
    /// One entry per store file: the account names the file's folder by a hash, not by path.
    pub fn for_store(store: &Path) -> OsKeychain {
        use sha2::Digest;
        let canonical = store.parent().and_then(|p| p.canonicalize().ok()).unwrap_or_else(|| store.to_owned());
        let digest = sha2::Sha256::digest(canonical.to_string_lossy().as_bytes());
        OsKeychain { account: format!("store-key-{}", &hex::encode(digest)[..16]), works: std::sync::OnceLock::new() }
    }

    fn call<T: Send + 'static>(&self, f: impl FnOnce(keyring::Entry) -> keyring::Result<T> + Send + 'static) -> Result<T> {
        let account = self.account.clone();
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("qar-keychain".into())
            .spawn(move || {
                let r = keyring::Entry::new(SERVICE, &account).and_then(f);
                let _ = tx.send(r);
            })
            .map_err(|e| ClientError::Vault(format!("keychain thread: {e}")))?;
        match rx.recv_timeout(DEADLINE) {
            Ok(r) => r.map_err(|e| ClientError::Vault(format!("keychain: {e}"))),
            Err(_) => Err(ClientError::Vault("the keychain did not answer".into())),
        }
    }
}

impl Keychain for OsKeychain {
    fn works(&self) -> bool {
        *self.works.get_or_init(|| {
            let probe = OsKeychain { account: format!("{}-probe", self.account), works: std::sync::OnceLock::new() };
            let token = b"qar-field keychain probe".to_vec();
            let round_trip = probe.call(move |e| {
                e.set_secret(&token)?;
                let back = e.get_secret()?;
                let _ = e.delete_credential();
                Ok(back == token)
            });
            matches!(round_trip, Ok(true))
        })
    }

    fn account(&self) -> String {
        self.account.clone()
    }

    fn get(&self) -> Result<Option<StoreKey>> {
        let secret = self.call(|e| match e.get_secret() {
            Ok(s) => Ok(Some(s)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(err),
        })?;
        match secret {
            None => Ok(None),
            Some(s) => {
                let s = zeroize::Zeroizing::new(s);
                StoreKey::from_bytes(&s).map(Some).ok_or_else(|| ClientError::Vault("the keychain entry is not a store key".into()))
            }
        }
    }

    fn set(&self, key: &StoreKey) -> Result<()> {
        let bytes = zeroize::Zeroizing::new(key.bytes().to_vec());
        self.call(move |e| {
            e.set_secret(&bytes)?;
            // Read back: a backend that accepts and forgets (a mock) must not be trusted with the key.
            if e.get_secret()?.as_slice() != bytes.as_slice() {
                return Err(keyring::Error::PlatformFailure("the keychain did not keep the key".into()));
            }
            Ok(())
        })
    }

    fn delete(&self) -> Result<()> {
        self.call(|e| match e.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(err),
        })
    }
}

/// A keychain that always works and keeps the key in memory, shared by its clones (an app that
/// "restarts" in a test finds the key again). Only for tests of the keychain path on machines
/// without a keychain daemon (CI, Xvfb); never in the app.
#[cfg(feature = "test-support")]
#[derive(Clone, Default)]
pub struct MemoryKeychain(std::sync::Arc<std::sync::Mutex<Option<zeroize::Zeroizing<[u8; 32]>>>>);

#[cfg(feature = "test-support")]
impl Keychain for MemoryKeychain {
    fn works(&self) -> bool {
        true
    }
    fn account(&self) -> String {
        "memory".into()
    }
    fn get(&self) -> Result<Option<StoreKey>> {
        let kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        Ok(kept.as_ref().and_then(|k| StoreKey::from_bytes(&k[..])))
    }
    fn set(&self, key: &StoreKey) -> Result<()> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(zeroize::Zeroizing::new(*key.bytes()));
        Ok(())
    }
    fn delete(&self) -> Result<()> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }
}
