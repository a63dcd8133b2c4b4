//! Two `qar-server` processes on one PostgreSQL database (issue 20, decision 98), with real
//! laptops (qar-client stores) signed in to each: an edit made through one instance reaches a
//! laptop long-polling the other (the p95 is printed), every laptop ends with the same notes, and
//! `kill -9` of an instance in the middle of a laptop's push loses no acknowledged op and applies
//! none twice (the laptop retries against the restarted instance).
//!
//! Runs in the PostgreSQL run of the server's tests (`tests/pg/server-suite.sh`, which sets
//! `QAR_TEST_STORE=postgres` and the cluster's `QAR_TEST_DATABASE_URL`); the SQLite run says it
//! skips it.

use qar_client::{Client, NewEvidence, NewReview, Session, Store};
use qar_core::entities::TeamRole;
use qar_server::store::now_ms;
use qar_server::{KeySource, ServerStore};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Edits timed from one instance to the other.
const LIVE_EDITS: usize = 20;
/// Times an instance is killed while a laptop pushes to it.
const KILLS: usize = 4;
/// Notes the pushing laptop writes before each kill (one op each).
const NOTES_PER_ROUND: usize = 150;

/// One `qar-server` process on the shared database.
struct Instance {
    child: Child,
    url: String,
}

impl Instance {
    fn start(database_url: &str, key_hex: &str, data_dir: &Path, port: u16) -> Instance {
        let child = Command::new(env!("CARGO_BIN_EXE_qar-server"))
            .args(["--data-dir", &data_dir.display().to_string(), "--listen", &format!("127.0.0.1:{port}")])
            .env("QAR_DATABASE_URL", database_url)
            .env("QAR_SERVER_KEY", key_hex)
            .env_remove("QAR_TEST_STORE")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("qar-server starts");
        let instance = Instance { child, url: format!("http://127.0.0.1:{port}") };
        // The blocking HTTP client runs a runtime of its own: not on the test's async threads.
        tokio::task::block_in_place(|| instance.wait_ready());
        instance
    }

