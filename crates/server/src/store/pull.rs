//! The pull feed: current field values after a cursor, in server-sequence order, scoped to
//! what the asker may read.

use super::{ServerStore, StoreError};
use crate::auth::{AuthDevice, Role};
use crate::store::db::params;
use qar_core::protocol::{FieldValue, PullResponse};
use qar_core::upcast::readers::PullReader;
use qar_core::ErrorCode;
use qar_core::{EntityKind, Hlc};
use std::collections::BTreeMap;
use std::fmt::Write;
use uuid::Uuid;

pub const MAX_PULL_LIMIT: u32 = 5000;

/// A page ends at `limit` records or at about this many bytes of encoded records, whichever comes
/// first (issue 25, decision 111); a record larger than this goes in a page of its own. On a slow
/// link a page is what the laptop waits for before applying anything, and what a cut connection
/// loses: 2,000 notes of 2 KB would be 5 MB. 256 KB pages cost 4% more bytes compressed and four
/// times the requests; 4 MB pages save 1% of the bytes but a cut loses four times as much
/// (decision 111 has the measurements).
pub const PAGE_BYTES: usize = 1024 * 1024;

/// Whose records a pull may return (architecture.md §4, domain.md §2): an administrator reads
/// everything; a team member every record of their reviews; a hub coordinator the records of
/// their hub's reviews except evidence and kept conflicts (team evidence is not theirs to read).
/// The copy of a school's previous review (issue 23) is the team's alone: it reaches the team's
/// laptops only, never a coordinator's or an administrator's who is not on the team (they read
/// issued reports through the report endpoints).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadScope {
    pub everything: bool,
    pub user_id: String,
    pub coordinated_hubs: Vec<String>,
    /// The app asking, by its data schema: a first-release app is not sent kinds or fields it
    /// cannot read (`qar_core::upcast::readers`).
    pub reader: PullReader,
}

impl ReadScope {
    pub fn of(device: &AuthDevice) -> ReadScope {
        let coordinated_hubs = device
            .roles
            .iter()
            .filter_map(|r| match r {
                Role::HubCoordinator { hub_id } => Some(hub_id.clone()),
                Role::Admin => None,
            })
            .collect();
        ReadScope { everything: device.is_admin(), user_id: device.user_id.clone(), coordinated_hubs, reader: PullReader::current() }
    }

    /// The same scope for an app that declared `schema` (none: the first release).
    pub fn read_by(self, schema: Option<u32>) -> ReadScope {
        ReadScope { reader: PullReader::of(schema), ..self }
    }

    /// Everything (administrators, and tests that look at the whole store).
    pub fn everything() -> ReadScope {
        ReadScope { everything: true, user_id: String::new(), coordinated_hubs: Vec::new(), reader: PullReader::current() }
    }
}

impl ServerStore {
    /// Records changed after `cursor` that `scope` may read, in server order. For `for_device`,
    /// fields whose current version that device wrote are left out (it has them; this is the
    /// echo of its own push), and a record with nothing else new is skipped. The cursor moves
    /// past skipped and unreadable records too, so nobody waits on what they cannot see.
    pub fn pull(
        &self,
        cursor: u64,
        limit: u32,
        for_device: Option<Uuid>,
        scope: &ReadScope,
        now_ms: u64,
    ) -> Result<PullResponse, StoreError> {
        let page = self.pull_json(cursor, limit, for_device, scope, now_ms)?;
        serde_json::from_str(&page.json).map_err(|e| StoreError::Corrupt { what: "page of records".into(), detail: e.to_string() })
    }

