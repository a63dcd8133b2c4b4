//! Realistic work on both sides (issue 25 point 2): a Lead Reviewer's first sign-in on a new
//! laptop, a day of a visit synced as it is made, the end-of-day push after a day offline, and
//! 20 photos up and down, each with its time, bytes on the wire and requests, and the PouchDB
//! anchor's figures for the same content beside ours when an anchor server is given.

mod anchor_side;
mod content;
mod ours;
mod photos;
mod team;

pub use anchor_side::AnchorFigures;
pub use ours::Wire;

use crate::anchor_server::AnchorServer;
use crate::report::Row;
use crate::stats::summarize;
use crate::sync::Server;

/// Runs the workloads on `ours` and, with `anchor` (its server and the URL the driver uses),
/// on the PouchDB stack; `label` names the link in every row (`loopback`, `wifi`, …). Also hands
/// back the anchor's figures: its first sync of `anchor_n` notes and `anchor_reps` live edits go
/// beside the sync rows of the same link (the same N as ours).
pub async fn measure_with_anchor(
    ours: &Server,
    anchor: Option<(&AnchorServer, &str)>,
    label: &str,
    anchor_n: usize,
    anchor_reps: usize,
) -> anyhow::Result<(Vec<Row>, Option<AnchorFigures>)> {
    let dir = tempfile::tempdir()?;
    let content = content::generate_content();
    let measured = ours::run(ours, &content, dir.path()).await?;
    let figures = match anchor {
        Some((server, url)) => {
            let workload = anchor_side::export(&content, &measured, &dir.path().join("anchor-workload"))?;
            let a = anchor_side::run(server, url, &workload, anchor_n, anchor_reps, &dir.path().join("anchor-workloads.json"))?;
            let rate = |p: &anchor_side::Phase| p.docs.unwrap_or(0.0) / p.seconds.max(f64::EPSILON);
            println!(
                "anchor [{label}]: {anchor_n}-note first sync: push {:.0} docs/s ({:.2} MB), fresh pull {:.0} docs/s ({:.2} MB); live edit A → server → B p50 {:.1} ms, p95 {:.1} ms",
                rate(&a.first_sync_push),
                a.first_sync_push.bytes / 1e6,
                rate(&a.first_sync_pull),
                a.first_sync_pull.bytes / 1e6,
                crate::anchor::percentile(&a.live.ms, 50.0).unwrap_or(f64::NAN),
                crate::anchor::percentile(&a.live.ms, 95.0).unwrap_or(f64::NAN),
            );
            if a.restarts > 0 || a.live_not_arrived > 0 {
                println!(
                    "anchor [{label}]: {} one-off replications started again after the link ended a connection; {} live edits never reached B",
                    a.restarts, a.live_not_arrived
                );
            }
            Some(a)
        }
        None => None,
    };
    Ok((rows(&measured, figures.as_ref(), label), figures))
}

/// Times are better when smaller: the ratio is anchor ÷ ours.
fn beside(mut row: Row, anchor: Option<f64>) -> Row {
    if let Some(a) = anchor {
        row.anchor = Some(a);
        row.ratio = Some(if row.ours > 0.0 { a / row.ours } else { f64::INFINITY });
    }
    row
}

fn p95(ms: &[f64]) -> Option<f64> {
    let mut d: Vec<std::time::Duration> = ms.iter().map(|m| std::time::Duration::from_secs_f64(m / 1000.0)).collect();
    (!d.is_empty()).then(|| summarize(&mut d).p95_ms)
}

