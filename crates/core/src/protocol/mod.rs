//! Sync wire types, `/v1` (architecture.md §4). Shared by client and server so both ends
//! serialise exactly the same JSON.

use crate::{EntityKind, Hlc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

pub mod admin;
pub mod blobs;
pub mod insights;
pub mod invitations;
pub mod register;
pub mod reports;
pub mod scheduling;

/// One local edit of one record, as written on a device: the fields it changed, each with the
/// version it was based on. Merging is still per field; grouping a user's edit into one op keeps
/// the outbox, the wire and the server's rows small (one row per record, not per field).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Op {
    /// Per-device sequence number, contiguous from 1.
    #[serde(deserialize_with = "crate::whole_number::u64")]
    pub seq: u64,
    /// The kind of record. Documented as text: an op of a kind this server does not know
    /// (written by a newer app) is refused alone, not with the whole push (issue 17).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub entity: EntityKind,
    pub id: Uuid,
    /// The review the record belongs to (for a review, its own id); scopes who may read it.
    pub review_id: Uuid,
    /// Changed fields in name order. Every field of one op carries the op's `hlc` as its version.
    pub fields: BTreeMap<String, FieldWrite>,
    pub hlc: Hlc,
    /// The data schema of the app that wrote the op. Every version is read: one from
    /// `Compat.oldest_schema_version` to `Compat.schema_version` is brought up and applied, any
    /// other is refused alone (`update_required` / `unknown_schema`) with its values kept.
    #[serde(deserialize_with = "crate::whole_number::u32")]
    pub schema_version: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldWrite {
    pub value: Value,
    /// The version of the field this edit was made on; `None` when the device had no value.
    pub base: Option<Hlc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    pub device_id: Uuid,
    #[serde(deserialize_with = "crate::whole_number::u32")]
    pub schema_version: u32,
    pub ops: Vec<Op>,
    /// When set, the reply also carries the first page of changes after this cursor, so one
    /// edit costs one round trip instead of a push and a pull.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::whole_number::option_u64")]
    pub pull_cursor: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// Every op of this device with `seq <= acked_through` is durably handled by the server.
    pub acked_through: u64,
    pub results: Vec<OpResult>,
    pub server_time_ms: u64,
    /// Changes after the request's `pull_cursor`, when it asked for them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull: Option<PullResponse>,
    /// Set when some ops were stamped further ahead of the server's clock than it accepts: they
    /// were kept, re-stamped with the server's time, and this device's clock needs setting.
    /// Absent otherwise (and from older servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_ahead: Option<ClockAhead>,
    /// What the server accepts (issue 17): sent with every answer so an app learns it needs an
    /// update before anything of it is refused. Absent from older servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compat: Option<Compat>,
    /// The server store's incarnation (see [`PullResponse::feed_epoch`]). Absent from older servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed_epoch: Option<String>,
}

/// The data schemas a server accepts and the oldest app that writes one of them, in
/// `/v1/health` and every sync answer (docs/compatibility.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Compat {
    /// The newest op schema the server knows: an app on an older one may update.
    pub schema_version: u32,
    /// The oldest op schema still accepted (and upcast); older ops are refused one by one.
    pub oldest_schema_version: u32,
    /// The oldest app release whose changes are still accepted.
    pub min_app_version: String,
}

impl Compat {
    /// What this build, as a server, accepts.
    pub fn of_this_build() -> Compat {
        Compat {
            schema_version: crate::SCHEMA_VERSION,
            oldest_schema_version: crate::upcast::OLDEST_SUPPORTED_SCHEMA,
            min_app_version: crate::upcast::min_app_version().to_owned(),
        }
    }

    /// The server knows a newer schema than this build writes: an update is available.
    pub fn update_available(&self) -> bool {
        self.schema_version > crate::SCHEMA_VERSION
    }

    /// The server no longer accepts what this build writes: an update is needed to sync.
    pub fn update_required(&self) -> bool {
        self.oldest_schema_version > crate::SCHEMA_VERSION
    }
}

