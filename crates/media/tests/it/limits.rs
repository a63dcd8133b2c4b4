//! Files too large, bombs and damaged files are refused with a clear error, before decoding.
use std::time::{Duration, Instant};

use crate::common::*;

/// A 20,000 × 20,000 PNG (400 megapixels) of one colour: well under 1 MB on disk, 400 MB
/// once decoded. Written row by row so the test itself never holds the pixels.
fn png_bomb() -> Vec<u8> {
    let side = 20_000u32;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().unwrap();
    let mut stream = writer.stream_writer().unwrap();
    let row = vec![0u8; (side as usize).div_ceil(8)];
    for _ in 0..side {
        std::io::Write::write_all(&mut stream, &row).unwrap();
    }
    stream.finish().unwrap();
    writer.finish().unwrap();
    out
}

#[test]
fn a_decompression_bomb_is_refused_from_its_header() {
    let bomb = png_bomb();
    assert!(bomb.len() < 1_000_000, "the bomb is small on disk: {} bytes", bomb.len());
    let started = Instant::now();
    let refused = make_safe(&bomb, "innocent.png", &Options::default(), false).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(&refused, MediaError::TooLarge { detail, .. } if detail.contains("20000 × 20000 pixels")), "{refused}");
    // Decoding 400 MP would take many seconds and 400 MB; refusing from the header takes
    // microseconds. The bound is loose for a busy machine.
    assert!(took < Duration::from_secs(2), "refusing took {took:?}");
    assert_eq!(
        refused.to_string(),
        "“innocent.png” is too large: it is 20000 × 20000 pixels; photos can be up to 12000 pixels on a side and 50 megapixels."
    );
}

#[test]
fn a_jpeg_claiming_huge_dimensions_is_refused_before_decoding() {
    let mut bytes = jpeg(&marked_picture(64, 48), 80);
    // The baseline frame header (SOF0: FF C0, length, precision, height, width) rewritten to 60,000 × 60,000.
    let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).expect("a baseline JPEG has SOF0");
    bytes[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
    let refused = make_safe(&bytes, "photo.jpg", &Options::default(), false).unwrap_err();
    assert!(matches!(refused, MediaError::TooLarge { .. }), "{refused}");
}

#[test]
fn the_decoder_memory_limit_holds_below_the_dimension_limits() {
    let bytes = jpeg(&marked_picture(1000, 1000), 80);
    let mut options = Options::default();
    options.limits.max_decode_alloc = 1_000_000; // 3 MB of RGB pixels needed
    let refused = make_safe(&bytes, "photo.jpg", &options, false).unwrap_err();
    assert!(matches!(&refused, MediaError::TooLarge { detail, .. } if detail.contains("more memory")), "{refused}");
}

#[test]
fn a_file_over_the_size_limit_is_refused_with_both_sizes_before_decoding() {
    // Only the first bytes say JPEG: the size alone refuses it, nothing is decoded.
    let mut photo = vec![0u8; 41_500_000];
    photo[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    let refused = make_safe(&photo, "IMG_0001.JPG", &Options::default(), false).unwrap_err();
    assert_eq!(refused.to_string(), "“IMG_0001.JPG” is too large: the file is 41.5 MB; photos can be up to 40 MB.");

    let mut document = vec![b' '; 26_000_000];
    document[..5].copy_from_slice(b"%PDF-");
    let refused = make_safe(&document, "SEF 2026.pdf", &Options::default(), false).unwrap_err();
    assert_eq!(refused.to_string(), "“SEF 2026.pdf” is too large: the file is 26 MB; documents can be up to 25 MB.");
}

#[test]
fn a_truncated_jpeg_is_a_damaged_file() {
    let whole = jpeg(&marked_picture(640, 480), 90);
    assert!(make_safe(&whole, "IMG_1.jpg", &Options::default(), false).is_ok());
    let cut = &whole[..whole.len() / 2];
    let refused = make_safe(cut, "IMG_1.jpg", &Options::default(), false).unwrap_err();
    assert!(matches!(refused, MediaError::Damaged { .. }), "{refused}");
    assert!(refused.to_string().starts_with("“IMG_1.jpg” looks damaged and can't be read"), "{refused}");
}

#[test]
fn a_progressive_jpeg_with_restart_markers_is_whole_and_its_first_scans_alone_are_damaged() {
    let whole = fixture("progressive.jpg");
    let safe = make_safe(&whole, "edited.jpg", &Options::default(), false).unwrap();
    assert_eq!(safe.dimensions, Some((160, 160)));
    // The first scans of a progressive JPEG decode to a blurry picture: still a cut file.
    let cut = &whole[..whole.len() * 2 / 3];
    let refused = make_safe(cut, "edited.jpg", &Options::default(), false).unwrap_err();
    assert!(matches!(refused, MediaError::Damaged { .. }), "{refused}");
}

#[test]
fn data_after_the_end_of_a_jpeg_is_allowed_as_phones_write_it() {
    // Some phones append their own blocks after the end-of-image marker.
    let mut bytes = jpeg(&marked_picture(64, 48), 80);
    bytes.extend_from_slice(b"SEFHtrailer written by a phone\0\0\0\0");
    let safe = make_safe(&bytes, "IMG_2.jpg", &Options::default(), false).unwrap();
    assert_eq!(safe.dimensions, Some((64, 48)));
}

#[test]
fn a_truncated_png_is_a_damaged_file() {
    let whole = png(&DynamicImage::ImageRgb8(marked_picture(300, 200)));
    let cut = &whole[..whole.len() * 2 / 3];
    let refused = make_safe(cut, "scan.png", &Options::default(), false).unwrap_err();
    assert!(matches!(refused, MediaError::Damaged { .. }), "{refused}");
}
