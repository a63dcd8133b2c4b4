//! `qar-bench`: measures the local store and sync and prints a table plus JSON.
//!   cargo run --release -p qar-bench -- [--with-anchor] [--n 10000] [--json out.json]
//!   qar-bench --link wifi|tether (as root): the sync rows over a shaped link (issue 25)
//!   qar-bench --cold-start --app target/release/qar-field [--launches 5]: launch to review list drawn
//!   qar-bench --stores [--database-url postgres://…/postgres] [--devices 2400]: the load test on
//!   SQLite, PostgreSQL with one instance and with two, side by side (issue 20)
//!   qar-bench --realistic [--with-anchor]: only the realistic workloads (issue 25): a Lead
//!   Reviewer's first sign-in on a new laptop, a day of a visit, the end-of-day push, 20 photos

mod anchor;
mod anchor_server;
mod cold_start;
mod counting;
mod laptop;
mod link;
mod load;
mod local;
mod profile;
mod realistic;
mod report;
mod stats;
mod stores;
mod sync;
mod workload;
mod yardstick;

use anyhow::Context;
use clap::Parser;

#[derive(Parser, Debug)]
#[command(about = "QAR Field benchmarks (local store, sync over loopback or a shaped link)")]
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
    /// Simulated devices in the load test (600 teams of four is every visit at once).
    #[arg(long, default_value_t = 2400)]
    devices: usize,
    /// Pushes per simulated device.
    #[arg(long, default_value_t = 3)]
    batches: usize,
    /// Safety cap on requests in flight during the load test.
    #[arg(long, default_value_t = 512)]
    in_flight: usize,
    /// Also run the PouchDB anchor (shared/anchors/pouchdb) and compare row by row.
    #[arg(long)]
    with_anchor: bool,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
    /// Only the load test on three set-ups, side by side: SQLite, PostgreSQL with one server
    /// instance, PostgreSQL with two (real qar-server processes beside this binary).
    #[arg(long)]
    stores: bool,
    /// With --stores: a PostgreSQL server on which the bench may make new databases
    /// (`postgres://USER@HOST:PORT/postgres`); start one with `scripts/pg-cluster.sh start`.
    #[arg(long, env = "QAR_TEST_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Only the realistic workloads (first sign-in, a day of a visit, the end-of-day push,
    /// photos), with the PouchDB anchor's figures beside them when --with-anchor is given.
    #[arg(long)]
    realistic: bool,
    /// Only the cold start: seeds `--n` notes into an app data folder and launches the built app
    /// (`--app`) `--launches` times under Xvfb, timing the launch to the review list drawn.
    #[arg(long)]
    cold_start: bool,
    /// With --cold-start: the built app (`$CARGO_TARGET_DIR/release/qar-field`). Given beside a
    /// full run (with or without --link), the cold start's rows join its table (10,000 notes).
    #[arg(long)]
    app: Option<std::path::PathBuf>,
    /// With --cold-start: how many launches.
    #[arg(long, default_value_t = 5)]
    launches: usize,
    /// Only run a profiling driver without the network: `push` (laptop → ServerStore),
    /// `pull` (push, then ServerStore pages → a fresh laptop store) or `save` (the field saves).
    #[arg(long)]
    profile: Option<String>,
    /// The link between laptops and server: `none` (loopback), `wifi` (school Wi-Fi, 10 Mbit/s,
    /// 40 ms round trip) or `tether` (phone tether, 1.5 Mbit/s, 150 ms, 1% loss). A link needs root.
    #[arg(long, default_value = "none")]
    link: String,
}

