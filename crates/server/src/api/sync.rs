use super::blocking;
use super::extract::{JsonBody, QueryParams};
use crate::auth::AuthDevice;
use crate::error::ApiError;
use crate::store::{now_ms, ReadScope};
use crate::store::{Admitted, WirePush};
use crate::AppState;
use axum::extract::State;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};
use qar_core::protocol::{ErrorBody, PullResponse, PushRequest, PushResponse};
use qar_core::ErrorCode;
use serde::Deserialize;

/// Most ops accepted in one push; clients send at most 1,000.
pub const MAX_OPS_PER_PUSH: usize = 5000;
/// Ops in one push from which the WAL is checkpointed right after answering it
/// (`ServerStore::checkpoint`).
pub const BULK_PUSH_OPS: usize = 100;

/// Applies a device's ops in one transaction with its high-water mark, answering only after
/// commit; optionally returns the first page of news (`pull_cursor`). Each op is checked
/// against the permission table: a refused op is answered `rejected` with the reason code
/// (`not_your_role`, `wrong_state`, `not_your_evidence`, `server_field`, …) and never blocks
/// later ops. Each op is first brought up to this server's data schema (`qar_core::upcast`):
/// every schema from `Compat.oldest_schema_version` on is accepted; an op older than that, of a
/// newer schema, or of a kind of record this server does not know is refused alone
/// (`update_required` / `unknown_schema`, with what to do) and its values are kept as conflict
/// records of its review. The answer's `compat` says what the server accepts.
#[utoipa::path(post, path = "/v1/sync/push", tag = "sync", request_body = PushRequest, security(("bearer" = [])),
    responses(
        (status = 200, description = "Per-op results; everything up to acked_through is durable", body = PushResponse),
        (status = 400, description = "malformed_json or not_contiguous", body = ErrorBody),
        (status = 403, description = "device_mismatch (the body's device_id is not the signed-in laptop), account_disabled, or not_on_review (an op for a review the caller has no part in; details.review_id, details.seq; nothing written), or not_your_role (a headteacher's account does not sync)", body = ErrorBody),
        (status = 409, description = "seq_gap: push the earlier ops first; details.expected", body = ErrorBody),
        (status = 413, description = "body_too_large or too_many_ops", body = ErrorBody),
        (status = 422, description = "invalid_body (wrong field types)", body = ErrorBody),
    ))]
pub async fn push(
    State(state): State<AppState>,
    device: AuthDevice,
    headers: axum::http::HeaderMap,
    JsonBody(req): JsonBody<WirePush>,
) -> Result<Response, ApiError> {
    super::outbox_report::note(&state, &device, &headers);
    same_device(&device, Some(req.device_id))?;
    if req.ops.len() > MAX_OPS_PER_PUSH {
        return Err(ApiError::new(
            ErrorCode::TooManyOps,
            format!("{} ops in one push; send at most {MAX_OPS_PER_PUSH} at a time", req.ops.len()),
        ));
    }
    // Checked before the push is applied: a bad cursor must not answer 400 for a saved push.
    if let Some(cursor) = req.pull_cursor {
        crate::store::pull::check_cursor(cursor)?;
    }
    let store = state.store.clone();
    let (device_id, pull_cursor, reader_schema) = (req.device_id, req.pull_cursor, req.schema_version);
    let bulk = req.ops.len() >= BULK_PUSH_OPS;
    // Upcasting is validation: every op is read and brought up to this schema before anything
    // is looked up or written. A malformed op refuses the body; an op of an unsupported
    // version or kind is refused alone inside the push.
    let admitted = Admitted::from_wire(req).map_err(|m| ApiError::new(ErrorCode::InvalidBody, m))?;
    let metrics = state.metrics.clone();
    let body = blocking(move || {
        let reply: PushResponse = store.push_admitted(admitted, &device, now_ms())?;
        metrics.push(&reply.results);
        let mut body = serde_json::to_string(&reply).map_err(ApiError::internal)?;
        if let Some(cursor) = pull_cursor {
            // The news page goes in as the store wrote it: `{…, "pull": {…}}`.
            // The page is read as the app that pushed would read it (its push says its schema).
            let scope = ReadScope::of(&device).read_by(Some(reader_schema.max(1)));
            let page = store.pull_json(cursor, DEFAULT_PULL_LIMIT, Some(device_id), &scope, now_ms())?;
            debug_assert!(body.ends_with('}') && !body.contains("\"pull\""));
            body.pop();
            body.reserve(page.json.len() + 10);
            body.push_str(",\"pull\":");
            body.push_str(&page.json);
            body.push('}');
        }
        Ok(body)
    })
    .await?;
    if bulk {
        // After the answer, not inside the commit that answers (ServerStore::checkpoint).
        let store = state.store.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = store.checkpoint() {
                tracing::warn!("checkpoint after a bulk push: {e}");
            }
        });
    }
    Ok(json_body(body))
}

/// A JSON body written by the store (see `ServerStore::pull_json`).
fn json_body(body: String) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

