//! Erasure of a person (issue 24, point 4), after their account was deactivated. Their
//! personal fields are removed or pseudonymised everywhere; records retention still needs keep
//! their (pseudonymous) author id and show "A former reviewer" where a name was; the audit
//! chain and the issued report versions keep verifying, because what they hash are keyed
//! digests of a person's values, not the values (decision 34, migration 12): a clear value is
//! replaced by the pseudonym derived from its digest, the same in every entry and snapshot.
//!
//! What cannot be erased here: entries from before the chain was keyed (legacy, SHA-256 over
//! clear values) are counted and reported; free text other people wrote about the person is
//! theirs and is handled by retention or by the DPO; backups age out with their rotation.

use super::access;
use super::audit_log::{self, part_input, pseudonym, Event};
use super::hub_admin::{require_admin, unknown_user};
use super::push::max_server_seq;
use super::records::{self, Ctx};
use super::{clock, ServerStore, StoreError};
use crate::auth::AuthDevice;
use crate::store::db::{params, Connection, OptionalExtension};
use qar_core::{EntityKind, ErrorCode};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What an erased person is called where a name must stay (a team, a comment, an approval).
pub const FORMER_REVIEWER: &str = "A former reviewer";
/// What an erased headteacher's name becomes on their school's statement (issue 22).
pub const FORMER_HEAD: &str = "A former headteacher";

/// What an erasure changed, in counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ErasureCounts {
    /// The pseudonym that now stands for the person in the audit chain and report versions.
    pub pseudonym: String,
    /// Values in the audit chain replaced by a pseudonym.
    pub audit_values: u64,
    /// Synced records rewritten (team lists, comment authors, approvals), sent down the feed.
    pub records_rewritten: u64,
    /// Issued report versions whose names of the person became the pseudonym.
    pub report_versions: u64,
    /// Entries from before the chain was keyed that name the person and could not be changed.
    pub legacy_entries_left: u64,
}

