//! "Safe to wipe": this laptop can be wiped or handed back only when the server holds every
//! change made on it. Until then, say exactly what is still only here.

use super::{meta, Store};
use crate::error::Result;
use crate::model::{UnsentWork, WipeCheck};

impl Store {
    pub fn wipe_check(&self) -> Result<WipeCheck> {
        let acked = meta::acked_through(&self.conn)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT o.review_id, coalesce(nullif(r.school_name, ''), 'A review not yet named'), count(*)
             FROM outbox o LEFT JOIN reviews r ON r.id = o.review_id
             WHERE o.seq > ?1 GROUP BY o.review_id ORDER BY 2",
        )?;
        let rows =
            stmt.query_map([acked as i64], |r| Ok(UnsentWork { review_id: r.get(0)?, school_name: r.get(1)?, changes: r.get(2)? }))?;
        let unsent: Vec<UnsentWork> = rows.collect::<rusqlite::Result<_>>()?;
        Ok(WipeCheck { safe: unsent.is_empty(), unsent })
    }
}
