//! The type comes from the bytes, never the name; what can't be taken says what it is.
use crate::common::*;

#[test]
fn a_png_named_jpg_is_treated_as_the_png_it_is() {
    let mut picture = image::RgbaImage::from_pixel(40, 30, image::Rgba([0, 0, 0, 255]));
    picture.put_pixel(0, 0, image::Rgba([0, 0, 0, 10]));
    let safe = make_safe(&png(&DynamicImage::ImageRgba8(picture)), "photo.jpg", &Options::default(), false).unwrap();
    assert_eq!(safe.mime, Mime::Png);
}

#[test]
fn a_program_named_pdf_or_jpg_is_refused_as_unsupported() {
    for name in ["timetable.pdf", "photo.jpg"] {
        let refused = make_safe(b"#!/bin/sh\nrm -rf ~\n", name, &Options::default(), false).unwrap_err();
        assert!(matches!(refused, MediaError::Unsupported { .. }), "{refused}");
        assert!(refused.to_string().contains("QAR Field can attach photos as JPEG or PNG and documents as PDF"));
    }
}

#[test]
fn other_formats_are_named_in_the_refusal() {
    let cases: [(&[u8], &str); 4] = [
        (b"GIF89a\x01\x00\x01\x00", "a GIF image"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "a WebP image"),
        (b"PK\x03\x04\x14\x00\x06\x00", "a Word, Excel or PowerPoint file"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00", "an AVIF image"),
    ];
    for (bytes, found) in cases {
        let refused = make_safe(bytes, "upload", &Options::default(), false).unwrap_err();
        assert!(refused.to_string().contains(found), "{refused}");
    }
}

#[test]
fn an_iphone_heic_names_the_setting_to_change() {
    // The start of an iPhone HEIC: an ftyp box with the heic brand.
    let heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic";
    let refused = make_safe(heic, "IMG_4821.HEIC", &Options::default(), false).unwrap_err();
    assert!(matches!(refused, MediaError::Heic { .. }), "{refused}");
    assert!(refused.to_string().contains("Settings → Camera → Formats → Most Compatible"), "{refused}");
}

#[test]
fn an_empty_file_says_so_and_a_path_is_shown_by_its_last_part() {
    let refused = make_safe(b"", "/home/anika/Desktop/empty.png", &Options::default(), false).unwrap_err();
    assert_eq!(refused.to_string(), "“empty.png” is empty: there is nothing in the file to attach.");
}
