//! TEST SUPPORT: people, team places and device tokens made directly in the store, for
//! integration tests and benchmarks that need signed-in laptops without going through
//! password + TOTP sign-in (which `tests/auth_api.rs` covers over HTTP). The server itself
//! never calls these; nothing here is reachable over HTTP.
//!
//! ```ignore
//! let srv = qar_server::start(&config).await?;
//! // A demo person (with `demo: true`): a token for this laptop's device id.
//! let token = srv.store().test_token_for_email("anika.marsh@example.org", device_id, now_ms)?;
//! let sync = qar_client::sync::SyncClient::with_token(&srv.url(), &token);
//! // Or anyone: a person, their place on a review's team, tokens for many devices at once.
//! srv.store().test_user("user-tess", "Tess Reviewer", &[])?;
//! srv.store().test_team_member(review_id, "user-tess", TeamRole::Reviewer, now_ms)?;
//! let tokens = srv.store().test_tokens("user-tess", &device_ids, now_ms)?;
//! ```

use super::records::Ctx;
use super::{access, clock, ServerStore, StoreError};
use crate::auth::{crypto, Role, TOKEN_TTL_MS};
use crate::store::db::{params, OptionalExtension};
use qar_core::entities::TeamRole;
use uuid::Uuid;

/// Stands in for a password hash: no password verifies against it, so a test person can sign
/// in only with a token made here.
const NO_PASSWORD: &str = "$argon2id$test-support-no-password";

impl ServerStore {
    /// TEST SUPPORT: adds a person who can hold device tokens (directory entry, an account with
    /// no usable password, and the given global roles). Idempotent; roles are added, not replaced.
    pub fn test_user(&self, user_id: &str, name: &str, roles: &[Role]) -> Result<(), StoreError> {
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let email = format!("{user_id}@test.invalid");
        tx.execute("INSERT OR IGNORE INTO users(id, name, email, role) VALUES (?1, ?2, ?3, 'reviewer')", params![user_id, name, email])?;
        tx.execute(
            "INSERT OR IGNORE INTO accounts(user_id, password_hash, totp_secret, created_ms, updated_ms) VALUES (?1, ?2, '', 0, 0)",
            params![user_id, NO_PASSWORD],
        )?;
        for role in roles {
            match role {
                Role::Admin => tx.execute("INSERT OR IGNORE INTO user_roles(user_id, role) VALUES (?1, 'admin')", [user_id])?,
                Role::HubCoordinator { hub_id } => {
                    tx.execute("INSERT OR IGNORE INTO hubs(id, name, region) VALUES (?1, ?1, '')", [hub_id])?;
                    tx.execute(
                        "INSERT OR IGNORE INTO user_roles(user_id, role, hub_id) VALUES (?1, 'hub_coordinator', ?2)",
                        params![user_id, hub_id],
                    )?
                }
            };
        }
        tx.commit()?;
        Ok(())
    }

    /// TEST SUPPORT: an account (no password) that is the headteacher of the school with this URN.
    pub fn test_school_head(&self, user_id: &str, name: &str, urn: &str) -> Result<(), StoreError> {
        self.test_user(user_id, name, &[])?;
        self.writer().execute(
            "INSERT INTO school_heads(user_id, urn, invited_by, created_ms) VALUES (?1, ?2, 'test-support', 0) ON CONFLICT(user_id) DO UPDATE SET urn = excluded.urn, invited_by = excluded.invited_by, created_ms = excluded.created_ms",
            params![user_id, urn],
        )?;
        Ok(())
    }

    /// TEST SUPPORT: puts a person on a review's team (someone already on it keeps their role).
    /// The review need not exist yet; once it does, its `team` field lists them.
    pub fn test_team_member(&self, review_id: Uuid, user_id: &str, role: TeamRole, now_ms: u64) -> Result<(), StoreError> {
        let seq = {
            let mut conn = self.writer();
            let mut clock = self.clock();
            let tx = conn.transaction()?;
            clock::catch_up(&tx, &mut clock)?;
            let mut ctx = Ctx { clock: &mut clock, seq: super::push::max_server_seq(&tx)?, now_ms };
            access::add_member(&tx, &review_id.to_string(), user_id, role)?;
            access::refresh_fields(&tx, &mut ctx, &review_id.to_string())?;
            let seq = ctx.seq;
            clock::save(&tx, &clock)?;
            tx.commit()?;
            seq
        };
        self.announce(seq);
        Ok(())
    }

