//! Subject access (issue 24, point 3): everything the server holds about one person, gathered
//! for an administrator answering a request under UK GDPR art. 15. The export is made on
//! request, handed over and never stored: the only trace the server keeps is one audit entry
//! with counts.
//!
//! What it holds: the directory entry, account state (not the password hash or authenticator
//! secret: security data whose only use would be to an attacker, listed as held but not
//! copied), roles, laptops and sign-ins, invitations, mail sent to them, the audit entries where
//! they acted or were acted on, the records they wrote (notes, comments, attachments' details,
//! kept conflicts) and the reviews they took part in. Other people's identifiers in audit
//! entries are replaced by "(another person)": the export is about one person, not their
//! colleagues. Free text the person wrote can name others (colleagues, pupils, host staff): it
//! cannot be redacted by rule, so each mention found is flagged for the data protection officer
//! to redact before the export is sent.

use super::audit_log::{self, Event};
use super::hub_admin::{require_admin, unknown_user};
use super::{ServerStore, StoreError};
use crate::auth::AuthDevice;
use crate::store::db::{Connection, OptionalExtension};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// What stands in for anyone else named in an identifier field.
pub const ANOTHER_PERSON: &str = "(another person)";
/// The actor of an export made with `qar-server subject-access` on the server machine.
pub const OPERATOR_ACTOR: &str = "system:operator";

/// One place in the person's own free text that seems to name someone else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MentionFlag {
    /// The section of the export and the record's id, e.g. `records_written/evidence/<id>`.
    pub place: String,
    pub field: String,
    /// What was found: a name from the directory or the school register, an e-mail address, or
    /// a title followed by a name ("Mrs Patel").
    pub mentions: Vec<String>,
}

/// The export's content before it is packed.
#[derive(Debug, Clone)]
pub struct SubjectAccess {
    pub user_id: String,
    pub name: String,
    pub generated_ms: u64,
    /// The machine-readable document (sections as keys).
    pub document: Value,
    pub flags: Vec<MentionFlag>,
    /// Entries per section, also written to the audit entry and the manifest.
    pub counts: BTreeMap<String, usize>,
}

/// Someone other than the subject: what identifies them where it may appear.
struct Other {
    id: String,
    name: String,
    email: String,
}

impl ServerStore {
    /// The export for an administrator, audited (`subject_access`, counts only).
    pub fn subject_access(&self, caller: &AuthDevice, user_id: &str, now_ms: u64) -> Result<SubjectAccess, StoreError> {
        require_admin(caller, "export what is held about a person")?;
        self.subject_access_as(&caller.user_id, &caller.device_id.to_string(), user_id, now_ms)
    }

    /// The export made on the server machine (`qar-server subject-access`), audited with the
    /// operator as actor.
    pub fn subject_access_by_operator(&self, user_id: &str, now_ms: u64) -> Result<SubjectAccess, StoreError> {
        self.subject_access_as(OPERATOR_ACTOR, "", user_id, now_ms)
    }

