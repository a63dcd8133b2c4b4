//! qar-server: the sync server. `app(state)` builds the axum router (tests drive it without a
//! socket); `start` binds a listener and serves until stopped (tests and the binary use it).

pub mod admin;
mod api;
mod audit_export;
pub mod auth;
pub mod config_file;
pub mod error;
pub mod gias;
pub mod mail;
pub mod metrics;
pub mod net;
mod private_files;
mod retention_job;
pub mod server_key;
pub mod store;
pub mod subject_access_zip;
mod web;

pub use api::{app, ACCEPTED_REQUEST_ENCODINGS, COMPRESS_ABOVE_BYTES, MAX_BODY_BYTES};
pub use auth::throttle::AttemptLimit;
pub use auth::{AuthDevice, AuthError, Role};
pub use error::{ApiError, ServerError};
pub use net::{ClientAddr, TlsFiles};
pub use server_key::KeySource;
pub use store::ServerStore;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<ServerStore>,
    /// What `/metrics` reports (requests, pushes, long-polls); see [`metrics`].
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    pub fn new(store: Arc<ServerStore>) -> AppState {
        AppState { store, metrics: Arc::new(metrics::Metrics::new()) }
    }
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub data_dir: PathBuf,
    /// The store on PostgreSQL (`postgres://…`) instead of the SQLite file in `data_dir`
    /// (issue 20). The server key and attachment files stay in `data_dir`.
    pub database_url: Option<String>,
    pub listen: SocketAddr,
    /// Load the synthetic demo hub, schools, people and reviews (idempotent).
    pub demo: bool,
    /// With `demo`: also three years of issued reviews in two hubs (issue 23; idempotent).
    pub demo_history: bool,
    /// Where the server key (audit MAC, TOTP encryption) comes from; see [`server_key`].
    pub key: KeySource,
    /// Append the audit chain's head (`SEQ:MAC`) to this file every `audit_head_every` and at
    /// shutdown, so a copy outside the data folder can be compared (`verify-audit --expect-head`).
    pub audit_head_export: Option<PathBuf>,
    pub audit_head_every: std::time::Duration,
    /// How far ahead of the server's wall time (ms) a pushed stamp may be and still move the
    /// server clock; further ahead, the op is applied with a server stamp (decision 35).
    pub max_clock_ahead_ms: u64,
    /// Serve HTTPS with these PEM files. None: plain HTTP, for loopback or behind a TLS proxy.
    pub tls: Option<TlsFiles>,
    /// Host names clients may use (`--allowed-host`). Loopback names are always allowed; when
    /// none is given, also the listening address and, on TLS, the certificate's names.
    pub allowed_hosts: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client, for per-address limits.
    pub trusted_proxies: Vec<IpAddr>,
    /// Open connections at most; at the cap new ones wait. Lowered to fit the open-file limit.
    pub max_connections: usize,
    /// Time to send a request's headers (and the TLS handshake); also how long an idle
    /// keep-alive connection is kept.
    pub header_timeout: Duration,
    /// A connection on which nothing is read or written for this long is closed.
    pub idle_timeout: Duration,
    /// Time to read a request's body and answer it (a long-poll pull gets its wait on top).
    pub request_timeout: Duration,
    /// Failed sign-in and invitation attempts per client address.
    pub sign_in_limit: AttemptLimit,
    /// Serve `/metrics` (and `/livez`, `/readyz`) on this separate address, plain HTTP, for an
    /// operator network only (decision 56). None: no metrics.
    pub metrics_listen: Option<SocketAddr>,
    /// How mail leaves the server (issue 22): SMTP, or `.eml` files in a folder when none is set.
    pub mail: mail::MailConfig,
    /// Where attachment bytes are kept (issue 19, decision 96).
    pub blob_store: BlobStoreKind,
}

