//! The report: sections drafted by the Lead Reviewer, the completeness check before submitting,
//! the content hash an approval is bound to, and the coordinator's return comments.

use super::access::ReviewInfo;
use super::evidence::parse_id;
use super::Store;
use crate::error::{ClientError, Result};
use crate::model::{Citation, Missing, ReportSection, ReviewComment};
use chrono::{DateTime, Utc};
use qar_core::permissions::{Action, Decision};
use qar_core::report_photos::{self, ReportPhoto};
use qar_core::report_template::{self, ReportTemplate};
use qar_core::{EntityKind, ReviewState};
use rusqlite::OptionalExtension;
use serde_json::json;

fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339()
}

impl Store {
    pub fn report_template(&self, review_id: &str) -> Result<&'static ReportTemplate> {
        let info = self.review_info(review_id)?;
        Ok(report_template::template_for(&info.framework_version)?)
    }

    /// Every section of the review's template, written or not, in template order.
    pub fn list_report_sections(&self, review_id: &str) -> Result<Vec<ReportSection>> {
        let template = self.report_template(review_id)?;
        let written = self.section_texts(review_id)?;
        let photos = self.section_photos(review_id)?;
        template
            .sections
            .iter()
            .map(|spec| {
                let found = written.iter().find(|(code, _, _)| *code == spec.code);
                let body = found.map(|(_, b, _)| b.clone()).unwrap_or_default();
                Ok(ReportSection {
                    code: spec.code.clone(),
                    word_count: report_template::word_count(&body),
                    citations: self.citations_in(&body)?,
                    body,
                    updated_at: found.map(|(_, _, at)| rfc3339(*at)),
                    photos: photos.iter().find(|(code, _)| *code == spec.code).map(|(_, p)| p.clone()).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// The notes `body` cites, labelled from the notes on this laptop.
    fn citations_in(&self, body: &str) -> Result<Vec<Citation>> {
        let mut stmt = self.conn.prepare_cached("SELECT activity_type, started_at FROM evidence WHERE id = ?1 AND deleted = 0")?;
        let mut out = Vec::new();
        for cited in qar_core::citation::find(body) {
            let note: Option<(String, Option<String>)> =
                stmt.query_row([cited.note.to_string()], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
            let label = note.as_ref().map(|(activity, started)| citation_label(activity, started.as_deref()));
            out.push(Citation {
                token: body[cited.start..cited.end].to_owned(),
                note_id: cited.note.to_string(),
                available: label.is_some(),
                label: label.unwrap_or_else(|| "a team note".to_owned()),
            });
        }
        Ok(out)
    }

    /// (code, body, updated ms) of the sections held here.
    pub(super) fn section_texts(&self, review_id: &str) -> Result<Vec<(String, String, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT section_code, body, updated_at_ms FROM report_sections
             WHERE review_id = ?1 AND deleted = 0 AND section_code <> ''",
        )?;
        let rows = stmt.query_map([review_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// (code, photos) of the sections held here that show photos (issue 19).
    pub fn section_photos(&self, review_id: &str) -> Result<Vec<(String, Vec<ReportPhoto>)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT section_code, photos FROM report_sections
             WHERE review_id = ?1 AND deleted = 0 AND section_code <> '' AND photos <> '[]'",
        )?;
        let rows = stmt.query_map([review_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (code, raw) = row?;
            let value: serde_json::Value = serde_json::from_str(&raw).unwrap_or_default();
            out.push((code, report_photos::read(Some(&value))));
        }
        Ok(out)
    }

    /// Lead Reviewer: the photos printed under one section, in order, each with the caption
    /// the report gives it. Each must be a photo (not a document) attached to a note of this
    /// review; an empty list takes them all out. Like editing the text, it sends an approved
    /// report back for approval.
    pub fn set_report_photos(&mut self, review_id: &str, code: &str, photos: &[ReportPhoto], now_ms: u64) -> Result<ReportSection> {
        let (info, decision) = self.check_section_edit(review_id, code)?;
        let value = report_photos::to_value(photos);
        qar_core::validate_field(EntityKind::ReportSection, "photos", &value)?;
        for p in photos {
            let found = self.attachment(&p.attachment_id)?;
            if found.review_id != review_id {
                return Err(ClientError::NotFound { what: format!("Attachment '{}' in this review", p.attachment_id) });
            }
            if !report_photos::IMAGE_TYPES.contains(&found.mime.as_str()) {
                return Err(ClientError::Invalid(qar_core::ValidationError::WrongType {
                    field: "Photos in the report".into(),
                    expected: "photos (JPEG or PNG); a document stays with its note",
                }));
            }
        }
        self.write_section_field(review_id, code, ("photos", value), &info, &decision, now_ms)
    }

    /// Saves one section's text: one durable write. Editing an approved report sends it back
    /// for approval: the server moves the review when the edit arrives (the edit is the only op,
    /// so it cannot be refused for a state its own companion op just changed); this laptop shows
    /// the new state at once and the pulled state confirms it.
    pub fn save_report_section(&mut self, review_id: &str, code: &str, body: &str, now_ms: u64) -> Result<ReportSection> {
        let (info, decision) = self.check_section_edit(review_id, code)?;
        self.write_section_field(review_id, code, ("body", json!(body)), &info, &decision, now_ms)
    }

    /// Whether this person may edit section `code` of the review's report now. The progress
    /// section is written point by point (`save_progress`), never as one text or with photos.
    fn check_section_edit(&self, review_id: &str, code: &str) -> Result<(ReviewInfo, Decision)> {
        let info = self.review_info(review_id)?;
        let decision = self.check(&info, Action::EditReport, false)?;
        let template = report_template::template_for(&info.framework_version)?;
        let spec = template.sections.iter().find(|s| s.code == code);
        if spec.is_none_or(|s| s.kind == report_template::SectionKind::Progress) {
            return Err(ClientError::NotFound { what: format!("Report section '{code}'") });
        }
        Ok((info, decision))
    }

    /// Writes one field of a section (one durable write), shows the state the edit moves the
    /// review to (an approved report goes back for approval) and answers the saved section.
    fn write_section_field(
        &mut self,
        review_id: &str,
        code: &str,
        field: (&str, serde_json::Value),
        info: &ReviewInfo,
        decision: &Decision,
        now_ms: u64,
    ) -> Result<ReportSection> {
        let review = parse_id("Review", review_id)?;
        let id = report_template::section_id(review, code);
        let fields = [("section_code", json!(code)), field];
        self.write_record(EntityKind::ReportSection, id, review, &fields, "edit_report", now_ms)?;
        if let Some(next) = decision.next_state.filter(|n| *n != info.state) {
            self.show_state(review_id, next)?;
        }
        let saved = self.list_report_sections(review_id)?.into_iter().find(|s| s.code == code);
        saved.ok_or_else(|| ClientError::NotFound { what: format!("Report section '{code}'") })
    }

    /// The report's content hash as this laptop holds it (see `qar_core::report_template`).
    pub fn report_hash(&self, review_id: &str) -> Result<String> {
        let sections: Vec<(String, String)> = self.section_texts(review_id)?.into_iter().map(|(c, b, _)| (c, b)).collect();
        let estimates: Vec<(String, String, String)> =
            self.list_estimates(review_id)?.into_iter().map(|e| (e.area_code, e.value, e.rationale)).collect();
        Ok(report_template::content_hash_with_photos(&sections, &estimates, &self.section_photos(review_id)?))
    }

    /// What still stops the report from being submitted; empty when it can go.
    pub fn submit_check(&self, review_id: &str) -> Result<Vec<Missing>> {
        let template = self.report_template(review_id)?;
        let estimates: Vec<(String, String)> = self.list_estimates(review_id)?.into_iter().map(|e| (e.area_code, e.value)).collect();
        let sections: Vec<(String, String)> = self.section_texts(review_id)?.into_iter().map(|(c, b, _)| (c, b)).collect();
        let missing = report_template::missing_for_submit(template, &estimates, &sections)?;
        Ok(missing
            .into_iter()
            .map(|m| match m {
                report_template::Missing::Estimate { area_code, area_label } => Missing::Estimate { area_code, area_label },
                report_template::Missing::Section { code, title, area_label } => Missing::Section { code, title, area_label },
            })
            .collect())
    }

    /// Refuses a submit while anything is missing, naming each gap.
    pub(super) fn ensure_complete(&self, review_id: &str, to: ReviewState) -> Result<()> {
        if to != ReviewState::Submitted {
            return Ok(());
        }
        let missing = self.submit_check(review_id)?;
        if missing.is_empty() {
            return Ok(());
        }
        let items = missing
            .iter()
            .map(|m| match m {
                Missing::Estimate { area_label, .. } => format!("the estimate for {area_label}"),
                Missing::Section { title, area_label: Some(area), .. } => format!("{title} ({area})"),
                Missing::Section { title, .. } => title.clone(),
            })
            .collect();
        Err(ClientError::Incomplete { items })
    }

    pub fn list_comments(&self, review_id: &str) -> Result<Vec<ReviewComment>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, review_id, target, text, author_name, created_ms, resolved FROM comments
             WHERE review_id = ?1 AND deleted = 0 AND text <> '' ORDER BY created_ms, id",
        )?;
        let rows = stmt.query_map([review_id], comment_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The Lead Reviewer marks a comment addressed (an op that syncs back to the coordinator).
    pub fn resolve_comment(&mut self, comment_id: &str, now_ms: u64) -> Result<ReviewComment> {
        let review_id: Option<String> = self
            .conn
            .prepare_cached("SELECT review_id FROM comments WHERE id = ?1 AND deleted = 0")?
            .query_row([comment_id], |r| r.get(0))
            .optional()?;
        let review_id = review_id.ok_or_else(|| ClientError::NotFound { what: "That comment".into() })?;
        let info = self.review_info(&review_id)?;
        self.check(&info, Action::EditReport, false)?;
        let id = parse_id("Comment", comment_id)?;
        let review = parse_id("Review", &review_id)?;
        self.write_record(EntityKind::Comment, id, review, &[("resolved", json!(true))], "resolve_comment", now_ms)?;
        let found = self.list_comments(&review_id)?.into_iter().find(|c| c.id == comment_id);
        found.ok_or_else(|| ClientError::NotFound { what: "That comment".into() })
    }
}

fn comment_row(r: &rusqlite::Row) -> rusqlite::Result<ReviewComment> {
    Ok(ReviewComment {
        id: r.get(0)?,
        review_id: r.get(1)?,
        target: r.get(2)?,
        text: r.get(3)?,
        author_name: r.get(4)?,
        created_at: rfc3339(r.get(5)?),
        resolved: r.get::<_, i64>(6)? != 0,
    })
}

/// "Learning walk, 24 Nov 10:15": what the note was and when, never its text.
fn citation_label(activity: &str, started: Option<&str>) -> String {
    let what = qar_core::ActivityType::parse(activity).map_or("Note", |a| a.label());
    let when = started
        .and_then(|s| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").ok())
        .map(|t| t.format(", %-d %b %H:%M").to_string())
        .unwrap_or_default();
    format!("{what}{when}")
}
