use crate::store::now_ms;
use axum::Json;
use qar_core::protocol::Health;
use qar_core::SCHEMA_VERSION;

pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        schema_version: SCHEMA_VERSION,
        server_time_ms: now_ms(),
    })
}
