//! The pull path: applying a page of server changes and the cursor in one transaction.

use super::outbox::{field_version, set_field};
use super::{meta, Store};
use crate::error::Result;
use qar_core::protocol::{Change, PullResponse};
use qar_core::{validate_field, EntityKind};
use rusqlite::{params, Transaction};

impl Store {
    pub fn pull_cursor(&self) -> Result<u64> {
        Ok(meta::parse_u64(meta::get(&self.conn, "pull_cursor")?))
    }

    /// Applies one pulled page and advances the cursor atomically, so a crash between pages
    /// re-pulls at most one page and never skips one. Returns how many fields changed here.
    pub fn apply_pull(&mut self, page: &PullResponse, now_ms: u64) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let mut applied = 0;
        for change in &page.changes {
            self.clock.observe(change.version, now_ms);
            if apply_change(&tx, change)? {
                applied += 1;
            }
        }
        meta::set(&tx, "pull_cursor", &page.cursor.to_string())?;
        meta::set_clock(&tx, self.clock.last())?;
        tx.commit()?;
        Ok(applied)
    }
}

fn apply_change(tx: &Transaction, c: &Change) -> Result<bool> {
    if let Err(e) = validate_field(c.entity, &c.field, &c.value) {
        // A value this build cannot hold (say, from a newer schema) must not block the rest.
        tracing::warn!(entity = c.entity.code(), id = %c.id, field = %c.field, "skipping pulled value: {e}");
        return Ok(false);
    }
    // A field with a local edit still in flight keeps the local value: the server will merge
    // the two when the edit arrives and send the outcome back.
    let pending: bool = tx
        .prepare_cached("SELECT 1 FROM outbox WHERE entity = ?1 AND entity_id = ?2 AND field = ?3 AND acked_at_ms IS NULL")?
        .exists(params![c.entity.code(), c.id.to_string(), c.field])?;
    if pending || field_version(tx, c.entity, c.id, &c.field)? == Some(c.version) {
        return Ok(false);
    }
    let at = c.version.wall_ms as i64;
    // Pages are ordered by server sequence, not by record, so evidence may arrive before the
    // fields of its review: hold a placeholder row that the review's own fields fill in.
    tx.prepare_cached("INSERT OR IGNORE INTO reviews(id, created_at_ms, updated_at_ms) VALUES (?1, ?2, ?2)")?
        .execute(params![c.review_id.to_string(), at])?;
    if c.entity == EntityKind::Evidence {
        tx.prepare_cached("INSERT OR IGNORE INTO evidence(id, review_id, created_at_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?3)")?
            .execute(params![c.id.to_string(), c.review_id.to_string(), at])?;
    }
    set_field(tx, c.entity, c.id, &c.field, &c.value, c.version, c.version.wall_ms)?;
    Ok(true)
}
