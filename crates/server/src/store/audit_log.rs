//! The append-only audit chain (issue 8, keyed in issue 15): one row per accepted push, sign-in,
//! approval, issue, return and revocation, written in the same transaction as what it records.
//!
//! A row (scheme 1) stores its clear values and, beside them, keyed digests of the parts that
//! may name a person: `d(part) = HMAC(audit key, value)` for actor, device, subject and detail
//! (their place in the MAC input says which part is which). Its MAC is `HMAC(audit key, prev MAC, seq, at_ms, kind, the four digests)`. Without
//! the key (kept outside the database, see `server_key`) nobody can recompute a MAC, so an edited
//! row, a re-forged chain or a row written with another key is found. Because the MAC covers the
//! digests and not the clear values, erasing a person later replaces the clear value with a
//! pseudonym and keeps the digest: the chain still verifies. The pseudonym is derived from the
//! digest with the key (`erased:` + 16 hex digits), so the same person reads the same in every
//! entry and column, and a pseudonym copied onto another person's entry does not fit it.
//!
//! Rows from before the key (scheme 0, `SHA-256(prev, seq, at_ms, kind, actor, device, subject,
//! detail)`) are a legacy prefix. Where that prefix ends is recorded in `meta` with a MAC when
//! the store first opens with a key, so rewriting later rows as unkeyed ones is found too.
//!
//! The head (`SEQ:MAC`) is also exported (`qar-server audit-head`, `--audit-head-export`): a
//! removed tail is found against such an outside copy (`verify-audit --expect-head`).

use super::{ServerStore, StoreError};
use crate::server_key::ServerKey;
use crate::store::db::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// How a pseudonymised clear value starts.
pub const PSEUDONYM_PREFIX: &str = "erased:";
/// What happened, by whom, from which laptop, to what.
pub(crate) struct Event<'a> {
    pub kind: &'a str,
    pub actor: &'a str,
    pub device_id: &'a str,
    pub subject: &'a str,
    /// Small JSON with the facts that matter (seq range and digests of a push, a reason…).
    pub detail: String,
}

/// A MAC with the audit subkey, on the writer (which holds the server key).
pub(super) fn mac_in_tx(conn: &Connection, data: &[u8]) -> crate::store::db::Result<String> {
    Ok(conn.server_key()?.audit_mac(data))
}

fn legacy_hash(prev: &str, seq: i64, at_ms: i64, e: &Event) -> String {
    let mut h = Sha256::new();
    let seq_text = seq.to_string();
    let at_text = at_ms.to_string();
    for part in [prev, &seq_text, &at_text, e.kind, e.actor, e.device_id, e.subject, &e.detail] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// What a part's digest is the MAC of.
pub(super) fn part_input(value: &str) -> Vec<u8> {
    [b"qar-audit-part-v1\0".as_slice(), value.as_bytes()].concat()
}

/// The pseudonym that replaces a clear value whose digest is `digest`.
pub(super) fn pseudonym(key: &ServerKey, digest: &str) -> String {
    let mac = key.audit_mac(format!("qar-audit-pseudonym-v1\0{digest}").as_bytes());
    format!("{PSEUDONYM_PREFIX}{}", &mac[..16])
}

/// What a row's MAC is the MAC of: each part length-prefixed.
fn row_input(prev: &str, seq: i64, at_ms: i64, kind: &str, digests: &[String; 4]) -> Vec<u8> {
    let mut out = b"qar-audit-row-v1".to_vec();
    let (seq, at) = (seq.to_string(), at_ms.to_string());
    for part in [prev, &seq, &at, kind, &digests[0], &digests[1], &digests[2], &digests[3]] {
        out.extend_from_slice(&(part.len() as u64).to_le_bytes());
        out.extend_from_slice(part.as_bytes());
    }
    out
}

fn legacy_end_input(seq: i64, hash: &str) -> Vec<u8> {
    format!("qar-audit-legacy-end-v1\0{seq}:{hash}").into_bytes()
}

/// Appends one event inside the caller's transaction (the connection must have the MAC function).
pub(crate) fn append(conn: &Connection, e: &Event, at_ms: u64) -> crate::store::db::Result<()> {
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev) = last.map_or((1, GENESIS.to_owned()), |(s, h)| (s + 1, h));
    let key = conn.server_key()?;
    let digests: [String; 4] = [e.actor, e.device_id, e.subject, &e.detail].map(|part| key.audit_mac(&part_input(part)));
    let mac = key.audit_mac(&row_input(&prev, seq, at_ms as i64, e.kind, &digests));
    conn.prepare_cached(
        "INSERT INTO audit_log(seq, at_ms, kind, actor, device_id, subject, detail, prev_hash, hash,
                               scheme, actor_digest, device_digest, subject_digest, detail_digest)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        seq,
        at_ms as i64,
        e.kind,
        e.actor,
        e.device_id,
        e.subject,
        e.detail,
        prev,
        mac,
        digests[0],
        digests[1],
        digests[2],
        digests[3]
    ])?;
    conn.prepare_cached("INSERT INTO meta(key, value) VALUES ('audit_head', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value")?
        .execute([format!("{seq}:{mac}")])?;
    Ok(())
}

