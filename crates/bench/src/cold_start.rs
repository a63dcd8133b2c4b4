//! Cold start (issue 25 point 6): the built app launched again and again on a data folder holding
//! 10,000 notes, timed from the launch to the review list painted. The folder is seeded as the
//! app keeps it: the store encrypted under a random key wrapped with a passphrase (the app's mode
//! where no keychain works, as under Xvfb), a signed-in session, reviews with the workload's notes.
//! The app reports the painted list through its start-up probe (`QAR_STARTUP_PROBE`, see
//! `src-tauri/src/startup_probe.rs`), which writes the figures to a file and quits.

use crate::report::Row;
use anyhow::{bail, Context};
use qar_client::vault::{NoKeychain, Vault};
use qar_client::{NewReview, Session, SessionRole, Store};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The passphrase the seeded store's key is wrapped under (handed to the app as automation does).
const PASSPHRASE: &str = "cold-start-bench-passphrase";
/// Reviews the notes are spread over: a Lead Reviewer's laptop holds several.
const REVIEWS: usize = 5;
/// Longest wait for one launch to report; a start that takes this long has failed anyway.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(120);

/// What the app's probe writes (`StartupReport` in the shell).
#[derive(Debug, Deserialize)]
pub struct ProbeReport {
    pub review_list_drawn_unix_ms: u64,
    pub review_list_drawn_ms: f64,
    pub started_unix_ms: u64,
    pub marks: BTreeMap<String, f64>,
    pub webview_ms: f64,
    pub reviews: u32,
}

fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// A data folder as the app leaves it after a sign-in and `n` notes: the store file, its key file.
pub fn seed(data_dir: &Path, n: usize) -> anyhow::Result<()> {
    std::fs::create_dir_all(data_dir).with_context(|| format!("making {}", data_dir.display()))?;
    let path = data_dir.join(qar_client::client_store_file());
    let (key, _) = Vault::new(&path, Box::new(NoKeychain)).unlock(Some(PASSPHRASE))?;
    let mut store = Store::open_encrypted(&path, &key)?;
    let session = Session {
        user_id: uuid::Uuid::now_v7().to_string(),
        name: "Bench Lead Reviewer".into(),
        email: "bench.lead@example.org".into(),
        // Nothing listens there: the app starts offline, as on a train, and shows its store.
        server_url: "http://127.0.0.1:9".into(),
        roles: vec![SessionRole { role: "reviewer".into(), hub_id: None }],
        device_name: "bench laptop".into(),
        signed_in_at: chrono::Utc::now().to_rfc3339(),
    };
    store.save_session(&session, "bench-token")?;
    let mut ids = Vec::with_capacity(REVIEWS);
    for i in 0..REVIEWS {
        let review = NewReview {
            school_name: format!("Benchmark School {}", i + 1),
            school_urn: format!("9901{i:02}"),
            start_date: format!("2026-11-{:02}", 2 + 7 * i),
        };
        ids.push(store.create_review(&review, unix_ms())?.id);
    }
    let mut work = crate::workload::generate(n, "");
    for (i, note) in work.notes.iter_mut().enumerate() {
        note.review_id = ids[i % REVIEWS].clone();
        store.add_evidence(note, unix_ms())?;
    }
    // A laptop's notes, written over days, are in the search index (decision 120): no backlog
    // for the app's background pass to work through while it starts.
    store.catch_up_search_index()?;
    // Closing the last connection checkpoints the WAL, as a laptop's background checkpointer would have.
    drop(store);
    Ok(())
}

/// Xvfb on a display it picks itself (`-displayfd`), for the launches to share.
struct Display {
    child: Child,
    name: String,
}

