//! Copies the audit chain's head out of the data folder on a schedule and at shutdown (issue
//! 15): a line `SEQ:MAC UNIX_MS` appended to a file the operator keeps elsewhere (another disk, a
//! log shipper). Anyone who rewrites or cuts the chain cannot change those copies, and
//! `qar-server verify-audit --expect-head SEQ:MAC` checks the chain still reaches them. Each line
//! is also logged, so a central log holds a copy too.

use crate::store::ServerStore;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub(crate) struct Exporter {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Exporter {
    pub(crate) fn spawn(store: Arc<ServerStore>, path: PathBuf, every: Duration) -> Exporter {
        let (stop, mut stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            let mut last: Option<String> = None;
            let mut ticks = tokio::time::interval(every.max(Duration::from_secs(1)));
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticks.tick() => {
                        // Only a head that moved is written again: the file grows with the chain, not the clock.
                        if let Some(head) = write_head(&store, &path, last.as_deref()) {
                            last = Some(head);
                        }
                    }
                    _ = &mut stopped => {
                        write_head(&store, &path, None);
                        return;
                    }
                }
            }
        });
        Exporter { stop, task }
    }

    /// Writes the head once more and waits for it.
    pub(crate) async fn finish(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Appends the head unless it equals `unless`; returns what was written.
fn write_head(store: &ServerStore, path: &Path, unless: Option<&str>) -> Option<String> {
    let head = match store.audit_head() {
        Ok(Some((seq, mac))) => format!("{seq}:{mac}"),
        Ok(None) => return None,
        Err(e) => {
            tracing::error!("could not read the audit head to export it: {e}");
            return None;
        }
    };
    if unless == Some(head.as_str()) {
        return None;
    }
    let line = format!("{head} {}\n", crate::store::now_ms());
    let written = std::fs::OpenOptions::new().create(true).append(true).open(path).and_then(|mut f| {
        f.write_all(line.as_bytes())?;
        f.sync_data()
    });
    match written {
        Ok(()) => tracing::info!(audit_head = head, "audit head exported"),
        Err(e) => tracing::error!(path = %path.display(), "could not export the audit head: {e}"),
    }
    Some(head)
}