/// Changes per page unless the client asks otherwise.
pub const DEFAULT_PULL_LIMIT: u32 = 1000;
/// Largest data schema a pull may declare: far beyond any schema there will be, and it keeps
/// the published bound of the parameter one the server holds to.
pub const MAX_SCHEMA: u32 = 1000;
/// Longest a pull may wait for news. Below common proxy idle timeouts (30–60 s).
pub const MAX_WAIT_MS: u64 = 25_000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullParams {
    #[serde(default)]
    cursor: u64,
    /// Changes per page, 1 to 5000 (`store::pull::MAX_PULL_LIMIT`). A page also ends at about
    /// 1 MB of changes (`store::pull::PAGE_BYTES`; a larger change comes alone): `has_more` says
    /// whether more follow, whichever limit ended the page.
    #[serde(default = "default_limit")]
    #[param(minimum = 1, maximum = 5000)]
    limit: u32,
    /// The asking device: its own writes are not sent back to it.
    device_id: Option<uuid::Uuid>,
    /// Long-poll: when nothing is new, wait up to this long for a change before answering;
    /// at most 25,000 (`MAX_WAIT_MS`).
    #[serde(default)]
    #[param(maximum = 25000)]
    wait_ms: u64,
    /// The data schema of the asking app (`Compat.schema_version` of its own build). Apps of
    /// the first release send none and are read as schema 1: kinds of record and fields added
    /// since are left out of their pages (the cursor still moves past them). From schema 2 on,
    /// apps are sent everything and set aside what they do not know (docs/compatibility.md).
    #[param(minimum = 1, maximum = 1000)]
    schema: Option<u32>,
}

impl PullParams {
    /// Out-of-range values are refused, not quietly clamped, so the maxima the schema publishes
    /// are the ones that hold (a client asking for a minute's wait learns it gets 25 s).
    fn check(&self) -> Result<(), ApiError> {
        let max_limit = crate::store::pull::MAX_PULL_LIMIT;
        if !(1..=max_limit).contains(&self.limit) {
            return Err(ApiError::new(ErrorCode::BadQuery, format!("limit must be 1 to {max_limit}, not {}", self.limit)));
        }
        if let Some(schema) = self.schema.filter(|s| !(1..=MAX_SCHEMA).contains(s)) {
            return Err(ApiError::new(
                ErrorCode::BadQuery,
                format!("schema must be 1 to {MAX_SCHEMA}, not {schema}: it is the data schema of the asking app"),
            ));
        }
        if self.wait_ms > MAX_WAIT_MS {
            return Err(ApiError::new(ErrorCode::BadQuery, format!("wait_ms must be at most {MAX_WAIT_MS}, not {}", self.wait_ms)));
        }
        Ok(())
    }
}

fn default_limit() -> u32 {
    DEFAULT_PULL_LIMIT
}

/// Records changed after the cursor, in server order, without the asker's own writes, scoped
/// to what the caller may read: every record of their reviews; for a hub coordinator, their
/// hub's reviews without evidence and kept conflicts; everything for an administrator. The
/// cursor moves past records the caller cannot see.
#[utoipa::path(get, path = "/v1/sync/pull", tag = "sync", params(PullParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of changes and the next cursor", body = PullResponse),
        (status = 400, description = "bad_query", body = ErrorBody),
        (status = 403, description = "device_mismatch: device_id is not the signed-in laptop; not_your_role: a headteacher's account does not sync", body = ErrorBody),
    ))]
pub async fn pull(
    State(state): State<AppState>,
    device: AuthDevice,
    headers: axum::http::HeaderMap,
    QueryParams(p): QueryParams<PullParams>,
) -> Result<Response, ApiError> {
    super::outbox_report::note(&state, &device, &headers);
    p.check()?;
    same_device(&device, p.device_id)?;
    // A headteacher's account has no laptop records to read (issue 22).
    let (store, caller) = (state.store.clone(), device.clone());
    blocking(move || Ok(store.refuse_school_head(&caller)?)).await?;
    let scope = std::sync::Arc::new(ReadScope::of(&device).read_by(p.schema));
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(p.wait_ms.min(MAX_WAIT_MS));
    let mut latest = state.store.subscribe();
    let mut cursor = p.cursor;
    loop {
        let (store, page_scope) = (state.store.clone(), scope.clone());
        let page = blocking(move || Ok(store.pull_json(cursor, p.limit, p.device_id, &page_scope, now_ms())?)).await?;
        // Answer with news, with a cursor that moved (even past only our own writes), or at the end.
        if page.changes > 0 || page.cursor != p.cursor || tokio::time::Instant::now() >= deadline {
            return Ok(json_body(page.json));
        }
        cursor = page.cursor;
        let _open = state.metrics.long_poll();
        // Sleep until a commit announces a newer seq, or until the deadline.
        let newer = latest.wait_for(|seq| *seq > cursor);
        if tokio::time::timeout_at(deadline, newer).await.is_err() {
            let store = state.store.clone();
            let page = blocking(move || Ok(store.pull_json(cursor, p.limit, p.device_id, &scope, now_ms())?)).await?;
            return Ok(json_body(page.json));
        }
    }
}

/// The device a request names must be the signed-in one: a token is one laptop's credential.
fn same_device(device: &AuthDevice, named: Option<uuid::Uuid>) -> Result<(), ApiError> {
    match named {
        Some(id) if id != device.device_id => Err(ApiError::new(
            ErrorCode::DeviceMismatch,
            "This request names another laptop than the one signed in. Each laptop syncs with its own sign-in.",
        )
        .with_details(serde_json::json!({ "device_id": id, "signed_in_device_id": device.device_id }))),
        _ => Ok(()),
    }
}