/// Where the server keeps attachment bytes (`--blob-store`, decision 96).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BlobStoreKind {
    /// Files under `<data-dir>/blobs`: one instance (the default).
    #[default]
    Folder,
    /// Rows in the store's database: what several instances on one PostgreSQL database share.
    Database,
}

/// Defaults an operator gets without flags; callers set what they need and take the rest with
/// `..Default::default()`, so a new setting does not touch every place that starts a server.
impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            data_dir: PathBuf::from("qar-server-data"),
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            demo: false,
            demo_history: false,
            key: KeySource::DataDir,
            audit_head_export: None,
            audit_head_every: std::time::Duration::from_secs(15 * 60),
            max_clock_ahead_ms: store::DEFAULT_MAX_CLOCK_AHEAD_MS,
            tls: None,
            allowed_hosts: Vec::new(),
            trusted_proxies: Vec::new(),
            // Far above the 2,400 laptops of the sync benchmark, far below a raised file limit.
            max_connections: 10_000,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(60),
            sign_in_limit: AttemptLimit::default(),
            metrics_listen: None,
            mail: mail::MailConfig::default(),
            blob_store: BlobStoreKind::Folder,
        }
    }
}

/// A server running on a background task. Dropping it stops the server.
pub struct RunningServer {
    pub addr: SocketAddr,
    /// The connection cap in force (the configured one, lowered to fit the open-file limit).
    pub max_connections: usize,
    tls: bool,
    store: Arc<ServerStore>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    /// Where `/metrics` is served, when it is.
    pub metrics_addr: Option<SocketAddr>,
    metrics_shutdown: Option<oneshot::Sender<()>>,
    /// Writes the audit head on a schedule and once more at shutdown.
    audit_export: Option<audit_export::Exporter>,
    /// Sends queued mail; stopped after the requests in flight (which may queue mail).
    mail: Option<mail::Worker>,
}

