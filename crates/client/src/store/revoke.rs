//! A laptop an administrator revoked: remembered, so sync stays stopped across restarts and the
//! app can offer export and wipe instead of sign-in.

use super::{meta, Store};
use crate::error::Result;

impl Store {
    pub fn mark_revoked(&self, reason: &str) -> Result<()> {
        meta::set(&self.conn, "revoked_reason", reason)
    }

    /// The administrator's reason when this laptop was revoked, else `None`.
    pub fn revoked_reason(&self) -> Result<Option<String>> {
        meta::get(&self.conn, "revoked_reason")
    }
}

impl Store {
    /// Closes the file (so it can be deleted, also on Windows); the store answers nothing after.
    pub fn close_for_wipe(&mut self) {
        if let Ok(empty) = rusqlite::Connection::open_in_memory() {
            let file = std::mem::replace(&mut self.conn, empty);
            let _ = file.close();
        }
    }
}
