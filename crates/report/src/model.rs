//! The one report model both renderers read: plain data, no IO. The app fills it from its store;
//! labels arrive already worded (area and estimate labels come from `qar_core::framework`), so
//! the renderers only lay it out and PDF and DOCX cannot disagree on content.

use crate::ReportError;
use qar_core::report_template::ReportTemplate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportDocument {
    pub school_name: String,
    /// Six-digit GIAS URN, kept as text.
    pub school_urn: String,
    /// The visit days, `YYYY-MM-DD`, in order. Shown as e.g. "Tuesday 4 March 2025".
    pub visit_days: Vec<String>,
    pub lead_reviewer: String,
    /// `(name, role label)` in the order the team is listed, e.g. `("Zoë O’Connor", "Reviewer")`.
    pub team: Vec<(String, String)>,
    pub framework_version: String,
    /// Section order, titles and kinds; which sections belong to which framework area.
    pub template: ReportTemplate,
    /// Framework area code → label, for the area headings.
    pub area_labels: BTreeMap<String, String>,
    /// The estimates table, in row order.
    pub estimates: Vec<EstimateRow>,
    /// Section texts by template code, any order; sections missing here count as unwritten.
    pub sections: Vec<SectionText>,
    /// "Progress since the last review", one entry per Even better if point of the school's
    /// previous report, in point order; empty for a first review (no section is shown).
    #[serde(default)]
    pub progress: Vec<ProgressEntry>,
    /// Photos the Lead Reviewer chose from the team's notes, each printed under its section
    /// after the text, in this order (issue 19).
    #[serde(default)]
    pub photos: Vec<crate::ReportFigure>,
    pub status: ReportStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EstimateRow {
    pub area_code: String,
    pub area_label: String,
    pub value_label: String,
    pub rationale: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SectionText {
    pub code: String,
    /// Plain text, never markup; blank lines separate paragraphs.
    pub body: String,
}

/// One point of the previous report and what the team found on it this time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProgressEntry {
    /// The framework area the point was written under, worded.
    pub area_label: String,
    /// The point as the previous report put it.
    pub point: String,
    /// Plain text; "" until written.
    pub found: String,
}

/// Where the report is in its life. Dates are `YYYY-MM-DD` (shown in words) or already worded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReportStatus {
    Draft,
    Approved {
        approved_on: String,
        approved_by: String,
        /// First 12 hex digits of `qar_core::report_template::content_hash`.
        short_hash: String,
    },
    Issued {
        version: u32,
        issued_on: String,
        approved_by: String,
        short_hash: String,
    },
}

impl ReportDocument {
    /// Everything a renderer relies on, checked once so both refuse the same documents.
    pub fn check(&self) -> Result<(), ReportError> {
        self.check_text()?;
        for photo in &self.photos {
            photo.pixels()?;
        }
        Ok(())
    }

    /// [`ReportDocument::check`] but for the photos' bytes, which an issued version's snapshot
    /// names by SHA-256 and the caller reads afterwards (`fill_photos`).
    pub fn check_text(&self) -> Result<(), ReportError> {
        for d in &self.visit_days {
            crate::wording::parse_day(d).ok_or_else(|| ReportError::VisitDay(d.clone()))?;
        }
        if self.template.framework_version != self.framework_version {
            return Err(ReportError::FrameworkMismatch {
                template: self.template.version.clone(),
                template_framework: self.template.framework_version.clone(),
                report: self.framework_version.clone(),
            });
        }
        for (i, s) in self.sections.iter().enumerate() {
            if !self.template.sections.iter().any(|t| t.code == s.code) {
                return Err(ReportError::UnknownSection(s.code.clone(), self.template.version.clone()));
            }
            if self.sections[..i].iter().any(|earlier| earlier.code == s.code) {
                return Err(ReportError::RepeatedSection(s.code.clone()));
            }
        }
        for photo in &self.photos {
            if !self.template.sections.iter().any(|t| t.code == photo.section_code) {
                return Err(ReportError::UnknownSection(photo.section_code.clone(), self.template.version.clone()));
            }
        }
        for area in self.template.sections.iter().filter_map(|s| s.area_code.as_ref()) {
            if !self.area_labels.contains_key(area) {
                return Err(ReportError::MissingAreaLabel(area.clone()));
            }
        }
        match &self.status {
            ReportStatus::Draft => Ok(()),
            ReportStatus::Approved { short_hash, .. } | ReportStatus::Issued { short_hash, .. } => {
                let ok = short_hash.len() == 12 && short_hash.bytes().all(|b| b.is_ascii_hexdigit());
                if ok {
                    Ok(())
                } else {
                    Err(ReportError::ShortHash(short_hash.clone()))
                }
            }
        }
    }

    pub fn is_draft(&self) -> bool {
        matches!(self.status, ReportStatus::Draft)
    }

    /// The text of a section, or "" when it has none.
    pub fn body_of(&self, code: &str) -> &str {
        self.sections.iter().find(|s| s.code == code).map_or("", |s| s.body.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{approved_fixture, fixture};

    #[test]
    fn fixtures_pass_the_check() {
        fixture().check().unwrap();
        approved_fixture().check().unwrap();
    }

    #[test]
    fn check_refuses_what_a_renderer_could_not_show_faithfully() {
        let mut d = fixture();
        d.visit_days[1] = "5 March".into();
        assert_eq!(d.check(), Err(ReportError::VisitDay("5 March".into())));

        let mut d = fixture();
        d.sections.push(SectionText { code: "behaviour".into(), body: "x".into() });
        assert!(matches!(d.check(), Err(ReportError::UnknownSection(c, _)) if c == "behaviour"));

        let mut d = fixture();
        d.sections.push(d.sections[0].clone());
        assert!(matches!(d.check(), Err(ReportError::RepeatedSection(_))));

        let mut d = fixture();
        d.area_labels.remove("leadership");
        assert_eq!(d.check(), Err(ReportError::MissingAreaLabel("leadership".into())));

        let mut d = fixture();
        d.framework_version = "2024".into();
        assert!(matches!(d.check(), Err(ReportError::FrameworkMismatch { .. })));

        let mut d = approved_fixture();
        if let ReportStatus::Approved { short_hash, .. } = &mut d.status {
            *short_hash = "3f9a2c1b".into();
        }
        assert_eq!(d.check(), Err(ReportError::ShortHash("3f9a2c1b".into())));
    }

    #[test]
    fn model_round_trips_through_json() {
        let d = approved_fixture();
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains(r#""state":"approved""#));
        assert_eq!(serde_json::from_str::<ReportDocument>(&json).unwrap(), d);
    }
}
