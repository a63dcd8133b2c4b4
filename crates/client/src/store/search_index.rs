//! Catching the full-text index up after a bulk pull deferred it (see migration 2).

use super::Store;
use crate::error::Result;
use rusqlite::Connection;

/// Pulled pages at least this large are applied with indexing deferred.
pub(super) const BULK_PAGE: usize = 64;

/// Indexes up to `limit` waiting notes in one transaction; returns how many it indexed.
/// Runs on any connection to the store (the background thread has its own).
pub(crate) fn catch_up(conn: &Connection, limit: usize) -> rusqlite::Result<usize> {
    // A plain read first: nearly always nothing waits, and then no write lock is taken at all.
    if !conn.prepare_cached("SELECT 1 FROM fts_backlog LIMIT 1")?.exists([])? {
        return Ok(0);
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let run = || -> rusqlite::Result<usize> {
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS fts_batch (doc INTEGER PRIMARY KEY)", [])?;
        conn.execute("DELETE FROM temp.fts_batch", [])?;
        let n = conn.execute("INSERT INTO temp.fts_batch(doc) SELECT doc FROM fts_backlog ORDER BY doc LIMIT ?1", [limit as i64])?;
        conn.execute(
            "INSERT INTO evidence_fts(rowid, notes, strengths, development_points, review_key)
             SELECT e.rowid, e.notes, e.strengths, e.development_points, e.review_key
             FROM temp.fts_batch b JOIN evidence e ON e.rowid = b.doc WHERE e.deleted = 0",
            [],
        )?;
        conn.execute("DELETE FROM fts_backlog WHERE doc IN (SELECT doc FROM temp.fts_batch)", [])?;
        Ok(n)
    };
    match run() {
        Ok(n) => {
            conn.execute_batch("COMMIT")?;
            Ok(n)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

impl Store {
    /// Notes whose text is not yet in the search index.
    pub fn search_backlog(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT count(*) FROM fts_backlog", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// Indexes everything still waiting (a search calls this first, so results are complete).
    pub fn catch_up_search_index(&self) -> Result<usize> {
        let mut total = 0;
        loop {
            let n = catch_up(&self.conn, 5_000)?;
            total += n;
            if n == 0 {
                return Ok(total);
            }
        }
    }
}
