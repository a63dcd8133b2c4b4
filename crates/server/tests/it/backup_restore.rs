//! `qar-server backup` while laptops keep pushing to a real server on loopback, then
//! `qar-server restore` into a new folder: the audit chain verifies, the server starts on it, and
//! every op acknowledged before the backup began is there (decision 55). On PostgreSQL (the
//! suite's second run) the same with the tools its guide names: `pg_dump` during the pushes,
//! `pg_restore` into a new database, `qar-server after-restore` (decision 100).

use qar_core::protocol::{FieldWrite, Op, OpOutcome, PullResponse, PushRequest, PushResponse};
use qar_core::{EntityKind, Hlc, SCHEMA_VERSION};
use serde_json::json;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_qar-server");
const PUSHERS: usize = 3;
/// Ops in the store before the stream starts, so the backup has something to copy;
/// `QAR_BACKUP_TEST_OPS=20000` measures a bigger store (the printed line gives time and size).
fn preload() -> u64 {
    std::env::var("QAR_BACKUP_TEST_OPS").ok().and_then(|v| v.parse().ok()).unwrap_or(3_000)
}

struct Server(Child);

impl Server {
    fn start(dir: &Path, key: &Path, port: u16) -> Server {
        let child = Command::new(BIN)
            .args(["--data-dir", &dir.display().to_string(), "--listen", &format!("127.0.0.1:{port}"), "--key-file"])
            .arg(key)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("qar-server starts");
        Server(child)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn ready(base: &str) -> bool {
    let http = reqwest::blocking::Client::new();
    let until = Instant::now() + Duration::from_secs(15);
    while Instant::now() < until {
        if http.get(format!("{base}/v1/health")).send().is_ok_and(|r| r.status().is_success()) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn cli(args: &[&str], paths: &[&Path]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    for p in paths {
        cmd.arg(p);
    }
    cmd.output().unwrap()
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The note a pusher's op `seq` writes (seq 1 makes the pusher's review).
fn note_op(seq: u64, review: Uuid, device: Uuid) -> Op {
    let (entity, id, fields) = if seq == 1 {
        (EntityKind::Review, review, vec![("school_name", json!("Backup Test Academy"))])
    } else {
        let fields =
            vec![("activity_type", json!("work_scrutiny")), ("notes", json!(format!("Note {seq} of {device}: secret-ish words.")))];
        (EntityKind::Evidence, note_id(device, seq), fields)
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

fn note_id(device: Uuid, seq: u64) -> Uuid {
    Uuid::new_v5(&device, &seq.to_be_bytes())
}

struct Pusher {
    device: Uuid,
    review: Uuid,
    http: reqwest::blocking::Client,
}

impl Pusher {
    fn push(&self, base: &str, from: u64, to: u64) -> PushResponse {
        let ops: Vec<Op> = (from..=to).map(|s| note_op(s, self.review, self.device)).collect();
        let body = PushRequest { device_id: self.device, schema_version: SCHEMA_VERSION, ops, pull_cursor: None };
        let reply: PushResponse = self.http.post(format!("{base}/v1/sync/push")).json(&body).send().unwrap().json().unwrap();
        assert!(reply.results.iter().all(|r| matches!(r.outcome, OpOutcome::Applied)), "{reply:?}");
        reply
    }
}

#[test]
fn a_backup_taken_while_pushes_go_on_restores_with_every_acknowledged_op() {
    let root = tempfile::tempdir().unwrap();
    let (live, key) = (root.path().join("live"), root.path().join("server.key"));
    let mut pushers = Vec::new();
    {
        // People, sign-ins and the key (kept outside the data folder) before the server starts.
        let store = qar_server::open_store(&live, None, &qar_server::KeySource::File(key.clone())).unwrap();
        for i in 0..PUSHERS {
            let user = format!("user-backup-{i}");
            store.test_user(&user, &format!("Pat Pusher {i}"), &[]).unwrap();
            let device = Uuid::now_v7();
            let token = store.test_token(&user, device, qar_server::store::now_ms()).unwrap();
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
            let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(20)).default_headers(headers).build().unwrap();
            pushers.push(Pusher { device, review: Uuid::now_v7(), http });
        }
    }
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let per_pusher = preload() / PUSHERS as u64;
    let server = Server::start(&live, &key, port);
    assert!(ready(&base), "server up");
    for p in &pushers {
        let mut from = 1;
        while from <= per_pusher {
            let to = (from + 999).min(per_pusher);
            p.push(&base, from, to);
            from = to + 1;
        }
    }

    // The stream: each laptop pushes one or a few notes at a time and notes what was acknowledged.
    let acked: Arc<Mutex<BTreeSet<(Uuid, u64)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();
    for p in pushers {
        let (acked, stop, base) = (acked.clone(), stop.clone(), base.clone());
        threads.push(std::thread::spawn(move || {
            let mut next = per_pusher + 1;
            let mut rng = fastrand::Rng::with_seed(next + p.device.as_u128() as u64);
            while !stop.load(Ordering::Relaxed) {
                let to = next + rng.u64(0..3);
                let reply = p.push(&base, next, to);
                assert_eq!(reply.acked_through, to);
                acked.lock().unwrap().extend((next..=to).map(|s| (p.device, s)));
                next = to + 1;
            }
            p
        }));
    }
    std::thread::sleep(Duration::from_millis(300));
    let before_backup: BTreeSet<(Uuid, u64)> = acked.lock().unwrap().clone();
    let backup = root.path().join("backups").join("qar-1.qarbak");
    std::fs::create_dir_all(backup.parent().unwrap()).unwrap();
    let started = Instant::now();
    let out = match live_database(&live) {
        Some(url) => pg_tool("pg_dump", &["--format=custom", "--file", &backup.display().to_string(), "--dbname", &url]),
        None => cli(&["backup", "--data-dir"], &[&live, Path::new("--to"), &backup, Path::new("--key-file"), &key]),
    };
    let took = started.elapsed();
    assert!(out.status.success(), "{}", text(&out));
    std::thread::sleep(Duration::from_millis(200));
    let during = acked.lock().unwrap().len() - before_backup.len();
    stop.store(true, Ordering::Relaxed);
    let pushers: Vec<Pusher> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    println!("backup of {} ops took {took:?} while {during} more were acknowledged: {}", preload(), text(&out).trim());
    assert!(during > 0, "pushes went on while and after the backup ran");
    if !crate::common::on_postgres() {
        assert!(text(&out).contains("encrypted with the server key"), "{}", text(&out));
    }
    let restored = root.path().join("restored");
    if crate::common::on_postgres() {
        restore_postgres(&live, &backup, &restored, &key);
    } else {
        restore_sqlite(root.path(), &live, &backup, &restored, &key);
    }
    let verified = cli(&["verify-audit", "--data-dir"], &[&restored, Path::new("--key-file"), &key]);
    assert!(verified.status.success() && text(&verified).contains("audit log intact"), "{}", text(&verified));

    // The server starts on the restored store; every op acknowledged before the backup began
    // is in its feed, and its feed epoch is new.
    drop(server);
    let live_epoch = qar_server::open_store(&live, None, &qar_server::KeySource::File(key.clone())).unwrap().feed_epoch().to_owned();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let _server = Server::start(&restored, &key, port);
    assert!(ready(&base), "the server starts on the restored store");
    let mut ids = BTreeSet::new();
    let mut epoch = None;
    for p in &pushers {
        let mut cursor = 0;
        loop {
            let page: PullResponse = p.http.get(format!("{base}/v1/sync/pull?cursor={cursor}&limit=5000")).send().unwrap().json().unwrap();
            ids.extend(page.changes.iter().map(|c| c.id));
            epoch = page.feed_epoch.clone();
            cursor = page.cursor;
            if !page.has_more {
                break;
            }
        }
    }
    let missing: Vec<_> = before_backup.iter().filter(|(d, s)| *s > 1 && !ids.contains(&note_id(*d, *s))).collect();
    assert!(missing.is_empty(), "{} acknowledged ops missing after restore, e.g. {:?}", missing.len(), missing.first());
    assert!(epoch.is_some_and(|e| e != live_epoch), "the restored store has a new feed epoch");
}

/// The live store's PostgreSQL database in the suite's PostgreSQL run.
fn live_database(live: &Path) -> Option<String> {
    qar_server::store::pg_testkit::database_for_this_server(live).unwrap()
}

fn pg_tool(tool: &str, args: &[&str]) -> Output {
    let bin = Path::new(&std::env::var("QAR_PGBIN").unwrap_or_else(|_| "/usr/lib/postgresql/15/bin".into())).join(tool);
    Command::new(bin).args(args).output().unwrap()
}

/// PostgreSQL's guide (deploy/README.md): `qar-server backup` points to pg_dump; pg_restore into a
/// new, empty database; `after-restore` before a server serves it.
fn restore_postgres(live: &Path, dump: &Path, restored: &Path, key: &Path) {
    let url = live_database(live).unwrap();
    let refused = cli(
        &["backup", "--database-url", &url, "--data-dir"],
        &[live, Path::new("--to"), &dump.with_extension("x"), Path::new("--key-file"), key],
    );
    assert!(!refused.status.success() && text(&refused).contains("use pg_dump"), "{}", text(&refused));
    let target = qar_server::store::pg_testkit::database_for_this_server(restored).unwrap().unwrap();
    let started = Instant::now();
    let out = pg_tool("pg_restore", &["--no-owner", "--exit-on-error", "--dbname", &target, &dump.display().to_string()]);
    assert!(out.status.success(), "{}", text(&out));
    println!("pg_restore took {:?}", started.elapsed());
    let after = cli(&["after-restore", "--data-dir"], &[restored, Path::new("--key-file"), key]);
    assert!(after.status.success() && text(&after).contains("new feed epoch"), "{}", text(&after));
}

/// `qar-server backup` wrote an encrypted file; `qar-server restore` refuses what it must (and
/// writes nothing then), then restores into an empty folder.
fn restore_sqlite(root: &Path, live: &Path, backup: &Path, restored: &Path, key: &Path) {
    // Encrypted: neither SQLite's header nor a note's words are in the file.
    let bytes = std::fs::read(backup).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3"), "the backup is not a clear SQLite file");
    assert!(!bytes.windows(15).any(|w| w == b"secret-ish word"), "no note text in clear");
    assert!(!root.join("backups").join("qar-1.qarbak.partial").exists());

    // A backup never overwrites a file.
    let again = cli(&["backup", "--data-dir"], &[live, Path::new("--to"), backup, Path::new("--key-file"), key]);
    assert!(!again.status.success() && text(&again).contains("never overwrites"), "{}", text(&again));

    // Restore refuses the live folder (exit 2) and a wrong key, and writes nothing then.
    let refused = cli(&["restore", "--from"], &[backup, Path::new("--data-dir"), live, Path::new("--key-file"), key]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains("is not empty (it holds a store, qar-server.db)"), "{}", text(&refused));
    let wrong_key = root.join("other.key");
    std::fs::write(&wrong_key, format!("{}\n", "ab".repeat(32))).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrong_key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let elsewhere = root.join("wrong");
    let wrong = cli(&["restore", "--from"], &[backup, Path::new("--data-dir"), &elsewhere, Path::new("--key-file"), &wrong_key]);
    assert!(!wrong.status.success() && text(&wrong).contains("does not open with this server key"), "{}", text(&wrong));
    assert!(!elsewhere.join(qar_server::store::STORE_FILE).exists());

    let started = Instant::now();
    let out = cli(&["restore", "--from"], &[backup, Path::new("--data-dir"), restored, Path::new("--key-file"), key]);
    println!("restore took {:?}", started.elapsed());
    assert!(out.status.success(), "{}", text(&out));
}