    /// [`ServerStore::pull`] as the JSON text of its `PullResponse`, which is what the HTTP
    /// layer sends. A record's `fields` column already is the JSON of a change's `fields`, so a
    /// record with nothing to leave out is copied into the page as it is stored instead of being
    /// parsed and written again (a first pull is tens of megabytes of it).
    pub fn pull_json(
        &self,
        cursor: u64,
        limit: u32,
        for_device: Option<Uuid>,
        scope: &ReadScope,
        now_ms: u64,
    ) -> Result<PullPage, StoreError> {
        check_cursor(cursor)?;
        let own_node = for_device.map(|d| Hlc::node_of(&d));
        // Every version the device wrote ends with this; a record without it has nothing to hide.
        let own_marker = own_node.map(|n| format!("-{n:016x}\""));
        let limit = limit.clamp(1, MAX_PULL_LIMIT);
        let mut conn = self.reader();
        // One snapshot for the page and the newest seq, so the cursor never skips a commit.
        let tx = conn.transaction()?;
        let hubs = serde_json::to_string(&scope.coordinated_hubs).unwrap_or_else(|_| "[]".into());
        let mut stmt = tx.prepare_cached(
            "SELECT r.server_seq, r.entity, r.id, r.review_id, r.fields,
                    (r.entity = 'attachment' AND NOT ?3 AND NOT EXISTS (
                        SELECT 1 FROM review_team t WHERE t.review_id = r.review_id AND t.user_id = ?4)) AS off_team_attachment
             FROM records r
             WHERE r.server_seq > ?1 AND (
                (?3 AND r.entity <> 'previous_review')
                OR EXISTS (SELECT 1 FROM review_team t WHERE t.review_id = r.review_id AND t.user_id = ?4)
                OR (r.entity NOT IN ('evidence', 'conflict', 'previous_review') AND EXISTS (
                    SELECT 1 FROM review_hub h WHERE h.review_id = r.review_id AND h.hub_id IN (SELECT value FROM json_each(?5)))))
             ORDER BY r.server_seq LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![cursor as i64, limit as i64 + 1, scope.everything, scope.user_id, hubs])?;
        let mut out = String::with_capacity(4096);
        out.push_str("{\"changes\":[");
        let page_bytes = self.pull_page_bytes();
        let records_start = out.len();
        let mut changes = 0usize;
        let mut has_more = false;
        let mut returned = 0u32;
        let mut last_seq = cursor;
        let mut uuid_buf = Uuid::encode_buffer();
        while let Some(r) = rows.next()? {
            if returned == limit {
                has_more = true;
                break;
            }
            returned += 1;
            let bad = |i: usize, e: String| crate::store::db::Error::FromSqlConversionFailure(i, crate::store::db::Type::Text, e.into());
            let text = |i: usize| -> crate::store::db::Result<&str> { r.get_ref(i)?.as_str().map_err(|e| bad(i, e.to_string())) };
            let server_seq = r.get::<_, i64>(0)? as u64;
            // Where the page ends if this record does not fit in it.
            let before = last_seq;
            last_seq = server_seq;
            let raw = text(4)?;
            let entity = text(1)?;
            if !scope.reader.takes_kind(entity) {
                continue;
            }
            let filtered = match (own_node, &own_marker) {
                (Some(node), Some(marker)) if raw.contains(marker.as_str()) || raw == "{}" => match only_own(raw, node) {
                    Ok(true) => continue,
                    _ => {
                        let mut fields: BTreeMap<String, FieldValue> =
                            super::records::parse_doc(raw, || format!("record at server_seq {server_seq}"))?;
                        fields.retain(|_, f| f.version.node != node);
                        if fields.is_empty() {
                            continue;
                        }
                        Some(super::records::doc_json(&fields))
                    }
                },
                _ => None,
            };
            // A coordinator (off the team) reads an attachment without what it says of its note.
            let filtered = if r.get::<_, i64>(5)? != 0 {
                let mut fields: BTreeMap<String, FieldValue> =
                    super::records::parse_doc(filtered.as_deref().unwrap_or(raw), || format!("record at server_seq {server_seq}"))?;
                fields.retain(|name, _| !qar_core::attachment::TEAM_ONLY_FIELDS.contains(&name.as_str()));
                if fields.is_empty() {
                    continue;
                }
                Some(super::records::doc_json(&fields))
            } else {
                filtered
            };
            // A kind this server does not know (written by a newer server before a rollback)
            // is still served as it is, when it reads as a code: laptops set aside what they
            // do not know (issue 17) instead of the whole feed stopping here.
            let (entity, kind) = match EntityKind::parse(entity) {
                Ok(kind) => (kind.code(), Some(kind)),
                Err(e) => {
                    (qar_core::entities::check_code("Record kind", entity).map(|()| entity).map_err(|_| bad(1, e.to_string()))?, None)
                }
            };
            // A first-release app refuses a field it does not know: leave those out.
            let filtered = match kind {
                Some(kind) if !scope.reader.takes_everything() => {
                    match only_fields_for(filtered.as_deref().unwrap_or(raw), kind, scope.reader, server_seq)? {
                        Readable::Nothing => continue,
                        Readable::Without(json) => Some(json),
                        Readable::All => filtered,
                    }
                }
                _ => filtered,
            };
            let id: Uuid = text(2)?.parse().map_err(|e: uuid::Error| bad(2, e.to_string()))?;
            let review_id: Uuid = text(3)?.parse().map_err(|e: uuid::Error| bad(3, e.to_string()))?;
            let fields_json = filtered.as_deref().unwrap_or(raw);
            // The page is full by size: this record starts the next one. The first record of a
            // page always goes, however large, so nothing is ever stuck.
            if changes > 0 && out.len() - records_start + fields_json.len() + RECORD_FRAME_BYTES > page_bytes {
                has_more = true;
                last_seq = before;
                break;
            }
            if changes > 0 {
                out.push(',');
            }
            changes += 1;
            out.reserve(fields_json.len() + RECORD_FRAME_BYTES);
            let _ = write!(out, "{{\"server_seq\":{server_seq},\"entity\":\"{entity}\",\"id\":\"");
            out.push_str(id.hyphenated().encode_lower(&mut uuid_buf));
            out.push_str("\",\"review_id\":\"");
            out.push_str(review_id.hyphenated().encode_lower(&mut uuid_buf));
            out.push_str("\",\"fields\":");
            out.push_str(fields_json);
            out.push('}');
        }
        drop(rows);
        drop(stmt);
        // A cursor beyond the newest seq was given by another incarnation of this store (one
        // restored from a backup since): the answer names the real end, below the cursor, so
        // the laptop learns it (decision 55); the feed only grows, so nothing else does that.
        let next = if has_more { last_seq } else { super::push::max_server_seq(&tx)? };
        let _ = write!(out, "],\"cursor\":{next},\"has_more\":{has_more},\"server_time_ms\":{now_ms}");
        // Reviews the asker was taken off within this page's span of the feed (issue 9).
        if !scope.everything {
            let mut revoked = super::scheduling::removed_between(&tx, &scope.user_id, cursor, next)?;
            revoked.retain(|r| {
                let hub = super::access::hub_of(&tx, &r.to_string()).ok().flatten();
                !hub.is_some_and(|h| scope.coordinated_hubs.contains(&h))
            });
            if !revoked.is_empty() {
                let ids: Vec<String> = revoked.iter().map(|r| format!("\"{r}\"")).collect();
                let _ = write!(out, ",\"access_revoked\":[{}]", ids.join(","));
            }
        }
        // What retention removed within this page's span of the feed (issue 24).
        let purged = super::retention::purged_between(&tx, scope, cursor, next)?;
        if !purged.is_empty() {
            out.push_str(",\"purged\":");
            out.push_str(&serde_json::to_string(&purged).unwrap_or_else(|_| "[]".into()));
        }
        // What this server accepts, on every page (issue 17): an app learns it may or must
        // update before anything of it is refused.
        out.push_str(",\"compat\":");
        out.push_str(&serde_json::to_string(&qar_core::protocol::Compat::of_this_build()).unwrap_or_else(|_| "null".into()));
        // Where the register's feed ends, read in the page's snapshot (issue 25): the laptop
        // asks for the register's changes only when this is past its own cursor.
        let _ = write!(out, ",\"register_head\":{}", super::register::head(&tx)?);
        // Hex digits only (made by the store): no escaping needed.
        let _ = write!(out, ",\"feed_epoch\":\"{}\"", self.feed_epoch());
        out.push('}');
        Ok(PullPage { json: out, changes, cursor: next, has_more })
    }
}