/// Records, once, where the unkeyed (legacy) rows end, with a MAC: run at every open. Does
/// nothing when the record exists, or when keyed rows exist without it (verify reports that).
pub(super) fn seal_legacy_segment(conn: &Connection, key: &ServerKey) -> crate::store::db::Result<()> {
    if conn.prepare("SELECT 1 FROM meta WHERE key = 'audit_legacy_end'")?.exists([])? {
        return Ok(());
    }
    if conn.prepare("SELECT 1 FROM audit_log WHERE scheme = 1")?.exists([])? {
        return Ok(());
    }
    let (seq, hash): (i64, String) = conn
        .query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, GENESIS.to_owned()));
    let mac = key.audit_mac(&legacy_end_input(seq, &hash));
    conn.execute("INSERT INTO meta(key, value) VALUES ('audit_legacy_end', ?1)", [format!("{seq}:{hash}:{mac}")])?;
    Ok(())
}

/// seq, at_ms, kind, the four clear parts, prev_hash, hash, scheme.
type LegacyRow = (i64, i64, String, [String; 4], String, String, i64);

fn legacy_rekey_input(prev: &str, seq: i64, at_ms: i64, kind: &str, digests: &[String; 4], hash: &str) -> Vec<u8> {
    let mut out = b"qar-audit-legacy-rekey-v1".to_vec();
    let (seq, at) = (seq.to_string(), at_ms.to_string());
    for part in [prev, &seq, &at, kind, &digests[0], &digests[1], &digests[2], &digests[3], hash] {
        out.extend_from_slice(&(part.len() as u64).to_le_bytes());
        out.extend_from_slice(part.as_bytes());
    }
    out
}

/// Moves the unkeyed entries over (migration 12, run at every open; does nothing once done):
/// each gets keyed digests of its parts and a MAC over them and its unchanged SHA-256, so it
/// can be pseudonymised like a keyed entry. Only when the whole legacy segment still verifies
/// up to its sealed end: an edited segment is left for `verify-audit` to report, not blessed.
pub(super) fn rekey_legacy(conn: &Connection, key: &ServerKey) -> crate::store::db::Result<usize> {
    if !conn.prepare("SELECT 1 FROM audit_log WHERE scheme = 0 AND legacy_mac IS NULL")?.exists([])? {
        return Ok(0);
    }
    let end: Option<String> = conn.query_row("SELECT value FROM meta WHERE key = 'audit_legacy_end'", [], |r| r.get(0)).optional()?;
    let Some((end_seq, end_hash)) = end.as_deref().and_then(|v| {
        let (seq, rest) = v.split_once(':')?;
        let (hash, mac) = rest.split_once(':')?;
        let seq: i64 = seq.parse().ok()?;
        (key.audit_mac(&legacy_end_input(seq, hash)) == mac).then(|| (seq, hash.to_owned()))
    }) else {
        return Ok(0);
    };
    let rows: Vec<LegacyRow> = {
        let mut stmt = conn.prepare(
            "SELECT seq, at_ms, kind, actor, device_id, subject, detail, prev_hash, hash, scheme FROM audit_log WHERE seq <= ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([end_seq], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, [r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?], r.get(7)?, r.get(8)?, r.get(9)?))
        })?;
        rows.collect::<crate::store::db::Result<_>>()?
    };
    let mut prev = GENESIS.to_owned();
    for (i, (seq, at_ms, kind, parts, stored_prev, hash, scheme)) in rows.iter().enumerate() {
        let e = Event { kind, actor: &parts[0], device_id: &parts[1], subject: &parts[2], detail: parts[3].clone() };
        if *seq != i as i64 + 1 || *scheme != 0 || *stored_prev != prev || legacy_hash(&prev, *seq, *at_ms, &e) != *hash {
            return Ok(0);
        }
        prev = hash.clone();
    }
    if rows.len() as i64 != end_seq || prev != end_hash {
        return Ok(0);
    }
    let mut moved = 0;
    for (seq, at_ms, kind, parts, stored_prev, hash, _) in &rows {
        let digests: [String; 4] = std::array::from_fn(|i| key.audit_mac(&part_input(&parts[i])));
        let mac = key.audit_mac(&legacy_rekey_input(stored_prev, *seq, *at_ms, kind, &digests, hash));
        moved += conn.execute(
            "UPDATE audit_log SET actor_digest = ?2, device_digest = ?3, subject_digest = ?4, detail_digest = ?5, legacy_mac = ?6
             WHERE seq = ?1 AND legacy_mac IS NULL",
            params![seq, digests[0], digests[1], digests[2], digests[3], mac],
        )?;
    }
    Ok(moved)
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerdict {
    pub entries: u64,
    /// `None` when the chain is whole; else the first place it breaks and why.
    pub broken: Option<(i64, String)>,
    /// Entries from before the chain was keyed, checked with their SHA-256.
    pub legacy_entries: u64,
    /// Clear values replaced by a pseudonym (their digests are still covered by the MAC).
    pub pseudonymised: u64,
    /// Issued report versions checked against the chain.
    pub versions_checked: u64,
    /// Issued versions removed by the purge after their retention (a keyed removal record each).
    pub versions_removed: u64,
    /// Issued versions whose snapshot was changed, added or removed outside the server.
    pub version_problems: Vec<String>,
}

