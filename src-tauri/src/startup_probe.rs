//! The cold-start probe (issue 25): how long a start takes, from the process starting to the
//! review list on screen. The shell notes when it started and when the store opened; the UI
//! tells it (`startup_drawn`) once the review list has been painted the first time. Normally
//! that only goes into the log. With `QAR_STARTUP_PROBE=FILE` (the bench's `--cold-start`) the
//! figures are also written to FILE as JSON and the app quits, so a bench can launch it again
//! and again; nobody else sets the variable, so nothing changes for the people using the app.
//! The same report also starts the background sync (`background.rs`): the list comes first.

use crate::error::IpcError;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use tauri::{AppHandle, Runtime, State};

/// Where the figures go, when set; the app quits once they are written.
pub const PROBE_ENV: &str = "QAR_STARTUP_PROBE";

/// What the probe file holds. Times are milliseconds after the shell's first line ran (`main`),
/// and the same instant as Unix time, so a launcher can add what came before `main` (loading
/// the binary and its libraries) from its own clock.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StartupReport {
    /// When the shell's first line ran, in Unix milliseconds.
    pub started_unix_ms: u64,
    /// When the UI reported the review list painted, in Unix milliseconds.
    pub review_list_drawn_unix_ms: u64,
    /// From the shell's first line to the review list painted.
    pub review_list_drawn_ms: f64,
    /// Steps on the way, each measured from the shell's first line (`setup`, `store_unlocked`).
    pub marks: BTreeMap<String, f64>,
    /// The webview's own clock (`performance.now()`) when the list was painted: time since the
    /// page started loading.
    pub webview_ms: f64,
    /// Reviews in the list that was drawn.
    pub reviews: u32,
}

/// Managed from start-up on: the start instant, the steps seen so far, and where to report.
pub struct StartupProbe {
    started: Instant,
    started_unix_ms: u64,
    marks: Mutex<BTreeMap<String, f64>>,
    file: Option<PathBuf>,
    exit_when_written: bool,
    reported: AtomicBool,
    /// True once the UI has drawn the review list. The background sync waits for it (or for
    /// [`FIRST_SYNC_GRACE`]): its first run builds a push batch under the store's lock, and a
    /// laptop back from days offline has thousands of ops to read, so a start that synced first
    /// kept the list waiting for the store.
    list_drawn: tokio::sync::watch::Sender<bool>,
}

/// Longest the first sync waits for the list to be drawn (a window showing the sign-in or the
/// unlock screen draws no list, and must not keep the laptop from syncing for long).
pub const FIRST_SYNC_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl StartupProbe {
    /// Starts the clock now. `file`: where to write the report; `exit_when_written`: quit after.
    pub fn begin(file: Option<PathBuf>, exit_when_written: bool) -> StartupProbe {
        StartupProbe {
            started: Instant::now(),
            started_unix_ms: unix_ms(),
            marks: Mutex::new(BTreeMap::new()),
            file,
            exit_when_written,
            reported: AtomicBool::new(false),
            list_drawn: tokio::sync::watch::Sender::new(false),
        }
    }

    /// Waits until the review list has been drawn, at most `at_most`; true when it was drawn.
    /// The future owns what it needs, so a task can keep it after the state is borrowed.
    pub fn list_drawn(&self, at_most: std::time::Duration) -> impl std::future::Future<Output = bool> + Send + 'static {
        let mut drawn = self.list_drawn.subscribe();
        async move { matches!(tokio::time::timeout(at_most, drawn.wait_for(|d| *d)).await, Ok(Ok(_))) }
    }

    /// As the app runs it: a file (and quitting) only when `QAR_STARTUP_PROBE` names one.
    pub fn from_env() -> StartupProbe {
        let file = std::env::var_os(PROBE_ENV).filter(|f| !f.is_empty()).map(PathBuf::from);
        let exit = file.is_some();
        StartupProbe::begin(file, exit)
    }

    fn since_start_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }

    /// Notes that a step of the start was reached now.
    pub fn mark(&self, step: &str) {
        let at = self.since_start_ms();
        self.marks.lock().unwrap_or_else(|p| p.into_inner()).insert(step.to_owned(), at);
    }

    /// The report for a list painted now; `None` after the first (only the first draw is a start).
    fn drawn(&self, reviews: u32, webview_ms: f64) -> Option<StartupReport> {
        self.list_drawn.send_replace(true);
        if self.reported.swap(true, Ordering::SeqCst) {
            return None;
        }
        Some(StartupReport {
            started_unix_ms: self.started_unix_ms,
            review_list_drawn_unix_ms: unix_ms(),
            review_list_drawn_ms: self.since_start_ms(),
            marks: self.marks.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            webview_ms,
            reviews,
        })
    }
}

/// Written beside and renamed into place, so whoever waits for the file never reads half of it.
fn write_report(path: &Path, report: &StartupReport) -> std::io::Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, serde_json::to_vec_pretty(report).map_err(std::io::Error::other)?)?;
    std::fs::rename(&partial, path)
}

/// The UI painted the review list (called once per start, after the frame with the list).
#[tauri::command]
pub fn startup_drawn<R: Runtime>(app: AppHandle<R>, probe: State<'_, StartupProbe>, reviews: u32, webview_ms: f64) -> Result<(), IpcError> {
    let Some(report) = probe.drawn(reviews, webview_ms) else { return Ok(()) };
    // In the message: the log writes only allow-listed fields (it keeps review text out).
    tracing::info!(
        "review list of {} reviews drawn {:.0} ms after start (steps: {:?}; the page began loading {:.0} ms before)",
        report.reviews,
        report.review_list_drawn_ms,
        report.marks,
        report.webview_ms
    );
    let Some(path) = &probe.file else { return Ok(()) };
    write_report(path, &report).map_err(|e| {
        IpcError::new(qar_core::ErrorCode::Internal, &format!("The start-up figures could not be written to {}: {e}", path.display()))
    })?;
    if probe.exit_when_written {
        app.exit(0);
    }
    Ok(())
}
