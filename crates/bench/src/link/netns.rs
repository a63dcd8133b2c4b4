//! A tokio runtime whose every thread lives in a network namespace: sockets made on it (the
//! server's listener, the proxies', their connections to the server) belong to the namespace.
//! Each thread joins the namespace as it starts (`on_thread_start`), so worker threads and the
//! blocking pool's threads made later (by whichever thread asks) are all inside it.

use std::os::unix::fs::MetadataExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Where `ip netns add` puts the namespace's handle.
pub fn handle_path(ns: &str) -> String {
    format!("/run/netns/{ns}")
}

pub async fn runtime_in(ns: &str) -> anyhow::Result<tokio::runtime::Runtime> {
    let path = handle_path(ns);
    let handle = Arc::new(std::fs::File::open(&path).map_err(|e| anyhow::anyhow!("opening the namespace {path}: {e}"))?);
    let failed = Arc::new(AtomicBool::new(false));
    let (h, f) = (handle.clone(), failed.clone());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(format!("{ns}-thread"))
        .enable_all()
        .on_thread_start(move || {
            // Changes only this thread's network namespace.
            if nix::sched::setns(&*h, nix::sched::CloneFlags::CLONE_NEWNET).is_err() {
                f.store(true, Ordering::SeqCst);
            }
        })
        .build()?;
    // Check on a thread of the runtime that it really is inside (same namespace inode).
    let want = std::fs::metadata(&path)?.ino();
    let here = rt.spawn(async { std::fs::metadata("/proc/thread-self/ns/net").map(|m| m.ino()) }).await??;
    if failed.load(Ordering::SeqCst) || here != want {
        rt.shutdown_background();
        anyhow::bail!("could not move the bench's server threads into the network namespace {ns} (setns failed)");
    }
    Ok(rt)
}
