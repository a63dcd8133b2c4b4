//! Sign-in and the device registry (tables of migration 2). Every function takes the time
//! (`now_ms`) so tests can move the clock. Failed attempts are counted in memory
//! (`auth::throttle`, issue 15); the `login_attempts` table of migration 2 is no longer used.

use super::audit_log::{self, Event};
use super::ServerStore;
use crate::auth::crypto;
use crate::auth::{
    AccountSummary, AuthDevice, AuthError, DeviceInfo, DeviceStatus, LoginGrant, LoginRequest, Role, LAST_SEEN_EVERY_MS, MAX_DEVICE_NAME,
    MAX_PASSWORD_LEN, MAX_REVOKE_REASON, TOKEN_TTL_MS,
};
use crate::store::db::{params, Connection, OptionalExtension, Row};
use qar_core::ErrorCode;
use uuid::Uuid;

/// What a self sign-out records as its reason.
pub const SIGNED_OUT_REASON: &str = "signed out on the laptop";

/// Someone whose password and authenticator code were right, as `sign_in_with` hands them on.
pub(crate) struct SignedInPerson {
    pub user_id: String,
    pub name: String,
    pub email: String,
}

/// What sign-in needs to know about an account.
struct Credentials {
    user_id: String,
    name: String,
    email: String,
    password_hash: String,
    /// Decrypted only here, for checking a code; `None` when the account has none.
    totp_secret: Option<zeroize::Zeroizing<String>>,
    active: bool,
}

/// How emails are compared: trimmed, lower-case.
pub(crate) fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

pub(crate) fn roles_of(conn: &Connection, user_id: &str) -> crate::store::db::Result<Vec<Role>> {
    let mut stmt = conn.prepare_cached("SELECT role, hub_id FROM user_roles WHERE user_id = ?1 ORDER BY role, hub_id")?;
    let rows = stmt.query_map([user_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))?;
    let mut roles = Vec::new();
    for row in rows {
        match row? {
            (role, _) if role == "admin" => roles.push(Role::Admin),
            (_, Some(hub_id)) => roles.push(Role::HubCoordinator { hub_id }),
            (role, None) => tracing::warn!(user_id, role, "skipping a role without a hub"),
        }
    }
    Ok(roles)
}