/// What a change adds to the page besides its fields: seq, kind and the two ids with their keys
/// (about 140 bytes), rounded up.
const RECORD_FRAME_BYTES: usize = 160;

/// A pull page as the JSON text of a `PullResponse`, with what the HTTP layer needs to know
/// about it without reading it back.
#[derive(Debug, Clone)]
pub struct PullPage {
    pub json: String,
    /// Number of changes in the page.
    pub changes: usize,
    pub cursor: u64,
    pub has_more: bool,
}

/// What a first-release app may be sent of one record.
enum Readable {
    All,
    /// The record's fields JSON without the fields that app cannot read.
    Without(String),
    /// None of its fields: the record is left out.
    Nothing,
}

/// Leaves out the fields of `raw` (a record's fields JSON) that `reader` cannot read. The keys
/// are read first, without building any value, so a record it can read whole is copied as it is.
fn only_fields_for(raw: &str, kind: EntityKind, reader: PullReader, server_seq: u64) -> Result<Readable, StoreError> {
    let keys =
        field_names(raw).map_err(|e| StoreError::Corrupt { what: format!("record at server_seq {server_seq}"), detail: e.to_string() })?;
    if keys.iter().all(|k| reader.takes_field(kind, k)) {
        return Ok(Readable::All);
    }
    let mut fields: BTreeMap<String, FieldValue> = super::records::parse_doc(raw, || format!("record at server_seq {server_seq}"))?;
    fields.retain(|name, _| reader.takes_field(kind, name));
    Ok(if fields.is_empty() { Readable::Nothing } else { Readable::Without(super::records::doc_json(&fields)) })
}

/// The field names of a record's fields JSON, values skipped unread.
fn field_names(raw: &str) -> serde_json::Result<Vec<String>> {
    let fields: BTreeMap<String, serde::de::IgnoredAny> = serde_json::from_str(raw)?;
    Ok(fields.into_keys().collect())
}

