//! Runs the PouchDB ⇄ express-pouchdb anchor (`shared/anchors/pouchdb`) in the same run and
//! reads its JSON. The anchor is copied to a cache folder first, so nothing is written into
//! shared/ and its npm packages are installed once per machine.

use anyhow::{bail, Context};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The anchor's figures for the rows we compare.
#[derive(Debug, Clone, Default)]
pub struct Anchor {
    pub push_docs_per_s: Option<f64>,
    /// Best of the anchor's fresh-client pulls (it tries two batch sizes).
    pub pull_docs_per_s: Option<f64>,
    pub change_requests: Option<f64>,
    pub change_bytes: Option<f64>,
    pub change_p50_ms: Option<f64>,
    pub change_p95_ms: Option<f64>,
    pub live_p50_ms: Option<f64>,
    pub live_p95_ms: Option<f64>,
}

fn source_dir() -> anyhow::Result<PathBuf> {
    if let Some(d) = std::env::var_os("QAR_ANCHOR_DIR") {
        return Ok(PathBuf::from(d));
    }
    // crates/bench → repo root → ../shared (CI clones the repo beside shared/).
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join("../shared/anchors/pouchdb");
    if dir.join("bench.js").exists() {
        Ok(dir)
    } else {
        bail!("the PouchDB anchor was not found at {} (set QAR_ANCHOR_DIR)", dir.display())
    }
}

fn work_dir() -> PathBuf {
    let base = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    base.join(".cache/qar-field/pouchdb-anchor")
}

