//! The report model (`qar_report::ReportDocument`) from what the laptop holds (issue 10): the
//! live report from the store, or an issued version from its frozen snapshot. Print preview,
//! PDF and DOCX all read this one model, so they cannot disagree. No SQL here.

use crate::error::{ClientError, Result};
use crate::store::Store;
use chrono::{DateTime, Days, NaiveDate};
use qar_core::entities::{TeamRole, DEFAULT_VISIT_DAYS};
use qar_core::framework::framework;
use qar_core::previous_review::progress_number;
use qar_core::report_template::template_for;
use qar_core::ReviewState;
use qar_report::{EstimateRow, ProgressEntry, ReportDocument, ReportStatus, SectionText};
use serde_json::Value;
use std::collections::BTreeMap;

/// What a report is made of, from either source.
pub struct ReportSource {
    pub school_name: String,
    pub school_urn: String,
    pub visit_days: Vec<String>,
    pub framework_version: String,
    /// `(name, role code)` in team order.
    pub team: Vec<(String, String)>,
    /// `(section code, body)`.
    pub sections: Vec<(String, String)>,
    /// `(area code, value code, rationale)`.
    pub estimates: Vec<(String, String, String)>,
    /// "Progress since the last review": `(area code, point, found)` in point order.
    pub progress: Vec<(String, String, String)>,
    pub status: ReportStatus,
}

/// The live report as this laptop holds it. Approved (and unchanged since) carries the approval
/// date, approver and short hash; anything else is a draft. An issued review whose report is
/// still the approved one shows as approved here; its frozen versions render from their
/// snapshots ([`from_snapshot`]).
pub fn from_store(store: &Store, review_id: &str) -> Result<ReportDocument> {
    let detail = store.review_detail(review_id)?;
    let state = ReviewState::parse(&detail.summary.state).unwrap_or(ReviewState::Drafting);
    let unchanged = !detail.approved_hash.is_empty() && detail.approved_hash == detail.report_hash;
    let status = if unchanged && matches!(state, ReviewState::Approved | ReviewState::Issued) {
        let approved_ms = store.approval_ms(review_id)?.unwrap_or_else(crate_now_ms);
        ReportStatus::Approved {
            approved_on: day_of(approved_ms),
            approved_by: detail.approved_by.clone(),
            short_hash: short_hash(&detail.approved_hash),
        }
    } else {
        ReportStatus::Draft
    };
    let source = ReportSource {
        school_name: detail.summary.school_name.clone(),
        school_urn: detail.summary.school_urn.clone(),
        visit_days: detail.visit_days.clone(),
        framework_version: store.report_template(review_id)?.framework_version.clone(),
        team: detail.team.iter().map(|m| (m.name.clone(), m.role.clone())).collect(),
        sections: store.list_report_sections(review_id)?.into_iter().map(|s| (s.code, s.body)).collect(),
        estimates: store.list_estimates(review_id)?.into_iter().map(|e| (e.area_code, e.value, e.rationale)).collect(),
        // Every point of the last review while drafting (unanswered ones show as not written).
        progress: store
            .previous_review(review_id)?
            .map(|p| p.points.into_iter().map(|x| (x.area_code, x.point, x.found)).collect())
            .unwrap_or_default(),
        status,
    };
    build(source)
}

/// An issued version from its frozen snapshot (the server's canonical JSON). Everything shown,
/// the date included, comes from the snapshot, so one version always renders the same.
pub fn from_snapshot(snapshot: &str) -> Result<ReportDocument> {
    let s: Value = serde_json::from_str(snapshot).map_err(|e| ClientError::Protocol(format!("issued version snapshot: {e}")))?;
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let list = |k: &str| s.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    let mut visit_days: Vec<String> = list("visit_dates").iter().filter_map(|d| d.as_str().map(str::to_owned)).collect();
    if visit_days.is_empty() {
        visit_days = days_from(&text(&s, "start_date"));
    }
    let report_hash = text(&s, "report_hash");
    let status = ReportStatus::Issued {
        version: s.get("version").and_then(Value::as_u64).unwrap_or(1) as u32,
        issued_on: day_of(s.get("issued_ms").and_then(Value::as_u64).unwrap_or(0)),
        approved_by: text(&s, "approved_by"),
        short_hash: short_hash(&report_hash),
    };
    build(ReportSource {
        school_name: text(&s, "school_name"),
        school_urn: text(&s, "school_urn"),
        visit_days,
        framework_version: text(&s, "framework_version"),
        team: list("team").iter().map(|m| (text(m, "name"), text(m, "role"))).collect(),
        sections: list("sections").iter().map(|x| (text(x, "code"), text(x, "body"))).collect(),
        estimates: list("estimates").iter().map(|x| (text(x, "area_code"), text(x, "value"), text(x, "rationale"))).collect(),
        progress: progress_of(&list("sections")),
        status,
    })
}

