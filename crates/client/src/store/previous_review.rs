//! The school's previous issued review on this laptop (issue 23): the server's read-only copy of
//! its estimates and Even better if points, and the Lead Reviewer's "Progress since the last
//! review" entries, one report section per point (`qar_core::previous_review`).

use super::evidence::parse_id;
use super::Store;
use crate::error::{ClientError, Result};
use crate::model::{PreviousEstimateView, PreviousReviewView, ProgressPoint};
use chrono::{DateTime, Utc};
use qar_core::framework::framework;
use qar_core::permissions::Action;
use qar_core::previous_review::{progress_code, EbiPoint, PreviousEstimate};
use qar_core::report_template::section_id;
use qar_core::EntityKind;
use rusqlite::OptionalExtension;
use serde_json::json;

fn day_of(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string())
}

fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339()
}

impl Store {
    /// The previous review this one builds on, with the progress written so far; `None` for a
    /// first review of the school (or when the hub unlinked it).
    pub fn previous_review(&self, review_id: &str) -> Result<Option<PreviousReviewView>> {
        type Row = (String, String, String, String, String, i64, String, String);
        let row: Option<Row> = self
            .conn
            .prepare_cached(
                "SELECT previous_review_id, school_name, school_urn, start_date, framework_version, issued_ms, estimates, ebi_points
                 FROM previous_reviews WHERE review_id = ?1 AND deleted = 0 AND previous_review_id <> ''",
            )?
            .query_row([review_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)))
            .optional()?;
        let Some((previous_review_id, school_name, school_urn, start_date, framework_version, issued_ms, estimates, points)) = row else {
            return Ok(None);
        };
        let fw = framework(&framework_version).ok();
        let area_label = |code: &str| fw.and_then(|f| f.area(code).ok()).map_or_else(|| code.to_owned(), |a| a.label.to_owned());
        let estimates: Vec<PreviousEstimate> = serde_json::from_str(&estimates).unwrap_or_default();
        let points: Vec<EbiPoint> = serde_json::from_str(&points).unwrap_or_default();
        let found = self.progress_texts(review_id)?;
        Ok(Some(PreviousReviewView {
            previous_review_id,
            school_name,
            school_urn,
            start_date,
            issued_on: day_of(issued_ms),
            estimates: estimates
                .iter()
                .map(|e| PreviousEstimateView {
                    area_code: e.area_code.clone(),
                    area_label: area_label(&e.area_code),
                    value_label: fw.and_then(|f| f.scale_value(&e.value)).map_or_else(|| e.value.clone(), |v| v.label.to_owned()),
                })
                .collect(),
            points: points
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let written = found.iter().find(|(code, _, _)| *code == progress_code(i + 1));
                    ProgressPoint {
                        number: i as u32 + 1,
                        area_code: p.area_code.clone(),
                        area_label: area_label(&p.area_code),
                        point: p.text.clone(),
                        found: written.map(|(_, body, _)| body.clone()).unwrap_or_default(),
                        updated_at: written.map(|(_, _, at)| rfc3339(*at)),
                    }
                })
                .collect(),
        }))
    }

    /// (code, body, updated ms) of the progress entries held here.
    fn progress_texts(&self, review_id: &str) -> Result<Vec<(String, String, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT section_code, body, updated_at_ms FROM report_sections
             WHERE review_id = ?1 AND deleted = 0 AND section_code LIKE 'progress\\_%' ESCAPE '\\'",
        )?;
        let rows = stmt.query_map([review_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The Lead Reviewer records what the team found on point `number` of the previous report:
    /// a report section under the report's own rules (`EditReport`), carrying the point it
    /// answers so the report reads whole without the previous review.
    pub fn save_progress(&mut self, review_id: &str, number: u32, found: &str, now_ms: u64) -> Result<ProgressPoint> {
        let info = self.review_info(review_id)?;
        let decision = self.check(&info, Action::EditReport, false)?;
        let previous = self.previous_review(review_id)?.ok_or_else(|| ClientError::NotFound { what: "The previous review".into() })?;
        let point = previous
            .points
            .iter()
            .find(|p| p.number == number)
            .ok_or_else(|| ClientError::NotFound { what: format!("Point {number} of the previous review") })?;
        let review = parse_id("Review", review_id)?;
        let code = progress_code(number as usize);
        let fields = [
            ("section_code", json!(code)),
            ("body", json!(found)),
            ("ebi_point", json!(point.point)),
            ("ebi_area", json!(point.area_code)),
        ];
        self.write_record(EntityKind::ReportSection, section_id(review, &code), review, &fields, "edit_report", now_ms)?;
        if let Some(next) = decision.next_state.filter(|n| *n != info.state) {
            self.show_state(review_id, next)?;
        }
        let saved = self.previous_review(review_id)?.and_then(|p| p.points.into_iter().find(|p| p.number == number));
        saved.ok_or_else(|| ClientError::NotFound { what: format!("Point {number} of the previous review") })
    }

    /// `(area code, point, found)` of the progress entries written, in point order: what an
    /// issued snapshot would hold (the report model's draft reads [`Store::previous_review`]).
    pub fn progress_entries(&self, review_id: &str) -> Result<Vec<(usize, String, String, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT section_code, coalesce(ebi_area, ''), ebi_point, body FROM report_sections
             WHERE review_id = ?1 AND deleted = 0 AND section_code LIKE 'progress\\_%' ESCAPE '\\'",
        )?;
        let rows = stmt.query_map([review_id], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (code, area, point, body) = row?;
            if let Some(n) = qar_core::previous_review::progress_number(&code) {
                out.push((n, area, point, body));
            }
        }
        out.sort_by_key(|e| e.0);
        Ok(out)
    }
}
