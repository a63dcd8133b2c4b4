//! "Progress since the last review" (issue 23) in both exports, read back as a reader sees
//! them: present with each point of the last report and what the team found, under its area;
//! absent for a first review of the school; in an issued report, only the answered points.

use crate::support::*;
use qar_report::fixtures::{fixture, progress_fixture};
use qar_report::{render_docx, render_pdf, ReportDocument, ReportStatus};

const TITLE: &str = "Progress since the last review";

fn pdf_of(doc: &ReportDocument, name: &str) -> String {
    pdf_text(&save(name, &render_pdf(doc).unwrap()))
}

fn docx_of(doc: &ReportDocument) -> Vec<(Option<String>, String)> {
    docx_paragraphs(&docx_part(&render_docx(doc).unwrap(), "word/document.xml"))
}

fn issued(mut doc: ReportDocument) -> ReportDocument {
    doc.status = ReportStatus::Issued {
        version: 1,
        issued_on: "2025-03-20".into(),
        approved_by: "Gwen Ellis".into(),
        short_hash: "3f9a2c1b7d4e".into(),
    };
    doc
}

#[test]
fn a_second_review_shows_each_point_and_what_the_team_found_in_pdf_and_word() {
    let doc = progress_fixture();
    let pdf = pdf_of(&doc, "progress-draft.pdf");
    let paras = docx_of(&doc);
    let word: Vec<String> = paras.iter().map(|(_, t)| t.clone()).collect();
    // The section sits after the context, before the first area, with its title as a heading.
    let heading = paras.iter().position(|(s, t)| s.as_deref() == Some("Heading1") && t == TITLE).expect("Word heading");
    let context = paras.iter().position(|(_, t)| t == "Context and character of the school").unwrap();
    let leadership = paras.iter().rposition(|(s, t)| s.as_deref() == Some("Heading1") && t == "Leadership at all levels").unwrap();
    assert!(context < heading && heading < leadership, "{paras:?}");
    assert_eq!(paras[heading + 1], (Some("Heading2".into()), "Leadership at all levels".into()));
    for want in [
        "Even better if, last review: Middle leaders check the impact of their plans.",
        "What the team found: Subject leaders now review their plans each half-term with the deputy head.",
        "Governors hear the findings.",
        "Even better if, last review: Phonics pace in Year 1 is brisk in every group.",
    ] {
        assert!(word.iter().any(|t| t == want), "{want:?} in Word: {word:?}");
        assert!(pdf.contains(&squash(want)), "{want:?} in the PDF:\n{pdf}");
    }
    // In a draft, the point not answered yet says so.
    let unanswered = word.iter().position(|t| t.contains("Phonics pace")).unwrap();
    assert_eq!(word[unanswered + 1], "Not yet written.");
    let at = |needle: &str| pdf.find(&squash(needle)).unwrap_or_else(|| panic!("{needle}"));
    assert!(at("Context and character") < at(TITLE) && at(TITLE) < at("Middle leaders check"));
}

#[test]
fn an_issued_report_keeps_only_the_answered_points() {
    let doc = issued(progress_fixture());
    let pdf = pdf_of(&doc, "progress-issued.pdf");
    let word: Vec<String> = docx_of(&doc).into_iter().map(|(_, t)| t).collect();
    for text in [pdf.clone(), squash(&word.join("\n"))] {
        assert!(text.contains(&squash(TITLE)) && text.contains(&squash("Middle leaders check the impact")));
        assert!(!text.contains(&squash("Phonics pace")), "an unanswered point is left out of an issued report");
    }
    // Answered by nobody: no section at all.
    let mut none = issued(progress_fixture());
    none.progress.iter_mut().for_each(|e| e.found.clear());
    assert!(!pdf_of(&none, "progress-none-answered.pdf").contains(&squash(TITLE)));
}

#[test]
fn a_first_review_of_a_school_has_no_progress_section_in_pdf_or_word() {
    for doc in [fixture(), issued(fixture())] {
        assert!(doc.progress.is_empty());
        let pdf = pdf_of(&doc, "progress-first-review.pdf");
        assert!(!pdf.contains(&squash(TITLE)) && !pdf.contains("Even better if, last review"), "{pdf}");
        let word = docx_of(&doc);
        assert!(word.iter().all(|(_, t)| t != TITLE && !t.contains("last review")), "{word:?}");
    }
}
