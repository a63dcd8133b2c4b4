//! The report model (`qar_report::ReportDocument`) from what the laptop holds (issue 10): the
//! live report from the store, or an issued version from its frozen snapshot. Print preview,
//! PDF and DOCX all read this one model, so they cannot disagree. No SQL here.

use crate::error::Result;
use crate::store::Store;
use qar_core::ReviewState;
pub use qar_report::source::{day_of, short_hash, ReportSource};
use qar_report::{ReportDocument, ReportFigure, ReportStatus};

/// An issued version from its frozen snapshot: `qar_report::source::from_snapshot`, the one the
/// server's download uses too, so both give the same bytes.
pub fn from_snapshot(snapshot: &str) -> Result<ReportDocument> {
    Ok(qar_report::source::from_snapshot(snapshot)?)
}

/// Words the source (`qar_report::source::build`).
pub fn build(src: ReportSource) -> Result<ReportDocument> {
    Ok(qar_report::source::build(src)?)
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
        photos: figures(store, review_id)?,
        status,
    };
    build(source)
}

/// The photos the report shows, from their attachments, with the bytes this laptop holds; a
/// teammate's photo not downloaded yet has none (`Client::export_report` fetches it first).
fn figures(store: &Store, review_id: &str) -> Result<Vec<ReportFigure>> {
    let mut out = Vec::new();
    for (code, photos) in store.section_photos(review_id)? {
        for p in photos {
            // A photo removed from its note since it was chosen is not printed.
            let Ok(a) = store.attachment(&p.attachment_id) else { continue };
            if !qar_core::report_photos::IMAGE_TYPES.contains(&a.mime.as_str()) {
                continue;
            }
            let bytes = if a.held_here { store.attachment_bytes(&a.id)? } else { Vec::new() };
            out.push(ReportFigure {
                section_code: code.clone(),
                attachment_id: a.id,
                caption: p.caption,
                mime: a.mime,
                sha256: a.sha256,
                bytes,
            });
        }
    }
    Ok(out)
}

fn crate_now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}