/// True when every field of a stored record carries a version of `node` (the asker's own
/// writes only, so the record is skipped), read without building any value.
fn only_own(raw: &str, node: u64) -> serde_json::Result<bool> {
    use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
    #[derive(serde::Deserialize)]
    struct VersionOnly<'a> {
        #[serde(borrow)]
        version: std::borrow::Cow<'a, str>,
    }
    struct AllOwn(u64);
    impl<'de> Visitor<'de> for AllOwn {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a record's fields")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
            let mut all = true;
            while map.next_key::<IgnoredAny>()?.is_some() {
                let v: VersionOnly = map.next_value()?;
                let node = v.version.rsplit('-').next().and_then(|n| u64::from_str_radix(n, 16).ok());
                all &= node == Some(self.0);
            }
            Ok(all)
        }
    }
    impl<'de> DeserializeSeed<'de> for AllOwn {
        type Value = bool;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
            d.deserialize_map(self)
        }
    }
    let mut de = serde_json::Deserializer::from_str(raw);
    let all = AllOwn(node).deserialize(&mut de)?;
    de.end()?;
    Ok(all)
}

/// A cursor is a server_seq, which SQLite keeps as a signed 64-bit integer: one above
/// `i64::MAX` would wrap to a negative number and replay the whole feed (issue 15).
pub fn check_cursor(cursor: u64) -> Result<(), StoreError> {
    if i64::try_from(cursor).is_err() {
        return Err(StoreError::Refused {
            code: ErrorCode::CursorOutOfRange,
            message: format!("The pull cursor must be at most {}: it is a position in the server's feed, as the server gave it.", i64::MAX),
            details: serde_json::json!({ "max": i64::MAX }),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use qar_core::protocol::{FieldWrite, Op, PushRequest};
    use qar_core::SCHEMA_VERSION;
    use serde_json::json;

    const T: u64 = 1_795_000_000_000;

    fn op(seq: u64, entity: EntityKind, id: Uuid, review: Uuid, fields: &[(&str, serde_json::Value)], node: u64) -> Op {
        Op {
            seq,
            entity,
            id,
            review_id: review,
            fields: fields.iter().map(|(f, v)| (f.to_string(), FieldWrite { value: v.clone(), base: None })).collect(),
            hlc: Hlc { wall_ms: T + seq, counter: 0, node },
            schema_version: SCHEMA_VERSION,
        }
    }

    #[test]
    fn the_page_text_skips_only_what_is_all_the_askers_own() {
        let dir = tempfile::tempdir().unwrap();
        let s = crate::open_store(dir.path(), None, &crate::KeySource::DataDir).unwrap();
        s.test_user("user-lead", "Lena Lead", &[]).unwrap();
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let who = |d: Uuid| AuthDevice { user_id: "user-lead".into(), device_id: d, roles: vec![] };
        let (review, own, tricky) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        // B's note quotes A's version marker in its text: it must still reach A whole.
        let quote = format!("copied: \"version\":\"{T}-0000000000-{:016x}\"}}", 1u64);
        let ops = vec![
            op(1, EntityKind::Review, review, review, &[("school_name", json!("Kestrel Brook"))], 1),
            op(2, EntityKind::Evidence, own, review, &[("notes", json!("A's own note")), ("author_id", json!("user-lead"))], 1),
        ];
        s.push(&PushRequest { device_id: a, schema_version: SCHEMA_VERSION, ops, pull_cursor: None }, &who(a), T).unwrap();
        let ops = vec![op(1, EntityKind::Evidence, tricky, review, &[("notes", json!(quote)), ("author_id", json!("user-lead"))], 2)];
        s.push(&PushRequest { device_id: b, schema_version: SCHEMA_VERSION, ops, pull_cursor: None }, &who(b), T).unwrap();

        let everything = ReadScope::everything();
        let page = s.pull_json(0, 100, Some(a), &everything, T).unwrap();
        let parsed: PullResponse = serde_json::from_str(&page.json).unwrap();
        assert_eq!((page.changes, page.cursor, page.has_more), (parsed.changes.len(), parsed.cursor, parsed.has_more));
        let ids: Vec<Uuid> = parsed.changes.iter().map(|c| c.id).collect();
        assert_eq!(ids, [review, tricky], "A's own note is skipped; the review (server-written team) and B's note come");
        assert_eq!(parsed.changes[0].fields.keys().collect::<Vec<_>>(), ["team"]);
        assert_eq!(parsed.changes[1].fields["notes"].value, json!(quote));
        assert_eq!(parsed.cursor, 3, "the cursor moves past the skipped note");

        // Without a device every record comes whole, exactly as stored (the text is copied).
        let whole: PullResponse = serde_json::from_str(&s.pull_json(0, 100, None, &everything, T).unwrap().json).unwrap();
        assert_eq!(whole.changes.len(), 3);
        assert_eq!(whole.changes[1].fields["notes"].value, json!("A's own note"));
        assert_eq!(whole.changes[1].fields["notes"].version, Hlc { wall_ms: T + 2, counter: 0, node: 1 });
    }
}
