//! The same workloads on the PouchDB stack: exports our content (and the photo bytes our
//! server received) as JSON, runs `crates/bench/anchor/workloads.js` against an anchor server,
//! and reads its JSON.

use super::content::Content;
use super::ours::Ours;
use crate::anchor_server::AnchorServer;
use anyhow::{bail, Context};
use serde::Serialize;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// A photo as workloads.js attaches it: to the day's note `note`, from these files.
#[derive(Debug, Serialize, PartialEq)]
pub struct PhotoFile {
    pub index: usize,
    pub note: usize,
    pub photo: String,
    pub thumb: String,
}

#[derive(Debug, Serialize)]
pub struct Export<'a> {
    #[serde(flatten)]
    pub content: &'a Content,
    pub photos: Vec<PhotoFile>,
}

/// Writes the workload for workloads.js into `dir` (JSON plus one file per photo and thumbnail).
pub fn export(content: &Content, ours: &Ours, dir: &Path) -> anyhow::Result<std::path::PathBuf> {
    std::fs::create_dir_all(dir)?;
    let mut photos = Vec::new();
    for (i, ((photo, thumb), note)) in ours.photo_files.iter().zip(&ours.photo_notes).enumerate() {
        let p = dir.join(format!("photo-{:02}.jpg", i + 1));
        let t = dir.join(format!("photo-{:02}-thumb.jpg", i + 1));
        std::fs::write(&p, photo)?;
        std::fs::write(&t, thumb)?;
        photos.push(PhotoFile { index: i + 1, note: *note, photo: p.display().to_string(), thumb: t.display().to_string() });
    }
    let path = dir.join("workload.json");
    std::fs::write(&path, serde_json::to_vec(&Export { content, photos })?)?;
    Ok(path)
}

/// One of the anchor's measured workloads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Phase {
    pub seconds: f64,
    pub bytes: f64,
    pub requests: f64,
    pub docs: Option<f64>,
    pub ms: Vec<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnchorFigures {
    pub first_sign_in: Phase,
    pub day: Phase,
    pub end_of_day: Phase,
    pub photos_up: Phase,
    pub photos_down: Phase,
    pub first_sync_push: Phase,
    pub first_sync_pull: Phase,
    /// Per edit: bytes and requests are averages over the repetitions.
    pub live: Phase,
    /// One-off replications workloads.js started again after the link ended a connection.
    pub restarts: u64,
    /// Live edits that had not reached B within workloads.js's wait (the phase ended there).
    pub live_not_arrived: u64,
}

fn phase(v: &Value) -> anyhow::Result<Phase> {
    let num = |k: &str| v[k].as_f64().with_context(|| format!("the anchor's workload JSON has no number {k:?} in {v}"));
    Ok(Phase {
        seconds: v["s"].as_f64().unwrap_or(0.0),
        bytes: num("up")? + num("down")?,
        requests: num("requests")?,
        docs: v["docs"].as_f64(),
        ms: v["ms"].as_array().map(|a| a.iter().filter_map(Value::as_f64).collect()).unwrap_or_default(),
    })
}

/// Reads workloads.js's JSON.
pub fn parse(v: &Value) -> anyhow::Result<AnchorFigures> {
    Ok(AnchorFigures {
        first_sign_in: phase(&v["first_sign_in"])?,
        day: phase(&v["day"])?,
        end_of_day: phase(&v["end_of_day"])?,
        photos_up: phase(&v["photos_up"])?,
        photos_down: phase(&v["photos_down"])?,
        first_sync_push: phase(&v["first_sync_push"])?,
        first_sync_pull: phase(&v["first_sync_pull"])?,
        live: phase(&v["live"])?,
        restarts: v["restarts"].as_u64().unwrap_or(0),
        live_not_arrived: v["live_not_arrived"].as_u64().unwrap_or(0),
    })
}

/// Runs workloads.js against `url` (the address the driver uses, perhaps through a link's proxy).
pub fn run(server: &AnchorServer, url: &str, workload: &Path, n: usize, reps: usize, json_out: &Path) -> anyhow::Result<AnchorFigures> {
    let work = crate::anchor::prepare()?;
    println!("anchor: node workloads.js --url {url} (a minute or two)");
    let status = Command::new("node")
        .arg("workloads.js")
        .args(["--url", url, "--stats", &server.stats_url(), "--n", &n.to_string(), "--reps", &reps.to_string()])
        .arg("--workload")
        .arg(workload)
        .arg("--json-out")
        .arg(json_out)
        .current_dir(&work)
        .status()
        .context("could not start node for the anchor's workloads")?;
    if !status.success() {
        bail!("the anchor's workloads failed ({status})");
    }
    let v: Value = serde_json::from_str(&std::fs::read_to_string(json_out)?).context("reading the anchor's workload JSON")?;
    parse(&v)
}
