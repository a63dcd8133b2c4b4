//! Bringing an op written by an older app up to this build's schema (issue 17,
//! docs/compatibility.md). Every op carries the `schema_version` of the app that wrote it; one
//! pure upcaster per version step rewrites the op's JSON from version N to N+1, so an op of any
//! supported version reaches [`SCHEMA_VERSION`] by running the steps in turn. The server runs
//! this before it validates, authorises and merges a pushed op (upcasting *is* validation: an op
//! that cannot be brought up is refused alone, never with the whole push); the laptop runs it
//! over its own outbox when the app is updated with unsent work.
//!
//! Adding schema N+1: write `vN_to_vN1.rs` with one `pub fn up(op: Value) -> Result<Value, String>`,
//! append it to [`STEPS`], add a row to [`RELEASES`], bump [`SCHEMA_VERSION`], and put golden
//! files under `crates/core/tests/upcast/vN/` (the test reads every file there).

mod v1_to_v2;

use crate::protocol::{Op, OpOutcome};
use crate::{ErrorCode, Hlc, SCHEMA_VERSION};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The oldest op schema the server still accepts (and upcasts). Raising it strands every laptop
/// still on an older app, so it only moves when three releases have passed (compatibility.md).
pub const OLDEST_SUPPORTED_SCHEMA: u32 = 1;

/// One step: an op's JSON at version N in, the same op at version N+1 out (its
/// `schema_version` is set by [`upcast_json`], not by the step). `Err` says why it cannot be
/// brought up.
type Step = fn(Value) -> Result<Value, String>;

/// `STEPS[i]` takes an op from schema `i + 1` to `i + 2`.
const STEPS: &[Step] = &[v1_to_v2::up];

// Every version below the current one has its step: a missing upcaster fails the build.
const _: () = assert!(STEPS.len() as u32 == SCHEMA_VERSION - 1);
const _: () = assert!(OLDEST_SUPPORTED_SCHEMA >= 1 && OLDEST_SUPPORTED_SCHEMA <= SCHEMA_VERSION);

/// Which app release first wrote each schema, and what changed: the compatibility table of
/// docs/compatibility.md, and where [`min_app_version`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaRelease {
    pub schema: u32,
    pub app_version: &'static str,
    pub change: &'static str,
}

pub const RELEASES: &[SchemaRelease] = &[
    SchemaRelease { schema: 1, app_version: "0.1.0", change: "First synced schema." },
    SchemaRelease {
        schema: 2,
        app_version: "0.2.0",
        change: "Evidence year groups are written one way (\"Year 4\", \"yr4\" → \"Y4\"; \"Y3/4\" → \"Y3/Y4\"), so reports and filters group them together.",
    },
];

const _: () = assert!(RELEASES.len() as u32 == SCHEMA_VERSION);

/// The oldest app release whose ops this build's server still accepts.
pub fn min_app_version() -> &'static str {
    RELEASES.iter().find(|r| r.schema == OLDEST_SUPPORTED_SCHEMA).map_or("0.1.0", |r| r.app_version)
}

/// The app release that writes `schema`, when this build knows it.
pub fn app_version_of(schema: u32) -> Option<&'static str> {
    RELEASES.iter().find(|r| r.schema == schema).map(|r| r.app_version)
}

/// Why an op was not brought up to this build's schema: its code and a message that says what
/// to do, in words for the person whose laptop sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmappable {
    pub code: ErrorCode,
    pub message: String,
}

impl Unmappable {
    fn too_old(version: u32) -> Unmappable {
        Unmappable {
            code: ErrorCode::UpdateRequired,
            message: format!(
                "This change was made with an app too old for the server (data version {version}; it accepts {OLDEST_SUPPORTED_SCHEMA} to {SCHEMA_VERSION}), so it was not applied. Its text is kept with the review's conflicts. Update QAR Field to version {} or later, then copy it back from the conflicts.",
                min_app_version()
            ),
        }
    }

    fn too_new(version: u32) -> Unmappable {
        Unmappable {
            code: ErrorCode::UnknownSchema,
            message: format!(
                "This change was made with a newer app (data version {version}) than the server knows (up to {SCHEMA_VERSION}), so it was not applied. Its text is kept with the review's conflicts. Ask whoever runs your hub's server to update it."
            ),
        }
    }

    fn not_mapped(version: u32, why: &str) -> Unmappable {
        Unmappable {
            code: ErrorCode::UpdateRequired,
            message: format!(
                "This change (data version {version}) could not be brought up to the server's data version {SCHEMA_VERSION}: {why}. It was not applied; its text is kept with the review's conflicts. Update QAR Field, then copy it back from the conflicts."
            ),
        }
    }

    /// The op's answer to its device.
    pub fn outcome(&self) -> OpOutcome {
        OpOutcome::Rejected { code: self.code.as_str().to_owned(), message: self.message.clone() }
    }
}

/// Brings an op's JSON from its `schema_version` up to [`SCHEMA_VERSION`], in place of the
/// value. An op already current is returned as it is.
pub fn upcast_json(op: Value) -> Result<Value, Unmappable> {
    let version = op.get("schema_version").and_then(Value::as_u64).map_or(0, |v| v.min(u32::MAX as u64) as u32);
    if version < OLDEST_SUPPORTED_SCHEMA {
        return Err(Unmappable::too_old(version));
    }
    if version > SCHEMA_VERSION {
        return Err(Unmappable::too_new(version));
    }
    let mut op = op;
    for (from, step) in (version..SCHEMA_VERSION).zip(&STEPS[(version - 1) as usize..]) {
        op = step(op).map_err(|why| Unmappable::not_mapped(version, &why))?;
        if let Some(obj) = op.as_object_mut() {
            obj.insert("schema_version".into(), Value::from(from + 1));
        }
    }
    Ok(op)
}

