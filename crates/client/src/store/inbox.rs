//! The pull path: applying a page of server changes and the cursor in one transaction.

use super::{columns, meta, Store};
use crate::error::Result;
use qar_core::protocol::{Change, PullResponse};
use qar_core::sync::{pulled_writes, PulledField};
use qar_core::{EntityKind, Hlc};
use rusqlite::{params, Transaction, TransactionBehavior};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The page cache while applying bulk pages, in KiB (SQLite's negative `cache_size`).
const BULK_CACHE_KIB: i64 = -32 * 1024;

impl Store {
    pub fn pull_cursor(&self) -> Result<u64> {
        Ok(meta::parse_u64(meta::get(&self.conn, "pull_cursor")?))
    }

    /// Applies one pulled page and advances the cursor atomically, so a crash between pages
    /// re-pulls at most one page and never skips one. Returns how many records changed here.
    pub fn apply_pull(&mut self, page: &PullResponse, now_ms: u64) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let bulk = page.changes.len() >= super::search_index::BULK_PAGE;
        if bulk {
            // A bulk page is megabytes: with SQLite's default 2 MB page cache the transaction
            // would spill pages to the WAL half-way and read them back. Stays set afterwards.
            tx.pragma_update(None, "cache_size", BULK_CACHE_KIB)?;
            // Indexing thousands of notes here would triple the time to a usable laptop; the
            // background thread indexes them right after (see migration 2).
            tx.execute("INSERT OR IGNORE INTO fts_defer(one) VALUES (1)", [])?;
        }
        // Most pulls happen with nothing in flight: then no record needs the pending-edit check.
        let acked = meta::acked_through(&tx)?;
        let any_pending = tx.prepare_cached("SELECT 1 FROM outbox WHERE seq > ?1")?.exists([acked as i64])?;
        let mut applied = 0;
        let mut teams_changed = false;
        // Reviews known to have a row here (real or placeholder) during this page.
        let mut held: BTreeSet<uuid::Uuid> = BTreeSet::new();
        let mut touched: BTreeSet<uuid::Uuid> = BTreeSet::new();
        // Reviews whose local copy the person dropped (decision 88): their records stay away.
        let dropped = super::local_copy::dropped(&tx)?;
        let mut here = if bulk { Here::of_page(&tx, &page.changes)? } else { Here::default() };
        for change in page.changes.iter().filter(|c| !dropped.contains(&c.review_id)) {
            teams_changed |= change.entity == EntityKind::Review && change.fields.contains_key("team");
            for f in change.fields.values() {
                self.clock.observe(f.version, now_ms);
            }
            if apply_change(&tx, change, any_pending.then_some(acked), &mut held, &mut here)? {
                applied += 1;
                touched.insert(change.review_id);
            }
        }
        if bulk {
            tx.execute("DELETE FROM fts_defer", [])?;
        }
        if teams_changed {
            if let Some(me) = meta::get(&tx, "user_id")?.filter(|u| !u.is_empty()) {
                super::session::refresh_my_roles(&tx, &me)?;
            }
        }
        // What this build cannot hold (a newer server's kinds and fields) is kept, not lost,
        // so the page still counts as read (issue 17).
        let aside: Vec<_> = page
            .set_aside
            .iter()
            .filter(|a| !matches!(a.review_id.parse::<uuid::Uuid>(), Ok(r) if dropped.contains(&r)))
            .cloned()
            .collect();
        super::forward::keep_set_aside(&tx, &aside)?;
        if let Some(compat) = &page.compat {
            meta::set(&tx, "server_compat", &serde_json::to_string(compat).unwrap_or_default())?;
        }
        if let Some(epoch) = &page.feed_epoch {
            // Callers ask `feed_moved` before applying a page: this one is of the feed followed.
            meta::set(&tx, "server_feed_epoch", epoch)?;
        }
        meta::set(&tx, "pull_cursor", &page.cursor.to_string())?;
        meta::set_clock(&tx, self.clock.last())?;
        tx.commit()?;
        self.changed_reviews.extend(touched.iter().map(uuid::Uuid::to_string));
        Ok(applied)
    }
}

/// Applies changes that did not come with a page (records kept aside by an older version of
/// this app, see `forward.rs`), inside `tx`, by the same rules as a pulled page.
pub(super) fn apply_changes(tx: &Transaction, changes: &[Change]) -> Result<usize> {
    let acked = meta::acked_through(tx)?;
    let any_pending = tx.prepare_cached("SELECT 1 FROM outbox WHERE seq > ?1")?.exists([acked as i64])?;
    let mut held = BTreeSet::new();
    let mut applied = 0;
    for change in changes {
        if apply_change(tx, change, any_pending.then_some(acked), &mut held, &mut Here::default())? {
            applied += 1;
        }
    }
    Ok(applied)
}