impl AuditVerdict {
    pub fn intact(&self) -> bool {
        self.broken.is_none() && self.version_problems.is_empty()
    }
}

/// An exported head, `SEQ:MAC`.
pub fn parse_head(text: &str) -> Option<(i64, String)> {
    let (seq, mac) = text.trim().split_once(':')?;
    let seq = seq.parse().ok().filter(|s| *s >= 1)?;
    (mac.len() == 64 && mac.bytes().all(|b| b.is_ascii_hexdigit())).then(|| (seq, mac.to_ascii_lowercase()))
}

/// One issued version as the chain recorded it.
struct Issued {
    sha256: String,
    entry: i64,
}

impl ServerStore {
    /// The chain's newest entry, `(seq, MAC)`, for exporting.
    pub fn audit_head(&self) -> Result<Option<(i64, String)>, StoreError> {
        let conn = self.reader();
        Ok(conn.query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
    }

    /// [`ServerStore::verify_audit_against`] without an exported head.
    pub fn verify_audit(&self) -> Result<AuditVerdict, StoreError> {
        self.verify_audit_against(None)
    }

    /// Recomputes every entry with the key, in order: an edited row, a removed row (a gap or a
    /// `prev_hash` that no longer fits), a row written with another key, a removed tail (the
    /// head in `meta` disagrees or, better, the `expected` head exported earlier is not in the
    /// chain) is found. Then every issued report version is checked against its issue entry.
    pub fn verify_audit_against(&self, expected: Option<(i64, String)>) -> Result<AuditVerdict, StoreError> {
        let conn = self.reader();
        let mut verdict = AuditVerdict {
            entries: 0,
            broken: None,
            legacy_entries: 0,
            pseudonymised: 0,
            versions_checked: 0,
            versions_removed: 0,
            version_problems: vec![],
        };
        let broken = |mut v: AuditVerdict, seq: i64, why: &str| {
            v.broken = Some((seq, why.to_owned()));
            Ok(v)
        };
        let legacy_end: Option<String> =
            conn.query_row("SELECT value FROM meta WHERE key = 'audit_legacy_end'", [], |r| r.get(0)).optional()?;
        let legacy_end = legacy_end.as_deref().and_then(|v| {
            let (seq, rest) = v.split_once(':')?;
            let (hash, mac) = rest.split_once(':')?;
            let seq: i64 = seq.parse().ok()?;
            (self.key.audit_mac(&legacy_end_input(seq, hash)) == mac).then(|| (seq, hash.to_owned()))
        });
        let Some((legacy_seq, legacy_hash_at_end)) = legacy_end else {
            return broken(verdict, 1, "the record of where the unkeyed entries end is missing, was changed, or belongs to another key");
        };
        let mut stmt = conn.prepare(
            "SELECT seq, at_ms, kind, actor, device_id, subject, detail, prev_hash, hash, scheme,
                    actor_digest, device_digest, subject_digest, detail_digest, legacy_mac
             FROM audit_log ORDER BY seq",
        )?;
        let mut rows = stmt.query([])?;
        let (mut expected_seq, mut prev) = (1i64, GENESIS.to_owned());
        let mut expected_mac_seen = false;
        let mut issued: BTreeMap<(String, i64), Issued> = BTreeMap::new();
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            let at_ms: i64 = r.get(1)?;
            let (kind, actor, device_id, subject): (String, String, String, String) = (r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
            let e = Event { kind: &kind, actor: &actor, device_id: &device_id, subject: &subject, detail: r.get(6)? };
            let (stored_prev, stored_hash, scheme): (String, String, i64) = (r.get(7)?, r.get(8)?, r.get(9)?);
            if seq != expected_seq {
                return broken(verdict, expected_seq, "an entry is missing here");
            }
            if stored_prev != prev {
                return broken(verdict, seq, "it does not follow the entry before it");
            }
            let changed = "its content was changed after it was written";
            if scheme == 0 {
                if seq > legacy_seq {
                    return broken(
                        verdict,
                        seq,
                        "it is an unkeyed entry where the keyed chain had begun: it was rewritten without the server key",
                    );
                }
                if seq == legacy_seq && stored_hash != legacy_hash_at_end {
                    return broken(verdict, seq, changed);
                }
                if let Some(legacy_mac) = r.get::<_, Option<String>>(14)? {
                    // Moved over (migration 12): its parts against their digests, the MAC over
                    // digests and the SHA-256 it was chained with.
                    let Some(digests) = checked_digests(&self.key, r, [e.actor, e.device_id, e.subject, e.detail.as_str()], &mut verdict)?
                    else {
                        return broken(verdict, seq, changed);
                    };
                    if digests.iter().any(|d| d.starts_with('!')) {
                        return broken(verdict, seq, "it holds a pseudonym that is not the one of the value it replaced");
                    }
                    if self.key.audit_mac(&legacy_rekey_input(&prev, seq, at_ms, &kind, &digests, &stored_hash)) != legacy_mac {
                        return broken(
                            verdict,
                            seq,
                            "its content was changed after it was written, or it was moved over with another server key",
                        );
                    }
                } else if legacy_hash(&prev, seq, at_ms, &e) != stored_hash {
                    return broken(verdict, seq, changed);
                }
                verdict.legacy_entries += 1;
            } else {
                if seq <= legacy_seq {
                    return broken(verdict, seq, changed);
                }
                let clear = [e.actor, e.device_id, e.subject, e.detail.as_str()];
                let mut digests: [String; 4] = Default::default();
                for i in 0..4 {
                    let Some(stored): Option<String> = r.get(10 + i)? else {
                        return broken(verdict, seq, changed);
                    };
                    if clear[i].starts_with(PSEUDONYM_PREFIX) {
                        if clear[i] != pseudonym(&self.key, &stored) {
                            return broken(verdict, seq, "it holds a pseudonym that is not the one of the value it replaced");
                        }
                        verdict.pseudonymised += 1;
                    } else if self.key.audit_mac(&part_input(clear[i])) != stored {
                        return broken(verdict, seq, changed);
                    }
                    digests[i] = stored;
                }
                if self.key.audit_mac(&row_input(&prev, seq, at_ms, &kind, &digests)) != stored_hash {
                    return broken(verdict, seq, "its content was changed after it was written, or it was written with another server key");
                }
            }
            if let Some((head_seq, head_mac)) = &expected {
                if *head_seq == seq {
                    if &stored_hash != head_mac {
                        return broken(
                            verdict,
                            seq,
                            "it is not the entry of the exported head: the chain was rewritten from here or earlier",
                        );
                    }
                    expected_mac_seen = true;
                }
            }
            if kind == "issue" && !e.detail.starts_with(PSEUDONYM_PREFIX) {
                let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
                if let (Some(version), Some(sha256)) = (detail["version"].as_i64(), detail["sha256"].as_str()) {
                    issued.insert((subject.clone(), version), Issued { sha256: sha256.to_owned(), entry: seq });
                }
            }
            prev = stored_hash;
            expected_seq += 1;
            verdict.entries += 1;
        }
        if legacy_seq >= expected_seq {
            return broken(verdict, expected_seq, "entries at the end were removed");
        }
        let head: Option<String> = conn.query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| r.get(0)).optional()?;
        let expected_head = (verdict.entries > 0).then(|| format!("{}:{prev}", expected_seq - 1));
        if head != expected_head {
            return broken(verdict, expected_seq, "entries at the end were removed");
        }
        if let Some((head_seq, _)) = expected {
            if !expected_mac_seen {
                let why = format!(
                    "entries at the end were removed: the exported head is entry {head_seq}, the chain ends at {}",
                    expected_seq - 1
                );
                return broken(verdict, expected_seq, &why);
            }
        }
        check_versions(&conn, &self.key, &mut issued, &mut verdict)?;
        Ok(verdict)
    }