/// Ops whose stamps were too far ahead of the server's wall time (issue 15). Such a stamp never
/// moves the server's clock; the op is applied with a server stamp instead, so it is ordered by
/// when it reached the server and the laptop pulls the server's version of its fields back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockAhead {
    /// The server's wall time when it handled the push (ms since the Unix epoch).
    pub server_time_ms: u64,
    /// How far ahead of `server_time_ms` the furthest re-stamped op's stamp was, in ms.
    pub ahead_ms: u64,
    /// The largest lead the server accepts, in ms (its `--max-clock-ahead-mins`).
    pub max_ahead_ms: u64,
    /// The re-stamped ops, by seq.
    pub op_seqs: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpResult {
    pub seq: u64,
    #[serde(flatten)]
    pub outcome: OpOutcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OpOutcome {
    Applied,
    /// Already handled in an earlier push (a retry): nothing changed.
    Duplicate,
    /// Another device wrote some of these fields concurrently. Fields not listed were applied;
    /// for each listed one both values are kept on the server and the HLC-later one is current.
    Conflict {
        fields: Vec<FieldConflict>,
    },
    /// Refused for good (invalid value, not permitted); acknowledged so later ops are not blocked.
    /// `code` is an [`crate::ErrorCode`] as a string: a newer server may send one this laptop does not know.
    Rejected {
        code: String,
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldConflict {
    pub field: String,
    pub current_version: Hlc,
    /// True when this op's value became current (the other one is kept as the conflict).
    pub kept_as_current: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// Read through `sync::forward`: a change of a kind this build does not know, or fields it does
// not know, are set aside instead of failing the page (issue 17).
#[serde(from = "crate::sync::forward::WirePull")]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Pass this as `cursor` in the next pull.
    pub cursor: u64,
    pub has_more: bool,
    pub server_time_ms: u64,
    /// Reviews the asker was taken off since the request's cursor (issue 9): the laptop pushes
    /// any unsent work, then drops its copy. Absent when empty (older servers never send it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_revoked: Vec<Uuid>,
    /// What the server accepts (see [`Compat`]). Absent from older servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compat: Option<Compat>,
    /// The server store's incarnation, made when it was created and renewed when it is restored
    /// from a backup (decision 55). A laptop that followed another epoch's feed pulls again from
    /// 0 and re-sends what the restored server no longer has. Absent from older servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed_epoch: Option<String>,
    /// Records the server purged under its retention policy within this page's span of the
    /// feed (issue 24): the laptop removes them, text, search entries and all. Absent when
    /// empty, so older apps (which ignore fields they do not know) read the page as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub purged: Vec<PurgedRecord>,
    /// The newest place in the register's feed (`GET /v1/register/changes`) when the page was
    /// read (issue 25): a laptop whose register cursor is already there skips asking for the
    /// register's changes, so an ordinary sync stays one round trip. The register is the same
    /// for every signed-in member, so this says nothing a reader could not ask for. Absent from
    /// older servers: the laptop then asks as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub register_head: Option<u64>,
    /// Records and fields of this page that this build does not know (a newer server's), kept
    /// aside by the laptop for a later version. Never on the wire: filled when a page is read.
    #[serde(skip)]
    pub set_aside: Vec<crate::sync::forward::SetAside>,
}

/// A record removed from the server by retention (issue 24).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurgedRecord {
    /// The record kind's code (`evidence`, `comment`, …; `review` for the whole review).
    pub entity: String,
    pub id: Uuid,
    pub review_id: Uuid,
}

/// The current state of one record, as the server holds it: every field with its version,
/// except fields whose current value the asking device wrote itself (it has them already).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Change {
    pub server_seq: u64,
    pub entity: EntityKind,
    pub id: Uuid,
    pub review_id: Uuid,
    pub fields: BTreeMap<String, FieldValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldValue {
    pub value: Value,
    /// Serialised as its text form (`Hlc` is `try_from`/`into` String).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub version: Hlc,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
    pub version: String,
    pub schema_version: u32,
    pub server_time_ms: u64,
    /// The oldest op schema still accepted; older ops are refused one by one (issue 17).
    #[serde(default = "one")]
    pub oldest_schema_version: u32,
    /// The oldest app release whose changes are still accepted.
    #[serde(default)]
    pub min_app_version: String,
}

fn one() -> u32 {
    1
}

/// Every error the server sends has this body, with a matching HTTP status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Stable machine-readable code ([`crate::ErrorCode`]); clients branch on this, never on
    /// `message`. A string, not the enum: a newer server may send a code this build does not
    /// know, and the reply must still be read (its message is shown).
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub details: Value,
}

impl ErrorBody {
    pub fn new(code: crate::ErrorCode, message: impl Into<String>, details: Value) -> ErrorBody {
        ErrorBody { code: code.as_str().to_owned(), message: message.into(), details }
    }

    /// The code, when this build knows it.
    pub fn known_code(&self) -> Option<crate::ErrorCode> {
        crate::ErrorCode::parse(&self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn outcome_json_is_flat_and_tagged() {
        let r = OpResult { seq: 4, outcome: OpOutcome::Rejected { code: "invalid".into(), message: "m".into() } };
        assert_eq!(serde_json::to_value(&r).unwrap(), json!({"seq": 4, "status": "rejected", "code": "invalid", "message": "m"}));
        let back: OpResult = serde_json::from_value(json!({"seq": 1, "status": "applied"})).unwrap();
        assert_eq!(back.outcome, OpOutcome::Applied);
    }
}
