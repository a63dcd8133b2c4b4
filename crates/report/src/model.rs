//! The one report model both renderers read. Everything here is already worded for the reader
//! (labels, not codes), so PDF and DOCX only lay it out and cannot disagree on content.

use qar_core::report_template::SectionKind;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportDocument {
    pub school_name: String,
    pub school_urn: String,
    /// Visit days as the reader sees them, e.g. "Tuesday 4 March 2025".
    pub visit_days: Vec<String>,
    pub lead_reviewer: String,
    pub team: Vec<TeamLine>,
    pub title: String,
    pub estimates: Vec<EstimateLine>,
    /// In template order.
    pub sections: Vec<SectionBlock>,
    pub status: ExportStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamLine {
    pub name: String,
    pub role_label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstimateLine {
    pub area_code: String,
    pub area_label: String,
    pub value_label: String,
    pub rationale: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionBlock {
    pub code: String,
    pub title: String,
    pub kind: SectionKind,
    /// The framework area of a WWW/EBI section: consecutive sections with the same area share
    /// one area heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_label: Option<String>,
    /// Plain text; blank lines separate paragraphs.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ExportStatus {
    Draft,
    Approved { approved_on: String, approved_by: String, short_hash: String },
    Issued { version: u32, issued_on: String, approved_by: String, short_hash: String },
}

/// What both renderers lay out, in order: area headings are emitted once per run of sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block<'a> {
    /// A level-1 heading.
    Heading1(&'a str),
    /// A level-2 heading.
    Heading2(&'a str),
    /// A paragraph of body text.
    Para(&'a str),
}

impl ReportDocument {
    /// The line shown at the top of every page: the draft warning or the approval.
    pub fn status_line(&self) -> String {
        match &self.status {
            ExportStatus::Draft => "DRAFT — not approved".to_owned(),
            ExportStatus::Approved { approved_on, approved_by, short_hash } => {
                format!("Approved by {approved_by} on {approved_on} · content {short_hash}")
            }
            ExportStatus::Issued { version, issued_on, approved_by, short_hash } => {
                format!("Issued (version {version}) on {issued_on} · approved by {approved_by} · content {short_hash}")
            }
        }
    }

    pub fn is_draft(&self) -> bool {
        matches!(self.status, ExportStatus::Draft)
    }

    /// The body after the header block and estimates table, shared by both renderers so the
    /// heading structure is decided once. Sections with an area get the area as a level-1
    /// heading (once per consecutive run) and their own title as level 2; others are level 1.
    pub fn body_blocks(&self) -> Vec<Block<'_>> {
        let mut out = Vec::new();
        let mut current_area: Option<&str> = None;
        for s in &self.sections {
            match s.area_label.as_deref() {
                Some(area) => {
                    if current_area != Some(area) {
                        out.push(Block::Heading1(area));
                        current_area = Some(area);
                    }
                    out.push(Block::Heading2(&s.title));
                }
                None => {
                    current_area = None;
                    out.push(Block::Heading1(&s.title));
                }
            }
            for p in paragraphs(&s.body) {
                out.push(Block::Para(p));
            }
        }
        out
    }
}

/// Blank-line separated paragraphs, trimmed, empties dropped.
pub fn paragraphs(body: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut pos) = (0, 0);
    for line in body.split_inclusive('\n') {
        if line.trim().is_empty() {
            out.push(body[start..pos].trim());
            start = pos + line.len();
        }
        pos += line.len();
    }
    out.push(body[start..].trim());
    out.retain(|p| !p.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_on_blank_lines() {
        assert_eq!(paragraphs("a\nb\n\n  \nc\n"), vec!["a\nb", "c"]);
        assert!(paragraphs("  \n\n").is_empty());
    }

    #[test]
    fn area_heading_once_per_run() {
        let d = crate::fixtures::fixture();
        let blocks = d.body_blocks();
        let h1: Vec<_> = blocks.iter().filter_map(|b| if let Block::Heading1(t) = b { Some(*t) } else { None }).collect();
        assert_eq!(h1.len(), 6, "{h1:?}");
        assert_eq!(h1[1], "Leadership at all levels");
    }
}
