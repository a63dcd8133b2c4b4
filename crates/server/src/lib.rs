//! qar-server: the sync server. `app(state)` builds the axum router (tests drive it without a
//! socket); `start` binds a listener and serves until stopped (tests and the binary use it).

pub mod admin;
mod api;
mod audit_export;
pub mod auth;
pub mod error;
pub mod gias;
mod private_files;
pub mod server_key;
pub mod store;

pub use api::app;
pub use auth::{AuthDevice, AuthError, Role};
pub use error::{ApiError, ServerError};
pub use server_key::KeySource;
pub use store::ServerStore;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<ServerStore>,
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// Load the synthetic demo hub, schools, people and reviews (idempotent).
    pub demo: bool,
    /// Where the server key (audit MAC, TOTP encryption) comes from; see [`server_key`].
    pub key: KeySource,
    /// Append the audit chain's head (`SEQ:MAC`) to this file every `audit_head_every` and at
    /// shutdown, so a copy outside the data folder can be compared (`verify-audit --expect-head`).
    pub audit_head_export: Option<PathBuf>,
    pub audit_head_every: std::time::Duration,
    /// How far ahead of the server's wall time (ms) a pushed stamp may be and still move the
    /// server clock; further ahead, the op is applied with a server stamp (decision 33+).
    pub max_clock_ahead_ms: u64,
}

/// Defaults an operator gets without flags; callers set what they need and take the rest with
/// `..Default::default()`, so a new setting does not touch every place that starts a server.
impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            data_dir: PathBuf::from("qar-server-data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            demo: false,
            key: KeySource::DataDir,
            audit_head_export: None,
            audit_head_every: std::time::Duration::from_secs(15 * 60),
            max_clock_ahead_ms: store::DEFAULT_MAX_CLOCK_AHEAD_MS,
        }
    }
}

/// A server running on a background task. Dropping it stops the server.
pub struct RunningServer {
    pub addr: SocketAddr,
    store: Arc<ServerStore>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    /// Writes the audit head on a schedule and once more at shutdown.
    audit_export: Option<audit_export::Exporter>,
}

impl RunningServer {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The running server's store (tests use its test-support functions, e.g.
    /// [`ServerStore::test_token_for_email`], and `dump()`).
    pub fn store(&self) -> &Arc<ServerStore> {
        &self.store
    }

    /// Stops accepting connections, lets requests in flight finish (their commits included),
    /// and returns once the server is down.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        if let Some(exporter) = self.audit_export.take() {
            exporter.finish().await;
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Opens the store in `config.data_dir`, binds `config.listen` (port 0 picks a free port) and
/// serves on the current tokio runtime.
pub async fn start(config: &ServerConfig) -> Result<RunningServer, ServerError> {
    let store = ServerStore::open_with(&config.data_dir, &config.key)?;
    store.set_max_clock_ahead_ms(config.max_clock_ahead_ms);
    if config.demo {
        store.seed_demo(store::now_ms())?;
    }
    let store = Arc::new(store);
    let state = AppState { store: store.clone() };
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServerError::Bind { addr: config.listen, source })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Bind { addr: config.listen, source })?;
    let (tx, rx) = oneshot::channel::<()>();
    let router = app(state);
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    let audit_export = config.audit_head_export.as_ref().map(|path| audit_export::Exporter::spawn(store.clone(), path.clone(), config.audit_head_every));
    Ok(RunningServer { addr, store, shutdown: Some(tx), task: Some(task), audit_export })
}
