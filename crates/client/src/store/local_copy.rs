//! "Remove this review from this laptop" (issue 24, decision 88): a person drops the local copy
//! of an issued review once the server holds everything of it. Its records go (notes, comments,
//! the report's parts, attachments with their sealed files, what was set aside for it), with
//! their search-index entries and the text of edits already sent; the review is remembered in
//! `dropped_reviews`, which every pull honours, so the copy does not come back. The server keeps
//! the review under the partnership's retention policy; nothing is sent to it.

use super::{lost_access::REVIEW_TABLES, meta, Store};
use crate::error::{ClientError, Result};
use crate::model::LocalCopy;
use qar_core::retention::{local_copy_due, may_drop_local_copy, DEFAULT_KEEP_ISSUED_DAYS, KEEP_ISSUED_DAYS};
use qar_core::{ErrorCode, ReviewState};
use rusqlite::{Connection, OptionalExtension};
use std::collections::BTreeSet;
use uuid::Uuid;

/// The meta key of the setting: days, or [`KEEP_FOR_GOOD`].
const KEEP_KEY: &str = "keep_issued_days";
const KEEP_FOR_GOOD: &str = "for_good";

/// What the person is told stays on the server when they drop a review's local copy.
pub const KEPT_ON_THE_SERVER: &str = "The server keeps this review as the partnership's retention policy says: the issued report for \
     years, the notes, comments and photos until their retention ends. The team and the hub coordinator can still read it there, \
     and the school keeps its issued report. Only this laptop's copy goes, and it does not come back at the next sync.";

impl Store {
    /// What this laptop holds of a review and whether its copy may be dropped now.
    pub fn local_copy(&self, review_id: &str) -> Result<LocalCopy> {
        describe(&self.conn, review_id)
    }

    /// Removes this laptop's copy of an issued review with nothing left to send. Refused (and
    /// nothing changed) for a review still under way or with unsent work. Returns what went.
    pub fn drop_local_copy(&mut self, review_id: &str, now_ms: u64) -> Result<LocalCopy> {
        // Freed pages are overwritten, so the text does not linger inside the (encrypted) file.
        self.conn.pragma_update(None, "secure_delete", true)?;
        let dropped = drop_in_transaction(&mut self.conn, review_id, now_ms);
        self.conn.pragma_update(None, "secure_delete", false)?;
        let copy = dropped?;
        // Sealed files no row names any more: unreadable already, removed now or at the next open.
        if let Err(e) = self.sweep_attachment_files() {
            tracing::warn!(error = %e, "the attachment files of a dropped review stay until the next open");
        }
        self.changed_reviews.insert(review_id.to_owned());
        Ok(copy)
    }

    /// Days an issued review stays on this laptop after its issue before its copy leaves by
    /// itself; `None`: until the person removes it. The default keeps it a month.
    pub fn keep_issued_days(&self) -> Result<Option<u32>> {
        Ok(match meta::get(&self.conn, KEEP_KEY)?.as_deref() {
            None => Some(DEFAULT_KEEP_ISSUED_DAYS),
            Some(KEEP_FOR_GOOD) => None,
            Some(days) => Some(days.parse().unwrap_or(DEFAULT_KEEP_ISSUED_DAYS)),
        })
    }

    pub fn set_keep_issued_days(&self, days: Option<u32>) -> Result<()> {
        let value = match days {
            None => KEEP_FOR_GOOD.to_owned(),
            Some(d) if (KEEP_ISSUED_DAYS.0..=KEEP_ISSUED_DAYS.1).contains(&d) => d.to_string(),
            Some(d) => {
                return Err(ClientError::Invalid(qar_core::ValidationError::OutOfRange {
                    field: "Days to keep issued reviews",
                    value: i64::from(d),
                    min: i64::from(KEEP_ISSUED_DAYS.0),
                    max: i64::from(KEEP_ISSUED_DAYS.1),
                }))
            }
        };
        meta::set(&self.conn, KEEP_KEY, &value)
    }

    /// Drops the copy of every issued review kept here longer than the setting allows, where
    /// nothing of it waits to be sent (those stay until a later sync has sent them). Returns the
    /// schools whose reviews left. Run after each sync.
    pub fn drop_due_local_copies(&mut self, now_ms: u64) -> Result<Vec<String>> {
        let Some(days) = self.keep_issued_days()? else { return Ok(vec![]) };
        let issued: Vec<(String, String)> = self
            .conn
            .prepare_cached("SELECT id, versions FROM reviews WHERE state IN ('issued', 'archived') AND deleted = 0")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut dropped = Vec::new();
        for (review_id, versions) in issued {
            // When the review was issued: the wall time of its state's stamp (written by the server).
            let versions: std::collections::BTreeMap<String, qar_core::Hlc> = serde_json::from_str(&versions).unwrap_or_default();
            let Some(issued_ms) = versions.get("state").map(|v| v.wall_ms) else { continue };
            if !local_copy_due(issued_ms, Some(days), now_ms) || describe(&self.conn, &review_id)?.why_not.is_some() {
                continue;
            }
            dropped.push(self.drop_local_copy(&review_id, now_ms)?.school_name);
        }
        Ok(dropped)
    }

