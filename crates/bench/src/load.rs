//! Every visiting team at once: 2,400 simulated devices (600 reviews × 4 laptops), each syncing
//! a small batch once a second, starts spread over the first second (open loop: devices push on
//! their own clock, as laptops do after edits, not as fast as the server answers). Reports push
//! latency, errors and throughput; `in_flight` only caps concurrency as a safety limit.

use crate::report::Row;
use crate::stats::summarize;
use crate::sync::{Server, BENCH_USER};
use qar_core::protocol::{FieldWrite, Op, OpOutcome, PushRequest, PushResponse};
use qar_core::{EntityKind, Hlc, SCHEMA_VERSION};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;
use uuid::Uuid;

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

fn op(seq: u64, entity: EntityKind, id: Uuid, review: Uuid, fields: &[(&str, serde_json::Value)], hlc: Hlc) -> Op {
    Op {
        seq,
        entity,
        id,
        review_id: review,
        fields: fields.iter().map(|(f, v)| (f.to_string(), FieldWrite { value: v.clone(), base: None })).collect(),
        hlc,
        schema_version: SCHEMA_VERSION,
    }
}

/// One push with a device's own token over a shared HTTP client (one connection pool for all
/// simulated laptops, as before sign-in existed; each request carries its laptop's token).
async fn push(http: &reqwest::Client, url: &str, token: &str, device_id: Uuid, ops: Vec<Op>) -> anyhow::Result<PushResponse> {
    let body = PushRequest { device_id, schema_version: SCHEMA_VERSION, ops, pull_cursor: None };
    let resp = http.post(format!("{url}/v1/sync/push")).bearer_auth(token).json(&body).send().await?;
    anyhow::ensure!(resp.status().is_success(), "push refused: {}", resp.status());
    Ok(resp.json().await?)
}

/// How often each simulated laptop syncs during the burst.
const PERIOD: std::time::Duration = std::time::Duration::from_secs(1);

/// What one load run measured.
pub struct Outcome {
    pub summary: crate::stats::Summary,
    pub pushes: usize,
    pub errors: usize,
    pub elapsed_s: f64,
}

/// `paced`: each device syncs once a second (the realistic burst). Not paced: every device
/// pushes back to back with `in_flight` requests outstanding, which finds the server's capacity.
pub async fn measure(server: &Server, devices: usize, batches: usize, in_flight: usize, paced: bool) -> anyhow::Result<Vec<Row>> {
    let o = run(std::slice::from_ref(&server.url), &server.store, devices, batches, in_flight, paced).await?;
    let (s, pushes, errors, elapsed) = (o.summary, o.pushes, o.errors, o.elapsed_s);
    if !paced {
        return Ok(vec![
            Row::new(
                &format!("server capacity, {in_flight} pushes in flight: throughput"),
                pushes as f64 / elapsed,
                "pushes/s",
                "report",
                None,
            ),
            Row::new(&format!("server capacity, {in_flight} pushes in flight: p50 push"), s.p50_ms, "ms", "report", None),
            Row::new(&format!("server capacity, {in_flight} pushes in flight: p99 push"), s.p99_ms, "ms", "report", None),
        ]);
    }
    Ok(vec![
        Row::new(&format!("{devices} devices syncing once a second: p99 push"), s.p99_ms, "ms", "p99 ≤ 100 ms", Some(s.p99_ms <= 100.0)),
        Row::new(&format!("{devices} devices syncing once a second: errors"), errors as f64, "errors", "0", Some(errors == 0)),
        Row::new(&format!("{devices} devices syncing once a second: throughput"), pushes as f64 / elapsed, "pushes/s", "report", None),
        Row::new(&format!("{devices} devices syncing once a second: p50 push"), s.p50_ms, "ms", "–", None),
    ])
}

