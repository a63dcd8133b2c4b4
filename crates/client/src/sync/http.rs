//! The HTTP side of sync: typed calls to the server's /v1 API.

use crate::error::{ClientError, Result};
use qar_core::protocol::{ErrorBody, Health, Op, PullResponse, PushRequest, PushResponse};
use qar_core::SCHEMA_VERSION;
use serde::de::DeserializeOwned;
use std::time::Duration;
use uuid::Uuid;

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
    http: reqwest::Client,
    base_url: String,
    /// This laptop's bearer token once someone has signed in; shared by clones, so signing in
    /// once reaches the background sync loop too.
    token: std::sync::Arc<std::sync::RwLock<Option<String>>>,
}

impl SyncClient {
    pub fn new(base_url: &str) -> SyncClient {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            // Above the server's longest long-poll (25 s), so a waiting pull is not cut short.
            .timeout(Duration::from_secs(60))
            .build()
            .expect("a TLS backend is compiled in");
        SyncClient { http, base_url: base_url.trim_end_matches('/').to_owned(), token: Default::default() }
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

    /// Pushes ops; with `pull_cursor`, the reply also brings the first page of news.
    pub async fn push(&self, device_id: Uuid, ops: Vec<Op>, pull_cursor: Option<u64>) -> Result<PushResponse> {
        let body = PushRequest { device_id, schema_version: SCHEMA_VERSION, ops, pull_cursor };
        self.send(self.http.post(self.url("/v1/sync/push")).json(&body)).await
    }

    /// Changes after `cursor`, without this device's own writes. With `wait_ms > 0` the server
    /// holds the request until something changes or the time is up (long-poll).
    pub async fn pull(&self, cursor: u64, limit: u32, device_id: Uuid, wait_ms: u64) -> Result<PullResponse> {
        let url = self.url("/v1/sync/pull");
        let query = [("cursor", cursor.to_string()), ("limit", limit.to_string()), ("device_id", device_id.to_string()), ("wait_ms", wait_ms.to_string())];
        self.send(self.http.get(url).query(&query)).await
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

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    async fn send<T: DeserializeOwned>(&self, req: reqwest::RequestBuilder) -> Result<T> {
        let token = self.token.read().unwrap_or_else(|p| p.into_inner()).clone();
        let req = match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        let offline = |_| ClientError::Offline { url: self.base_url.clone() };
        let resp = req.send().await.map_err(offline)?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(offline)?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| ClientError::Protocol(e.to_string()));
        }
        let body: ErrorBody = serde_json::from_slice(&bytes).unwrap_or_else(|_| ErrorBody {
            code: "http_error".into(),
            message: format!("HTTP {status}"),
            details: serde_json::Value::Null,
        });
        Err(ClientError::Server { status: status.as_u16(), code: body.code, message: body.message })
    }
}
