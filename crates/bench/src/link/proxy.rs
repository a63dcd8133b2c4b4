//! A userspace TCP proxy in front of a server port: each direction is a delay line (bytes keep
//! their order and arrive one-way-delay after they were read, without serialising throughput:
//! the reader keeps reading while earlier bytes wait), paced at the link's rate, the loss model
//! of `loss.rs`, and cuts (every connection closed, new ones refused, until the cut ends). Counts the bytes it delivers
//! each way, a check against the servers' own counters.

use super::loss::{LossPicker, Stalls};
use super::profiles::{Profile, RTO_MIN};
use socket2::{SockRef, TcpKeepalive};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// What the proxy does to each direction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    pub one_way: Duration,
    pub loss: f64,
    pub stalls: Stalls,
    /// The proxy paces each direction at this rate (None: as fast as the sockets take it).
    pub rate_bit_s: Option<u64>,
    /// Connection n's directions draw from seeds derived from this one (deterministic runs).
    pub seed: u64,
}

impl Shape {
    pub fn of(profile: &Profile, seed: u64) -> Shape {
        Shape {
            one_way: profile.one_way(),
            loss: profile.loss,
            stalls: Stalls { fast_retransmit: profile.rtt, timeout: profile.rtt + RTO_MIN },
            rate_bit_s: Some(profile.rate_bit_s),
            seed,
        }
    }
}

/// Bytes delivered through the proxy: `up` towards the server, `down` towards the laptops.
#[derive(Debug, Default)]
pub struct Wire {
    pub up: AtomicU64,
    pub down: AtomicU64,
    pub connections: AtomicU64,
    /// Segments the loss model lost (each stalled its direction).
    pub lost_segments: AtomicU64,
}

