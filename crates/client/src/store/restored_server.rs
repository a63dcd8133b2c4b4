//! A server restored from a backup (decision 55): it may have lost changes this laptop already
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

#[cfg(test)]
mod tests {
    use super::super::tests::{new_review, note, open};
    use qar_core::protocol::{PullResponse, PushResponse};

    const T0: u64 = 1_795_000_000_000;

    fn page(cursor: u64, epoch: Option<&str>) -> PullResponse {
        PullResponse {
            changes: vec![],
            cursor,
            has_more: false,
            server_time_ms: T0,
            access_revoked: vec![],
            compat: None,
            feed_epoch: epoch.map(str::to_owned),
            purged: vec![],
            register_head: None,
            set_aside: vec![],
        }
    }

    #[test]
    fn another_epoch_or_a_feed_ending_below_the_cursor_is_a_restored_server() {
        let (_d, mut s) = open();
        assert!(!s.feed_moved(&page(5, Some("e1")), 0).unwrap(), "the first epoch seen is only noted");
        s.apply_pull(&page(5, Some("e1")), T0).unwrap();
        assert!(!s.feed_moved(&page(9, Some("e1")), 5).unwrap());
        assert!(s.feed_moved(&page(9, Some("e2")), 5).unwrap(), "another epoch, even with the cursor still inside the feed");
        assert!(s.feed_moved(&page(3, Some("e1")), 5).unwrap(), "the feed ends below the cursor");
        assert!(s.feed_moved(&page(3, None), 5).unwrap(), "also from a server without epochs");
        assert!(!s.feed_moved(&page(9, None), 5).unwrap(), "an older server says nothing of epochs");
    }

    #[test]
    fn following_a_restored_server_resends_what_it_lost_and_pulls_from_the_start() {
        let (_d, mut s) = open();
        let r = s.create_review(&new_review(), T0).unwrap();
        for i in 0..3 {
            s.add_evidence(&note(&r.id, &format!("n{i}")), T0).unwrap();
        }
        let acked = PushResponse {
            acked_through: 4,
            results: vec![],
            server_time_ms: T0,
            pull: None,
            clock_ahead: None,
            compat: None,
            feed_epoch: None,
        };
        s.record_push(&acked, T0).unwrap();
        s.apply_pull(&page(40, Some("e1")), T0).unwrap();
        assert_eq!(s.pending_count().unwrap(), 0);

        // The restored server holds this laptop's ops up to 2.
        assert_eq!(s.follow_restored_server(2, Some("e2")).unwrap(), 2);
        assert_eq!(s.pull_cursor().unwrap(), 0);
        assert_eq!(s.pending_batch(10).unwrap().ops.iter().map(|o| o.seq).collect::<Vec<_>>(), [3, 4], "sent again, same ops");
        assert!(!s.feed_moved(&page(7, Some("e2")), 0).unwrap(), "the new epoch is the one followed now");
        // A server that says it holds more than this laptop sent never raises the mark.
        assert_eq!(s.follow_restored_server(9, Some("e2")).unwrap(), 0);
        assert_eq!(s.pending_count().unwrap(), 2);
    }
}
