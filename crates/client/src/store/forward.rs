//! Living beside newer and older apps (issue 17, docs/compatibility.md): the outbox brought up
//! to this build's schema when the app is updated with unsent work in it, what a newer server
//! sent that this build cannot hold kept aside for the next version, and what the server says
//! it accepts.

use super::{meta, Store};
use crate::error::Result;
use qar_core::protocol::{Change, Compat, FieldValue, OpOutcome};
use qar_core::sync::forward::SetAside;
use qar_core::upcast::upcast_json;
use qar_core::{EntityKind, SCHEMA_VERSION};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

/// How long a refused change is shown in the status: two weeks, a visit and its write-up.
pub const REFUSALS_SHOWN_MS: u64 = 14 * 24 * 60 * 60 * 1000;

/// The meta key of the last `Compat` a server sent.
const COMPAT_KEY: &str = "server_compat";

/// One refused change as the status shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: String,
    pub message: String,
}

/// Meta key: the outbox seq up to which unsent ops were brought up to this build's schema.
const UPCAST_CHECKED_THROUGH: &str = "outbox_upcast_checked_through";

impl Store {
    /// Brings every unsent op written by an older app up to this build's schema, in one
    /// transaction, at open. Ops the upcasters cannot map stay as they are: the server refuses
    /// them alone and keeps their text as conflicts, so nothing typed is lost either way.
    /// Returns how many ops were brought up.
    pub(super) fn upcast_outbox(&mut self) -> Result<usize> {
        // Ops already looked at by an open of this build (or a newer one, which this build
        // cannot open) are never older than it: only those written since are read. Without
        // this every start read, and decrypted, the whole unsent outbox (~150 ms for 10,000
        // unsent notes, issue 25's cold start).
        let checked = meta::parse_u64(meta::get(&self.conn, UPCAST_CHECKED_THROUGH)?);
        let from = meta::acked_through(&self.conn)?.max(checked);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let old: Vec<(i64, String, String, String, String, String, u32)> = tx
            .prepare(
                "SELECT seq, entity, entity_id, review_id, fields, hlc, schema_version FROM outbox
                 WHERE seq > ?1 AND schema_version < ?2 ORDER BY seq",
            )?
            .query_map(params![from.min(i64::MAX as u64) as i64, SCHEMA_VERSION], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut brought = 0;
        for (seq, entity, id, review_id, fields, hlc, version) in old {
            let fields: Value = serde_json::from_str(&fields).unwrap_or(Value::Null);
            let op = json!({"seq": seq, "entity": entity, "id": id, "review_id": review_id, "fields": fields, "hlc": hlc, "schema_version": version});
            let Ok(up) = upcast_json(op) else { continue };
            tx.prepare_cached("UPDATE outbox SET fields = ?1, schema_version = ?2 WHERE seq = ?3")?.execute(params![
                up["fields"].to_string(),
                SCHEMA_VERSION,
                seq
            ])?;
            brought += 1;
        }
        // An op this build cannot bring up (skipped above) stays below the mark too: it would
        // fail the same way at every start, and the push reports it.
        let last: i64 = tx.query_row("SELECT coalesce(max(seq), 0) FROM outbox", [], |r| r.get(0))?;
        if last as u64 > checked {
            meta::set(&tx, UPCAST_CHECKED_THROUGH, &last.to_string())?;
        }
        tx.commit()?;
        if brought > 0 {
            tracing::info!(ops = brought, to = SCHEMA_VERSION, "unsent changes brought up to this app's data schema");
        }
        Ok(brought)
    }

    /// Applies what an older version of this app kept aside and this build now knows (a kind
    /// of record or fields added since), as pulled changes, in one transaction at open: the
    /// update needs no re-sync. What this build still does not know stays aside. Returns how
    /// many records changed.
    pub(super) fn apply_set_aside_now_known(&mut self) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let rows: Vec<(String, String, String, i64, String)> = tx
            .prepare("SELECT entity, id, review_id, server_seq, fields FROM set_aside ORDER BY server_seq")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut changes = Vec::new();
        for (entity, id, review_id, server_seq, fields) in rows {
            let Ok(kind) = EntityKind::parse(&entity) else { continue };
            let (Ok(uuid), Ok(review)) = (id.parse::<Uuid>(), review_id.parse::<Uuid>()) else { continue };
            let fields: Map<String, Value> = serde_json::from_str(&fields).unwrap_or_default();
            let (known, unknown): (Map<String, Value>, Map<String, Value>) =
                fields.into_iter().partition(|(name, _)| kind.field(name).is_ok());
            let known: BTreeMap<String, FieldValue> =
                known.into_iter().filter_map(|(name, f)| serde_json::from_value(f).ok().map(|f| (name, f))).collect();
            if unknown.is_empty() {
                tx.prepare_cached("DELETE FROM set_aside WHERE entity = ?1 AND id = ?2")?.execute([&entity, &id])?;
            } else {
                tx.prepare_cached("UPDATE set_aside SET fields = ?3, unknown_kind = 0 WHERE entity = ?1 AND id = ?2")?.execute(params![
                    entity,
                    id,
                    Value::Object(unknown).to_string()
                ])?;
            }
            if !known.is_empty() {
                changes.push(Change { server_seq: server_seq as u64, entity: kind, id: uuid, review_id: review, fields: known });
            }
        }
        let applied = super::inbox::apply_changes(&tx, &changes)?;
        tx.commit()?;
        if applied > 0 {
            tracing::info!(records = applied, "records kept aside by an older version applied");
        }
        Ok(applied)
    }