    /// Reviews whose local copy was dropped here (a pull skips their records).
    pub fn dropped_reviews(&self) -> Result<BTreeSet<Uuid>> {
        dropped(&self.conn)
    }
}

fn drop_in_transaction(conn: &mut Connection, review_id: &str, now_ms: u64) -> Result<LocalCopy> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let copy = describe(&tx, review_id)?;
    if let Some(why) = &copy.why_not {
        let reason = if copy.unsent_changes + copy.unsent_files > 0 { ErrorCode::UnsentWork } else { ErrorCode::WrongState };
        return Err(ClientError::Denied { reason, message: why.clone() });
    }
    tx.execute("DELETE FROM attachment_files WHERE attachment_id IN (SELECT id FROM attachments WHERE review_id = ?1 UNION ALL SELECT id || ':thumb' FROM attachments WHERE review_id = ?1)", [review_id])?;
    for table in REVIEW_TABLES.iter().chain(&["report_versions"]) {
        tx.execute(&format!("DELETE FROM {table} WHERE review_id = ?1"), [review_id])?;
    }
    tx.execute("DELETE FROM reviews WHERE id = ?1", [review_id])?;
    // Every op of the review is acknowledged (checked above): the rows stay for their numbering,
    // their text goes.
    tx.execute("UPDATE outbox SET fields = '{}' WHERE review_id = ?1", [review_id])?;
    tx.execute(
        "INSERT INTO dropped_reviews(review_id, dropped_at_ms) VALUES (?1, ?2)
         ON CONFLICT(review_id) DO UPDATE SET dropped_at_ms = excluded.dropped_at_ms",
        rusqlite::params![review_id, now_ms as i64],
    )?;
    // Rewrites the index's segments so no token of a removed note survives in them.
    tx.execute("INSERT INTO evidence_fts(evidence_fts) VALUES ('optimize')", [])?;
    tx.commit()?;
    Ok(copy)
}

fn describe(conn: &Connection, review_id: &str) -> Result<LocalCopy> {
    let row: Option<(String, String)> = conn
        .prepare_cached("SELECT state, school_name FROM reviews WHERE id = ?1 AND deleted = 0")?
        .query_row([review_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (state, school_name) = row.ok_or_else(|| ClientError::NotFound { what: format!("Review {review_id}") })?;
    let state = ReviewState::parse(&state)?;
    let count = |sql: &str| -> rusqlite::Result<u32> { conn.prepare_cached(sql)?.query_row([review_id], |r| r.get(0)) };
    let acked = meta::acked_through(conn)? as i64;
    let unsent_changes: u32 = conn
        .prepare_cached("SELECT count(*) FROM outbox WHERE review_id = ?1 AND seq > ?2")?
        .query_row(rusqlite::params![review_id, acked], |r| r.get(0))?;
    let unsent_files = count("SELECT count(DISTINCT replace(attachment_id, ':thumb', '')) FROM attachment_uploads WHERE review_id = ?1")?;
    Ok(LocalCopy {
        review_id: review_id.to_owned(),
        school_name,
        notes: count("SELECT count(*) FROM evidence WHERE review_id = ?1 AND deleted = 0")?,
        comments: count("SELECT count(*) FROM comments WHERE review_id = ?1 AND deleted = 0")?,
        // Files as people attached them: a photo's thumbnail is part of it.
        files: count("SELECT count(*) FROM attachment_files WHERE attachment_id IN (SELECT id FROM attachments WHERE review_id = ?1)")?,
        unsent_changes,
        unsent_files,
        why_not: may_drop_local_copy(state, unsent_changes, unsent_files).err(),
        kept_on_the_server: KEPT_ON_THE_SERVER.to_owned(),
    })
}

pub(super) fn dropped(conn: &Connection) -> Result<BTreeSet<Uuid>> {
    let mut stmt = conn.prepare_cached("SELECT review_id FROM dropped_reviews")?;
    let ids = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = BTreeSet::new();
    for id in ids {
        if let Ok(id) = id?.parse() {
            out.insert(id);
        }
    }
    Ok(out)
}