    /// Replaces a person's id where they acted or were acted on with a stable pseudonym, on
    /// keyed entries (for the data-lifecycle work; no endpoint yet). The chain still verifies.
    /// Returns the number of values replaced.
    pub fn pseudonymise_in_audit(&self, user_id: &str) -> Result<u64, StoreError> {
        let pseudonym = pseudonym(&self.key, &self.key.audit_mac(&part_input(user_id)));
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let actors = tx.execute(
            "UPDATE audit_log SET actor = ?2 WHERE actor = ?1 AND (scheme = 1 OR legacy_mac IS NOT NULL)",
            params![user_id, pseudonym],
        )?;
        let subjects = tx.execute(
            "UPDATE audit_log SET subject = ?2 WHERE subject = ?1 AND (scheme = 1 OR legacy_mac IS NOT NULL)",
            params![user_id, pseudonym],
        )?;
        tx.commit()?;
        Ok((actors + subjects) as u64)
    }
}

/// The stored digests of a row's four parts (columns 10..13), each clear value checked against
/// its digest; a pseudonym that does not fit its digest comes back as `!` + digest. `None` when a
/// digest is missing or a clear value does not fit.
fn checked_digests(
    key: &ServerKey,
    r: &crate::store::db::Row,
    clear: [&str; 4],
    verdict: &mut AuditVerdict,
) -> crate::store::db::Result<Option<[String; 4]>> {
    let mut digests: [String; 4] = Default::default();
    for i in 0..4 {
        let Some(stored): Option<String> = r.get(10 + i)? else {
            return Ok(None);
        };
        if clear[i].starts_with(PSEUDONYM_PREFIX) {
            if clear[i] != pseudonym(key, &stored) {
                digests[i] = format!("!{stored}");
                continue;
            }
            verdict.pseudonymised += 1;
        } else if key.audit_mac(&part_input(clear[i])) != stored {
            return Ok(None);
        }
        digests[i] = stored;
    }
    Ok(Some(digests))
}

