use std::io::Cursor;

use image::codecs::jpeg::{JpegDecoder, JpegEncoder};
use image::codecs::png::{PngDecoder, PngEncoder};
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageError};

use crate::faces::{self, FaceArea};
use crate::limits::megabytes;
use crate::{MediaError, Mime, Options, SafeAttachment};

/// JPEG quality of the re-encoded photo: text on a page or a display stays readable at 2,048 px
/// while a phone photo shrinks to a few hundred kilobytes.
const JPEG_QUALITY: u8 = 85;
/// JPEG quality of the thumbnail: a tile in a list, a few kilobytes.
const THUMBNAIL_QUALITY: u8 = 75;

/// A photo decoded, upright and downscaled, held only in memory. Its faces (if any) are known
/// here; once finished, only the yes/no leaves.
#[derive(Debug)]
pub struct PreparedPhoto {
    name: String,
    pixels: DynamicImage,
    faces: Vec<FaceArea>,
    /// A PNG whose transparency is really used stays a PNG; everything else becomes a JPEG.
    keep_png: bool,
    blurred: bool,
}

impl PreparedPhoto {
    /// The areas the detector found, in the prepared photo's pixels. For showing where the
    /// faces are before the person chooses; never stored.
    pub fn faces(&self) -> &[FaceArea] {
        &self.faces
    }

    pub fn dimensions(&self) -> (u32, u32) {
        (self.pixels.width(), self.pixels.height())
    }

    /// Blurs every detected face so it can't be recognised.
    pub fn blur_faces(&mut self) {
        faces::blur(&mut self.pixels, &self.faces);
        self.blurred = !self.faces.is_empty();
    }

    /// Encodes from the pixels alone: no metadata of the original file is written.
    pub fn finish(self) -> Result<SafeAttachment, MediaError> {
        let (width, height) = self.dimensions();
        let mut bytes = Vec::new();
        let encoded = if self.keep_png {
            let rgba = self.pixels.to_rgba8();
            PngEncoder::new(&mut bytes).write_image(rgba.as_raw(), width, height, image::ExtendedColorType::Rgba8)
        } else {
            let rgb = self.pixels.to_rgb8();
            JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY).write_image(rgb.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        };
        encoded.map_err(|e| MediaError::Encode { name: self.name.clone(), detail: e.to_string() })?;
        let thumbnail = Some(self.thumbnail()?);
        Ok(SafeAttachment {
            bytes,
            mime: if self.keep_png { Mime::Png } else { Mime::Jpeg },
            dimensions: Some((width, height)),
            may_show_face: !self.faces.is_empty(),
            faces_blurred: self.blurred,
            thumbnail,
        })
    }

    /// The thumbnail: the same (blurred, if chosen) pixels scaled to fit [`crate::THUMBNAIL_SIDE`],
    /// always a JPEG (transparency is flattened: a tile needs none), written from pixels alone.
    fn thumbnail(&self) -> Result<Vec<u8>, MediaError> {
        let side = crate::THUMBNAIL_SIDE;
        let small = if self.pixels.width() > side || self.pixels.height() > side {
            self.pixels.resize(side, side, FilterType::Triangle)
        } else {
            self.pixels.clone()
        };
        let rgb = small.to_rgb8();
        let mut bytes = Vec::new();
        JpegEncoder::new_with_quality(&mut bytes, THUMBNAIL_QUALITY)
            .write_image(rgb.as_raw(), rgb.width(), rgb.height(), image::ExtendedColorType::Rgb8)
            .map_err(|e| MediaError::Encode { name: self.name.clone(), detail: e.to_string() })?;
        Ok(bytes)
    }
}

