/// How large a file may be. The defaults are chosen for phone photos and school documents
/// (docs/decisions.md, "Photos and documents made safe").
#[derive(Debug, Clone)]
pub struct Limits {
    /// A picked photo file, before decoding. A 48-megapixel phone JPEG is about 12–20 MB.
    pub max_photo_bytes: usize,
    /// A PDF, kept as it is.
    pub max_document_bytes: usize,
    /// Width and height each, from the file's header, checked before decoding.
    pub max_side: u32,
    /// Width × height, checked before decoding: 50 MP covers a 48 MP phone sensor.
    pub max_pixels: u64,
    /// Memory the decoder may allocate at once (the decoded image counts towards it).
    pub max_decode_alloc: u64,
    /// The longest side of a photo kept at the usual size.
    pub downscale_to: u32,
}

// Decimal megabytes, as file managers show sizes, so a message's "up to 40 MB" matches what people see.
const MB: usize = 1_000_000;
const MIB: u64 = 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_photo_bytes: 40 * MB,
            max_document_bytes: 25 * MB,
            max_side: 12_000,
            max_pixels: 50_000_000,
            // 50 MP as RGBA at 8 bits, with room for the decoder's own buffers.
            max_decode_alloc: 256 * MIB,
            downscale_to: 2_048,
        }
    }
}

/// "12.4 MB" for messages.
pub(crate) fn megabytes(bytes: usize) -> String {
    let mb = bytes as f64 / MB as f64;
    if mb.fract() == 0.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}
