//! Retention (issue 24): the policy per hub, and the purge that applies it. Soft deletion marks
//! what is due (and sends a tombstone down the change feed for kinds that carry `deleted`); the
//! purge after the grace period removes the record, text and all. Each run that changes
//! anything writes one audit row with counts, never content.

use super::audit_log::{self, Event};
use super::hub_admin::{audit, hub_info, refused, require_admin, unknown_hub};
use super::push::max_server_seq;
use super::records::{self, Ctx};
use super::{clock, ServerStore, StoreError};
use crate::auth::AuthDevice;
use crate::store::db::{params, Connection, OptionalExtension};
use qar_core::protocol::PurgedRecord;
use qar_core::retention::{RetentionPolicy, EVIDENCE_KINDS};
use qar_core::{EntityKind, ErrorCode, Hlc};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// The partnership's row in `retention_policy`.
const PARTNERSHIP: &str = "";
/// Who the scheduled job and the command line act as in the audit chain.
pub const PURGE_ACTOR: &str = "system:retention";

/// What one purge run did (or, dry, would do): counts only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PurgeCounts {
    /// Records of issued reviews soft-deleted because their evidence was due.
    pub soft_deleted_evidence: u64,
    /// Records of cancelled reviews soft-deleted.
    pub soft_deleted_cancelled: u64,
    /// Records of reviews whose issued report's retention ended, soft-deleted.
    pub soft_deleted_reports: u64,
    /// Records removed for good (their grace period over).
    pub purged: u64,
    /// Issued report versions removed for good (each leaves a keyed removal record).
    pub report_versions_removed: u64,
    /// Attachment files removed from the server's blob store with their records.
    pub attachment_blobs_removed: u64,
    /// Reviews any of the above touched.
    pub reviews: u64,
}

impl PurgeCounts {
    pub fn is_empty(&self) -> bool {
        self.soft_deleted_evidence + self.soft_deleted_cancelled + self.soft_deleted_reports + self.purged + self.report_versions_removed
            == 0
    }
}

fn policy_row(r: &crate::store::db::Row) -> crate::store::db::Result<RetentionPolicy> {
    let hub: String = r.get(0)?;
    Ok(RetentionPolicy {
        hub_id: (hub != PARTNERSHIP).then_some(hub),
        evidence_months: r.get(1)?,
        report_years: r.get(2)?,
        cancelled_days: r.get(3)?,
        grace_days: r.get(4)?,
    })
}

const POLICY_COLUMNS: &str = "hub_id, evidence_months, report_years, cancelled_days, grace_days";

/// Every stored policy, the partnership's first.
fn policies(conn: &Connection) -> crate::store::db::Result<Vec<RetentionPolicy>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {POLICY_COLUMNS} FROM retention_policy ORDER BY hub_id"))?;
    let rows = stmt.query_map([], policy_row)?;
    rows.collect()
}

/// The policy of each hub that has one, and the partnership's for every other review.
struct Policies {
    partnership: RetentionPolicy,
    hubs: HashMap<String, RetentionPolicy>,
}

impl Policies {
    fn load(conn: &Connection) -> crate::store::db::Result<Policies> {
        let mut partnership = RetentionPolicy::partnership_default();
        let mut hubs = HashMap::new();
        for p in policies(conn)? {
            match p.hub_id.clone() {
                Some(hub) => {
                    hubs.insert(hub, p);
                }
                None => partnership = p,
            }
        }
        Ok(Policies { partnership, hubs })
    }

    fn of(&self, hub_id: Option<&str>) -> &RetentionPolicy {
        hub_id.and_then(|h| self.hubs.get(h)).unwrap_or(&self.partnership)
    }
}

/// A record due for soft deletion.
struct Due {
    entity: String,
    id: String,
    review_id: String,
    purge_after_ms: u64,
}

