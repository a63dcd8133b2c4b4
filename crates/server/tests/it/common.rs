//! A real server on a loopback port with the demo data, signed-in laptops made with the
//! server's test support, and small helpers to push, pull and call the workflow endpoints.
#![allow(dead_code)]

use qar_core::entities::TeamRole;
use qar_core::protocol::{Change, FieldWrite, Op, PushRequest};
use qar_core::{EntityKind, Hlc, HlcClock, SCHEMA_VERSION};
use qar_server::store::demo::DEMO_HUB_ID;
use qar_server::store::now_ms;
use qar_server::{start, Role, RunningServer, ServerConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

pub const ANIKA: &str = "user-anika-marsh";
pub const OWEN: &str = "user-owen-pritchard";
pub const HOLLIE: &str = "user-hollie-brennan";
pub const ADMIN: &str = "user-demo-admin";
pub const SAM_SHADOW: &str = "user-sam-shadow";
pub const OLGA_OTHER_HUB: &str = "user-olga-otherhub";
pub const NADIA_NOBODY: &str = "user-nadia-nobody";

/// The demo reviews: Kestrel Brook (in visit), Heron Vale (preparing), Larkspur Hill (scheduled).
pub const KESTREL: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0101);
pub const HERON: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0102);
pub const LARKSPUR: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0103);

pub use qar_server::store::{day, visit};

pub struct Env {
    pub dir: tempfile::TempDir,
    pub srv: RunningServer,
    pub http: reqwest::Client,
}

/// A signed-in laptop: its device, token, next op seq and clock.
pub struct Laptop {
    pub user_id: String,
    pub device: Uuid,
    pub token: String,
    pub seq: u64,
    pub clock: HlcClock,
}

/// One field write of an op: (field, value, base version).
pub type W<'a> = (&'a str, Value, Option<Hlc>);
/// One op to push: (kind, record id, review id, field writes).
pub type OpSpec<'a> = (EntityKind, Uuid, Uuid, Vec<W<'a>>);

