//! Sync measures against a real qar-server with a fresh data folder, on loopback or over a shaped
//! link (`--link`): initial push, initial pull into a fresh laptop, one changed record, live
//! propagation, and a raw insert of the same rows into the same kind of store as the yardstick
//! (`yardstick.rs`).

use crate::counting::{Counters, CountingListener};
use crate::laptop::Laptop;
use crate::link::{profiles, Profile};
use crate::report::Row;
use crate::stats::summarize;
use crate::workload::generate;
use crate::yardstick;
use qar_client::sync::{SyncClient, PULL_PAGE};
use qar_client::{NewReview, Store};
use std::sync::atomic::Ordering;

use std::sync::Arc;
use std::time::{Duration, Instant};

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

pub struct Server {
    pub url: String,
    pub counters: Arc<Counters>,
    /// For signing benchmark laptops in (test support: tokens without password + TOTP).
    pub store: Arc<qar_server::ServerStore>,
    /// Over a link: the bytes the proxy in front of the server delivered each way (a check
    /// against `counters`).
    pub wire: Option<Arc<crate::link::proxy::Wire>>,
}

/// The person every benchmark laptop belongs to: the Lead Reviewer of the reviews it creates.
pub const BENCH_USER: &str = "user-bench";

/// The real router over the real store, served through a byte-counting listener on loopback.
pub async fn start_server(dir: &std::path::Path) -> anyhow::Result<Server> {
    start_server_at(dir, "127.0.0.1:0").await
}

/// [`start_server`] on a given address, served by the current runtime (a link runs it on a
/// runtime inside its network namespace).
pub async fn start_server_at(dir: &std::path::Path, bind: &str) -> anyhow::Result<Server> {
    let store = Arc::new(qar_server::ServerStore::open(dir)?);
    store.test_user(BENCH_USER, "Bea Bench", &[])?;
    let counters = Arc::new(Counters::default());
    let c = counters.clone();
    let router = qar_server::app(qar_server::AppState::new(store.clone())).layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            c.requests.fetch_add(1, Ordering::Relaxed);
            next.run(req)
        },
    ));
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let listener = CountingListener { inner: listener, counters: counters.clone() };
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(Server { url, counters, store, wire: None })
}

/// Signs a benchmark laptop in as [`BENCH_USER`]: its session in the laptop store and a sync
/// client sending its device token.
pub fn sign_in(server: &Server, store: &mut Store) -> anyhow::Result<SyncClient> {
    let token = server.store.test_token(BENCH_USER, store.device_id(), now_ms())?;
    let session = qar_client::Session {
        user_id: BENCH_USER.into(),
        name: "Bea Bench".into(),
        email: "bench@test.invalid".into(),
        server_url: server.url.clone(),
        roles: vec![],
        device_name: "Benchmark laptop".into(),
        signed_in_at: String::new(),
    };
    store.save_session(&session, &token)?;
    Ok(SyncClient::with_token(&server.url, &token))
}

/// One sync exactly as the app runs it (`qar_client::sync::sync_once`: push batches with news,
/// the next batch read while one is on the wire, then pull until caught up).
async fn sync_product(store: Store, client: &SyncClient) -> anyhow::Result<(Store, usize)> {
    let shared = std::sync::Mutex::new(store);
    let report = qar_client::sync::sync_once(&shared, client, now_ms).await;
    let store = shared.into_inner().map_err(|_| anyhow::anyhow!("store lock poisoned"))?;
    Ok((store, report?.pushed))
}

async fn pull_all(store: &mut Store, client: &SyncClient) -> anyhow::Result<usize> {
    Ok(pull_all_timed(store, client).await?.0)
}

