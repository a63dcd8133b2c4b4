//! TEST SUPPORT: a TCP proxy that cuts each connection once it has carried a number of bytes
//! towards the server, for the resumable-upload tests of both the server and the laptop
//! (issue 19). It counts every byte the client sent through it.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Starts the proxy in front of `target`; returns its base URL and the count of bytes the
/// client sent through it. Each connection closes once `cut_every` bytes went upstream.
pub async fn cutting_proxy(target: SocketAddr, cut_every: u64) -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port for the proxy");
    let addr = listener.local_addr().expect("the proxy's address");
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let Ok(mut server) = TcpStream::connect(target).await else { return };
                let (mut cr, mut cw) = client.split();
                let (mut sr, mut sw) = server.split();
                let up = async {
                    let (mut carried, mut buf) = (0u64, vec![0u8; 16 * 1024]);
                    while carried < cut_every {
                        let room = (cut_every - carried).min(buf.len() as u64) as usize;
                        let n = match cr.read(&mut buf[..room]).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        counter.fetch_add(n as u64, Ordering::SeqCst);
                        carried += n as u64;
                        if sw.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                };
                let down = async {
                    let _ = tokio::io::copy(&mut sr, &mut cw).await;
                };
                // The first side to finish (the cut) ends the connection both ways.
                tokio::select! { _ = up => {}, _ = down => {} }
            });
        }
    });
    (format!("http://{addr}"), sent)
}
