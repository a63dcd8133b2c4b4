use std::sync::OnceLock;

use image::imageops::FilterType;
use image::{DynamicImage, GenericImage, GenericImageView};
use rustface::{ImageData, Model};

/// The SeetaFace frontal model as rustface ships it (model/README.md), compiled in: the check runs
/// without files or network.
const MODEL_BYTES: &[u8] = include_bytes!("../model/seeta_fd_frontal_v1.0.bin");

/// Faces are looked for on a grey copy at most this long on its longest side: a face 20 px across
/// there (the detector's smallest) is 40 px across in a 2,048 px photo.
const SCAN_LONGEST_SIDE: u32 = 1_024;
const MIN_FACE: u32 = 20;
/// rustface's suggested threshold; lower finds more faces in textures that are not faces.
const SCORE_THRESHOLD: f64 = 2.0;

/// A detected face in the prepared photo's pixels. Lives only in memory, for the blur.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaceArea {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        // The bytes are part of this build and checked by the tests: failing here is a broken build.
        rustface::read_model(MODEL_BYTES).expect("the face model compiled into qar-media is readable")
    })
}

pub(crate) fn find(pixels: &DynamicImage) -> Vec<FaceArea> {
    let (width, height) = (pixels.width(), pixels.height());
    let longest = width.max(height);
    let scan = if longest > SCAN_LONGEST_SIDE {
        pixels.resize(SCAN_LONGEST_SIDE, SCAN_LONGEST_SIDE, FilterType::Triangle)
    } else {
        pixels.clone()
    };
    let grey = scan.to_luma8();
    // The detector panics on an image with no pixels, and can't find a face smaller than its window.
    if grey.width() < MIN_FACE || grey.height() < MIN_FACE {
        return Vec::new();
    }
    let mut detector = rustface::create_detector_with_model(model().clone());
    detector.set_min_face_size(MIN_FACE);
    detector.set_score_thresh(SCORE_THRESHOLD);
    detector.set_pyramid_scale_factor(0.8);
    detector.set_slide_window_step(4, 4);
    let found = detector.detect(&ImageData::new(grey.as_raw(), grey.width(), grey.height()));
    let scale_x = f64::from(width) / f64::from(grey.width());
    let scale_y = f64::from(height) / f64::from(grey.height());
    found
        .iter()
        .filter_map(|face| {
            let b = face.bbox();
            let x0 = (f64::from(b.x()) * scale_x).max(0.0);
            let y0 = (f64::from(b.y()) * scale_y).max(0.0);
            let x1 = ((f64::from(b.x()) + f64::from(b.width())) * scale_x).min(f64::from(width));
            let y1 = ((f64::from(b.y()) + f64::from(b.height())) * scale_y).min(f64::from(height));
            (x1 > x0 && y1 > y0).then(|| FaceArea {
                x: x0 as u32,
                y: y0 as u32,
                width: (x1 - x0).ceil() as u32,
                height: (y1 - y0).ceil() as u32,
            })
        })
        .collect()
}

/// Blurs each area, widened by a quarter on every side (the detector's box is tight around eyes and
/// mouth; hair, ears and chin identify too), so strongly that only a smooth patch of the face's
/// colours remains.
pub(crate) fn blur(pixels: &mut DynamicImage, areas: &[FaceArea]) {
    let (width, height) = (pixels.width(), pixels.height());
    for area in areas {
        let pad_x = area.width / 4;
        let pad_y = area.height / 4;
        let x0 = area.x.saturating_sub(pad_x);
        let y0 = area.y.saturating_sub(pad_y);
        let x1 = (area.x + area.width + pad_x).min(width);
        let y1 = (area.y + area.height + pad_y).min(height);
        if x1 <= x0 || y1 <= y0 {
            continue;
        }
        let region = pixels.view(x0, y0, x1 - x0, y1 - y0).to_image();
        // Shrinking to a few pixels first throws the detail away for good (a blur alone can be
        // partly undone); the blur then hides the blocks.
        let cells = 6;
        let tiny = DynamicImage::ImageRgba8(region).resize_exact(cells, cells, FilterType::Triangle);
        let smooth = tiny.resize_exact(x1 - x0, y1 - y0, FilterType::Triangle).fast_blur(((x1 - x0).max(y1 - y0) as f32) / 10.0);
        // The region fits where it came from by construction.
        let _ = pixels.copy_from(&smooth, x0, y0);
    }
}
