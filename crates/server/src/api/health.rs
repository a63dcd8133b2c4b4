use crate::store::now_ms;
use axum::Json;
use qar_core::protocol::Health;
use qar_core::SCHEMA_VERSION;

/// Liveness, version, data schema and the server's clock (for skew warnings); the oldest data
/// schema and app release whose changes are still accepted (docs/compatibility.md).
#[utoipa::path(get, path = "/v1/health", tag = "meta", responses((status = 200, description = "Up", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        schema_version: SCHEMA_VERSION,
        server_time_ms: now_ms(),
        oldest_schema_version: qar_core::upcast::OLDEST_SUPPORTED_SCHEMA,
        min_app_version: qar_core::upcast::min_app_version().into(),
    })
}