fn run(cmd: &mut Command, what: &str) -> anyhow::Result<()> {
    let status = cmd.status().with_context(|| format!("could not start {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// Our own scripts for the anchor's packages (`crates/bench/anchor`): the server for the
/// realistic workloads and runs over a link, and the workloads themselves.
const OUR_SCRIPTS: [&str; 2] = ["serve.js", "workloads.js"];

/// Copies the anchor and our scripts beside it, installs its packages if its lock file changed;
/// returns the folder to run them in (its `node_modules` holds PouchDB and express-pouchdb).
pub fn prepare() -> anyhow::Result<PathBuf> {
    let src = source_dir()?;
    let work = work_dir();
    std::fs::create_dir_all(&work)?;
    for f in ["bench.js", "docs.js", "server.js", "sqlite_bench.py", "package.json", "package-lock.json"] {
        copy_over(&src.join(f), &work.join(f))?;
    }
    let ours = Path::new(env!("CARGO_MANIFEST_DIR")).join("anchor");
    for f in OUR_SCRIPTS {
        copy_over(&ours.join(f), &work.join(f))?;
    }
    let stamp = work.join("node_modules/.package-lock.json");
    let lock_newer = std::fs::metadata(work.join("package-lock.json"))
        .and_then(|l| Ok(l.modified()? > std::fs::metadata(&stamp)?.modified()?))
        .unwrap_or(true);
    if lock_newer {
        println!("anchor: npm ci in {}", work.display());
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(&work), "npm ci for the anchor")?;
    }
    Ok(work)
}

/// Copies a file over an older copy, which may be read-only (shared/ is checked out read-only).
/// A copy that is already the same is left alone, so the lock file keeps its time and the
/// packages are not installed again on every run.
fn copy_over(from: &Path, to: &Path) -> anyhow::Result<()> {
    let wanted = std::fs::read(from).with_context(|| format!("reading {}", from.display()))?;
    if std::fs::read(to).is_ok_and(|have| have == wanted) {
        return Ok(());
    }
    if to.exists() {
        std::fs::remove_file(to).with_context(|| format!("replacing {}", to.display()))?;
    }
    std::fs::copy(from, to).with_context(|| format!("copying {}", from.display()))?;
    Ok(())
}

/// Copies the anchor, installs its packages if its lock file changed, runs it, parses its JSON.
pub fn run_anchor(n: usize, reps: usize, json_out: &Path) -> anyhow::Result<Anchor> {
    let work = prepare()?;
    println!("anchor: node bench.js --n {n} (about a minute)");
    run(
        Command::new("node")
            .args(["bench.js", "--n", &n.to_string(), "--reps", &reps.min(50).to_string(), "--json-out"])
            .arg(json_out)
            .current_dir(&work),
        "the PouchDB anchor",
    )?;
    let v: Value = serde_json::from_str(&std::fs::read_to_string(json_out)?).context("reading the anchor's JSON")?;
    Ok(parse(&v))
}

pub(crate) fn percentile(ms: &[f64], p: f64) -> Option<f64> {
    let mut v: Vec<f64> = ms.to_vec();
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((p / 100.0) * v.len() as f64).ceil() as usize;
    Some(v[i.clamp(1, v.len()) - 1])
}

pub fn parse(v: &Value) -> Anchor {
    let rate = |row: &Value| Some(row["docs"].as_f64()? / row["s"].as_f64()?);
    let rows = v["throughput"].as_array().cloned().unwrap_or_default();
    let phase = |row: &Value, prefix: &str| row["phase"].as_str().is_some_and(|p| p.starts_with(prefix));
    let lat = v["latency"].as_array().cloned().unwrap_or_default();
    let find = |prefix: &str| lat.iter().find(|l| l["what"].as_str().is_some_and(|w| w.starts_with(prefix))).cloned();
    let samples = |l: &Value| l["ms"].as_array().map(|a| a.iter().filter_map(Value::as_f64).collect::<Vec<_>>()).unwrap_or_default();
    let one = find("2 ");
    let live = find("4b");
    Anchor {
        push_docs_per_s: rows.iter().find(|r| phase(r, "1 ")).and_then(rate),
        pull_docs_per_s: rows.iter().filter(|r| phase(r, "3 ")).filter_map(rate).reduce(f64::max),
        change_requests: one.as_ref().and_then(|l| l["bytes"]["requests"].as_f64()),
        change_bytes: one.as_ref().and_then(|l| Some(l["bytes"]["up"].as_f64()? + l["bytes"]["down"].as_f64()?)),
        change_p50_ms: one.as_ref().and_then(|l| percentile(&samples(l), 50.0)),
        change_p95_ms: one.as_ref().and_then(|l| percentile(&samples(l), 95.0)),
        live_p50_ms: live.as_ref().and_then(|l| percentile(&samples(l), 50.0)),
        live_p95_ms: live.as_ref().and_then(|l| percentile(&samples(l), 95.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_anchor_json_shape() {
        let v = json!({
            "throughput": [
                {"phase": "0 local seed (bulkDocs x1000)", "docs": 10000, "s": 0.7},
                {"phase": "1 initial push (batch_size 100)", "docs": 10000, "s": 4.0},
                {"phase": "3 initial pull, fresh client (batch_size 100)", "docs": 10000, "s": 4.0},
                {"phase": "3 initial pull, fresh client (batch_size 1000)", "docs": 10000, "s": 2.5}
            ],
            "latency": [
                {"what": "2 one-shot push after 1 local change (full replicate() call)", "ms": [10.0, 12.0, 20.0], "bytes": {"up": 4500, "down": 3000, "requests": 7}},
                {"what": "4b live: put on client A -> written on client B (via server)", "ms": [13.0, 15.0], "bytes": null}
            ]
        });
        let a = parse(&v);
        assert_eq!(a.push_docs_per_s, Some(2500.0));
        assert_eq!(a.pull_docs_per_s, Some(4000.0), "the better of the two pulls");
        assert_eq!((a.change_requests, a.change_bytes), (Some(7.0), Some(7500.0)));
        assert_eq!((a.change_p50_ms, a.change_p95_ms), (Some(12.0), Some(20.0)));
        assert_eq!(a.live_p95_ms, Some(15.0));
    }
}
