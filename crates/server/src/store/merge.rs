//! Merging one op into a record, per field (architecture.md §4). Pure: the caller stores the
//! result and keeps the losing values as conflict records.

use super::records::{tombstone, Doc};
use qar_core::protocol::{FieldConflict, FieldValue, Op, OpOutcome};
use qar_core::Hlc;
use serde_json::Value;

/// A value that is not current after the merge but must not be lost.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Lost {
    pub field: String,
    pub value: Value,
    pub version: Hlc,
    /// The version that is current instead (for an edit after a delete: the delete's).
    pub winner: Hlc,
    /// The losing value is this op's (else it was the stored one).
    pub from_op: bool,
    /// "concurrent" or "after_delete".
    pub kind: &'static str,
}

#[derive(Debug, Default)]
pub(super) struct Merged {
    /// The record changed (or must be announced again so a losing device learns the winner).
    pub changed: bool,
    pub lost: Vec<Lost>,
    pub conflicts: Vec<FieldConflict>,
}

impl Merged {
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
pub(super) fn merge(doc: &mut Doc, op: &mut Op) -> Merged {
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
                    kind: "after_delete",
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
                    kind: "concurrent",
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
