//! The body's reading order, decided once for both renderers: after the header block and the
//! estimates table come the template's sections in order. A section tied to a framework area sits
//! under that area's heading (one heading per run of sections), its own title one level down.

use crate::model::{ProgressEntry, ReportDocument};
use qar_core::report_template::SectionKind;

/// What a renderer lays out, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block<'a> {
    /// Level-1 heading: an area, or a section of its own (context, Area of Excellence, …).
    Heading1(&'a str),
    /// Level-2 heading: *What went well* / *Even better if…* under an area.
    Heading2(&'a str),
    /// A paragraph of body text; may hold single line breaks.
    Para(&'a str),
    /// Shown (in drafts only) where a section has no text yet.
    NotWritten,
    /// A paragraph that opens with a bold label: a progress entry's point and finding.
    Labelled(&'static str, &'a str),
    /// A photo with its caption, after its section's text.
    Photo(&'a crate::ReportFigure),
}

/// The labels of a "Progress since the last review" entry, in both formats.
pub const POINT_LABEL: &str = "Even better if, last review";
pub const FOUND_LABEL: &str = "What the team found";

/// The heading above the estimates table, in both formats.
pub const ESTIMATES_HEADING: &str = "Estimates";

impl ReportDocument {
    /// The body in order. Drafts show unwritten sections as [`Block::NotWritten`], so the Lead
    /// Reviewer sees what is missing; approved and issued reports leave them out (and an area
    /// whose sections are all empty loses its heading too).
    pub fn body_blocks(&self) -> Vec<Block<'_>> {
        let draft = self.is_draft();
        let mut out = Vec::new();
        let mut current_area: Option<&str> = None;
        for spec in &self.template.sections {
            if spec.kind == SectionKind::Progress {
                current_area = None;
                self.progress_blocks(&spec.title, draft, &mut out);
                continue;
            }
            let body = self.body_of(&spec.code);
            let paras = paragraphs(body);
            if paras.is_empty() && !draft {
                continue;
            }
            match spec.area_code.as_deref() {
                Some(code) => {
                    if current_area != Some(code) {
                        let label = self.area_labels.get(code).map_or(code, String::as_str);
                        out.push(Block::Heading1(label));
                        current_area = Some(code);
                    }
                    out.push(Block::Heading2(&spec.title));
                }
                None => {
                    current_area = None;
                    out.push(Block::Heading1(&spec.title));
                }
            }
            if paras.is_empty() {
                out.push(Block::NotWritten);
            }
            out.extend(paras.into_iter().map(Block::Para));
            out.extend(self.photos.iter().filter(|p| p.section_code == spec.code).map(Block::Photo));
        }
        out
    }
}

impl ReportDocument {
    /// The progress section: absent for a first review (no entries), and in approved and
    /// issued reports absent when no entry has text; drafts show every point of the last
    /// review, unanswered ones as not written. Points sit under their area, as in the report.
    fn progress_blocks<'a>(&'a self, title: &'a str, draft: bool, out: &mut Vec<Block<'a>>) {
        let shown: Vec<&ProgressEntry> = self.progress.iter().filter(|e| draft || !e.found.trim().is_empty()).collect();
        if shown.is_empty() {
            return;
        }
        out.push(Block::Heading1(title));
        let mut area: Option<&str> = None;
        for entry in shown {
            if area != Some(entry.area_label.as_str()) {
                out.push(Block::Heading2(&entry.area_label));
                area = Some(&entry.area_label);
            }
            out.push(Block::Labelled(POINT_LABEL, entry.point.trim()));
            let paras = paragraphs(&entry.found);
            match paras.split_first() {
                None => out.push(Block::NotWritten),
                Some((first, rest)) => {
                    out.push(Block::Labelled(FOUND_LABEL, first));
                    out.extend(rest.iter().map(|p| Block::Para(p)));
                }
            }
        }
    }
}

/// Blank-line separated paragraphs, trimmed, empties dropped. `\r\n` counts as a line break.
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
    use crate::fixtures::{approved_fixture, fixture};

    fn h1s<'a>(blocks: &[Block<'a>]) -> Vec<&'a str> {
        blocks.iter().filter_map(|b| if let Block::Heading1(t) = b { Some(*t) } else { None }).collect()
    }

    #[test]
    fn paragraphs_split_on_blank_lines() {
        assert_eq!(paragraphs("a\nb\n\n  \nc\n"), vec!["a\nb", "c"]);
        assert_eq!(paragraphs("a\r\n\r\nb"), vec!["a", "b"]);
        assert!(paragraphs("  \n\n").is_empty());
    }

    #[test]
    fn area_heading_once_per_run_in_template_order() {
        let d = fixture();
        let h1 = h1s(&d.body_blocks());
        assert_eq!(
            h1,
            [
                "Context and character of the school",
                "Leadership at all levels",
                "The quality of provision and outcomes",
                "The quality of provision and outcomes for disadvantaged pupils and pupils with additional needs",
                "Area of Excellence",
                "Support from the Challenge Partners network",
            ]
        );
        let h2 = d.body_blocks().iter().filter(|b| matches!(b, Block::Heading2(_))).count();
        assert_eq!(h2, 6, "What went well + Even better if… per area");
    }

    #[test]
    fn a_photo_follows_its_sections_text() {
        let d = crate::fixtures::photo_fixture();
        let blocks = d.body_blocks();
        let at = blocks.iter().position(|b| matches!(b, Block::Photo(_))).expect("the photo is laid out");
        assert_eq!(blocks[at - 2], Block::Heading1("Area of Excellence"));
        assert!(matches!(blocks[at - 1], Block::Para(t) if t.starts_with("Bilingual reading")));
        assert_eq!(blocks.iter().filter(|b| matches!(b, Block::Photo(_))).count(), 1);
    }

    #[test]
    fn drafts_show_gaps_approved_reports_drop_them() {
        let mut d = fixture();
        d.sections.retain(|s| s.code != "area_of_excellence" && !s.code.starts_with("leadership"));
        let blocks = d.body_blocks();
        assert_eq!(blocks.iter().filter(|b| **b == Block::NotWritten).count(), 3);
        assert!(h1s(&blocks).contains(&"Leadership at all levels"));

        let mut a = approved_fixture();
        a.sections = d.sections.clone();
        let blocks = a.body_blocks();
        assert!(!blocks.contains(&Block::NotWritten));
        assert!(!h1s(&blocks).contains(&"Leadership at all levels"), "an empty area loses its heading");
        assert!(!h1s(&blocks).contains(&"Area of Excellence"));
    }
}
