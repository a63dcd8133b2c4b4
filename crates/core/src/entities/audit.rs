//! The append-only audit trail; sync replays it, nothing edits it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Kind of record, e.g. "evidence", "estimate", "review".
    pub entity: String,
    /// Which record: its id, or for records keyed by review and area, `"{review_id}/{area_code}"`.
    pub entity_id: String,
    /// What happened: an `Action` code (e.g. "submit") or "create" / "update" / "delete".
    pub action: String,
    /// The user who did it.
    pub actor: Uuid,
    /// Device wall time, Unix ms UTC: for display; order comes from the op log's HLC.
    pub at_ms: i64,
    pub device_id: Uuid,
}
