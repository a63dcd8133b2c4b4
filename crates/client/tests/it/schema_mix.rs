//! Laptops on different data schemas share one review through a real server on loopback
//! (issue 17), seeded, with lost push answers and app restarts:
//! - a laptop of this build's schema (its store and sync);
//! - a schema 1 laptop, played over HTTP as the 0.1 app behaves: it pushes version 1 ops (year
//!   groups as typed) and reads pull pages with the closed list of kinds 0.1 has;
//! - a fake laptop one schema past this build that pushes a kind of record and a field the
//!   server does not know;
//! - a laptop updated from the first release's store file with unsent version 1 work in it:
//!   its owner skipped two updates, so its outbox goes through both upcasters.
//!
//! At the end every acknowledged edit is on every laptop that can represent it (year groups in
//! and subjects in the new form), the old laptop kept syncing throughout, the future values are kept as
//! conflicts on the server, and the updated laptop's whole outbox was pushed and applied.
//! Reproduce a failure with QAR_SIM_SEED=<seed printed in the failure>.

use crate::common::{demo_server, laptop, now_ms};
use qar_client::sync::{sync_once, SyncClient};
use qar_client::{NewEvidence, Session, Store};
use qar_core::protocol::{Change, Op};
use qar_core::{Hlc, HlcClock, SCHEMA_VERSION};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Mutex;
use uuid::Uuid;

const KESTREL: &str = "01900000-0000-7000-8000-000000000101";
const OWEN: &str = "user-owen-pritchard";
const YEAR_GROUPS: [&str; 5] = ["Year 4", "yr 5", "Y3/4", "Reception", "Whole school"];

/// xorshift64*: a seeded stream without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The 0.1 app as the server sees it: version 1 ops, and pages read with 0.1's closed kinds.
struct OldLaptop {
    http: reqwest::Client,
    url: String,
    token: String,
    device: Uuid,
    clock: HlcClock,
    seq: u64,
    cursor: u64,
    /// What this laptop shows: record → field → (value, version).
    records: BTreeMap<Uuid, BTreeMap<String, (Value, Hlc)>>,
    /// Its own notes.
    notes: Vec<Uuid>,
}

impl OldLaptop {
    fn new(srv: &qar_server::RunningServer, user: &str) -> OldLaptop {
        let device = Uuid::now_v7();
        OldLaptop {
            http: reqwest::Client::new(),
            url: srv.url(),
            token: srv.store().test_token(user, device, now_ms()).unwrap(),
            device,
            clock: HlcClock::new(Hlc::node_of(&device)),
            seq: 0,
            cursor: 0,
            records: BTreeMap::new(),
            notes: Vec::new(),
        }
    }

    /// One op as a version `schema` app writes it, each field based on the version held, and
    /// held here as written.
    fn op(&mut self, schema: u32, entity: &str, id: Uuid, fields: &[(&str, Value)]) -> Value {
        self.seq += 1;
        let hlc = self.clock.tick(now_ms());
        let held = self.records.entry(id).or_default();
        let fields: serde_json::Map<String, Value> = fields
            .iter()
            .map(|(k, v)| {
                let base = held.insert((*k).to_owned(), (v.clone(), hlc)).map(|(_, b)| b.to_string());
                ((*k).to_owned(), json!({"value": v, "base": base}))
            })
            .collect();
        json!({"seq": self.seq, "entity": entity, "id": id, "review_id": KESTREL, "fields": fields,
               "hlc": hlc.to_string(), "schema_version": schema})
    }

    fn shows(&self, id: &Uuid, field: &str) -> Option<&Value> {
        self.records.get(id).and_then(|r| r.get(field)).map(|(v, _)| v)
    }

