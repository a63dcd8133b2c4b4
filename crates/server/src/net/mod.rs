//! The server's own connection loop (issue 15): HTTP/1.1 over plain TCP or rustls, with a cap on
//! open connections, a deadline for each request's headers (which also closes idle keep-alive
//! connections), an idle deadline on every read and write, and graceful shutdown.
//!
//! Why not `axum::serve`: it has no connection cap and no way to set hyper's timeouts, and TLS
//! would need a second serving path (axum-server). One loop here serves both, with the same limits.

#[cfg(any(test, feature = "test-support"))]
pub mod cutting_proxy;
mod guard;
mod idle;
mod tls;

pub use guard::ClientAddr;
pub(crate) use guard::{host_name, wire_layers, WireRules};
pub(crate) use tls::{load_tls, CertNames};
pub use tls::{TlsError, TlsFiles};

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Semaphore};
use tower::ServiceExt;

/// The limits one connection lives under.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnLimits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Accepts connections until `shutdown` fires, then lets requests in flight finish.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    limits: ConnLimits,
    shutdown: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    // At the cap, the loop stops accepting: further clients wait in the kernel's queue (costing
    // this process no file) until an idle connection times out, instead of exhausting our files.
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of files (EMFILE) or a connection reset before accept: wait a moment
                    // rather than spin; the connections we hold time out and free files.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let tls = tls.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _permit = permit;
            let io: Box<dyn Io> = match tls {
                // A client that never finishes the handshake is dropped like one that never sends headers.
                Some(acceptor) => match tokio::time::timeout(limits.header_timeout, acceptor.accept(stream)).await {
                    Ok(Ok(s)) => Box::new(s),
                    Ok(Err(e)) => {
                        tracing::debug!(%peer, "TLS handshake failed: {e}");
                        return;
                    }
                    Err(_) => return,
                },
                None => Box::new(stream),
            };
            let io = TokioIo::new(idle::IdleTimeout::new(io, limits.idle_timeout));
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                router.clone().oneshot(req)
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .serve_connection(io, service);
            if let Err(e) = watcher.watch(conn).await {
                tracing::debug!(%peer, "connection ended: {e}");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Raises this process's open-file limit to the hard limit, so the connection cap, not the
/// operating system's default of often 1,024, decides how many laptops can be connected.
/// Returns the soft limit now in force (None where there is no such limit).
pub(crate) fn raise_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        match rlimit::increase_nofile_limit(u64::MAX) {
            Ok(n) => Some(n),
            Err(e) => {
                tracing::warn!("could not raise the open-file limit: {e}");
                rlimit::getrlimit(rlimit::Resource::NOFILE).ok().map(|(soft, _)| soft)
            }
        }
    }
    #[cfg(not(unix))]
    None
}

/// Files kept free for the database, logs and the listener when sizing the connection cap.
pub(crate) const FILES_RESERVED: u64 = 64;

pub(crate) fn effective_cap(configured: usize, file_limit: Option<u64>) -> usize {
    let by_files = file_limit.map_or(usize::MAX, |n| n.saturating_sub(FILES_RESERVED).max(1) as usize);
    configured.clamp(1, by_files.max(1))
}
