//! A phone-like photo full of metadata comes out with none of it, upright.
use crate::common::*;

/// The only groups exiftool may report on a cleaned file: its own bookkeeping, the file system,
/// the JPEG/PNG structure, and values it computes from them.
const STRUCTURE_ONLY: &[&str] = &["ExifTool", "System", "File", "JFIF", "PNG", "Composite"];

/// A 640 × 480 JPEG stored sideways (orientation 6, as phones held upright write), with GPS in
/// both EXIF and XMP, an embedded thumbnail, camera make and model, IPTC and XMP authorship.
fn phone_photo(dir: &std::path::Path) -> std::path::PathBuf {
    let thumb = write(dir, "thumb.jpg", &jpeg(&marked_picture(160, 120), 80));
    let photo = write(dir, "IMG_0042.JPG", &jpeg(&marked_picture(640, 480), 92));
    let thumb_arg = format!("-ThumbnailImage<={}", thumb.display());
    exiftool(
        &[
            "-q",
            "-overwrite_original",
            "-Orientation#=6",
            "-Make=TestMaker",
            "-Model=Test Phone 12",
            "-Software=Camera 1.0",
            "-Artist=A Reviewer",
            "-DateTimeOriginal=2026:03:04 10:11:12",
            "-GPSLatitude=51.5014",
            "-GPSLatitudeRef=N",
            "-GPSLongitude=0.1419",
            "-GPSLongitudeRef=W",
            "-XMP-exif:GPSLatitude=51.5014 N",
            "-XMP-exif:GPSLongitude=0.1419 W",
            "-XMP-dc:Creator=A Reviewer",
            "-IPTC:Keywords=Year 4 book",
            "-IPTC:City=Westminster",
            &thumb_arg,
        ],
        &photo,
    );
    photo
}

#[test]
fn a_phone_photo_loses_gps_xmp_iptc_thumbnail_and_camera_and_is_turned_upright() {
    let dir = tempfile::tempdir().unwrap();
    let original = phone_photo(dir.path());

    // The fixture really carries what must go, or the test would prove nothing.
    let before = tags(&original);
    for tag in [
        "GPS:GPSLatitude",
        "XMP-exif:GPSLatitude",
        "IFD1:ThumbnailImage",
        "IFD0:Make",
        "IFD0:Model",
        "IFD0:Orientation",
        "IPTC:Keywords",
        "XMP-dc:Creator",
    ] {
        assert!(before.contains_key(tag), "the fixture lacks {tag}: {before:#?}");
    }

    let bytes = std::fs::read(&original).unwrap();
    let safe = make_safe(&bytes, "IMG_0042.JPG", &Options::default(), false).unwrap();
    assert_eq!(safe.mime, Mime::Jpeg);
    let cleaned = write(dir.path(), "cleaned.jpg", &safe.bytes);
    let after = tags(&cleaned);
    for (key, value) in &after {
        let group = key.split(':').next().unwrap_or_default();
        assert!(key == "SourceFile" || STRUCTURE_ONLY.contains(&group), "{key} = {value} survived the cleaning");
        assert!(!key.contains("GPS"), "{key} = {value} survived the cleaning");
    }
    // The raw bytes agree with exiftool: no EXIF, XMP or Photoshop/IPTC block, no camera name.
    for marker in [&b"Exif\0\0"[..], b"http://ns.adobe.com/xap", b"Photoshop 3.0", b"TestMaker", b"Test Phone"] {
        assert!(
            !safe.bytes.windows(marker.len()).any(|w| w == marker),
            "{:?} is still in the cleaned bytes",
            String::from_utf8_lossy(marker)
        );
    }

    // Orientation 6 applied: 640 × 480 stored, 480 × 640 shown, and the red corner that was
    // stored top-left is now top-right (turned a quarter clockwise).
    assert_eq!(safe.dimensions, Some((480, 640)));
    assert_eq!(after["File:ImageWidth"], 480);
    assert_eq!(after["File:ImageHeight"], 640);
    let upright = decode(&safe.bytes);
    assert_eq!(upright.dimensions(), (480, 640));
    assert!(is_red(upright.get_pixel(480 - 20, 20)), "top-right should be the red corner");
    assert!(!is_red(upright.get_pixel(20, 20)), "top-left should no longer be red");
}

