//! Photos and documents made safe before anything is stored (issue 19, point 2).
//!
//! `prepare` takes the bytes a person picked (or pasted, or dropped) and the name the file came
//! with, and gives back either a clear [`MediaError`] or something safe to keep:
//!
//! - The type is read from the first bytes, never from the name: a `.jpg` that is really a PNG is
//!   a PNG, a `.pdf` that is really a program is refused.
//! - Photos (JPEG, PNG) are decoded with limits on bytes, dimensions and memory, so a
//!   decompression bomb is refused from its header before anything large is allocated; turned
//!   upright from their EXIF orientation; downscaled to 2,048 px on the longest side unless full
//!   size is asked for; and encoded again from the pixels alone. Nothing of the original file
//!   (EXIF, GPS, XMP, IPTC, maker notes, embedded thumbnail, colour profile) is copied across.
//! - A face detector that is compiled into this crate looks for faces; the caller can blur them
//!   before finishing. Only "may show a face: yes/no" leaves this crate with the file.
//! - PDFs are kept byte for byte after checks: size, header, end marker, and no scripts, launch
//!   actions or embedded files (in plain or compressed streams).
//!
//! Everything happens in memory: the original never touches the disk.

mod error;
mod faces;
mod jpeg_structure;
mod limits;
mod pdf;
mod photo;
mod sniff;

pub use error::MediaError;
pub use faces::FaceArea;
pub use limits::Limits;
pub use photo::PreparedPhoto;
pub use sniff::Mime;

/// What the person chose when attaching.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Keep the photo's own size instead of 2,048 px on the longest side.
    pub full_size: bool,
    pub limits: Limits,
}

/// A file ready to be stored: these bytes are all that is kept.
#[derive(Debug, Clone)]
pub struct SafeAttachment {
    pub bytes: Vec<u8>,
    pub mime: Mime,
    /// Pixel size of a photo after orientation and downscaling; `None` for a document.
    pub dimensions: Option<(u32, u32)>,
    /// The face check's yes/no: the one thing about faces that is kept.
    pub may_show_face: bool,
    /// Whether the detected areas were blurred before encoding.
    pub faces_blurred: bool,
    /// A small JPEG of a photo (longest side [`THUMBNAIL_SIDE`] px), made from the same cleaned
    /// pixels, so a teammate's list downloads this and not the whole photo; `None` for a document.
    pub thumbnail: Option<Vec<u8>>,
}

/// Longest side of a photo's thumbnail, in pixels: sharp at twice the list's 160 px tiles.
pub const THUMBNAIL_SIDE: u32 = 320;

/// A file that passed the checks, before it is finished. A photo can still have its faces blurred.
#[derive(Debug)]
pub enum Prepared {
    Photo(PreparedPhoto),
    Document(SafeAttachment),
}

impl Prepared {
    /// True when the face check found at least one face (always false for a document).
    pub fn may_show_face(&self) -> bool {
        match self {
            Prepared::Photo(photo) => !photo.faces().is_empty(),
            Prepared::Document(_) => false,
        }
    }

    /// Encodes the photo from its pixels (or hands the checked document back).
    pub fn finish(self) -> Result<SafeAttachment, MediaError> {
        match self {
            Prepared::Photo(photo) => photo.finish(),
            Prepared::Document(document) => Ok(document),
        }
    }
}

/// Checks and cleans one picked file. `declared_name` is used only in messages.
pub fn prepare(bytes: &[u8], declared_name: &str, options: &Options) -> Result<Prepared, MediaError> {
    let name = error::display_name(declared_name);
    match sniff::sniff(bytes) {
        sniff::Sniffed::Empty => Err(MediaError::Empty { name }),
        sniff::Sniffed::Supported(Mime::Pdf) => pdf::check(bytes, &name, &options.limits).map(Prepared::Document),
        sniff::Sniffed::Supported(mime) => photo::prepare(bytes, mime, &name, options).map(Prepared::Photo),
        sniff::Sniffed::Heic => Err(MediaError::Heic { name }),
        sniff::Sniffed::Other(what) => Err(MediaError::Unsupported { name, found: what.to_string() }),
    }
}

/// `prepare` and `finish` in one step, blurring any faces found when `blur_faces` is set.
pub fn make_safe(bytes: &[u8], declared_name: &str, options: &Options, blur_faces: bool) -> Result<SafeAttachment, MediaError> {
    let mut prepared = prepare(bytes, declared_name, options)?;
    if blur_faces {
        if let Prepared::Photo(photo) = &mut prepared {
            photo.blur_faces();
        }
    }
    prepared.finish()
}
