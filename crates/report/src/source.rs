//! The report model from its sources (issue 10): the words the source needs (framework labels,
//! the template's sections) and, for an issued version, its frozen snapshot. The laptop's export
//! and the server's download both read an issued version through [`from_snapshot`], so the two
//! render the same model and, with the same renderers, the same bytes (issue 22).

use crate::{EstimateRow, ProgressEntry, ReportDocument, ReportError, ReportFigure, ReportStatus, SectionText};
use chrono::{DateTime, Days, NaiveDate};
use qar_core::entities::{TeamRole, DEFAULT_VISIT_DAYS};
use qar_core::framework::framework;
use qar_core::previous_review::progress_number;
use qar_core::report_template::template_for;
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
    /// The photos chosen for the report, in the order chosen within each section; their bytes
    /// may be filled in after [`build`] (an issued snapshot names them by SHA-256).
    pub photos: Vec<ReportFigure>,
    pub status: ReportStatus,
}

/// An issued version from its frozen snapshot (the server's canonical JSON). Everything shown,
/// the date included, comes from the snapshot, so one version always renders the same.
pub fn from_snapshot(snapshot: &str) -> Result<ReportDocument, ReportError> {
    let s: Value = serde_json::from_str(snapshot).map_err(|e| ReportError::Snapshot(e.to_string()))?;
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
        photos: photos_of(&list("sections")),
        status,
    })
}

/// The photos a snapshot's sections name, without their bytes: the caller reads each by its
/// SHA-256 (the server from its blob store, the laptop from its sealed files) and fills
/// `bytes` before rendering; a renderer refuses a photo left empty.
fn photos_of(sections: &[Value]) -> Vec<ReportFigure> {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    sections
        .iter()
        .flat_map(|x| {
            let code = text(x, "code");
            x.get("photos").and_then(Value::as_array).cloned().unwrap_or_default().into_iter().map(move |p| ReportFigure {
                section_code: code.clone(),
                attachment_id: text(&p, "attachment_id"),
                caption: text(&p, "caption"),
                mime: text(&p, "mime"),
                sha256: text(&p, "sha256"),
                bytes: Vec::new(),
            })
        })
        .collect()
}

impl ReportDocument {
    /// Fills each photo's bytes with `read(photo)`; the first failure stops.
    pub fn fill_photos<E>(&mut self, mut read: impl FnMut(&ReportFigure) -> Result<Vec<u8>, E>) -> Result<(), E> {
        for p in &mut self.photos {
            if p.bytes.is_empty() {
                p.bytes = read(p)?;
            }
        }
        Ok(())
    }
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
pub fn build(src: ReportSource) -> Result<ReportDocument, ReportError> {
    let unknown = |e: qar_core::ValidationError| ReportError::Framework(e.to_string());
    let fw = framework(&src.framework_version).map_err(unknown)?;
    let template = template_for(&src.framework_version).map_err(unknown)?.clone();
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
        // Citations of notes are for the team only: no export carries them (issue 18, decision 82).
        .filter_map(|t| src.sections.iter().find(|(code, _)| *code == t.code))
        .map(|(code, body)| SectionText { code: code.clone(), body: qar_core::citation::strip(body) })
        .filter(|s| !s.body.trim().is_empty())
        .collect();
    let progress = src
        .progress
        .iter()
        .map(|(area, point, found)| ProgressEntry {
            area_label: fw.area(area).map_or_else(|_| area.clone(), |a| a.label.to_owned()),
            point: point.clone(),
            // As the sections: a citation of a note stays with the team (decision 82).
            found: qar_core::citation::strip(found),
        })
        .collect();
    // Photos print in template order, in the order chosen within a section; a photo of a
    // section the template does not have is left out like that section's text.
    let position = |code: &str| template.sections.iter().position(|t| t.code == code);
    let mut photos: Vec<ReportFigure> = src.photos.into_iter().filter(|p| position(&p.section_code).is_some()).collect();
    photos.sort_by_key(|p| position(&p.section_code));
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
        photos,
        status: src.status,
    };
    // An issued snapshot's photos arrive without bytes, so the full check waits for the
    // renderer; everything else is checked here.
    doc.check_text()?;
    Ok(doc)
}

/// The first 12 hex digits of a content hash, as approvals show it.
pub fn short_hash(hash: &str) -> String {
    hash.chars().take(12).collect()
}

/// The UTC day of a moment, `YYYY-MM-DD`.
pub fn day_of(ms: u64) -> String {
    DateTime::from_timestamp_millis(ms as i64).map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string())
}

fn days_from(start: &str) -> Vec<String> {
    let Ok(first) = NaiveDate::parse_from_str(start, "%Y-%m-%d") else { return Vec::new() };
    (0..DEFAULT_VISIT_DAYS as u64).filter_map(|i| first.checked_add_days(Days::new(i))).map(|d| d.format("%Y-%m-%d").to_string()).collect()
}

/// `<School> <URN> report (draft).pdf`, `… (approved).docx`, `… v2.pdf`, made safe for Windows,
/// macOS and Linux alike by `qar_core::file_names` (the file travels between them by e-mail).
/// The laptop's export and the server's download give the same name.
pub fn file_name(doc: &ReportDocument, extension: &str) -> String {
    let tag = match &doc.status {
        ReportStatus::Draft => "report (draft)".to_owned(),
        ReportStatus::Approved { .. } => "report (approved)".to_owned(),
        ReportStatus::Issued { version, .. } => format!("report v{version}"),
    };
    qar_core::file_names::portable_file_name(&format!("{} {} {tag}", doc.school_name.trim(), doc.school_urn), extension)
}
