//! qar-server: the sync server. `app(state)` builds the axum router (tests drive it without a
//! socket); `start` binds a listener and serves until stopped (tests and the binary use it).

pub mod admin;
mod api;
pub mod auth;
pub mod error;
pub mod gias;
pub mod store;

pub use api::app;
pub use auth::{AuthDevice, AuthError, Role};
pub use error::{ApiError, ServerError};
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
    let store = ServerStore::open(&config.data_dir)?;
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
    Ok(RunningServer { addr, store, shutdown: Some(tx), task: Some(task) })
}
