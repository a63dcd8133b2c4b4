//! One-time invitations (issue 9): an administrator invites a person and is shown a code once;
//! the person redeems it with a password of their choice and is given a TOTP secret; a first
//! authenticator code confirms it and switches the account on. Only the code's SHA-256 is kept.

use super::accounts::email_key;
use super::hub_admin::{audit, refused, require_admin, set_roles_in, unknown_reference, user_info};
use super::mail_events;
use super::mail_outbox::Recipient;
use super::{ServerStore, StoreError};
use crate::auth::throttle::MAX_INVITATION_CODE_TRIES;
use crate::auth::{crypto, AccountSummary, AuthDevice, Role};
use crate::store::db::{params, Connection, OptionalExtension};
pub use qar_core::protocol::invitations::{InvitationIssued, InviteRole, NewInvitation, Redeemed};
use qar_core::ErrorCode;
use serde_json::json;
use uuid::Uuid;

/// How long an invitation code can be redeemed.
pub const INVITATION_TTL_MS: u64 = 7 * 24 * 60 * 60 * 1000;

struct Invitation {
    id: String,
    user_id: String,
    expires_ms: u64,
    redeemed: bool,
    password_hash: Option<String>,
    totp_secret: Option<String>,
    confirmed: bool,
    cancelled: bool,
}

fn find(conn: &Connection, code: &str) -> crate::store::db::Result<Option<Invitation>> {
    let hash = crypto::token_hash(code.trim());
    conn.prepare_cached(
        "SELECT invitation_id, user_id, expires_ms, redeemed_ms, password_hash, totp_secret, confirmed_ms, cancelled_ms
         FROM invitations WHERE code_hash = ?1",
    )?
    .query_row([hash], |r| {
        Ok(Invitation {
            id: r.get(0)?,
            user_id: r.get(1)?,
            expires_ms: r.get::<_, i64>(2)? as u64,
            redeemed: r.get::<_, Option<i64>>(3)?.is_some(),
            password_hash: r.get(4)?,
            totp_secret: r.get(5)?,
            confirmed: r.get::<_, Option<i64>>(6)?.is_some(),
            cancelled: r.get::<_, Option<i64>>(7)?.is_some(),
        })
    })
    .optional()
}

fn too_many_codes() -> StoreError {
    refused(
        ErrorCode::TooManyCodes,
        "Too many wrong authenticator codes were tried for this invitation. Ask your administrator for a new one.",
    )
}

fn unknown_code() -> StoreError {
    refused(ErrorCode::UnknownCode, "This invitation code is not recognised. Check it, or ask your administrator for a new one.")
}

/// Refuses a code that can no longer be used, in the order a person would want to hear it.
fn usable(inv: &Invitation, now_ms: u64) -> Result<(), StoreError> {
    if inv.confirmed {
        return Err(refused(ErrorCode::CodeUsed, "This invitation code was already used. Sign in with your email and password."));
    }
    if inv.cancelled {
        return Err(refused(ErrorCode::InvitationCancelled, "This invitation was withdrawn. Ask your administrator for a new one."));
    }
    if now_ms >= inv.expires_ms {
        return Err(StoreError::Refused {
            code: ErrorCode::CodeExpired,
            message: "This invitation code has expired. Ask your administrator for a new one.".into(),
            details: json!({ "expired_ms": inv.expires_ms }),
        });
    }
    Ok(())
}

fn system_actor(user_id: &str) -> AuthDevice {
    AuthDevice { user_id: user_id.to_owned(), device_id: Uuid::nil(), roles: vec![] }
}

impl ServerStore {
    /// Invites a person (added to the directory when their email is new). Refused (409) for a
    /// person who can already sign in or who has an invitation still pending.
    pub fn invite(&self, caller: &AuthDevice, new: &NewInvitation, now_ms: u64) -> Result<InvitationIssued, StoreError> {
        require_admin(caller, "invite people")?;
        let roles = match &new.role {
            InviteRole::Admin => vec![Role::Admin],
            InviteRole::HubCoordinator { hub_id } => vec![Role::HubCoordinator { hub_id: hub_id.clone() }],
            InviteRole::Reviewer => vec![],
        };
        // Invited as partnership staff or a reviewer: no longer any school's headteacher.
        self.invite_person(caller, new, &roles, |tx, user_id| Ok(super::school_heads::forget_head(tx, user_id)?), now_ms)
    }