#[test]
fn png_text_and_exif_chunks_are_dropped_and_a_png_without_transparency_becomes_a_jpeg() {
    let dir = tempfile::tempdir().unwrap();
    let original = write(dir.path(), "screenshot.png", &png(&DynamicImage::ImageRgb8(marked_picture(300, 200))));
    exiftool(
        &[
            "-q",
            "-overwrite_original",
            "-PNG:Comment=Pupil: Jane Example, Year 5",
            "-XMP-exif:GPSLatitude=51.5014 N",
            "-EXIF:Make=TestMaker",
        ],
        &original,
    );
    assert!(tags(&original).contains_key("PNG:Comment"));

    let safe = make_safe(&std::fs::read(&original).unwrap(), "screenshot.png", &Options::default(), false).unwrap();
    assert_eq!(safe.mime, Mime::Jpeg, "no transparency used: kept as the smaller JPEG");
    let after = tags(&write(dir.path(), "cleaned.jpg", &safe.bytes));
    assert!(after.keys().all(|k| k == "SourceFile" || STRUCTURE_ONLY.contains(&k.split(':').next().unwrap())), "{after:#?}");
}

#[test]
fn a_png_that_uses_transparency_stays_a_png_with_its_alpha() {
    let mut picture = image::RgbaImage::from_pixel(64, 64, image::Rgba([10, 20, 30, 255]));
    picture.put_pixel(5, 5, image::Rgba([10, 20, 30, 0]));
    let bytes = png(&DynamicImage::ImageRgba8(picture));
    let safe = make_safe(&bytes, "logo.png", &Options::default(), false).unwrap();
    assert_eq!(safe.mime, Mime::Png);
    assert_eq!(decode(&safe.bytes).get_pixel(5, 5).0[3], 0);
}

#[test]
fn a_large_photo_is_downscaled_to_2048_unless_full_size_is_asked_for() {
    let bytes = jpeg(&marked_picture(3000, 2000), 85);
    let usual = make_safe(&bytes, "wall.jpg", &Options::default(), false).unwrap();
    assert_eq!(usual.dimensions, Some((2048, 1365)));
    assert_eq!(decode(&usual.bytes).dimensions(), (2048, 1365));

    let full = Options { full_size: true, ..Options::default() };
    let kept = make_safe(&bytes, "wall.jpg", &full, false).unwrap();
    assert_eq!(kept.dimensions, Some((3000, 2000)));
}

#[test]
fn a_photo_gets_a_small_upright_jpeg_thumbnail_with_no_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let original = phone_photo(dir.path());
    let safe = make_safe(&std::fs::read(&original).unwrap(), "IMG_0042.JPG", &Options::default(), false).unwrap();
    let thumb = safe.thumbnail.as_deref().expect("a photo has a thumbnail");
    // JPEG, upright (the photo is 480 × 640 shown), longest side 320 px, far smaller than the photo.
    assert_eq!(&thumb[..3], &[0xFF, 0xD8, 0xFF]);
    let small = decode(thumb);
    assert_eq!(small.dimensions(), (240, 320));
    assert!(is_red(small.get_pixel(240 - 10, 10)), "the thumbnail is turned like the photo");
    assert!(thumb.len() * 3 < safe.bytes.len(), "thumbnail {} bytes, photo {} bytes", thumb.len(), safe.bytes.len());
    let after = tags(&write(dir.path(), "thumb.jpg", thumb));
    for (key, value) in &after {
        let group = key.split(':').next().unwrap_or_default();
        assert!(key == "SourceFile" || STRUCTURE_ONLY.contains(&group), "{key} = {value} is in the thumbnail");
    }
    // A photo already smaller than a tile is not scaled up.
    let tiny = make_safe(&jpeg(&marked_picture(200, 100), 90), "tiny.jpg", &Options::default(), false).unwrap();
    assert_eq!(decode(tiny.thumbnail.as_deref().unwrap()).dimensions(), (200, 100));
}
