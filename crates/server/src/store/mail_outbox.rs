//! The mail outbox (issue 22): rows written inside the transaction of the event that causes
//! them, read by the delivery worker (`crate::mail`), and the dead letters an administrator
//! lists and resends. Template values are sealed with the server key (an invitation carries its
//! one-time code) and emptied once the mail is sent.

use super::hub_admin::{audit, refused, require_admin};
use super::{ServerStore, StoreError};
use crate::auth::AuthDevice;
use crate::mail::Template;
use crate::store::db::{params, Connection, OptionalExtension};
use qar_core::ErrorCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

fn aad(message_id: &str) -> String {
    format!("mail_outbox.params:{message_id}")
}

/// Someone a mail goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recipient {
    pub name: String,
    pub email: String,
}

/// The message id of one event's mail to one recipient: the same event and recipient always
/// give the same id, so it is also the key that keeps a mail from being queued twice.
pub fn message_id(event_key: &str, recipient: &str) -> String {
    let mut h = Sha256::new();
    h.update(event_key.as_bytes());
    h.update([0]);
    h.update(recipient.trim().to_lowercase().as_bytes());
    hex::encode(h.finalize())[..32].to_owned()
}

/// Queues `template` for each recipient, inside the caller's transaction. `params` are the
/// template's values except `recipient_name`, added per recipient. A mail already queued for the
/// same event and recipient is left as it is. Returns how many were new.
pub(super) fn queue(
    tx: &Connection,
    event_key: &str,
    template: Template,
    recipients: &[Recipient],
    params: &Value,
    now_ms: u64,
) -> crate::store::db::Result<usize> {
    let mut added = 0;
    let key = tx.server_key()?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO mail_outbox (message_id, event_key, template, recipient, params, next_attempt_ms, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT DO NOTHING",
    )?;
    for r in recipients {
        let mut values = params.clone();
        values["recipient_name"] = json!(r.name);
        let id = message_id(event_key, &r.email);
        // Sealed with a fresh nonce each time: a mail already queued for this event is left as it was.
        let sealed = key.seal(&aad(&id), &values.to_string()).map_err(|e| crate::store::db::Error::ToSqlConversionFailure(Box::new(e)))?;
        added += stmt.execute(params![id, event_key, template.code(), r.email.trim(), sealed, now_ms as i64])?;
    }
    Ok(added)
}

/// People by a query whose columns are name and email; deactivated accounts are left out.
pub(super) fn recipients(tx: &Connection, sql: &str, arg: &str) -> crate::store::db::Result<Vec<Recipient>> {
    let mut stmt = tx.prepare_cached(sql)?;
    let rows = stmt.query_map([arg], |r| Ok(Recipient { name: r.get(0)?, email: r.get(1)? }))?;
    rows.collect()
}

/// Not switched off: no account yet (invited) or an active one.
pub(super) const ACTIVE: &str = "NOT EXISTS (SELECT 1 FROM accounts a WHERE a.user_id = u.id AND a.active = 0)";

/// A mail due to be sent, with its values opened.
#[derive(Debug, Clone)]
pub struct DueMail {
    pub message_id: String,
    pub template: Template,
    pub recipient: String,
    pub params: Value,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// What became of a mail after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    Sent,
    /// Try again at this time.
    Retry {
        at_ms: u64,
    },
    /// No more attempts: kept as a dead letter until an administrator resends it.
    Dead,
}

/// A mail in the outbox as an administrator sees it: who it is for and what became of it,
/// never its values (an invitation's code stays sealed).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct OutboxMail {
    /// Also the mail's `Message-ID` (`<id@host>`).
    pub message_id: String,
    /// invitation, report_submitted, report_returned, report_approved, report_issued, report_overdue or unsent_work.
    pub template: String,
    pub recipient: String,
    /// pending, sent or dead (undelivered after the last attempt).
    pub state: String,
    pub attempts: u32,
    pub created_ms: u64,
    /// When it was last tried, sent, or (pending) when it will be tried next.
    pub last_attempt_ms: u64,
    /// What the mail server or the network said at the last failure ("" when none).
    pub last_error: String,
}

const MAIL_COLUMNS: &str = "message_id, template, recipient, state, attempts, created_ms, next_attempt_ms, coalesce(last_error, '')";

fn mail_row(r: &crate::store::db::Row) -> crate::store::db::Result<OutboxMail> {
    Ok(OutboxMail {
        message_id: r.get(0)?,
        template: r.get(1)?,
        recipient: r.get(2)?,
        state: r.get(3)?,
        attempts: r.get(4)?,
        created_ms: r.get::<_, i64>(5)? as u64,
        last_attempt_ms: r.get::<_, i64>(6)? as u64,
        last_error: r.get(7)?,
    })
}

