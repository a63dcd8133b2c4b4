//! The PDF read back with poppler (`pdftotext`, `pdfinfo`, `pdftoppm`; `./x` installs
//! poppler-utils), so these check what a reader actually sees.

use crate::support::*;
use qar_report::fixtures::{approved_fixture, fixture, fixture_short_hash, issued_fixture, long_fixture};
use qar_report::{render_pdf, Block};

#[test]
fn pdf_text_has_every_heading_estimate_school_urn_and_non_ascii_string() {
    let doc = fixture();
    let path = save("draft.pdf", &render_pdf(&doc).unwrap());
    let text = pdf_text(&path);
    let mut needles: Vec<String> = vec![
        doc.template.title.clone(),
        doc.school_name.clone(),
        format!("URN {}", doc.school_urn),
        "Review dates Tuesday 4, Wednesday 5 and Thursday 6 March 2025".into(),
        "Lead Reviewer Siân Prȳs-Jones".into(),
        "Estimates".into(),
    ];
    for b in doc.body_blocks() {
        if let Block::Heading1(t) | Block::Heading2(t) = b {
            needles.push(t.to_owned());
        }
    }
    for e in &doc.estimates {
        needles.extend([e.area_label.clone(), e.value_label.clone(), e.rationale.clone()]);
    }
    needles.extend(
        [
            "Ysgol Gymraeg Llanfair — Cymraeg",
            "Siân Prȳs-Jones, Lead Reviewer",
            "Dafydd ap Gwŷn, Reviewer",
            "Zoë O’Connor, Reviewer",
            "Renée Okafor-Björk, Shadow Reviewer",
            "‘reading for pleasure’",
            "“independent learner”",
            "“ŵ ŷ”",
            "Gwenllïan Hughes",
        ]
        .map(String::from),
    );
    for n in needles {
        assert!(text.contains(&squash(&n)), "{n:?} missing from the PDF text:\n{text}");
    }
    // Sections in template order.
    let mut last = 0;
    for s in &doc.sections {
        let start: String = squash(&s.body).chars().take(40).collect();
        let at = text.find(&start).unwrap_or_else(|| panic!("{} body in the PDF", s.code));
        assert!(at > last, "{} after the section before it", s.code);
        last = at;
    }
}

#[test]
fn pdf_draft_is_marked_on_every_page_header_and_watermark() {
    let path = save("draft-long.pdf", &render_pdf(&long_fixture(3000)).unwrap());
    let pages = page_count(&path);
    assert!(pages >= 5, "3,000 words make several pages, got {pages}");
    for p in 1..=pages {
        let t = page_text_no_spaces(&path, p);
        assert!(t.starts_with("DRAFTnotapproved"), "page {p}: the diagonal watermark (drawn first): {t:.80}");
        assert!(t.contains("DRAFT—notapproved"), "page {p}: the header line");
    }
}

#[test]
fn pdf_approved_and_issued_carry_no_draft_mark_and_say_who_when_and_which_content() {
    let hash = fixture_short_hash();
    let path = save("approved.pdf", &render_pdf(&approved_fixture()).unwrap());
    let text = pdf_text(&path);
    assert!(!text.contains("DRAFT") && !page_text_no_spaces(&path, 1).contains("notapproved"), "{text}");
    assert!(text.contains(&format!("Approved by Gwen Ellis on Friday 14 March 2025 · content hash {hash}")), "{text}");
    for p in 1..=page_count(&path) {
        assert!(page_text_no_spaces(&path, p).contains(&hash), "short hash in the header of page {p}");
    }

    let path = save("issued.pdf", &render_pdf(&issued_fixture()).unwrap());
    let text = pdf_text(&path);
    assert!(!text.contains("DRAFT"));
    assert!(text.contains("Issued as version 2 on Monday 24 March 2025 · approved by Gwen Ellis"), "{text}");
    assert!(text.contains(&format!("Version 2 · issued Monday 24 March 2025 · {hash}")), "header: {text}");
}