/// Pulls everything, returning (records, seconds in HTTP + decoding, seconds applying).
async fn pull_all_timed(store: &mut Store, client: &SyncClient) -> anyhow::Result<(usize, f64, f64)> {
    let (mut pulled, mut fetch_s, mut apply_s) = (0, 0.0, 0.0);
    loop {
        let t = Instant::now();
        let page = client.pull(store.pull_cursor()?, PULL_PAGE, store.device_id(), 0).await?;
        fetch_s += t.elapsed().as_secs_f64();
        let t = Instant::now();
        pulled += store.apply_pull(&page, now_ms())?;
        apply_s += t.elapsed().as_secs_f64();
        if !page.has_more {
            return Ok((pulled, fetch_s, apply_s));
        }
    }
}

/// The sync rows against `server`; `link` names the link it sits behind (None: loopback).
pub async fn measure(server: &Server, dir: &std::path::Path, n: usize, reps: usize, link: Option<&Profile>) -> anyhow::Result<Vec<Row>> {
    let over = profiles::suffix(link);
    // Time for a request to reach the server, so a long-poll is open before the next edit.
    let settle = link.map_or(Duration::ZERO, |p| p.rtt);
    let mut a = Laptop::open(&dir.join("laptop-a.db"))?.store;
    let client = sign_in(server, &mut a)?;
    let review = a.create_review(
        &NewReview { school_name: "Benchmark Primary School".into(), school_urn: "990100".into(), start_date: "2026-11-24".into() },
        now_ms(),
    )?;
    let work = generate(n, &review.id);
    let mut ids = Vec::with_capacity(n);
    for note in &work.notes {
        ids.push(a.add_evidence(note, now_ms())?.id);
    }
    // Notes written over days are in the search index by the time they are pushed (decision 120).
    a.catch_up_search_index()?;
    let mean_bytes = work.notes.iter().map(|d| serde_json::to_vec(d).map_or(0, |v| v.len())).sum::<usize>() / n.max(1);
    println!("workload: {n} notes, mean {mean_bytes} B of JSON each");

    let (in0, out0, req0) = server.counters.snapshot();
    let t = Instant::now();
    let (a_back, pushed) = sync_product(a, &client).await?;
    let push_s = t.elapsed().as_secs_f64();
    let mut a = a_back;
    let (in1, out1, req1) = server.counters.snapshot();
    println!(
        "initial push: {pushed} ops in {push_s:.3} s, {:.2} MB up, {:.2} MB down, {} requests",
        (in1 - in0) as f64 / 1e6,
        (out1 - out0) as f64 / 1e6,
        req1 - req0
    );

    let mut b = Laptop::open(&dir.join("laptop-b.db"))?.store;
    let client_b = sign_in(server, &mut b)?;
    let t = Instant::now();
    let (pulled, fetch_s, apply_s) = pull_all_timed(&mut b, &client_b).await?;
    let pull_s = t.elapsed().as_secs_f64();
    println!("initial pull: {fetch_s:.3} s fetching and decoding, {apply_s:.3} s applying to the laptop store");
    // What a bulk pull defers: indexing the notes' text, done next by the background thread.
    let t = Instant::now();
    let indexed = b.catch_up_search_index()?;
    let index_s = t.elapsed().as_secs_f64();
    println!("search index catch-up after the pull (background in the app): {indexed} notes in {index_s:.3} s");
    let (in2, out2, req2) = server.counters.snapshot();
    println!("initial pull: {pulled} records in {pull_s:.3} s, {:.2} MB down, {} requests", (out2 - out1) as f64 / 1e6, req2 - req1);

    // The same pull into an unencrypted store: what SQLCipher adds to a first sync.
    let mut c = Store::open(&dir.join("laptop-c-plain.db"))?;
    let client_c = sign_in(server, &mut c)?;
    let t = Instant::now();
    pull_all(&mut c, &client_c).await?;
    let plain_pull_s = t.elapsed().as_secs_f64();
    println!("initial pull into an unencrypted store: {plain_pull_s:.3} s (encrypted: {pull_s:.3} s)");
    drop(c);

    // The same first pull as an app before issue 25 makes it (nothing compressed): today's bytes.
    let mut d = Laptop::open(&dir.join("laptop-d-uncompressed.db"))?.store;
    let client_d = sign_in(server, &mut d)?.with_compression(false);
    let (d_in0, d_out0, _) = server.counters.snapshot();
    let t = Instant::now();
    pull_all(&mut d, &client_d).await?;
    let uncompressed_pull_s = t.elapsed().as_secs_f64();
    let (d_in1, d_out1, _) = server.counters.snapshot();
    drop(d);
    let first_sync_bytes = ((in2 - in1) + (out2 - out1)) as f64;
    let today_bytes = ((d_in1 - d_in0) + (d_out1 - d_out0)) as f64;
    println!(
        "initial pull without compression: {uncompressed_pull_s:.3} s, {:.2} MB (compressed: {pull_s:.3} s, {:.2} MB)",
        today_bytes / 1e6,
        first_sync_bytes / 1e6
    );

    let docs: Vec<String> = work.notes.iter().map(|d| serde_json::to_string(d).unwrap_or_default()).collect();
    let raw_s = yardstick::raw_insert(&dir.join("raw.db"), yardstick::Kind::Encrypted, &docs)?.as_secs_f64();
    let raw_plain_s = yardstick::raw_insert(&dir.join("raw-plain.db"), yardstick::Kind::Plaintext, &docs)?.as_secs_f64();
    pull_all(&mut a, &client).await?; // A catches up with its own echo before the incremental runs

    // One changed record: A edits one field and syncs (push + news in one request).
    let mut push_lat = Vec::with_capacity(reps);
    let (bi, bo, br) = server.counters.snapshot();
    for i in 0..reps {
        let text = serde_json::Value::String(format!("{} (rev {i})", work.notes[i % n].strengths));
        a.update_evidence_field(&ids[i % n], "strengths", text, now_ms())?;
        let t = Instant::now();
        a = sync_product(a, &client).await?.0;
        push_lat.push(t.elapsed());
    }
    let (ai, ao, ar) = server.counters.snapshot();
    let per_op_bytes = ((ai - bi) + (ao - bo)) as f64 / reps as f64;
    let per_op_requests = (ar - br) as f64 / reps as f64;
    let push = summarize(&mut push_lat);
    pull_all(&mut b, &client_b).await?;

    // Live: B holds a long-poll open; A edits and syncs; time until B has applied the change.
    let b = Arc::new(std::sync::Mutex::new(b));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let listener = {
        let (b, client) = (b.clone(), client_b.clone());
        tokio::spawn(async move {
            loop {
                match qar_client::sync::wait_and_pull(&b, &client, 5_000, now_ms).await {
                    Ok(0) => {}
                    Ok(_) => {
                        if tx.send(Instant::now()).is_err() {
                            return;
                        }
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(100) + settle).await; // B's first long-poll is open
    let mut live = Vec::with_capacity(reps);
    for i in 0..reps {
        let text = serde_json::Value::String(format!("{} (live {i})", work.notes[i % n].strengths));
        a.update_evidence_field(&ids[i % n], "strengths", text, now_ms())?;
        let t = Instant::now();
        a = sync_product(a, &client).await?.0;
        let applied = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await?.ok_or_else(|| anyhow::anyhow!("B stopped"))?;
        live.push(applied.saturating_duration_since(t));
        tokio::time::sleep(Duration::from_millis(5) + settle).await; // let B re-open its long-poll
    }
    listener.abort();
    let live = summarize(&mut live);

    if let Some(wire) = &server.wire {
        // The proxy delivers to the server what it reads from the laptops and back: the two counts
        // agree unless a connection was cut with bytes in flight.
        let (up, down) = wire.snapshot();
        let (inn, out, _) = server.counters.snapshot();
        let lost = wire.lost_segments.load(Ordering::Relaxed);
        println!("link check: the proxy carried {up} B up and {down} B down ({lost} segments lost by the model); the server counted {inn} B in and {out} B out");
    }

    let mut rows = vec![
        Row::new(
            &format!("initial push of {n} notes, one laptop{over}"),
            n as f64 / push_s,
            "docs/s",
            "≥ 10× PouchDB push (--with-anchor)",
            None,
        ),
        Row::new(&format!("… initial push: bytes on the wire{over}"), (in1 - in0 + out1 - out0) as f64 / 1e6, "MB", "report", None),
        Row::new(
            &format!("initial pull of {n} notes into a fresh laptop{over}"),
            n as f64 / pull_s,
            "docs/s",
            "≥ 10× PouchDB pull (--with-anchor)",
            None,
        ),
        Row::new(&format!("… initial pull: bytes on the wire{over}"), (in2 - in1 + out2 - out1) as f64 / 1e6, "MB", "report", None),
        Row::new(
            &format!("… same pull into an unencrypted store (SQLCipher's share){over}"),
            n as f64 / plain_pull_s,
            "docs/s",
            "report",
            None,
        ),
        Row::new("search index catch-up after that pull (background)", index_s, "s", "report", None),
        Row::new("raw one-transaction insert, same notes, encrypted store as the laptop's", n as f64 / raw_s, "docs/s", "yardstick", None),
        Row::new("… same raw insert into a plaintext store", n as f64 / raw_plain_s, "docs/s", "report", None),
        Row::new(
            &format!("first sync of {n} notes on a new laptop: bytes, uncompressed (today's protocol){over}"),
            today_bytes,
            "B",
            "report",
            None,
        ),
        Row::new(
            &format!("first sync of {n} notes on a new laptop: bytes, compressed{over}"),
            first_sync_bytes,
            "B",
            "≤ 40% of today's",
            Some(first_sync_bytes <= 0.4 * today_bytes),
        ),
    ];
    if link.is_none() {
        rows.push(Row::new("initial pull ÷ raw encrypted insert", raw_s / pull_s, "×", "≥ 0.7", Some(raw_s / pull_s >= 0.7)));
    }
    rows.extend([
        Row::new(&format!("one changed record: HTTP requests per sync{over}"), per_op_requests, "req", "1", Some(per_op_requests <= 1.0)),
        Row::new(
            &format!("one changed record: bytes on the wire per sync{over}"),
            per_op_bytes,
            "B",
            "≤ 2 KB",
            Some(per_op_bytes <= 2048.0),
        ),
        Row::new(&format!("one changed record: sync latency p50 ({reps} reps){over}"), push.p50_ms, "ms", "–", None),
    ]);
    match link {
        None => rows.extend([
            Row::new(
                &format!("one changed record: sync latency p95 ({reps} reps)"),
                push.p95_ms,
                "ms",
                "p95 ≤ 3 ms",
                Some(push.p95_ms <= 3.0),
            ),
            Row::new(&format!("live propagation A → server → B, p50 ({reps} reps)"), live.p50_ms, "ms", "–", None),
            Row::new(
                &format!("live propagation A → server → B, p95 ({reps} reps)"),
                live.p95_ms,
                "ms",
                "p95 ≤ 10 ms",
                Some(live.p95_ms <= 10.0),
            ),
        ]),
        // Over a link the loopback goals say nothing; the goal is in round trips.
        Some(p) => {
            let goal_ms = p.live_goal_ms();
            rows.extend([
                Row::new(&format!("one changed record: sync latency p95 ({reps} reps){over}"), push.p95_ms, "ms", "–", None),
                Row::new(&format!("live propagation A → server → B, p50 ({reps} reps){over}"), live.p50_ms, "ms", "–", None),
                Row::new(
                    &format!("one edit reaching a colleague's laptop, p95 (live A → server → B, {reps} reps){over}"),
                    live.p95_ms,
                    "ms",
                    &format!("≤ 2 round trips + 20 ms = {goal_ms:.0} ms"),
                    Some(live.p95_ms <= goal_ms),
                ),
            ]);
        }
    }
    Ok(rows)
}