/// The load itself against one or more server instances sharing a store: device `d` syncs with
/// `urls[d % urls.len()]` (a load balancer spreading laptops), signed in through `store`.
pub async fn run(
    urls: &[String],
    store: &qar_server::ServerStore,
    devices: usize,
    batches: usize,
    in_flight: usize,
    paced: bool,
) -> anyhow::Result<Outcome> {
    anyhow::ensure!(!urls.is_empty(), "no server to load");
    let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(60)).build()?;
    // Every simulated laptop is signed in (tokens made in bulk with the server's test support).
    let device_ids: Vec<Uuid> = (0..=devices).map(|_| Uuid::now_v7()).collect();
    let tokens = store.test_tokens(BENCH_USER, &device_ids, now_ms())?;
    // Each team's review exists first (its Lead Reviewer's laptop created it, in preparation).
    let teams = devices.div_ceil(4);
    let reviews: Vec<Uuid> = (0..teams).map(|_| Uuid::now_v7()).collect();
    let setup_device = device_ids[devices];
    let node = Hlc::node_of(&setup_device);
    let setup: Vec<Op> = reviews
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let fields = [
                ("school_name", json!(format!("Load Test School {i:03}"))),
                ("school_urn", json!("990100")),
                ("state", json!("preparing")),
            ];
            op(i as u64 + 1, EntityKind::Review, *r, *r, &fields, Hlc { wall_ms: now_ms(), counter: i as u32, node })
        })
        .collect();
    push(&http, &urls[0], &tokens[devices], setup_device, setup).await?;

    let gate = Arc::new(Semaphore::new(in_flight));
    let started = Instant::now();
    let start_at = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(devices);
    for d in 0..devices {
        let (http, url, gate, review) = (http.clone(), urls[d % urls.len()].clone(), gate.clone(), reviews[d / 4]);
        let (device, token) = (device_ids[d], tokens[d].clone());
        tasks.push(tokio::spawn(async move {
            let node = Hlc::node_of(&device);
            let mut latencies = Vec::with_capacity(batches);
            let mut errors = 0usize;
            let mut seq = 0u64;
            let offset = PERIOD.mul_f64(d as f64 / devices as f64);
            for b in 0..batches {
                if paced {
                    tokio::time::sleep_until(start_at + offset + PERIOD * b as u32).await;
                }
                // A small batch: one new note and an edit of it, as a reviewer's laptop sends.
                let note = Uuid::now_v7();
                let t0 = now_ms();
                let ops = vec![
                    op(
                        seq + 1,
                        EntityKind::Evidence,
                        note,
                        review,
                        &[
                            ("activity_type", json!("learning_walk")),
                            ("notes", json!(format!("Device {d} note {b}: calm transitions between lessons."))),
                        ],
                        Hlc { wall_ms: t0, counter: 0, node },
                    ),
                    op(
                        seq + 2,
                        EntityKind::Evidence,
                        note,
                        review,
                        &[("strengths", json!("Routines are consistent."))],
                        Hlc { wall_ms: t0, counter: 1, node },
                    ),
                ];
                let _permit = gate.acquire().await.expect("semaphore open");
                let t = Instant::now();
                match push(&http, &url, &token, device, ops).await {
                    Ok(reply) if reply.acked_through == seq + 2 && reply.results.iter().all(|r| r.outcome == OpOutcome::Applied) => {
                        latencies.push(t.elapsed())
                    }
                    _ => errors += 1,
                }
                seq += 2;
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::with_capacity(devices * batches);
    let mut errors = 0;
    for t in tasks {
        let (lat, err) = t.await?;
        all.extend(lat);
        errors += err;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let pushes = all.len();
    anyhow::ensure!(pushes > 0, "every push of the load failed ({errors} errors)");
    let summary = summarize(&mut all);
    println!(
        "load ({}, {} instance(s)): {devices} devices × {batches} pushes, at most {in_flight} in flight: {pushes} ok, {errors} errors in {elapsed:.2} s",
        if paced { "each device once a second" } else { "back to back" },
        urls.len()
    );
    Ok(Outcome { summary, pushes, errors, elapsed_s: elapsed })
}
