//! Measures the raw link before the rows: a tiny service in the namespace, reached through a
//! proxy like the servers, answers a one-byte ping, sends 1 MB, or takes 1 MB.

use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const TRANSFER: usize = 1_000_000;
const PINGS: usize = 5;

/// Starts the service on `ip` and the current runtime (call it on the namespace's runtime).
pub async fn serve(ip: std::net::Ipv4Addr) -> anyhow::Result<SocketAddr> {
    let l = TcpListener::bind((ip, 0)).await?;
    let addr = l.local_addr()?;
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            tokio::spawn(answer(s));
        }
    });
    Ok(addr)
}

async fn answer(mut s: TcpStream) -> std::io::Result<()> {
    s.set_nodelay(true)?;
    let mut cmd = [0u8; 1];
    loop {
        s.read_exact(&mut cmd).await?;
        match cmd[0] {
            b'd' => s.write_all(&vec![b'x'; TRANSFER]).await?,
            b'u' => {
                let mut got = vec![0u8; TRANSFER];
                s.read_exact(&mut got).await?;
                s.write_all(b"u").await?;
            }
            other => s.write_all(&[other]).await?,
        }
    }
}

/// What the link measured: median round trip of a one-byte request, and each direction's
/// throughput over a 1 MB transfer (its first round trip taken out).
pub struct Measured {
    pub rtt: Duration,
    pub down_bit_s: f64,
    pub up_bit_s: f64,
}

pub async fn measure(addr: SocketAddr) -> anyhow::Result<Measured> {
    let mut s = TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    let mut one = [0u8; 1];
    let mut rtts = Vec::with_capacity(PINGS);
    for _ in 0..PINGS {
        let t = Instant::now();
        s.write_all(b"p").await?;
        s.read_exact(&mut one).await?;
        rtts.push(t.elapsed());
    }
    rtts.sort_unstable();
    let rtt = rtts[PINGS / 2];
    let rate = |elapsed: Duration| TRANSFER as f64 * 8.0 / elapsed.saturating_sub(rtt).as_secs_f64().max(1e-6);

    let t = Instant::now();
    s.write_all(b"d").await?;
    let mut got = vec![0u8; TRANSFER];
    s.read_exact(&mut got).await?;
    let down_bit_s = rate(t.elapsed());

    let t = Instant::now();
    s.write_all(b"u").await?;
    s.write_all(&got).await?;
    s.read_exact(&mut one).await?;
    let up_bit_s = rate(t.elapsed());
    Ok(Measured { rtt, down_bit_s, up_bit_s })
}
