//! The HTTP side of sync: typed calls to the server's /v1 API.

use crate::error::{ClientError, Result};
use qar_core::protocol::{ErrorBody, Health, Op, PullResponse, PushRequest, PushResponse};
use qar_core::ErrorCode;
use qar_core::SCHEMA_VERSION;
use serde::de::DeserializeOwned;
use std::time::Duration;
use uuid::Uuid;

/// Hub administration and scheduling calls (issue 9); a child module, so it shares `send`.
#[path = "admin_http.rs"]
mod admin;

/// Issuing the report and its versions (issue 10); a child module too.
#[path = "report_http.rs"]
mod report;

/// Redeeming and confirming an invitation (issue 9), before anyone is signed in.
#[path = "invitation_http.rs"]
mod invitation;
pub use invitation::Redeemed;

/// `POST /v1/auth/login` as the server reads it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
    pub totp_code: String,
    pub device_id: Uuid,
    pub device_name: String,
}

/// A global role as the server writes it (`{"role": "hub_coordinator", "hub_id": "…"}`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ServerRole {
    pub role: String,
    #[serde(default)]
    pub hub_id: Option<String>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub roles: Vec<ServerRole>,
}

#[derive(Clone, serde::Deserialize)]
pub struct LoginGrant {
    pub token: String,
    pub user: Account,
    pub expires_at_ms: u64,
}

/// One return comment as sent: its id is made here, so a retried return adds nothing twice.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReturnComment {
    pub id: Uuid,
    pub target: String,
    pub text: String,
}

#[derive(Clone)]
pub struct SyncClient {
    pub(super) http: reqwest::Client,
    base_url: String,
    /// This laptop's bearer token once someone has signed in; shared by clones, so signing in
    /// once reaches the background sync loop too.
    token: std::sync::Arc<std::sync::RwLock<Option<String>>>,
    /// The next page of a paged pull, already being fetched while the caller applies this one.
    prefetch: std::sync::Arc<std::sync::Mutex<Option<Prefetch>>>,
    /// `X-QAR-Outbox` value sent with sync requests (issue 9): this laptop's unsent work.
    outbox_report: std::sync::Arc<std::sync::RwLock<Option<String>>>,
    /// Whether bodies are compressed both ways (issue 25); off only to measure today's bytes.
    compression: bool,
    /// What the server showed of compressed push bodies, shared by clones (see [`PushEncoding`]).
    push_encoding: std::sync::Arc<std::sync::atomic::AtomicU8>,
}

/// Push bodies from this size are sent compressed: below it a zstd frame gains too little.
pub const COMPRESS_PUSH_ABOVE_BYTES: usize = 1024;
/// zstd level for push bodies (decision 110): on 1,000-note pushes level 3 is within a few per
/// cent of level 9's size for a third of its CPU, and level 1 is larger for no time that matters
/// beside the network.
pub const PUSH_ZSTD_LEVEL: i32 = 3;

/// Whether the server reads compressed push bodies. A server from before issue 25 reads the
/// compressed bytes as JSON and answers 400 `malformed_json` (a newer one 415
/// `unsupported_encoding` for an encoding it does not take): the push then goes again plain,
/// and this laptop sends that server plain bodies from then on. Nothing of a refused body was
/// applied, so sending it again is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum PushEncoding {
    /// Not yet known: the next push tries zstd.
    Untried = 0,
    Zstd = 1,
    Plain = 2,
}

/// A pull page requested ahead: what it was asked with, and the request under way.
struct Prefetch {
    key: PullKey,
    task: tokio::task::JoinHandle<Result<PullResponse>>,
}

/// What makes two pull requests the same request.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PullKey {
    cursor: u64,
    limit: u32,
    device_id: Uuid,
    token: Option<String>,
}

impl SyncClient {
    pub fn new(base_url: &str) -> SyncClient {
        SyncClient {
            http: http_client(true),
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: Default::default(),
            prefetch: Default::default(),
            outbox_report: Default::default(),
            compression: true,
            push_encoding: std::sync::Arc::new(std::sync::atomic::AtomicU8::new(PushEncoding::Untried as u8)),
        }
    }

    /// This client with compressed bodies on (the default) or off: off, it asks for no compressed
    /// answers and sends push bodies plain, as apps before issue 25 did. The benchmark uses it to
    /// show today's bytes beside the compressed ones in the same run.
    pub fn with_compression(mut self, on: bool) -> SyncClient {
        if on != self.compression {
            self.http = http_client(on);
            self.compression = on;
        }
        self
    }

