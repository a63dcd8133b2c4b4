//! The store's database layer on both databases (issue 20): values keep their kind, the SQL
//! spellings SQLite's and PostgreSQL's differ on are rewritten, savepoints undo alone, and the
//! write lock makes a feed of `max + 1` numbers that no reader ever sees out of order.

use crate::pg_support::{cluster_url, fresh_database};
use qar_server::store::db::{params, Backend, Connection, OptionalExtension, Value};

fn sqlite() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("t.db")).unwrap();
    (dir, Connection::from_sqlite(conn))
}

/// The same test body on SQLite and, when the cluster is there, on PostgreSQL.
fn on_both(body: impl Fn(&mut Connection)) {
    let (_dir, mut lite) = sqlite();
    body(&mut lite);
    if let Some(cluster) = cluster_url() {
        let mut pg = Connection::connect_postgres(&fresh_database(&cluster)).unwrap();
        assert_eq!(pg.backend(), Backend::Postgres);
        body(&mut pg);
    }
}

fn make_table(c: &Connection) {
    let blob = if c.backend() == Backend::Postgres { "BYTEA" } else { "BLOB" };
    let real = if c.backend() == Backend::Postgres { "DOUBLE PRECISION" } else { "REAL" };
    c.execute_batch(&format!("CREATE TABLE t (id TEXT PRIMARY KEY, n BIGINT, f {real}, b {blob}, note TEXT)")).unwrap();
}

#[test]
fn values_come_back_as_they_went_in() {
    on_both(|c| {
        make_table(c);
        let n = c
            .execute(
                "INSERT INTO t(id, n, f, b, note) VALUES (?1, ?2, ?3, ?4, ?5)",
                params!["a", 42i64, 2.5f64, vec![0u8, 255, 7], None::<String>],
            )
            .unwrap();
        assert_eq!(n, 1);
        c.execute("INSERT INTO t(id, n) VALUES (?1, ?2)", params!["b", 5_000_000_000_000i64]).unwrap();
        let (n, f, b, note): (i64, f64, Vec<u8>, Option<String>) =
            c.query_row("SELECT n, f, b, note FROM t WHERE id = ?1", ["a"], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap();
        assert_eq!((n, f, b, note), (42, 2.5, vec![0, 255, 7], None));
        let big: u64 = c.query_row("SELECT n FROM t WHERE id = ?1", ["b"], |r| r.get("n")).unwrap();
        assert_eq!(big, 5_000_000_000_000);
        // sum() of integers is NUMERIC on PostgreSQL: it still reads as an integer.
        let total: i64 = c.query_row("SELECT sum(n) - ?1 FROM t", [5_000_000_000_000i64], |r| r.get(0)).unwrap();
        assert_eq!(total, 42);
        let none = c.query_row("SELECT n FROM t WHERE id = ?1", ["zz"], |r| r.get::<_, i64>(0)).optional().unwrap();
        assert_eq!(none, None);
        let raw = c.query_row("SELECT note FROM t WHERE id = ?1", ["a"], |r| r.get::<_, Value>(0)).unwrap();
        assert_eq!(raw, Value::Null);
    });
}

#[test]
fn a_value_of_the_wrong_kind_is_a_clear_error_not_a_default() {
    on_both(|c| {
        make_table(c);
        c.execute("INSERT INTO t(id, note) VALUES (?1, ?2)", params!["a", "not a number"]).unwrap();
        let e = c.query_row("SELECT note FROM t", [], |r| r.get::<_, i64>(0)).unwrap_err();
        assert!(e.to_string().contains("invalid column type"), "{e}");
    });
}

#[test]
fn insert_or_ignore_and_numbered_parameters_read_the_same_on_both() {
    on_both(|c| {
        make_table(c);
        for _ in 0..2 {
            c.execute("INSERT OR IGNORE INTO t(id, n) VALUES (?1, ?2)", params!["a", 1]).unwrap();
        }
        let mut stmt = c.prepare("SELECT id FROM t WHERE n = ? AND id IN (?, ?) ORDER BY id").unwrap();
        let ids: Vec<String> = stmt.query_map(params![1, "a", "b"], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(ids, ["a"]);
        let e = c.execute("INSERT INTO t(id, n) VALUES (?1, ?2)", params!["a", 2]).unwrap_err();
        assert!(matches!(e, qar_server::store::db::Error::Constraint(_)), "a duplicate key is a constraint error: {e}");
    });
}

#[test]
fn a_savepoint_undoes_alone_and_a_dropped_transaction_undoes_all() {
    on_both(|c| {
        make_table(c);
        {
            let mut tx = c.transaction().unwrap();
            tx.execute("INSERT INTO t(id) VALUES ('kept')", []).unwrap();
            let sp = tx.savepoint().unwrap();
            sp.execute("INSERT INTO t(id) VALUES ('undone')", []).unwrap();
            sp.rollback().unwrap();
            let sp = tx.savepoint().unwrap();
            sp.execute("INSERT INTO t(id) VALUES ('released')", []).unwrap();
            sp.commit().unwrap();
            tx.commit().unwrap();
        }
        {
            let tx = c.transaction().unwrap();
            tx.execute("INSERT INTO t(id) VALUES ('dropped')", []).unwrap();
        }
        let mut stmt = c.prepare("SELECT id FROM t ORDER BY id").unwrap();
        let ids: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(ids, ["kept", "released"]);
    });
}

/// Many writers append `max + 1` to a feed in their own transactions while readers follow it
/// with a cursor, as laptops follow `server_seq`. PostgreSQL hands out sequence numbers in
/// call order, not commit order; the store's write lock makes each writer wait for the last
/// one's commit, so a reader never sees N+1 before N, and every reader ends with every row.
#[test]
fn the_feed_has_no_gaps_under_concurrent_writers_and_readers() {
    let Some(cluster) = cluster_url() else { return };
    let url = fresh_database(&cluster);
    Connection::connect_postgres(&url)
        .unwrap()
        .execute_batch("CREATE TABLE feed (seq BIGINT PRIMARY KEY, writer BIGINT NOT NULL)")
        .unwrap();
    const WRITERS: i64 = 6;
    const EACH: i64 = 60;
    const READERS: usize = 4;
    let total = (WRITERS * EACH) as usize;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..READERS)
        .map(|_| {
            let (url, done) = (url.clone(), done.clone());
            std::thread::spawn(move || {
                let c = Connection::connect_postgres(&url).unwrap();
                let (mut cursor, mut seen) = (0i64, 0usize);
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
                while seen < total && std::time::Instant::now() < deadline {
                    let mut stmt = c.prepare("SELECT seq FROM feed WHERE seq > ?1 ORDER BY seq").unwrap();
                    let batch: Vec<i64> = stmt.query_map([cursor], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
                    for seq in batch {
                        assert_eq!(seq, cursor + 1, "a reader saw seq {seq} before {}", cursor + 1);
                        cursor = seq;
                        seen += 1;
                    }
                    if done.load(std::sync::atomic::Ordering::SeqCst) && seen < total {
                        continue;
                    }
                }
                seen
            })
        })
        .collect();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut c = Connection::connect_postgres(&url).unwrap();
                for _ in 0..EACH {
                    let tx = c.transaction().unwrap();
                    let next: i64 = tx.query_row("SELECT coalesce(max(seq), 0) + 1 FROM feed", [], |r| r.get(0)).unwrap();
                    tx.execute("INSERT INTO feed(seq, writer) VALUES (?1, ?2)", params![next, w]).unwrap();
                    tx.commit().unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    for r in readers {
        assert_eq!(r.join().unwrap(), total, "every reader ends with every acknowledged row");
    }
}
