//! Handover: the unacknowledged ops of this laptop, taken out (to an encrypted file) and put into
//! another laptop's store, where they become that laptop's own edits and are queued for sync.
//! An op is imported once: its origin (device id, seq) is remembered, so a second import of the
//! same file changes nothing.

use super::{meta, Store};
use crate::error::Result;
use qar_core::protocol::Op;
use uuid::Uuid;

impl Store {
    /// Unacknowledged ops, oldest first; only those of `review_id` when given.
    pub fn unsent_ops(&self, review_id: Option<Uuid>) -> Result<Vec<Op>> {
        let all = self.pending_batch(usize::MAX)?.ops;
        Ok(all.into_iter().filter(|op| review_id.is_none_or(|r| op.review_id == r)).collect())
    }

    /// Re-applies `ops` written on device `origin` as local edits (validated, written, queued
    /// in the outbox). Ops already imported are skipped. Returns how many were applied.
    pub fn import_ops(&mut self, origin: Uuid, ops: &[Op], now_ms: u64) -> Result<usize> {
        let mut applied = 0;
        for op in ops {
            let marker = format!("handover:{origin}:{}", op.seq);
            if meta::get(&self.conn, &marker)?.is_some() {
                continue;
            }
            let fields: Vec<(&str, serde_json::Value)> = op.fields.iter().map(|(f, w)| (f.as_str(), w.value.clone())).collect();
            self.write_record(op.entity, op.id, op.review_id, &fields, "handover_import", now_ms)?;
            meta::set(&self.conn, &marker, "1")?;
            applied += 1;
        }
        Ok(applied)
    }
}