impl ServerStore {
    /// Signs a laptop in: checks the password and the TOTP code, then registers the device with a
    /// new token (replacing any earlier token of the same laptop).
    ///
    /// A wrong password, a wrong code and an unknown email all give `InvalidCredentials`, after
    /// the same work. A switched-off account is told so only once its credentials are right.
    /// Limits per client address are the API's (`api::auth`); here only the account's own: after
    /// the right password with wrong codes it backs off (`TooManyAttempts`), whatever password
    /// comes next, so an outsider can neither start it nor learn from it whether a password is right.
    pub fn login(&self, req: &LoginRequest, now_ms: u64) -> Result<LoginGrant, AuthError> {
        let device_id = req.device_id.to_string();
        let device_name = req.device_name.trim();
        if device_name.chars().count() > MAX_DEVICE_NAME {
            return Err(AuthError::Invalid {
                code: ErrorCode::InvalidDeviceName,
                message: format!("The laptop's name is too long: at most {MAX_DEVICE_NAME} characters."),
            });
        }
        let device_name = if device_name.is_empty() { "Unnamed laptop" } else { device_name };
        self.sign_in_with(&req.email, &req.password, &req.totp_code, now_ms, |tx, person| {
            let owner: Option<(String, Option<i64>)> = tx
                .query_row("SELECT user_id, revoked_ms FROM device_registry WHERE device_id = ?1", [&device_id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            // Signed out or not, a device id stays its first person's until an administrator
            // releases it: its op sequence is theirs (store/device_release.rs).
            if let Some((owner, _)) = &owner {
                if owner != &person.user_id {
                    return Err(AuthError::DeviceInUse);
                }
            }
            let (token, token_hash) = crypto::new_token()?;
            let expires_ms = now_ms + TOKEN_TTL_MS;
            tx.execute(
                "INSERT INTO device_registry(device_id, user_id, token_hash, name, created_ms, signed_in_ms, last_seen_ms, expires_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5, ?6)
                 ON CONFLICT(device_id) DO UPDATE SET
                    user_id = excluded.user_id, token_hash = excluded.token_hash, name = excluded.name,
                    signed_in_ms = excluded.signed_in_ms, last_seen_ms = excluded.last_seen_ms,
                    expires_ms = excluded.expires_ms, revoked_ms = NULL, revoked_reason = NULL, revoked_by = NULL",
                params![device_id, person.user_id, token_hash, device_name, now_ms as i64, expires_ms as i64],
            )?;
            let roles = roles_of(tx, &person.user_id)?;
            let event =
                Event { kind: "sign_in", actor: &person.user_id, device_id: &device_id, subject: &person.user_id, detail: String::new() };
            audit_log::append(tx, &event, now_ms)?;
            tracing::info!(user_id = person.user_id, device_id, "signed in");
            Ok(LoginGrant {
                token,
                user: AccountSummary { id: person.user_id.clone(), name: person.name.clone(), email: person.email.clone(), roles },
                expires_at_ms: expires_ms,
            })
        })
    }

    /// The checks every sign-in makes, for a laptop (`login`) and for a browser
    /// (`web_sign_in`): the password and the TOTP code, the account's own back-off, a switched-off
    /// account, a code used once only. Then `finish` runs in the same transaction as the code's
    /// use, so what it writes (a device token, a browser session) exists only with it.
    ///
    /// A wrong password, a wrong code and an unknown email all give `InvalidCredentials`, after
    /// the same work. A switched-off account is told so only once its credentials are right.
    /// After the right password with wrong codes the account backs off (`TooManyAttempts`),
    /// whatever password comes next, so an outsider can neither start it nor learn from it
    /// whether a password is right. When `finish` refuses (not a database error), the code stays
    /// used: it was shown once, with the right password.
    pub(crate) fn sign_in_with<T>(
        &self,
        email: &str,
        password: &str,
        totp_code: &str,
        now_ms: u64,
        finish: impl FnOnce(&Connection, &SignedInPerson) -> Result<T, AuthError>,
    ) -> Result<T, AuthError> {
        let email = email_key(email);
        // Check the secrets outside any lock (argon2 takes tens of milliseconds on purpose).
        let creds = self.credentials(&email)?;
        if let Some(c) = &creds {
            self.throttle.check_account(&c.user_id, now_ms)?;
        }
        let password_ok = password.len() <= MAX_PASSWORD_LEN
            && match &creds {
                Some(c) => crypto::verify_password(&c.password_hash, password),
                None => {
                    crypto::verify_against_dummy(password);
                    false
                }
            };
        let step = match (&creds, password_ok) {
            (Some(c), true) => c.totp_secret.as_ref().and_then(|s| crypto::totp_step(s, totp_code, now_ms)),
            _ => None,
        };
        if let (Some(c), true, None) = (&creds, password_ok, step) {
            self.throttle.code_failed(&c.user_id, now_ms);
        }
        let (Some(creds), Some(step)) = (creds, step) else {
            return Err(AuthError::InvalidCredentials);
        };

        // Right credentials: only now is the writer taken.
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        if !creds.active {
            tx.commit()?;
            return Err(AuthError::AccountDisabled);
        }
        // A code is good once: refuse a replay of one already used (RFC 6238 §5.2).
        let fresh = tx.execute(
            "UPDATE accounts SET totp_last_step = ?2 WHERE user_id = ?1 AND totp_last_step < ?2",
            params![creds.user_id, step as i64],
        )?;
        if fresh == 0 {
            drop(tx);
            // Not a guess, but not a sign-in either: it counts as a wrong code.
            self.throttle.code_failed(&creds.user_id, now_ms);
            return Err(AuthError::InvalidCredentials);
        }
        let person = SignedInPerson { user_id: creds.user_id, name: creds.name, email: creds.email };
        match finish(&tx, &person) {
            Ok(done) => {
                tx.commit()?;
                self.throttle.account_succeeded(&person.user_id);
                Ok(done)
            }
            // A database error leaves nothing half-written; a refusal keeps the code used.
            Err(AuthError::Db(e)) => Err(AuthError::Db(e)),
            Err(refusal) => {
                tx.commit()?;
                Err(refusal)
            }
        }
    }

    fn credentials(&self, email: &str) -> Result<Option<Credentials>, AuthError> {
        let found = {
            let conn = self.reader();
            conn.query_row(
                "SELECT u.id, u.name, u.email, a.password_hash, a.totp_secret, a.active
                 FROM users u JOIN accounts a ON a.user_id = u.id WHERE lower(u.email) = ?1",
                [email],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        zeroize::Zeroizing::new(r.get::<_, String>(4)?),
                        r.get::<_, i64>(5)? == 1,
                    ))
                },
            )
            .optional()?
        };
        let Some((user_id, name, email, password_hash, stored, active)) = found else {
            return Ok(None);
        };
        // Encrypted at rest (issue 15): one that does not decrypt is a loud error, never a match.
        let totp_secret = self.open_account_secret(&user_id, &stored).map_err(|e| {
            tracing::error!(user_id, "the TOTP secret of this account cannot be read: {e}");
            AuthError::Crypto(e.to_string())
        })?;
        Ok(Some(Credentials { user_id, name, email, password_hash, totp_secret, active }))
    }

    /// The signed-in laptop a bearer token belongs to. Writes `last_seen_ms` at most once a
    /// minute per device, and skips it when a write is in progress (it is only a hint).
    pub fn authenticate(&self, token: &str, now_ms: u64) -> Result<AuthDevice, AuthError> {
        let hash = crypto::token_hash(token);
        let (device, last_seen) = {
            let conn = self.reader();
            let row = conn
                .query_row(
                    "SELECT d.device_id, d.user_id, d.expires_ms, d.revoked_ms, d.revoked_reason, d.revoked_by,
                            d.last_seen_ms, coalesce(a.active, 0)
                     FROM device_registry d LEFT JOIN accounts a ON a.user_id = d.user_id
                     WHERE d.token_hash = ?1",
                    [&hash],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, i64>(2)? as u64,
                            r.get::<_, Option<i64>>(3)?,
                            r.get::<_, Option<String>>(4)?,
                            r.get::<_, Option<String>>(5)?,
                            r.get::<_, i64>(6)? as u64,
                            r.get::<_, i64>(7)? == 1,
                        ))
                    },
                )
                .optional()?;
            let Some((device_id, user_id, expires_ms, revoked_ms, reason, revoked_by, last_seen, active)) = row else {
                return Err(AuthError::InvalidToken);
            };
            if let Some(revoked_ms) = revoked_ms {
                let by_admin = revoked_by.as_deref() != Some(user_id.as_str());
                let reason = reason.unwrap_or_else(|| "no reason was given".to_owned());
                return Err(AuthError::DeviceRevoked { reason, by_admin, revoked_ms: revoked_ms as u64 });
            }
            if now_ms >= expires_ms {
                return Err(AuthError::TokenExpired { expired_ms: expires_ms });
            }
            if !active {
                return Err(AuthError::AccountDisabled);
            }
            let device_id = Uuid::parse_str(&device_id).map_err(|_| AuthError::InvalidToken)?;
            let roles = roles_of(&conn, &user_id)?;
            (AuthDevice { user_id, device_id, roles }, last_seen)
        };
        if now_ms >= last_seen + LAST_SEEN_EVERY_MS {
            if let Ok(conn) = self.writer.try_lock() {
                conn.execute(
                    "UPDATE device_registry SET last_seen_ms = ?2 WHERE device_id = ?1 AND last_seen_ms < ?2",
                    params![device.device_id.to_string(), now_ms as i64],
                )?;
            }
        }
        Ok(device)
    }

    /// The registry as `viewer` may see it: everything for an admin, otherwise their own laptops.
    pub fn list_devices(&self, viewer: &AuthDevice, now_ms: u64) -> Result<Vec<DeviceInfo>, AuthError> {
        let conn = self.reader();
        let sql = format!("{DEVICE_SELECT} WHERE ?1 OR d.user_id = ?2 ORDER BY d.last_seen_ms DESC, d.device_id");
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params![viewer.is_admin(), viewer.user_id], |r| device_info(r, now_ms))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One device, by id.
    pub fn device(&self, device_id: Uuid, now_ms: u64) -> Result<DeviceInfo, AuthError> {
        let conn = self.reader();
        let sql = format!("{DEVICE_SELECT} WHERE d.device_id = ?1");
        conn.query_row(&sql, [device_id.to_string()], |r| device_info(r, now_ms)).optional()?.ok_or(AuthError::DeviceNotFound)
    }

    /// An administrator signs a laptop out: its next request gets 401 `device_revoked` with the
    /// reason. Revoking a revoked device changes nothing (the first reason stays).
    pub fn revoke_device(&self, actor: &AuthDevice, device_id: Uuid, reason: &str, now_ms: u64) -> Result<DeviceInfo, AuthError> {
        if !actor.is_admin() {
            return Err(AuthError::Forbidden(
                "Only an administrator can sign out a laptop. To sign out this laptop, use sign out (POST /v1/auth/logout).".to_owned(),
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REVOKE_REASON {
            return Err(AuthError::Invalid {
                code: ErrorCode::InvalidReason,
                message: format!(
                    "Give a reason (1 to {MAX_REVOKE_REASON} characters): the laptop's user is shown it, e.g. \"laptop reported lost\"."
                ),
            });
        }
        {
            let mut conn = self.writer();
            let tx = conn.transaction()?;
            let changed = tx.execute(
                "UPDATE device_registry SET revoked_ms = ?2, revoked_reason = ?3, revoked_by = ?4
                 WHERE device_id = ?1 AND revoked_ms IS NULL",
                params![device_id.to_string(), now_ms as i64, reason, actor.user_id],
            )?;
            if changed == 1 {
                let (device, detail) = (device_id.to_string(), serde_json::json!({ "reason": reason }).to_string());
                let by = actor.device_id.to_string();
                let event = Event { kind: "revoke_device", actor: &actor.user_id, device_id: &by, subject: &device, detail };
                audit_log::append(&tx, &event, now_ms)?;
                tracing::warn!(%device_id, by = actor.user_id, reason, "device revoked");
            }
            tx.commit()?;
        }
        self.device(device_id, now_ms)
    }

    /// The caller signs their own laptop out (its token stops working at once).
    pub fn logout(&self, device: &AuthDevice, now_ms: u64) -> Result<DeviceInfo, AuthError> {
        {
            let mut conn = self.writer();
            let tx = conn.transaction()?;
            let changed = tx.execute(
                "UPDATE device_registry SET revoked_ms = ?3, revoked_reason = ?4, revoked_by = ?2
                 WHERE device_id = ?1 AND user_id = ?2 AND revoked_ms IS NULL",
                params![device.device_id.to_string(), device.user_id, now_ms as i64, SIGNED_OUT_REASON],
            )?;
            if changed == 1 {
                let id = device.device_id.to_string();
                let event = Event { kind: "sign_out", actor: &device.user_id, device_id: &id, subject: &id, detail: String::new() };
                audit_log::append(&tx, &event, now_ms)?;
            }
            tx.commit()?;
        }
        self.device(device.device_id, now_ms)
    }
}

const DEVICE_SELECT: &str = "SELECT d.device_id, d.user_id, u.name, u.email, d.name, d.created_ms, d.signed_in_ms,
        d.last_seen_ms, d.expires_ms, d.revoked_ms, d.revoked_reason, d.revoked_by
    FROM device_registry d JOIN users u ON u.id = d.user_id";

fn device_info(r: &Row, now_ms: u64) -> crate::store::db::Result<DeviceInfo> {
    let device_id: String = r.get(0)?;
    let expires_ms = r.get::<_, i64>(8)? as u64;
    let revoked_ms = r.get::<_, Option<i64>>(9)?.map(|v| v as u64);
    let status = match revoked_ms {
        Some(_) => DeviceStatus::Revoked,
        None if now_ms >= expires_ms => DeviceStatus::Expired,
        None => DeviceStatus::Active,
    };
    Ok(DeviceInfo {
        device_id: Uuid::parse_str(&device_id).unwrap_or_default(),
        user_id: r.get(1)?,
        user_name: r.get(2)?,
        user_email: r.get(3)?,
        name: r.get(4)?,
        status,
        created_ms: r.get::<_, i64>(5)? as u64,
        signed_in_ms: r.get::<_, i64>(6)? as u64,
        last_seen_ms: r.get::<_, i64>(7)? as u64,
        expires_ms,
        revoked_ms,
        revoked_reason: r.get(10)?,
        revoked_by: r.get(11)?,
    })
}

#[cfg(test)]
mod tests;
