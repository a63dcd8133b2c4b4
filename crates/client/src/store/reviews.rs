//! Reviews held on this laptop.

use super::{meta, Store};
use crate::error::{ClientError, Result};
use crate::model::{NewReview, ReviewSummary};
use qar_core::{EntityKind, ReviewState};
use rusqlite::{OptionalExtension, Row};
use serde_json::json;
use uuid::Uuid;

const SUMMARY_SQL: &str = "SELECT r.id, r.school_name, r.school_urn, r.start_date, r.state,
        (SELECT count(*) FROM evidence e WHERE e.review_id = r.id AND e.deleted = 0),
        (SELECT count(*) FROM outbox o WHERE o.review_id = r.id AND o.seq > a.acked),
        r.my_role,
        (SELECT min(seq) FROM outbox o WHERE o.entity = 'review' AND o.entity_id = r.id),
        (SELECT max(seq) FROM outbox o WHERE o.review_id = r.id),
        r.approved_hash,
        (SELECT count(*) FROM comments c WHERE c.review_id = r.id AND c.resolved = 0 AND c.deleted = 0),
        (SELECT count(*) FROM conflicts k WHERE k.review_id = r.id AND k.resolved = 0),
        a.acked,
        r.versions,
        r.team
     FROM reviews r,
          (SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'acked_through'), 0) AS acked) a
     WHERE r.deleted = 0";

/// A summary row before the parts computed in Rust (badge, approval check).
struct Row0 {
    summary: ReviewSummary,
    first_seq: Option<u64>,
    last_seq: Option<u64>,
    acked: u64,
    approved_hash: String,
    /// Field versions of the review row: whether anything in it came from elsewhere.
    versions: String,
}

/// The Lead Reviewer's name in a review's team list (JSON written by sync).
fn lead_reviewer_of(team: &str) -> Option<String> {
    let members: Vec<serde_json::Value> = serde_json::from_str(team).ok()?;
    members
        .iter()
        .find(|m| m.get("role").and_then(|r| r.as_str()) == Some("lead_reviewer"))
        .and_then(|m| m.get("name").and_then(|n| n.as_str()))
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
}

/// When the state field was last written: its version's wall clock. Versions come from the
/// laptop or server that made the change, so this is when the person submitted, not when it synced.
fn state_since_of(versions: &str) -> Option<String> {
    let v: std::collections::BTreeMap<String, qar_core::Hlc> = serde_json::from_str(versions).ok()?;
    let ms = i64::try_from(v.get("state")?.wall_ms).ok()?;
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms).map(|t| t.to_rfc3339())
}

fn summary(r: &Row) -> rusqlite::Result<Row0> {
    let role: String = r.get(7)?;
    Ok(Row0 {
        summary: ReviewSummary {
            id: r.get(0)?,
            school_name: r.get(1)?,
            school_urn: r.get(2)?,
            start_date: r.get(3)?,
            state: r.get(4)?,
            evidence_count: r.get(5)?,
            pending_ops: r.get(6)?,
            my_role: (!role.is_empty()).then_some(role),
            sync_badge: String::new(),
            changed_since_approval: false,
            open_comments: r.get(11)?,
            open_conflicts: r.get(12)?,
            lead_reviewer: lead_reviewer_of(&r.get::<_, String>(15)?),
            state_since: None,
        },
        first_seq: r.get::<_, Option<i64>>(8)?.map(|v| v as u64),
        last_seq: r.get::<_, Option<i64>>(9)?.map(|v| v as u64),
        approved_hash: r.get(10)?,
        acked: r.get::<_, i64>(13)? as u64,
        versions: r.get(14)?,
    })
}

/// Where a review's changes are: made here and never acknowledged, waiting, on their way, or
/// all held by the server. "Made here" means every field this laptop holds was written here:
/// a review that came by sync, or whose creation the server answered, is not local.
fn badge(row: &Row0, in_flight_through: u64, my_node: u64) -> &'static str {
    let all_mine = || {
        serde_json::from_str::<std::collections::BTreeMap<String, qar_core::Hlc>>(&row.versions)
            .is_ok_and(|v| v.values().all(|h| h.node == my_node))
    };
    if row.summary.pending_ops == 0 {
        "acknowledged"
    } else if row.first_seq.is_some_and(|s| s > row.acked) && all_mine() {
        "local"
    } else if row.last_seq.is_some_and(|s| s <= in_flight_through) {
        "sent"
    } else {
        "queued"
    }
}

impl Store {
    /// Creates a review on this laptop (it syncs later). Refused whole if any field is invalid.
    /// Scheduling belongs to the hub; a review a Lead Reviewer sets up here starts in preparation.
    pub fn create_review(&mut self, new: &NewReview, now_ms: u64) -> Result<ReviewSummary> {
        let id = Uuid::now_v7();
        let fields = [
            ("school_name", json!(new.school_name.trim())),
            ("school_urn", json!(new.school_urn.trim())),
            ("start_date", json!(new.start_date.trim())),
            ("state", json!(ReviewState::Preparing.code())),
            ("framework_version", json!("2019")),
        ];
        self.write_record(EntityKind::Review, id, id, &fields, "create", now_ms)?;
        self.review(&id.to_string())
    }

