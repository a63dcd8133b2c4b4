//! Reading a pull page written by a newer server (issue 17). A change of a record kind this
//! build does not know, and fields it does not know on a kind it does, are set aside instead of
//! failing the page: the laptop keeps them in its store so the next version of the app can use
//! them without a full re-sync, and tells the person an update is available.

use crate::protocol::{Change, Compat, PullResponse};
use crate::EntityKind;
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// What a laptop could not hold of one pulled record.
#[derive(Debug, Clone, PartialEq)]
pub struct SetAside {
    pub server_seq: u64,
    /// The record kind as the server named it.
    pub entity: String,
    pub id: String,
    pub review_id: String,
    /// The fields set aside, as sent (`{name: {value, version}}`): every field of a record of
    /// an unknown kind, only the unknown ones of a known kind.
    pub fields: Map<String, Value>,
    /// True when the whole record is of a kind this build does not know.
    pub unknown_kind: bool,
}

/// A pull page as it comes off the wire, before the split.
#[derive(Deserialize)]
pub struct WirePull {
    changes: Vec<Value>,
    cursor: u64,
    has_more: bool,
    server_time_ms: u64,
    #[serde(default)]
    access_revoked: Vec<Uuid>,
    #[serde(default)]
    compat: Option<Compat>,
    #[serde(default)]
    feed_epoch: Option<String>,
    #[serde(default)]
    purged: Vec<crate::protocol::PurgedRecord>,
    #[serde(default)]
    register_head: Option<u64>,
}

impl From<WirePull> for PullResponse {
    fn from(w: WirePull) -> PullResponse {
        let mut changes = Vec::with_capacity(w.changes.len());
        let mut set_aside = Vec::new();
        for raw in w.changes {
            match split_change(raw) {
                (Some(change), aside) => {
                    changes.push(change);
                    set_aside.extend(aside);
                }
                (None, aside) => set_aside.extend(aside),
            }
        }
        PullResponse {
            changes,
            cursor: w.cursor,
            has_more: w.has_more,
            server_time_ms: w.server_time_ms,
            access_revoked: w.access_revoked,
            compat: w.compat,
            feed_epoch: w.feed_epoch,
            purged: w.purged,
            register_head: w.register_head,
            set_aside,
        }
    }
}

/// One pulled change: the part this build can hold, and what it sets aside.
fn split_change(mut raw: Value) -> (Option<Change>, Option<SetAside>) {
    let text = |raw: &Value, k: &str| raw.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let entity = text(&raw, "entity");
    let aside = |raw: &Value, fields: Map<String, Value>, unknown_kind: bool| SetAside {
        server_seq: raw.get("server_seq").and_then(Value::as_u64).unwrap_or(0),
        entity: entity.clone(),
        id: text(raw, "id"),
        review_id: text(raw, "review_id"),
        fields,
        unknown_kind,
    };
    let Ok(kind) = EntityKind::parse(&entity) else {
        let fields = raw.get("fields").and_then(Value::as_object).cloned().unwrap_or_default();
        return (None, Some(aside(&raw, fields, true)));
    };
    let mut unknown = Map::new();
    if let Some(fields) = raw.get_mut("fields").and_then(Value::as_object_mut) {
        let names: Vec<String> = fields.keys().filter(|n| kind.field(n).is_err()).cloned().collect();
        for name in names {
            if let Some(v) = fields.remove(&name) {
                unknown.insert(name, v);
            }
        }
    }
    let kept = (!unknown.is_empty()).then(|| aside(&raw, unknown.clone(), false));
    match serde_json::from_value::<Change>(raw.clone()) {
        Ok(change) => (Some(change), kept),
        // Known kind, but not a shape this build reads: keep all of it rather than fail the page.
        Err(_) => {
            let mut all = raw.get("fields").and_then(Value::as_object).cloned().unwrap_or_default();
            all.extend(unknown);
            (None, Some(aside(&raw, all, false)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const V: &str = "1795000000000-0000000000-0000000000000001";

    #[test]
    fn unknown_kinds_and_fields_are_set_aside_not_failed() {
        let page = json!({
            "changes": [
                {"server_seq": 1, "entity": "evidence", "id": "e1", "review_id": "r1",
                 "fields": {"notes": {"value": "Seen", "version": V}, "photo_caption": {"value": "Display", "version": V}}},
                {"server_seq": 2, "entity": "school_page", "id": "a1", "review_id": "r1",
                 "fields": {"name": {"value": "plan.pdf", "version": V}}},
            ],
            "cursor": 2, "has_more": false, "server_time_ms": 5
        });
        // Ids are not UUIDs here on purpose: the split does not depend on them parsing…
        let page: PullResponse = serde_json::from_value(page).unwrap();
        // …but a change must still be a Change to be applied, so both are set aside whole or in part.
        assert_eq!(page.cursor, 2);
        assert_eq!(page.set_aside.len(), 2);
        assert!(page.set_aside.iter().any(|a| a.unknown_kind && a.entity == "school_page" && a.fields.contains_key("name")));
    }

    #[test]
    fn a_known_record_keeps_its_known_fields() {
        let id = "01900000-0000-7000-8000-000000000001";
        let page = json!({
            "changes": [{"server_seq": 7, "entity": "evidence", "id": id, "review_id": id,
                 "fields": {"notes": {"value": "Seen", "version": V}, "photo_caption": {"value": "Display", "version": V}}}],
            "cursor": 7, "has_more": false, "server_time_ms": 5,
            "compat": {"schema_version": 9, "oldest_schema_version": 1, "min_app_version": "0.1.0"}
        });
        let page: PullResponse = serde_json::from_value(page).unwrap();
        assert_eq!(page.changes.len(), 1);
        assert_eq!(page.changes[0].fields.keys().collect::<Vec<_>>(), ["notes"]);
        assert_eq!(page.set_aside.len(), 1);
        assert!(!page.set_aside[0].unknown_kind);
        assert_eq!(page.set_aside[0].fields["photo_caption"]["value"], "Display");
        assert!(page.compat.unwrap().update_available());
    }
}