    pub fn compression(&self) -> bool {
        self.compression
    }

    fn push_encoding(&self) -> PushEncoding {
        match self.push_encoding.load(std::sync::atomic::Ordering::Relaxed) {
            1 => PushEncoding::Zstd,
            2 => PushEncoding::Plain,
            _ => PushEncoding::Untried,
        }
    }

    fn set_push_encoding(&self, e: PushEncoding) {
        self.push_encoding.store(e as u8, std::sync::atomic::Ordering::Relaxed);
    }

    /// What the next sync requests tell the server about unsent work (ops, oldest op's ms).
    pub fn set_outbox_report(&self, pending: u64, oldest_ms: Option<u64>) {
        let value = match oldest_ms {
            Some(ms) => format!("pending={pending}; oldest={ms}"),
            None => format!("pending={pending}"),
        };
        *self.outbox_report.write().unwrap_or_else(|p| p.into_inner()) = Some(value);
    }

    fn with_outbox_report(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.outbox_report.read().unwrap_or_else(|p| p.into_inner()).as_deref() {
            Some(v) => req.header("X-QAR-Outbox", v),
            None => req,
        }
    }

    /// A client that sends `token` as `Authorization: Bearer` on every request.
    pub fn with_token(base_url: &str, token: &str) -> SyncClient {
        let c = SyncClient::new(base_url);
        c.set_token(Some(token.to_owned()));
        c
    }

    pub fn set_token(&self, token: Option<String>) {
        *self.token.write().unwrap_or_else(|p| p.into_inner()) = token;
    }

