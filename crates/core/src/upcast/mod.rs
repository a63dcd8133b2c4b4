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

pub mod readers;
mod v1_to_v2;
mod v2_to_v3;

use crate::protocol::{FieldWrite, Op, OpOutcome};
use crate::{EntityKind, ErrorCode, Hlc, SCHEMA_VERSION};
use serde::{Deserialize, Serialize};
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

/// A step that writes one text field of evidence the one way (year groups, subjects): an op of
/// another kind, without the field, or with a value that is not text passes unchanged.
fn rewrite_evidence_text(mut op: Value, field: &str, rewrite: fn(&str) -> String) -> Value {
    if op.get("entity").and_then(Value::as_str) == Some("evidence") {
        if let Some(value) = op.pointer_mut(&format!("/fields/{field}/value")) {
            if let Some(typed) = value.as_str() {
                *value = Value::String(rewrite(typed));
            }
        }
    }
    op
}

/// `STEPS[i]` takes an op from schema `i + 1` to `i + 2`.
const STEPS: &[Step] = &[v1_to_v2::up, v2_to_v3::up];

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
    SchemaRelease {
        schema: 3,
        app_version: "0.3.0",
        change: "Evidence subjects are written one way (\"maths\", \"Mathematics\" → \"Maths\"; \"P.E.\" → \"PE\"), so filters and reports list each subject once. The visit plan: a new kind of record (plan_activity). Photos and documents on notes: a new kind of record (attachment), its bytes (and a photo's small thumbnail) uploaded apart.",
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

/// A pushed op the server could not bring up to its schema, with its values, so they can
/// still be kept (as conflict records) and its device answered by `seq`.
#[derive(Debug, Clone, PartialEq)]
pub struct UnmappedOp {
    pub seq: u64,
    /// The record kind as sent (a newer app may name one this build does not know).
    pub entity: String,
    pub id: Uuid,
    pub review_id: Uuid,
    pub hlc: Hlc,
    pub schema_version: u32,
    /// Every field's value as sent, by name.
    pub values: BTreeMap<String, Value>,
    pub why: Unmappable,
}

/// The part of an op that is the same in every schema version (docs/compatibility.md): a
/// newer app may add kinds of record, fields and values, but an op always has these, so an
/// op of any version can be answered by `seq` and its values kept. Anything else is a
/// malformed push, refused whole.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Envelope {
    #[serde(deserialize_with = "crate::whole_number::u64")]
    seq: u64,
    entity: String,
    id: Uuid,
    review_id: Uuid,
    fields: BTreeMap<String, FieldWrite>,
    hlc: Hlc,
    #[serde(deserialize_with = "crate::whole_number::u32")]
    schema_version: u32,
}

/// The first kind or field of `env` that came after the op's own schema, in words.
fn later_than_its_schema(entity: EntityKind, env: &Envelope) -> Option<String> {
    if readers::kind_since(entity) > env.schema_version {
        return Some(format!("records of kind {}", entity.code()));
    }
    env.fields.keys().find(|f| readers::field_since(entity, f) > env.schema_version).map(|f| format!("field {f} on {}", entity.code()))
}

/// What becomes of one pushed op.
#[derive(Debug, Clone, PartialEq)]
pub enum Admission {
    /// Brought up to [`SCHEMA_VERSION`] (or current already); validation and permission follow.
    Admitted(Op),
    /// Of a version or kind this build cannot map: refused alone, its values kept.
    Refused(Box<UnmappedOp>),
}

