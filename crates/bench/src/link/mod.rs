//! `--link wifi|tether`: a shaped link between the bench's laptops and the servers (issue 25).
//!
//! The servers run inside a network namespace joined to the root namespace by a veth pair with
//! `tbf` on both ends (the rate). In front of each server port, a userspace proxy adds the round
//! trip, the loss model and cuts (`proxy.rs`, `loss.rs`). The proxy sits on the laptops' side of
//! the veth, listening on 127.0.0.1 in the root namespace: the client sends plain `http://` only
//! to loopback addresses (anything else must be https, to keep secrets off real networks), so the
//! laptops reach the proxy on loopback and the proxy reaches the servers over the veth. Every byte
//! between laptops and servers therefore crosses both the proxy's delay line and the shaped veth.
//! The link is removed on drop, on Ctrl-C, and what runs that were killed left is swept by the
//! next run.

pub mod commands;
pub mod loss;
pub mod netns;
pub mod probe;
pub mod profiles;
pub mod proxy;

pub use profiles::Profile;

use crate::report::Row;
use crate::sync::Server;
use anyhow::Context;
use commands::{run, Names};
use proxy::{Proxy, Shape};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Seeds of the proxies' loss models (proxy i uses SEED + i): the same run loses the same
/// segments.
const SEED: u64 = 25;

pub struct Link {
    pub profile: Profile,
    names: Names,
    runtime: Option<tokio::runtime::Runtime>,
    proxies: Mutex<Vec<Arc<Proxy>>>,
}

/// Fails with what `--link` needs when this process cannot build a link.
fn check_can_shape() -> anyhow::Result<()> {
    let needs = "--link needs root and iproute2's `ip` and `tc` (it creates a network namespace, a veth pair \
                 and tbf shaping); run the bench as root, or use --link none";
    if !nix::unistd::geteuid().is_root() {
        anyhow::bail!("{needs} (this process is not root)");
    }
    for tool in ["ip", "tc"] {
        run(&[tool.to_owned(), "-V".to_owned()]).map_err(|e| anyhow::anyhow!("{needs} ({e})"))?;
    }
    Ok(())
}

/// Removes namespaces and veth ends left by bench runs whose process is gone.
fn sweep_stale() {
    let netns = run(&["ip".into(), "netns".into(), "list".into()]).unwrap_or_default();
    let links = run(&["ip".into(), "-o".into(), "link".into(), "show".into()]).unwrap_or_default();
    let alive = |pid: u32| std::path::Path::new(&format!("/proc/{pid}")).exists();
    for cmd in commands::sweep_commands(&netns, &links, alive) {
        match run(&cmd) {
            Ok(_) => println!("link: removed what an earlier run left: {}", cmd.join(" ")),
            Err(e) => eprintln!("link: {e}"),
        }
    }
}

/// Removes the link when the bench is interrupted (Drop does not run on Ctrl-C).
fn remove_on_ctrl_c(teardown: Vec<Vec<String>>) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            for cmd in &teardown {
                let _ = run(cmd);
            }
            eprintln!("interrupted: the shaped link is removed");
            std::process::exit(130);
        }
    });
}

// `netns_prefix`, `server_ip`, `expose` and the cuts are what the PouchDB anchor server and the
// realistic workloads (another stream of issue 25) call; they are joined at merge.
#[allow(dead_code, reason = "called by the anchor server and workloads once they run over the link")]
impl Link {
    /// Builds the link for `profile` (as root). Call it on the bench's runtime.
    pub async fn setup(profile: Profile) -> anyhow::Result<Link> {
        check_can_shape()?;
        sweep_stale();
        let names = Names::for_pid(std::process::id());
        let mut link = Link { profile, names: names.clone(), runtime: None, proxies: Mutex::new(Vec::new()) };
        // From here on, Drop removes whatever part was built.
        for cmd in commands::setup_commands(&names, &profile) {
            run(&cmd).context("setting up the shaped link")?;
        }
        remove_on_ctrl_c(commands::teardown_commands(&names));
        link.runtime = Some(netns::runtime_in(&names.ns).await?);
        println!(
            "link: {} — namespace {}, servers at {}, reached from {} through a proxy on 127.0.0.1",
            profile.describe(),
            names.ns,
            names.ns_ip,
            names.root_ip
        );
        Ok(link)
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().expect("the namespace's runtime lives as long as the link")
    }

    /// Runs a command inside the namespace: `[prefix…, program, args…]`. A server started so
    /// must listen on [`Link::server_ip`] (or 0.0.0.0) to be reachable over the veth.
    pub fn netns_prefix(&self) -> Vec<String> {
        vec!["ip".into(), "netns".into(), "exec".into(), self.names.ns.clone()]
    }

    /// The servers' address on the link (inside the namespace).
    pub fn server_ip(&self) -> Ipv4Addr {
        self.names.ns_ip
    }

