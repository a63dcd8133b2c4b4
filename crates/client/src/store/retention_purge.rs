//! Records the server purged under its retention policy (issue 24), removed from this laptop:
//! the rows, their full-text index entries (the delete trigger), the text of edits of them that
//! the server already has (outbox rows are kept for their numbering, emptied), and anything set
//! aside for them. A purged review goes whole, like a review the person lost access to.
//! Attachments go with their rows: the link to their sealed file inside the transaction, the
//! file itself right after it commits (the sweep removes files no row names).

use super::columns::table;
use super::{meta, Store};
use crate::error::Result;
use qar_core::protocol::PurgedRecord;
use qar_core::retention::EVIDENCE_KINDS;
use qar_core::EntityKind;
use rusqlite::Transaction;

/// The tables holding a review's records (and what was set aside for it).
const REVIEW_TABLES: [&str; 11] = [
    "evidence",
    "estimates",
    "report_sections",
    "comments",
    "conflicts",
    "plan_activities",
    "previous_reviews",
    "school_statements",
    "set_aside",
    "report_versions",
    "attachments",
];

/// The meta key of the last purge that removed records here: `{records, at_ms}`.
const LAST_PURGE: &str = "last_purge";

impl Store {
    /// How many records the last purge removed from this laptop, and when (ms).
    pub fn last_purge(&self) -> Result<Option<(u64, u64)>> {
        let note: Option<serde_json::Value> = meta::get(&self.conn, LAST_PURGE)?.and_then(|s| serde_json::from_str(&s).ok());
        Ok(note.and_then(|n| Some((n["records"].as_u64()?, n["at_ms"].as_u64()?))))
    }

    /// Removes what the server purged. Returns how many records were here and are now gone.
    pub fn apply_purged(&mut self, purged: &[PurgedRecord], now_ms: u64) -> Result<usize> {
        if purged.is_empty() {
            return Ok(0);
        }
        // Freed pages are overwritten, so the text does not linger inside the (encrypted) file.
        self.conn.pragma_update(None, "secure_delete", true)?;
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let acked = meta::acked_through(&tx)?;
        let mut removed = 0;
        let mut reviews = Vec::new();
        // Reviews whose notes (not the whole review) the server purged: what is left of them here.
        let mut evidence_purged = std::collections::BTreeSet::new();
        for p in purged {
            let (id, review_id) = (p.id.to_string(), p.review_id.to_string());
            match EntityKind::parse(&p.entity) {
                Ok(EntityKind::Review) => {
                    tx.execute(
                        "DELETE FROM attachment_files WHERE attachment_id IN (SELECT id FROM attachments WHERE review_id = ?1 UNION ALL SELECT id || ':thumb' FROM attachments WHERE review_id = ?1)",
                        [&id],
                    )?;
                    // The upload queue is this laptop's own bookkeeping, not records: not counted.
                    tx.execute("DELETE FROM attachment_uploads WHERE review_id = ?1", [&id])?;
                    for t in REVIEW_TABLES {
                        removed += tx.execute(&format!("DELETE FROM {t} WHERE review_id = ?1"), [&id])?;
                    }
                    removed += tx.execute("DELETE FROM reviews WHERE id = ?1", [&id])?;
                    // The server holds nothing of it any more: no need to keep it away.
                    tx.execute("DELETE FROM dropped_reviews WHERE review_id = ?1", [&id])?;
                    tx.execute("UPDATE outbox SET fields = '{}' WHERE review_id = ?1 AND seq <= ?2", rusqlite::params![id, acked as i64])?;
                }
                Ok(kind) => {
                    if EVIDENCE_KINDS.contains(&kind.code()) {
                        evidence_purged.insert(review_id.clone());
                    }
                    if kind == EntityKind::Attachment {
                        // A photo's thumbnail is kept under its id with ":thumb" after it.
                        tx.execute("DELETE FROM attachment_files WHERE attachment_id IN (?1, ?1 || ':thumb')", [&id])?;
                        tx.execute("DELETE FROM attachment_uploads WHERE attachment_id IN (?1, ?1 || ':thumb')", [&id])?;
                    }
                    removed += tx.execute(&format!("DELETE FROM {} WHERE id = ?1", table(kind)), [&id])?;
                    tx.execute(
                        "UPDATE outbox SET fields = '{}' WHERE entity = ?1 AND entity_id = ?2 AND seq <= ?3",
                        rusqlite::params![p.entity, id, acked as i64],
                    )?;
                }
                // A kind this build does not know can only be in what it set aside.
                Err(_) => {}
            }
            removed += tx.execute("DELETE FROM set_aside WHERE entity = ?1 AND id = ?2", [&p.entity, &id])?;
            reviews.push(review_id);
        }
        for review_id in &evidence_purged {
            removed += remove_leftovers(&tx, review_id, acked)?;
        }
        // Rewrites the index's segments so no token of a removed note survives in them.
        tx.execute("INSERT INTO evidence_fts(evidence_fts) VALUES ('optimize')", [])?;
        if removed > 0 {
            // What the sync panel says for a while: records leaving a laptop are not a surprise.
            let note = serde_json::json!({"records": removed, "at_ms": now_ms});
            meta::set(&tx, LAST_PURGE, &note.to_string())?;
        }
        tx.commit()?;
        self.conn.pragma_update(None, "secure_delete", false)?;
        // The sealed files whose rows just went. A failure here leaves a file no row names,
        // unreadable without the row, and swept again at the next open.
        if let Err(e) = self.sweep_attachment_files() {
            tracing::warn!("could not remove the files of purged attachments yet: {e}");
        }
        self.changed_reviews.extend(reviews);
        Ok(removed)
    }
}

/// The server purges a review's notes, comments, conflicts, plan and attachments all at once
/// (they fall due together, at the same time after issue), so what is left of those kinds on this
/// laptop after the purge never reached the server: edits it refused (written offline, sent after
/// the review was issued) and their local rows. They go too, as the purged ones did, except
/// records with an edit still waiting to be sent, which the server answers first (decision 87).
fn remove_leftovers(tx: &Transaction, review_id: &str, acked: u64) -> Result<usize> {
    let mut removed = 0;
    for code in EVIDENCE_KINDS {
        let Ok(kind) = EntityKind::parse(code) else { continue };
        let t = table(kind);
        let unsent = "SELECT entity_id FROM outbox WHERE entity = ?2 AND seq > ?3";
        let params = rusqlite::params![review_id, code, acked as i64];
        if kind == EntityKind::Attachment {
            let ids = format!(
                "SELECT id FROM attachments WHERE review_id = ?1 AND id NOT IN ({unsent})
                 UNION ALL SELECT id || ':thumb' FROM attachments WHERE review_id = ?1 AND id NOT IN ({unsent})"
            );
            tx.execute(&format!("DELETE FROM attachment_files WHERE attachment_id IN ({ids})"), params)?;
            tx.execute(&format!("DELETE FROM attachment_uploads WHERE attachment_id IN ({ids})"), params)?;
        }
        tx.execute(
            &format!("UPDATE outbox SET fields = '{{}}' WHERE entity = ?2 AND seq <= ?3 AND entity_id IN (SELECT id FROM {t} WHERE review_id = ?1 AND id NOT IN ({unsent}))"),
            params,
        )?;
        removed += tx.execute(&format!("DELETE FROM {t} WHERE review_id = ?1 AND id NOT IN ({unsent})"), params)?;
    }
    Ok(removed)
}
