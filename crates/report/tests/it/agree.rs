//! The point of one model: the PDF and the DOCX of a report have the same headings at the same
//! levels in the same order, and the same paragraphs in the same order. The PDF side is read from
//! its tag tree (`pdfinfo -struct-text`), i.e. what a screen reader and the bookmarks see.

use crate::support::*;
use qar_report::fixtures::{approved_fixture, fixture};
use qar_report::{render_docx, render_pdf, ReportDocument};

/// (level, text) of every H1/H2/… in the PDF's structure tree, in order.
fn pdf_headings(doc: &ReportDocument, name: &str) -> Vec<(u8, String)> {
    let path = save(name, &render_pdf(doc).unwrap());
    let tree = poppler("pdfinfo", &["-enc", "UTF-8", "-struct-text", path.to_str().unwrap()]);
    let lines: Vec<&str> = tree.lines().map(str::trim).collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(level) = l.strip_prefix('H').and_then(|r| r.split(' ').next()).and_then(|n| n.parse::<u8>().ok()) else {
            continue;
        };
        // The heading's own text follows, one quoted line per laid-out line (its /T title may
        // be UTF-16 that poppler 22 prints raw, so it is not used).
        let text: Vec<&str> = lines[i + 1..].iter().map_while(|t| t.strip_prefix('"').and_then(|t| t.strip_suffix('"'))).collect();
        assert!(!text.is_empty(), "text after {l}");
        out.push((level, squash(&text.join(" "))));
    }
    out
}

fn docx_headings(doc: &ReportDocument) -> Vec<(u8, String)> {
    let xml = docx_part(&render_docx(doc).unwrap(), "word/document.xml");
    docx_paragraphs(&xml).into_iter().filter_map(|(style, text)| Some((style?.strip_prefix("Heading")?.parse().ok()?, text))).collect()
}

#[test]
fn pdf_and_docx_have_the_same_headings_at_the_same_levels() {
    for (doc, name) in [(fixture(), "agree-draft.pdf"), (approved_fixture(), "agree-approved.pdf")] {
        let (pdf, docx) = (pdf_headings(&doc, name), docx_headings(&doc));
        assert_eq!(pdf, docx, "{name}");
        assert!(pdf.len() >= 13, "Estimates, context, 3 areas × (area, WWW, EBI), AoE, support: {pdf:?}");
    }
}

#[test]
fn pdf_and_docx_have_the_same_paragraphs_in_the_same_order() {
    let mut doc = fixture();
    doc.sections.retain(|s| s.code != "area_of_excellence"); // a draft gap shows in both
    let xml = docx_part(&render_docx(&doc).unwrap(), "word/document.xml");
    // Letters only: the PDF hyphenates at line ends ("cydwei-" / "thio"), Word decides its own.
    let letters = |s: &str| s.chars().filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{2010}' | '\u{ad}')).collect::<String>();
    let text = letters(&pdf_text(&save("agree-paragraphs.pdf", &render_pdf(&doc).unwrap())));
    let mut from = 0;
    let paras = docx_paragraphs(&xml);
    let body = paras.iter().skip_while(|(s, t)| !(s.as_deref() == Some("Heading1") && t == "Context and character of the school"));
    let mut seen = 0;
    for (_, t) in body {
        let t = letters(t);
        let at = text[from..].find(&t).unwrap_or_else(|| panic!("{t:?} (from the DOCX) missing or out of order in the PDF"));
        from += at + t.len();
        seen += 1;
    }
    assert!(seen > 20, "{seen} paragraphs compared");
    assert!(text.contains("Notyetwritten."));
}
