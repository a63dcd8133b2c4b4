//! Synthetic photos for the attachment workload: real JPEGs, generated deterministically, of
//! about 400 KB each. Smooth gradients (a wall, a page) with grain and a few hard edges (text,
//! a display), so the encoder cannot squeeze them to nothing and the app's re-encoding at
//! 2,048 px keeps them near the size a phone photo of a pupil's book has after it.

use image::codecs::jpeg::JpegEncoder;
use image::{ImageEncoder, RgbImage};

pub const PHOTOS: usize = 20;
/// Below the app's 2,048 px bound, so the app re-encodes without resizing.
const WIDTH: u32 = 1600;
const HEIGHT: u32 = 1200;
const QUALITY: u8 = 85;

/// xorshift32, as the text generator uses: the same seed gives the same pixels everywhere.
fn next(state: &mut u32) -> u32 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    x
}

/// Photo number `i` (0-based) as JPEG bytes.
pub fn photo(i: usize) -> anyhow::Result<Vec<u8>> {
    let mut seed = 0x5eed_0000 ^ (i as u32 + 1).wrapping_mul(0x9e37_79b9);
    let tint = [(next(&mut seed) % 96) as i32, (next(&mut seed) % 96) as i32, (next(&mut seed) % 96) as i32];
    let mut img = RgbImage::new(WIDTH, HEIGHT);
    for (x, y, px) in img.enumerate_pixels_mut() {
        let grain = (next(&mut seed) % 5) as i32 - 2;
        // Lines of "handwriting": dark strokes in bands, as on an exercise book's page.
        let stroke = if (y / 24) % 2 == 1 && (x / 7 + y / 3 + next(&mut seed) % 3) % 11 < 3 { -90 } else { 0 };
        let base = [
            96 + tint[0] + (x * 60 / WIDTH) as i32,
            110 + tint[1] / 2 + (y * 50 / HEIGHT) as i32,
            120 + tint[2] / 3 + ((x + y) * 40 / (WIDTH + HEIGHT)) as i32,
        ];
        for (c, v) in px.0.iter_mut().enumerate() {
            *v = (base[c] + grain + stroke).clamp(0, 255) as u8;
        }
    }
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, QUALITY).write_image(img.as_raw(), WIDTH, HEIGHT, image::ExtendedColorType::Rgb8)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_are_real_jpegs_of_about_400_kb_and_the_same_every_time() {
        let a = photo(0).unwrap();
        assert_eq!(a, photo(0).unwrap(), "deterministic");
        assert_ne!(a, photo(1).unwrap(), "each photo its own");
        let decoded = image::load_from_memory_with_format(&a, image::ImageFormat::Jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (WIDTH, HEIGHT));
        assert!((350_000..480_000).contains(&a.len()), "photo of {} bytes", a.len());
    }
}
