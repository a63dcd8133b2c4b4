//! The face check finds a real face, not a page of text; the blur leaves nothing to find.
use crate::common::*;

fn photo(prepared: Prepared) -> qar_media::PreparedPhoto {
    match prepared {
        Prepared::Photo(photo) => photo,
        Prepared::Document(_) => panic!("a photo was taken for a document"),
    }
}

#[test]
fn the_astronaut_photo_triggers_the_face_warning() {
    let prepared = prepare(&fixture("astronaut.jpg"), "astronaut.jpg", &Options::default()).unwrap();
    assert!(prepared.may_show_face());
    let photo = photo(prepared);
    let face = photo.faces()[0];
    // The face is in the upper middle of the picture (about x 140–230, y 30–150 at 320 px).
    let centre = (face.x + face.width / 2, face.y + face.height / 2);
    assert!((120..260).contains(&centre.0) && (20..170).contains(&centre.1), "face at {face:?}");
    let safe = photo.finish().unwrap();
    assert!(safe.may_show_face);
    assert!(!safe.faces_blurred);
}

#[test]
fn a_page_of_text_does_not() {
    let prepared = prepare(&fixture("text_page.png"), "page.png", &Options::default()).unwrap();
    assert!(!prepared.may_show_face());
    let safe = prepared.finish().unwrap();
    assert!(!safe.may_show_face);
}

#[test]
fn a_blurred_face_can_no_longer_be_found_and_the_rest_of_the_photo_is_untouched() {
    let original = fixture("astronaut.jpg");
    let safe = make_safe(&original, "astronaut.jpg", &Options::default(), true).unwrap();
    assert!(safe.may_show_face, "the yes/no is kept: the photo did show a face");
    assert!(safe.faces_blurred);

    let again = prepare(&safe.bytes, "blurred.jpg", &Options::default()).unwrap();
    assert!(!again.may_show_face(), "the detector still finds a face after blurring");

    // Outside the blurred areas the picture is the same (within JPEG's small changes).
    let before = decode(&make_safe(&original, "a.jpg", &Options::default(), false).unwrap().bytes);
    let after = decode(&safe.bytes);
    for (x, y) in [(10, 310), (300, 300), (20, 250), (300, 200)] {
        let (a, b) = (before.get_pixel(x, y).0, after.get_pixel(x, y).0);
        let diff: i32 = (0..3).map(|i| (i32::from(a[i]) - i32::from(b[i])).abs()).sum();
        assert!(diff < 30, "pixel {x},{y} changed from {a:?} to {b:?}");
    }
    // Inside, the face's detail is gone: the average step between neighbouring pixels (edges of
    // eyes, mouth, nose) over the face box is a small fraction of what it was.
    let face = photo(prepare(&original, "a.jpg", &Options::default()).unwrap()).faces()[0];
    let detail = |img: &DynamicImage| {
        let grey = img.to_luma8();
        let mut total = 0.0;
        let mut count = 0.0;
        for y in face.y..face.y + face.height - 1 {
            for x in face.x..face.x + face.width - 1 {
                let here = f64::from(grey.get_pixel(x, y).0[0]);
                total += (here - f64::from(grey.get_pixel(x + 1, y).0[0])).abs();
                total += (here - f64::from(grey.get_pixel(x, y + 1).0[0])).abs();
                count += 2.0;
            }
        }
        total / count
    };
    let (sharp, blurred) = (detail(&before), detail(&after));
    assert!(blurred < sharp / 5.0, "detail over the face {sharp:.2} → {blurred:.2}");
}

#[test]
fn a_document_never_shows_a_face() {
    let pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
    let prepared = prepare(pdf, "doc.pdf", &Options::default()).unwrap();
    assert!(!prepared.may_show_face());
}
