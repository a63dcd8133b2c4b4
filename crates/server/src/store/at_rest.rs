//! Secrets at rest (issue 15): TOTP secrets of accounts and of pending invitations are stored
//! encrypted with the server key's TOTP subkey, the record they belong to as associated data.
//! Opening a store readies the writer (audit MAC function, secure delete), refuses a key that is
//! not this folder's, and encrypts secrets an older version left in clear text.

use super::db::{params, Connection, OptionalExtension};
use super::{audit_log, ServerStore, StoreError};
use crate::server_key::{KeyError, ServerKey};
use crate::ServerError;
use zeroize::Zeroizing;

pub(super) fn account_aad(user_id: &str) -> String {
    format!("accounts.totp_secret:{user_id}")
}

pub(super) fn invitation_aad(invitation_id: &str) -> String {
    format!("invitations.totp_secret:{invitation_id}")
}

/// Everything the writer needs before the first request; run at every open.
pub(super) fn prepare(conn: &mut Connection, key: &std::sync::Arc<ServerKey>) -> Result<(), ServerError> {
    if let Some(lite) = conn.sqlite() {
        // A replaced or removed secret is overwritten in the file, not left in free space.
        lite.pragma_update(None, "secure_delete", true).map_err(StoreError::from)?;
    }
    let tx = conn.transaction().map_err(StoreError::from)?;
    let known: Option<String> =
        tx.query_row("SELECT value FROM meta WHERE key = 'server_key_check'", [], |r| r.get(0)).optional().map_err(StoreError::from)?;
    match known {
        Some(check) if check != key.fingerprint() => {
            let path = tx.sqlite().and_then(|c| c.path()).unwrap_or_default().to_owned();
            return Err(ServerError::WrongKey(path));
        }
        Some(_) => {}
        None => {
            tx.execute("INSERT INTO meta(key, value) VALUES ('server_key_check', ?1)", [key.fingerprint()]).map_err(StoreError::from)?;
        }
    }
    audit_log::seal_legacy_segment(&tx, key).map_err(StoreError::from)?;
    let moved = audit_log::rekey_legacy(&tx, key).map_err(StoreError::from)?;
    if moved > 0 {
        tracing::info!(moved, "gave the audit entries from before the key their keyed digests (migration 12)");
    }
    let forms = super::report_forms::seal_missing_forms(&tx, key).map_err(StoreError::from)?;
    if forms > 0 {
        tracing::info!(forms, "gave issued report versions their erasable form (migration 12)");
    }
    let sealed = seal_clear_secrets(&tx, key)?;
    tx.commit().map_err(StoreError::from)?;
    if sealed > 0 {
        // The clear pages leave the main file now, not at some later checkpoint.
        if let Some(lite) = conn.sqlite() {
            lite.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(StoreError::from)?;
        }
        tracing::info!(sealed, "encrypted TOTP secrets that were stored in clear text");
    }
    Ok(())
}

/// Encrypts TOTP secrets still in clear text (written before issue 15). Returns how many.
fn seal_clear_secrets(tx: &Connection, key: &ServerKey) -> Result<usize, ServerError> {
    let mut count = 0;
    for (table, id_column) in [("accounts", "user_id"), ("invitations", "invitation_id")] {
        let clear: Vec<(String, Zeroizing<String>)> = {
            let sql = format!("SELECT {id_column}, totp_secret FROM {table} WHERE totp_secret IS NOT NULL AND totp_secret <> ''");
            let mut stmt = tx.prepare(&sql).map_err(StoreError::from)?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, Zeroizing::new(r.get::<_, String>(1)?)))).map_err(StoreError::from)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(StoreError::from)?.into_iter().filter(|(_, s)| !ServerKey::is_sealed(s)).collect()
        };
        for (id, secret) in clear {
            let aad = if table == "accounts" { account_aad(&id) } else { invitation_aad(&id) };
            let sealed = key.seal(&aad, &secret)?;
            tx.execute(&format!("UPDATE {table} SET totp_secret = ?2 WHERE {id_column} = ?1"), params![id, sealed])
                .map_err(StoreError::from)?;
            count += 1;
        }
    }
    Ok(count)
}

impl ServerStore {
    /// A TOTP secret as stored for this account.
    pub(super) fn seal_account_secret(&self, user_id: &str, secret: &str) -> Result<String, KeyError> {
        self.key.seal(&account_aad(user_id), secret)
    }

    /// The account's TOTP secret; `None` when it has none (test accounts). A secret that does
    /// not decrypt (edited in the file, or another key) is an error, never a match.
    pub(super) fn open_account_secret(&self, user_id: &str, stored: &str) -> Result<Option<Zeroizing<String>>, KeyError> {
        if stored.is_empty() {
            return Ok(None);
        }
        self.key.open(&account_aad(user_id), stored).map(Some)
    }

    pub(super) fn seal_invitation_secret(&self, invitation_id: &str, secret: &str) -> Result<String, KeyError> {
        self.key.seal(&invitation_aad(invitation_id), secret)
    }

    pub(super) fn open_invitation_secret(&self, invitation_id: &str, stored: &str) -> Result<Zeroizing<String>, KeyError> {
        self.key.open(&invitation_aad(invitation_id), stored)
    }

    /// The server key's subkeys, for code that writes secrets inside its own transaction.
    pub(super) fn key(&self) -> &ServerKey {
        &self.key
    }
}