impl Env {
    /// The demo data plus a shadow on every demo review, a coordinator of another hub and a
    /// signed-in person with no part in any review.
    pub async fn demo() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let srv = start(&ServerConfig {
            data_dir: dir.path().to_owned(),
            listen: "127.0.0.1:0".parse().unwrap(),
            demo: true,
            ..Default::default()
        })
        .await
        .unwrap();
        let store = srv.store();
        store.test_user(SAM_SHADOW, "Sam Shadow", &[]).unwrap();
        store.test_user(OLGA_OTHER_HUB, "Olga Otherhub", &[Role::HubCoordinator { hub_id: "hub-other".into() }]).unwrap();
        store.test_user(NADIA_NOBODY, "Nadia Nobody", &[]).unwrap();
        for review in [KESTREL, HERON, LARKSPUR] {
            store.test_team_member(review, SAM_SHADOW, TeamRole::Shadow, now_ms()).unwrap();
        }
        let _ = DEMO_HUB_ID;
        Env { dir, srv, http: reqwest::Client::new() }
    }

    pub fn laptop(&self, user_id: &str) -> Laptop {
        let device = Uuid::now_v7();
        let token = self.srv.store().test_token(user_id, device, now_ms()).unwrap();
        Laptop { user_id: user_id.into(), device, token, seq: 0, clock: HlcClock::new(Hlc::node_of(&device)) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.srv.url())
    }

    pub async fn send(&self, req: reqwest::RequestBuilder, token: Option<&str>) -> (StatusCode, Value) {
        let req = match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        let resp = req.send().await.unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Status, content type and, when it is JSON, the body (a refusal); for answers that are files.
    pub async fn send_raw(&self, req: reqwest::RequestBuilder, token: Option<&str>) -> (StatusCode, Option<String>, Value) {
        let req = match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let content_type = resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = resp.bytes().await.unwrap();
        (status, content_type, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.send(self.http.get(self.url(path)), token).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.send(self.http.post(self.url(path)).json(&body), token).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.send(self.http.put(self.url(path)).json(&body), token).await
    }

    /// Pushes one op per item, stamped by the laptop's clock; the laptop's seq moves on when
    /// the server answers 200.
    pub async fn push(&self, l: &mut Laptop, ops: &[OpSpec<'_>]) -> (StatusCode, Value) {
        let stamped: Vec<_> = ops.iter().map(|o| (o.clone(), l.clock.tick(now_ms()))).collect();
        self.push_stamped(l, &stamped).await
    }

    /// Pushes ops with the given stamps (to place an edit before or after another).
    pub async fn push_stamped(&self, l: &mut Laptop, ops: &[(OpSpec<'_>, Hlc)]) -> (StatusCode, Value) {
        let ops: Vec<Op> = ops
            .iter()
            .enumerate()
            .map(|(i, ((entity, id, review, fields), hlc))| Op {
                seq: l.seq + 1 + i as u64,
                entity: *entity,
                id: *id,
                review_id: *review,
                fields: fields.iter().map(|(f, v, b)| (f.to_string(), FieldWrite { value: v.clone(), base: *b })).collect(),
                hlc: *hlc,
                schema_version: SCHEMA_VERSION,
            })
            .collect();
        let n = ops.len() as u64;
        let body = PushRequest { device_id: l.device, schema_version: SCHEMA_VERSION, ops, pull_cursor: None };
        let (status, reply) = self.post("/v1/sync/push", Some(&l.token.clone()), serde_json::to_value(&body).unwrap()).await;
        if status == StatusCode::OK {
            l.seq += n;
        }
        (status, reply)
    }

    /// Every change this laptop may read, from the start, by record id (latest wins).
    pub async fn pull_all(&self, l: &Laptop) -> BTreeMap<Uuid, Change> {
        let mut cursor = 0;
        let mut out = BTreeMap::new();
        loop {
            // Read as this build's app reads (it declares its schema).
            let path = format!("/v1/sync/pull?cursor={cursor}&limit=500&device_id={}&schema={SCHEMA_VERSION}", l.device);
            let (status, page) = self.get(&path, Some(&l.token)).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            for c in page["changes"].as_array().unwrap() {
                let c: Change = serde_json::from_value(c.clone()).unwrap();
                out.insert(c.id, c);
            }
            cursor = page["cursor"].as_u64().unwrap();
            if !page["has_more"].as_bool().unwrap() {
                return out;
            }
        }
    }

    /// The current record of a review as an administrator reads it.
    pub async fn review(&self, id: Uuid) -> Change {
        let admin = self.laptop(ADMIN);
        self.pull_all(&admin).await.remove(&id).unwrap()
    }

    /// Moves a demo review to `submitted` the way its Lead Reviewer's laptop would.
    pub async fn submit(&self, review: Uuid) {
        let mut lr = self.laptop(ANIKA);
        let current = self.review(review).await;
        let state = current.fields["state"].value.as_str().unwrap().to_owned();
        let path = ["scheduled", "preparing", "in_visit", "estimates_agreed", "drafting", "submitted"];
        let from = path.iter().position(|s| *s == state).unwrap();
        let mut base = Some(current.fields["state"].version);
        for to in &path[from + 1..] {
            let (status, reply) = self.push(&mut lr, &[(EntityKind::Review, review, review, vec![("state", json!(to), base)])]).await;
            assert_eq!((status, reply["results"][0]["status"].as_str()), (StatusCode::OK, Some("applied")), "to {to}: {reply}");
            base = Some(lr.clock.last());
        }
    }
}

/// The outcome codes of a push reply: "applied", "conflict", or the rejection code.
pub fn outcomes(reply: &Value) -> Vec<String> {
    reply["results"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .map(|r| match r["status"].as_str() {
                    Some("rejected") => r["code"].as_str().unwrap_or("?").to_owned(),
                    Some(s) => s.to_owned(),
                    None => "?".into(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The id of the estimate for an area (as the laptops make it).
pub fn estimate_id(review: Uuid, area: &str) -> Uuid {
    Uuid::new_v5(&review, area.as_bytes())
}

/// The store of a server a test started in `dir`, to read what the API does not show: the
/// SQLite file, or in the PostgreSQL run (`QAR_TEST_STORE=postgres`) that server's database.
pub fn store_sql(dir: &std::path::Path) -> qar_server::store::db::Connection {
    qar_server::store::pg_testkit::connect_for_test(dir).unwrap()
}

/// The store of data folder `dir` as the server (and its subcommands) open it: the SQLite file,
/// or in the PostgreSQL run that folder's database.
pub fn open_store(dir: &std::path::Path) -> qar_server::ServerStore {
    qar_server::open_store(dir, None, &qar_server::KeySource::DataDir).unwrap()
}

/// Whether this run keeps the servers' stores in PostgreSQL (`QAR_TEST_STORE=postgres`).
pub fn on_postgres() -> bool {
    std::env::var("QAR_TEST_STORE").as_deref() == Ok("postgres")
}

/// Everything the store of data folder `dir` holds, as bytes an attacker with the disk (SQLite:
/// the file and its journal) or the database (PostgreSQL: `pg_dump`, schema and rows) would see.
pub fn store_dump(dir: &std::path::Path) -> Vec<u8> {
    if let Some(dump) = qar_server::store::pg_testkit::pg_dump(dir, false).unwrap() {
        return dump;
    }
    let mut bytes = std::fs::read(dir.join(qar_server::store::STORE_FILE)).unwrap();
    bytes.extend(std::fs::read(dir.join(format!("{}-wal", qar_server::store::STORE_FILE))).unwrap_or_default());
    bytes
}

/// Drops a guard trigger, as someone with write access to the database would before tampering
/// (PostgreSQL names the table it is on; SQLite does not).
pub fn drop_trigger(conn: &qar_server::store::db::Connection, trigger: &str, table: &str) {
    let sql = match conn.backend() {
        qar_server::store::db::Backend::Postgres => format!("DROP TRIGGER {trigger} ON {table}"),
        qar_server::store::db::Backend::Sqlite => format!("DROP TRIGGER {trigger}"),
    };
    conn.execute_batch(&sql).unwrap();
}
