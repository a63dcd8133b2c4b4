//! The pull feed: current field values after a cursor, in server-sequence order.

use super::{ServerStore, StoreError};
use qar_core::protocol::{Change, FieldValue, PullResponse};
use qar_core::{EntityKind, Hlc};
use std::collections::BTreeMap;
use uuid::Uuid;
use rusqlite::params;

pub const MAX_PULL_LIMIT: u32 = 5000;

impl ServerStore {
    /// Records changed after `cursor`, in server order. For `for_device`, fields whose current
    /// version that device wrote are left out (it has them; this is the echo of its own push),
    /// and a record with nothing else new is skipped, while the cursor still moves past it.
    pub fn pull(&self, cursor: u64, limit: u32, for_device: Option<Uuid>, now_ms: u64) -> Result<PullResponse, StoreError> {
        let own_node = for_device.map(|d| Hlc::node_of(&d));
        let limit = limit.clamp(1, MAX_PULL_LIMIT);
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT server_seq, entity, id, review_id, fields FROM records WHERE server_seq > ?1 ORDER BY server_seq LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![cursor as i64, limit as i64 + 1])?;
        let mut changes = Vec::new();
        let mut has_more = false;
        let mut scanned = 0u32;
        let mut last_seq = cursor;
        while let Some(r) = rows.next()? {
            if scanned == limit {
                has_more = true;
                break;
            }
            scanned += 1;
            let text = |i: usize| r.get::<_, String>(i);
            let bad = |i: usize, e: String| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into());
            let server_seq = r.get::<_, i64>(0)? as u64;
            last_seq = server_seq;
            let mut fields: BTreeMap<String, FieldValue> = serde_json::from_str(&text(4)?).map_err(|e| bad(4, e.to_string()))?;
            if let Some(node) = own_node {
                fields.retain(|_, f| f.version.node != node);
                if fields.is_empty() {
                    continue;
                }
            }
            changes.push(Change {
                server_seq,
                entity: EntityKind::parse(&text(1)?).map_err(|e| bad(1, e.to_string()))?,
                id: text(2)?.parse().map_err(|e: uuid::Error| bad(2, e.to_string()))?,
                review_id: text(3)?.parse().map_err(|e: uuid::Error| bad(3, e.to_string()))?,
                fields,
            });
        }
        let next = last_seq;
        Ok(PullResponse { changes, cursor: next, has_more, server_time_ms: now_ms })
    }
}