impl Wire {
    pub fn snapshot(&self) -> (u64, u64) {
        (self.up.load(Ordering::Relaxed), self.down.load(Ordering::Relaxed))
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct State {
    /// Bumped by every cut: connections accepted in an older epoch close.
    epoch: u64,
    cut: bool,
    listening: bool,
    closed: bool,
}

pub struct Proxy {
    addr: SocketAddr,
    state: Arc<watch::Sender<State>>,
    pub wire: Arc<Wire>,
}

/// Bytes read at once; also the most a lost segment's neighbours can be delayed together.
const READ_SIZE: usize = 64 * 1024;
/// Chunks waiting in a delay line (at most 4 MB a direction before the reader waits).
const LINE_CHUNKS: usize = 64;

impl Proxy {
    /// Listens on `listen` (port 0 for any) and forwards to `target`, on the current runtime.
    pub async fn start(listen: SocketAddr, target: SocketAddr, shape: Shape) -> anyhow::Result<Proxy> {
        let listener = TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(watch::Sender::new(State { listening: true, ..State::default() }));
        let wire = Arc::new(Wire::default());
        tokio::spawn(listen_loop(listener, addr, target, shape, state.clone(), wire.clone()));
        Ok(Proxy { addr, state, wire })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Starts a cut: closes every connection and refuses new ones until [`Proxy::cut_end`].
    /// Returns once the port no longer accepts.
    pub async fn cut_start(&self) {
        self.state.send_modify(|s| {
            s.epoch += 1;
            s.cut = true;
        });
        let _ = self.state.subscribe().wait_for(|s| !s.listening).await.map(|_| ());
    }

    /// Ends a cut; returns once the port accepts again.
    pub async fn cut_end(&self) {
        self.state.send_modify(|s| s.cut = false);
        let _ = self.state.subscribe().wait_for(|s| s.listening).await.map(|_| ());
    }

    /// A cut of the given length (what a workload calls to drop the link for a while).
    #[allow(dead_code, reason = "through Link::cut_for, for the workloads that cut the link")]
    pub async fn cut_for(&self, length: Duration) {
        self.cut_start().await;
        tokio::time::sleep(length).await;
        self.cut_end().await;
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.state.send_modify(|s| {
            s.epoch += 1;
            s.closed = true;
        });
    }
}

async fn listen_loop(
    listener: TcpListener,
    addr: SocketAddr,
    target: SocketAddr,
    shape: Shape,
    state: Arc<watch::Sender<State>>,
    wire: Arc<Wire>,
) {
    let mut listener = Some(listener);
    let mut rx = state.subscribe();
    let mut accepted = 0u64;
    loop {
        let now = *rx.borrow_and_update();
        if now.closed {
            return;
        }
        if now.cut {
            // Dropping the listener makes connects fail at once (refused), as a server that
            // cannot be reached does for a client that retries.
            if listener.take().is_some() {
                state.send_modify(|s| s.listening = false);
            }
            if rx.wait_for(|s| !s.cut || s.closed).await.is_err() {
                return;
            }
            continue;
        }
        let Some(l) = listener.as_ref() else {
            match TcpListener::bind(addr).await {
                Ok(l) => {
                    listener = Some(l);
                    state.send_modify(|s| s.listening = true);
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
            continue;
        };
        tokio::select! {
            r = l.accept() => {
                if let Ok((client, _)) = r {
                    accepted += 1;
                    wire.connections.fetch_add(1, Ordering::Relaxed);
                    let seed = shape.seed ^ accepted.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                    tokio::spawn(connection(client, target, Shape { seed, ..shape }, now.epoch, state.subscribe(), wire.clone()));
                }
            }
            r = rx.changed() => if r.is_err() { return },
        }
    }
}

async fn connection(client: TcpStream, target: SocketAddr, shape: Shape, epoch: u64, mut rx: watch::Receiver<State>, wire: Arc<Wire>) {
    let cancelled = async move {
        let _ = rx.wait_for(|s| s.epoch != epoch || s.closed).await.map(|_| ());
    };
    let work = async {
        let Ok(server) = TcpStream::connect(target).await else { return };
        // Small requests must not wait for Nagle on top of the modelled delay.
        let _ = (client.set_nodelay(true), server.set_nodelay(true));
        let _ = SockRef::from(&server).set_tcp_keepalive(&upstream_keepalive());
        let (client_read, client_write) = client.into_split();
        let (server_read, server_write) = server.into_split();
        tokio::join!(
            direction(client_read, server_write, shape, shape.seed, &wire.up, &wire.lost_segments),
            direction(server_read, client_write, shape, shape.seed ^ 1, &wire.down, &wire.lost_segments),
        );
    };
    // Either way the sockets are dropped here, which closes both ends.
    tokio::select! {
        () = work => {}
        () = cancelled => {}
    }
}

/// Probes an idle connection to the server so one whose far end is gone ends.
///
/// The loss the link models is the proxy's own (every lost segment costs a stall, none is final),
/// but tbf on the veth can still drop what its queue cannot hold, and a dropped final RST is
/// never sent again: the server's socket is gone while this end stays established for ever, and
/// the laptop behind it waits on a response that cannot come (seen with PouchDB's driver on the
/// tether: connections open here for minutes with nothing left in the namespace). The namespace
/// answers a probe on such a connection with a reset, which ends it here and, through the proxy,
/// at the laptop. A live server's kernel acknowledges the probes, so long polls and slow
/// responses are untouched; only two and a half minutes with no probe answered (60 s, then nine
/// probes 10 s apart) end a connection whose server is still there: the answer to a probe can
/// wait behind a deep queue of other responses (decision 119), and a first try with 5 s and 1 s
/// ended live downloads.
fn upstream_keepalive() -> TcpKeepalive {
    TcpKeepalive::new().with_time(Duration::from_secs(60)).with_interval(Duration::from_secs(10))
}

/// Bytes handed to the socket at a time when pacing (a few segments: smooth at 1.5 Mbit/s).
const PACE_PIECE: usize = 4 * super::loss::MSS as usize;

/// How long `bytes` take on a link of `rate` bit/s.
fn on_wire(bytes: usize, rate: u64) -> Duration {
    Duration::from_secs_f64(bytes as f64 * 8.0 / rate as f64)
}

/// Idle time the pacing may make up (tbf's burst is 10 ms of traffic too).
const PACE_BURST: Duration = Duration::from_millis(10);

/// The writing end of a delay line. It paces its output at the link's rate itself, keeping a
/// clock of when the bytes it wrote leave the link (`wire_free`): on the side where the proxy
/// writes into the shaped veth, tbf's queue would otherwise take a stalled direction's bytes
/// early and the stall would cost nothing; on the other side the pacing is what the laptop sees
/// (tbf before it sets the same rate). So a lost segment idles its direction for the stall, as
/// a sender waiting for a retransmission does.
struct Sender<'a> {
    to: OwnedWriteHalf,
    rate_bit_s: Option<u64>,
    wire_free: Instant,
    stalled_until: Instant,
    delivered: &'a AtomicU64,
}

impl Sender<'_> {
    /// Writes `bytes`, none before `due` or the end of a stall, at no more than the rate.
    async fn send(&mut self, due: Instant, bytes: &[u8]) -> std::io::Result<()> {
        for piece in bytes.chunks(PACE_PIECE) {
            let on_wire = self.rate_bit_s.map_or(Duration::ZERO, |r| on_wire(piece.len(), r));
            // One piece may wait in the socket while the previous one is on the wire.
            let paced = self.wire_free.checked_sub(on_wire).unwrap_or(self.wire_free);
            let ready = due.max(self.stalled_until);
            tokio::time::sleep_until(ready.max(paced)).await;
            self.to.write_all(piece).await?;
            // The clock runs from when the piece could go, not from when this task got to it: on a
            // loaded machine a late wake-up must not cost rate. Like tbf's bucket (commands.rs),
            // up to 10 ms of idle link may be made up later, so jitter in arrivals costs none.
            let idle_floor = ready.checked_sub(PACE_BURST).unwrap_or(ready);
            self.wire_free = self.wire_free.max(idle_floor) + on_wire;
            self.delivered.fetch_add(piece.len() as u64, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// Bytes read from one side, due at the other side at `due`.
struct Chunk {
    due: Instant,
    /// Stream offset of `bytes[0]`.
    start: u64,
    bytes: Vec<u8>,
    /// Stream offsets of lost segments starting in this chunk.
    lost: Vec<u64>,
}

/// One direction: a reader timestamps what it reads; a writer delivers each chunk when it is
/// due, stalling after a lost segment as TCP's in-order delivery would.
async fn direction(mut from: OwnedReadHalf, to: OwnedWriteHalf, shape: Shape, seed: u64, delivered: &AtomicU64, lost: &AtomicU64) {
    let (tx, mut rx) = mpsc::channel::<Chunk>(LINE_CHUNKS);
    let received = AtomicU64::new(0);
    let read = async {
        let mut picker = LossPicker::new(shape.loss, seed);
        let mut at = 0u64;
        let mut last_read = Instant::now();
        loop {
            let mut buf = vec![0u8; READ_SIZE];
            let n = tokio::select! {
                r = from.read(&mut buf) => r.unwrap_or(0),
                () = tx.closed() => return,
            };
            let now = Instant::now();
            // Several segments found waiting came in at the link's rate since the last read, not
            // all now: a reader woken late on a loaded machine must not push them back (and with
            // them the pacing clock). Small reads are stamped as they are.
            let arrived = match shape.rate_bit_s {
                Some(rate) if n >= PACE_PIECE => now.checked_sub(on_wire(n, rate)).unwrap_or(now).max(last_read),
                _ => now,
            };
            last_read = now;
            let due = arrived + shape.one_way;
            buf.truncate(n);
            let lost = picker.lost_in(at + n as u64);
            let chunk = Chunk { due, start: at, bytes: buf, lost };
            at += n as u64;
            received.store(at, Ordering::Relaxed);
            if tx.send(chunk).await.is_err() || n == 0 {
                return;
            }
        }
    };
    let write = async {
        let mut out = Sender { to, rate_bit_s: shape.rate_bit_s, wire_free: Instant::now(), stalled_until: Instant::now(), delivered };
        while let Some(c) = rx.recv().await {
            if c.bytes.is_empty() {
                tokio::time::sleep_until(c.due.max(out.stalled_until).max(out.wire_free)).await;
                let _ = out.to.shutdown().await;
                return;
            }
            let mut pos = 0usize;
            for &offset in &c.lost {
                let upto = (offset - c.start) as usize;
                if out.send(c.due, &c.bytes[pos..upto]).await.is_err() {
                    return;
                }
                pos = upto;
                // The segment would have left when the bytes before it had; its direction idles
                // from then for the retransmission.
                let stall = shape.stalls.for_loss(offset, received.load(Ordering::Relaxed));
                lost.fetch_add(1, Ordering::Relaxed);
                out.stalled_until = out.stalled_until.max(out.wire_free.max(c.due) + stall);
            }
            if out.send(c.due, &c.bytes[pos..]).await.is_err() {
                return;
            }
        }
    };
    tokio::join!(read, write);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Echoes every byte back until the peer closes.
    async fn echo_server() -> SocketAddr {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = l.accept().await {
                tokio::spawn(async move {
                    let (mut r, mut w) = s.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        addr
    }

    fn lossy() -> Shape {
        // Short delays so the test is quick; loss high enough that many segments stall.
        let stalls = Stalls { fast_retransmit: Duration::from_millis(2), timeout: Duration::from_millis(5) };
        // A fast rate, so the pacing runs without making the test slow.
        Shape { one_way: Duration::from_millis(1), loss: 0.05, stalls, rate_bit_s: Some(1_000_000_000), seed: 42 }
    }

    /// A guard against a hang, not a timing assertion.
    async fn within<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::time::timeout(Duration::from_secs(60), f).await.expect("the proxy stopped moving bytes")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_byte_arrives_in_order_both_ways() {
        let proxy = Proxy::start("127.0.0.1:0".parse().unwrap(), echo_server().await, lossy()).await.unwrap();
        let sent: Vec<u8> = {
            let mut rng = fastrand::Rng::with_seed(1);
            (0..1_000_000).map(|_| rng.u8(..)).collect()
        };
        let stream = TcpStream::connect(proxy.addr()).await.unwrap();
        let (mut r, mut w) = stream.into_split();
        let to_send = sent.clone();
        let writer = tokio::spawn(async move {
            // Uneven writes, so reads and segments do not line up.
            for piece in to_send.chunks(7_777) {
                w.write_all(piece).await.unwrap();
            }
            w.shutdown().await.unwrap();
        });
        let mut back = Vec::new();
        within(r.read_to_end(&mut back)).await.unwrap();
        writer.await.unwrap();
        assert_eq!(back.len(), sent.len());
        assert!(back == sent, "the echo came back changed or out of order");
        assert_eq!(proxy.wire.snapshot(), (1_000_000, 1_000_000), "the proxy counts what it delivers");
        assert!(proxy.wire.lost_segments.load(Ordering::Relaxed) > 0, "segments were lost and the stream still arrived whole");
    }

    async fn echo_once(s: &mut TcpStream, msg: &[u8]) -> Vec<u8> {
        s.write_all(msg).await.unwrap();
        let mut got = vec![0u8; msg.len()];
        within(s.read_exact(&mut got)).await.unwrap();
        got
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_cut_closes_connections_and_refuses_new_ones_until_it_ends() {
        let proxy = Proxy::start("127.0.0.1:0".parse().unwrap(), echo_server().await, lossy()).await.unwrap();
        let mut before = TcpStream::connect(proxy.addr()).await.unwrap();
        assert_eq!(echo_once(&mut before, b"hello").await, b"hello");

        proxy.cut_start().await;
        let mut rest = Vec::new();
        let closed = within(before.read_to_end(&mut rest)).await;
        assert!(closed.is_err() || rest.is_empty(), "the open connection is closed by the cut");
        let refused = TcpStream::connect(proxy.addr()).await;
        assert_eq!(refused.map(|_| ()).unwrap_err().kind(), std::io::ErrorKind::ConnectionRefused);

        proxy.cut_end().await;
        let mut after = TcpStream::connect(proxy.addr()).await.unwrap();
        assert_eq!(echo_once(&mut after, b"again").await, b"again");
        assert_eq!(proxy.wire.connections.load(Ordering::Relaxed), 2);
    }
}