fn rows(m: &ours::Ours, a: Option<&AnchorFigures>, label: &str) -> Vec<Row> {
    let name = |what: &str| format!("[{label}] {what}");
    let bytes = |w: &Wire| w.bytes() as f64;
    let mut out = Vec::new();
    // Usable: the review list and the first review's notes readable on the new laptop.
    let s = m.first_sign_in.seconds;
    let mut row = beside(
        Row::new(&name("LR's first sign-in → usable laptop"), s, "s", "≤ 3 s on Wi-Fi, ≥ 5× PouchDB", None),
        a.map(|a| a.first_sign_in.seconds),
    );
    row.met = Some(s <= 3.0 && row.ratio.is_none_or(|r| r >= 5.0));
    out.push(row);
    out.push(beside(
        Row::new(&name("… first sign-in: bytes on the wire"), bytes(&m.first_sign_in.wire), "B", "report", None),
        a.map(|a| a.first_sign_in.bytes),
    ));
    out.push(beside(
        Row::new(&name("… first sign-in: HTTP requests"), m.first_sign_in.wire.requests as f64, "req", "report", None),
        a.map(|a| a.first_sign_in.requests),
    ));

    let each: Vec<f64> = m.day.each.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    out.push(beside(
        Row::new(&name("day of a visit (40 notes, 60 edits, each synced): p95 per sync"), p95(&each).unwrap_or(0.0), "ms", "report", None),
        a.and_then(|a| p95(&a.day.ms)),
    ));
    out.push(beside(
        Row::new(&name("… day of a visit: bytes on the wire"), bytes(&m.day.wire), "B", "report", None),
        a.map(|a| a.day.bytes),
    ));
    out.push(beside(
        Row::new(&name("… day of a visit: HTTP requests"), m.day.wire.requests as f64, "req", "report", None),
        a.map(|a| a.day.requests),
    ));

    let s = m.end_of_day.seconds;
    out.push(beside(
        Row::new(&name("end-of-day push after a day offline (100 changes)"), s, "s", "≤ 10 s on the tether", Some(s <= 10.0)),
        a.map(|a| a.end_of_day.seconds),
    ));
    out.push(beside(
        Row::new(&name("… end-of-day push: bytes on the wire"), bytes(&m.end_of_day.wire), "B", "report", None),
        a.map(|a| a.end_of_day.bytes),
    ));
    out.push(beside(
        Row::new(&name("… end-of-day push: HTTP requests"), m.end_of_day.wire.requests as f64, "req", "report", None),
        a.map(|a| a.end_of_day.requests),
    ));

    out.push(beside(
        Row::new(&name("20 photos of ~400 KB: time up"), m.photos_up.seconds, "s", "report", None),
        a.map(|a| a.photos_up.seconds),
    ));
    out.push(beside(
        Row::new(&name("… photos up: bytes on the wire"), bytes(&m.photos_up.wire), "B", "report", None),
        a.map(|a| a.photos_up.bytes),
    ));
    out.push(Row::new(&name("20 photos: thumbnails down to a colleague (the list)"), m.thumbnails_down.seconds, "s", "report", None));
    out.push(Row::new(&name("… thumbnails down: bytes on the wire"), bytes(&m.thumbnails_down.wire), "B", "report", None));
    // PouchDB pulls photos with their notes: its one figure is beside thumbnails + originals.
    let down = m.thumbnails_down.seconds + m.photos_down.seconds;
    out.push(beside(
        Row::new(&name("20 photos: thumbnails then originals down"), down, "s", "report", None),
        a.map(|a| a.photos_down.seconds),
    ));
    out.push(beside(
        Row::new(
            &name("… photos down: bytes on the wire"),
            bytes(&m.thumbnails_down.wire) + bytes(&m.photos_down.wire),
            "B",
            "report",
            None,
        ),
        a.map(|a| a.photos_down.bytes),
    ));
    // Requests: ours one per file (and per part), PouchDB's per replication.
    out.push(beside(
        Row::new(
            &name("… photos up and down: HTTP requests"),
            (m.photos_up.wire.requests + m.thumbnails_down.wire.requests + m.photos_down.wire.requests) as f64,
            "req",
            "report",
            None,
        ),
        a.map(|a| a.photos_up.requests + a.photos_down.requests),
    ));
    for r in &mut out {
        // Bytes and requests: fewer is better, as for times.
        if r.unit != "s" && r.unit != "ms" {
            if let (Some(an), true) = (r.anchor, r.ours > 0.0) {
                r.ratio = Some(an / r.ours);
            }
        }
    }
    out
}

/// Puts the anchor's 10,000-note first sync and live edit beside our sync rows of the same run
/// (`sync.rs`'s names), for runs where bench.js does not run (over a link: the link's runs call
/// it when the streams of issue 25 are wired together; on loopback bench.js gives these).
pub fn attach_sync(rows: &mut [Row], a: &AnchorFigures) {
    let rate = |p: &anchor_side::Phase| p.docs.filter(|_| p.seconds > 0.0).map(|d| d / p.seconds);
    for r in rows.iter_mut() {
        let (anchor, higher_better) = if r.name.starts_with("initial push") {
            (rate(&a.first_sync_push), true)
        } else if r.name.starts_with("initial pull of") {
            (rate(&a.first_sync_pull), true)
        } else if r.name.starts_with("live propagation A → server → B, p50") {
            (crate::anchor::percentile(&a.live.ms, 50.0), false)
        } else if r.name.starts_with("live propagation A → server → B, p95")
            || r.name.starts_with("one edit reaching a colleague's laptop, p95")
        {
            (crate::anchor::percentile(&a.live.ms, 95.0), false)
        } else {
            (None, false)
        };
        if let Some(an) = anchor {
            r.anchor = Some(an);
            r.ratio = Some(if higher_better {
                r.ours / an
            } else if r.ours > 0.0 {
                an / r.ours
            } else {
                f64::INFINITY
            });
        }
    }
}

#[cfg(test)]
mod tests;