    /// How many unsent ops are of an older schema than this build writes (0 after open).
    pub fn outbox_ops_below_current_schema(&self) -> Result<u32> {
        let acked = meta::acked_through(&self.conn)? as i64;
        Ok(self.conn.query_row(
            "SELECT count(*) FROM outbox WHERE seq > ?1 AND schema_version < ?2",
            params![acked, SCHEMA_VERSION],
            |r| r.get(0),
        )?)
    }

    /// What the server last said it accepts, when it said.
    pub fn server_compat(&self) -> Result<Option<Compat>> {
        Ok(meta::get(&self.conn, COMPAT_KEY)?.and_then(|s| serde_json::from_str(&s).ok()))
    }

    pub fn note_server_compat(&self, compat: &Compat) -> Result<()> {
        meta::set(&self.conn, COMPAT_KEY, &serde_json::to_string(compat).unwrap_or_default())
    }

    /// Records and fields kept aside from newer servers.
    pub fn set_aside_count(&self) -> Result<u32> {
        Ok(self.conn.query_row("SELECT count(*) FROM set_aside", [], |r| r.get(0))?)
    }

    /// The fields kept aside for one record, `{name: {value, version}}`.
    pub fn set_aside_fields(&self, entity: &str, id: &str) -> Result<Option<Map<String, Value>>> {
        let raw: Option<String> =
            self.conn.query_row("SELECT fields FROM set_aside WHERE entity = ?1 AND id = ?2", [entity, id], |r| r.get(0)).optional()?;
        Ok(raw.and_then(|s| serde_json::from_str(&s).ok()))
    }

    /// Changes of this laptop the server refused for good in the last [`REFUSALS_SHOWN_MS`],
    /// newest first (their reason kept). Older ones stay in the outbox but are no longer
    /// shown: the status bar has no way to dismiss them, and a refusal weeks old is not news.
    pub fn refused_changes(&self, now_ms: u64) -> Result<Vec<Refusal>> {
        let rows: Vec<(String, String)> = self
            .conn
            .prepare_cached("SELECT hlc, outcome FROM outbox WHERE outcome IS NOT NULL ORDER BY seq DESC LIMIT 100")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let since = now_ms.saturating_sub(REFUSALS_SHOWN_MS);
        Ok(rows
            .iter()
            .filter(|(hlc, _)| hlc.parse::<qar_core::Hlc>().is_ok_and(|h| h.wall_ms >= since))
            .filter_map(|(_, o)| match serde_json::from_str::<OpOutcome>(o) {
                Ok(OpOutcome::Rejected { code, message }) => Some(Refusal { code, message }),
                _ => None,
            })
            .collect())
    }
}

/// Keeps what a pull page set aside, inside the page's transaction: a later pull of the same
/// record replaces the fields it brings and keeps the others.
pub(super) fn keep_set_aside(conn: &Connection, aside: &[SetAside]) -> Result<()> {
    for a in aside {
        let stored: Option<String> = conn
            .prepare_cached("SELECT fields FROM set_aside WHERE entity = ?1 AND id = ?2")?
            .query_row([&a.entity, &a.id], |r| r.get(0))
            .optional()?;
        let mut fields: Map<String, Value> = stored.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default();
        fields.extend(a.fields.clone());
        conn.prepare_cached(
            "INSERT INTO set_aside(entity, id, review_id, server_seq, fields, unknown_kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(entity, id) DO UPDATE SET review_id = excluded.review_id, server_seq = excluded.server_seq,
                 fields = excluded.fields, unknown_kind = excluded.unknown_kind",
        )?
        .execute(params![a.entity, a.id, a.review_id, a.server_seq as i64, Value::Object(fields).to_string(), a.unknown_kind])?;
    }
    Ok(())
}