/// Puts the anchor's figure beside ours; `higher_better` for rates, `goal_ratio` when the goal
/// is "at least this many times the anchor".
fn attach(rows: &mut [report::Row], name_starts: &str, anchor: Option<f64>, higher_better: bool, goal_ratio: Option<f64>) {
    let Some(a) = anchor else { return };
    for r in rows.iter_mut().filter(|r| r.name.starts_with(name_starts)) {
        r.anchor = Some(a);
        let ratio = if higher_better {
            r.ours / a
        } else if r.ours > 0.0 {
            a / r.ours
        } else {
            f64::INFINITY
        };
        r.ratio = Some(ratio);
        if let Some(g) = goal_ratio {
            r.met = Some(ratio >= g);
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if cfg!(debug_assertions) {
        eprintln!("note: this is a debug build; run with --release for real numbers");
    }
    let dir = tempfile::tempdir().context("temp folder")?;
    if let Some(what) = &args.profile {
        // Field saves alone (`--saves`), for `perf record` and for their rows without the rest.
        if what == "save" {
            return finish(local::field_save(dir.path(), args.saves)?, args.json.as_deref());
        }
        return profile::run(what, dir.path(), args.n);
    }
    let profile = link::Profile::by_key(&args.link)?;
    let mut rows = Vec::new();
    if args.cold_start {
        let app = args.app.as_deref().context("--cold-start needs --app PATH, the built app (target/release/qar-field)")?;
        rows.extend(cold_start::measure(dir.path(), app, args.n, args.launches)?);
        return finish(rows, args.json.as_deref());
    }
    if args.stores {
        let cluster = args.database_url.as_deref().context(
            "--stores needs a PostgreSQL server: --database-url or QAR_TEST_DATABASE_URL (eval \"$(scripts/pg-cluster.sh start)\")",
        )?;
        rows.extend(stores::measure(dir.path(), cluster, args.devices, args.batches, args.in_flight).await?);
        return finish(rows, args.json.as_deref());
    }
    let link = match profile {
        Some(p) => Some(link::Link::setup(p).await?),
        None => None,
    };
    if let Some(l) = &link {
        rows.extend(l.measure_raw().await?);
    }
    if args.realistic {
        let (n, reps) = capped(&profile, args.n, args.reps);
        rows.extend(realistic_rows(dir.path(), args.with_anchor, link.as_ref(), n, reps).await?.0);
        return finish(rows, args.json.as_deref());
    }
    rows.extend(local::field_save(dir.path(), args.saves)?);
    rows.extend(local::search(dir.path(), args.n, args.queries)?);
    let (n, reps) = capped(&profile, args.n, args.reps);
    let server = match &link {
        Some(l) => l.start_server(&dir.path().join("server")).await?,
        None => sync::start_server(&dir.path().join("server")).await?,
    };
    rows.extend(sync::measure(&server, dir.path(), n, reps, profile.as_ref()).await?);
    if let Some(l) = &link {
        // The load test measures the server's capacity, which loopback shows. The PouchDB side of
        // a link run is our own driver (workloads.js) on express-pouchdb in the same namespace,
        // behind the same kind of proxy: its first sync of the same N and its live edits go beside
        // the sync rows.
        println!("over a link: the load test is not run (it measures server capacity; run without --link)");
        let (realistic, figures) = realistic_rows(dir.path(), args.with_anchor, Some(l), n, reps).await?;
        if let Some(f) = &figures {
            realistic::attach_sync(&mut rows, f);
        }
        rows.extend(realistic);
        rows.extend(cold_start_rows(dir.path(), &args)?);
        return finish(rows, args.json.as_deref());
    }
    let load_server = sync::start_server(&dir.path().join("load-server")).await?;
    rows.extend(load::measure(&load_server, args.devices, args.batches, args.in_flight, true).await?);
    let capacity_server = sync::start_server(&dir.path().join("capacity-server")).await?;
    rows.extend(load::measure(&capacity_server, args.devices, args.batches, 200, false).await?);
    // On loopback bench.js gives the anchor's first sync and live edits; workloads.js runs a
    // token first sync beside the realistic rows.
    rows.extend(realistic_rows(dir.path(), args.with_anchor, None, 100, 5).await?.0);
    if args.with_anchor {
        let a = anchor::run_anchor(args.n, args.reps, &dir.path().join("anchor.json"))?;
        attach(&mut rows, "initial push", a.push_docs_per_s, true, Some(10.0));
        attach(&mut rows, "initial pull of", a.pull_docs_per_s, true, Some(10.0));
        attach(&mut rows, "one changed record: HTTP requests", a.change_requests, false, None);
        attach(&mut rows, "one changed record: bytes", a.change_bytes, false, None);
        attach(&mut rows, "one changed record: sync latency p50", a.change_p50_ms, false, None);
        attach(&mut rows, "one changed record: sync latency p95", a.change_p95_ms, false, None);
        attach(&mut rows, "live propagation A → server → B, p50", a.live_p50_ms, false, None);
        attach(&mut rows, "live propagation A → server → B, p95", a.live_p95_ms, false, None);
    }
    rows.extend(cold_start_rows(dir.path(), &args)?);
    finish(rows, args.json.as_deref())
}

/// With `--app` beside a full run, the launch to the review list drawn with 10,000 notes (the
/// issue's figure, whatever `--n` the sync rows use); nothing without it.
fn cold_start_rows(dir: &std::path::Path, args: &Args) -> anyhow::Result<Vec<report::Row>> {
    match args.app.as_deref() {
        Some(app) => cold_start::measure(dir, app, 10_000, args.launches),
        None => Ok(Vec::new()),
    }
}

/// `--n` and `--reps` within what a link takes in a sensible run (a 10,000-note first sync is
/// ~25 MB: minutes on a phone tether, for PouchDB many more).
fn capped(profile: &Option<link::Profile>, n: usize, reps: usize) -> (usize, usize) {
    match profile {
        Some(p) if n > p.max_n || reps > p.max_reps => {
            let (n, reps) = (n.min(p.max_n), reps.min(p.max_reps));
            println!("over {}: sync rows with --n {n} --reps {reps} (the most this link takes in a sensible run)", p.describe());
            (n, reps)
        }
        _ => (n, reps),
    }
}

/// The realistic workloads on a server of their own and, with the anchor, on an express-pouchdb
/// server of its own: on loopback, or both inside the link's namespace behind its proxies. The
/// anchor also runs a first sync of `n` notes and `reps` live edits (its figures come back).
async fn realistic_rows(
    dir: &std::path::Path,
    with_anchor: bool,
    link: Option<&link::Link>,
    n: usize,
    reps: usize,
) -> anyhow::Result<(Vec<report::Row>, Option<realistic::AnchorFigures>)> {
    let label = link.map_or("loopback", |l| l.profile.key);
    let ours = match link {
        Some(l) => l.start_server(&dir.join("realistic-server")).await?,
        None => sync::start_server(&dir.join("realistic-server")).await?,
    };
    if !with_anchor {
        return Ok((realistic::measure_with_anchor(&ours, None, label, n, reps).await?.0, None));
    }
    let (prefix, host) = match link {
        Some(l) => (l.netns_prefix(), l.server_ip().to_string()),
        None => (Vec::new(), "127.0.0.1".to_owned()),
    };
    let anchor = anchor_server::AnchorServer::start(&prefix, &host, &dir.join("realistic-anchor"))?;
    let url = match link {
        Some(l) => anchor.url_via(&l.expose(anchor.port()).await?),
        None => anchor.url_via(""),
    };
    println!("anchor: express-pouchdb on port {} for the realistic workloads ({url})", anchor.port());
    let out = realistic::measure_with_anchor(&ours, Some((&anchor, &url)), label, n, reps).await?;
    let w = anchor.stats()?;
    println!("anchor server in all: {:.2} MB up, {:.2} MB down, {} requests", w.up as f64 / 1e6, w.down as f64 / 1e6, w.requests);
    Ok(out)
}

/// Prints the table and the JSON (and writes it to `json` when given).
fn finish(rows: Vec<report::Row>, json: Option<&std::path::Path>) -> anyhow::Result<()> {
    let report = report::Report { machine: report::machine(), date: chrono::Utc::now().to_rfc3339(), rows };
    report::print_table(&report);
    let text = serde_json::to_string_pretty(&report)?;
    println!("\n{text}");
    if let Some(path) = json {
        std::fs::write(path, &text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
