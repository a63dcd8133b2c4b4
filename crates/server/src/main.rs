//! `qar-server`: run the sync server. `qar-server --data-dir DIR --listen 127.0.0.1:8787`.

use anyhow::Context;
use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "qar-server", version, about = "QAR Field sync server (embedded SQLite, no other service needed)")]
struct Args {
    /// Folder for the server's database; created if missing.
    #[arg(long, default_value = "qar-server-data")]
    data_dir: PathBuf,
    /// Address to listen on. Use 127.0.0.1 unless a reverse proxy with TLS sits in front.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Load the synthetic demo hub, schools, people and reviews (only once per data folder).
    #[arg(long)]
    demo: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "qar_server=info,tower_http=warn".into()),
        )
        .init();
    let args = Args::parse();
    let config = qar_server::ServerConfig { data_dir: args.data_dir.clone(), listen: args.listen, demo: args.demo };
    let server = qar_server::start(&config).await.context("starting the sync server")?;
    tracing::info!(addr = %server.addr, data_dir = %args.data_dir.display(), demo = args.demo, "qar-server listening");
    shutdown_signal().await;
    tracing::info!("shutting down: finishing requests in flight");
    server.stop().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
