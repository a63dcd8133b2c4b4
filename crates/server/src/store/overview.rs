//! The hub overview for coordinators (issue 9): the hub's reviews by state and date with
//! overdue reports marked, and laptops whose unsent work is older than a day. The server cannot
//! see unsent work, so laptops report their outbox on each sync request (`X-QAR-Outbox`).

use super::hub_admin::{hub_info, refused, unknown_hub};
use super::records::{self, Doc};
use super::{ServerStore, StoreError};
use crate::auth::AuthDevice;
use crate::store::db::{params, OptionalExtension};
use qar_core::calendar::{format_date, utc_day, NaiveDate};
use qar_core::entities::TeamRole;
pub use qar_core::protocol::scheduling::{HubOverview, OverviewReview, OverviewTeamMember, StaleDevice};
use qar_core::report_deadline::{report_due, report_overdue};
use qar_core::visit_days::visit_days_or_from_start;
use qar_core::ErrorCode;
use qar_core::ReviewState;
use std::collections::BTreeMap;

const DAY_MS: u64 = 24 * 60 * 60 * 1000;
/// Unsent work older than this is worth a coordinator's phone call.
pub const STALE_UNSENT_MS: u64 = DAY_MS;

fn review_row(id: String, doc: &Doc, deadline_days: u32, today: NaiveDate) -> OverviewReview {
    let text = |f: &str| records::text(doc, f).to_owned();
    let state_code = text("state");
    let state = ReviewState::parse(&state_code).unwrap_or(ReviewState::Preparing);
    let start_date = text("start_date");
    let visit_dates = visit_dates_of(doc);
    let last_day = visit_dates.last().cloned().unwrap_or_default();
    let due = report_due(&last_day, deadline_days);
    // The server writes `team` itself (access::team_json), so it always has this shape; a
    // record without one (set up before its team) shows no team rather than failing the page.
    let team: Vec<OverviewTeamMember> = doc.get("team").and_then(|f| serde_json::from_value(f.value.clone()).ok()).unwrap_or_default();
    let lead = team.iter().find(|m| m.role == TeamRole::LeadReviewer).map(|m| m.name.clone()).unwrap_or_default();
    OverviewReview {
        review_id: id,
        school_urn: text("school_urn"),
        school_name: text("school_name"),
        state: state.code().to_owned(),
        start_date,
        visit_dates,
        last_day,
        report_due: due.map(format_date),
        overdue: report_overdue(state, due, today),
        lead_reviewer: lead,
        team,
    }
}