/// The progress entries of a snapshot's sections (`progress_<n>` codes), in point order.
fn progress_of(sections: &[Value]) -> Vec<(String, String, String)> {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let mut entries: Vec<(usize, (String, String, String))> = sections
        .iter()
        .filter_map(|x| {
            let n = progress_number(&text(x, "code"))?;
            Some((n, (text(x, "ebi_area"), text(x, "ebi_point"), text(x, "body"))))
        })
        .collect();
    entries.sort_by_key(|(n, _)| *n);
    entries.into_iter().map(|(_, e)| e).collect()
}

/// Words the source: framework labels for areas, estimates and roles; every framework area in
/// the estimates table (unset ones say so); blank and unknown sections left out.
pub fn build(src: ReportSource) -> Result<ReportDocument> {
    let fw = framework(&src.framework_version)?;
    let template = template_for(&src.framework_version)?.clone();
    let area_labels: BTreeMap<String, String> = fw.areas.iter().map(|a| (a.code.to_owned(), a.label.to_owned())).collect();
    let estimates = fw
        .areas
        .iter()
        .map(|a| {
            let set = src.estimates.iter().find(|(code, value, _)| code == a.code && !value.is_empty());
            EstimateRow {
                area_code: a.code.to_owned(),
                area_label: a.label.to_owned(),
                value_label: set.and_then(|(_, v, _)| fw.scale_value(v)).map_or_else(|| "Not set".to_owned(), |v| v.label.to_owned()),
                rationale: set.map(|(_, _, r)| r.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let sections = template
        .sections
        .iter()
        .filter_map(|t| src.sections.iter().find(|(code, body)| *code == t.code && !body.trim().is_empty()))
        .map(|(code, body)| SectionText { code: code.clone(), body: body.clone() })
        .collect();
    let progress = src
        .progress
        .iter()
        .map(|(area, point, found)| ProgressEntry {
            area_label: fw.area(area).map_or_else(|_| area.clone(), |a| a.label.to_owned()),
            point: point.clone(),
            found: found.clone(),
        })
        .collect();
    let role_label = |code: &str| TeamRole::parse(code).map_or_else(|| code.to_owned(), |r| r.label().to_owned());
    let lead = src.team.iter().find(|(_, r)| r == TeamRole::LeadReviewer.code()).map(|(n, _)| n.clone()).unwrap_or_default();
    let doc = ReportDocument {
        school_name: src.school_name,
        school_urn: src.school_urn,
        visit_days: src.visit_days,
        lead_reviewer: lead,
        team: src.team.iter().map(|(n, r)| (n.clone(), role_label(r))).collect(),
        framework_version: src.framework_version,
        template,
        area_labels,
        estimates,
        sections,
        progress,
        status: src.status,
    };
    doc.check()?;
    Ok(doc)
}

/// The first 12 hex digits of a content hash, as approvals show it.
pub fn short_hash(hash: &str) -> String {
    hash.chars().take(12).collect()
}

/// The UTC day of a moment, `YYYY-MM-DD`.
fn day_of(ms: u64) -> String {
    DateTime::from_timestamp_millis(ms as i64).map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string())
}

fn days_from(start: &str) -> Vec<String> {
    let Ok(first) = NaiveDate::parse_from_str(start, "%Y-%m-%d") else { return Vec::new() };
    (0..DEFAULT_VISIT_DAYS as u64).filter_map(|i| first.checked_add_days(Days::new(i))).map(|d| d.format("%Y-%m-%d").to_string()).collect()
}

fn crate_now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}
