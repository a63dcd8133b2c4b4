//! Small reproducible drivers for profiling the initial push and pull without the network
//! (`--profile push|pull`, e.g. under `valgrind --tool=callgrind` or `perf record`). Each runs
//! the product's own code on the benchmark workload and prints where the time goes.
//!
//! - `push`: a laptop's 10,000 notes pushed straight into a `ServerStore` in the client's
//!   batches, each with the same news page the HTTP handler adds, JSON encoded and decoded as
//!   on the wire.
//! - `pull`: the same server's pages for a fresh laptop (as the HTTP handler writes them),
//!   decoded as the sync client decodes them and applied to a fresh laptop store.

use crate::sync::BENCH_USER;
use crate::workload::generate;
use qar_client::sync::{PULL_PAGE, PUSH_BATCH};
use qar_client::{NewReview, Store};
use qar_core::protocol::{PullResponse, PushRequest, PushResponse};
use qar_server::store::ReadScope;
use qar_server::{AuthDevice, ServerStore};
use std::time::Instant;

/// The news page a push reply carries (the server's `DEFAULT_PULL_LIMIT`).
const NEWS_PAGE: u32 = 1000;

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

fn device(store: &Store) -> AuthDevice {
    AuthDevice { user_id: BENCH_USER.into(), device_id: store.device_id(), roles: vec![] }
}

/// The laptop's session as a real sign-in leaves it (no server: the driver calls the store).
fn sign_in(store: &mut Store) -> anyhow::Result<()> {
    let session = qar_client::Session {
        user_id: BENCH_USER.into(),
        name: "Bea Bench".into(),
        email: "bench@test.invalid".into(),
        server_url: "http://127.0.0.1:9".into(),
        roles: vec![],
        device_name: "Profiling laptop".into(),
        signed_in_at: String::new(),
    };
    store.save_session(&session, "profile-token")?;
    Ok(())
}

/// A laptop holding `n` notes of one review, nothing pushed yet.
fn laptop(dir: &std::path::Path, n: usize) -> anyhow::Result<Store> {
    let mut a = crate::laptop::Laptop::open(&dir.join("profile-laptop-a.db"))?.store;
    sign_in(&mut a)?;
    let review = a.create_review(
        &NewReview { school_name: "Benchmark Primary School".into(), school_urn: "990100".into(), start_date: "2026-11-24".into() },
        now_ms(),
    )?;
    for note in &generate(n, &review.id).notes {
        a.add_evidence(note, now_ms())?;
    }
    // Notes written over days are in the search index by the time they are pushed (decision 120).
    a.catch_up_search_index()?;
    Ok(a)
}

/// Pushes everything `a` holds into `server` as the sync loop does, without HTTP but with the
/// wire's JSON. Returns seconds (encode request, server push + news, encode + decode reply,
/// record on the laptop).
fn push_direct(server: &ServerStore, a: &mut Store) -> anyhow::Result<[f64; 5]> {
    let caller = device(a);
    let mut t_parts = [0.0; 5];
    loop {
        let batch = a.pending_batch(PUSH_BATCH)?;
        if batch.ops.is_empty() {
            return Ok(t_parts);
        }
        let cursor = a.pull_cursor()?;
        let t = Instant::now();
        let body = serde_json::to_vec(&PushRequest {
            device_id: batch.device_id,
            schema_version: qar_core::SCHEMA_VERSION,
            ops: batch.ops,
            pull_cursor: Some(cursor),
        })?;
        let req: PushRequest = serde_json::from_slice(&body)?;
        t_parts[0] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let device_id = req.device_id;
        let reply = server.push_owned(req, &caller, now_ms())?;
        t_parts[4] += t.elapsed().as_secs_f64();
        // As the HTTP handler answers: the reply, with the news page's text spliced in.
        let news = server.pull_json(cursor, NEWS_PAGE, Some(device_id), &ReadScope::of(&caller), now_ms())?;
        let mut body = serde_json::to_string(&reply)?;
        body.pop();
        body.push_str(",\"pull\":");
        body.push_str(&news.json);
        body.push('}');
        t_parts[1] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let reply: PushResponse = serde_json::from_slice(body.as_bytes())?;
        t_parts[2] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        a.record_push(&reply, now_ms())?;
        if let Some(page) = &reply.pull {
            a.apply_pull(page, now_ms())?;
        }
        t_parts[3] += t.elapsed().as_secs_f64();
    }
}

pub fn run(what: &str, dir: &std::path::Path, n: usize) -> anyhow::Result<()> {
    let server = ServerStore::open(&dir.join("profile-server"))?;
    server.test_user(BENCH_USER, "Bea Bench", &[])?;
    let mut a = laptop(dir, n)?;
    let t = Instant::now();
    // CLOCK_MONOTONIC marks, for `perf record -k CLOCK_MONOTONIC` + `perf report --time a,b`.
    println!("push from {t:?}");
    let [enc, srv, reply, record, srv_push] = push_direct(&server, &mut a)?;
    println!("push until {:?}", Instant::now());
    println!(
        "push {n}: {:.3} s in all: {enc:.3} s request JSON, {srv:.3} s server push + news ({srv_push:.3} s push), {reply:.3} s reply JSON, {record:.3} s recording",
        t.elapsed().as_secs_f64()
    );
    if what == "push" {
        return Ok(());
    }
    let mut b = crate::laptop::Laptop::open(&dir.join("profile-laptop-b.db"))?.store;
    sign_in(&mut b)?;
    let caller = device(&b);
    let scope = ReadScope::of(&caller);
    let (mut srv, mut wire, mut apply, mut pulled) = (0.0, 0.0, 0.0, 0);
    let t_all = Instant::now();
    println!("pull from {t_all:?}");
    loop {
        let t = Instant::now();
        let bytes = server.pull_json(b.pull_cursor()?, PULL_PAGE, Some(b.device_id()), &scope, now_ms())?.json.into_bytes();
        srv += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let page: PullResponse = serde_json::from_slice(&bytes)?;
        wire += t.elapsed().as_secs_f64();
        let t = Instant::now();
        pulled += b.apply_pull(&page, now_ms())?;
        apply += t.elapsed().as_secs_f64();
        if !page.has_more {
            break;
        }
    }
    println!("pull until {:?}", Instant::now());
    println!(
        "pull {pulled}: {:.3} s in all: {srv:.3} s server page + JSON, {wire:.3} s decoding, {apply:.3} s applying",
        t_all.elapsed().as_secs_f64()
    );
    Ok(())
}
