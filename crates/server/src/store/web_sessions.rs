//! Browser sessions for the school's pages (issue 22, decision 75; table of migration 15).
//!
//! Signing in from a browser makes the same checks as a laptop's sign-in
//! (`accounts::sign_in_with`: password, TOTP code used once, the account's back-off) and then
//! writes a session instead of a device token. The browser gets a random session id in a cookie;
//! the table keeps only its SHA-256. Each session has a CSRF token of its own that every form
//! carries. A session ends 30 minutes after its last request or 12 hours after sign-in,
//! whichever comes first, when its person signs out, and when the account is switched off or
//! erased.

use super::audit_log::{self, Event};
use super::school_heads::school_of_head;
use super::ServerStore;
use crate::auth::{crypto, AuthDevice, AuthError};
use crate::store::db::{params, OptionalExtension};
use base64::Engine;
use uuid::Uuid;

const MINUTE_MS: u64 = 60_000;
/// A session with no request for this long has ended (decision 75).
pub const WEB_IDLE_MS: u64 = 30 * MINUTE_MS;
/// A session ends this long after sign-in however busy it is: sign in again with password and code.
pub const WEB_ABSOLUTE_MS: u64 = 12 * 60 * MINUTE_MS;
/// `last_seen_ms` is written at most this often, so a page view is a read most of the time.
/// Idle expiry is therefore exact to within a minute.
const TOUCH_EVERY_MS: u64 = MINUTE_MS;
/// What the audit chain calls a browser (its "device").
pub const WEB_DEVICE: &str = "browser";

/// A browser session that is still good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    pub user_id: String,
    pub name: String,
    /// The school this person heads: the whole of what their pages show.
    pub school_urn: String,
    pub csrf_token: String,
    pub created_ms: u64,
}

impl WebSession {
    /// The session's person as the store's permission checks take a caller. A head holds no
    /// partnership role, and a browser is no laptop: the device id is nil and never stored.
    pub fn caller(&self) -> AuthDevice {
        AuthDevice { user_id: self.user_id.clone(), device_id: Uuid::nil(), roles: Vec::new() }
    }
}

/// Why a cookie did not give a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoSession {
    /// No such session: never made, signed out, or removed.
    Unknown,
    /// It was good once and has ended (idle or absolute expiry, account switched off).
    Ended,
}

/// What a browser sign-in gives.
#[derive(Debug)]
pub enum WebSignIn {
    /// A session was made: the id goes into the cookie (shown once; only its hash is kept).
    Session { session_id: String, urn: String },
    /// The credentials were right but the person heads no school: their place is the app.
    NotAHead { name: String },
}

fn random_token() -> Result<String, AuthError> {
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(crypto::random_bytes::<32>()?))
}

/// A fresh random value for the sign-in form's double-submit cookie.
pub fn new_form_token() -> Result<String, AuthError> {
    random_token()
}

impl ServerStore {
    /// Signs a browser in: the laptop's checks, then a session for a school's headteacher.
    /// People of other roles are told to use the app; no session is made for them.
    pub fn web_sign_in(&self, email: &str, password: &str, totp_code: &str, now_ms: u64) -> Result<WebSignIn, AuthError> {
        self.sign_in_with(email, password, totp_code, now_ms, |tx, person| {
            let Some(urn) = school_of_head(tx, &person.user_id)? else {
                return Ok(WebSignIn::NotAHead { name: person.name.clone() });
            };
            let session_id = random_token()?;
            let csrf = random_token()?;
            tx.execute(
                "INSERT INTO web_sessions(id_hash, user_id, csrf_token, created_ms, last_seen_ms) VALUES (?1, ?2, ?3, ?4, ?4)",
                params![crypto::token_hash(&session_id), person.user_id, csrf, now_ms as i64],
            )?;
            let event = Event {
                kind: "web_sign_in",
                actor: &person.user_id,
                device_id: WEB_DEVICE,
                subject: &person.user_id,
                detail: String::new(),
            };
            audit_log::append(tx, &event, now_ms)?;
            tracing::info!(user_id = person.user_id, "signed in to the school's pages");
            Ok(WebSignIn::Session { session_id, urn })
        })
    }