    /// Invites a person whom the caller is already allowed to invite, with these global roles.
    /// `also` runs inside the invitation's transaction with the person's user id (a headteacher's
    /// school is written there, so the account and its scope exist together or not at all).
    pub(super) fn invite_person(
        &self,
        caller: &AuthDevice,
        new: &NewInvitation,
        roles: &[Role],
        also: impl FnOnce(&Connection, &str) -> Result<(), StoreError>,
        now_ms: u64,
    ) -> Result<InvitationIssued, StoreError> {
        let email = email_key(&new.email);
        let name = new.name.trim();
        // Lengths as sent, in characters: the limits `/v1/openapi.json` publishes (maxLength), so
        // a request the schema refuses is refused here too. (RFC 5321's 254 counts octets, but
        // addresses are ASCII in practice.)
        if !email.contains('@') || new.email.chars().count() > 254 || email.contains(char::is_whitespace) {
            return Err(refused(ErrorCode::InvalidEmail, "Give a valid email address."));
        }
        if name.is_empty() || new.name.chars().count() > 200 {
            return Err(refused(ErrorCode::Invalid, "A name must be 1 to 200 characters."));
        }
        if let Err(e) = qar_core::entities::check_name("Name", name, 200, true) {
            return Err(refused(ErrorCode::InvalidName, e.to_string()));
        }
        let home = new.home_school_urn.as_deref().map(str::trim).filter(|u| !u.is_empty());
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        if let Some(urn) = home {
            if !tx.prepare_cached("SELECT 1 FROM schools WHERE urn = ?1")?.exists([urn])? {
                return Err(unknown_reference(
                    ErrorCode::UnknownSchool,
                    format!("No school with URN {urn} is in the register."),
                    json!({ "urn": urn }),
                ));
            }
        }
        let existing: Option<String> = tx.query_row("SELECT id FROM users WHERE lower(email) = ?1", [&email], |r| r.get(0)).optional()?;
        let user_id = match existing {
            Some(id) => {
                let active: Option<i64> = tx.query_row("SELECT active FROM accounts WHERE user_id = ?1", [&id], |r| r.get(0)).optional()?;
                if active == Some(1) {
                    return Err(StoreError::Refused {
                        code: ErrorCode::AlreadyActive,
                        message: format!("{email} can already sign in: there is nothing to invite them to."),
                        details: json!({ "user_id": id }),
                    });
                }
                let pending = tx
                    .prepare_cached(
                        "SELECT 1 FROM invitations WHERE user_id = ?1 AND confirmed_ms IS NULL AND cancelled_ms IS NULL AND expires_ms > ?2",
                    )?
                    .exists(params![id, now_ms as i64])?;
                if pending {
                    return Err(StoreError::Refused {
                        code: ErrorCode::InvitationPending,
                        message: format!("{email} already has an invitation that has not expired. Wait for it to expire, or deactivate them to withdraw it."),
                        details: json!({ "user_id": id }),
                    });
                }
                tx.execute(
                    "UPDATE users SET name = ?2, home_school_urn = coalesce(?3, home_school_urn) WHERE id = ?1",
                    params![id, name, home],
                )?;
                id
            }
            None => {
                let id = Uuid::now_v7().to_string();
                tx.execute(
                    "INSERT INTO users(id, name, email, role, home_school_urn) VALUES (?1, ?2, ?3, 'reviewer', ?4)",
                    params![id, name, email, home],
                )?;
                id
            }
        };
        set_roles_in(&tx, &user_id, roles)?;
        also(&tx, &user_id)?;
        let code = crypto::generate_password().map_err(|e| StoreError::Invalid(e.to_string()))?;
        let invitation_id = Uuid::now_v7().to_string();
        let expires_ms = now_ms + INVITATION_TTL_MS;
        tx.execute(
            "INSERT INTO invitations(invitation_id, user_id, code_hash, invited_by, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![invitation_id, user_id, crypto::token_hash(&code), caller.user_id, now_ms as i64, expires_ms as i64],
        )?;
        audit(&tx, caller, "invite", &user_id, json!({ "invitation_id": invitation_id, "roles": roles }), now_ms)?;
        // The code by mail, queued with the invitation itself (issue 22).
        let invited_by = super::access::user_name(&tx, &caller.user_id)?;
        let invitee = Recipient { name: name.to_owned(), email: email.clone() };
        mail_events::invitation(&tx, &invitation_id, invitee, &invited_by, &code, expires_ms, now_ms)?;
        let user = user_info(&tx, &user_id, now_ms)?.ok_or_else(|| StoreError::Invalid("the invited person vanished".into()))?;
        tx.commit()?;
        drop(conn);
        self.wake_mail();
        Ok(InvitationIssued { invitation_id, user, code, expires_ms })
    }

