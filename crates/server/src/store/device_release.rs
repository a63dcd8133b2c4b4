//! A device id belongs to the person who first signed in with it (docs/decisions.md 33): its
//! op sequence (`devices.high_water`) and its clock node (`device_nodes`) are that person's, so
//! another account signing in with it could make the owner's unsent work look like a replay.
//! Sign-in refuses another account (`device_in_use`) until an administrator releases the id.

use super::audit_log::{self, Event};
use super::ServerStore;
use crate::auth::{AuthDevice, AuthError, DeviceInfo};
use crate::store::db::OptionalExtension;
use qar_core::ErrorCode;
use uuid::Uuid;

impl ServerStore {
    /// An administrator releases a signed-out or revoked laptop's id so that someone else may
    /// sign in with it: its registry entry goes (the audit log keeps who had it). The sync
    /// ledger stays, so the same laptop's outbox continues where it was. A laptop still signed
    /// in is refused: sign it out (revoke) first.
    pub fn release_device(&self, actor: &AuthDevice, device_id: Uuid, now_ms: u64) -> Result<DeviceInfo, AuthError> {
        if !actor.is_admin() {
            return Err(AuthError::Forbidden("Only an administrator can release a laptop for another person.".to_owned()));
        }
        let info = self.device(device_id, now_ms)?;
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let id = device_id.to_string();
        let row: Option<(String, Option<i64>)> = tx
            .query_row("SELECT user_id, revoked_ms FROM device_registry WHERE device_id = ?1", [&id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((owner, revoked)) = row else { return Err(AuthError::DeviceNotFound) };
        if revoked.is_none() {
            return Err(AuthError::Invalid {
                code: ErrorCode::DeviceActive,
                message: "This laptop is still signed in. Sign it out (revoke it) before releasing it for someone else.".to_owned(),
            });
        }
        tx.execute("DELETE FROM device_registry WHERE device_id = ?1", [&id])?;
        let detail = serde_json::json!({ "owner": owner }).to_string();
        let by = actor.device_id.to_string();
        let event = Event { kind: "release_device", actor: &actor.user_id, device_id: &by, subject: &id, detail };
        audit_log::append(&tx, &event, now_ms)?;
        tx.commit()?;
        tracing::warn!(%device_id, by = actor.user_id, owner, "device released");
        Ok(info)
    }
}