    /// Pushes `ops`; with `lose_answer` the answer never arrives and the same ops go again.
    async fn push(&mut self, ops: Vec<Value>, lose_answer: bool) -> Value {
        let body = json!({"device_id": self.device, "schema_version": 1, "ops": ops});
        let send = || self.http.post(format!("{}/v1/sync/push", self.url)).bearer_auth(&self.token).json(&body).send();
        if lose_answer {
            send().await.unwrap();
        }
        let reply: Value = send().await.unwrap().json().await.unwrap();
        assert!(reply["results"].is_array(), "{reply}");
        reply
    }

    /// Pulls to the end, reading every change as 0.1 does (a closed list of kinds: a page with
    /// another kind would fail here).
    async fn pull(&mut self) {
        loop {
            let url = format!("{}/v1/sync/pull?cursor={}&device_id={}", self.url, self.cursor, self.device);
            let page: Value = self.http.get(url).bearer_auth(&self.token).send().await.unwrap().json().await.unwrap();
            for c in page["changes"].as_array().unwrap() {
                let c: Change = serde_json::from_value(c.clone()).expect("a 0.1 laptop reads every change");
                for name in c.fields.keys() {
                    // 0.1 applied a change field by field to its columns: an unknown name failed the page.
                    assert!(c.entity.field(name).is_ok(), "a 0.1 laptop is sent {name} of {:?}, which it cannot read", c.entity);
                }
                let held = self.records.entry(c.id).or_default();
                for (name, f) in c.fields {
                    self.clock.observe(f.version, now_ms());
                    held.insert(name, (f.value, f.version));
                }
            }
            self.cursor = page["cursor"].as_u64().unwrap();
            if !page["has_more"].as_bool().unwrap() {
                return;
            }
        }
    }
}

/// A store file as the first release wrote it (its first migration only), holding unsent
/// version 1 ops: notes of Owen's with year groups and subjects as typed.
fn first_release_store(path: &std::path::Path, device: Uuid, notes: &[(Uuid, &str, &str)]) {
    let mut c = qar_dbkit::open(path, qar_dbkit::Durability::Normal).unwrap();
    let first = qar_dbkit::Migration {
        number: 1,
        name: "reviews, evidence, outbox, audit",
        sql: include_str!("../../src/store/migrations/0001_init.sql"),
    };
    qar_dbkit::migrate(&mut c, &[first]).unwrap();
    c.execute("INSERT INTO meta(key, value) VALUES ('device_id', ?1)", [device.to_string()]).unwrap();
    let mut clock = HlcClock::new(Hlc::node_of(&device));
    for (id, text, year) in notes {
        let fields = json!({"activity_type": {"value": "work_scrutiny", "base": null}, "notes": {"value": text, "base": null},
                            "year_group": {"value": year, "base": null}, "subject": {"value": "mathematics", "base": null}});
        c.execute(
            "INSERT INTO outbox(entity, entity_id, review_id, fields, hlc, schema_version) VALUES ('evidence', ?1, ?2, ?3, ?4, 1)",
            [id.to_string(), KESTREL.to_owned(), fields.to_string(), clock.tick(now_ms()).to_string()],
        )
        .unwrap();
    }
}

