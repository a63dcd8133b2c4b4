//! Shared by the integration tests: where artifacts go, poppler, and reading a DOCX back.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `<repo>/test-artifacts/report/` (git-ignored): PDFs, DOCX and page images to look at.
pub fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-artifacts/report");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn save(name: &str, bytes: &[u8]) -> PathBuf {
    let p = artifacts().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Runs a poppler tool; its absence is a failure with the fix, never a skip.
pub fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("`{tool}` could not run ({e}). Install poppler-utils (`apt-get install -y poppler-utils`; ./x does it).")
    });
    assert!(out.status.success(), "{tool} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    // Lossy: poppler 22 prints some UTF-16 strings (tag titles) raw.
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whitespace runs made one space, so text wrapped across lines still matches.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The PDF's text in content order (`-raw`), squashed.
pub fn pdf_text(pdf: &Path) -> String {
    squash(&poppler("pdftotext", &["-raw", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"]))
}

/// One page's text in content order with every whitespace removed: rotated text (the draft
/// watermark) comes out one glyph per line, so this is how it can be read back.
pub fn page_text_no_spaces(pdf: &Path, page: usize) -> String {
    let p = page.to_string();
    let t = poppler("pdftotext", &["-raw", "-enc", "UTF-8", "-f", &p, "-l", &p, pdf.to_str().unwrap(), "-"]);
    t.chars().filter(|c| !c.is_whitespace()).collect()
}

pub fn pdf_info(pdf: &Path) -> String {
    poppler("pdfinfo", &[pdf.to_str().unwrap()])
}

pub fn page_count(pdf: &Path) -> usize {
    pdf_info(pdf).lines().find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap())).unwrap()
}

/// A part of a DOCX (a zip) as text; panics if the file is not a zip or lacks the part.
pub fn docx_part(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("the DOCX is a valid zip");
    let mut s = String::new();
    z.by_name(name).unwrap_or_else(|_| panic!("{name} in the DOCX")).read_to_string(&mut s).unwrap();
    s
}

/// Every `word/header*.xml` concatenated.
pub fn docx_headers(bytes: &[u8]) -> String {
    let z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let names: Vec<String> = z.file_names().filter(|n| n.starts_with("word/header")).map(str::to_owned).collect();
    assert!(!names.is_empty(), "the DOCX has a page header");
    names.iter().map(|n| docx_part(bytes, n)).collect()
}

/// Byte offsets just past each `<{tag}` start tag (`<w:p>` or `<w:p …>`, not `<w:pPr>`).
fn starts(xml: &str, tag: &str) -> Vec<usize> {
    let open = format!("<{tag}");
    xml.match_indices(&open).map(|(i, _)| i + open.len()).filter(|&i| matches!(xml.as_bytes().get(i), Some(b' ' | b'>'))).collect()
}

/// The paragraphs of `word/document.xml` in document order as (style id, text), entities
/// decoded. Enough of a reader for what docx-rs writes: `<w:pStyle w:val="…"/>`, `<w:t …>…</w:t>`.
pub fn docx_paragraphs(document_xml: &str) -> Vec<(Option<String>, String)> {
    starts(document_xml, "w:p")
        .into_iter()
        .map(|at| {
            let p = &document_xml[at..];
            let p = &p[..p.find("</w:p>").unwrap_or(p.len())];
            let style = p.split("<w:pStyle w:val=\"").nth(1).and_then(|s| s.split('"').next()).map(str::to_owned);
            let mut text = String::new();
            for t in starts(p, "w:t") {
                let run = &p[t..];
                if let Some((_, rest)) = run.split_once('>') {
                    text.push_str(&rest[..rest.find("</w:t>").unwrap_or(0)]);
                }
            }
            (style, unxml(&text))
        })
        .collect()
}

pub fn unxml(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}