/// The review's visit days: its `visit_dates`, else three days from `start_date`, else none.
pub(super) fn visit_dates_of(doc: &Doc) -> Vec<String> {
    let listed: Vec<String> = doc
        .get("visit_dates")
        .and_then(|f| f.value.as_array())
        .map(|a| a.iter().filter_map(|d| d.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    visit_days_or_from_start(listed, records::text(doc, "start_date"))
}

impl ServerStore {
    /// Remembers what a laptop said about its unsent work (writes only when it changed).
    pub fn note_outbox(&self, device: &AuthDevice, pending_ops: u64, oldest_unsent_ms: Option<u64>, now_ms: u64) -> Result<(), StoreError> {
        let oldest = if pending_ops == 0 { None } else { oldest_unsent_ms.map(|v| v as i64) };
        let conn = self.writer();
        let same: Option<bool> = conn
            .prepare_cached("SELECT pending_ops = ?2 AND oldest_unsent_ms IS NOT DISTINCT FROM ?3 FROM device_outbox WHERE device_id = ?1")?
            .query_row(params![device.device_id.to_string(), pending_ops as i64, oldest], |r| r.get(0))
            .optional()?;
        if same == Some(true) {
            return Ok(());
        }
        conn.prepare_cached(
            "INSERT INTO device_outbox(device_id, user_id, pending_ops, oldest_unsent_ms, reported_ms) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(device_id) DO UPDATE SET user_id = excluded.user_id, pending_ops = excluded.pending_ops,
                oldest_unsent_ms = excluded.oldest_unsent_ms, reported_ms = excluded.reported_ms",
        )?
        .execute(params![device.device_id.to_string(), device.user_id, pending_ops as i64, oldest, now_ms as i64])?;
        Ok(())
    }

    /// The overview of one hub, for its coordinator or an administrator.
    pub fn hub_overview(&self, caller: &AuthDevice, hub_id: &str, now_ms: u64) -> Result<HubOverview, StoreError> {
        if !(caller.is_admin() || caller.coordinates(hub_id)) {
            return Err(refused(ErrorCode::NotYourHub, "Only this hub's coordinator or an administrator can see its overview."));
        }
        let conn = self.reader();
        let hub = hub_info(&conn, hub_id)?.ok_or_else(|| unknown_hub(hub_id))?;
        let today = utc_day(now_ms);
        let mut stmt = conn.prepare_cached(
            "SELECT r.id, r.fields FROM review_hub h JOIN records r ON r.entity = 'review' AND r.id = h.review_id WHERE h.hub_id = ?1",
        )?;
        let rows = stmt.query_map([hub_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut reviews = Vec::new();
        for row in rows {
            let (id, fields) = row?;
            let doc: Doc = super::records::parse_doc(&fields, || format!("review record {id}"))?;
            if records::tombstone(&doc).is_some() {
                continue;
            }
            reviews.push(review_row(id, &doc, hub.report_deadline_days, today));
        }
        reviews.sort_by(|a, b| (&a.start_date, &a.school_name).cmp(&(&b.start_date, &b.school_name)));
        let mut by_state = BTreeMap::new();
        for r in &reviews {
            *by_state.entry(r.state.clone()).or_insert(0) += 1;
        }
        // Laptops of people on this hub's review teams with unsent work older than a day.
        let mut stmt = conn.prepare_cached(
            "SELECT o.device_id, coalesce(d.name, ''), o.user_id, u.name, o.pending_ops, o.oldest_unsent_ms, o.reported_ms
             FROM device_outbox o JOIN users u ON u.id = o.user_id LEFT JOIN device_registry d ON d.device_id = o.device_id
             WHERE o.pending_ops > 0 AND o.oldest_unsent_ms < ?2
               AND EXISTS (SELECT 1 FROM review_team t JOIN review_hub h ON h.review_id = t.review_id
                           WHERE t.user_id = o.user_id AND h.hub_id = ?1)
             ORDER BY o.oldest_unsent_ms",
        )?;
        let rows = stmt.query_map(params![hub_id, now_ms.saturating_sub(STALE_UNSENT_MS) as i64], |r| {
            Ok(StaleDevice {
                device_id: r.get(0)?,
                device_name: r.get(1)?,
                user_id: r.get(2)?,
                user_name: r.get(3)?,
                pending_ops: r.get::<_, i64>(4)? as u64,
                oldest_unsent_ms: r.get::<_, i64>(5)? as u64,
                reported_ms: r.get::<_, i64>(6)? as u64,
            })
        })?;
        let stale_devices = rows.collect::<crate::store::db::Result<_>>()?;
        let mut stmt = conn.prepare_cached(
            "SELECT r.id, r.fields FROM records r JOIN schools s ON s.urn = json_extract(r.fields, '$.school_urn.value')
             WHERE r.entity = 'review' AND s.hub_id = ?1 AND NOT EXISTS (SELECT 1 FROM review_hub h WHERE h.review_id = r.id)",
        )?;
        let rows = stmt.query_map([hub_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut proposals = Vec::new();
        for row in rows {
            let (id, fields) = row?;
            let doc: Doc = serde_json::from_str(&fields).unwrap_or_default();
            let state = ReviewState::parse(records::text(&doc, "state")).unwrap_or(ReviewState::Preparing);
            if records::tombstone(&doc).is_none() && !state.is_terminal() {
                proposals.push(review_row(id, &doc, hub.report_deadline_days, today));
            }
        }
        proposals.sort_by(|a, b| (&a.start_date, &a.school_name).cmp(&(&b.start_date, &b.school_name)));
        Ok(HubOverview { hub, reviews, by_state, stale_devices, today: format_date(today), proposals })
    }
}