/// Fields of a record with a local edit still in flight. Those keep the local value: the server
/// merges the two when the edit arrives and sends the outcome back.
fn pending_fields(tx: &Transaction, c: &Change, acked: u64) -> Result<BTreeSet<String>> {
    let mut stmt = tx.prepare_cached("SELECT fields FROM outbox WHERE entity = ?1 AND entity_id = ?2 AND seq > ?3")?;
    let rows = stmt.query_map(params![c.entity.code(), c.id.to_string(), acked as i64], |r| r.get::<_, String>(0))?;
    let mut names = BTreeSet::new();
    for raw in rows {
        let fields: BTreeMap<String, Value> = serde_json::from_str(&raw?).unwrap_or_default();
        names.extend(fields.into_keys());
    }
    Ok(names)
}

/// What a bulk page's records hold here, read in one statement per kind before the page is
/// applied, so each record does not look itself up. Each answer is used once: a record that
/// came twice in one page (it cannot, the feed holds a record once, but the store does not
/// rely on that) is looked up again the second time, after its first write.
#[derive(Default)]
struct Here {
    /// The page's records: `Some` with their versions when held here, `None` when not.
    known: HashMap<(EntityKind, uuid::Uuid), Option<columns::Versions>>,
}

impl Here {
    fn of_page(tx: &Transaction, changes: &[Change]) -> Result<Here> {
        let mut by_kind: BTreeMap<&'static str, (EntityKind, Vec<uuid::Uuid>)> = BTreeMap::new();
        for c in changes {
            by_kind.entry(c.entity.code()).or_insert_with(|| (c.entity, Vec::new())).1.push(c.id);
        }
        let mut known = HashMap::with_capacity(changes.len());
        for (entity, ids) in by_kind.into_values() {
            let mut found = columns::versions_of_many(tx, entity, &ids)?;
            for id in ids {
                // A record named twice keeps its first answer (the second would read "not held").
                known.entry((entity, id)).or_insert_with(|| found.remove(&id));
            }
        }
        Ok(Here { known })
    }

    /// Drops the page's answer for a record written by another record's change (a review's
    /// placeholder row), so its own change looks it up.
    fn forget(&mut self, entity: EntityKind, id: uuid::Uuid) {
        self.known.remove(&(entity, id));
    }

    /// The record's versions here (`None`: not held), from the page's lookup when it has the
    /// answer, else from the store.
    fn versions(&mut self, tx: &Transaction, entity: EntityKind, id: uuid::Uuid) -> Result<Option<columns::Versions>> {
        match self.known.remove(&(entity, id)) {
            Some(answer) => Ok(answer),
            None => columns::versions(tx, entity, id),
        }
    }
}

/// The versions of a record this laptop does not hold.
static NO_VERSIONS: columns::Versions = BTreeMap::new();

/// `acked`: the acknowledged mark when some local ops are pending, `None` when none are.
fn apply_change(tx: &Transaction, c: &Change, acked: Option<u64>, held: &mut BTreeSet<uuid::Uuid>, here: &mut Here) -> Result<bool> {
    let pending = match acked {
        Some(a) => pending_fields(tx, c, a)?,
        None => BTreeSet::new(),
    };
    let existing = here.versions(tx, c.entity, c.id)?;
    let held_versions = existing.as_ref().unwrap_or(&NO_VERSIONS);
    // The record's new version map, borrowing its names (no string made per field).
    let mut versions: BTreeMap<&str, Hlc> = held_versions.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let mut writes: Vec<(&str, &Value)> = Vec::with_capacity(c.fields.len());
    // Which pulled values to take is core's rule; this store only reads and writes.
    for (name, decision) in pulled_writes(c.entity, &c.fields, held_versions, &pending) {
        match decision {
            PulledField::Apply => {
                let f = &c.fields[name];
                versions.insert(name, f.version);
                writes.push((name, &f.value));
            }
            PulledField::Invalid(e) => {
                tracing::warn!(entity = c.entity.code(), id = %c.id, field = %name, "skipping pulled value: {e}");
            }
            PulledField::Pending | PulledField::AlreadyHere => {}
        }
    }
    if writes.is_empty() {
        return Ok(false);
    }
    let at = c.fields.values().map(|f| f.version.wall_ms).max().unwrap_or(0);
    match existing {
        Some(_) => columns::update(tx, c.entity, c.id, &writes, &versions, at)?,
        None => {
            if c.entity != EntityKind::Review && held.insert(c.review_id) {
                // Pages are ordered by server sequence, not by record, so a note may arrive before
                // its review: hold a placeholder row that the review's own change fills in
                // (once per review and page: the row stays for the rest of the page).
                tx.prepare_cached("INSERT OR IGNORE INTO reviews(id, created_at_ms, updated_at_ms) VALUES (?1, ?2, ?2)")?
                    .execute(params![c.review_id.to_string(), at as i64])?;
                // The page's answer for the review ("not held") is stale now: ask the store.
                here.forget(EntityKind::Review, c.review_id);
            }
            columns::insert(tx, c.entity, c.id, c.review_id, &writes, &versions, at)?;
        }
    }
    Ok(true)
}