/// Every stored version must be the one its issue entry chained, byte for byte; every issue
/// entry must still have its version.
fn check_versions(
    conn: &Connection,
    key: &ServerKey,
    issued: &mut BTreeMap<(String, i64), Issued>,
    verdict: &mut AuditVerdict,
) -> crate::store::db::Result<()> {
    let mut stmt = conn.prepare(
        "SELECT review_id, version, snapshot, sha256, person_digests, form_sha256, form_mac FROM report_versions ORDER BY review_id, version",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (review, version, snapshot, sha256): (String, i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        let (digests, form, mac): (Option<String>, Option<String>, Option<String>) = (r.get(4)?, r.get(5)?, r.get(6)?);
        verdict.versions_checked += 1;
        let name = format!("review {review} version {version}");
        // The erasable form (migration 12): names may have become pseudonyms, nothing else.
        if let Some(why) =
            super::report_forms::check(key, &review, version, &sha256, &snapshot, digests.as_deref(), form.as_deref(), mac.as_deref())
        {
            verdict.version_problems.push(format!("{name}: {why}"));
        }
        match issued.remove(&(review, version)) {
            None => verdict.version_problems.push(format!("{name}: it is in no issue entry of the audit chain (added outside the server)")),
            Some(chained) if chained.sha256 != sha256 => {
                verdict.version_problems.push(format!("{name}: it is not the snapshot issued in audit entry {}", chained.entry))
            }
            Some(_) => {}
        }
    }
    for ((review, version), chained) in issued.iter() {
        if super::report_forms::removed_under_retention(conn, key, review, *version, &chained.sha256)? {
            verdict.versions_removed += 1;
            continue;
        }
        verdict
            .version_problems
            .push(format!("review {review} version {version}: issued in audit entry {} but its snapshot is gone", chained.entry));
    }
    Ok(())
}
