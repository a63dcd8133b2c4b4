//! Local store measures (no network): one field save including the op log, and full-text
//! search over 10,000 notes.

use crate::report::Row;
use crate::stats::summarize;
use crate::workload::generate;
use qar_client::{EvidenceQuery, NewReview, Store};
use std::time::{Duration, Instant};

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

fn review(store: &mut Store) -> anyhow::Result<String> {
    let r = store.create_review(
        &NewReview { school_name: "Benchmark Primary School".into(), school_urn: "990100".into(), start_date: "2026-11-24".into() },
        now_ms(),
    )?;
    Ok(r.id)
}

/// `saves` edits of the notes field of one note (~1.5 KB each), each its own transaction.
pub fn field_save(dir: &std::path::Path, saves: usize) -> anyhow::Result<Vec<Row>> {
    let laptop = crate::laptop::Laptop::open(&dir.join("save.db"))?;
    // As in the app: checkpoints run beside the saves, not inside them.
    let _checkpointer = laptop.checkpointer(Duration::from_secs(1))?;
    let mut store = laptop.store;
    let review_id = review(&mut store)?;
    let work = generate(64, &review_id);
    let note = store.add_evidence(&work.notes[0], now_ms())?;
    let mut samples = Vec::with_capacity(saves);
    for i in 0..saves {
        let text = serde_json::Value::String(work.notes[i % work.notes.len()].notes.clone());
        let t = Instant::now();
        store.update_evidence_field(&note.id, "notes", text, now_ms())?;
        samples.push(t.elapsed());
    }
    let s = summarize(&mut samples);
    // Autosaves seconds apart: the background pass has indexed the note between two saves, so
    // each save takes its old text out of the search index (decision 120).
    let spaced = saves.div_ceil(5);
    let mut after_index = Vec::with_capacity(spaced);
    for i in 0..spaced {
        store.catch_up_search_index()?;
        let text = serde_json::Value::String(work.notes[(i + 1) % work.notes.len()].notes.clone());
        let t = Instant::now();
        store.update_evidence_field(&note.id, "notes", text, now_ms())?;
        after_index.push(t.elapsed());
    }
    let a = summarize(&mut after_index);
    Ok(vec![
        Row::new(&format!("local field save incl. op log, p50 ({saves} saves)"), s.p50_ms, "ms", "–", None),
        Row::new(&format!("local field save incl. op log, p99 ({saves} saves)"), s.p99_ms, "ms", "p99 ≤ 1 ms", Some(s.p99_ms <= 1.0)),
        Row::new(&format!("local field save incl. op log, max ({saves} saves)"), s.max_ms, "ms", "–", None),
        Row::new(
            &format!("… each save after the search index caught up, p99 ({spaced} saves)"),
            a.p99_ms,
            "ms",
            "p99 ≤ 1 ms",
            Some(a.p99_ms <= 1.0),
        ),
    ])
}

/// `n` notes in one review, then `queries` searches of one or two vocabulary words.
pub fn search(dir: &std::path::Path, n: usize, queries: usize) -> anyhow::Result<Vec<Row>> {
    let laptop = crate::laptop::Laptop::open(&dir.join("search.db"))?;
    let _checkpointer = laptop.checkpointer(Duration::from_secs(1))?;
    let mut store = laptop.store;
    let review_id = review(&mut store)?;
    let work = generate(n, &review_id);
    for note in &work.notes {
        store.add_evidence(note, now_ms())?;
    }
    // Notes written over days are in the search index by the time anyone searches (decision 120).
    store.catch_up_search_index()?;
    let mut samples: Vec<Duration> = Vec::with_capacity(queries);
    let mut hits = 0usize;
    for i in 0..queries {
        let a = &work.vocabulary[(i * 7919) % work.vocabulary.len()];
        let text = if i % 2 == 0 { a.clone() } else { format!("{a} {}", work.vocabulary[(i * 104_729) % work.vocabulary.len()]) };
        let t = Instant::now();
        hits += store.search_evidence(&review_id, &EvidenceQuery { text, ..Default::default() })?.len();
        samples.push(t.elapsed());
    }
    let s = summarize(&mut samples);
    println!("search: {queries} queries over {n} notes returned {hits} notes in all");
    Ok(vec![Row::new(
        &format!("FTS search over {n} notes, p95 ({queries} queries)"),
        s.p95_ms,
        "ms",
        "p95 ≤ 20 ms",
        Some(s.p95_ms <= 20.0),
    )])
}
