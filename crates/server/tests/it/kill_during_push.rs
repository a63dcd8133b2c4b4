//! The server process is killed with SIGKILL while pushes are in flight, many times. After each
//! restart the client resends from what it knows was acknowledged; at the end no acknowledged op
//! is missing and none is applied twice.

use qar_core::protocol::{FieldWrite, Op, OpOutcome, PushRequest, PushResponse};
use qar_core::{EntityKind, Hlc, SCHEMA_VERSION};
use serde_json::json;
use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use uuid::Uuid;

struct Server {
    child: Child,
}

impl Server {
    fn start(dir: &std::path::Path, port: u16) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_qar-server"))
            .args(["--data-dir", &dir.display().to_string(), "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("qar-server starts");
        Server { child }
    }
    fn kill9(mut self) {
        let _ = self.child.kill(); // SIGKILL: no graceful shutdown, no flush
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ready(http: &reqwest::blocking::Client, base: &str) -> bool {
    let until = Instant::now() + Duration::from_secs(10);
    while Instant::now() < until {
        if http.get(format!("{base}/v1/health")).send().is_ok_and(|r| r.status().is_success()) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

fn note_op(seq: u64, review: Uuid, device: Uuid) -> Op {
    let (entity, id) = if seq == 1 { (EntityKind::Review, review) } else { (EntityKind::Evidence, Uuid::from_u128(seq as u128)) };
    let fields = if seq == 1 {
        vec![("school_name", json!("Kill Test Academy"))]
    } else {
        vec![("activity_type", json!("work_scrutiny")), ("notes", json!(format!("Note {seq}: books show feedback acted on.")))]
    };
    Op {
        seq,
        entity,
        id,
        review_id: review,
        fields: fields.into_iter().map(|(f, v)| (f.to_owned(), FieldWrite { value: v, base: None })).collect(),
        hlc: Hlc { wall_ms: 1_795_000_000_000 + seq, counter: 0, node: Hlc::node_of(&device) },
        schema_version: SCHEMA_VERSION,
    }
}

#[test]
fn no_acknowledged_op_is_lost_or_doubled_across_kills() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let device = Uuid::now_v7();
    // The laptop's person and sign-in, made in the data folder before the server starts.
    let token = {
        let store = crate::common::open_store(dir.path());
        store.test_user("user-kill-test", "Kim Killtest", &[]).unwrap();
        store.test_token("user-kill-test", device, qar_server::store::now_ms()).unwrap()
    };
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
    let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(5)).default_headers(headers).build().unwrap();
    let review = Uuid::now_v7();
    let total: u64 = 2_000;
    let kills = 25;
    let mut acked: u64 = 0;
    let mut rng = fastrand::Rng::with_seed(20_261_122);
    let mut server = Server::start(dir.path(), port);
    assert!(ready(&http, &base), "server up");
    let mut killed = 0;
    while acked < total || killed < kills {
        // Resend from what is known to be acknowledged; an in-flight batch may or may not have
        // committed before the kill, and the server must sort that out. Once everything is in,
        // the last op is sent again (a duplicate) so the remaining kills still hit pushes.
        let from = (acked + 1).min(total);
        let to = (from + rng.u64(5..60)).min(total);
        let ops: Vec<Op> = (from..=to).map(|s| note_op(s, review, device)).collect();
        let body = PushRequest { device_id: device, schema_version: SCHEMA_VERSION, ops, pull_cursor: None };
        let kill_now = killed < kills && rng.u8(0..3) == 0;
        if kill_now {
            // Kill while this push is on the wire (or just before / just after it commits).
            let (h, b, url) = (http.clone(), body.clone(), format!("{base}/v1/sync/push"));
            let inflight = std::thread::spawn(move || h.post(url).json(&b).send().and_then(|r| r.json::<PushResponse>()));
            std::thread::sleep(Duration::from_micros(rng.u64(0..3_000)));
            server.kill9();
            killed += 1;
            if let Ok(Ok(reply)) = inflight.join() {
                acked = acked.max(reply.acked_through); // a reply that made it out counts
            }
            server = Server::start(dir.path(), port);
            assert!(ready(&http, &base), "server restarts after kill {killed}");
            continue;
        }
        let reply: PushResponse = http.post(format!("{base}/v1/sync/push")).json(&body).send().unwrap().json().unwrap();
        assert!(reply.results.iter().all(|r| matches!(r.outcome, OpOutcome::Applied | OpOutcome::Duplicate)), "{reply:?}");
        acked = reply.acked_through;
    }
    assert_eq!(killed, kills, "every planned kill happened");

    // Pull everything: each op applied exactly once, nothing missing.
    let mut seen = BTreeSet::new();
    let mut cursor = 0;
    loop {
        let page: qar_core::protocol::PullResponse =
            http.get(format!("{base}/v1/sync/pull?cursor={cursor}&limit=500")).send().unwrap().json().unwrap();
        for c in &page.changes {
            assert!(seen.insert(c.id), "record {} delivered twice", c.id);
        }
        cursor = page.cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(seen.len() as u64, total, "one review and {} notes, each once", total - 1);
    let again: PushResponse = http
        .post(format!("{base}/v1/sync/push"))
        .json(&PushRequest {
            device_id: device,
            schema_version: SCHEMA_VERSION,
            ops: vec![note_op(total, review, device)],
            pull_cursor: None,
        })
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!((again.acked_through, &again.results[0].outcome), (total, &OpOutcome::Duplicate));
    drop(server);
}
