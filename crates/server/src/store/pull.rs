//! The pull feed: current field values after a cursor, in server-sequence order.

use super::{ServerStore, StoreError};
use qar_core::protocol::{Change, PullResponse};
use qar_core::EntityKind;
use rusqlite::params;

pub const MAX_PULL_LIMIT: u32 = 5000;

impl ServerStore {
    pub fn pull(&self, cursor: u64, limit: u32, now_ms: u64) -> Result<PullResponse, StoreError> {
        let limit = limit.clamp(1, MAX_PULL_LIMIT);
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT server_seq, entity, id, review_id, fields FROM records WHERE server_seq > ?1 ORDER BY server_seq LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![cursor as i64, limit as i64 + 1])?;
        let mut changes = Vec::new();
        let mut has_more = false;
        while let Some(r) = rows.next()? {
            if changes.len() == limit as usize {
                has_more = true;
                break;
            }
            let text = |i: usize| r.get::<_, String>(i);
            let bad = |i: usize, e: String| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into());
            changes.push(Change {
                server_seq: r.get::<_, i64>(0)? as u64,
                entity: EntityKind::parse(&text(1)?).map_err(|e| bad(1, e.to_string()))?,
                id: text(2)?.parse().map_err(|e: uuid::Error| bad(2, e.to_string()))?,
                review_id: text(3)?.parse().map_err(|e: uuid::Error| bad(3, e.to_string()))?,
                fields: serde_json::from_str(&text(4)?).map_err(|e| bad(4, e.to_string()))?,
            });
        }
        let next = changes.last().map_or(cursor, |c| c.server_seq);
        Ok(PullResponse { changes, cursor: next, has_more, server_time_ms: now_ms })
    }
}
