//! A store brought back from a backup by other means than `qar-server restore` (PostgreSQL's
//! `pg_restore`, decision 100): it gets a new feed epoch before any server serves it, as
//! `qar-server restore` gives the SQLite store, so laptops that saw changes the backup lacks find
//! out at their next sync, pull again from the start and re-send their own (decision 55).

use super::{backup, ServerStore, StoreError};

impl ServerStore {
    /// Gives the store a new feed epoch; the new one. Servers already running on the database
    /// keep the old one until they restart: run it before starting them.
    pub fn renew_feed_epoch(&self) -> Result<String, StoreError> {
        let epoch = backup::new_feed_epoch().map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.writer().execute(
            "INSERT INTO meta(key, value) VALUES ('feed_epoch', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [epoch.as_str()],
        )?;
        Ok(epoch)
    }
}
