//! The append-only, hash-chained audit log (issue 8): one row per accepted push, sign-in,
//! approval, return and revocation, written in the same transaction as what it records.
//! `hash = SHA-256(prev_hash, seq, at_ms, kind, actor, device, subject, detail)`, each part
//! length-prefixed; `verify_audit` walks the chain and names the first row that does not fit.

use super::{ServerStore, StoreError};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, by whom, from which laptop, to what.
pub(crate) struct Event<'a> {
    pub kind: &'a str,
    pub actor: &'a str,
    pub device_id: &'a str,
    pub subject: &'a str,
    /// Small JSON with the facts that matter (seq range and digest of a push, a reason…).
    pub detail: String,
}

fn row_hash(prev: &str, seq: i64, at_ms: i64, e: &Event) -> String {
    let mut h = Sha256::new();
    let seq_text = seq.to_string();
    let at_text = at_ms.to_string();
    for part in [prev, &seq_text, &at_text, e.kind, e.actor, e.device_id, e.subject, &e.detail] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends one event inside the caller's transaction.
pub(crate) fn append(conn: &Connection, e: &Event, at_ms: u64) -> rusqlite::Result<()> {
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev) = last.map_or((1, GENESIS.to_owned()), |(s, h)| (s + 1, h));
    let hash = row_hash(&prev, seq, at_ms as i64, e);
    conn.prepare_cached(
        "INSERT INTO audit_log(seq, at_ms, kind, actor, device_id, subject, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![seq, at_ms as i64, e.kind, e.actor, e.device_id, e.subject, e.detail, prev, hash])?;
    conn.prepare_cached("INSERT INTO meta(key, value) VALUES ('audit_head', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value")?
        .execute([format!("{seq}:{hash}")])?;
    Ok(())
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerdict {
    pub entries: u64,
    /// `None` when the chain is whole; else the first place it breaks and why.
    pub broken: Option<(i64, String)>,
}

impl ServerStore {
    /// Recomputes every row's hash in order: an edited row, a removed row (a gap or a
    /// `prev_hash` that no longer fits) or a removed tail (the head in `meta` disagrees) is found.
    pub fn verify_audit(&self) -> Result<AuditVerdict, StoreError> {
        let conn = self.reader();
        let mut stmt = conn.prepare("SELECT seq, at_ms, kind, actor, device_id, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        let (mut expected_seq, mut prev, mut entries) = (1i64, GENESIS.to_owned(), 0u64);
        let broken = |entries: u64, seq: i64, why: &str| Ok(AuditVerdict { entries, broken: Some((seq, why.to_owned())) });
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            let (kind, actor, device_id, subject): (String, String, String, String) = (r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
            let e = Event { kind: &kind, actor: &actor, device_id: &device_id, subject: &subject, detail: r.get(6)? };
            let (stored_prev, stored_hash): (String, String) = (r.get(7)?, r.get(8)?);
            if seq != expected_seq {
                return broken(entries, expected_seq, "an entry is missing here");
            }
            if stored_prev != prev {
                return broken(entries, seq, "it does not follow the entry before it");
            }
            if row_hash(&prev, seq, r.get(1)?, &e) != stored_hash {
                return broken(entries, seq, "its content was changed after it was written");
            }
            prev = stored_hash;
            expected_seq += 1;
            entries += 1;
        }
        let head: Option<String> =
            conn.query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| r.get(0)).optional()?;
        let expected_head = (entries > 0).then(|| format!("{}:{prev}", expected_seq - 1));
        if head != expected_head {
            return broken(entries, expected_seq, "entries at the end were removed");
        }
        Ok(AuditVerdict { entries, broken: None })
    }
}
