//! Crash-safety stress: a child process saves edits in a loop and reports each commit; the
//! parent kills it with SIGKILL at random moments, reopens the store and checks that the file
//! is intact and that every edit the child reported as committed is there.
//!
//!   qar-crash stress --trials 1000 [--seed N] [--dir DIR]   (prints a JSON summary)
//!   qar-crash child DB_PATH                                 (used by stress)

use qar_client::{NewEvidence, NewReview, Store};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// The text the child writes at step `k`: even steps create a note, odd steps edit the note
/// created just before. Deterministic, so the parent knows what each step must have left.
fn step_text(k: u64) -> String {
    if k.is_multiple_of(2) {
        format!("note {k}: pupils explained their reasoning")
    } else {
        format!("note {k}: edited after the learning walk")
    }
}

fn child(db: &Path) -> Result<(), String> {
    let mut store = Store::open(db).map_err(|e| e.to_string())?;
    let review = store
        .create_review(
            &NewReview { school_name: "Stress Test Primary".into(), school_urn: "990199".into(), start_date: "2026-11-24".into() },
            now_ms(),
        )
        .map_err(|e| e.to_string())?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "review {}", review.id).and_then(|_| out.flush()).map_err(|e| e.to_string())?;
    let mut last_id = String::new();
    for k in 0u64.. {
        let text = step_text(k);
        if k % 2 == 0 {
            let new = NewEvidence {
                review_id: review.id.clone(),
                activity_type: "learning_walk".into(),
                started_at: None,
                notes: text,
                ..Default::default()
            };
            last_id = store.add_evidence(&new, now_ms()).map_err(|e| e.to_string())?.id;
        } else {
            store.update_evidence_field(&last_id, "notes", text.into(), now_ms()).map_err(|e| e.to_string())?;
        }
        // Printed only after the commit returned: every line is a promise the parent checks.
        writeln!(out, "ok {k} {last_id}").and_then(|_| out.flush()).map_err(|e| e.to_string())?;
    }
    Ok(())
}

struct Trial {
    /// Steps reported committed, with the note id each touched.
    reported: Vec<(u64, String)>,
    review: Option<String>,
}

fn run_trial(exe: &Path, db: &Path, rng: &mut fastrand::Rng) -> Result<Trial, String> {
    let mut child = Command::new(exe)
        .arg("child")
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start the child: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let kill_after = rng.u64(0..400);
    let extra_wait = Duration::from_micros(rng.u64(0..3000));
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut trial = Trial { reported: Vec::new(), review: None };
    let deadline = Instant::now() + Duration::from_secs(20);
    let record = |line: String, trial: &mut Trial| {
        let mut parts = line.split_whitespace();
        match (parts.next(), parts.next(), parts.next()) {
            (Some("review"), Some(id), None) => trial.review = Some(id.to_owned()),
            (Some("ok"), Some(k), Some(id)) => trial.reported.push((k.parse().unwrap_or(u64::MAX), id.to_owned())),
            _ => {}
        }
    };
    while (trial.reported.len() as u64) < kill_after && Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_secs(5)) {
            Ok(line) => record(line, &mut trial),
            Err(_) => break,
        }
    }
    std::thread::sleep(extra_wait);
    child.kill().map_err(|e| format!("kill failed: {e}"))?; // SIGKILL on Unix
    let _ = child.wait();
    let _ = reader.join();
    // Lines already in the pipe were printed before the kill: they are commitments too.
    for line in rx.try_iter() {
        record(line, &mut trial);
    }
    Ok(trial)
}

/// Reopens the store and checks it against what the child reported.
fn verify(db: &Path, trial: &Trial) -> Result<usize, String> {
    let store = Store::open(db).map_err(|e| format!("reopen failed: {e}"))?;
    if !store.integrity_ok().map_err(|e| e.to_string())? {
        return Err("PRAGMA integrity_check is not ok".into());
    }
    let ops = store.pending_batch(usize::MAX >> 1).map_err(|e| e.to_string())?.ops;
    if ops.iter().enumerate().any(|(i, op)| op.seq != i as u64 + 1) {
        return Err("outbox seq numbers are not contiguous from 1".into());
    }
    let Some(review) = &trial.review else { return Ok(0) };
    store.review(review).map_err(|e| format!("reported review missing: {e}"))?;
    let last_reported = trial.reported.last().map(|(k, _)| *k);
    for (k, id) in trial.reported.iter().filter(|(k, _)| k % 2 == 0) {
        let notes = store.evidence(id).map_err(|e| format!("step {k}: reported note missing: {e}"))?.notes;
        let edit_reported = last_reported.is_some_and(|last| *k < last);
        let ok = if edit_reported { notes == step_text(k + 1) } else { notes == step_text(*k) || notes == step_text(k + 1) };
        if !ok {
            return Err(format!("step {k}: note {id} holds '{notes}'"));
        }
    }
    Ok(trial.reported.len())
}

fn stress(trials: u32, seed: u64, dir: &Path) -> bool {
    let exe = std::env::current_exe().expect("own path");
    let mut rng = fastrand::Rng::with_seed(seed);
    let (mut failed, mut verified) = (0u32, 0usize);
    let started = Instant::now();
    for t in 0..trials {
        let db = dir.join(format!("trial-{t}.db"));
        let outcome = run_trial(&exe, &db, &mut rng).and_then(|trial| verify(&db, &trial));
        match outcome {
            Ok(n) => verified += n,
            Err(e) => {
                failed += 1;
                eprintln!("trial {t} (seed {seed}) FAILED: {e}; file kept at {}", db.display());
                continue;
            }
        }
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
    }
    println!(
        "{{\"trials\": {trials}, \"failed\": {failed}, \"committed_edits_verified\": {verified}, \"seed\": {seed}, \"seconds\": {:.1}}}",
        started.elapsed().as_secs_f64()
    );
    failed == 0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    match args.first().map(String::as_str) {
        Some("child") => {
            let db = PathBuf::from(args.get(1).expect("child DB_PATH"));
            if let Err(e) = child(&db) {
                eprintln!("child stopped: {e}");
                std::process::exit(1);
            }
        }
        Some("stress") => {
            let trials = flag("--trials").and_then(|v| v.parse().ok()).unwrap_or(1000);
            let seed = flag("--seed").and_then(|v| v.parse().ok()).unwrap_or_else(|| fastrand::u64(..));
            let tmp;
            let dir = match flag("--dir") {
                Some(d) => PathBuf::from(d),
                None => {
                    tmp = std::env::temp_dir().join(format!("qar-crash-{}", std::process::id()));
                    tmp
                }
            };
            std::fs::create_dir_all(&dir).expect("stress folder");
            let ok = stress(trials, seed, &dir);
            if ok {
                let _ = std::fs::remove_dir_all(&dir);
            }
            std::process::exit(if ok { 0 } else { 1 });
        }
        _ => {
            eprintln!("usage: qar-crash stress [--trials N] [--seed N] [--dir DIR] | qar-crash child DB_PATH");
            std::process::exit(2);
        }
    }
}