impl ServerStore {
    /// Erases a deactivated person (administrators). Audited (`erase_user`, itself pseudonymised).
    pub fn erase_user(&self, caller: &AuthDevice, user_id: &str, now_ms: u64) -> Result<ErasureCounts, StoreError> {
        require_admin(caller, "erase a person's data")?;
        let mut conn = self.writer();
        let mut clock = self.clock();
        let tx = conn.transaction()?;
        clock::catch_up(&tx, &mut clock)?;
        let (name, email): (String, String) = tx
            .query_row("SELECT name, email FROM users WHERE id = ?1", [user_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or_else(|| unknown_user(user_id))?;
        let active: bool = tx.query_row("SELECT coalesce(max(active), 0) = 1 FROM accounts WHERE user_id = ?1", [user_id], |r| r.get(0))?;
        if active {
            return Err(StoreError::Refused {
                code: ErrorCode::AlreadyActive,
                message: "This account is still active: deactivate it first, then erase it.".into(),
                details: json!({ "user_id": user_id }),
            });
        }
        let key = &self.key;
        let person = pseudonym(key, &key.audit_mac(&part_input(user_id)));
        let mut counts = ErasureCounts { pseudonym: person.clone(), ..Default::default() };
        let devices: Vec<String> = {
            let mut stmt = tx.prepare("SELECT device_id FROM device_registry WHERE user_id = ?1")?;
            let rows = stmt.query_map([user_id], |r| r.get(0))?;
            rows.collect::<crate::store::db::Result<_>>()?
        };
        // Written first so the pseudonymisation below covers it too: the chain records that an
        // erasure happened, not whom it erased.
        let event = Event {
            kind: "erase_user",
            actor: &caller.user_id,
            device_id: &caller.device_id.to_string(),
            subject: user_id,
            detail: "{}".into(),
        };
        audit_log::append(&tx, &event, now_ms)?;

        // The directory and sign-in: nothing left that names or reaches the person.
        let erased_email = format!("{}@erased.invalid", &person[audit_log::PSEUDONYM_PREFIX.len()..]);
        tx.execute(
            "UPDATE users SET name = ?2, email = ?3, home_school_urn = NULL WHERE id = ?1",
            params![user_id, FORMER_REVIEWER, erased_email],
        )?;
        tx.execute(
            "UPDATE accounts SET password_hash = '$argon2id$erased', totp_secret = '', active = 0, updated_ms = ?2 WHERE user_id = ?1",
            params![user_id, now_ms as i64],
        )?;
        tx.execute("DELETE FROM user_roles WHERE user_id = ?1", [user_id])?;
        // Their browser sessions end with the account (the school's pages, decision 75).
        tx.execute("DELETE FROM web_sessions WHERE user_id = ?1", [user_id])?;
        // A head who recorded their own consent to publish (decision 105) is named on their
        // school's register entries: the consent stands, their name goes.
        tx.execute(
            "UPDATE register_entries SET head_name = ?3 WHERE head_name = ?2 AND urn IN (SELECT urn FROM school_heads WHERE user_id = ?1)",
            params![user_id, name, FORMER_HEAD],
        )?;
        tx.execute("UPDATE invitations SET password_hash = NULL, totp_secret = NULL WHERE user_id = ?1", [user_id])?;
        tx.execute("UPDATE device_registry SET name = 'erased', revoked_reason = NULL WHERE user_id = ?1", [user_id])?;
        tx.execute("DELETE FROM login_attempts WHERE email = ?1", [&email])?;
        tx.execute("UPDATE mail_outbox SET recipient = ?2, params = '{}' WHERE recipient = ?1", params![email, erased_email])?;

        // Synced records: written by the server so every laptop gets the change at its next pull.
        let mut ctx = Ctx { clock: &mut clock, seq: max_server_seq(&tx)?, now_ms };
        counts.records_rewritten = rewrite_records(&tx, &mut ctx, user_id, &name)?;

        counts.report_versions = redact_versions(&tx, key, user_id, &name)?;
        let (values, legacy) = pseudonymise_audit(&tx, key, user_id, &[&name, &email], &devices)?;
        counts.audit_values = values;
        counts.legacy_entries_left = legacy;
        // Saved with the stamps it issued, so the next writer (of any instance) stamps later.
        clock::save(&tx, &clock)?;
        tx.commit()?;
        tracing::warn!(pseudonym = person, by = caller.user_id, "person erased");
        Ok(counts)
    }
}

fn rewrite_records(tx: &Connection, ctx: &mut Ctx, user_id: &str, name: &str) -> crate::store::db::Result<u64> {
    let mut n = 0;
    let reviews: Vec<String> = {
        let mut stmt = tx.prepare("SELECT review_id FROM review_team WHERE user_id = ?1")?;
        let rows = stmt.query_map([user_id], |r| r.get(0))?;
        rows.collect::<crate::store::db::Result<_>>()?
    };
    for review in &reviews {
        n += u64::from(access::refresh_fields(tx, ctx, review)?);
    }
    let comments: Vec<(String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT id, review_id FROM records WHERE entity = 'comment' AND json_extract(fields, '$.author_id.value') = ?1
               AND json_extract(fields, '$.author_name.value') IS DISTINCT FROM ?2",
        )?;
        let rows = stmt.query_map(params![user_id, FORMER_REVIEWER], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<crate::store::db::Result<_>>()?
    };
    for (id, review) in comments {
        n += u64::from(records::server_write(tx, ctx, EntityKind::Comment, &id, &review, &[("author_name", json!(FORMER_REVIEWER))])?);
    }
    let approved: Vec<String> = {
        let mut stmt = tx.prepare("SELECT id FROM records WHERE entity = 'review' AND json_extract(fields, '$.approved_by.value') = ?1")?;
        let rows = stmt.query_map([name], |r| r.get(0))?;
        rows.collect::<crate::store::db::Result<_>>()?
    };
    for id in approved {
        n += u64::from(records::server_write(tx, ctx, EntityKind::Review, &id, &id, &[("approved_by", json!(FORMER_REVIEWER))])?);
    }
    // A host school's statement carries its headteacher's name (issue 22), written by name as
    // `approved_by` is; the school's own words stay, they are the school's.
    let statements: Vec<(String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT id, review_id FROM records WHERE entity = 'school_statement' AND json_extract(fields, '$.written_by.value') = ?1",
        )?;
        let rows = stmt.query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<crate::store::db::Result<_>>()?
    };
    for (id, review) in statements {
        n += u64::from(records::server_write(tx, ctx, EntityKind::SchoolStatement, &id, &review, &[("written_by", json!(FORMER_HEAD))])?);
    }
    Ok(n)
}

/// Replaces the person's id and name in issued snapshots by the pseudonym of each value's
/// digest; the erasable form (migration 12) is unchanged, so the versions still verify.
fn redact_versions(tx: &Connection, key: &crate::server_key::ServerKey, user_id: &str, name: &str) -> crate::store::db::Result<u64> {
    let rows: Vec<(String, i64, String, String, String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT review_id, version, snapshot, person_digests, issued_by, issued_by_name FROM report_versions
             WHERE form_mac IS NOT NULL AND (instr(snapshot, ?1) > 0 OR instr(snapshot, ?2) > 0 OR issued_by = ?1)",
        )?;
        let rows = stmt.query_map(params![json!(user_id).to_string(), json!(name).to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?;
        rows.collect::<crate::store::db::Result<_>>()?
    };
    let mut n = 0;
    for (review, version, snapshot, digests, issued_by, issued_by_name) in rows {
        let mut parsed: Value = serde_json::from_str(&snapshot).unwrap_or_default();
        let digests: BTreeMap<String, String> = serde_json::from_str(&digests).unwrap_or_default();
        for (pointer, digest) in &digests {
            if let Some(v) = parsed.pointer_mut(pointer) {
                if v.as_str() == Some(user_id) || v.as_str() == Some(name) {
                    *v = Value::String(pseudonym(key, digest));
                }
            }
        }
        let mine = issued_by == user_id;
        let issued_by = if mine { pseudonym(key, &key.audit_mac(&part_input(user_id))) } else { issued_by };
        let issued_by_name = if mine { FORMER_REVIEWER.to_owned() } else { issued_by_name };
        n += tx.execute(
            "UPDATE report_versions SET snapshot = ?3, issued_by = ?4, issued_by_name = ?5 WHERE review_id = ?1 AND version = ?2",
            params![review, version, parsed.to_string(), issued_by, issued_by_name],
        )? as u64;
    }
    Ok(n)
}

/// Keyed entries: the person's id (actor, subject), their laptops' ids, and any detail that
/// names them become pseudonyms. Returns (values replaced, legacy entries naming them).
fn pseudonymise_audit(
    tx: &Connection,
    key: &crate::server_key::ServerKey,
    user_id: &str,
    names: &[&str],
    devices: &[String],
) -> crate::store::db::Result<(u64, u64)> {
    let person = pseudonym(key, &key.audit_mac(&part_input(user_id)));
    let mut n = tx
        .execute("UPDATE audit_log SET actor = ?2 WHERE actor = ?1 AND (scheme = 1 OR legacy_mac IS NOT NULL)", params![user_id, person])?
        as u64;
    n += tx.execute(
        "UPDATE audit_log SET subject = ?2 WHERE subject = ?1 AND (scheme = 1 OR legacy_mac IS NOT NULL)",
        params![user_id, person],
    )? as u64;
    for device in devices {
        let p = pseudonym(key, &key.audit_mac(&part_input(device)));
        n += tx.execute(
            "UPDATE audit_log SET device_id = ?2 WHERE device_id = ?1 AND (scheme = 1 OR legacy_mac IS NOT NULL)",
            params![device, p],
        )? as u64;
    }
    let mut needles = vec![user_id];
    needles.extend(names.iter().copied().filter(|s| !s.is_empty()));
    needles.extend(devices.iter().map(String::as_str));
    let mut details: Vec<(i64, String)> = Vec::new();
    let mut legacy = 0;
    {
        let mut stmt = tx.prepare(
            "SELECT seq, legacy_mac IS NULL AND scheme = 0, detail_digest, actor, subject, detail FROM audit_log
             WHERE detail NOT LIKE 'erased:%' OR (scheme = 0 AND legacy_mac IS NULL)",
        )?;
        let mut q = stmt.query([])?;
        while let Some(r) = q.next()? {
            let (seq, unkeyed, digest): (i64, bool, Option<String>) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let (actor, subject, detail): (String, String, String) = (r.get(3)?, r.get(4)?, r.get(5)?);
            let names_them = needles.iter().any(|s| detail.contains(s));
            if unkeyed {
                legacy += u64::from(names_them || actor == user_id || subject == user_id);
            } else if let (true, Some(digest)) = (names_them, digest) {
                details.push((seq, pseudonym(key, &digest)));
            }
        }
    }
    for (seq, p) in details {
        n += tx.execute("UPDATE audit_log SET detail = ?2 WHERE seq = ?1", params![seq, p])? as u64;
    }
    Ok((n, legacy))
}