#[test]
fn pdf_is_a4_tagged_with_embedded_fonts_page_numbers_and_an_outline() {
    let bytes = render_pdf(&long_fixture(3000)).unwrap();
    let path = save("long.pdf", &bytes);
    let info = pdf_info(&path);
    assert!(info.contains("(A4)"), "A4: {info}");
    assert!(info.contains("Tagged:          yes"), "tagged PDF: {info}");
    assert!(info.contains("Title:           Quality Assurance Review: written report — Ysgol Gymraeg Llanfair — Cymraeg"));
    let fonts = poppler("pdffonts", &[path.to_str().unwrap()]);
    let font_rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!font_rows.is_empty());
    for row in font_rows {
        // Columns: name type encoding emb sub uni object-id.
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[cols.len() - 5], "yes", "font embedded: {row}");
    }
    let pages = page_count(&path);
    let text = pdf_text(&path);
    for p in 1..=pages {
        assert!(text.contains(&format!("Page {p} of {pages}")), "footer of page {p}");
    }
    let raw = String::from_utf8_lossy(&bytes);
    assert!(raw.contains("/Outlines"), "headings become PDF bookmarks");
    assert!(raw.contains("/StructTreeRoot"), "tag tree");
}

#[test]
fn pdf_user_text_that_looks_like_typst_comes_out_literally() {
    let mut doc = fixture();
    let tricky = [
        "#set page(width: 5cm)",
        "#pagebreak()",
        "$x^2$ costs $5",
        "*not bold* and _not italic_",
        "= not a heading",
        "<label> and @ref",
        r"C:\Users\siân\notes and \\ two \n",
        r#"a "quoted" word and a ] bracket ) paren } brace"#,
        "// not a comment /* nor this */",
        "``` not raw ```",
        "#{ panic(\"boom\") }",
    ];
    doc.sections[1].body = tricky.join("\n\n");
    doc.school_name = "#strong[School] $y$ {school}".into();
    doc.estimates[0].rationale = "#text(size: 40pt)[big]".into();
    let path = save("tricky.pdf", &render_pdf(&doc).unwrap());
    let text = pdf_text(&path);
    for t in tricky.iter().chain(&["#strong[School] $y$ {school}", "#text(size: 40pt)[big]"]) {
        assert!(text.contains(&squash(t)), "{t:?} not literal in:\n{text}");
    }
    assert!(pdf_info(&path).contains("(A4)"), "page size untouched by the body");
    assert_eq!(page_count(&path), page_count(&save("plain.pdf", &render_pdf(&fixture()).unwrap())), "no page break added");
}

#[test]
fn pdf_pages_1_and_2_render_to_png_for_a_look() {
    for (name, doc) in [("draft", fixture()), ("approved", approved_fixture())] {
        let path = save(&format!("{name}-for-png.pdf"), &render_pdf(&doc).unwrap());
        let prefix = artifacts().join(format!("{name}-page"));
        poppler("pdftoppm", &["-r", "60", "-png", "-f", "1", "-l", "2", path.to_str().unwrap(), prefix.to_str().unwrap()]);
        for page in 1..=2 {
            let png = artifacts().join(format!("{name}-page-{page}.png"));
            let bytes = std::fs::read(&png).unwrap_or_else(|_| panic!("{} written", png.display()));
            assert!(bytes.starts_with(b"\x89PNG"), "{} is a PNG", png.display());
        }
    }
}

#[test]
fn invalid_models_are_refused_before_rendering() {
    let mut doc = fixture();
    doc.visit_days.push("next Tuesday".into());
    assert!(matches!(render_pdf(&doc), Err(qar_report::ReportError::VisitDay(_))));
    assert!(matches!(qar_report::render_docx(&doc), Err(qar_report::ReportError::VisitDay(_))));
}

#[test]
fn pdf_long_unbroken_text_stays_inside_the_page() {
    let mut doc = fixture();
    let long = "x".repeat(120);
    doc.sections[0].body = format!("See https://example.org/{long}/evidence.pdf and {long}.");
    doc.estimates[0].rationale = format!("Hash {long}");
    let path = save("long-words.pdf", &render_pdf(&doc).unwrap());
    let bbox = poppler("pdftotext", &["-bbox", "-enc", "UTF-8", path.to_str().unwrap(), "-"]);
    let right_margin = 595.276 - 2.5 / 2.54 * 72.0;
    let mut words = 0;
    for line in bbox.lines().filter(|l| l.trim_start().starts_with("<word ")) {
        let x_max: f64 = line.split("xMax=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().parse().unwrap();
        // A few points of slack: Typst hangs line-end hyphens and punctuation into the margin.
        assert!(x_max <= right_margin + 6.0, "past the right margin ({x_max:.1} > {right_margin:.1}): {line}");
        words += 1;
    }
    assert!(words > 100);
    let text: String = pdf_text(&path).chars().filter(|c| !c.is_whitespace() && *c != '\u{200B}').collect();
    assert!(text.contains(&long), "the long run is all there, only wrapped");
}