impl Display {
    fn start() -> anyhow::Result<Display> {
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1400x1000x24", "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting Xvfb (Debian's package xvfb)")?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("Xvfb's output")?).read_line(&mut line)?;
        let number = line.trim();
        if number.is_empty() {
            let _ = child.kill();
            bail!("Xvfb did not say which display it took");
        }
        Ok(Display { name: format!(":{number}"), child })
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One launch: the Unix milliseconds just before it, and the app's report.
fn launch(app: &Path, display: &Display, data_dir: &Path, work: &Path, i: usize) -> anyhow::Result<(u64, ProbeReport)> {
    let probe = work.join(format!("probe-{i}.json"));
    let logs = work.join("logs");
    let before = unix_ms();
    let mut child = Command::new(app)
        .env("DISPLAY", &display.name)
        .env_remove("WAYLAND_DISPLAY")
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .env("QAR_DATA_DIR", data_dir)
        .env("QAR_STORE_PASSPHRASE", PASSPHRASE)
        .env("QAR_STARTUP_PROBE", &probe)
        .env("QAR_LOG_DIR", &logs)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("launching {}", app.display()))?;
    let waited = Instant::now();
    while !probe.exists() {
        if let Some(status) = child.try_wait()? {
            bail!("the app ended ({status}) without drawing the review list; its log is in {}", logs.display());
        }
        if waited.elapsed() > LAUNCH_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            bail!("no review list after {} s; the app's log is in {}", LAUNCH_TIMEOUT.as_secs(), logs.display());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let report: ProbeReport = serde_json::from_slice(&std::fs::read(&probe)?).context("reading the app's probe file")?;
    // The probe quits the app; give it a moment to close its store, then make sure it is gone.
    let closing = Instant::now();
    while child.try_wait()?.is_none() {
        if closing.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            let _ = child.wait();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok((before, report))
}

/// The store's part of a start, step by step, in this process: the passphrase's key derivation,
/// opening the store (migrations check, outbox upcast, attachment sweep) and the review list's
/// query, the first one after opening (pages not yet in the cache).
fn shell_steps(data_dir: &Path) -> anyhow::Result<Vec<Row>> {
    let path = data_dir.join(qar_client::client_store_file());
    let t = Instant::now();
    let (key, _) = Vault::new(&path, Box::new(NoKeychain)).unlock(Some(PASSPHRASE))?;
    let derive = t.elapsed();
    // The first open after the notes were written looks at their ops once; later starts do not.
    let t = Instant::now();
    drop(Store::open_encrypted(&path, &key)?);
    let first_open = t.elapsed();
    let t = Instant::now();
    let store = Store::open_encrypted(&path, &key)?;
    let open = t.elapsed();
    let t = Instant::now();
    let listed = store.list_reviews()?.len();
    let list = t.elapsed();
    let t = Instant::now();
    store.list_reviews()?;
    let again = t.elapsed();
    println!(
        "cold start, store steps: key derivation {derive:?}, open {open:?} (first after writing {first_open:?}), review list of {listed} {list:?} (again {again:?})"
    );
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Ok(vec![
        Row::new("cold start: passphrase key derivation (argon2id)", ms(derive), "ms", "–", None),
        Row::new("cold start: opening the encrypted store", ms(open), "ms", "–", None),
        Row::new("cold start: opening, first after the notes were written", ms(first_open), "ms", "–", None),
        Row::new("cold start: review list query, first after opening", ms(list), "ms", "–", None),
    ])
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// Seeds `n` notes, launches `app` `launches` times and gives p50/max rows plus where the time went.
pub fn measure(dir: &Path, app: &Path, n: usize, launches: usize) -> anyhow::Result<Vec<Row>> {
    if !app.is_file() {
        bail!("{} is not the built app: `npm --prefix ui run build && cargo build --release -p qar-app` first", app.display());
    }
    let work = dir.join("cold-start");
    let data_dir: PathBuf = work.join("data");
    let seeding = Instant::now();
    seed(&data_dir, n)?;
    println!("cold start: seeded {n} notes in {REVIEWS} reviews in {:.1} s", seeding.elapsed().as_secs_f64());
    let mut rows = shell_steps(&data_dir)?;
    let display = Display::start()?;
    let mut totals = Vec::with_capacity(launches);
    let mut steps: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for i in 0..launches {
        let (before, report) = launch(app, &display, &data_dir, &work, i)?;
        let total = report.review_list_drawn_unix_ms.saturating_sub(before) as f64;
        // Loading the binary and its libraries, before the shell's first line ran.
        let before_main = report.started_unix_ms.saturating_sub(before) as f64;
        println!(
            "cold start {}: {total:.0} ms to the list ({} reviews); shell {:.0} ms, before main {before_main:.0} ms, webview page {:.0} ms, steps {:?}",
            i + 1,
            report.reviews,
            report.review_list_drawn_ms,
            report.webview_ms,
            report.marks
        );
        if report.reviews as usize != REVIEWS {
            bail!("the app drew {} reviews, the store holds {REVIEWS}", report.reviews);
        }
        totals.push(total);
        for (step, at) in &report.marks {
            steps.entry(step.clone()).or_default().push(*at);
        }
        steps.entry("webview page to list painted".into()).or_default().push(report.webview_ms);
    }
    let max = totals.iter().copied().fold(0.0, f64::max);
    let p50 = median(&mut totals);
    let name = format!("cold start to review list drawn ({} notes)", group_thousands(n));
    let mut table = vec![
        Row::new(&format!("{name}, p50 ({launches} launches)"), p50, "ms", "≤ 1 s", Some(p50 <= 1000.0)),
        Row::new(&format!("{name}, max ({launches} launches)"), max, "ms", "≤ 1 s", Some(max <= 1000.0)),
    ];
    for (step, mut at) in steps {
        let label = if step.starts_with("webview") {
            format!("cold start: {step}, p50")
        } else {
            format!("cold start: {step}, p50 (ms after main)")
        };
        table.push(Row::new(&label, median(&mut at), "ms", "–", None));
    }
    table.append(&mut rows);
    Ok(table)
}

fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seeded_folder_opens_with_the_passphrase_and_holds_the_notes_and_a_session() {
        let dir = tempfile::tempdir().unwrap();
        seed(dir.path(), 12).unwrap();
        let path = dir.path().join(qar_client::client_store_file());
        let vault = Vault::new(&path, Box::new(NoKeychain));
        assert_eq!(vault.state(), qar_client::vault::VaultState::NeedsPassphrase, "a key file, as the app writes");
        let (key, _) = vault.unlock(Some(PASSPHRASE)).unwrap();
        let store = Store::open_encrypted(&path, &key).unwrap();
        assert!(store.session().unwrap().is_some());
        let reviews = store.list_reviews().unwrap();
        assert_eq!(reviews.len(), REVIEWS);
        let notes: usize = reviews.iter().map(|r| store.list_evidence(&r.id).unwrap().len()).sum();
        assert_eq!(notes, 12);
    }

    #[test]
    fn the_probe_report_the_app_writes_is_read() {
        let text = r#"{"started_unix_ms":1,"review_list_drawn_unix_ms":2,"review_list_drawn_ms":1.5,
            "marks":{"setup":0.5,"store_unlocked":1.0},"webview_ms":0.7,"reviews":5}"#;
        let r: ProbeReport = serde_json::from_str(text).unwrap();
        assert_eq!((r.reviews, r.marks.len()), (5, 2));
        assert_eq!(group_thousands(10_000), "10,000");
        assert_eq!(group_thousands(999), "999");
    }
}
