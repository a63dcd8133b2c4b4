use qar_report::docx::render_docx;
use qar_report::fixtures::{approved_fixture, fixture};
use std::io::Read;

fn part(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a valid zip");
    let mut s = String::new();
    z.by_name(name).unwrap_or_else(|_| panic!("{name} in the docx")).read_to_string(&mut s).unwrap();
    s
}

fn all_headers(bytes: &[u8]) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let names: Vec<String> = z.file_names().filter(|n| n.starts_with("word/header")).map(str::to_owned).collect();
    let mut all = String::new();
    for n in names {
        z.by_name(&n).unwrap().read_to_string(&mut all).unwrap();
    }
    all
}

/// XML text escapes only touch & < > " '; none of our non-ASCII text is escaped.
fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[test]
fn docx_is_a_zip_with_styled_headings_estimates_and_non_ascii() {
    let doc = fixture();
    let bytes = render_docx(&doc).unwrap();
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-artifacts/report");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("draft.docx"), &bytes).unwrap();
    let body = part(&bytes, "word/document.xml");
    assert!(body.contains(r#"<w:pStyle w:val="Heading1" />"#) || body.contains(r#"<w:pStyle w:val="Heading1"/>"#), "Heading1 used");
    assert!(body.contains(r#"w:val="Heading2""#), "Heading2 used");
    for e in &doc.estimates {
        assert!(body.contains(&xml(&e.area_label)), "area {}", e.area_label);
        assert!(body.contains(&xml(&e.value_label)), "value {}", e.value_label);
    }
    for s in &doc.sections {
        assert!(body.contains(&xml(&s.title)), "section title {}", s.title);
    }
    for needle in ["Siân Prȳs-Jones", "Ysgol Gymraeg Llanfair — Cymraeg", "‘reading for pleasure’", "“independent learner”", "ŵ and ŷ", "999123"] {
        assert!(body.contains(needle), "{needle} intact");
    }
    // Sections in template order.
    let mut last = 0;
    for s in doc.sections.iter().filter(|s| !s.body.is_empty()) {
        let first_words: String = s.body.chars().take(30).collect();
        let at = body.find(&xml(&first_words)).unwrap_or_else(|| panic!("{} body", s.code));
        assert!(at > last, "{} in order", s.code);
        last = at;
    }
}

#[test]
fn docx_styles_define_the_heading_styles() {
    let styles = part(&render_docx(&fixture()).unwrap(), "word/styles.xml");
    assert!(styles.contains(r#"w:styleId="Heading1""#));
    assert!(styles.contains(r#"w:styleId="Heading2""#));
    assert!(styles.contains(r#"w:val="heading 1""#));
}

#[test]
fn docx_draft_header_says_draft_and_approved_says_who() {
    let draft = all_headers(&render_docx(&fixture()).unwrap());
    assert!(draft.contains("DRAFT — not approved"), "{draft}");
    let approved = render_docx(&approved_fixture()).unwrap();
    let h = all_headers(&approved);
    assert!(!h.contains("DRAFT"));
    assert!(h.contains("Approved by Gwen Ellis on 14 March 2025"));
    assert!(!part(&approved, "word/document.xml").contains("DRAFT"));
}