    /// Puts a proxy with the profile's delay and loss in front of `port_in_ns` (a port listening
    /// on [`Link::server_ip`] inside the namespace) and returns it; it listens on 127.0.0.1 in the
    /// bench's namespace. Call it on the bench's runtime.
    pub async fn expose_proxy(&self, port_in_ns: u16) -> anyhow::Result<Arc<Proxy>> {
        let seed = {
            let proxies = self.proxies.lock().unwrap_or_else(|e| e.into_inner());
            SEED + proxies.len() as u64
        };
        let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let target = SocketAddr::from((self.names.ns_ip, port_in_ns));
        let proxy = Arc::new(Proxy::start(listen, target, Shape::of(&self.profile, seed)).await?);
        self.proxies.lock().unwrap_or_else(|e| e.into_inner()).push(proxy.clone());
        Ok(proxy)
    }

    /// The URL the bench uses for a server listening on `port_in_ns` inside the namespace.
    pub async fn expose(&self, port_in_ns: u16) -> anyhow::Result<String> {
        Ok(format!("http://{}", self.expose_proxy(port_in_ns).await?.addr()))
    }

    /// Our real server (the same router and counting listener as `sync::start_server`) inside the
    /// namespace, reached through a proxy.
    pub async fn start_server(&self, dir: &std::path::Path) -> anyhow::Result<Server> {
        let dir = dir.to_owned();
        let bind = format!("{}:0", self.names.ns_ip);
        let mut server = self.runtime().spawn(async move { crate::sync::start_server_at(&dir, &bind).await }).await??;
        let port: u16 = server.url.rsplit(':').next().and_then(|p| p.parse().ok()).context("the server's port")?;
        let proxy = self.expose_proxy(port).await?;
        server.url = format!("http://{}", proxy.addr());
        server.wire = Some(proxy.wire.clone());
        Ok(server)
    }

    fn all_proxies(&self) -> Vec<Arc<Proxy>> {
        self.proxies.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Starts a cut of every proxy: open connections close, new ones are refused.
    pub async fn cut_start(&self) {
        for p in self.all_proxies() {
            p.cut_start().await;
        }
    }

    /// Ends a cut: every proxy accepts again.
    pub async fn cut_end(&self) {
        for p in self.all_proxies() {
            p.cut_end().await;
        }
    }

    /// Cuts every proxy for `length`.
    pub async fn cut_for(&self, length: Duration) {
        self.cut_start().await;
        tokio::time::sleep(length).await;
        self.cut_end().await;
    }

    /// The raw link as measured through a proxy: a small request's round trip and 1 MB each way.
    pub async fn measure_raw(&self) -> anyhow::Result<Vec<Row>> {
        let port = self.runtime().spawn(probe::serve(self.names.ns_ip)).await??.port();
        let proxy = self.expose_proxy(port).await?;
        let m = probe::measure(proxy.addr()).await?;
        let rate = self.profile.rate_bit_s as f64 / 1e6;
        let set_rtt = self.profile.rtt.as_millis();
        let rows = vec![
            Row::new("link: measured round trip", m.rtt.as_secs_f64() * 1000.0, "ms", &format!("set: {set_rtt} ms"), None),
            Row::new("link: measured throughput down (1 MB)", m.down_bit_s / 1e6, "Mbit/s", &format!("set: {rate} Mbit/s"), None),
            Row::new("link: measured throughput up (1 MB)", m.up_bit_s / 1e6, "Mbit/s", &format!("set: {rate} Mbit/s"), None),
        ];
        for r in &rows {
            println!("{}: {:.2} {} ({})", r.name, r.ours, r.unit, r.goal);
        }
        Ok(rows)
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.proxies.lock().unwrap_or_else(|e| e.into_inner()).clear();
        if let Some(rt) = self.runtime.take() {
            // Dropped from async code: a blocking shutdown would panic.
            rt.shutdown_background();
        }
        for cmd in commands::teardown_commands(&self.names) {
            let _ = run(&cmd);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole link as root: a program started under `netns_prefix` in the namespace, reached
    /// through `expose` over the shaped veth, and a cut in between. Not run by `./x test` (it needs
    /// root, `ip` and `tc`); run it by hand:
    /// `cargo test --workspace --bin qar-bench -- --ignored a_real_link`.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "needs root and iproute2 (ip, tc): run by hand with --ignored"]
    async fn a_real_link_carries_a_program_run_in_the_namespace_and_cuts_it() {
        let link = Link::setup(profiles::WIFI).await.unwrap();
        let port = 18_025u16;
        let mut cmd = link.netns_prefix();
        let (port_text, ip_text) = (port.to_string(), link.server_ip().to_string());
        cmd.extend(["python3", "-m", "http.server", &port_text, "--bind", &ip_text].map(String::from));
        let mut child = std::process::Command::new(&cmd[0])
            .args(&cmd[1..])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let url = link.expose(port).await.unwrap();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let mut listing = None;
        for _ in 0..100 {
            if let Ok(r) = reqwest::get(&url).await {
                listing = Some(r.text().await.unwrap());
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await; // python is starting
        }
        assert!(listing.expect("the server in the namespace answered").contains("Directory listing"));

        link.cut_start().await;
        assert!(reqwest::get(&url).await.is_err(), "refused during the cut");
        link.cut_end().await;
        assert!(reqwest::get(&url).await.unwrap().status().is_success(), "reachable again after the cut");
        let _ = child.kill();
        let _ = child.wait();
    }
}
