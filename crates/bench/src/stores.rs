//! The three-row benchmark (issue 20): the load test (every team syncing at once) against the
//! server on SQLite, on PostgreSQL with one instance, and on PostgreSQL with two instances
//! sharing the database, in one run, printed side by side. Every set-up is real `qar-server`
//! processes (the binary beside this one), so the two instances are two processes with their
//! own connections, as behind a load balancer; laptops are spread over the instances.

use crate::load;
use crate::report::Row;
use crate::sync::BENCH_USER;
use qar_server::{KeySource, ServerStore};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One `qar-server` process; killed when dropped.
struct Process {
    child: Child,
    url: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn server_binary() -> anyhow::Result<PathBuf> {
    let bin = std::env::current_exe()?.with_file_name(format!("qar-server{}", std::env::consts::EXE_SUFFIX));
    anyhow::ensure!(bin.exists(), "{} is missing: build the server beside the bench (cargo build --workspace --bins)", bin.display());
    Ok(bin)
}

async fn start(bin: &Path, data_dir: &Path, database_url: Option<&str>, key_hex: &str) -> anyhow::Result<Process> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut cmd = Command::new(bin);
    cmd.args(["--data-dir", &data_dir.display().to_string(), "--listen", &format!("127.0.0.1:{port}")])
        .env("QAR_SERVER_KEY", key_hex)
        .env("RUST_LOG", "qar_server=error")
        .env_remove("QAR_TEST_STORE")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match database_url {
        Some(url) => cmd.env("QAR_DATABASE_URL", url),
        None => cmd.env_remove("QAR_DATABASE_URL"),
    };
    let process = Process { child: cmd.spawn()?, url: format!("http://127.0.0.1:{port}") };
    let http = reqwest::Client::builder().timeout(Duration::from_secs(2)).build()?;
    let until = Instant::now() + Duration::from_secs(60);
    while Instant::now() < until {
        if http.get(format!("{}/v1/health", process.url)).send().await.is_ok_and(|r| r.status().is_success()) {
            return Ok(process);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("the server at {} did not answer within 60 s", process.url)
}

/// One set-up: `instances` processes on SQLite (`database` None, one only) or on a new
/// PostgreSQL database, loaded with the same test.
#[allow(clippy::too_many_arguments)] // the load's own four knobs plus the set-up's
async fn one_setup(
    dir: &Path,
    bin: &Path,
    database: Option<&str>,
    instances: usize,
    devices: usize,
    batches: usize,
    in_flight: usize,
) -> anyhow::Result<load::Outcome> {
    // A throwaway key for a throwaway store; both instances must share it (the audit chain).
    let key_hex = format!("{}{}", uuid::Uuid::now_v7().simple(), uuid::Uuid::now_v7().simple());
    let key = KeySource::Hex(key_hex.clone());
    let store = match database {
        Some(url) => ServerStore::open_postgres(url, &dir.join("bench-store"), &key)?,
        None => ServerStore::open_with(&dir.join("instance-0"), &key)?,
    };
    store.test_user(BENCH_USER, "Bea Bench", &[])?;
    let mut processes = Vec::with_capacity(instances);
    for i in 0..instances {
        processes.push(start(bin, &dir.join(format!("instance-{i}")), database, &key_hex).await?);
    }
    let urls: Vec<String> = processes.iter().map(|p| p.url.clone()).collect();
    load::run(&urls, &store, devices, batches, in_flight, true).await
}

/// The three rows, with `cluster` a PostgreSQL URL on which new databases may be made.
pub async fn measure(dir: &Path, cluster: &str, devices: usize, batches: usize, in_flight: usize) -> anyhow::Result<Vec<Row>> {
    let bin = server_binary()?;
    let mut outcomes = Vec::new();
    for (name, instances) in [("SQLite, one instance", 0), ("PostgreSQL, one instance", 1), ("PostgreSQL, two instances", 2)] {
        let setup_dir = dir.join(name.replace([',', ' '], "-"));
        let outcome = if instances == 0 {
            one_setup(&setup_dir, &bin, None, 1, devices, batches, in_flight).await?
        } else {
            let database = qar_server::store::pg_testkit::fresh_database(cluster)?;
            one_setup(&setup_dir, &bin, Some(&database), instances, devices, batches, in_flight).await?
        };
        outcomes.push((name, outcome));
    }
    println!("\n{devices} devices syncing once a second ({batches} pushes each), side by side:");
    println!("{:<28} {:>12} {:>12} {:>8} {:>12}", "store", "p50 push", "p99 push", "errors", "pushes/s");
    let mut rows = Vec::new();
    for (name, o) in &outcomes {
        let rate = o.pushes as f64 / o.elapsed_s;
        println!(
            "{name:<28} {:>12} {:>12} {:>8} {:>12}",
            format!("{:.1} ms", o.summary.p50_ms),
            format!("{:.1} ms", o.summary.p99_ms),
            o.errors,
            format!("{rate:.0}")
        );
        rows.push(Row::new(&format!("{name}, {devices} devices: p50 push"), o.summary.p50_ms, "ms", "report", None));
        rows.push(Row::new(&format!("{name}, {devices} devices: p99 push"), o.summary.p99_ms, "ms", "report", None));
        rows.push(Row::new(&format!("{name}, {devices} devices: errors"), o.errors as f64, "errors", "0", Some(o.errors == 0)));
    }
    Ok(rows)
}
