//! The PDF read back with poppler (`pdftotext`, `pdfinfo`, `pdftoppm`; `./x` installs
//! poppler-utils), so these check what a reader would actually see.

use qar_report::fixtures::{approved_fixture, fixture};
use qar_report::pdf::render_pdf;
use std::path::PathBuf;
use std::process::Command;

fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-artifacts/report");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn save(name: &str, bytes: &[u8]) -> PathBuf {
    let p = artifacts().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} not runnable ({e}): install poppler-utils (./x does)"));
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The PDF's text in drawing order with all whitespace runs made one space, so wrapped lines
/// still match.
fn text_of(pdf: &std::path::Path) -> String {
    squash(&poppler("pdftotext", &["-raw", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"]))
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn pdf_text_has_headings_estimates_school_urn_non_ascii_and_draft() {
    let doc = fixture();
    let path = save("draft.pdf", &render_pdf(&doc).unwrap());
    let text = text_of(&path);
    let mut needles: Vec<String> = vec![doc.school_name.clone(), doc.school_urn.clone(), doc.title.clone(), "Estimates".into()];
    for e in &doc.estimates {
        needles.push(e.area_label.clone());
        needles.push(e.value_label.clone());
    }
    for s in &doc.sections {
        needles.push(s.title.clone());
    }
    needles.extend(
        ["Siân Prȳs-Jones", "‘reading for pleasure’", "“independent learner”", "ŵ and ŷ", "Zoë O’Connor", "DRAFT — not approved"]
            .map(String::from),
    );
    for n in needles {
        assert!(text.contains(&squash(&n)), "{n:?} missing from the PDF text:\n{text}");
    }
    // The status line is in the page header, so on every page. (The diagonal watermark is page
    // background, so also on every page, but pdftotext does not extract rotated text: see the
    // PNGs and `pdf::tests::draft_watermark_is_page_background`.)
    let pages: usize = poppler("pdfinfo", &[path.to_str().unwrap()])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap()))
        .unwrap();
    for p in 1..=pages {
        let ps = p.to_string();
        let page = poppler("pdftotext", &["-f", &ps, "-l", &ps, path.to_str().unwrap(), "-"]);
        assert!(page.contains("DRAFT — not approved"), "page {p} of {pages} has the draft line");
    }
}

#[test]
fn pdf_approved_has_no_draft_and_names_the_approver() {
    let path = save("approved.pdf", &render_pdf(&approved_fixture()).unwrap());
    let text = text_of(&path);
    assert!(!text.contains("DRAFT"), "{text}");
    assert!(text.contains("Approved by Gwen Ellis on 14 March 2025"), "{text}");
}

#[test]
fn pdf_is_a4_with_page_numbers_and_an_outline() {
    let bytes = render_pdf(&qar_report::fixtures::long_fixture(3000)).unwrap();
    let path = save("long.pdf", &bytes);
    let info = poppler("pdfinfo", &[path.to_str().unwrap()]);
    assert!(info.contains("595.276 x 841.89") || info.contains("595.28 x 841.89"), "A4: {info}");
    let text = text_of(&path);
    assert!(text.contains("Page 1 of") && text.contains("Page 2 of"), "{text}");
    let raw = String::from_utf8_lossy(&bytes);
    assert!(raw.contains("/Outlines"), "headings become a PDF outline");
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
        r"C:\Users\siân\notes and \\ two",
        r#"a "quoted" word and a ] bracket ) paren"#,
        "// not a comment",
        "``` not raw ```",
    ];
    doc.sections[1].body = tricky.join("\n\n");
    doc.school_name = "#strong[School] $y$".into();
    let path = save("tricky.pdf", &render_pdf(&doc).unwrap());
    let text = text_of(&path);
    for t in tricky.iter().chain([&"#strong[School] $y$"]) {
        assert!(text.contains(&squash(t)), "{t:?} not literal in:\n{text}");
    }
    let info = poppler("pdfinfo", &[path.to_str().unwrap()]);
    assert!(info.contains("841.89"), "page size untouched by the body: {info}");
}

#[test]
fn pdf_pages_1_and_2_render_to_png_for_a_look() {
    let path = save("draft-for-png.pdf", &render_pdf(&fixture()).unwrap());
    let prefix = artifacts().join("draft-page");
    poppler("pdftoppm", &["-r", "60", "-png", "-f", "1", "-l", "2", path.to_str().unwrap(), prefix.to_str().unwrap()]);
    let pngs: Vec<_> = std::fs::read_dir(artifacts())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("draft-page") && e.file_name().to_string_lossy().ends_with(".png"))
        .collect();
    assert!(!pngs.is_empty(), "pdftoppm wrote page images");
}