    fn wait_ready(&self) {
        let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(2)).build().unwrap();
        let until = Instant::now() + Duration::from_secs(20);
        while Instant::now() < until {
            if http.get(format!("{}/v1/health", self.url)).send().is_ok_and(|r| r.status().is_success()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the instance at {} did not answer within 20 s", self.url);
    }

    /// SIGKILL: no graceful shutdown, nothing flushed.
    fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A laptop signed in to `url` as `user_id` (a device token from the store's test support; real
/// sign-in is covered by the auth tests).
fn laptop(dir: &Path, url: &str, store: &ServerStore, user_id: &str, name: &str) -> Arc<Client> {
    let mut local = Store::open(&dir.join("qar-field.db")).unwrap();
    let token = store.test_token(user_id, local.device_id(), now_ms()).unwrap();
    let session = Session {
        user_id: user_id.into(),
        name: name.into(),
        email: format!("{user_id}@test.invalid"),
        server_url: url.into(),
        roles: vec![],
        device_name: "Test laptop".into(),
        signed_in_at: String::new(),
    };
    local.save_session(&session, &token).unwrap();
    drop(local);
    Arc::new(Client::open(dir, url).unwrap())
}

fn note(review_id: &str, text: String) -> NewEvidence {
    NewEvidence { review_id: review_id.into(), activity_type: "work_scrutiny".into(), notes: text, ..Default::default() }
}

/// Note id → text, as a laptop holds them.
fn notes_on(client: &Client, review_id: &str) -> BTreeMap<String, String> {
    client.list_evidence(review_id).unwrap().into_iter().map(|e| (e.id, e.notes)).collect()
}

/// Times one note from `from` (its instance) to `to`, which long-polls the other instance: from
/// just before `from` syncs to the moment `to` holds the note.
async fn live_edit(from: &Arc<Client>, to: &Arc<Client>, review_id: &str, text: String) -> Duration {
    let waiting = {
        let (to, review, text) = (to.clone(), review_id.to_owned(), text.clone());
        tokio::spawn(async move {
            let until = Instant::now() + Duration::from_secs(15);
            while Instant::now() < until {
                to.wait_for_changes(10_000).await.unwrap();
                if notes_on(&to, &review).values().any(|n| *n == text) {
                    return Some(Instant::now());
                }
            }
            None
        })
    };
    // The poll is open on the other instance before the edit is made.
    tokio::time::sleep(Duration::from_millis(150)).await;
    from.add_evidence(&note(review_id, text.clone())).unwrap();
    let started = Instant::now();
    from.sync_now().await.unwrap();
    let arrived = waiting.await.unwrap().unwrap_or_else(|| panic!("{text:?} never reached the laptop on the other instance"));
    arrived - started
}

fn p95(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[(samples.len() * 95).div_ceil(100) - 1]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_one_database_live_edits_cross_and_a_kill_loses_nothing() {
    if std::env::var("QAR_TEST_STORE").as_deref() != Ok("postgres") {
        eprintln!("skipped in this run: two server instances need PostgreSQL; this test runs in the PostgreSQL run of the server's tests (tests/pg/server-suite.sh)");
        return;
    }
    let Some(cluster) = crate::pg_support::cluster_url() else { return };
    let database = crate::pg_support::fresh_database(&cluster);
    // Both instances must hold the same server key: the audit chain is keyed with it.
    let key_hex: String = (0..32).map(|_| format!("{:02x}", fastrand::u8(..))).collect();
    let dirs: Vec<tempfile::TempDir> = (0..7).map(|_| tempfile::tempdir().unwrap()).collect();
    // The people, and later their team places, written straight into the shared store.
    let store = ServerStore::open_postgres(&database, dirs[0].path(), &KeySource::Hex(key_hex.clone())).unwrap();
    let people =
        [("user-lena", "Lena Lead"), ("user-rhys", "Rhys Reviewer"), ("user-ines", "Ines Reviewer"), ("user-omar", "Omar Reviewer")];
    for (id, name) in people {
        store.test_user(id, name, &[]).unwrap();
    }
    let ports = [free_port(), free_port()];
    let one = Instance::start(&database, &key_hex, dirs[1].path(), ports[0]);
    let two = Instance::start(&database, &key_hex, dirs[2].path(), ports[1]);
    // Lena and Ines sync with instance one, Rhys and Omar with instance two.
    let lena = laptop(dirs[3].path(), &one.url, &store, people[0].0, people[0].1);
    let rhys = laptop(dirs[4].path(), &two.url, &store, people[1].0, people[1].1);
    let ines = laptop(dirs[5].path(), &one.url, &store, people[2].0, people[2].1);
    let omar = laptop(dirs[6].path(), &two.url, &store, people[3].0, people[3].1);
    let laptops = [&lena, &rhys, &ines, &omar];

    let review = lena
        .create_review(&NewReview {
            school_name: "Two Instance Academy".into(),
            school_urn: "990477".into(),
            start_date: "2027-02-02".into(),
        })
        .unwrap();
    lena.sync_now().await.unwrap();
    let review_id: uuid::Uuid = review.id.parse().unwrap();
    for (id, _) in &people[1..] {
        store.test_team_member(review_id, id, TeamRole::Reviewer, now_ms()).unwrap();
    }
    for l in laptops {
        l.sync_now().await.unwrap();
        assert_eq!(l.list_reviews().unwrap().len(), 1, "every laptop has the review");
    }

    // 1. Live edits cross instances: Rhys long-polls instance two while Lena's note reaches
    //    instance one. Without the feed listener the poll would sleep its whole 10 s.
    let mut latencies = Vec::with_capacity(LIVE_EDITS);
    for i in 0..LIVE_EDITS {
        latencies
            .push(live_edit(&lena, &rhys, &review.id, format!("Live note {i}: pupils explained their reasoning in mathematics.")).await);
    }
    let p95_live = p95(&mut latencies);
    eprintln!(
        "two instances: live edit A→B across instances, {LIVE_EDITS} edits: p50 {:?}, p95 {p95_live:?}, max {:?}",
        latencies[latencies.len() / 2],
        latencies[latencies.len() - 1]
    );
    assert!(p95_live < Duration::from_secs(3), "a long-poll on the other instance woke late: p95 {p95_live:?}");

    // The listening connections drop (a database restart, a network cut): each instance makes
    // its own again, and a commit made meanwhile still wakes the pull waiting on the other one.
    let admin = qar_server::store::db::Connection::connect_postgres(&database).unwrap();
    let cut: i64 = admin
        .query_row(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?1 AND datname = current_database()) AS t",
            [qar_server::store::db::feed_listener::LISTENER_NAME],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(cut, 3, "a listener for each instance and for the test's own store");
    let after_cut = live_edit(&lena, &rhys, &review.id, "Written just after the listeners were cut off.".into()).await;
    eprintln!("two instances: live edit A→B right after every feed listener was cut: {after_cut:?}");
    assert!(after_cut < Duration::from_secs(3), "the listener did not come back: {after_cut:?}");

    // 2. Every laptop converges: each writes offline, then all sync at once, twice.
    for (n, l) in laptops.iter().enumerate() {
        for k in 0..5 {
            l.add_evidence(&note(&review.id, format!("Offline note {k} from laptop {n}."))).unwrap();
        }
    }
    for _ in 0..2 {
        let rounds: Vec<_> = laptops
            .iter()
            .map(|l| {
                let l = Arc::clone(l);
                tokio::spawn(async move { l.sync_now().await })
            })
            .collect();
        for r in rounds {
            r.await.unwrap().unwrap();
        }
    }
    let expected = notes_on(&lena, &review.id);
    assert_eq!(expected.len(), LIVE_EDITS + 1 + 4 * 5, "Lena holds every note");
    for l in laptops {
        assert_eq!(l.status().unwrap().pending_ops, 0);
        assert_eq!(notes_on(l, &review.id), expected, "every laptop ends with the same notes");
    }

    // 3. kill -9 of instance one while Ines pushes to it; she retries against the restarted one.
    let mut one = Some(one);
    let mut written = BTreeSet::new();
    let mut cut_short = 0;
    for round in 0..KILLS {
        for k in 0..NOTES_PER_ROUND {
            let text = format!("Kill round {round}, note {k}: books show feedback acted on.");
            ines.add_evidence(&note(&review.id, text.clone())).unwrap();
            written.insert(text);
        }
        let pushing = {
            let ines = ines.clone();
            tokio::spawn(async move { ines.sync_now().await })
        };
        tokio::time::sleep(Duration::from_millis(fastrand::u64(0..40))).await;
        one.take().expect("instance one runs").kill9();
        // Finished before the kill, or failed with the connection: either way nothing is lost.
        if pushing.await.unwrap().is_err() || ines.status().unwrap().pending_ops > 0 {
            cut_short += 1;
        }
        one = Some(Instance::start(&database, &key_hex, dirs[1].path(), ports[0]));
    }
    eprintln!("two instances: {cut_short} of {KILLS} kills cut a push short");
    assert!(cut_short > 0, "no kill landed during a push, so nothing was tested");
    ines.sync_now().await.unwrap();
    assert_eq!(ines.status().unwrap().pending_ops, 0, "every op of Ines's reached the server in the end");

    // Read over the other instance: each note exactly once, none missing.
    rhys.sync_now().await.unwrap();
    let on_rhys = notes_on(&rhys, &review.id);
    let killed_notes: Vec<&String> = on_rhys.values().filter(|n| n.starts_with("Kill round")).collect();
    assert_eq!(killed_notes.len(), written.len(), "no note lost, none doubled");
    assert_eq!(killed_notes.into_iter().cloned().collect::<BTreeSet<_>>(), written);
    let dump = store.dump().unwrap();
    let evidence_rows = dump.iter().filter(|row| row.starts_with("evidence|")).count();
    assert_eq!(evidence_rows, LIVE_EDITS + 1 + 4 * 5 + KILLS * NOTES_PER_ROUND, "one record per note on the server");
    drop(two);
    drop(one);
}

/// Two instances (here two stores in this process, each with its own connections) on one
/// database: each stamps with a node of its own, and a server write made by one is later than an
/// op the other accepted (its clock caught up under the write lock), so the server's write wins.
#[test]
fn instances_stamp_with_their_own_nodes_and_after_every_op_any_of_them_kept() {
    use qar_core::protocol::{FieldWrite, Op, OpOutcome, PushRequest};
    use qar_core::{EntityKind, Hlc, SCHEMA_VERSION};
    if std::env::var("QAR_TEST_STORE").as_deref() != Ok("postgres") {
        eprintln!("skipped in this run: runs in the PostgreSQL run of the server's tests (tests/pg/server-suite.sh)");
        return;
    }
    let Some(cluster) = crate::pg_support::cluster_url() else { return };
    let database = crate::pg_support::fresh_database(&cluster);
    let key = KeySource::Hex((0..32).map(|_| format!("{:02x}", fastrand::u8(..))).collect());
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = ServerStore::open_postgres(&database, dir_a.path(), &key).unwrap();
    let b = ServerStore::open_postgres(&database, dir_b.path(), &key).unwrap();
    a.test_user("user-kim", "Kim Clockwise", &[]).unwrap();
    a.test_user("user-lee", "Lee Counter", &[]).unwrap();
    let device = uuid::Uuid::now_v7();
    let caller = qar_server::AuthDevice { user_id: "user-kim".into(), device_id: device, roles: vec![] };
    // A laptop whose clock runs two minutes fast (within what the server accepts) writes
    // through instance A.
    let ahead = Hlc { wall_ms: now_ms() + 120_000, counter: 0, node: Hlc::node_of(&device) };
    let (review, other) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let op = |seq: u64, id: uuid::Uuid| Op {
        seq,
        entity: EntityKind::Review,
        id,
        review_id: id,
        fields: [("school_name".to_owned(), FieldWrite { value: serde_json::json!("Clockwise Academy"), base: None })].into(),
        hlc: Hlc { counter: seq as u32, ..ahead },
        schema_version: SCHEMA_VERSION,
    };
    let reply = a
        .push(
            &PushRequest { device_id: device, schema_version: SCHEMA_VERSION, ops: vec![op(1, review), op(2, other)], pull_cursor: None },
            &caller,
            now_ms(),
        )
        .unwrap();
    assert!(reply.results.iter().all(|r| r.outcome == OpOutcome::Applied), "{reply:?}");
    // Instance B, which never saw the ops, changes the first review's team; instance A the
    // other's (both server writes of the `team` field).
    b.test_team_member(review, "user-lee", TeamRole::Reviewer, now_ms()).unwrap();
    a.test_team_member(other, "user-lee", TeamRole::Reviewer, now_ms()).unwrap();
    let stamp = |id: uuid::Uuid, field: &str| -> Hlc {
        let row = a.dump().unwrap().into_iter().find(|r| r.starts_with(&format!("review|{id}|"))).expect("the review's record");
        let fields: serde_json::Value = serde_json::from_str(row.splitn(4, '|').nth(3).unwrap().rsplit_once('|').unwrap().0).unwrap();
        fields[field]["version"].as_str().unwrap_or_else(|| panic!("{field} in {fields}")).parse().unwrap()
    };
    let (by_b, by_a) = (stamp(review, "team"), stamp(other, "team"));
    assert!(by_b > stamp(review, "school_name"), "instance B stamped after the op instance A kept: {by_b} ≤ {ahead}");
    assert!(by_a > stamp(other, "school_name"));
    assert_ne!(by_a.node, by_b.node, "each instance stamps with a node of its own");
}