fn sign_in(store: &mut Store, srv: &qar_server::RunningServer, user: &str) -> SyncClient {
    let token = srv.store().test_token(user, store.device_id(), now_ms()).unwrap();
    let session = Session {
        user_id: user.into(),
        name: user.into(),
        email: format!("{user}@example.org"),
        server_url: srv.url(),
        roles: vec![],
        device_name: "Updated laptop".into(),
        signed_in_at: String::new(),
    };
    store.save_session(&session, &token).unwrap();
    SyncClient::with_token(&srv.url(), &token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn laptops_on_three_schemas_share_a_review_without_losing_work() {
    let seed: u64 = std::env::var("QAR_SIM_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(17);
    let rounds: u64 = std::env::var("QAR_SIM_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(40);
    let mut rng = Rng(seed.max(1));
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let srv = demo_server(dirs[0].path()).await;
    let new_path = dirs[1].path().join("qar-field.db");
    let (store, client) = laptop(dirs[1].path(), &srv.url(), srv.store(), "anika.marsh@example.org", "user-anika-marsh");
    let mut new = Some(store);
    let mut old = OldLaptop::new(&srv, OWEN);
    let mut future = OldLaptop::new(&srv, OWEN);
    sync_once(new.as_ref().unwrap(), &client, now_ms).await.unwrap();
    old.pull().await;

    // The last acknowledged value of every field each laptop wrote: record → field → value as the
    // server must hold it (year groups in the new form).
    let mut acked: BTreeMap<(Uuid, String), Value> = BTreeMap::new();
    let mut new_notes: Vec<String> = Vec::new();
    let mut future_kept: Vec<(Uuid, &str, Value)> = Vec::new();
    for round in 0..rounds {
        let ctx = format!("seed {seed}, round {round}");
        match rng.below(7) {
            // This build's laptop records or edits a note (offline: sync comes later).
            0 | 1 => {
                let mut s = new.as_ref().unwrap().lock().unwrap();
                let year = YEAR_GROUPS[rng.below(5) as usize];
                if new_notes.is_empty() || rng.below(2) == 0 {
                    let e = s
                        .add_evidence(
                            &NewEvidence {
                                review_id: KESTREL.into(),
                                activity_type: "learning_walk".into(),
                                notes: format!("Anika's note, round {round}"),
                                year_group: year.into(),
                                ..Default::default()
                            },
                            now_ms(),
                        )
                        .unwrap_or_else(|e| panic!("{ctx}: {e}"));
                    new_notes.push(e.id);
                } else {
                    let id = new_notes[rng.below(new_notes.len() as u64) as usize].clone();
                    s.update_evidence_field(&id, "year_group", json!(year), now_ms()).unwrap_or_else(|e| panic!("{ctx}: {e}"));
                }
            }
            // This build's laptop syncs; sometimes a push's answer is lost first.
            2 => {
                let store = new.as_ref().unwrap();
                if rng.below(3) == 0 {
                    let batch = store.lock().unwrap().pending_batch(50).unwrap();
                    if !batch.ops.is_empty() {
                        let _lost = client.push(batch.device_id, batch.ops, None).await.unwrap();
                    }
                }
                sync_once(store, &client, now_ms).await.unwrap_or_else(|e| panic!("{ctx}: {e}"));
                for id in &new_notes {
                    let e = store.lock().unwrap().evidence(id).unwrap();
                    let id = Uuid::parse_str(id).unwrap();
                    acked.insert((id, "year_group".into()), json!(e.year_group));
                    acked.insert((id, "notes".into()), json!(e.notes));
                }
            }
            // The schema 1 laptop writes version 1 ops (year groups as typed) and pushes them.
            3 | 4 => {
                let year = YEAR_GROUPS[rng.below(5) as usize];
                let (id, fields) = if old.notes.is_empty() || rng.below(2) == 0 {
                    let id = Uuid::now_v7();
                    old.notes.push(id);
                    (
                        id,
                        vec![
                            ("activity_type", json!("pupil_voice")),
                            ("notes", json!(format!("Owen's note, round {round}"))),
                            ("year_group", json!(year)),
                        ],
                    )
                } else {
                    (old.notes[rng.below(old.notes.len() as u64) as usize], vec![("year_group", json!(year))])
                };
                let op = old.op(1, "evidence", id, &fields);
                let lose = rng.below(3) == 0;
                let reply = old.push(vec![op], lose).await;
                // After a lost answer the retry is answered duplicate: the first one was applied.
                let want = if lose { "duplicate" } else { "applied" };
                assert_eq!(reply["results"][0]["status"], want, "{ctx}: {reply}");
                for (name, value) in fields {
                    let value = if name == "year_group" {
                        json!(qar_core::year_group::normalise_year_group(value.as_str().unwrap()))
                    } else {
                        value
                    };
                    acked.insert((id, name.to_owned()), value);
                }
                old.pull().await;
            }
            // A laptop on a future schema 3 pushes a kind and a field this server does not know.
            5 => {
                let (photo, note) = (Uuid::now_v7(), Uuid::now_v7());
                let ops = vec![
                    future.op(SCHEMA_VERSION + 1, "school_page", photo, &[("caption", json!(format!("Working wall, round {round}")))]),
                    future.op(
                        SCHEMA_VERSION + 1,
                        "evidence",
                        note,
                        &[("activity_type", json!("learning_walk")), ("mood", json!("settled"))],
                    ),
                ];
                let lose = rng.below(3) == 0;
                let reply = future.push(ops, lose).await;
                let codes: Vec<&str> = reply["results"].as_array().unwrap().iter().filter_map(|r| r["code"].as_str()).collect();
                let want: &[&str] = if lose { &[] } else { &["unknown_schema", "unknown_schema"] };
                assert_eq!(codes, want, "{ctx}: {reply}");
                future_kept.push((photo, "caption", json!(format!("Working wall, round {round}"))));
                future_kept.push((note, "mood", json!("settled")));
            }
            // This build's app restarts.
            _ => {
                drop(new.take());
                new = Some(Mutex::new(Store::open(&new_path).unwrap()));
            }
        }
    }

    // The laptop whose owner skipped updates: the first release's store file with unsent
    // version 1 work, opened by this app, signed in, synced.
    let skipped = [(Uuid::now_v7(), "Books: feedback acted on", "Year 4"), (Uuid::now_v7(), "Books: presentation", "yr 6")];
    let updated_path = dirs[2].path().join("qar-field.db");
    first_release_store(&updated_path, Uuid::now_v7(), &skipped);
    let mut updated = Store::open(&updated_path).unwrap();
    assert_eq!(updated.pending_count().unwrap(), 2, "the unsent work survived the update");
    assert!(updated.pending_batch(10).unwrap().ops.iter().all(|o: &Op| o.schema_version == SCHEMA_VERSION));
    let updated_client = sign_in(&mut updated, &srv, OWEN);
    let updated = Mutex::new(updated);
    sync_once(&updated, &updated_client, now_ms).await.unwrap();
    assert_eq!(updated.lock().unwrap().pending_count().unwrap(), 0, "the whole outbox was pushed");
    for (id, text, year) in skipped {
        acked.insert((id, "notes".into()), json!(text));
        acked.insert((id, "year_group".into()), json!(qar_core::year_group::normalise_year_group(year)));
        // Written before schema 2 and 3, brought up through both steps.
        acked.insert((id, "subject".into()), json!("Maths"));
    }

    // Everyone syncs once more.
    let new = new.unwrap();
    sync_once(&new, &client, now_ms).await.unwrap();
    old.pull().await;
    let admin = OldLaptop::new(&srv, "user-demo-admin");
    let mut server = admin;
    server.pull().await;

    // This build's laptop's last values are the ones its final sync acknowledged.
    for id in &new_notes {
        let e = new.lock().unwrap().evidence(id).unwrap();
        let id = Uuid::parse_str(id).unwrap();
        acked.insert((id, "year_group".into()), json!(e.year_group));
        acked.insert((id, "notes".into()), json!(e.notes));
    }
    assert_eq!(new.lock().unwrap().pending_count().unwrap(), 0);
    for ((id, field), value) in &acked {
        let on_server = server.shows(id, field);
        assert_eq!(on_server, Some(value), "seed {seed}: acknowledged {field} of {id} on the server");
        // Its own year groups written the old way came back in the new form.
        assert_eq!(old.shows(id, field), Some(value), "seed {seed}: the schema 1 laptop shows {field} of {id}");
        let shown =
            new.lock().unwrap().evidence(&id.to_string()).unwrap_or_else(|e| panic!("seed {seed}: {id} on this build's laptop: {e}"));
        let shown = match field.as_str() {
            "notes" => json!(shown.notes),
            "year_group" => json!(shown.year_group),
            "activity_type" => json!(shown.activity_type),
            "subject" => json!(shown.subject),
            other => panic!("no check for {other}"),
        };
        assert_eq!(&shown, value, "seed {seed}: this build's laptop shows {field} of {id}");
    }
    // Nothing the future laptop typed is lost: each value is a conflict record the server keeps.
    let kept: Vec<(String, String, Value)> = server
        .records
        .values()
        .filter(|r| r.contains_key("winner_version") && r.get("kind").is_some_and(|(k, _)| k == "unknown_schema"))
        .map(|r| (r["record_id"].0.as_str().unwrap().to_owned(), r["field"].0.as_str().unwrap().to_owned(), r["value"].0.clone()))
        .collect();
    for (id, field, value) in &future_kept {
        assert!(kept.contains(&(id.to_string(), (*field).to_owned(), value.clone())), "seed {seed}: {field} of {id} kept");
    }
    assert!(!new_notes.is_empty() && !old.notes.is_empty(), "seed {seed}: both laptops wrote");
    srv.stop().await;
}

/// The pull of a page that holds a kind of record and a field this build does not know, from a
/// real server, on the oldest laptop that reads such pages (this build: 0.1 laptops cannot,
/// docs/compatibility.md): the page is applied, the cursor moves past it, the unknown parts are
/// kept aside, and the status says an update is available.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_with_unknown_kinds_is_applied_and_kept_aside() {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let srv = demo_server(dirs[0].path()).await;
    let v = |n: u64| Hlc { wall_ms: now_ms() + n, counter: 0, node: 4242 }.to_string();
    let (photo, note) = (Uuid::now_v7().to_string(), Uuid::now_v7().to_string());
    let photo_fields = json!({"caption": {"value": "Working wall in Y6", "version": v(1)}});
    let note_fields = json!({"activity_type": {"value": "learning_walk", "version": v(2)}, "notes": {"value": "Calm corridors", "version": v(2)},
                             "mood": {"value": "settled", "version": v(2)}});
    srv.store().test_record_of_a_newer_schema("school_page", &photo, KESTREL, &photo_fields.to_string()).unwrap();
    srv.store().test_record_of_a_newer_schema("evidence", &note, KESTREL, &note_fields.to_string()).unwrap();

    let (store, client) = laptop(dirs[1].path(), &srv.url(), srv.store(), "anika.marsh@example.org", "user-anika-marsh");
    sync_once(&store, &client, now_ms).await.expect("the page does not fail");
    let cursor = {
        let s = store.lock().unwrap();
        assert_eq!(s.evidence(&note).unwrap().notes, "Calm corridors", "the known part of the note is applied");
        assert_eq!(s.set_aside_count().unwrap(), 2);
        assert_eq!(s.set_aside_fields("school_page", &photo).unwrap().unwrap()["caption"]["value"], "Working wall in Y6");
        assert_eq!(s.set_aside_fields("evidence", &note).unwrap().unwrap()["mood"]["value"], "settled");
        s.pull_cursor().unwrap()
    };
    // A second sync starts after the page: nothing is fetched again.
    sync_once(&store, &client, now_ms).await.unwrap();
    assert_eq!(store.lock().unwrap().pull_cursor().unwrap(), cursor);

    // The oldest supported laptop (0.1, which declares no schema) reads the same feed: the
    // server leaves out the kind and the field it cannot read, and its cursor still reaches
    // the end, so nothing stops its sync.
    let mut oldest = OldLaptop::new(&srv, OWEN);
    oldest.pull().await;
    let photo_id: Uuid = photo.parse().unwrap();
    let note_id: Uuid = note.parse().unwrap();
    assert!(!oldest.records.contains_key(&photo_id), "a kind 0.1 does not know is not sent to it");
    assert_eq!(oldest.shows(&note_id, "notes"), Some(&json!("Calm corridors")), "the rest of the note is");
    assert_eq!(oldest.shows(&note_id, "mood"), None);
    assert_eq!(oldest.cursor, cursor, "the 0.1 laptop's cursor moves past what it was not sent");
    srv.stop().await;
}