/// A pushed op the server could not bring up to its schema, with what could be read of it so
/// its values can still be kept (as conflict records) and its device answered by `seq`.
#[derive(Debug, Clone, PartialEq)]
pub struct UnmappedOp {
    pub seq: u64,
    /// The record kind as sent (a newer app may name one this build does not know).
    pub entity: String,
    pub id: Option<Uuid>,
    pub review_id: Option<Uuid>,
    pub hlc: Option<Hlc>,
    pub schema_version: u32,
    /// Every field's value as sent, by name.
    pub values: BTreeMap<String, Value>,
    pub why: Unmappable,
}

/// A pushed op as the server admits it: brought up to this build's schema and typed, or kept
/// aside as [`UnmappedOp`] with its reason.
pub fn admit_op(raw: Value) -> Result<Op, Box<UnmappedOp>> {
    let unmapped = |raw: &Value, why: Unmappable| Box::new(read_unmapped(raw, why));
    let up = match upcast_json(raw.clone()) {
        Ok(up) => up,
        Err(why) => return Err(unmapped(&raw, why)),
    };
    serde_json::from_value::<Op>(up).map_err(|e| {
        let version = raw.get("schema_version").and_then(Value::as_u64).unwrap_or(0) as u32;
        let known_kind = raw.get("entity").and_then(Value::as_str).is_some_and(|k| crate::EntityKind::parse(k).is_ok());
        let why = if known_kind {
            Unmappable { code: ErrorCode::InvalidBody, message: format!("This change could not be read: {e}.") }
        } else {
            // A kind of record this build does not know: written by a newer app.
            Unmappable::too_new(version.max(SCHEMA_VERSION + 1))
        };
        unmapped(&raw, why)
    })
}

/// What can be read of an op that is not admitted; missing parts stay `None`.
fn read_unmapped(raw: &Value, why: Unmappable) -> UnmappedOp {
    let uuid = |k: &str| raw.get(k).and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok());
    let values = raw
        .get("fields")
        .and_then(Value::as_object)
        .map(|f| f.iter().map(|(name, w)| (name.clone(), w.get("value").cloned().unwrap_or(Value::Null))).collect())
        .unwrap_or_default();
    UnmappedOp {
        seq: raw.get("seq").and_then(Value::as_u64).unwrap_or(0),
        entity: raw.get("entity").and_then(Value::as_str).unwrap_or("").to_owned(),
        id: uuid("id"),
        review_id: uuid("review_id"),
        hlc: raw.get("hlc").and_then(|h| serde_json::from_value(h.clone()).ok()),
        schema_version: raw.get("schema_version").and_then(Value::as_u64).unwrap_or(0) as u32,
        values,
        why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn evidence_op(version: u32, year_group: &str) -> Value {
        json!({
            "seq": 3, "entity": "evidence", "id": "01900000-0000-7000-8000-000000000001",
            "review_id": "01900000-0000-7000-8000-000000000002",
            "fields": {"year_group": {"value": year_group, "base": null}, "notes": {"value": "Pupils explained", "base": null}},
            "hlc": "1795000000000-0000000000-0000000000000001", "schema_version": version
        })
    }

    #[test]
    fn a_current_op_is_admitted_unchanged() {
        let raw = evidence_op(SCHEMA_VERSION, "Y4");
        let op = admit_op(raw.clone()).unwrap();
        assert_eq!(serde_json::to_value(&op).unwrap(), raw);
    }

    #[test]
    fn a_version_1_op_is_brought_up() {
        let op = admit_op(evidence_op(1, "Year 4")).unwrap();
        assert_eq!(op.schema_version, SCHEMA_VERSION);
        assert_eq!(op.fields["year_group"].value, json!("Y4"));
        assert_eq!(op.fields["notes"].value, json!("Pupils explained"));
    }

    #[test]
    fn too_old_and_too_new_are_refused_with_what_to_do() {
        let old = admit_op(evidence_op(0, "Y4")).unwrap_err();
        assert_eq!(old.why.code, ErrorCode::UpdateRequired);
        assert!(old.why.message.contains("Update QAR Field to version 0.1.0 or later"), "{}", old.why.message);
        assert_eq!(old.values["notes"], json!("Pupils explained"));
        assert_eq!(old.seq, 3);
        let new = admit_op(evidence_op(SCHEMA_VERSION + 1, "Y4")).unwrap_err();
        assert_eq!(new.why.code, ErrorCode::UnknownSchema);
        assert!(new.why.message.contains("update it"), "{}", new.why.message);
        assert_eq!(new.review_id, Some(Uuid::parse_str("01900000-0000-7000-8000-000000000002").unwrap()));
    }

    #[test]
    fn an_unknown_kind_of_record_is_kept_aside_not_failed() {
        let mut raw = evidence_op(SCHEMA_VERSION, "Y4");
        raw["entity"] = json!("attachment");
        let refused = admit_op(raw).unwrap_err();
        assert_eq!(refused.why.code, ErrorCode::UnknownSchema);
        assert_eq!(refused.entity, "attachment");
        assert_eq!(refused.values.len(), 2);
    }

    #[test]
    fn a_malformed_op_of_a_known_kind_is_invalid() {
        let mut raw = evidence_op(SCHEMA_VERSION, "Y4");
        raw["hlc"] = json!(17);
        assert_eq!(admit_op(raw).unwrap_err().why.code, ErrorCode::InvalidBody);
    }

    #[test]
    fn the_release_table_names_the_oldest_app() {
        assert_eq!(min_app_version(), "0.1.0");
        assert_eq!(app_version_of(SCHEMA_VERSION), Some("0.2.0"));
        assert_eq!(app_version_of(SCHEMA_VERSION + 1), None);
    }
}
