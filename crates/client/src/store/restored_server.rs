//! A server restored from a backup (decision 49): it may have lost changes this laptop already
//! pulled, and ops of this laptop it had acknowledged. The laptop notices (the feed epoch in
//! every page changed, or the server's feed ends below this laptop's cursor), pulls again from
//! 0 and sends again what the server no longer has. Outbox rows are never deleted after they
//! are acknowledged, so nothing of this laptop's own work is lost; pulled values are applied
//! by the usual per-field versions, so pulling again changes nothing that is already here.

use super::{meta, Store};
use crate::error::Result;
use qar_core::protocol::PullResponse;
use rusqlite::TransactionBehavior;

impl Store {
    /// Whether `page`, asked for with `asked_cursor`, comes from another incarnation of the
    /// server's store than the feed this laptop followed.
    pub fn feed_moved(&self, page: &PullResponse, asked_cursor: u64) -> Result<bool> {
        // The feed only grows: an end below our cursor means the server forgot changes.
        if page.cursor < asked_cursor {
            return Ok(true);
        }
        Ok(match (&page.feed_epoch, meta::get(&self.conn, "server_feed_epoch")?) {
            (Some(now), Some(known)) => *now != known,
            // A first page from a server that has epochs (or an older server): nothing to compare.
            _ => false,
        })
    }

    /// Follows the restored server: pull again from the start, and send again every op after
    /// `server_acked` (what the server says it holds of this laptop). Returns how many ops
    /// go back into the queue.
    pub fn follow_restored_server(&mut self, server_acked: u64, epoch: Option<&str>) -> Result<u64> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let acked = meta::acked_through(&tx)?;
        let through = acked.min(server_acked);
        meta::set(&tx, "acked_through", &through.to_string())?;
        meta::set(&tx, "pull_cursor", "0")?;
        match epoch {
            Some(e) => meta::set(&tx, "server_feed_epoch", e)?,
            None => meta::delete(&tx, "server_feed_epoch")?,
        }
        tx.commit()?;
        tracing::warn!(
            resent_ops = acked - through,
            "the server was restored from a backup: pulling everything again and sending again what it no longer has"
        );
        Ok(acked - through)
    }
}
