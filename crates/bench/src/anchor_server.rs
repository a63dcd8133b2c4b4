//! The PouchDB anchor's server as a process of its own (`crates/bench/anchor/serve.js`:
//! express-pouchdb over leveldb), so the anchor can run on the same link as ours (issue 25).
//! Started under a command prefix (`ip netns exec NS` on a shaped link, nothing on loopback),
//! it counts bytes and requests at its sockets; `stats()` reads them. Killed on drop.

use anyhow::{bail, Context};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;

pub use crate::realistic::Wire;

pub struct AnchorServer {
    child: Child,
    io: Mutex<(ChildStdin, BufReader<ChildStdout>)>,
    host: String,
    port: u16,
    control_port: u16,
}

#[derive(serde::Deserialize)]
struct Ready {
    port: u16,
    control_port: u16,
}

#[derive(serde::Deserialize)]
struct Stats {
    up: u64,
    down: u64,
    requests: u64,
}

impl AnchorServer {
    /// Starts serve.js on `host` (port chosen by the system) keeping its databases in `dir`, and
    /// waits until it listens. `prefix` runs it inside something, e.g. `["ip", "netns", "exec", NS]`.
    pub fn start(prefix: &[String], host: &str, dir: &Path) -> anyhow::Result<AnchorServer> {
        let work = crate::anchor::prepare()?;
        std::fs::create_dir_all(dir).with_context(|| format!("making {}", dir.display()))?;
        let mut argv: Vec<String> = prefix.to_vec();
        argv.extend(["node".into(), work.join("serve.js").display().to_string(), "--host".into(), host.into(), "--dir".into()]);
        argv.push(dir.display().to_string());
        let mut child = Command::new(&argv[0])
            .args(&argv[1..])
            .current_dir(&work)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("could not start the anchor's server ({})", argv.join(" ")))?;
        let stdin = child.stdin.take().context("the anchor server's input")?;
        let mut stdout = BufReader::new(child.stdout.take().context("the anchor server's output")?);
        let mut line = String::new();
        if stdout.read_line(&mut line)? == 0 {
            let status = child.wait()?;
            bail!("the anchor's server stopped before it listened ({status})");
        }
        let ready: Ready =
            serde_json::from_str(line.trim()).with_context(|| format!("the anchor's server said {line:?}, not that it is ready"))?;
        Ok(AnchorServer { child, io: Mutex::new((stdin, stdout)), host: host.into(), port: ready.port, control_port: ready.control_port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The address of the server through `base` (e.g. a proxy's `http://127.0.0.1:PORT`), or
    /// straight at its host and port when `base` is empty.
    pub fn url_via(&self, base: &str) -> String {
        if base.is_empty() {
            format!("http://{}:{}", self.host, self.port)
        } else {
            base.trim_end_matches('/').to_owned()
        }
    }

    /// Where workloads.js asks for the counters (its own port: never counted, never shaped).
    pub fn stats_url(&self) -> String {
        format!("http://{}:{}/stats", self.host, self.control_port)
    }

    /// Bytes up (client → server) and down, and requests, since the server started.
    pub fn stats(&self) -> anyhow::Result<Wire> {
        let mut io = self.io.lock().map_err(|_| anyhow::anyhow!("anchor server lock poisoned"))?;
        let (stdin, stdout) = &mut *io;
        stdin.write_all(b"stats\n")?;
        stdin.flush()?;
        let mut line = String::new();
        if stdout.read_line(&mut line)? == 0 {
            bail!("the anchor's server has stopped");
        }
        let s: Stats = serde_json::from_str(line.trim()).with_context(|| format!("reading the anchor's counters from {line:?}"))?;
        Ok(Wire { up: s.up, down: s.down, requests: s.requests })
    }
}

impl Drop for AnchorServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
