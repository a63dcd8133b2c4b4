//! The HTTP side of sync: typed calls to the server's /v1 API.

use crate::error::{ClientError, Result};
use qar_core::protocol::{ErrorBody, Health, Op, PullResponse, PushRequest, PushResponse};
use qar_core::SCHEMA_VERSION;
use serde::de::DeserializeOwned;
use std::time::Duration;
use uuid::Uuid;

#[derive(Clone)]
pub struct SyncClient {
    http: reqwest::Client,
    base_url: String,
}

impl SyncClient {
    pub fn new(base_url: &str) -> SyncClient {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            .build()
            .expect("a TLS backend is compiled in");
        SyncClient { http, base_url: base_url.trim_end_matches('/').to_owned() }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub async fn health(&self) -> Result<Health> {
        self.send(self.http.get(self.url("/v1/health"))).await
    }

    pub async fn push(&self, device_id: Uuid, ops: Vec<Op>) -> Result<PushResponse> {
        let body = PushRequest { device_id, schema_version: SCHEMA_VERSION, ops };
        self.send(self.http.post(self.url("/v1/sync/push")).json(&body)).await
    }

    pub async fn pull(&self, cursor: u64, limit: u32) -> Result<PullResponse> {
        let url = self.url("/v1/sync/pull");
        self.send(self.http.get(url).query(&[("cursor", cursor), ("limit", limit as u64)])).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    async fn send<T: DeserializeOwned>(&self, req: reqwest::RequestBuilder) -> Result<T> {
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
