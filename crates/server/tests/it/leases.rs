//! Work only one instance may do at a time on a shared PostgreSQL database (decision 103): the
//! mail sender and the retention run each belong to one instance, and pass to another when that
//! one goes. On SQLite the one process always does both.

use qar_server::store::Lease;
use qar_server::{KeySource, ServerStore};
use std::time::{Duration, Instant};

#[test]
fn one_instance_sends_mail_and_another_takes_over_when_it_goes() {
    let sqlite = tempfile::tempdir().unwrap();
    let alone = qar_server::ServerStore::open(sqlite.path()).unwrap();
    assert!(alone.holds(Lease::MailSending).unwrap() && alone.holds(Lease::Retention).unwrap(), "SQLite: one process does it all");

    let Some(cluster) = crate::pg_support::cluster_url() else { return };
    let url = crate::pg_support::fresh_database(&cluster);
    let key = KeySource::Hex("5a".repeat(32));
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = ServerStore::open_postgres(&url, dir_a.path(), &key).unwrap();
    let b = ServerStore::open_postgres(&url, dir_b.path(), &key).unwrap();
    assert!(a.holds(Lease::MailSending).unwrap(), "the first to ask sends the mail");
    assert!(!b.holds(Lease::MailSending).unwrap(), "the other does not");
    assert!(a.holds(Lease::MailSending).unwrap(), "and keeps it while it runs");
    assert!(b.holds(Lease::Retention).unwrap(), "each kind of work on its own");
    assert!(!a.holds(Lease::Retention).unwrap());

    // The sender stops (or dies: its sessions end either way); the other takes over.
    drop(a);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !b.holds(Lease::MailSending).unwrap() {
        assert!(Instant::now() < deadline, "the lease passed on once its holder's session ended");
        std::thread::sleep(Duration::from_millis(50));
    }
}
