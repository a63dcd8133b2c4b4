//! The hourly retention run (issue 24): the same purge as `qar-server purge --now`, on the
//! server's own clock. It holds the store weakly, so it ends by itself once the server is gone.

use crate::store::{now_ms, Lease, ServerStore};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// How often retention is applied. Policies count in days and months, so an hour is prompt
/// enough, and a run that finds nothing writes nothing.
pub const EVERY: Duration = Duration::from_secs(3600);

pub(crate) fn spawn(store: &Arc<ServerStore>) {
    let store: Weak<ServerStore> = Arc::downgrade(store);
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            // The first tick is at once: a server started from a restored backup purges what
            // fell due while the backup lay on the shelf.
            ticks.tick().await;
            let Some(store) = store.upgrade() else { return };
            // One instance applies retention at a time (decision 103); a run is safe to repeat,
            // but two at once would only wait on each other's write lock.
            let run = move || match store.holds(Lease::Retention)? {
                true => store.purge(false, now_ms()).map(Some),
                false => Ok(None),
            };
            match tokio::task::spawn_blocking(run).await {
                Ok(Ok(None)) => {}
                Ok(Ok(Some(counts))) if counts.is_empty() => {}
                Ok(Ok(Some(counts))) => tracing::info!(?counts, "retention applied"),
                Ok(Err(e)) => tracing::error!("retention run failed: {e}"),
                Err(e) => tracing::error!("retention run panicked: {e}"),
            }
        }
    });
}
