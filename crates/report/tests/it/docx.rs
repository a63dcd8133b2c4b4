//! The DOCX read back as Word would: a zip whose document.xml holds styled headings, the
//! estimates and the text exactly as typed, and whose styles.xml defines those styles.

use crate::support::*;
use qar_report::docx::{HEADING1, HEADING2};
use qar_report::fixtures::{approved_fixture, fixture, issued_fixture};
use qar_report::{render_docx, Block};

#[test]
fn docx_is_a_zip_with_styled_headings_estimates_and_non_ascii_intact() {
    let doc = fixture();
    let bytes = render_docx(&doc).unwrap();
    save("draft.docx", &bytes);
    let xml = docx_part(&bytes, "word/document.xml");
    let paras = docx_paragraphs(&xml);

    // Headings: exactly the shared blocks' headings, in order, each with its real style.
    let headings: Vec<(String, String)> =
        paras.iter().filter_map(|(s, t)| s.as_ref().filter(|s| s.starts_with("Heading")).map(|s| (s.clone(), t.clone()))).collect();
    let mut expected = vec![(HEADING1.to_owned(), "Estimates".to_owned())];
    for b in doc.body_blocks() {
        match b {
            Block::Heading1(t) => expected.push((HEADING1.into(), t.into())),
            Block::Heading2(t) => expected.push((HEADING2.into(), t.into())),
            _ => {}
        }
    }
    assert_eq!(headings, expected);

    let all: String = paras.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join("\n");
    for e in &doc.estimates {
        for s in [&e.area_label, &e.value_label, &e.rationale] {
            assert!(all.contains(s.as_str()), "estimate cell {s:?}");
        }
    }
    for s in &doc.sections {
        for p in qar_report::blocks::paragraphs(&s.body) {
            assert!(all.contains(p), "section {} paragraph {p:?}", s.code);
        }
    }
    for needle in [
        "Siân Prȳs-Jones",
        "Ysgol Gymraeg Llanfair — Cymraeg",
        "‘reading for pleasure’",
        "“independent learner”",
        "“ŵ ŷ”",
        "Zoë O’Connor, Reviewer",
        "Renée Okafor-Björk, Shadow Reviewer",
        "999123",
        "Tuesday 4, Wednesday 5 and Thursday 6 March 2025",
    ] {
        assert!(all.contains(needle), "{needle} intact in document.xml");
    }
}

#[test]
fn docx_styles_define_the_heading_styles_with_outline_levels() {
    let styles = docx_part(&render_docx(&fixture()).unwrap(), "word/styles.xml");
    for (id, name, level) in [(HEADING1, "heading 1", 0), (HEADING2, "heading 2", 1)] {
        let at = styles.find(&format!(r#"w:styleId="{id}""#)).unwrap_or_else(|| panic!("{id} defined"));
        let def = &styles[at..at + styles[at..].find("</w:style>").unwrap()];
        assert!(def.contains(&format!(r#"<w:name w:val="{name}""#)), "{id} is Word's built-in '{name}': {def}");
        assert!(def.contains(&format!(r#"<w:outlineLvl w:val="{level}""#)), "{id} outline level {level}: {def}");
    }
}

#[test]
fn docx_draft_says_draft_in_the_header_and_approved_says_who_and_which_content() {
    let draft = render_docx(&fixture()).unwrap();
    assert!(docx_headers(&draft).contains("DRAFT — not approved"));
    assert!(docx_part(&draft, "word/document.xml").contains("DRAFT — not approved"));

    let approved = render_docx(&approved_fixture()).unwrap();
    let hash = qar_report::fixtures::fixture_short_hash();
    save("approved.docx", &approved);
    let (h, body) = (docx_headers(&approved), docx_part(&approved, "word/document.xml"));
    assert!(!h.contains("DRAFT") && !body.contains("DRAFT"));
    assert!(h.contains(&hash), "short hash on every page: {h}");
    assert!(body.contains(&format!("Approved by Gwen Ellis on Friday 14 March 2025 · content hash {hash}")));

    let issued = render_docx(&issued_fixture()).unwrap();
    assert!(docx_headers(&issued).contains("Version 2"));
    assert!(docx_part(&issued, "word/document.xml").contains("Issued as version 2 on Monday 24 March 2025"));
}

#[test]
fn docx_keeps_typst_and_xml_syntax_as_text() {
    let mut doc = fixture();
    doc.sections[0].body = "#set page(width: 5cm) <w:p> & \"q\" $x$ \\ back".into();
    let xml = docx_part(&render_docx(&doc).unwrap(), "word/document.xml");
    let all: Vec<String> = docx_paragraphs(&xml).into_iter().map(|(_, t)| t).collect();
    assert!(all.iter().any(|t| t == "#set page(width: 5cm) <w:p> & \"q\" $x$ \\ back"), "{all:?}");
}
