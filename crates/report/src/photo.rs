//! A photo the report shows under a section (issue 19): its caption and its cleaned bytes, and
//! the size it is printed at, worked out once here so PDF and Word agree.

use crate::ReportError;
use serde::{Deserialize, Serialize};

/// Widest a photo is printed: the text width of an A4 page with 2.5 cm margins.
pub const MAX_WIDTH_MM: u32 = 160;
/// Tallest a photo is printed, so a portrait photo leaves room for its caption and the text.
pub const MAX_HEIGHT_MM: u32 = 100;

/// One photo in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportFigure {
    /// The template section it is printed under, after the section's text.
    pub section_code: String,
    /// The attachment it came from (the preview shows its thumbnail).
    pub attachment_id: String,
    pub caption: String,
    /// `image/jpeg` or `image/png`.
    pub mime: String,
    /// SHA-256 of the bytes (the blob's address on the server).
    pub sha256: String,
    /// The cleaned photo (qar-media's output). Not sent to the preview, which shows the
    /// attachment's thumbnail; the renderers need it and [`ReportFigure::check`] says so.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub bytes: Vec<u8>,
}

impl ReportFigure {
    /// The photo's pixel size, read from its header; refused when the bytes are missing or are
    /// not the JPEG or PNG the record says.
    pub fn pixels(&self) -> Result<(u32, u32), ReportError> {
        let missing = || ReportError::Photo(self.describe());
        if self.bytes.is_empty() {
            return Err(missing());
        }
        let size = match self.mime.as_str() {
            "image/png" => png_size(&self.bytes),
            "image/jpeg" => jpeg_size(&self.bytes),
            _ => None,
        };
        size.filter(|(w, h)| *w > 0 && *h > 0).ok_or_else(missing)
    }

    /// Printed size in tenths of a millimetre: as wide as the text allows, no taller than
    /// [`MAX_HEIGHT_MM`], the photo's proportions kept.
    pub fn printed_size(&self) -> Result<(u32, u32), ReportError> {
        let (w, h) = self.pixels()?;
        let (max_w, max_h) = (u64::from(MAX_WIDTH_MM) * 10, u64::from(MAX_HEIGHT_MM) * 10);
        let (w, h) = (u64::from(w), u64::from(h));
        let (pw, ph) = if w * max_h >= h * max_w { (max_w, h * max_w / w) } else { (w * max_h / h, max_h) };
        Ok((pw.max(1) as u32, ph.max(1) as u32))
    }

    fn describe(&self) -> String {
        let caption = self.caption.trim();
        let name = if caption.is_empty() { "a photo without a caption".to_owned() } else { format!("the photo '{caption}'") };
        format!("{name} (section {}) is not on this device as a JPEG or PNG; sync, then export again", self.section_code)
    }
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(b: &[u8]) -> Option<(u32, u32)> {
    if b.len() < 24 || &b[..8] != b"\x89PNG\r\n\x1a\n" || &b[12..16] != b"IHDR" {
        return None;
    }
    let be = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    Some((be(16), be(20)))
}

/// Width and height from a JPEG's start-of-frame marker, walking the segments before it.
fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
    if b.len() < 4 || b[0] != 0xFF || b[1] != 0xD8 {
        return None;
    }
    let mut i = 2;
    while i + 9 < b.len() {
        if b[i] != 0xFF {
            return None;
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1; // fill byte
            continue;
        }
        let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        // SOF0–SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let h = u32::from(u16::from_be_bytes([b[i + 5], b[i + 6]]));
            let w = u32::from(u16::from_be_bytes([b[i + 7], b[i + 8]]));
            return Some((w, h));
        }
        if len < 2 {
            return None;
        }
        i += 2 + len;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(mime: &str, bytes: Vec<u8>) -> ReportFigure {
        ReportFigure {
            section_code: "area_of_excellence".into(),
            attachment_id: "a".into(),
            caption: "Reading corner".into(),
            mime: mime.into(),
            sha256: String::new(),
            bytes,
        }
    }

    #[test]
    fn sizes_are_read_from_headers() {
        let png = crate::fixtures::photo_png(300, 200);
        assert_eq!(figure("image/png", png.clone()).pixels(), Ok((300, 200)));
        assert_eq!(figure("image/png", png).printed_size(), Ok((1500, 1000)), "no taller than 100 mm");
        assert_eq!(figure("image/png", crate::fixtures::photo_png(800, 200)).printed_size(), Ok((1600, 400)), "as wide as the text");
        // A minimal JPEG: SOI, an APP0 segment, then SOF0 with height 3024 and width 4032.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00];
        jpeg.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x0B, 0xD0, 0x0F, 0xC0, 0x03]);
        assert_eq!(figure("image/jpeg", jpeg).pixels(), Ok((4032, 3024)));
        assert_eq!(figure("image/png", crate::fixtures::photo_png(100, 400)).printed_size(), Ok((250, 1000)));
    }

    #[test]
    fn missing_or_mislabelled_bytes_are_refused_by_name() {
        let err = figure("image/png", Vec::new()).pixels().unwrap_err();
        assert!(err.to_string().contains("'Reading corner'"), "{err}");
        assert!(figure("image/jpeg", crate::fixtures::photo_png(4, 4)).pixels().is_err());
        assert!(figure("application/pdf", b"%PDF-1.7".to_vec()).pixels().is_err());
    }
}
