//! Who is signed in on this laptop: kept in the store, so the app works offline after the first
//! sign-in. The token is the laptop's credential for sync (issue 8 moves it behind the store's
//! encryption key); everything else is what the screens show.

use super::{meta, Store};
use crate::error::{ClientError, Result};
use crate::model::Session;
use qar_core::entities::{hub_uuid, GlobalRole};
use qar_core::permissions::Actor;

impl Store {
    pub fn session(&self) -> Result<Option<Session>> {
        Ok(meta::get(&self.conn, "session")?.and_then(|s| serde_json::from_str(&s).ok()))
    }

    pub fn token(&self) -> Result<Option<String>> {
        meta::get(&self.conn, "token")
    }

    /// Records a sign-in. The store belongs to one person: another person's sign-in is refused
    /// while this laptop still holds the first one's reviews, so nobody reads or sends (as
    /// themselves) someone else's notes.
    pub fn save_session(&mut self, session: &Session, token: &str) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some(owner) = meta::get(&tx, "user_id")?.filter(|o| !o.is_empty() && *o != session.user_id) {
            let held: i64 = tx.query_row("SELECT count(*) FROM reviews WHERE deleted = 0", [], |r| r.get(0))?;
            if held > 0 {
                let name = meta::get(&tx, "session")?.and_then(|s| serde_json::from_str::<Session>(&s).ok()).map_or(owner, |s| s.name);
                return Err(ClientError::OtherUser { name });
            }
        }
        meta::set(&tx, "user_id", &session.user_id)?;
        meta::set(&tx, "session", &serde_json::to_string(session).unwrap_or_default())?;
        meta::set(&tx, "token", token)?;
        meta::delete(&tx, "needs_sign_in")?;
        refresh_my_roles(&tx, &session.user_id)?;
        tx.commit()?;
        Ok(())
    }

    /// The idle lock's check of the person's sign-in password (an argon2id PHC string).
    pub fn lock_verifier(&self) -> Result<Option<String>> {
        meta::get(&self.conn, "lock_verifier")
    }

    pub fn set_lock_verifier(&self, phc: &str) -> Result<()> {
        meta::set(&self.conn, "lock_verifier", phc)
    }

    /// Forgets the token (the person and their work stay on this laptop).
    pub fn clear_token(&self) -> Result<()> {
        meta::delete(&self.conn, "token")
    }

    /// The server refused the token (revoked or expired): sync stops until someone signs in.
    pub fn mark_needs_sign_in(&self) -> Result<()> {
        meta::set(&self.conn, "needs_sign_in", "1")
    }

    pub fn needs_sign_in(&self) -> Result<bool> {
        Ok(meta::get(&self.conn, "needs_sign_in")?.is_some())
    }

    /// The signed-in person's global roles, as the permission table sees them.
    pub(super) fn actor(&self) -> Result<Actor> {
        let roles = self.session()?.map(|s| s.roles).unwrap_or_default();
        let roles = roles
            .iter()
            .filter_map(|r| match (r.role.as_str(), &r.hub_id) {
                ("admin", _) => Some(GlobalRole::Admin),
                ("hub_coordinator", Some(hub)) => Some(GlobalRole::HubCoordinator { hub_id: hub_uuid(hub) }),
                _ => None,
            })
            .collect();
        Ok(Actor { roles })
    }
}

/// Sets each review's `my_role` from its synced team list: the person's role on the team, or ''
/// when they are not on it (a coordinator sees the review without being on its team).
pub(super) fn refresh_my_roles(conn: &rusqlite::Connection, user_id: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE reviews SET my_role = coalesce(
            (SELECT json_extract(m.value, '$.role') FROM json_each(reviews.team) m
             WHERE json_extract(m.value, '$.user_id') = ?1),
            CASE WHEN team = '[]' THEN my_role ELSE '' END)",
    )?
    .execute([user_id])?;
    Ok(())
}
