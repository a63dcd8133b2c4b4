//! Seeded random simulation of several laptops syncing through a real server that restarts,
//! over a "network" that loses replies, repeats pushes and delivers batches out of order.
//! At the end every laptop equals the server, no acknowledged write is lost, and every
//! concurrent same-field write is kept as a conflict.
//!
//! Short run in the suite; the stress run:
//!   QAR_SIM_ROUNDS=2000 cargo test --release -p qar-client --test it simulation -- --nocapture
//! Reproduce a failure with QAR_SIM_SEED=<seed printed in the failure>.

use crate::common::now_ms;
use qar_client::sync::SyncClient;
use qar_client::{NewEvidence, NewReview, Session, Store};
use qar_core::protocol::{Op, PullResponse};
use qar_core::Hlc;
use qar_server::{start, RunningServer, ServerConfig};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

const LAPTOPS: usize = 5;
const USER: &str = "user-lena";

struct Laptop {
    store: Store,
    /// Sends this laptop's own sign-in (every laptop is the same Lead Reviewer's).
    client: SyncClient,
    /// Notes this laptop knows of (created here or pulled).
    notes: Vec<String>,
}

/// One acknowledged field write: (record id, field, version written, version it was based on).
type Acked = (String, String, Hlc, Option<Hlc>);