impl ServerStore {
    /// Pending mail whose time has come, oldest first, at most `limit`. A row whose values do
    /// not open (another key, or edited in the file) is made a dead letter with that reason
    /// rather than retried for ever.
    pub fn due_mail(&self, now_ms: u64, limit: usize) -> Result<Vec<DueMail>, StoreError> {
        let rows: Vec<(String, String, String, String, u32)> = {
            let conn = self.reader();
            let mut stmt = conn.prepare_cached(
                "SELECT message_id, template, recipient, params, attempts FROM mail_outbox
                 WHERE state = 'pending' AND next_attempt_ms <= ?1 ORDER BY next_attempt_ms, created_ms, message_id LIMIT ?2",
            )?;
            let rows =
                stmt.query_map(params![now_ms as i64, limit as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
            rows.collect::<crate::store::db::Result<_>>()?
        };
        let mut due = Vec::with_capacity(rows.len());
        for (message_id, template, recipient, sealed, attempts) in rows {
            let opened = self.key().open(&aad(&message_id), &sealed).ok().and_then(|plain| serde_json::from_str::<Value>(&plain).ok());
            match (Template::parse(&template), opened) {
                (Some(template), Some(params)) => due.push(DueMail { message_id, template, recipient, params, attempts }),
                (None, _) => self.mail_attempted(&message_id, Attempt::Dead, now_ms, Some(&format!("unknown template '{template}'")))?,
                (_, None) => {
                    self.mail_attempted(&message_id, Attempt::Dead, now_ms, Some("its values cannot be read with this server key"))?
                }
            }
        }
        Ok(due)
    }

    /// Records an attempt. A sent mail's values are emptied (the invitation code goes with them).
    pub fn mail_attempted(&self, message_id: &str, outcome: Attempt, now_ms: u64, error: Option<&str>) -> Result<(), StoreError> {
        let conn = self.writer();
        let now = now_ms as i64;
        match outcome {
            Attempt::Sent => conn.execute(
                "UPDATE mail_outbox SET state = 'sent', params = '', attempts = attempts + 1, sent_ms = ?2, next_attempt_ms = ?2, last_error = NULL
                 WHERE message_id = ?1 AND state = 'pending'",
                params![message_id, now],
            )?,
            Attempt::Retry { at_ms } => conn.execute(
                "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_ms = ?2, last_error = ?3 WHERE message_id = ?1 AND state = 'pending'",
                params![message_id, at_ms as i64, error],
            )?,
            Attempt::Dead => conn.execute(
                "UPDATE mail_outbox SET state = 'dead', attempts = attempts + 1, next_attempt_ms = ?2, last_error = ?3
                 WHERE message_id = ?1 AND state = 'pending'",
                params![message_id, now, error],
            )?,
        };
        Ok(())
    }

    /// The next time a pending mail is due, if any: how long the worker may sleep.
    pub fn next_mail_due_ms(&self) -> Result<Option<u64>, StoreError> {
        let conn = self.reader();
        let next: Option<i64> = conn.query_row("SELECT min(next_attempt_ms) FROM mail_outbox WHERE state = 'pending'", [], |r| r.get(0))?;
        Ok(next.map(|v| v.max(0) as u64))
    }

    /// Dead letters, newest first (administrators only).
    pub fn dead_mail(&self, caller: &AuthDevice) -> Result<Vec<OutboxMail>, StoreError> {
        require_admin(caller, "see undelivered mail")?;
        self.dead_mail_unchecked()
    }

    /// Dead letters for the administration command on the server itself.
    pub fn dead_mail_unchecked(&self) -> Result<Vec<OutboxMail>, StoreError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {MAIL_COLUMNS} FROM mail_outbox WHERE state = 'dead' ORDER BY next_attempt_ms DESC, message_id"
        ))?;
        let rows = stmt.query_map([], mail_row)?;
        Ok(rows.collect::<crate::store::db::Result<_>>()?)
    }

    /// Puts a dead letter back in the queue with its attempts counted afresh (administrators
    /// only; audited). A mail that is not dead (already resent, sent, or still being tried) is
    /// left as it is, so a repeated resend changes nothing. Answers the mail as it now is.
    pub fn resend_mail(&self, caller: &AuthDevice, message_id: &str, now_ms: u64) -> Result<OutboxMail, StoreError> {
        require_admin(caller, "resend undelivered mail")?;
        Ok(self.resend_mail_unchecked(Some(caller), message_id, now_ms)?.0)
    }

    /// [`ServerStore::resend_mail`] for the administration command on the server itself
    /// (`caller` None: audited as the server's operator). Also says whether it was queued again.
    pub fn resend_mail_unchecked(
        &self,
        caller: Option<&AuthDevice>,
        message_id: &str,
        now_ms: u64,
    ) -> Result<(OutboxMail, bool), StoreError> {
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let resent = tx.execute(
            "UPDATE mail_outbox SET state = 'pending', attempts = 0, next_attempt_ms = ?2 WHERE message_id = ?1 AND state = 'dead'",
            params![message_id, now_ms as i64],
        )?;
        let row = tx
            .query_row(&format!("SELECT {MAIL_COLUMNS} FROM mail_outbox WHERE message_id = ?1"), [message_id], mail_row)
            .optional()?
            .ok_or_else(|| refused(ErrorCode::NotFound, format!("No mail with message id {message_id} is kept.")))?;
        if resent > 0 {
            let operator = AuthDevice { user_id: "server-operator".into(), device_id: uuid::Uuid::nil(), roles: vec![] };
            audit(&tx, caller.unwrap_or(&operator), "resend_mail", message_id, json!({ "message_id": message_id }), now_ms)?;
        }
        tx.commit()?;
        drop(conn);
        self.wake_mail();
        Ok((row, resent > 0))
    }

    /// One mail as an administrator sees it, by its message id.
    pub fn outbox_mail(&self, message_id: &str) -> Result<Option<OutboxMail>, StoreError> {
        let conn = self.reader();
        let sql = format!("SELECT {MAIL_COLUMNS} FROM mail_outbox WHERE message_id = ?1");
        Ok(conn.query_row(&sql, [message_id], mail_row).optional()?)
    }

    /// Counts by state, for tests and the log: (pending, sent, dead).
    pub fn mail_counts(&self) -> Result<(u64, u64, u64), StoreError> {
        let conn = self.reader();
        Ok(conn.query_row(
            "SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'sent'), count(*) FILTER (WHERE state = 'dead') FROM mail_outbox",
            [],
            |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64, r.get::<_, i64>(2)? as u64)),
        )?)
    }
}