/// Reads one pushed op and brings it up to this build's schema. `Err` is a malformed op (not
/// an op of any version: no seq, no id, a field without a value): the push is refused whole,
/// as any malformed body is.
pub fn admit_op(raw: Value) -> Result<Admission, String> {
    let env: Envelope = serde_json::from_value(raw).map_err(|e| format!("an op could not be read: {e}"))?;
    let refuse = |env: Envelope, why: Unmappable| {
        Admission::Refused(Box::new(UnmappedOp {
            seq: env.seq,
            entity: env.entity,
            id: env.id,
            review_id: env.review_id,
            hlc: env.hlc,
            schema_version: env.schema_version,
            values: env.fields.into_iter().map(|(k, w)| (k, w.value)).collect(),
            why,
        }))
    };
    let Ok(entity) = EntityKind::parse(&env.entity) else {
        // A kind of record this build does not know: written by a newer app.
        let version = env.schema_version.max(SCHEMA_VERSION + 1);
        return Ok(refuse(env, Unmappable::too_new(version)));
    };
    // An op can only hold what its own schema had: a kind or field added later, claimed by an
    // older version, is no op any app wrote (it would also pass unseen to the first release,
    // whose pages leave such kinds out: `readers`).
    let supported = (OLDEST_SUPPORTED_SCHEMA..=SCHEMA_VERSION).contains(&env.schema_version);
    if let Some(newer) = later_than_its_schema(entity, &env).filter(|_| supported) {
        let version = env.schema_version;
        return Ok(refuse(env, Unmappable::not_mapped(version, &format!("its data version {version} had no {newer}"))));
    }
    if env.schema_version == SCHEMA_VERSION {
        let Envelope { seq, id, review_id, fields, hlc, schema_version, .. } = env;
        return Ok(Admission::Admitted(Op { seq, entity, id, review_id, fields, hlc, schema_version }));
    }
    let as_json = serde_json::to_value(&env).map_err(|e| e.to_string())?;
    match upcast_json(as_json)
        .and_then(|up| serde_json::from_value::<Op>(up).map_err(|e| Unmappable::not_mapped(env.schema_version, &e.to_string())))
    {
        Ok(op) => Ok(Admission::Admitted(op)),
        Err(why) => Ok(refuse(env, why)),
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

    fn admitted(raw: Value) -> Op {
        match admit_op(raw).unwrap() {
            Admission::Admitted(op) => op,
            Admission::Refused(u) => panic!("refused: {}", u.why.message),
        }
    }

    fn refused(raw: Value) -> UnmappedOp {
        match admit_op(raw).unwrap() {
            Admission::Admitted(op) => panic!("admitted: {op:?}"),
            Admission::Refused(u) => *u,
        }
    }

    #[test]
    fn a_current_op_is_admitted_unchanged() {
        let raw = evidence_op(SCHEMA_VERSION, "Year 4");
        let op = admitted(raw.clone());
        assert_eq!(serde_json::to_value(&op).unwrap(), raw);
    }

    #[test]
    fn a_version_1_op_is_brought_up() {
        let op = admitted(evidence_op(1, "Year 4"));
        assert_eq!(op.schema_version, SCHEMA_VERSION);
        assert_eq!(op.fields["year_group"].value, json!("Y4"));
        assert_eq!(op.fields["notes"].value, json!("Pupils explained"));
    }

    #[test]
    fn too_old_and_too_new_are_refused_with_what_to_do() {
        let old = refused(evidence_op(0, "Y4"));
        assert_eq!(old.why.code, ErrorCode::UpdateRequired);
        assert!(old.why.message.contains("Update QAR Field to version 0.1.0 or later"), "{}", old.why.message);
        assert_eq!(old.values["notes"], json!("Pupils explained"));
        assert_eq!(old.seq, 3);
        let new = refused(evidence_op(SCHEMA_VERSION + 1, "Y4"));
        assert_eq!(new.why.code, ErrorCode::UnknownSchema);
        assert!(new.why.message.contains("update it"), "{}", new.why.message);
        assert_eq!(new.review_id, Uuid::parse_str("01900000-0000-7000-8000-000000000002").unwrap());
    }

    #[test]
    fn an_unknown_kind_of_record_is_refused_alone() {
        let mut raw = evidence_op(SCHEMA_VERSION + 1, "Y4");
        raw["entity"] = json!("school_page");
        let u = refused(raw);
        assert_eq!(u.why.code, ErrorCode::UnknownSchema);
        assert_eq!(u.entity, "school_page");
        assert_eq!(u.values.len(), 2);
    }

    #[test]
    fn a_malformed_op_is_an_error_not_a_refusal() {
        let mut raw = evidence_op(SCHEMA_VERSION, "Y4");
        raw["hlc"] = json!(17);
        assert!(admit_op(raw).is_err());
        let mut raw = evidence_op(1, "Y4");
        raw.as_object_mut().unwrap().remove("seq");
        assert!(admit_op(raw).unwrap_err().contains("seq"));
    }

    #[test]
    fn the_release_table_names_the_oldest_app() {
        assert_eq!(min_app_version(), "0.1.0");
        assert_eq!(app_version_of(SCHEMA_VERSION), Some("0.3.0"));
        assert_eq!(app_version_of(SCHEMA_VERSION + 1), None);
    }
}
