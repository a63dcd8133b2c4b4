//! Which pulled field values a laptop takes (docs/decisions.md 2, 3, 7). Pure: the laptop's
//! store reads its field versions and its unsent edits, calls this, and writes what it says.
//!
//! The server's value is the merged truth, so the laptop takes it, except for a field with an
//! edit of its own still unsent: that local value stays until the server has merged the edit
//! and sends the outcome back.

use super::RecordFields;
use crate::{validate_field, EntityKind, Hlc, ValidationError};
use std::collections::{BTreeMap, BTreeSet};

/// What the laptop does with one pulled field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PulledField {
    /// Take the server's value and version.
    Apply,
    /// A local edit of this field is not yet sent: keep the local value.
    Pending,
    /// The laptop holds this very version already.
    AlreadyHere,
    /// A value this build cannot hold (say, from a newer schema): skipped so it blocks nothing else.
    Invalid(ValidationError),
}

/// The decision for one pulled field.
pub fn pulled_field(
    entity: EntityKind,
    name: &str,
    incoming: &crate::protocol::FieldValue,
    local_version: Option<Hlc>,
    pending: bool,
) -> PulledField {
    if pending {
        return PulledField::Pending;
    }
    if local_version == Some(incoming.version) {
        return PulledField::AlreadyHere;
    }
    match validate_field(entity, name, &incoming.value) {
        Ok(()) => PulledField::Apply,
        Err(e) => PulledField::Invalid(e),
    }
}

/// Every pulled field of one record with its decision, in field-name order.
pub fn pulled_writes<'c>(
    entity: EntityKind,
    incoming: &'c RecordFields,
    local_versions: &BTreeMap<String, Hlc>,
    pending: &BTreeSet<String>,
) -> Vec<(&'c str, PulledField)> {
    incoming
        .iter()
        .map(|(name, f)| (name.as_str(), pulled_field(entity, name, f, local_versions.get(name).copied(), pending.contains(name))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::FieldValue;
    use serde_json::json;

    #[test]
    fn the_server_value_is_taken_unless_an_edit_is_pending_or_it_is_here() {
        let v = |wall_ms| Hlc { wall_ms, counter: 0, node: 1 };
        let incoming: RecordFields = [
            ("notes".to_owned(), FieldValue { value: json!("server"), version: v(5) }),
            ("year_group".to_owned(), FieldValue { value: json!("Y4"), version: v(6) }),
            ("activity_type".to_owned(), FieldValue { value: json!("not a type"), version: v(7) }),
            ("area_tags".to_owned(), FieldValue { value: json!([]), version: v(8) }),
        ]
        .into();
        let local: BTreeMap<String, Hlc> = [("notes".to_owned(), v(9)), ("year_group".to_owned(), v(6))].into();
        let pending: BTreeSet<String> = ["notes".to_owned()].into();
        let got = pulled_writes(EntityKind::Evidence, &incoming, &local, &pending);
        let invalid = validate_field(EntityKind::Evidence, "activity_type", &json!("not a type")).unwrap_err();
        assert_eq!(
            got,
            [
                ("activity_type", PulledField::Invalid(invalid)),
                ("area_tags", PulledField::Apply),
                ("notes", PulledField::Pending),
                ("year_group", PulledField::AlreadyHere),
            ]
        );
    }
}