    /// Sets the invited person's password and gives them a new TOTP secret. A code redeems once.
    pub fn redeem_invitation(&self, code: &str, password: &str, now_ms: u64) -> Result<Redeemed, StoreError> {
        // The same rule as everywhere a password is set (qar-core, issue 15); `reason` says which part failed.
        if let Err(problem) = qar_core::password::check_password(password) {
            return Err(StoreError::Refused {
                code: ErrorCode::WeakPassword,
                message: problem.to_string(),
                details: json!({ "reason": problem.code() }),
            });
        }
        let inv = find(&self.reader(), code)?.ok_or_else(unknown_code)?;
        usable(&inv, now_ms)?;
        if inv.redeemed {
            return Err(refused(ErrorCode::CodeUsed, "This invitation code was already used to set a password. Finish with your authenticator code, or ask for a new invitation."));
        }
        // argon2 takes tens of milliseconds on purpose: outside the writer lock.
        let hash = crypto::hash_password(password).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let secret = crypto::new_totp_secret().map_err(|e| StoreError::Invalid(e.to_string()))?;
        // Kept encrypted until the first code confirms it (issue 15).
        let sealed = self.seal_invitation_secret(&inv.id, &secret).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        // Only one of two racing redemptions wins.
        let won = tx.execute(
            "UPDATE invitations SET redeemed_ms = ?2, password_hash = ?3, totp_secret = ?4 WHERE invitation_id = ?1 AND redeemed_ms IS NULL",
            params![inv.id, now_ms as i64, hash, sealed],
        )?;
        if won == 0 {
            return Err(refused(ErrorCode::CodeUsed, "This invitation code was already used."));
        }
        let email: String = tx.query_row("SELECT email FROM users WHERE id = ?1", [&inv.user_id], |r| r.get(0))?;
        audit(&tx, &system_actor(&inv.user_id), "redeem_invitation", &inv.user_id, json!({ "invitation_id": inv.id }), now_ms)?;
        tx.commit()?;
        let otpauth_url = crypto::totp_uri(&secret, &email).map_err(|e| StoreError::Invalid(e.to_string()))?;
        Ok(Redeemed { email, totp_secret: secret, otpauth_url })
    }

    /// Checks the first authenticator code against the secret given on redemption and switches
    /// the account on. A wrong code can be tried again, up to [`MAX_INVITATION_CODE_TRIES`]
    /// times (counted in memory); the invitation is then used up. The code is looked up and the
    /// authenticator code checked on the reader: the writer is taken only to switch the account on.
    pub fn confirm_invitation(&self, code: &str, totp_code: &str, now_ms: u64) -> Result<AccountSummary, StoreError> {
        let inv = find(&self.reader(), code)?.ok_or_else(unknown_code)?;
        usable(&inv, now_ms)?;
        let (Some(password_hash), Some(secret), true) = (inv.password_hash, inv.totp_secret, inv.redeemed) else {
            return Err(refused(ErrorCode::NotRedeemed, "Set a password with this code first (redeem), then confirm."));
        };
        if self.throttle().invitation_tries(&inv.id) >= MAX_INVITATION_CODE_TRIES {
            return Err(too_many_codes());
        }
        let secret = self.open_invitation_secret(&inv.id, &secret).map_err(|e| {
            tracing::error!(invitation_id = inv.id, "the TOTP secret of this invitation cannot be read: {e}");
            StoreError::Invalid(
                "This invitation's authenticator secret cannot be read. Ask your administrator for a new invitation.".into(),
            )
        })?;
        let Some(step) = crypto::totp_step(&secret, totp_code, now_ms) else {
            let left = self.throttle().invitation_failed(&inv.id);
            if left == 0 {
                return Err(too_many_codes());
            }
            return Err(StoreError::Refused {
                code: ErrorCode::InvalidTotp,
                message: "That authenticator code is not right. Check the time on your phone and try the next code.".into(),
                details: json!({ "tries_left": left }),
            });
        };
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        // Only one of two racing confirmations (or a confirmation and a withdrawal) wins.
        let won = tx.execute(
            "UPDATE invitations SET confirmed_ms = ?2 WHERE invitation_id = ?1 AND confirmed_ms IS NULL AND cancelled_ms IS NULL",
            params![inv.id, now_ms as i64],
        )?;
        if won == 0 {
            return Err(refused(ErrorCode::CodeUsed, "This invitation code was already used. Sign in with your email and password."));
        }
        tx.execute(
            "INSERT INTO accounts(user_id, password_hash, totp_secret, totp_last_step, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT(user_id) DO UPDATE SET password_hash = excluded.password_hash, totp_secret = excluded.totp_secret,
                totp_last_step = excluded.totp_last_step, active = 1, updated_ms = excluded.updated_ms",
            params![inv.user_id, password_hash, self.seal_account_secret(&inv.user_id, &secret).map_err(|e| StoreError::Invalid(e.to_string()))?, step as i64, now_ms as i64],
        )?;
        tx.execute(
            "UPDATE invitations SET confirmed_ms = ?2, password_hash = NULL, totp_secret = NULL WHERE invitation_id = ?1",
            params![inv.id, now_ms as i64],
        )?;
        audit(&tx, &system_actor(&inv.user_id), "activate_account", &inv.user_id, json!({ "invitation_id": inv.id }), now_ms)?;
        let info = user_info(&tx, &inv.user_id, now_ms)?.ok_or_else(unknown_code)?;
        tx.commit()?;
        self.throttle().invitation_done(&inv.id);
        Ok(AccountSummary { id: info.id, name: info.name, email: info.email, roles: info.roles })
    }
}
