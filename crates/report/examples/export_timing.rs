//! Times both exports of a ~3,000-word report: median of 5 runs each with Typst's cache emptied
//! before every run, after a first run (which also parses the bundled fonts, once per process).
//!
//!     cargo run --release -p qar-report --example export_timing [-- WORDS]

use qar_report::docx::render_docx;
use qar_report::fixtures::long_fixture;
use qar_report::pdf::{clear_cache, render_pdf};
use std::time::Instant;

fn median_ms(mut f: impl FnMut() -> usize) -> (f64, f64, usize) {
    let t = Instant::now();
    let bytes = f();
    let first = t.elapsed().as_secs_f64() * 1000.0;
    let mut runs: Vec<f64> = (0..5)
        .map(|_| {
            // Cold each time: Typst would otherwise answer an identical document from its cache.
            clear_cache();
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    runs.sort_by(|a, b| a.total_cmp(b));
    (first, runs[2], bytes)
}

fn main() {
    let words: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(3000);
    let doc = long_fixture(words);
    let counted: usize = doc.sections.iter().map(|s| s.body.split_whitespace().count()).sum();
    let (pdf_first, pdf, pdf_bytes) = median_ms(|| render_pdf(&doc).expect("pdf").len());
    let (docx_first, docx, docx_bytes) = median_ms(|| render_docx(&doc).expect("docx").len());
    println!("Export timing, {counted} words of body text (median of 5 after a first run)");
    println!("{:<6} {:>12} {:>12} {:>10}", "format", "first ms", "median ms", "bytes");
    println!("{:<6} {:>12.1} {:>12.1} {:>10}", "PDF", pdf_first, pdf, pdf_bytes);
    println!("{:<6} {:>12.1} {:>12.1} {:>10}", "DOCX", docx_first, docx, docx_bytes);
    println!(
        "{}",
        serde_json::json!({
            "words": counted,
            "runs": 5,
            "pdf": { "first_ms": pdf_first, "median_ms": pdf, "bytes": pdf_bytes },
            "docx": { "first_ms": docx_first, "median_ms": docx, "bytes": docx_bytes },
        })
    );
}
