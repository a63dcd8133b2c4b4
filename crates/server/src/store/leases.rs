//! Work only one server may do at a time when several share a PostgreSQL database (issue 20):
//! sending the mail outbox (two senders could both pick a mail before either records it, and the
//! recipient would get it twice) and the retention run. The instance holding a PostgreSQL
//! session advisory lock for the work does it; the lock goes with its session, so when that
//! instance stops or dies (kill -9 included) another takes over at its next look. On SQLite the
//! one process always holds it.

use super::db::Connection;
use super::{ServerStore, StoreError};

/// Work that must not run on two instances at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lease {
    MailSending,
    Retention,
}

impl Lease {
    /// The advisory lock's key (distinct from the writers' and the migrations').
    fn key(self) -> i64 {
        match self {
            Lease::MailSending => 0x5141_525F_4D41_494C, // "QAR_MAIL"
            Lease::Retention => 0x5141_525F_5245_5445,   // "QAR_RETE"
        }
    }
}

/// The connections holding leases, one per lease this instance holds.
#[derive(Default)]
pub(super) struct Leases {
    url: Option<String>,
    held: std::sync::Mutex<std::collections::HashMap<Lease, Connection>>,
}

impl Leases {
    pub(super) fn on_postgres(url: &str) -> Leases {
        Leases { url: Some(url.to_owned()), held: Default::default() }
    }
}

impl ServerStore {
    /// Whether this instance does `lease`'s work now: it holds the lease, or has just taken it.
    /// Asked again before each round of that work, so a lost database session is noticed and
    /// the lease taken again (here or by another instance).
    pub fn holds(&self, lease: Lease) -> Result<bool, StoreError> {
        let Some(url) = &self.leases.url else { return Ok(true) };
        let mut held = self.leases.held.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(conn) = held.get(&lease) {
            if conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)).is_ok() {
                return Ok(true);
            }
            // The session ended (the database restarted, the network broke): so did the lock.
            held.remove(&lease);
        }
        let conn = Connection::connect_postgres_as(url, Some("qar-server lease"))?;
        let taken: i64 =
            conn.query_row(&format!("SELECT CASE WHEN pg_try_advisory_lock({}) THEN 1 ELSE 0 END", lease.key()), [], |r| r.get(0))?;
        if taken == 1 {
            tracing::info!(?lease, "this instance now does this work (it holds the lease)");
            held.insert(lease, conn);
        }
        Ok(taken == 1)
    }

    /// Gives up every lease this instance holds (a server stopping): another instance takes the
    /// work at its next look instead of waiting for this session to end.
    pub fn release_leases(&self) {
        let mut held = self.leases.held.lock().unwrap_or_else(|p| p.into_inner());
        for (lease, conn) in held.drain() {
            // Ending the session would release the lock too; saying so is immediate.
            if let Err(e) = conn.execute_batch("SELECT pg_advisory_unlock_all()") {
                tracing::warn!(?lease, "giving up the lease failed ({e}); it goes with the session");
            }
        }
    }
}
