//! "Safe to wipe": this laptop can be wiped or handed back only when the server holds every
//! change made on it, and every photo and document attached here (issue 19: their bytes travel
//! apart from the notes, so a note can be acknowledged while its photo is still only here).
//! Until then, say exactly what is still only here.

use super::{meta, Store};
use crate::error::Result;
use crate::model::{UnsentWork, WipeCheck};

impl Store {
    /// A photo whose thumbnail alone is still unsent counts as one unsent file: the laptop is
    /// not safe to wipe until the server holds both.
    pub fn wipe_check(&self) -> Result<WipeCheck> {
        let acked = meta::acked_through(&self.conn)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT w.review_id, coalesce(nullif(r.school_name, ''), 'A review not yet named'), sum(w.changes), sum(w.files)
             FROM (SELECT review_id, count(*) AS changes, 0 AS files FROM outbox WHERE seq > ?1 GROUP BY review_id
                   UNION ALL
                   SELECT review_id, 0, count(DISTINCT replace(attachment_id, ':thumb', '')) FROM attachment_uploads GROUP BY review_id) w
             LEFT JOIN reviews r ON r.id = w.review_id
             GROUP BY w.review_id ORDER BY 2",
        )?;
        let rows = stmt.query_map([acked as i64], |r| {
            Ok(UnsentWork { review_id: r.get(0)?, school_name: r.get(1)?, changes: r.get(2)?, files: r.get(3)? })
        })?;
        let unsent: Vec<UnsentWork> = rows.collect::<rusqlite::Result<_>>()?;
        Ok(WipeCheck { safe: unsent.is_empty(), unsent })
    }
}
