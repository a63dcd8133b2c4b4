//! Merging one pushed op into a record, per field (architecture.md §4; docs/decisions.md 3, 17,
//! 18). Pure: the server's store loads the record, calls [`merge_op`], saves the result and keeps
//! every [`Lost`] value as a conflict record.

use super::{tombstone, RecordFields};
use crate::protocol::{FieldConflict, FieldValue, Op, OpOutcome};
use crate::Hlc;
use serde_json::Value;

/// Why a value is not current after a merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LostKind {
    /// Another device wrote the same field from the same base; the HLC-later value is current.
    Concurrent,
    /// The record was deleted before this edit (by HLC): the edit is kept, not applied.
    AfterDelete,
}

impl LostKind {
    /// The conflict record's `kind`.
    pub fn code(self) -> &'static str {
        match self {
            LostKind::Concurrent => "concurrent",
            LostKind::AfterDelete => "after_delete",
        }
    }
}

/// A value that is not current after the merge but must not be lost.
#[derive(Debug, Clone, PartialEq)]
pub struct Lost {
    pub field: String,
    pub value: Value,
    pub version: Hlc,
    /// The version that is current instead (for an edit after a delete: the delete's).
    pub winner: Hlc,
    /// The losing value is this op's (else it was the stored one).
    pub from_op: bool,
    pub kind: LostKind,
}

/// What a merge did to the record.
#[derive(Debug, Default)]
pub struct Merged {
    /// The record changed (or must be announced again so a losing device learns the winner).
    pub changed: bool,
    pub lost: Vec<Lost>,
    pub conflicts: Vec<FieldConflict>,
}

impl Merged {
    /// The op's answer to its device.
    pub fn outcome(&self) -> OpOutcome {
        match (self.conflicts.is_empty(), self.changed) {
            (false, _) => OpOutcome::Conflict { fields: self.conflicts.clone() },
            (true, true) => OpOutcome::Applied,
            (true, false) => OpOutcome::Duplicate,
        }
    }
}

