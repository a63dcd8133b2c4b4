//! Laptop stores as the app opens them: encrypted with SQLCipher under a random store key
//! (issue 8), so every figure includes what encryption at rest costs. A plaintext store is kept
//! for one comparison row.

use qar_client::vault::StoreKey;
use qar_client::{Checkpointer, Store};
use std::path::Path;
use std::time::Duration;

/// One laptop: its store and the key its background checkpointer also needs.
pub struct Laptop {
    pub store: Store,
    key: StoreKey,
}

impl Laptop {
    pub fn open(path: &Path) -> anyhow::Result<Laptop> {
        let key = StoreKey::random()?;
        let store = Store::open_encrypted(path, &key)?;
        Ok(Laptop { store, key })
    }

    /// The app's checkpointer beside the store (checkpoints run next to saves, not inside them).
    pub fn checkpointer(&self, every: Duration) -> anyhow::Result<Checkpointer> {
        Ok(Checkpointer::start_keyed(self.store.path(), &self.key, every)?)
    }
}
