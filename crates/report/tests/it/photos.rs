//! A photo chosen for the report (issue 19) is in both files: the picture itself, at the size
//! worked out once, under its section, with its caption; and the same report still gives the
//! same bytes.

use crate::support::*;
use qar_report::fixtures::{fixture, photo_fixture};
use qar_report::{render_docx, render_pdf, ReportError};
use std::io::Read;

#[test]
fn the_pdf_shows_the_photo_under_its_section_with_its_caption() {
    let doc = photo_fixture();
    let pdf = render_pdf(&doc).unwrap();
    let path = save("photo.pdf", &pdf);
    // pdfimages lists every picture drawn: exactly the one photo, at its own pixel size.
    let list = poppler("pdfimages", &["-list", path.to_str().unwrap()]);
    let images: Vec<&str> = list.lines().skip(2).filter(|l| l.contains(" image ")).collect();
    assert_eq!(images.len(), 1, "{list}");
    let cols: Vec<&str> = images[0].split_whitespace().collect();
    assert_eq!((cols[3], cols[4]), ("640", "400"), "{list}");

    let text = pdf_text(&path);
    let caption = squash(&doc.photos[0].caption);
    let aoe = text.find("Bilingual reading").expect("the section's text");
    let at = text.find(&caption).unwrap_or_else(|| panic!("the caption {caption:?} in {text}"));
    assert!(at > aoe, "the caption follows the section's text");
    assert!(at < text.find("Support from the Challenge Partners network").unwrap(), "and comes before the next section");

    // A report without photos draws none.
    let plain = save("no-photo.pdf", &render_pdf(&fixture()).unwrap());
    assert_eq!(poppler("pdfimages", &["-list", plain.to_str().unwrap()]).lines().count(), 2);
}

#[test]
fn the_word_file_carries_the_photos_own_bytes_and_its_caption() {
    let doc = photo_fixture();
    let bytes = render_docx(&doc).unwrap();
    save("photo.docx", &bytes);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut media = Vec::new();
    zip.by_name("word/media/rIdPhoto1.png").expect("the photo in word/media").read_to_end(&mut media).unwrap();
    assert_eq!(media, doc.photos[0].bytes, "the photo is kept as it was cleaned, never re-encoded");
    let xml = docx_part(&bytes, "word/document.xml");
    assert!(xml.contains(r#"r:embed="rIdPhoto1""#), "the picture is drawn in the body");
    // 160 mm wide (the text width), 100 mm tall for a 640×400 photo: in EMU.
    assert!(xml.contains(r#"<wp:extent cx="5760000" cy="3600000" />"#), "printed size");
    let rels = docx_part(&bytes, "word/_rels/document.xml.rels");
    assert!(rels.contains(r#"Id="rIdPhoto1""#) && rels.contains("media/rIdPhoto1.png"), "{rels}");
    let paras = docx_paragraphs(&xml);
    let texts: Vec<&str> = paras.iter().map(|(_, t)| t.as_str()).collect();
    let caption = texts.iter().position(|t| *t == doc.photos[0].caption).expect("the caption paragraph");
    assert!(texts[caption - 2].starts_with("Bilingual reading"), "text, picture, caption: {:?}", &texts[caption - 3..=caption]);
}

#[test]
fn the_same_report_with_photos_gives_the_same_bytes() {
    let doc = photo_fixture();
    assert_eq!(render_pdf(&doc).unwrap(), render_pdf(&doc).unwrap());
    assert_eq!(render_docx(&doc).unwrap(), render_docx(&doc).unwrap());
}

#[test]
fn a_photo_whose_bytes_are_missing_is_refused_by_name() {
    let mut doc = photo_fixture();
    doc.photos[0].bytes.clear();
    for result in [render_pdf(&doc), render_docx(&doc)] {
        let Err(ReportError::Photo(message)) = result else { panic!("refused as a missing photo") };
        assert!(message.contains("Year 4 reading corner"), "{message}");
    }
}