pub(crate) fn prepare(bytes: &[u8], mime: Mime, name: &str, options: &Options) -> Result<PreparedPhoto, MediaError> {
    let limits = &options.limits;
    if bytes.len() > limits.max_photo_bytes {
        return Err(MediaError::TooLarge {
            name: name.to_string(),
            detail: format!("the file is {}; photos can be up to {}", megabytes(bytes.len()), megabytes(limits.max_photo_bytes)),
        });
    }
    // The JPEG decoder fills a file cut short with grey instead of failing: its structure is
    // walked first, so half a photo is reported as damaged rather than kept.
    if mime == Mime::Jpeg && !crate::jpeg_structure::reaches_end_of_image(bytes) {
        return Err(damaged(name, "the file ends too early: it may have been cut short while copying"));
    }
    let (mut pixels, is_png) = match mime {
        Mime::Jpeg => (decode(JpegDecoder::new(Cursor::new(bytes)), name, options)?, false),
        Mime::Png => (decode(PngDecoder::new(Cursor::new(bytes)), name, options)?, true),
        Mime::Pdf => unreachable!("documents are not photos"),
    };
    let keep_png = is_png && uses_transparency(&pixels);
    let longest = pixels.width().max(pixels.height());
    if !options.full_size && longest > limits.downscale_to {
        // Triangle averages over each output pixel's whole footprint (no aliasing) with a
        // kernel a third of Lanczos3's width: much less work on a 12 MP photo.
        pixels = pixels.resize(limits.downscale_to, limits.downscale_to, FilterType::Triangle);
    }
    let faces = faces::find(&pixels);
    Ok(PreparedPhoto { name: name.to_string(), pixels, faces, keep_png, blurred: false })
}

/// Reads the header, refuses what is too large before any pixel is decoded, then decodes under the
/// same limits (the decoder refuses to allocate more than `max_decode_alloc`), turned upright.
fn decode<D: ImageDecoder>(decoder: Result<D, ImageError>, name: &str, options: &Options) -> Result<DynamicImage, MediaError> {
    let limits = &options.limits;
    let mut decoder = decoder.map_err(|e| image_error(e, name))?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(damaged(name, "it has no pixels"));
    }
    if width > limits.max_side || height > limits.max_side || u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(MediaError::TooLarge {
            name: name.to_string(),
            detail: format!(
                "it is {width} × {height} pixels; photos can be up to {} pixels on a side and {} megapixels",
                limits.max_side,
                limits.max_pixels / 1_000_000
            ),
        });
    }
    // Not every decoder honours `max_alloc` (the JPEG one does not): the decoded size is known
    // from the header, so check it here for all of them.
    if decoder.total_bytes() > limits.max_decode_alloc {
        return Err(too_much_memory(name));
    }
    let mut decode_limits = image::Limits::default();
    decode_limits.max_image_width = Some(limits.max_side);
    decode_limits.max_image_height = Some(limits.max_side);
    decode_limits.max_alloc = Some(limits.max_decode_alloc);
    decoder.set_limits(decode_limits).map_err(|e| image_error(e, name))?;
    // Only the orientation is read from the metadata. A broken EXIF block leaves the photo as
    // stored rather than refusing a picture that decodes fine.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut pixels = DynamicImage::from_decoder(decoder).map_err(|e| image_error(e, name))?;
    pixels.apply_orientation(orientation);
    Ok(pixels)
}

fn uses_transparency(pixels: &DynamicImage) -> bool {
    if !pixels.color().has_alpha() {
        return false;
    }
    match pixels {
        DynamicImage::ImageRgba8(buffer) => buffer.pixels().any(|p| p.0[3] < u8::MAX),
        DynamicImage::ImageLumaA8(buffer) => buffer.pixels().any(|p| p.0[1] < u8::MAX),
        other => other.to_rgba8().pixels().any(|p| p.0[3] < u8::MAX),
    }
}

fn too_much_memory(name: &str) -> MediaError {
    MediaError::TooLarge { name: name.to_string(), detail: "decoding it would need more memory than a photo is allowed".to_string() }
}

fn damaged(name: &str, detail: &str) -> MediaError {
    MediaError::Damaged { name: name.to_string(), detail: detail.to_string() }
}

fn image_error(error: ImageError, name: &str) -> MediaError {
    match error {
        ImageError::Limits(_) => too_much_memory(name),
        ImageError::Unsupported(e) => {
            MediaError::Unsupported { name: name.to_string(), found: format!("a kind of photo this app can't read ({e})") }
        }
        ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            damaged(name, "the file ends too early: it may have been cut short while copying")
        }
        other => damaged(name, &other.to_string()),
    }
}