impl RunningServer {
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
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
        if let Some(tx) = self.metrics_shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        if let Some(exporter) = self.audit_export.take() {
            exporter.finish().await;
        }
        if let Some(worker) = self.mail.take() {
            worker.finish().await;
        }
        self.store().release_leases();
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(tx) = self.metrics_shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The PostgreSQL database the store of `data_dir` lives in, if any: the one given.
fn database_url_for(data_dir: &Path, database_url: Option<&str>) -> Result<Option<String>, ServerError> {
    if let Some(url) = database_url {
        return Ok(Some(url.to_owned()));
    }
    // The server's tests run once more on PostgreSQL: each server a test starts, and each
    // subcommand a test runs on its data folder, gets that folder's database on the test cluster
    // (never in the production binary). Only when no database was given: a test that names one
    // gets no second, unused database made beside it.
    #[cfg(feature = "test-support")]
    return Ok(store::pg_testkit::database_for_this_server(data_dir)?);
    #[cfg(not(feature = "test-support"))]
    {
        let _ = data_dir;
        Ok(None)
    }
}

/// Opens the store the server and every subcommand work on: PostgreSQL at `database_url` when
/// one is given, otherwise the SQLite file in `data_dir` (the server key stays in `data_dir`
/// either way, or where `key` says).
pub fn open_store(data_dir: &Path, database_url: Option<&str>, key: &KeySource) -> Result<ServerStore, ServerError> {
    open_store_at(data_dir, database_url_for(data_dir, database_url)?.as_deref(), key)
}

/// [`open_store`] on a database already chosen (`None`: the SQLite file in `data_dir`).
fn open_store_at(data_dir: &Path, database_url: Option<&str>, key: &KeySource) -> Result<ServerStore, ServerError> {
    match database_url {
        Some(url) => ServerStore::open_postgres(url, data_dir, key),
        None => ServerStore::open_with(data_dir, key),
    }
}

/// Opens the store in `config.data_dir`, binds `config.listen` (port 0 picks a free port) and
/// serves on the current tokio runtime, over TLS when `config.tls` is set.
pub async fn start(config: &ServerConfig) -> Result<RunningServer, ServerError> {
    // Certificate problems are found before anything is opened or bound.
    let tls = config.tls.as_ref().map(net::load_tls).transpose()?;
    let mail_transport = mail::Transport::from_config(&config.mail, &config.data_dir).map_err(ServerError::Mail)?;
    let database_url = database_url_for(&config.data_dir, config.database_url.as_deref())?;
    let store = open_store_at(&config.data_dir, database_url.as_deref(), &config.key)?;
    let store = match config.blob_store {
        BlobStoreKind::Folder => store,
        BlobStoreKind::Database => store.keep_blobs_in_database(database_url.as_deref(), &config.data_dir)?,
    };
    store.set_max_clock_ahead_ms(config.max_clock_ahead_ms);
    if config.demo {
        store.seed_demo(store::now_ms())?;
        if config.demo_history {
            store.seed_demo_history(store::now_ms())?;
        }
    }
    store.throttle().set_limit(config.sign_in_limit);
    let store = Arc::new(store);
    let state = AppState::new(store.clone());
    let file_limit = net::raise_file_limit();
    let max_connections = net::effective_cap(config.max_connections, file_limit);
    if max_connections < config.max_connections {
        tracing::warn!(max_connections, ?file_limit, "connection cap lowered to fit the open-file limit");
    }
    let listener =
        tokio::net::TcpListener::bind(config.listen).await.map_err(|source| ServerError::Bind { addr: config.listen, source })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Bind { addr: config.listen, source })?;
    let rules = net::WireRules {
        allowed_hosts: config.allowed_hosts.iter().map(|h| net::host_name(h)).filter(|h| !h.is_empty()).collect(),
        cert_names: tls.as_ref().map(|(_, names)| names.clone()),
        listen_ip: Some(addr.ip()).filter(|ip| !ip.is_unspecified()),
        trusted_proxies: config.trusted_proxies.iter().map(|ip| ip.to_canonical()).collect(),
        hsts: tls.is_some(),
        request_timeout: config.request_timeout,
    };
    let (metrics_addr, metrics_shutdown) = match config.metrics_listen {
        Some(at) => {
            let listener = tokio::net::TcpListener::bind(at).await.map_err(|source| ServerError::Bind { addr: at, source })?;
            let bound = listener.local_addr().map_err(|source| ServerError::Bind { addr: at, source })?;
            let (tx, rx) = oneshot::channel::<()>();
            let router = api::metrics_app(state.clone());
            tokio::spawn(async move {
                let served = axum::serve(listener, router).with_graceful_shutdown(async {
                    let _ = rx.await;
                });
                if let Err(e) = served.await {
                    tracing::warn!("the metrics listener stopped: {e}");
                }
            });
            (Some(bound), Some(tx))
        }
        None => (None, None),
    };
    let router = net::wire_layers(app(state), rules);
    let limits = net::ConnLimits { max_connections, header_timeout: config.header_timeout, idle_timeout: config.idle_timeout };
    let (tx, rx) = oneshot::channel::<()>();
    let is_tls = tls.is_some();
    let task = tokio::spawn(net::serve(listener, router, tls.map(|(acceptor, _)| acceptor), limits, rx));
    let audit_export =
        config.audit_head_export.as_ref().map(|path| audit_export::Exporter::spawn(store.clone(), path.clone(), config.audit_head_every));
    let own_url = format!("{}://{addr}", if is_tls { "https" } else { "http" });
    let mail = Some(mail::Worker::spawn(store.clone(), config.mail.clone(), mail_transport, own_url));
    retention_job::spawn(&store);
    Ok(RunningServer {
        addr,
        max_connections,
        tls: is_tls,
        store,
        shutdown: Some(tx),
        task: Some(task),
        metrics_addr,
        metrics_shutdown,
        audit_export,
        mail,
    })
}
