//! Hub insights (issue 23, point 2): the facts the charts are counted from, read from issued
//! report versions (their frozen snapshots), review records and the school register, never from
//! evidence. The counting and the small-group rule are `qar_core::insights`.

use super::hub_admin::{hub_info, refused, unknown_hub};
use super::overview::visit_dates_of;
use super::records::{self, Doc};
use super::{ServerStore, StoreError};
use crate::auth::AuthDevice;
use crate::store::db::{params, Connection};
use qar_core::calendar::{format_date, utc_day};
use qar_core::insights::charts::{self, IssuedFacts, ReviewFacts};
use qar_core::insights::{academic_year, MIN_SCHOOLS};
pub use qar_core::protocol::insights::HubInsights;
use qar_core::report_deadline::report_due;
use qar_core::{ErrorCode, ReviewState};
use serde::Deserialize;

/// The report section an Area of Excellence is written in (templates/report-2019.json).
const AOE_SECTION: &str = "area_of_excellence";

/// What is read of a frozen snapshot: who, when, the estimates and whether an AoE was written.
#[derive(Deserialize)]
struct Snapshot {
    #[serde(default)]
    school_urn: Option<String>,
    #[serde(default)]
    start_date: Option<String>,
    #[serde(default)]
    visit_dates: Option<Vec<String>>,
    #[serde(default)]
    estimates: Vec<SnapshotEstimate>,
    #[serde(default)]
    sections: Vec<SnapshotSection>,
}

#[derive(Deserialize)]
struct SnapshotEstimate {
    area_code: String,
    value: String,
}

#[derive(Deserialize)]
struct SnapshotSection {
    code: String,
    body: String,
}

impl ServerStore {
    /// The charts for `hub_id` (its coordinator or an administrator) or for every hub (`None`:
    /// administrators only). `academic_year` (`2024/25`) picks the year of the by-state and
    /// overdue charts; the current one when absent.
    pub fn hub_insights(
        &self,
        caller: &AuthDevice,
        hub_id: Option<&str>,
        academic_year_asked: Option<&str>,
        now_ms: u64,
    ) -> Result<HubInsights, StoreError> {
        let today = utc_day(now_ms);
        let year = match academic_year_asked {
            Some(y) if qar_core::insights::academic_year_start(y).is_some() => y.to_owned(),
            Some(y) => {
                return Err(refused(
                    ErrorCode::BadQuery,
                    format!("'{}' is not an academic year such as 2024/25.", y.chars().take(20).collect::<String>()),
                ))
            }
            None => academic_year(today),
        };
        let coordinates_any = caller.roles.iter().any(|r| matches!(r, crate::Role::HubCoordinator { .. }));
        if !caller.is_admin() && !coordinates_any {
            return Err(refused(ErrorCode::NotYourRole, "Only hub coordinators and administrators can see hub insights."));
        }
        match hub_id {
            None if !caller.is_admin() => {
                return Err(refused(ErrorCode::AdminOnly, "Only an administrator can see every hub at once: choose your hub."))
            }
            Some(h) if !caller.is_admin() && !caller.coordinates(h) => {
                return Err(refused(ErrorCode::NotYourHub, "Only this hub's coordinator or an administrator can see its insights."))
            }
            _ => {}
        }
        let conn = self.reader();
        let scope_label = match hub_id {
            Some(h) => hub_info(&conn, h)?.ok_or_else(|| unknown_hub(h))?.name,
            None => "Every hub".to_owned(),
        };
        let issued = issued_facts(&conn, hub_id)?;
        let reviews = review_facts(&conn, hub_id)?;
        let charts = vec![
            charts::estimates_chart(&issued),
            charts::fsm_chart(&issued),
            charts::states_chart(&reviews, &year),
            charts::overdue_chart(&reviews, &year, today),
            charts::aoe_chart(&issued, AOE_THEMES),
        ];
        Ok(HubInsights {
            hub_id: hub_id.map(str::to_owned),
            scope_label,
            academic_year: year,
            academic_years: charts::years_of(&issued),
            min_schools: MIN_SCHOOLS,
            computed_ms: now_ms,
            charts,
        })
    }
}

