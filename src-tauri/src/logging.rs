//! The log file a person can send to support (issue 21): a daily-rotating file in the OS log
//! folder (Tauri's `app_log_dir`: `~/.local/share/<id>/logs`, `~/Library/Logs/<id>`,
//! `%LOCALAPPDATA%\<id>\logs`), seven days kept.
//!
//! No review text and no names go in: the code logs codes, counts and ids, never content, and
//! this layer is the backstop: only fields on `ALLOWED_FIELDS` are written, any other field's
//! value is replaced, so a future `info!(school = %name)` cannot leak a school's name into a file
//! that gets e-mailed. The test `log_file.rs` drives a real session and searches the file.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::{Context, Layer};

/// Environment override of the log folder (tests).
pub const LOG_DIR_ENV: &str = "QAR_LOG_DIR";
/// Log files are `qar-field.<date>.log`.
pub const LOG_FILE_PREFIX: &str = "qar-field";
const KEPT_FILES: usize = 7;
/// Warnings and errors kept in memory for "Copy diagnostics".
const RECENT_PROBLEMS: usize = 20;

/// The home folder's path, replaced by `~` in every line: a folder is often named after its owner.
fn home_dir() -> Option<String> {
    std::env::var("HOME").or_else(|_| std::env::var("USERPROFILE")).ok().filter(|h| h.len() > 1)
}

/// `text` with the home folder written as `~` (paths in the log and the diagnostics).
pub fn without_home(text: &str) -> String {
    match home_dir() {
        Some(home) => text.replace(&home, "~"),
        None => text.to_owned(),
    }
}

/// Field names whose values are codes, counts, ids, versions or paths, never what people wrote.
const ALLOWED_FIELDS: &[&str] =
    &["message", "code", "status", "ops", "ahead_ms", "protection", "version", "data_dir", "server", "entity", "id", "field", "count"];

#[derive(Default)]
struct Shared {
    file: Option<RollingFileAppender>,
    dir: Option<PathBuf>,
    recent: VecDeque<String>,
}

/// The layer and the app's handle on it share this; `attach` opens the file once the app knows
/// its log folder (events before that go to standard error only).
#[derive(Clone, Default)]
pub struct LogFile(Arc<Mutex<Shared>>);

impl LogFile {
    fn shared(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts writing to `dir` (created if missing).
    pub fn attach(&self, dir: &Path) -> Result<(), String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("could not create the log folder {}: {e}", dir.display()))?;
        let file = RollingFileAppender::builder()
            .rotation(Rotation::DAILY)
            .filename_prefix(LOG_FILE_PREFIX)
            .filename_suffix("log")
            .max_log_files(KEPT_FILES)
            .build(dir)
            .map_err(|e| format!("could not open a log file in {}: {e}", dir.display()))?;
        let mut shared = self.shared();
        shared.file = Some(file);
        shared.dir = Some(dir.to_owned());
        Ok(())
    }

    pub fn dir(&self) -> Option<PathBuf> {
        self.shared().dir.clone()
    }

    /// The latest warnings and errors, oldest first.
    pub fn recent_problems(&self) -> Vec<String> {
        self.shared().recent.iter().cloned().collect()
    }

    /// The last `lines` lines of the newest log file.
    pub fn tail(&self, lines: usize) -> Vec<String> {
        let Some(dir) = self.dir() else { return Vec::new() };
        let newest = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(LOG_FILE_PREFIX))
            .max_by_key(|e| e.file_name());
        let Some(text) = newest.and_then(|e| std::fs::read_to_string(e.path()).ok()) else { return Vec::new() };
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].iter().map(|l| (*l).to_owned()).collect()
    }
}

/// Collects an event's message and its allowed fields into one line.
#[derive(Default)]
struct Line {
    message: String,
    fields: String,
}

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let name = field.name();
        if name == "message" {
            let _ = write!(self.message, "{value:?}");
        } else if ALLOWED_FIELDS.contains(&name) {
            let _ = write!(self.fields, " {name}={value:?}");
        } else {
            let _ = write!(self.fields, " {name}=[not logged]");
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if ALLOWED_FIELDS.contains(&field.name()) && field.name() != "message" {
            let _ = write!(self.fields, " {}={value}", field.name());
        } else {
            self.record_debug(field, &value);
        }
    }
}

impl<S: Subscriber> Layer<S> for LogFile {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let mut line = Line::default();
        event.record(&mut line);
        let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ");
        let text = without_home(&format!("{now} {:<5} {}: {}{}", meta.level(), meta.target(), line.message, line.fields));
        let mut shared = self.shared();
        if *meta.level() <= Level::WARN {
            if shared.recent.len() == RECENT_PROBLEMS {
                shared.recent.pop_front();
            }
            shared.recent.push_back(text.clone());
        }
        if let Some(file) = shared.file.as_mut() {
            // A full disk must not take the app down with it: the line is lost, the work is not.
            let _ = writeln!(file, "{text}");
        }
    }
}

/// Installs standard error output (as before, `RUST_LOG` overrides) and the file layer (the
/// app's own events at info, everyone else's warnings). Returns the handle `attach` opens.
pub fn init() -> LogFile {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::EnvFilter;
    let log = LogFile::default();
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "qar=info".into()));
    let file = log.clone().with_filter(EnvFilter::new("warn,qar=info"));
    // Already set (an embedding test harness): keep theirs, the file layer is optional.
    let _ = tracing_subscriber::registry().with(stderr).with(file).try_init();
    log
}