async fn serve(dir: &Path, addr: SocketAddr) -> RunningServer {
    for _ in 0..50 {
        if let Ok(s) = start(&ServerConfig { data_dir: dir.to_owned(), listen: addr, demo: false, ..Default::default() }).await {
            return s;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("server did not restart on {addr}");
}

fn apply(l: &mut Laptop, page: &PullResponse) {
    l.store.apply_pull(page, now_ms()).unwrap();
    for c in &page.changes {
        let id = c.id.to_string();
        if c.entity == qar_core::EntityKind::Evidence && !l.notes.contains(&id) {
            l.notes.push(id);
        }
    }
}

/// Pushes what is pending and applies the reply, unless the fault plan says otherwise.
async fn sync(l: &mut Laptop, rng: &mut fastrand::Rng, faults: bool, acked: &mut Vec<Acked>) {
    let client = l.client.clone();
    let batch = l.store.pending_batch(50).unwrap();
    let cursor = l.store.pull_cursor().unwrap();
    if !batch.ops.is_empty() {
        let mut ops = batch.ops.clone();
        if faults && ops.len() > 1 && rng.u8(0..10) == 0 {
            // Out of order: the tail first. The server must refuse the gap and change nothing.
            let tail = ops.split_off(ops.len() / 2);
            let tail_last = tail.last().map_or(0, |o| o.seq);
            match client.push(batch.device_id, tail, Some(cursor)).await {
                Err(qar_client::ClientError::Server { code, .. }) => assert_eq!(code, "seq_gap"),
                Err(_) => return, // the server is down this round
                // Accepted only because an earlier lost reply left the server further on than this
                // laptop knows: then there is no gap, and the tail is acknowledged through its end.
                Ok(reply) => assert!(reply.acked_through >= tail_last, "seed run: accepted a tail it did not take: {reply:?}"),
            }
        }
        let Ok(reply) = client.push(batch.device_id, batch.ops.clone(), Some(cursor)).await else { return };
        if faults && rng.u8(0..8) == 0 {
            return; // the reply is lost: nothing recorded, the same ops go again next time
        }
        if faults && rng.u8(0..8) == 0 {
            // A duplicate delivery of the same batch: must change nothing.
            let again = client.push(batch.device_id, batch.ops.clone(), None).await.unwrap();
            assert_eq!(again.acked_through, reply.acked_through);
        }
        record_acked(&batch.ops, reply.acked_through, acked);
        l.store.record_push(&reply, now_ms()).unwrap();
        if let Some(page) = &reply.pull {
            apply(l, page);
        }
    }
    loop {
        let cursor = l.store.pull_cursor().unwrap();
        let Ok(page) = client.pull(cursor, 100, l.store.device_id(), 0).await else { return };
        apply(l, &page);
        if !page.has_more {
            break;
        }
    }
}

fn record_acked(ops: &[Op], through: u64, acked: &mut Vec<Acked>) {
    for op in ops.iter().filter(|o| o.seq <= through) {
        for (field, w) in &op.fields {
            acked.push((op.id.to_string(), field.clone(), op.hlc, w.base));
        }
    }
}

fn notes_of(store: &Store, review: &str) -> BTreeMap<String, String> {
    store.list_evidence(review).unwrap().into_iter().map(|e| (e.id, e.notes)).collect()
}

async fn simulate(seed: u64, rounds: usize) -> (usize, usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let dir = tempfile::tempdir().unwrap();
    let server_dir: PathBuf = dir.path().join("server");
    let addr: SocketAddr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let url = format!("http://{addr}");
    // One Lead Reviewer on five laptops, each signed in with its own device token (test support:
    // the sign-in itself is covered by the server's auth tests).
    let server_store = qar_server::ServerStore::open(&server_dir).unwrap();
    server_store.test_user(USER, "Lena Lead", &[]).unwrap();
    let mut laptops: Vec<Laptop> = (0..LAPTOPS)
        .map(|i| {
            let mut store = Store::open(&dir.path().join(format!("laptop-{i}.db"))).unwrap();
            let token = server_store.test_token(USER, store.device_id(), now_ms()).unwrap();
            let session = Session {
                user_id: USER.into(),
                name: "Lena Lead".into(),
                email: "lena@test.invalid".into(),
                server_url: url.clone(),
                roles: vec![],
                device_name: format!("Laptop {i}"),
                signed_in_at: String::new(),
            };
            store.save_session(&session, &token).unwrap();
            Laptop { store, client: SyncClient::with_token(&url, &token), notes: Vec::new() }
        })
        .collect();
    drop(server_store);
    let mut server = Some(serve(&server_dir, addr).await);
    let review = laptops[0]
        .store
        .create_review(
            &NewReview { school_name: "Simulation Primary".into(), school_urn: "990150".into(), start_date: "2026-11-24".into() },
            now_ms(),
        )
        .unwrap()
        .id;
    let mut acked = Vec::new();
    sync(&mut laptops[0], &mut rng, false, &mut acked).await;
    for l in laptops.iter_mut() {
        sync(l, &mut rng, false, &mut acked).await;
    }

    let mut edits = 0;
    for round in 0..rounds {
        let i = rng.usize(0..LAPTOPS);
        let l = &mut laptops[i];
        match rng.u8(0..10) {
            0..=2 => {
                let new = NewEvidence {
                    review_id: review.clone(),
                    activity_type: "learning_walk".into(),
                    notes: format!("r{round} laptop {i}: new"),
                    ..Default::default()
                };
                let id = l.store.add_evidence(&new, now_ms()).unwrap().id;
                l.notes.push(id);
                edits += 1;
            }
            3..=6 if !l.notes.is_empty() => {
                // Often the same note on several laptops: same-field concurrent writes.
                let id = l.notes[rng.usize(0..l.notes.len().min(4))].clone();
                if l.store.evidence(&id).is_ok() {
                    l.store.update_evidence_field(&id, "notes", json!(format!("r{round} laptop {i}")), now_ms()).unwrap();
                    edits += 1;
                }
            }
            7 => {
                if rng.u8(0..4) == 0 {
                    // Server restart (graceful stop, same folder and port).
                    server.take().unwrap().stop().await;
                    server = Some(serve(&server_dir, addr).await);
                }
            }
            _ => {
                if rng.bool() {
                    sync(l, &mut rng, true, &mut acked).await;
                } // else: this laptop is offline this round
            }
        }
    }
    // The network heals: everyone syncs until nothing moves.
    for _ in 0..3 {
        for l in laptops.iter_mut() {
            sync(l, &mut rng, false, &mut acked).await;
        }
    }
    server.take().unwrap().stop().await;

    // 1. Every laptop equals the server.
    let server_db = rusqlite::Connection::open(server_dir.join("qar-server.db")).unwrap();
    let mut server_notes = BTreeMap::new();
    let mut current: BTreeMap<(String, String), Hlc> = BTreeMap::new();
    let mut stmt = server_db.prepare("SELECT id, fields FROM records WHERE entity <> 'conflict'").unwrap();
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).unwrap() {
        let (id, fields) = row.unwrap();
        let fields: BTreeMap<String, qar_core::protocol::FieldValue> = serde_json::from_str(&fields).unwrap();
        if let Some(n) = fields.get("notes") {
            server_notes.insert(id.clone(), n.value.as_str().unwrap_or_default().to_owned());
        }
        for (f, v) in fields {
            current.insert((id.clone(), f), v.version);
        }
    }
    for (i, l) in laptops.iter().enumerate() {
        assert_eq!(l.store.pending_count().unwrap(), 0, "seed {seed}: laptop {i} still has unsent work");
        let local = notes_of(&l.store, &review);
        if local != server_notes {
            let raw = rusqlite::Connection::open(dir.path().join(format!("laptop-{i}.db"))).unwrap();
            for id in server_notes.keys().filter(|k| !local.contains_key(*k)) {
                let row: Option<(String, i64, String)> = raw
                    .query_row("SELECT review_id, deleted, versions FROM evidence WHERE id = ?1", [id], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })
                    .ok();
                let out: i64 = raw.query_row("SELECT count(*) FROM outbox WHERE entity_id = ?1", [id], |r| r.get(0)).unwrap();
                eprintln!("seed {seed}: laptop {i} lacks {id}: local row {row:?}, outbox ops {out}");
            }
        }
        assert_eq!(local, server_notes, "seed {seed}: laptop {i} differs from the server");
    }
    // 2. No acknowledged write is lost: it is current, was built upon, or is kept as a conflict
    //    record (which syncs to the laptops too).
    let conflicts: BTreeSet<(String, String, String)> = server_db
        .prepare("SELECT fields FROM records WHERE entity = 'conflict'")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|fields| {
            let f: BTreeMap<String, qar_core::protocol::FieldValue> = serde_json::from_str(&fields.unwrap()).unwrap();
            let text = |k: &str| f[k].value.as_str().unwrap().to_owned();
            (text("record_id"), text("field"), text("version"))
        })
        .collect();
    let on_laptops: i64 = rusqlite::Connection::open(dir.path().join("laptop-0.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM conflicts", [], |r| r.get(0))
        .unwrap_or(-1);
    let built_on: BTreeSet<(String, String, Hlc)> =
        acked.iter().filter_map(|(id, f, _, base)| base.map(|b| (id.clone(), f.clone(), b))).collect();
    for (id, field, hlc, _) in &acked {
        let kept = current.get(&(id.clone(), field.clone())) == Some(hlc)
            || built_on.contains(&(id.clone(), field.clone(), *hlc))
            || conflicts.contains(&(id.clone(), field.clone(), hlc.to_string()));
        assert!(kept, "seed {seed}: acknowledged write {id}.{field}@{hlc} is lost");
    }
    // 3. Concurrent same-field writes (same base, different writers) leave a conflict behind.
    let mut by_base: BTreeMap<(String, String, Option<Hlc>), BTreeSet<Hlc>> = BTreeMap::new();
    for (id, f, hlc, base) in &acked {
        by_base.entry((id.clone(), f.clone(), *base)).or_default().insert(*hlc);
    }
    let concurrent = by_base.values().filter(|v| v.len() > 1).count();
    if concurrent > 0 {
        assert!(!conflicts.is_empty(), "seed {seed}: {concurrent} concurrent same-field writes but no conflict kept");
    }
    // 4. Every concurrent same-field write (two acknowledged writes on one base) is kept: all
    //    but the current one are conflict records.
    for ((id, f, _), versions) in by_base.iter().filter(|(_, v)| v.len() > 1) {
        for v in versions {
            let current_here = current.get(&(id.clone(), f.clone())) == Some(v);
            let built_upon = built_on.contains(&(id.clone(), f.clone(), *v));
            assert!(
                current_here || built_upon || conflicts.contains(&(id.clone(), f.clone(), v.to_string())),
                "seed {seed}: concurrent write {id}.{f}@{v} is neither current nor a conflict record"
            );
        }
    }
    println!("seed {seed}: {} conflict records on the server; laptop 0 holds {on_laptops}", conflicts.len());
    (edits, acked.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn laptops_converge_through_faults_and_restarts() {
    let seed = std::env::var("QAR_SIM_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| fastrand::u64(..));
    let rounds = std::env::var("QAR_SIM_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
    println!("simulation seed {seed}, {rounds} rounds (reproduce with QAR_SIM_SEED={seed})");
    let (edits, acked) = simulate(seed, rounds).await;
    println!("simulation seed {seed}: {edits} edits, {acked} acknowledged field writes checked");
    assert!(edits > rounds / 4, "the simulation did real work");
}