    /// TEST SUPPORT: a fresh device token for `user_id` on `device_id`, as a sign-in would give.
    pub fn test_token(&self, user_id: &str, device_id: Uuid, now_ms: u64) -> Result<String, StoreError> {
        Ok(self.test_tokens(user_id, &[device_id], now_ms)?.remove(0))
    }

    /// TEST SUPPORT: tokens for many devices of one person, in one transaction (load tests).
    pub fn test_tokens(&self, user_id: &str, device_ids: &[Uuid], now_ms: u64) -> Result<Vec<String>, StoreError> {
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let mut tokens = Vec::with_capacity(device_ids.len());
        {
            let mut stmt = tx.prepare(
                "INSERT INTO device_registry(device_id, user_id, token_hash, name, created_ms, signed_in_ms, last_seen_ms, expires_ms)
                 VALUES (?1, ?2, ?3, 'Test laptop', ?4, ?4, ?4, ?5)
                 ON CONFLICT(device_id) DO UPDATE SET user_id = excluded.user_id, token_hash = excluded.token_hash,
                    signed_in_ms = excluded.signed_in_ms, expires_ms = excluded.expires_ms,
                    revoked_ms = NULL, revoked_reason = NULL, revoked_by = NULL",
            )?;
            for device_id in device_ids {
                let (token, hash) = crypto::new_token().map_err(|e| StoreError::Invalid(e.to_string()))?;
                stmt.execute(params![device_id.to_string(), user_id, hash, now_ms as i64, (now_ms + TOKEN_TTL_MS) as i64])?;
                tokens.push(token);
            }
        }
        tx.commit()?;
        Ok(tokens)
    }

    /// TEST SUPPORT: a token for the person with this e-mail (e.g. a demo person).
    pub fn test_token_for_email(&self, email: &str, device_id: Uuid, now_ms: u64) -> Result<String, StoreError> {
        let user_id = self.user_id_by_email(email)?.ok_or_else(|| StoreError::Invalid(format!("nobody has the e-mail {email}")))?;
        self.test_token(&user_id, device_id, now_ms)
    }

    /// The directory id of the person with this e-mail (compared case-insensitively).
    pub fn user_id_by_email(&self, email: &str) -> Result<Option<String>, StoreError> {
        let conn = self.reader();
        let key = super::accounts::email_key(email);
        Ok(conn.query_row("SELECT id FROM users WHERE lower(email) = ?1", [key], |r| r.get(0)).optional()?)
    }

    /// TEST SUPPORT: the server clock's last stamp as stored (`meta.server_hlc`), exactly as
    /// text, so a test can tell whether anything moved it.
    pub fn test_server_clock(&self) -> Result<Option<String>, StoreError> {
        let conn = self.reader();
        Ok(conn.query_row("SELECT value FROM meta WHERE key = 'server_hlc'", [], |r| r.get(0)).optional()?)
    }

    /// TEST SUPPORT: writes a record as a newer server would hold it (a kind of record or
    /// fields this build does not know), at the next place in the feed, so the pull of a page
    /// from a newer server can be tested against a real server (issue 17). `fields` is the
    /// record's JSON `{name: {value, version}}`.
    pub fn test_record_of_a_newer_schema(&self, entity: &str, id: &str, review_id: &str, fields: &str) -> Result<(), StoreError> {
        let conn = self.writer();
        let seq = super::push::max_server_seq(&conn)? + 1;
        conn.execute(
            "INSERT INTO records(entity, id, review_id, fields, server_seq) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(entity, id) DO UPDATE SET fields = excluded.fields, server_seq = excluded.server_seq",
            params![entity, id, review_id, fields, seq as i64],
        )?;
        drop(conn);
        self.announce(seq);
        Ok(())
    }
}

/// The day `offset` days (0 = Monday … 6 = Sunday) after Monday of the week `weeks` after this
/// one (UTC, as the server counts), as `YYYY-MM-DD`: scheduled days in tests stay valid whenever
/// they run, since the visit-day rule refuses past days (`qar_core::visit_days`).
pub fn day(weeks: i64, offset: i64) -> String {
    use qar_core::calendar::{add_days, format_date, monday_of, utc_day};
    let monday = monday_of(utc_day(super::now_ms()));
    format_date(add_days(monday, 7 * weeks + offset).expect("a date near today"))
}

/// Tuesday to Thursday of the week `weeks` ahead: three valid visit days.
pub fn visit(weeks: i64) -> Vec<String> {
    (1..=3).map(|d| day(weeks, d)).collect()
}
