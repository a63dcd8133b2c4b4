//! A retried op (its first answer was lost) is answered `duplicate` and changes nothing. But
//! while it waited, its laptop kept its own value of every field it wrote: a pull in between
//! skipped the server's values of those fields as pending (`pulled_fields`). If the op did not
//! become current everywhere it wrote (it lost to a later write, or a same value stood already),
//! nothing would ever send that laptop the current version, and it would stay on its own value
//! (docs/decisions.md 39 found this; 44 closes it). So the server re-announces such a record:
//! it moves it to the end of the pull feed, and the laptop, now with nothing pending, takes it.

use super::RecordFields;
use crate::protocol::Op;

/// Whether a retried `op` must put its record back in the pull feed: some field it wrote is
/// not current at the op's version (or the record is gone).
pub fn retry_needs_reannounce(current: Option<&RecordFields>, op: &Op) -> bool {
    let Some(doc) = current else { return !op.fields.is_empty() };
    op.fields.keys().any(|name| doc.get(name).is_none_or(|f| f.version != op.hlc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{FieldValue, FieldWrite};
    use crate::{EntityKind, Hlc, SCHEMA_VERSION};
    use serde_json::json;
    use uuid::Uuid;

    fn op(hlc: Hlc, fields: &[&str]) -> Op {
        Op {
            seq: 1,
            entity: EntityKind::Evidence,
            id: Uuid::from_u128(1),
            review_id: Uuid::from_u128(2),
            fields: fields.iter().map(|f| (f.to_string(), FieldWrite { value: json!("x"), base: None })).collect(),
            hlc,
            schema_version: SCHEMA_VERSION,
        }
    }

    #[test]
    fn only_a_retry_that_is_not_current_everywhere_it_wrote_is_announced_again() {
        let mine = Hlc { wall_ms: 5, counter: 0, node: 1 };
        let later = Hlc { wall_ms: 9, counter: 0, node: 2 };
        let doc: RecordFields = [
            ("notes".to_owned(), FieldValue { value: json!("x"), version: mine }),
            ("deleted".to_owned(), FieldValue { value: json!(true), version: later }),
        ]
        .into();
        assert!(!retry_needs_reannounce(Some(&doc), &op(mine, &["notes"])), "it won: the laptop holds the current version");
        assert!(retry_needs_reannounce(Some(&doc), &op(mine, &["notes", "deleted"])), "a same value stood already, under another version");
        assert!(retry_needs_reannounce(Some(&doc), &op(mine, &["subject"])), "a field the record does not hold");
        assert!(retry_needs_reannounce(None, &op(mine, &["notes"])), "no record: nothing current");
    }
}