/// Records of issued reviews whose evidence is due and not yet marked.
fn evidence_due(tx: &Connection, policies: &Policies, now_ms: u64) -> crate::store::db::Result<Vec<Due>> {
    let kinds = EVIDENCE_KINDS.map(|k| format!("'{k}'")).join(", ");
    let mut stmt = tx.prepare(&format!(
        "SELECT r.entity, r.id, r.review_id, v.issued_ms, rh.hub_id
         FROM (SELECT review_id, max(issued_ms) AS issued_ms FROM report_versions GROUP BY review_id) v
         JOIN records r ON r.review_id = v.review_id
         LEFT JOIN review_hub rh ON rh.review_id = v.review_id
         WHERE r.entity IN ({kinds})
           AND NOT EXISTS (SELECT 1 FROM retention_marks m WHERE m.entity = r.entity AND m.id = r.id)"
    ))?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?, r.get::<_, Option<String>>(4)?))
    })?;
    let mut due = Vec::new();
    for row in rows {
        let (entity, id, review_id, issued_ms, hub) = row?;
        let policy = policies.of(hub.as_deref());
        if policy.evidence_due_ms(issued_ms as u64) <= now_ms {
            due.push(Due { entity, id, review_id, purge_after_ms: policy.purge_after_ms(now_ms) });
        }
    }
    Ok(due)
}

/// Every record of each review cancelled long enough ago, not yet marked. The time of
/// cancellation is the wall time of the stamp its `state` field carries.
fn cancelled_due(tx: &Connection, policies: &Policies, now_ms: u64) -> crate::store::db::Result<Vec<Due>> {
    let mut stmt = tx.prepare(
        "SELECT r.id, json_extract(r.fields, '$.state.version'), rh.hub_id
         FROM records r LEFT JOIN review_hub rh ON rh.review_id = r.id
         WHERE r.entity = 'review' AND json_extract(r.fields, '$.state.value') = 'cancelled'",
    )?;
    let reviews = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?)))?;
    let mut due_reviews = Vec::new();
    for row in reviews {
        let (review_id, version, hub) = row?;
        let stamp: Hlc = version.parse().map_err(|e| super::CorruptValue::error(format!("state stamp of review {review_id}"), e))?;
        let policy = policies.of(hub.as_deref());
        if policy.cancelled_due_ms(stamp.wall_ms) <= now_ms {
            due_reviews.push((review_id, policy.purge_after_ms(now_ms)));
        }
    }
    unmarked_records(tx, due_reviews)
}

/// Every record left of each review whose issued report's retention has ended (the latest
/// version counts: a correction restarts it), not yet marked.
fn reports_due(tx: &Connection, policies: &Policies, now_ms: u64) -> crate::store::db::Result<Vec<Due>> {
    let mut stmt = tx.prepare(
        "SELECT v.review_id, v.issued_ms, rh.hub_id
         FROM (SELECT review_id, max(issued_ms) AS issued_ms FROM report_versions GROUP BY review_id) v
         LEFT JOIN review_hub rh ON rh.review_id = v.review_id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, Option<String>>(2)?)))?;
    let mut due_reviews = Vec::new();
    for row in rows {
        let (review_id, issued_ms, hub) = row?;
        let policy = policies.of(hub.as_deref());
        if policy.report_due_ms(issued_ms as u64) <= now_ms {
            due_reviews.push((review_id, policy.purge_after_ms(now_ms)));
        }
    }
    unmarked_records(tx, due_reviews)
}