    /// Moves a review along its lifecycle, if the permission table allows it here and now.
    pub fn transition_review(&mut self, review_id: &str, to: &str, now_ms: u64) -> Result<ReviewSummary> {
        let to = ReviewState::parse(to)?;
        let info = self.review_info(review_id)?;
        let action = qar_core::lifecycle::action_for(info.state, to)?;
        let decision = self.check(&info, action, false)?;
        let next = decision.next_state.unwrap_or(to);
        self.ensure_complete(review_id, next)?;
        // A review set up on this laptop is in no hub's queue until the hub adopts it, and the
        // server refuses its submission (decision 33): refused here too, so the laptop never
        // shows "submitted" for a report the coordinator cannot see.
        if next == ReviewState::Submitted && info.hub_id.is_empty() {
            return Err(ClientError::Denied { reason: qar_core::ErrorCode::NotAdopted, message: NOT_ADOPTED.into() });
        }
        let id = super::evidence::parse_id("Review", review_id)?;
        self.write_record(EntityKind::Review, id, id, &[("state", json!(next.code()))], action.code(), now_ms)?;
        self.review(review_id)
    }

    /// Reviews with a school name, soonest visit last (newest first), placeholders hidden.
    pub fn list_reviews(&self) -> Result<Vec<ReviewSummary>> {
        let sql = format!("{SUMMARY_SQL} AND r.school_name <> '' ORDER BY r.start_date DESC, r.school_name");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], summary)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(|r| self.finish_summary(r)).collect()
    }

    pub fn review(&self, id: &str) -> Result<ReviewSummary> {
        let sql = format!("{SUMMARY_SQL} AND r.id = ?1");
        let row = self
            .conn
            .prepare_cached(&sql)?
            .query_row([id], summary)
            .optional()?
            .ok_or_else(|| ClientError::NotFound { what: format!("Review {id}") })?;
        self.finish_summary(row)
    }

    fn finish_summary(&self, row: Row0) -> Result<ReviewSummary> {
        let badge = badge(&row, self.in_flight_through, qar_core::Hlc::node_of(&self.device_id));
        let mut s = row.summary;
        s.sync_badge = badge.to_owned();
        s.state_since = state_since_of(&row.versions);
        if !row.approved_hash.is_empty() {
            s.changed_since_approval = self.report_hash(&s.id)? != row.approved_hash;
        }
        Ok(s)
    }

    /// Shows a state the server will set itself (no op: the server decides it from an edit).
    pub(super) fn show_state(&self, review_id: &str, state: ReviewState) -> Result<()> {
        self.conn.prepare_cached("UPDATE reviews SET state = ?1 WHERE id = ?2")?.execute([state.code(), review_id])?;
        Ok(())
    }

    /// Marks ops up to `seq` as on their way to the server (0: nothing in flight).
    pub fn set_in_flight(&mut self, seq: u64) {
        self.in_flight_through = seq;
    }

    pub fn last_sync_ms(&self) -> Result<Option<u64>> {
        Ok(meta::get(&self.conn, "last_sync_ms")?.and_then(|s| s.parse().ok()))
    }

    /// The last sync failure's message and code, or `(None, None)` after a success.
    pub fn last_sync_error(&self) -> Result<(Option<String>, Option<String>)> {
        Ok((meta::get(&self.conn, "last_sync_error")?, meta::get(&self.conn, "last_sync_error_code")?))
    }

    /// Server clock minus this laptop's, as last measured by a sync.
    pub fn clock_skew_ms(&self) -> Result<Option<i64>> {
        Ok(meta::get(&self.conn, "clock_skew_ms")?.and_then(|s| s.parse().ok()))
    }

    pub fn record_clock_skew(&self, skew_ms: i64) -> Result<()> {
        meta::set(&self.conn, "clock_skew_ms", &skew_ms.to_string())
    }

    /// Remembers how the last sync attempt ended, so the status survives a restart.
    /// `error`: the failure's message and stable code.
    pub fn record_sync_outcome(&self, now_ms: u64, error: Option<(&str, &str)>) -> Result<()> {
        match error {
            None => {
                meta::set(&self.conn, "last_sync_ms", &now_ms.to_string())?;
                meta::delete(&self.conn, "last_sync_error")?;
                meta::delete(&self.conn, "last_sync_error_code")?;
                meta::delete(&self.conn, "needs_sign_in")
            }
            Some((message, code)) => {
                meta::set(&self.conn, "last_sync_error", message)?;
                meta::set(&self.conn, "last_sync_error_code", code)
            }
        }
    }
}

const NOT_ADOPTED: &str = "This review was set up on a laptop and is not in a hub's queue yet, so its report cannot be submitted. Ask the coordinator of the school's hub to adopt it; once this laptop has synced after that, submit again.";
