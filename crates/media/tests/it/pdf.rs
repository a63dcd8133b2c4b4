//! PDFs are kept byte for byte once checked; active content and damage are refused.
use std::io::Write;

use crate::common::*;

/// A small but well-formed one-page PDF with `catalog_extra` added to its catalogue and
/// `extra_objects` appended (each "N 0 obj … endobj").
fn pdf(catalog_extra: &str, extra_objects: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
    out.extend_from_slice(format!("1 0 obj\n<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>\nendobj\n").as_bytes());
    out.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
    out.extend_from_slice(b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n");
    out.extend_from_slice(extra_objects);
    out.extend_from_slice(b"trailer\n<< /Root 1 0 R >>\n%%EOF\n");
    out
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn a_plain_pdf_is_kept_byte_for_byte() {
    let bytes = pdf("", b"");
    let safe = make_safe(&bytes, "Timetable.pdf", &Options::default(), false).unwrap();
    assert!(safe.thumbnail.is_none(), "a document has no thumbnail: its list tile is an icon");
    assert_eq!(safe.mime, Mime::Pdf);
    assert_eq!(safe.bytes, bytes);
    assert!(!safe.may_show_face);
}

#[test]
fn a_pdf_with_a_script_is_refused_however_the_name_is_written() {
    for action in [
        "/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>",
        "/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>",
        "/OpenAction << /S /Launch /F (cmd.exe) >>",
        "/Names << /EmbeddedFiles 4 0 R >>",
    ] {
        let refused = make_safe(&pdf(action, b""), "SEF.pdf", &Options::default(), false).unwrap_err();
        assert!(matches!(refused, MediaError::ActiveContent { .. }), "{action}: {refused}");
    }
}

#[test]
fn a_script_hidden_in_a_compressed_object_stream_is_found() {
    let hidden = deflate(b"5 0 << /S /JavaScript /JS (app.launchURL\\('x'\\)) >>");
    let mut object =
        format!("4 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {} >>\nstream\n", hidden.len()).into_bytes();
    object.extend_from_slice(&hidden);
    object.extend_from_slice(b"\nendstream\nendobj\n");
    let bytes = pdf("", &object);
    let refused = make_safe(&bytes, "data summary.pdf", &Options::default(), false).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "“data summary.pdf” contains a script, which QAR Field does not keep. Print it to a new PDF (Print → Save as PDF) and attach that copy."
    );

    // The same stream without the script passes: compressed page content is fine.
    let content = deflate(b"BT /F1 12 Tf 72 712 Td (Year 6 writing) Tj ET");
    let mut object = format!("4 0 obj\n<< /Filter /FlateDecode /Length {} >>\nstream\n", content.len()).into_bytes();
    object.extend_from_slice(&content);
    object.extend_from_slice(b"\nendstream\nendobj\n");
    assert!(make_safe(&pdf("", &object), "ok.pdf", &Options::default(), false).is_ok());
}

#[test]
fn a_pdf_cut_short_is_a_damaged_file() {
    let whole = pdf("", b"");
    let refused = make_safe(&whole[..whole.len() - 20], "SEF.pdf", &Options::default(), false).unwrap_err();
    assert!(matches!(refused, MediaError::Damaged { .. }), "{refused}");
}