/// SEAM for the Areas of Excellence register (issue 23, point 1, another branch): the theme list
/// kept as data and each entry's tags live there. Until it lands no AoE carries a theme, so every
/// AoE counts as untagged; when it does, this list becomes the register's themes and
/// [`aoe_themes`] reads the review's register entry.
const AOE_THEMES: &[(&str, &str)] = &[];

/// The theme codes of the review's Area of Excellence (see [`AOE_THEMES`]).
fn aoe_themes(_conn: &Connection, _review_id: &str) -> crate::store::db::Result<Vec<String>> {
    Ok(Vec::new())
}

/// Every issued review in scope, from its latest version's snapshot, with the school's FSM
/// percentage from the register. Reads `report_versions`, `review_hub` and `schools` only.
fn issued_facts(conn: &Connection, hub_id: Option<&str>) -> Result<Vec<IssuedFacts>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.review_id, v.snapshot, v.issued_ms, s.percentage_fsm
         FROM report_versions v
         JOIN review_hub h ON h.review_id = v.review_id
         LEFT JOIN schools s ON s.urn = json_extract(v.snapshot, '$.school_urn')
         WHERE (CAST(?1 AS TEXT) IS NULL OR h.hub_id = ?1)
           AND v.version = (SELECT max(l.version) FROM report_versions l WHERE l.review_id = v.review_id)",
    )?;
    let rows = stmt.query_map(params![hub_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<f64>>(3)?))
    })?;
    let mut facts = Vec::new();
    for row in rows {
        let (review_id, snapshot, issued_ms, percentage_fsm) = row?;
        let snap: Snapshot = serde_json::from_str(&snapshot)
            .map_err(|e| StoreError::Corrupt { what: format!("issued snapshot of review {review_id}"), detail: e.to_string() })?;
        // The first visit day dates the review; the issue day only when the snapshot has none.
        let visit_day = snap
            .visit_dates
            .as_ref()
            .and_then(|d| d.first().cloned())
            .or(snap.start_date.clone())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| format_date(utc_day(issued_ms as u64)));
        let has_aoe = snap.sections.iter().any(|s| s.code == AOE_SECTION && !s.body.trim().is_empty());
        let aoe_themes = if has_aoe { aoe_themes(conn, &review_id)? } else { Vec::new() };
        facts.push(IssuedFacts {
            school_urn: snap.school_urn.unwrap_or_default(),
            review_id,
            visit_day,
            estimates: snap.estimates.into_iter().map(|e| (e.area_code, e.value)).collect(),
            percentage_fsm,
            has_aoe,
            aoe_themes,
        });
    }
    Ok(facts)
}

/// Every review record in scope (not deleted) with its state and report due date. Reads the
/// `review` records only, never evidence.
fn review_facts(conn: &Connection, hub_id: Option<&str>) -> Result<Vec<ReviewFacts>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.fields, hb.report_deadline_days
         FROM review_hub h JOIN records r ON r.entity = 'review' AND r.id = h.review_id JOIN hubs hb ON hb.id = h.hub_id
         WHERE (CAST(?1 AS TEXT) IS NULL OR h.hub_id = ?1)",
    )?;
    let rows = stmt.query_map(params![hub_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, u32>(2)?)))?;
    let mut facts = Vec::new();
    for row in rows {
        let (id, fields, deadline_days) = row?;
        let doc: Doc = records::parse_doc(&fields, || format!("review record {id}"))?;
        if records::tombstone(&doc).is_some() {
            continue;
        }
        let Ok(state) = ReviewState::parse(records::text(&doc, "state")) else { continue };
        let days = visit_dates_of(&doc);
        facts.push(ReviewFacts {
            school_urn: records::text(&doc, "school_urn").to_owned(),
            state,
            visit_day: days.first().cloned().unwrap_or_default(),
            report_due: days.last().and_then(|d| report_due(d, deadline_days)),
        });
    }
    Ok(facts)
}
