use crate::store::now_ms;
use axum::Json;
use qar_core::protocol::Health;
use qar_core::SCHEMA_VERSION;

/// Liveness, version, data schema and the server's clock (for skew warnings).
#[utoipa::path(get, path = "/v1/health", tag = "meta", responses((status = 200, description = "Up", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        schema_version: SCHEMA_VERSION,
        server_time_ms: now_ms(),
    })
}
