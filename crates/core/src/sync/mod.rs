//! The two halves of sync's per-field rules (architecture.md §4, docs/decisions.md 2, 3, 17, 18):
//! how the server merges a pushed op into a record ([`field_merge`]) and which pulled field
//! values a laptop takes ([`pulled_fields`]). Pure: the stores load and save, these decide.
//! `crates/core/tests/it/sync_convergence.rs` plays random edits, pushes and pulls through both.

pub mod field_merge;
pub mod forward;
pub mod pulled_fields;
pub mod retry;

use crate::protocol::FieldValue;
use crate::Hlc;
use serde_json::Value;
use std::collections::BTreeMap;

pub use field_merge::{merge_op, Lost, LostKind, Merged};
pub use pulled_fields::{pulled_field, pulled_writes, PulledField};
pub use retry::retry_needs_reannounce;

/// A record's fields as the server keeps them (and a pull sends them): name → value and version.
pub type RecordFields = BTreeMap<String, FieldValue>;

/// The text of a field, or "" when it is missing or not text.
pub fn text<'d>(doc: &'d RecordFields, field: &str) -> &'d str {
    doc.get(field).and_then(|f| f.value.as_str()).unwrap_or("")
}

/// A record whose `deleted` field is true: its tombstone version.
pub fn tombstone(doc: &RecordFields) -> Option<Hlc> {
    doc.get("deleted").filter(|f| f.value == Value::Bool(true)).map(|f| f.version)
}