fn unmarked_records(tx: &Connection, due_reviews: Vec<(String, u64)>) -> crate::store::db::Result<Vec<Due>> {
    let mut records = tx.prepare_cached(
        "SELECT r.entity, r.id FROM records r WHERE r.review_id = ?1
           AND NOT EXISTS (SELECT 1 FROM retention_marks m WHERE m.entity = r.entity AND m.id = r.id)",
    )?;
    let mut due = Vec::new();
    for (review_id, purge_after_ms) in due_reviews {
        for row in records.query_map([&review_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (entity, id) = row?;
            due.push(Due { entity, id, review_id: review_id.clone(), purge_after_ms });
        }
    }
    Ok(due)
}

/// Marks a record soft-deleted and, where its kind has a `deleted` field, writes the tombstone
/// that takes it off every laptop's screens and search index at their next pull.
fn soft_delete(tx: &Connection, ctx: &mut Ctx, due: &Due, reason: &str, now_ms: u64) -> crate::store::db::Result<()> {
    if let Ok(kind) = EntityKind::parse(&due.entity) {
        if kind.field("deleted").is_ok() {
            records::server_write(tx, ctx, kind, &due.id, &due.review_id, &[("deleted", json!(true))])?;
        }
    }
    tx.prepare_cached(
        "INSERT INTO retention_marks(entity, id, review_id, reason, marked_ms, purge_after_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![due.entity, due.id, due.review_id, reason, now_ms as i64, due.purge_after_ms as i64])?;
    Ok(())
}

/// Removes for good every marked record whose grace period is over. The review record carries
/// the purge down the change feed: it is written again at the next place in the feed (when it
/// is purged itself, as a bare tombstone with nothing else in it), and the marks (ids and times
/// only, never content) take that place, so each laptop's next pull lists what to remove.
/// Attachment bytes to remove from the blob store once the purge is committed (the bytes live
/// outside the database, so they go after the records, never before).
#[derive(Default)]
struct BlobsToRemove {
    places: Vec<super::blobs::BlobPlace>,
    reviews: Vec<String>,
}

fn purge_due(tx: &Connection, ctx: &mut Ctx, now_ms: u64, blobs: &mut BlobsToRemove) -> crate::store::db::Result<(u64, u64, Vec<String>)> {
    let mut stmt =
        tx.prepare("SELECT DISTINCT review_id FROM retention_marks WHERE purge_after_ms <= ?1 AND purged_seq IS NULL ORDER BY review_id")?;
    let reviews: Vec<String> = stmt.query_map([now_ms as i64], |r| r.get(0))?.collect::<crate::store::db::Result<_>>()?;
    let (mut purged, mut removed) = (0u64, 0u64);
    for rid in &reviews {
        let due = "SELECT entity, id FROM retention_marks WHERE review_id = ?1 AND purge_after_ms <= ?2 AND purged_seq IS NULL";
        // A photo's thumbnail is a blob of its own, named by the record beside the photo.
        let shas: Vec<String> = tx
            .prepare_cached(&format!(
                "SELECT json_extract(fields, '$.sha256.value') FROM records
                 WHERE review_id = ?1 AND entity = 'attachment' AND (entity, id) IN ({due}) AND json_extract(fields, '$.sha256.value') IS NOT NULL
                 UNION SELECT json_extract(fields, '$.thumb_sha256.value') FROM records
                 WHERE review_id = ?1 AND entity = 'attachment' AND (entity, id) IN ({due}) AND json_extract(fields, '$.thumb_sha256.value') IS NOT NULL"
            ))?
            .query_map(params![rid, now_ms as i64], |r| r.get(0))?
            .collect::<crate::store::db::Result<_>>()?;
        purged += tx
            .prepare_cached(&format!("DELETE FROM records WHERE review_id = ?1 AND entity <> 'review' AND (entity, id) IN ({due})"))?
            .execute(params![rid, now_ms as i64])? as u64;
        let review_due = tx
            .prepare_cached(
                "SELECT 1 FROM retention_marks WHERE entity = 'review' AND id = ?1 AND purge_after_ms <= ?2 AND purged_seq IS NULL",
            )?
            .exists(params![rid, now_ms as i64])?;
        // A blob goes when no attachment record of the review still names it (two notes can
        // carry the same photo).
        for sha256 in shas {
            let still_named = tx
                .prepare_cached(
                    "SELECT 1 FROM records WHERE review_id = ?1 AND entity = 'attachment'
                     AND (json_extract(fields, '$.sha256.value') = ?2 OR json_extract(fields, '$.thumb_sha256.value') = ?2)",
                )?
                .exists(params![rid, sha256])?;
            if !still_named {
                blobs.places.push(super::blobs::BlobPlace { review_id: rid.clone(), sha256 });
            }
        }
        if review_due {
            removed += super::report_forms::remove_versions(tx, rid, now_ms)?;
            blobs.reviews.push(rid.clone());
        }
        if let Some(stored) = records::load(tx, EntityKind::Review, rid)? {
            let doc = if review_due {
                purged += 1;
                let deleted = match stored.doc.get("deleted") {
                    Some(field) => field.clone(),
                    None => qar_core::protocol::FieldValue { value: json!(true), version: ctx.stamp() },
                };
                std::iter::once(("deleted".to_owned(), deleted)).collect()
            } else {
                stored.doc
            };
            records::save(tx, ctx, EntityKind::Review, rid, rid, &doc, true)?;
        }
        tx.prepare_cached(
            "UPDATE retention_marks SET purged_seq = ?3 WHERE review_id = ?1 AND purge_after_ms <= ?2 AND purged_seq IS NULL",
        )?
        .execute(params![rid, now_ms as i64, ctx.seq as i64])?;
    }
    Ok((purged, removed, reviews))
}

/// What the server purged within `(after, through]` of the feed, of the reviews `scope` reads
/// (the same rule as the records of a pull page).
pub(super) fn purged_between(
    tx: &Connection,
    scope: &super::ReadScope,
    after: u64,
    through: u64,
) -> crate::store::db::Result<Vec<PurgedRecord>> {
    let hubs = serde_json::to_string(&scope.coordinated_hubs).unwrap_or_else(|_| "[]".into());
    let mut stmt = tx.prepare_cached(
        "SELECT m.entity, m.id, m.review_id FROM retention_marks m
         WHERE m.purged_seq > ?1 AND m.purged_seq <= ?2 AND (
            ?3 OR EXISTS (SELECT 1 FROM review_team t WHERE t.review_id = m.review_id AND t.user_id = ?4)
            OR (m.entity NOT IN ('evidence', 'conflict', 'previous_review') AND EXISTS (
                SELECT 1 FROM review_hub h WHERE h.review_id = m.review_id AND h.hub_id IN (SELECT value FROM json_each(?5)))))
         ORDER BY m.purged_seq, m.entity, m.id",
    )?;
    let rows = stmt.query_map(params![after as i64, through as i64, scope.everything, scope.user_id, hubs], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (entity, id, review_id) = row?;
        // Ids are the laptops' UUIDs; anything else was never theirs to remove.
        if let (Ok(id), Ok(review_id)) = (id.parse(), review_id.parse()) {
            out.push(PurgedRecord { entity, id, review_id });
        }
    }
    Ok(out)
}

impl ServerStore {
    /// Every retention policy (the partnership's first), for an administrator.
    pub fn retention_policies(&self, caller: &AuthDevice) -> Result<Vec<RetentionPolicy>, StoreError> {
        require_admin(caller, "see the retention policy")?;
        Ok(policies(&self.reader())?)
    }

    /// Sets the partnership's policy (`hub_id` None) or a hub's; audited with the settings.
    pub fn set_retention_policy(&self, caller: &AuthDevice, policy: &RetentionPolicy, now_ms: u64) -> Result<RetentionPolicy, StoreError> {
        require_admin(caller, "change the retention policy")?;
        policy.check().map_err(|m| refused(ErrorCode::Invalid, m))?;
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let hub = policy.hub_id.clone().unwrap_or_default();
        if let Some(hub_id) = &policy.hub_id {
            if hub_info(&tx, hub_id)?.is_none() {
                return Err(unknown_hub(hub_id));
            }
        }
        tx.execute(
            "INSERT INTO retention_policy(hub_id, evidence_months, report_years, cancelled_days, grace_days, updated_ms, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (hub_id) DO UPDATE SET evidence_months = excluded.evidence_months, report_years = excluded.report_years,
                 cancelled_days = excluded.cancelled_days, grace_days = excluded.grace_days, updated_ms = excluded.updated_ms,
                 updated_by = excluded.updated_by",
            params![
                hub,
                policy.evidence_months,
                policy.report_years,
                policy.cancelled_days,
                policy.grace_days,
                now_ms as i64,
                caller.user_id
            ],
        )?;
        let detail = json!({
            "hub_id": policy.hub_id, "evidence_months": policy.evidence_months, "report_years": policy.report_years,
            "cancelled_days": policy.cancelled_days, "grace_days": policy.grace_days,
        });
        audit(&tx, caller, "set_retention", if hub.is_empty() { "partnership" } else { &hub }, detail, now_ms)?;
        let stored = tx
            .prepare_cached(&format!("SELECT {POLICY_COLUMNS} FROM retention_policy WHERE hub_id = ?1"))?
            .query_row([&hub], policy_row)
            .optional()?
            .expect("written in this transaction");
        tx.commit()?;
        Ok(stored)
    }

    /// Applies retention at `now_ms`: soft-deletes what is due, purges what was soft-deleted
    /// more than the grace period ago, and writes one audit row with the counts. A dry run does
    /// all of it in a transaction that is then rolled back, so it counts exactly what a real
    /// run would do and changes nothing.
    pub fn purge(&self, dry_run: bool, now_ms: u64) -> Result<PurgeCounts, StoreError> {
        let mut conn = self.writer();
        let mut clock = self.clock();
        let tx = conn.transaction()?;
        clock::catch_up(&tx, &mut clock)?;
        let policies = Policies::load(&tx)?;
        let mut ctx = Ctx { clock: &mut clock, seq: max_server_seq(&tx)?, now_ms };
        let mut counts = PurgeCounts::default();
        let mut reviews = std::collections::HashSet::new();
        for due in evidence_due(&tx, &policies, now_ms)? {
            soft_delete(&tx, &mut ctx, &due, "evidence", now_ms)?;
            counts.soft_deleted_evidence += 1;
            reviews.insert(due.review_id);
        }
        for due in cancelled_due(&tx, &policies, now_ms)? {
            soft_delete(&tx, &mut ctx, &due, "cancelled", now_ms)?;
            counts.soft_deleted_cancelled += 1;
            reviews.insert(due.review_id);
        }
        for due in reports_due(&tx, &policies, now_ms)? {
            soft_delete(&tx, &mut ctx, &due, "report", now_ms)?;
            counts.soft_deleted_reports += 1;
            reviews.insert(due.review_id);
        }
        let mut blobs = BlobsToRemove::default();
        let (purged, removed, purged_reviews) = purge_due(&tx, &mut ctx, now_ms, &mut blobs)?;
        counts.purged = purged;
        counts.report_versions_removed = removed;
        counts.attachment_blobs_removed = blobs.places.len() as u64;
        reviews.extend(purged_reviews);
        counts.reviews = reviews.len() as u64;
        if dry_run || counts.is_empty() {
            // Dropped without commit: rolled back. An idle hourly run adds nothing to the chain.
            return Ok(counts);
        }
        let detail = serde_json::to_string(&counts).expect("counts serialise");
        audit_log::append(
            &tx,
            &Event { kind: "retention_purge", actor: PURGE_ACTOR, device_id: "server", subject: "retention", detail },
            now_ms,
        )?;
        let seq = ctx.seq;
        clock::save(&tx, &clock)?;
        tx.commit()?;
        drop(clock);
        drop(conn);
        self.remove_blobs(&blobs);
        self.announce(seq);
        Ok(counts)
    }
}

impl ServerStore {
    /// After the purge committed: the bytes of purged attachments, and anything left in the
    /// folder of a review purged whole (unfinished uploads). A failure is logged loudly; the
    /// records are gone already, so the bytes can no longer be reached through the API.
    fn remove_blobs(&self, blobs: &BlobsToRemove) {
        for place in &blobs.places {
            if let Err(e) = self.blobs.remove(place) {
                tracing::error!(review_id = place.review_id, "could not remove a purged attachment's bytes: {e}");
            }
        }
        for review_id in &blobs.reviews {
            if let Err(e) = self.blobs.remove_review(review_id) {
                tracing::error!(review_id, "could not remove a purged review's attachment folder: {e}");
            }
        }
    }
}