/// Merges `op` into `doc`, moving the op's values out (the op is spent afterwards: a first
/// push would otherwise copy every note's text once more):
/// - a field written on its current version (or new) takes the op's value;
/// - a concurrent write of the same value is no conflict: the later version stays;
/// - a concurrent write of another value keeps both: the HLC-later value is current, the other
///   is `lost` (kept as a conflict record);
/// - a deleted record (`deleted: true` at version V) takes edits older than V (it stays
///   deleted), while an edit newer than V is not applied but kept, kind "after_delete". An op
///   that writes `deleted` itself (a restore) merges normally.
pub fn merge_op(doc: &mut RecordFields, op: &mut Op) -> Merged {
    let mut m = Merged::default();
    if let Some(deleted_at) = tombstone(doc) {
        if !op.fields.contains_key("deleted") && op.hlc > deleted_at {
            for (name, write) in op.fields.iter_mut() {
                let current = doc.get(name).map_or(deleted_at, |f| f.version);
                m.lost.push(Lost {
                    field: name.clone(),
                    value: std::mem::take(&mut write.value),
                    version: op.hlc,
                    winner: deleted_at,
                    from_op: true,
                    kind: LostKind::AfterDelete,
                });
                m.conflicts.push(FieldConflict { field: name.clone(), current_version: current, kept_as_current: false });
            }
            return m;
        }
    }
    for (name, write) in op.fields.iter_mut() {
        let incoming = FieldValue { value: std::mem::take(&mut write.value), version: op.hlc };
        match doc.get(name) {
            None => {
                doc.insert(name.clone(), incoming);
                m.changed = true;
            }
            Some(cur) if Some(cur.version) == write.base => {
                doc.insert(name.clone(), incoming);
                m.changed = true;
            }
            Some(cur) if cur.version == op.hlc => {} // this very write, already here
            Some(cur) if cur.value == incoming.value => {
                // Both wrote the same: nothing to keep. The later version stays current, and the
                // record is announced again so the other writer learns that version.
                if op.hlc > cur.version {
                    doc.insert(name.clone(), incoming);
                }
                m.changed = true;
            }
            Some(cur) => {
                let keep_incoming = op.hlc > cur.version;
                let (lost, winner) = if keep_incoming { (cur.clone(), op.hlc) } else { (incoming.clone(), cur.version) };
                m.lost.push(Lost {
                    field: name.clone(),
                    value: lost.value,
                    version: lost.version,
                    winner,
                    from_op: !keep_incoming,
                    kind: LostKind::Concurrent,
                });
                if keep_incoming {
                    doc.insert(name.clone(), incoming);
                }
                m.changed = true; // a losing device must pull the winner again: announce the record anew
                m.conflicts.push(FieldConflict { field: name.clone(), current_version: winner, kept_as_current: keep_incoming });
            }
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::FieldWrite;
    use crate::{EntityKind, SCHEMA_VERSION};
    use serde_json::json;

    fn stamp(wall_ms: u64, node: u64) -> Hlc {
        Hlc { wall_ms, counter: 0, node }
    }

    fn op(hlc: Hlc, fields: &[(&str, Value, Option<Hlc>)]) -> Op {
        Op {
            seq: 1,
            entity: EntityKind::Evidence,
            id: uuid::Uuid::nil(),
            review_id: uuid::Uuid::nil(),
            fields: fields.iter().map(|(n, v, b)| ((*n).to_owned(), FieldWrite { value: v.clone(), base: *b })).collect(),
            hlc,
            schema_version: SCHEMA_VERSION,
        }
    }

    #[test]
    fn a_write_on_the_current_version_applies_and_a_concurrent_one_is_kept() {
        let mut doc = RecordFields::new();
        let a = stamp(10, 1);
        assert_eq!(merge_op(&mut doc, &mut op(a, &[("notes", json!("first"), None)])).outcome(), OpOutcome::Applied);
        let b = stamp(20, 2);
        assert_eq!(merge_op(&mut doc, &mut op(b, &[("notes", json!("second"), Some(a))])).outcome(), OpOutcome::Applied);
        // A third device also edited "first" (base a), stamped before b: it loses, and is kept.
        let c = stamp(15, 3);
        let m = merge_op(&mut doc, &mut op(c, &[("notes", json!("third"), Some(a))]));
        assert_eq!(doc["notes"].value, json!("second"));
        assert_eq!(
            m.lost,
            [Lost { field: "notes".into(), value: json!("third"), version: c, winner: b, from_op: true, kind: LostKind::Concurrent }]
        );
        assert!(m.changed, "the loser must hear the winner again");
        // Replaying the same op: the same conflict, nothing new current.
        assert_eq!(doc["notes"].version, b);
    }

    #[test]
    fn the_same_value_written_twice_is_no_conflict() {
        let mut doc = RecordFields::new();
        merge_op(&mut doc, &mut op(stamp(10, 1), &[("notes", json!("same"), None)]));
        let m = merge_op(&mut doc, &mut op(stamp(12, 2), &[("notes", json!("same"), None)]));
        assert!(m.lost.is_empty() && m.changed);
        assert_eq!(doc["notes"].version, stamp(12, 2), "the later version stays");
    }

    #[test]
    fn edits_after_a_delete_are_kept_not_applied() {
        let mut doc = RecordFields::new();
        merge_op(&mut doc, &mut op(stamp(10, 1), &[("notes", json!("x"), None)]));
        merge_op(&mut doc, &mut op(stamp(20, 1), &[("deleted", json!(true), None)]));
        let before = merge_op(&mut doc, &mut op(stamp(15, 2), &[("notes", json!("older"), Some(stamp(10, 1)))]));
        assert!(before.lost.is_empty() && doc["notes"].value == json!("older"), "an edit older than the delete applies");
        let after = merge_op(&mut doc, &mut op(stamp(30, 2), &[("notes", json!("late"), Some(stamp(15, 2)))]));
        assert_eq!(after.lost[0].kind, LostKind::AfterDelete);
        assert_eq!(doc["notes"].value, json!("older"));
        assert!(matches!(after.outcome(), OpOutcome::Conflict { .. }));
    }
}
