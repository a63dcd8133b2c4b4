//! Liveness and readiness for load balancers and service managers (issue 20, decision 56), on
//! the API's address (and on the metrics address). Neither needs a sign-in; neither says more
//! than up or not, and why not.

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Probe {
    /// `alive`, `ready` or `not_ready`.
    pub status: String,
    /// Why the server is not ready (absent when it is).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Liveness: the process answers HTTP. Restart it only when this fails; it never looks at the
/// database, so a slow disk does not get a healthy process killed.
#[utoipa::path(get, path = "/livez", tag = "meta", responses((status = 200, description = "The process answers", body = Probe)))]
pub async fn livez() -> Json<Probe> {
    Json(Probe { status: "alive".into(), detail: None })
}

/// Readiness: the store answers a read. Send traffic only while this is 200.
#[utoipa::path(get, path = "/readyz", tag = "meta", responses(
    (status = 200, description = "Ready for traffic", body = Probe),
    (status = 503, description = "Not ready: the store does not answer (detail says why)", body = Probe),
))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let store = state.store.clone();
    let checked = tokio::task::spawn_blocking(move || store.check_ready()).await;
    match checked {
        Ok(Ok(())) => Json(Probe { status: "ready".into(), detail: None }).into_response(),
        Ok(Err(e)) => not_ready(e.to_string()),
        Err(e) => not_ready(e.to_string()),
    }
}

fn not_ready(detail: String) -> Response {
    tracing::warn!(%detail, "not ready");
    (StatusCode::SERVICE_UNAVAILABLE, Json(Probe { status: "not_ready".into(), detail: Some(detail) })).into_response()
}

/// `/metrics` on the metrics address (not in the API document: it is not on the API's port).
pub async fn metrics(State(state): State<AppState>) -> Response {
    let body = state.metrics.render(&state.store);
    ([(axum::http::header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], body).into_response()
}

/// Counts every answered request by route template, method and status, with its time.
pub async fn count_requests(State(state): State<AppState>, req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let route = req.extensions().get::<axum::extract::MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let started = std::time::Instant::now();
    let response = next.run(req).await;
    let labels = crate::metrics::RequestLabels { route, method, status: response.status().as_u16() };
    state.metrics.request(labels, started.elapsed().as_secs_f64());
    response
}

/// The metrics address's own router: `/metrics` and the two probes, nothing else.
pub fn metrics_app(state: AppState) -> axum::Router {
    axum::Router::new()
        .route("/metrics", axum::routing::get(metrics))
        .route("/livez", axum::routing::get(livez))
        .route("/readyz", axum::routing::get(readyz))
        .with_state(state)
}
