//! The erasable form of an issued report version (issue 24, point 4; migration 12). A snapshot
//! names people (the issuer, the approver, the team); the audit chain holds the SHA-256 of the
//! snapshot as issued. So that a person can be erased without breaking verification, each
//! version also keeps:
//! - `person_digests`: for each JSON pointer that names a person, `d(value)`, the same keyed
//!   digest the audit chain uses (so a pseudonym reads the same in both);
//! - `form_sha256`: the SHA-256 of the snapshot with those values replaced by their digests;
//! - `form_mac`: a MAC with the server key over the version, the chained SHA-256 and the form.
//!
//! Verification checks every clear value against its digest (or, once erased, that it is that
//! digest's pseudonym), recomputes the form and checks the MAC: an edit anywhere still shows,
//! a pseudonym in place of a name does not. While nobody in it was erased, the snapshot must
//! also still hash to the chained SHA-256 exactly.

use super::audit_log::{part_input, pseudonym, PSEUDONYM_PREFIX};
use crate::server_key::ServerKey;
use crate::store::db::{params, Connection};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The JSON pointers of a snapshot whose values name a person, with the values.
pub(super) fn person_values(snapshot: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for field in ["issued_by", "approved_by"] {
        if let Some(v) = snapshot[field].as_str().filter(|v| !v.is_empty()) {
            out.push((format!("/{field}"), v.to_owned()));
        }
    }
    if let Some(team) = snapshot["team"].as_array() {
        for (i, member) in team.iter().enumerate() {
            for field in ["user_id", "name"] {
                if let Some(v) = member[field].as_str().filter(|v| !v.is_empty()) {
                    out.push((format!("/team/{i}/{field}"), v.to_owned()));
                }
            }
        }
    }
    out
}

/// SHA-256 of the snapshot with each listed value replaced by its digest.
pub(super) fn form_sha256(snapshot: &Value, digests: &BTreeMap<String, String>) -> String {
    let mut form = snapshot.clone();
    for (pointer, digest) in digests {
        if let Some(v) = form.pointer_mut(pointer) {
            *v = Value::String(digest.clone());
        }
    }
    hex::encode(Sha256::digest(form.to_string().as_bytes()))
}

fn mac_input(review_id: &str, version: i64, sha256: &str, form: &str) -> Vec<u8> {
    format!("qar-report-form-v1\0{review_id}\0{version}\0{sha256}\0{form}").into_bytes()
}

/// The three columns for a snapshot as issued (all its values clear).
pub(super) fn form_of(key: &ServerKey, review_id: &str, version: i64, sha256: &str, snapshot: &str) -> (String, String, String) {
    let parsed: Value = serde_json::from_str(snapshot).unwrap_or_default();
    let digests: BTreeMap<String, String> = person_values(&parsed).into_iter().map(|(p, v)| (p, key.audit_mac(&part_input(&v)))).collect();
    let form = form_sha256(&parsed, &digests);
    let mac = key.audit_mac(&mac_input(review_id, version, sha256, &form));
    (serde_json::to_string(&digests).expect("a map serialises"), form, mac)
}

/// Gives every version issued before migration 12 its form, at open. A version whose snapshot
/// no longer matches its SHA-256 is left without one: `verify-audit` reports it as changed
/// rather than this step blessing an edit.
pub(super) fn seal_missing_forms(tx: &Connection, key: &ServerKey) -> crate::store::db::Result<usize> {
    let missing: Vec<(String, i64, String, String)> = {
        let mut stmt = tx.prepare("SELECT review_id, version, sha256, snapshot FROM report_versions WHERE form_mac IS NULL")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect::<crate::store::db::Result<_>>()?
    };
    let mut sealed = 0;
    for (review_id, version, sha256, snapshot) in missing {
        if hex::encode(Sha256::digest(snapshot.as_bytes())) != sha256 {
            continue;
        }
        let (digests, form, mac) = form_of(key, &review_id, version, &sha256, &snapshot);
        tx.execute(
            "UPDATE report_versions SET person_digests = ?3, form_sha256 = ?4, form_mac = ?5 WHERE review_id = ?1 AND version = ?2",
            params![review_id, version, digests, form, mac],
        )?;
        sealed += 1;
    }
    Ok(sealed)
}

