//! `qar-bench`: measures the local store and sync and prints a table plus JSON.
//!   cargo run --release -p qar-bench -- [--n 10000] [--saves 10000] [--json out.json]

mod counting;
mod local;
mod report;
mod stats;
mod sync;
mod workload;

use anyhow::Context;
use clap::Parser;

#[derive(Parser, Debug)]
#[command(about = "QAR Field benchmarks (local store, sync over loopback)")]
struct Args {
    /// Evidence notes in the synthetic workload (about 2 KB each).
    #[arg(long, default_value_t = 10_000)]
    n: usize,
    /// Field saves timed for the save-latency measure.
    #[arg(long, default_value_t = 10_000)]
    saves: usize,
    /// Searches timed over the workload.
    #[arg(long, default_value_t = 500)]
    queries: usize,
    /// Repetitions of the one-changed-record measure.
    #[arg(long, default_value_t = 100)]
    reps: usize,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if cfg!(debug_assertions) {
        eprintln!("note: this is a debug build; run with --release for real numbers");
    }
    let dir = tempfile::tempdir().context("temp folder")?;
    let mut rows = Vec::new();
    rows.extend(local::field_save(dir.path(), args.saves)?);
    rows.extend(local::search(dir.path(), args.n, args.queries)?);
    rows.extend(sync::measure(dir.path(), args.n, args.reps).await?);
    let report = report::Report { machine: report::machine(), date: chrono::Utc::now().to_rfc3339(), rows };
    report::print_table(&report);
    let json = serde_json::to_string_pretty(&report)?;
    println!("\n{json}");
    if let Some(path) = args.json {
        std::fs::write(&path, &json).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
