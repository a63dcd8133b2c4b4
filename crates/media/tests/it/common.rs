//! Fixtures made here, from pixels and exiftool, so no personal photo is ever part of the tests.
use std::path::{Path, PathBuf};
use std::process::Command;

pub use image::{DynamicImage, GenericImageView, Rgb, RgbImage};
pub use qar_media::{make_safe, prepare, MediaError, Mime, Options, Prepared};

/// A committed fixture (tests/fixtures/README.md says where each came from).
pub fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {} can't be read: {e}", path.display()))
}

/// A photo-like picture: smooth colour gradients, with a pure red square in the top-left corner
/// so the orientation can be checked after rotation.
pub fn marked_picture(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        if x < width / 8 && y < height / 8 {
            Rgb([255, 0, 0])
        } else {
            Rgb([(x * 200 / width) as u8 + 20, (y * 200 / height) as u8 + 20, 180])
        }
    })
}

pub fn jpeg(picture: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(picture).expect("test JPEG encodes");
    out
}

pub fn png(picture: &DynamicImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut out, image::ImageFormat::Png).expect("test PNG encodes");
    out.into_inner()
}

pub fn decode(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory(bytes).expect("the cleaned file decodes")
}

/// Runs exiftool with `args` on `file`; exiftool is a test tool `./x` installs.
pub fn exiftool(args: &[&str], file: &Path) -> String {
    let output = Command::new("exiftool")
        .args(args)
        .arg(file)
        .output()
        .expect("exiftool runs (Debian package libimage-exiftool-perl; `./x test` installs it)");
    assert!(output.status.success(), "exiftool {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("exiftool writes UTF-8")
}

/// Every tag exiftool finds, as "Group:Tag" → value (`-j -a -G1`: duplicates kept, group names
/// such as GPS, IFD1, XMP-exif, IPTC, MakerNotes shown).
pub fn tags(file: &Path) -> serde_json::Map<String, serde_json::Value> {
    let json: serde_json::Value = serde_json::from_str(&exiftool(&["-j", "-a", "-G1"], file)).expect("exiftool -j is JSON");
    json[0].as_object().expect("one file's tags").clone()
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("fixture written");
    path
}

/// Pixel is close to pure red (JPEG moves colours a little).
pub fn is_red(pixel: image::Rgba<u8>) -> bool {
    pixel.0[0] > 200 && pixel.0[1] < 60 && pixel.0[2] < 60
}
