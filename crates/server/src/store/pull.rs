//! The pull feed: current field values after a cursor, in server-sequence order, scoped to
//! what the asker may read.

use super::{ServerStore, StoreError};
use crate::auth::{AuthDevice, Role};
use qar_core::protocol::{Change, FieldValue, PullResponse};
use qar_core::{EntityKind, Hlc};
use rusqlite::params;
use std::collections::BTreeMap;
use uuid::Uuid;

pub const MAX_PULL_LIMIT: u32 = 5000;

/// Whose records a pull may return (architecture.md §4, domain.md §2): an administrator reads
/// everything; a team member every record of their reviews; a hub coordinator the records of
/// their hub's reviews except evidence and kept conflicts (team evidence is not theirs to read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadScope {
    pub everything: bool,
    pub user_id: String,
    pub coordinated_hubs: Vec<String>,
}

impl ReadScope {
    pub fn of(device: &AuthDevice) -> ReadScope {
        let coordinated_hubs = device
            .roles
            .iter()
            .filter_map(|r| match r {
                Role::HubCoordinator { hub_id } => Some(hub_id.clone()),
                Role::Admin => None,
            })
            .collect();
        ReadScope { everything: device.is_admin(), user_id: device.user_id.clone(), coordinated_hubs }
    }

    /// Everything (administrators, and tests that look at the whole store).
    pub fn everything() -> ReadScope {
        ReadScope { everything: true, user_id: String::new(), coordinated_hubs: Vec::new() }
    }
}

impl ServerStore {
    /// Records changed after `cursor` that `scope` may read, in server order. For `for_device`,
    /// fields whose current version that device wrote are left out (it has them; this is the
    /// echo of its own push), and a record with nothing else new is skipped. The cursor moves
    /// past skipped and unreadable records too, so nobody waits on what they cannot see.
    pub fn pull(&self, cursor: u64, limit: u32, for_device: Option<Uuid>, scope: &ReadScope, now_ms: u64) -> Result<PullResponse, StoreError> {
        let own_node = for_device.map(|d| Hlc::node_of(&d));
        let limit = limit.clamp(1, MAX_PULL_LIMIT);
        let mut conn = self.reader();
        // One snapshot for the page and the newest seq, so the cursor never skips a commit.
        let tx = conn.transaction()?;
        let hubs = serde_json::to_string(&scope.coordinated_hubs).unwrap_or_else(|_| "[]".into());
        let mut stmt = tx.prepare_cached(
            "SELECT r.server_seq, r.entity, r.id, r.review_id, r.fields FROM records r
             WHERE r.server_seq > ?1 AND (
                ?3 OR EXISTS (SELECT 1 FROM review_team t WHERE t.review_id = r.review_id AND t.user_id = ?4)
                OR (r.entity NOT IN ('evidence', 'conflict') AND EXISTS (
                    SELECT 1 FROM review_hub h WHERE h.review_id = r.review_id AND h.hub_id IN (SELECT value FROM json_each(?5)))))
             ORDER BY r.server_seq LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![cursor as i64, limit as i64 + 1, scope.everything, scope.user_id, hubs])?;
        let mut changes = Vec::new();
        let mut has_more = false;
        let mut returned = 0u32;
        let mut last_seq = cursor;
        while let Some(r) = rows.next()? {
            if returned == limit {
                has_more = true;
                break;
            }
            returned += 1;
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
        drop(rows);
        drop(stmt);
        let next = if has_more { last_seq } else { super::push::max_server_seq(&tx)?.max(cursor) };
        Ok(PullResponse { changes, cursor: next, has_more, server_time_ms: now_ms })
    }
}