    /// The session a cookie's id names, if it is still good; an ended one is removed.
    pub fn web_session(&self, session_id: &str, now_ms: u64) -> Result<Result<WebSession, NoSession>, AuthError> {
        let hash = crypto::token_hash(session_id);
        let row = {
            let conn = self.reader();
            conn.query_row(
                "SELECT s.user_id, u.name, s.csrf_token, s.created_ms, s.last_seen_ms, coalesce(a.active, 0)
                 FROM web_sessions s JOIN users u ON u.id = s.user_id LEFT JOIN accounts a ON a.user_id = s.user_id
                 WHERE s.id_hash = ?1",
                [&hash],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)? as u64,
                        r.get::<_, i64>(4)? as u64,
                        r.get::<_, i64>(5)? == 1,
                    ))
                },
            )
            .optional()?
            .map(|row| school_of_head(&conn, &row.0).map(|urn| (row, urn)))
            .transpose()?
        };
        let Some(((user_id, name, csrf_token, created_ms, last_seen_ms, active), urn)) = row else {
            return Ok(Err(NoSession::Unknown));
        };
        let ended = now_ms >= last_seen_ms + WEB_IDLE_MS || now_ms >= created_ms + WEB_ABSOLUTE_MS || !active;
        // No longer a head (the hub invited them as something else): nothing to show.
        let (false, Some(school_urn)) = (ended, urn) else {
            self.writer().execute("DELETE FROM web_sessions WHERE id_hash = ?1", [&hash])?;
            return Ok(Err(NoSession::Ended));
        };
        if now_ms >= last_seen_ms + TOUCH_EVERY_MS {
            self.writer().execute(
                "UPDATE web_sessions SET last_seen_ms = ?2 WHERE id_hash = ?1 AND last_seen_ms < ?2",
                params![hash, now_ms as i64],
            )?;
        }
        Ok(Ok(WebSession { user_id, name, school_urn, csrf_token, created_ms }))
    }

    /// Signs a browser out: its session is gone, so the cookie opens nothing even if kept.
    pub fn web_sign_out(&self, session_id: &str, now_ms: u64) -> Result<(), AuthError> {
        let hash = crypto::token_hash(session_id);
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let user: Option<String> = tx.query_row("SELECT user_id FROM web_sessions WHERE id_hash = ?1", [&hash], |r| r.get(0)).optional()?;
        if let Some(user_id) = user {
            tx.execute("DELETE FROM web_sessions WHERE id_hash = ?1", [&hash])?;
            let event = Event { kind: "web_sign_out", actor: &user_id, device_id: WEB_DEVICE, subject: &user_id, detail: String::new() };
            audit_log::append(&tx, &event, now_ms)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// How many browser sessions the person has (tests: a refused sign-in writes none).
    pub fn web_session_count(&self, user_id: &str) -> Result<u64, AuthError> {
        Ok(self.reader().query_row("SELECT count(*) FROM web_sessions WHERE user_id = ?1", [user_id], |r| r.get::<_, i64>(0))? as u64)
    }
}

#[cfg(feature = "test-support")]
impl ServerStore {
    /// TEST ONLY: a browser session for `user_id` begun at `now_ms`, without a sign-in (whose
    /// authenticator code can be used once per 30 seconds): for tests that need many sessions.
    pub fn test_web_session(&self, user_id: &str, now_ms: u64) -> Result<String, AuthError> {
        let session_id = random_token()?;
        self.writer().execute(
            "INSERT INTO web_sessions(id_hash, user_id, csrf_token, created_ms, last_seen_ms) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![crypto::token_hash(&session_id), user_id, random_token()?, now_ms as i64],
        )?;
        Ok(session_id)
    }
}
