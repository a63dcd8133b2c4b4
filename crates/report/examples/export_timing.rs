//! Times both exports of a ~3,000-word report (a long real one): the first export in the
//! process (which also parses the bundled fonts, once, into the `OnceLock`), then the median of
//! 5 with Typst's memoisation cache emptied before each run (cold: a report never seen before),
//! then the median of 5 with it kept (warm: re-exporting after a small edit).
//!
//!     cargo run --release -p qar-report --example export_timing [-- WORDS]

use qar_report::fixtures::long_fixture;
use qar_report::pdf::clear_cache;
use qar_report::{render_docx, render_pdf};
use std::time::Instant;

fn ms(f: &mut impl FnMut() -> usize) -> (f64, usize) {
    let t = Instant::now();
    let bytes = std::hint::black_box(f());
    (t.elapsed().as_secs_f64() * 1000.0, bytes)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

struct Timing {
    first: f64,
    cold: f64,
    warm: f64,
    bytes: usize,
}

fn time(mut f: impl FnMut() -> usize) -> Timing {
    let (first, bytes) = ms(&mut f);
    let cold = median(
        (0..5)
            .map(|_| {
                clear_cache();
                ms(&mut f).0
            })
            .collect(),
    );
    let warm = median((0..5).map(|_| ms(&mut f).0).collect());
    Timing { first, cold, warm, bytes }
}

fn main() {
    let words: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(3000);
    let doc = long_fixture(words);
    let counted: usize = doc.sections.iter().map(|s| s.body.split_whitespace().count()).sum();
    let pdf = time(|| render_pdf(&doc).expect("pdf").len());
    let docx = time(|| render_docx(&doc).expect("docx").len());
    println!("Export timing, {counted} words of body text (medians of 5)");
    println!("{:<6} {:>10} {:>10} {:>10} {:>10}", "format", "first ms", "cold ms", "warm ms", "bytes");
    for (name, t) in [("PDF", &pdf), ("DOCX", &docx)] {
        println!("{name:<6} {:>10.1} {:>10.1} {:>10.1} {:>10}", t.first, t.cold, t.warm, t.bytes);
    }
    let json =
        |t: &Timing| serde_json::json!({ "first_ms": t.first, "cold_median_ms": t.cold, "warm_median_ms": t.warm, "bytes": t.bytes });
    println!("{}", serde_json::json!({ "words": counted, "runs": 5, "pdf": json(&pdf), "docx": json(&docx) }));
}