    pub fn has_token(&self) -> bool {
        self.token.read().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub async fn health(&self) -> Result<Health> {
        self.send(self.http.get(self.url("/v1/health"))).await
    }

    /// Pushes ops; with `pull_cursor`, the reply also brings the first page of news. A body
    /// over [`COMPRESS_PUSH_ABOVE_BYTES`] goes zstd-compressed unless the server has shown it
    /// does not read that ([`PushEncoding`]).
    pub async fn push(&self, device_id: Uuid, ops: Vec<Op>, pull_cursor: Option<u64>) -> Result<PushResponse> {
        let body = PushRequest { device_id, schema_version: SCHEMA_VERSION, ops, pull_cursor };
        let json = serde_json::to_vec(&body).map_err(|e| ClientError::Protocol(e.to_string()))?;
        let tried = self.compression && json.len() >= COMPRESS_PUSH_ABOVE_BYTES && self.push_encoding() != PushEncoding::Plain;
        if tried {
            let packed =
                zstd::bulk::compress(&json, PUSH_ZSTD_LEVEL).map_err(|e| ClientError::Protocol(format!("compressing the push: {e}")))?;
            match self.send_push(packed, Some("zstd")).await {
                Err(ClientError::Server { status, code, .. })
                    if refuses_encoding(status, &code) && self.push_encoding() == PushEncoding::Untried =>
                {
                    tracing::info!("the server does not read compressed pushes: sending them plain");
                    self.set_push_encoding(PushEncoding::Plain);
                }
                other => {
                    if other.is_ok() {
                        self.set_push_encoding(PushEncoding::Zstd);
                    }
                    return other;
                }
            }
        }
        self.send_push(json, None).await
    }

    async fn send_push(&self, body: Vec<u8>, encoding: Option<&'static str>) -> Result<PushResponse> {
        let req = self.http.post(self.url("/v1/sync/push")).header(reqwest::header::CONTENT_TYPE, "application/json");
        let req = match encoding {
            Some(e) => req.header(reqwest::header::CONTENT_ENCODING, e),
            None => req,
        };
        self.send(self.with_outbox_report(req.body(body))).await
    }

    /// Changes after `cursor`, without this device's own writes. With `wait_ms > 0` the server
    /// holds the request until something changes or the time is up (long-poll).
    ///
    /// A page that says `has_more` starts the request for the next page at once (its cursor is
    /// in the page), so the server reads and sends it and this side decodes it while the caller
    /// applies the page it has: on a first sync of thousands of records fetching and applying
    /// overlap instead of taking turns. Asking for that next page then takes the answer already
    /// under way. Any other request drops it. The feed is append-only by server sequence, so a
    /// page fetched a moment early is as valid as one fetched now; anything newer comes after
    /// its cursor.
    pub async fn pull(&self, cursor: u64, limit: u32, device_id: Uuid, wait_ms: u64) -> Result<PullResponse> {
        let key = PullKey { cursor, limit, device_id, token: self.current_token() };
        let ahead = self.prefetch.lock().unwrap_or_else(|p| p.into_inner()).take();
        let page = match ahead {
            Some(a) if wait_ms == 0 && a.key == key => match a.task.await {
                Ok(Ok(page)) => Ok(page),
                // Failed or cancelled ahead of time: ask again now, and answer as that does.
                _ => self.fetch_pull(&key, wait_ms).await,
            },
            other => {
                if let Some(a) = other {
                    a.task.abort();
                }
                self.fetch_pull(&key, wait_ms).await
            }
        }?;
        let runtime = tokio::runtime::Handle::try_current();
        if let (true, Ok(runtime)) = (page.has_more && page.cursor != cursor, runtime) {
            let next = PullKey { cursor: page.cursor, ..key };
            let client = self.clone();
            let fetch_key = next.clone();
            let task = runtime.spawn(async move { client.fetch_pull(&fetch_key, 0).await });
            if let Some(old) = self.prefetch.lock().unwrap_or_else(|p| p.into_inner()).replace(Prefetch { key: next, task }) {
                old.task.abort();
            }
        }
        Ok(page)
    }

    async fn fetch_pull(&self, key: &PullKey, wait_ms: u64) -> Result<PullResponse> {
        let url = self.url("/v1/sync/pull");
        let query = [
            ("cursor", key.cursor.to_string()),
            ("limit", key.limit.to_string()),
            ("device_id", key.device_id.to_string()),
            ("wait_ms", wait_ms.to_string()),
            // Without it the server sends only what the first release could read.
            ("schema", qar_core::SCHEMA_VERSION.to_string()),
        ];
        let req = self.with_outbox_report(self.http.get(url).query(&query));
        let req = match &key.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        self.send_request(req).await
    }

    pub(super) fn current_token(&self) -> Option<String> {
        self.token.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Signs this laptop in: email, password and authenticator code give a device token.
    pub async fn login(&self, body: &LoginBody) -> Result<LoginGrant> {
        self.send(self.http.post(self.url("/v1/auth/login")).json(body)).await
    }

    /// Tells the server this laptop's token is no longer wanted.
    pub async fn logout(&self) -> Result<serde_json::Value> {
        self.send(self.http.post(self.url("/v1/auth/logout"))).await
    }

    /// Coordinator: approves the report whose content hash is `report_hash` (online only).
    pub async fn approve(&self, review_id: &str, report_hash: &str) -> Result<serde_json::Value> {
        let url = self.url(&format!("/v1/reviews/{review_id}/approve"));
        self.send(self.http.post(url).json(&serde_json::json!({ "report_hash": report_hash }))).await
    }

    /// Coordinator: returns the report with comments (online only).
    pub async fn return_review(&self, review_id: &str, comments: &[ReturnComment]) -> Result<serde_json::Value> {
        let url = self.url(&format!("/v1/reviews/{review_id}/return"));
        self.send(self.http.post(url).json(&serde_json::json!({ "comments": comments }))).await
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub(super) async fn send<T: DeserializeOwned>(&self, req: reqwest::RequestBuilder) -> Result<T> {
        let req = match self.current_token() {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        self.send_request(req).await
    }

    /// Sends a request that already carries its credentials and reads the JSON answer. Every
    /// call to the server comes through here, so this is where clear text is refused.
    async fn send_request<T: DeserializeOwned>(&self, req: reqwest::RequestBuilder) -> Result<T> {
        check_secure_address(&self.base_url)?;
        let offline = |_| ClientError::Offline { url: self.base_url.clone() };
        let resp = req.send().await.map_err(offline)?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(offline)?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| ClientError::Protocol(e.to_string()));
        }
        // Not our JSON error body (a proxy's page, say): refused, with only the status to tell.
        let body: ErrorBody = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| ErrorBody::new(ErrorCode::ServerRefused, format!("HTTP {status}"), serde_json::Value::Null));
        // An administrator's revoke (not the person's own sign-out elsewhere) ends this laptop's sync.
        if status.as_u16() == 401
            && body.known_code() == Some(ErrorCode::DeviceRevoked)
            && body.details.get("by_admin").and_then(|b| b.as_bool()) == Some(true)
        {
            let reason = body.details.get("reason").and_then(|r| r.as_str()).unwrap_or("no reason given").to_owned();
            return Err(ClientError::Revoked { reason });
        }
        Err(ClientError::Server { status: status.as_u16(), code: body.code, message: body.message })
    }
}

/// The reqwest client every call goes through. With `compression`, reqwest asks for zstd and
/// gzip answers (`Accept-Encoding`) and decodes them; without, it asks for none.
fn http_client(compression: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        // Above the server's longest long-poll (25 s), so a waiting pull is not cut short.
        .timeout(Duration::from_secs(60))
        .zstd(compression)
        .gzip(compression)
        .build()
        .expect("a TLS backend is compiled in")
}

/// A refusal of the body's encoding: 415 `unsupported_encoding` from a server that reads some
/// encodings, or 400 `malformed_json` from one that reads none (it took the bytes for JSON).
fn refuses_encoding(status: u16, code: &str) -> bool {
    (status == 415 && code == ErrorCode::UnsupportedEncoding.as_str()) || (status == 400 && code == ErrorCode::MalformedJson.as_str())
}

/// Refuses an address that would send secrets in clear text: only `https://`, or `http://` to
/// this laptop itself (127.0.0.0/8, ::1, localhost: a server run locally, the tests, `./x run`).
pub fn check_secure_address(base_url: &str) -> Result<()> {
    let insecure = || ClientError::InsecureServer { url: base_url.to_owned() };
    let url = reqwest::Url::parse(base_url).map_err(|_| insecure())?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if url.host_str().is_some_and(is_loopback_host) => Ok(()),
        _ => Err(insecure()),
    }
}

fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost") || bare.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use qar_core::protocol::FieldWrite;
    use qar_core::{EntityKind, Hlc};

    fn now_ms() -> u64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
    }

    /// Paging through the feed with the next page fetched ahead gives exactly the pages asked
    /// one at a time; a request for another cursor is answered for that cursor.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pages_fetched_ahead_are_the_pages_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let config = qar_server::ServerConfig {
            data_dir: dir.path().to_owned(),
            listen: "127.0.0.1:0".parse().unwrap(),
            demo: false,
            ..Default::default()
        };
        let srv = qar_server::start(&config).await.unwrap();
        srv.store().test_user("user-lena", "Lena Lead", &[]).unwrap();
        let (writer, reader) = (Uuid::now_v7(), Uuid::now_v7());
        let tokens = srv.store().test_tokens("user-lena", &[writer, reader], now_ms()).unwrap();
        let review = Uuid::now_v7();
        let node = Hlc::node_of(&writer);
        let op = |seq: u64, entity: EntityKind, id: Uuid, field: &str, value: &str| Op {
            seq,
            entity,
            id,
            review_id: review,
            fields: [(field.to_owned(), FieldWrite { value: serde_json::json!(value), base: None })].into(),
            hlc: Hlc { wall_ms: 1_795_000_000_000 + seq, counter: 0, node },
            schema_version: SCHEMA_VERSION,
        };
        let mut ops = vec![op(1, EntityKind::Review, review, "school_name", "Heron Vale Academy")];
        ops.extend((2..=9).map(|seq| op(seq, EntityKind::Evidence, Uuid::now_v7(), "notes", &format!("note {seq}"))));
        let pushed = SyncClient::with_token(&srv.url(), &tokens[0]).push(writer, ops, None).await.unwrap();
        assert_eq!(pushed.acked_through, 9);

        let client = SyncClient::with_token(&srv.url(), &tokens[1]);
        let whole = client.pull(0, 100, reader, 0).await.unwrap();
        assert_eq!(whole.changes.len(), 9);
        let mut paged = Vec::new();
        let mut cursor = 0;
        loop {
            let page = client.pull(cursor, 2, reader, 0).await.unwrap();
            paged.extend(page.changes.clone());
            cursor = page.cursor;
            if !page.has_more {
                break;
            }
        }
        assert_eq!(paged, whole.changes);
        assert_eq!(cursor, whole.cursor);
        // A page is fetched ahead (cursor 2); asking for another cursor answers that one.
        let first = client.pull(0, 2, reader, 0).await.unwrap();
        assert!(first.has_more);
        let other = client.pull(5, 2, reader, 0).await.unwrap();
        assert_eq!(other.changes, whole.changes[5..7].to_vec());
        srv.stop().await;
    }
}