    fn subject_access_as(&self, actor: &str, device: &str, user_id: &str, now_ms: u64) -> Result<SubjectAccess, StoreError> {
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let (name, email, role, hub_id, home_school): (String, String, String, Option<String>, Option<String>) = tx
            .query_row("SELECT name, email, role, hub_id, home_school_urn FROM users WHERE id = ?1", [user_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?
            .ok_or_else(|| unknown_user(user_id))?;
        let others = others(&tx, user_id)?;
        let mut doc = Map::new();
        doc.insert(
            "person".into(),
            json!({ "id": user_id, "name": name, "email": email, "directory_role": role, "hub_id": hub_id, "home_school_urn": home_school }),
        );
        doc.insert("account".into(), account(&tx, user_id)?);
        doc.insert("roles".into(), rows(&tx, "SELECT role, hub_id FROM user_roles WHERE user_id = ?1 ORDER BY role, hub_id", user_id)?);
        doc.insert(
            "devices".into(),
            rows(
                &tx,
                "SELECT device_id, name, created_ms, signed_in_ms, last_seen_ms, expires_ms, revoked_ms, revoked_reason
                 FROM device_registry WHERE user_id = ?1 ORDER BY created_ms",
                user_id,
            )?,
        );
        doc.insert(
            "failed_sign_ins".into(),
            rows(&tx, "SELECT device_id, at_ms FROM login_attempts WHERE email = ?1 ORDER BY at_ms", &email)?,
        );
        doc.insert(
            "invitations".into(),
            rows(
                &tx,
                "SELECT created_ms, expires_ms, redeemed_ms, confirmed_ms, cancelled_ms FROM invitations WHERE user_id = ?1 ORDER BY created_ms",
                user_id,
            )?,
        );
        // The template values are sealed and emptied once sent; which mail went when is what is held.
        doc.insert(
            "mail".into(),
            rows(&tx, "SELECT template, state, created_ms, sent_ms FROM mail_outbox WHERE recipient = ?1 ORDER BY created_ms", &email)?,
        );
        doc.insert("reviews".into(), reviews(&tx, user_id)?);
        doc.insert(
            "reports_issued".into(),
            rows(
                &tx,
                "SELECT review_id, version, issued_ms, sha256 FROM report_versions WHERE issued_by = ?1 ORDER BY issued_ms",
                user_id,
            )?,
        );
        doc.insert(
            "retention_policies_changed".into(),
            rows(&tx, "SELECT hub_id, updated_ms FROM retention_policy WHERE updated_by = ?1", user_id)?,
        );
        let mut flags = Vec::new();
        doc.insert("records_written".into(), records_written(&tx, user_id, &email, &others, &mut flags)?);
        doc.insert("audit_entries".into(), audit_entries(&tx, user_id, &others)?);
        let counts: BTreeMap<String, usize> = doc
            .iter()
            .filter_map(|(k, v)| match v {
                Value::Array(a) => Some((k.clone(), a.len())),
                Value::Object(o) if k == "records_written" => Some((k.clone(), o.values().filter_map(Value::as_array).map(Vec::len).sum())),
                _ => None,
            })
            .collect();
        let mut detail = serde_json::to_value(&counts).expect("counts serialise");
        detail["flagged_mentions"] = json!(flags.len());
        let event = Event { kind: "subject_access", actor, device_id: device, subject: user_id, detail: detail.to_string() };
        audit_log::append(&tx, &event, now_ms)?;
        tx.commit()?;
        tracing::info!(user_id, by = actor, "subject access export made");
        Ok(SubjectAccess { user_id: user_id.to_owned(), name, generated_ms: now_ms, document: Value::Object(doc), flags, counts })
    }
}

/// The rows of a query with one parameter, as JSON objects keyed by column name.
fn rows(tx: &Connection, sql: &str, param: &str) -> crate::store::db::Result<Value> {
    let mut stmt = tx.prepare(sql)?;
    let mut out = Vec::new();
    let mut q = stmt.query([param])?;
    let names: Vec<String> = q.column_names().to_vec();
    while let Some(r) = q.next()? {
        let mut row = Map::new();
        for (i, n) in names.iter().enumerate() {
            let v = match r.get_ref(i)? {
                crate::store::db::Value::Null => Value::Null,
                crate::store::db::Value::Integer(n) => json!(n),
                crate::store::db::Value::Real(f) => json!(f),
                crate::store::db::Value::Text(t) => json!(t),
                crate::store::db::Value::Blob(_) => json!("(binary)"),
            };
            row.insert(n.clone(), v);
        }
        out.push(Value::Object(row));
    }
    Ok(Value::Array(out))
}

fn account(tx: &Connection, user_id: &str) -> crate::store::db::Result<Value> {
    let row = tx
        .query_row("SELECT active, created_ms, updated_ms FROM accounts WHERE user_id = ?1", [user_id], |r| {
            Ok(json!({
                "can_sign_in": r.get::<_, i64>(0)? == 1,
                "created_ms": r.get::<_, i64>(1)?,
                "updated_ms": r.get::<_, i64>(2)?,
                "also_held_not_copied": "a password hash (argon2id) and an authenticator (TOTP) secret, encrypted: security data, not copied into an export"
            }))
        })
        .optional()?;
    Ok(row.unwrap_or(Value::Null))
}

fn others(tx: &Connection, user_id: &str) -> crate::store::db::Result<Vec<Other>> {
    let mut stmt = tx.prepare("SELECT id, name, email FROM users WHERE id <> ?1")?;
    let rows = stmt.query_map([user_id], |r| Ok(Other { id: r.get(0)?, name: r.get(1)?, email: r.get(2)? }))?;
    rows.collect()
}

/// The reviews the person was on (or removed from), with what identifies the review; not the
/// team (colleagues' names) and not the report (the review's, not the person's).
fn reviews(tx: &Connection, user_id: &str) -> crate::store::db::Result<Value> {
    let mut stmt = tx.prepare(
        "SELECT t.review_id, t.role, NULL, r.fields FROM review_team t LEFT JOIN records r ON r.entity = 'review' AND r.id = t.review_id
         WHERE t.user_id = ?1
         UNION ALL
         SELECT m.review_id, NULL, m.removed_ms, r.fields FROM review_removals m
             LEFT JOIN records r ON r.entity = 'review' AND r.id = m.review_id
         WHERE m.user_id = ?1
         ORDER BY 1",
    )?;
    let mut q = stmt.query([user_id])?;
    let mut out = Vec::new();
    while let Some(r) = q.next()? {
        let fields: Value = r.get::<_, Option<String>>(3)?.and_then(|f| serde_json::from_str(&f).ok()).unwrap_or_default();
        let f = |name: &str| fields[name]["value"].clone();
        out.push(json!({
            "review_id": r.get::<_, String>(0)?,
            "role": r.get::<_, Option<String>>(1)?,
            "removed_ms": r.get::<_, Option<i64>>(2)?,
            "school_name": f("school_name"),
            "school_urn": f("school_urn"),
            "state": f("state"),
            "start_date": f("start_date"),
            "visit_dates": f("visit_dates"),
        }));
    }
    Ok(Value::Array(out))
}

/// The records whose author is the person, by kind, with each field's value; mentions of
/// others in their text flagged.
fn records_written(
    tx: &Connection,
    user_id: &str,
    email: &str,
    others: &[Other],
    flags: &mut Vec<MentionFlag>,
) -> crate::store::db::Result<Value> {
    let heads = head_names(tx)?;
    let mut stmt = tx.prepare(
        "SELECT entity, id, review_id, fields FROM records
         WHERE json_extract(fields, '$.author_id.value') = ?1 ORDER BY entity, server_seq",
    )?;
    let mut q = stmt.query([user_id])?;
    let mut by_kind: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    while let Some(r) = q.next()? {
        let (entity, id, review_id, fields): (String, String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        let fields: Map<String, Value> = serde_json::from_str(&fields).unwrap_or_default();
        let mut values = Map::new();
        for (field, v) in fields {
            let value = v.get("value").cloned().unwrap_or(Value::Null);
            if let Value::String(text) = &value {
                let found = mentions(text, email, others, &heads);
                if !found.is_empty() {
                    flags.push(MentionFlag { place: format!("records_written/{entity}/{id}"), field: field.clone(), mentions: found });
                }
            }
            values.insert(field, value);
        }
        by_kind.entry(entity).or_default().push(json!({ "id": id, "review_id": review_id, "fields": values }));
    }
    Ok(json!(by_kind))
}

fn head_names(tx: &Connection) -> crate::store::db::Result<Vec<String>> {
    let mut stmt = tx.prepare(
        "SELECT DISTINCT trim(coalesce(head_first_name, '') || ' ' || coalesce(head_last_name, '')) FROM schools
         WHERE coalesce(head_last_name, '') <> ''",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// Courtesy titles that, followed by a capitalised word, name a person in free text.
const TITLES: [&str; 8] = ["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Sir", "Dame"];

/// Who else `text` seems to name: directory people (full name, surname, e-mail), heads in the
/// school register, any e-mail address but the person's own, and a title followed by a name.
/// Errs towards flagging: a DPO clears a false flag in seconds, a missed name is a breach.
fn mentions(text: &str, own_email: &str, others: &[Other], heads: &[String]) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut found = Vec::new();
    let mut add = |s: String| {
        if !found.contains(&s) {
            found.push(s);
        }
    };
    for o in others {
        let surname = o.name.split_whitespace().last().unwrap_or("");
        if contains_word(&lower, &o.name.to_lowercase()) || (surname.chars().count() >= 3 && contains_word(&lower, &surname.to_lowercase()))
        {
            add(o.name.clone());
        }
        if !o.email.is_empty() && lower.contains(&o.email.to_lowercase()) {
            add(o.email.clone());
        }
    }
    for head in heads {
        if contains_word(&lower, &head.to_lowercase()) {
            add(head.clone());
        }
    }
    for word in text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '<' | '>')) {
        let word = word.trim_matches(|c: char| matches!(c, '.' | ':' | '"' | '\''));
        if word.contains('@') && word.contains('.') && !word.eq_ignore_ascii_case(own_email) {
            add(word.to_owned());
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    for pair in words.windows(2) {
        let title = pair[0].trim_end_matches('.');
        let name = pair[1].trim_end_matches(|c: char| !c.is_alphanumeric());
        if TITLES.contains(&title) && name.chars().next().is_some_and(char::is_uppercase) {
            add(format!("{title} {name}"));
        }
    }
    found
}

/// `needle` in `hay` with no letter or digit touching either end (both lower case).
fn contains_word(hay: &str, needle: &str) -> bool {
    if needle.trim().is_empty() {
        return false;
    }
    hay.match_indices(needle).any(|(at, _)| {
        let before = hay[..at].chars().next_back();
        let after = hay[at + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The entries where the person acted or was acted on; anyone else's id, name or e-mail in
/// them replaced by "(another person)".
fn audit_entries(tx: &Connection, user_id: &str, others: &[Other]) -> crate::store::db::Result<Value> {
    let mut stmt = tx.prepare(
        "SELECT seq, at_ms, kind, actor, device_id, subject, detail FROM audit_log WHERE actor = ?1 OR subject = ?1 ORDER BY seq",
    )?;
    let mut q = stmt.query([user_id])?;
    let mut out = Vec::new();
    let redact = |s: &str| -> String {
        let mut s = s.to_owned();
        for o in others {
            for ident in [&o.id, &o.email, &o.name] {
                if !ident.is_empty() && s.contains(ident.as_str()) {
                    s = s.replace(ident.as_str(), ANOTHER_PERSON);
                }
            }
        }
        s
    };
    while let Some(r) = q.next()? {
        let (actor, device, subject, detail): (String, String, String, String) = (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
        let theirs = actor == user_id;
        out.push(json!({
            "seq": r.get::<_, i64>(0)?,
            "at_ms": r.get::<_, i64>(1)?,
            "kind": r.get::<_, String>(2)?,
            "actor": if theirs || actor.starts_with("system:") { actor } else { ANOTHER_PERSON.to_owned() },
            // Someone else's laptop is theirs to know about, not this person's.
            "device_id": if theirs { device } else { String::new() },
            "subject": redact(&subject),
            "detail": serde_json::from_str::<Value>(&redact(&detail)).unwrap_or_else(|_| json!(redact(&detail))),
        }));
    }
    Ok(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owen() -> Vec<Other> {
        vec![Other { id: "user-owen".into(), name: "Owen Pritchard".into(), email: "owen.pritchard@example.org".into() }]
    }

    #[test]
    fn names_surnames_emails_and_titles_are_flagged() {
        let text = "Spoke with Mr. Okafor and Pritchard; wrote to head@school.example, cc anika@example.org.";
        let found = mentions(text, "anika@example.org", &owen(), &["Jane Doe".into()]);
        assert_eq!(found, vec!["Owen Pritchard", "head@school.example", "Mr Okafor"]);
    }

    #[test]
    fn a_name_inside_another_word_is_not_flagged() {
        assert!(mentions("Pritchardson's class was calm.", "a@b.c", &owen(), &[]).is_empty());
        assert_eq!(mentions("Jane Doe led the walk", "a@b.c", &[], &["Jane Doe".into()]), vec!["Jane Doe"]);
    }
}
