//! Times the whole pipeline on a 12-megapixel phone-sized photo (4,032 × 3,024, JPEG quality 92,
//! with a face in it, so the face check and the blur have work to do):
//!
//!     cargo run --release -p qar-media --example pipeline_timing
//!
//! Prints each run and the median; a measurement to report, not a test.
use std::time::{Duration, Instant};

use image::imageops::FilterType;
use image::{DynamicImage, Rgb};

const RUNS: usize = 7;

fn main() {
    let face = include_bytes!("../tests/fixtures/astronaut.jpg");
    let picture = image::load_from_memory(face).expect("the fixture decodes").resize_exact(4032, 3024, FilterType::Triangle);
    // Sensor-like noise, so the JPEG holds as much detail as a real photo does.
    let mut rgb = picture.to_rgb8();
    let mut seed = 0x2545_f491_u32;
    for pixel in rgb.pixels_mut() {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed % 17) as i16 - 8;
        *pixel = Rgb(pixel.0.map(|c| (i16::from(c) + noise).clamp(0, 255) as u8));
    }
    let mut photo = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut photo, 92)
        .encode_image(&DynamicImage::ImageRgb8(rgb))
        .expect("the test photo encodes");
    println!("input: 4032 × 3024 JPEG, {:.1} MB", photo.len() as f64 / 1e6);

    let options = qar_media::Options::default();
    // Where the time goes: prepare (decode, orientation, downscale, face check) and finish (encode).
    let mut prepare_ms = Vec::new();
    let mut finish_ms = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let prepared = qar_media::prepare(&photo, "IMG_0001.JPG", &options).expect("accepted");
        prepare_ms.push(started.elapsed().as_secs_f64() * 1e3);
        let started = Instant::now();
        prepared.finish().expect("encodes");
        finish_ms.push(started.elapsed().as_secs_f64() * 1e3);
    }
    prepare_ms.sort_by(f64::total_cmp);
    finish_ms.sort_by(f64::total_cmp);
    println!("stages (median): prepare {:.0} ms, finish {:.0} ms", prepare_ms[RUNS / 2], finish_ms[RUNS / 2]);
    for (label, blur) in [("clean (downscale, face check, re-encode)", false), ("clean and blur faces", true)] {
        let mut times: Vec<Duration> = Vec::new();
        let mut last = None;
        for _ in 0..RUNS {
            let started = Instant::now();
            let safe = qar_media::make_safe(&photo, "IMG_0001.JPG", &options, blur).expect("accepted");
            times.push(started.elapsed());
            last = Some(safe);
        }
        times.sort();
        let safe = last.expect("ran at least once");
        println!(
            "{label}: median {:.0} ms (min {:.0}, max {:.0}) over {RUNS} runs; output {:?} {}, {:.0} KB, may show a face: {}",
            times[RUNS / 2].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3,
            times[RUNS - 1].as_secs_f64() * 1e3,
            safe.dimensions.unwrap_or_default(),
            safe.mime.as_str(),
            safe.bytes.len() as f64 / 1e3,
            safe.may_show_face
        );
    }
}