/// What is wrong with a stored version, if anything (`None`: it is as issued, apart from
/// pseudonyms in place of erased people).
pub(super) fn check(
    key: &ServerKey,
    review_id: &str,
    version: i64,
    sha256: &str,
    snapshot: &str,
    digests: Option<&str>,
    form: Option<&str>,
    mac: Option<&str>,
) -> Option<&'static str> {
    let clear_hash_fits = hex::encode(Sha256::digest(snapshot.as_bytes())) == sha256;
    let (Some(digests), Some(form), Some(mac)) = (digests, form, mac) else {
        return (!clear_hash_fits).then_some("its snapshot was changed after it was issued");
    };
    if key.audit_mac(&mac_input(review_id, version, sha256, form)) != mac {
        return Some("its erasable form was changed or made with another server key");
    }
    let (Ok(parsed), Ok(digests)) = (serde_json::from_str::<Value>(snapshot), serde_json::from_str::<BTreeMap<String, String>>(digests))
    else {
        return Some("its snapshot was changed after it was issued");
    };
    let mut pseudonymised = false;
    for (pointer, digest) in &digests {
        let Some(value) = parsed.pointer(pointer).and_then(Value::as_str) else {
            return Some("its snapshot was changed after it was issued");
        };
        if value.starts_with(PSEUDONYM_PREFIX) {
            if value != pseudonym(key, digest) {
                return Some("it holds a pseudonym that is not the one of the name it replaced");
            }
            pseudonymised = true;
        } else if key.audit_mac(&part_input(value)) != *digest {
            return Some("its snapshot was changed after it was issued");
        }
    }
    if form_sha256(&parsed, &digests) != form || (!pseudonymised && !clear_hash_fits) {
        return Some("its snapshot was changed after it was issued");
    }
    None
}

fn removal_input(review_id: &str, version: i64, sha256: &str, removed_ms: i64) -> Vec<u8> {
    format!("qar-report-removed-v1\0{review_id}\0{version}\0{sha256}\0{removed_ms}").into_bytes()
}

/// Removes a review's issued versions whose retention ended (inside the purge's transaction),
/// each leaving a removal record MACed with the key (the writer's SQL function) so
/// `verify-audit` accepts that the chained version is gone. Returns how many.
pub(super) fn remove_versions(tx: &Connection, review_id: &str, now_ms: u64) -> crate::store::db::Result<u64> {
    let versions: Vec<(i64, String)> = {
        let mut stmt = tx.prepare("SELECT version, sha256 FROM report_versions WHERE review_id = ?1")?;
        let rows = stmt.query_map([review_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<crate::store::db::Result<_>>()?
    };
    for (version, sha256) in &versions {
        let mac = super::audit_log::mac_in_tx(tx, &removal_input(review_id, *version, sha256, now_ms as i64))?;
        tx.execute(
            "INSERT INTO report_removals(review_id, version, sha256, removed_ms, mac) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![review_id, version, sha256, now_ms as i64, mac],
        )?;
        tx.execute("DELETE FROM report_versions WHERE review_id = ?1 AND version = ?2", params![review_id, version])?;
    }
    Ok(versions.len() as u64)
}

/// Whether a removal record says retention removed this version, with this SHA-256, and was
/// made with the key.
pub(super) fn removed_under_retention(
    conn: &Connection,
    key: &ServerKey,
    review_id: &str,
    version: i64,
    sha256: &str,
) -> crate::store::db::Result<bool> {
    use crate::store::db::OptionalExtension;
    let row: Option<(String, i64, String)> = conn
        .query_row(
            "SELECT sha256, removed_ms, mac FROM report_removals WHERE review_id = ?1 AND version = ?2",
            params![review_id, version],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(row.is_some_and(|(stored, removed_ms, mac)| {
        stored == sha256 && key.audit_mac(&removal_input(review_id, version, sha256, removed_ms)) == mac
    }))
}
