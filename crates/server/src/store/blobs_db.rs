//! Attachment bytes in the store's own database (issue 19, point 5; decision 96): the
//! [`BlobStore`] that several server instances share when they share one PostgreSQL database.
//! It works on SQLite too (one instance), so the same tests run on both.
//!
//! Sealed and named as the folder does it: each row's bytes are sealed with the server key's
//! blob subkey (the place as associated data) and each row is named by a keyed digest of the
//! place, so the tables show neither a file's hash nor its review. Every instance must run
//! with the same server key, as it must for the audit chain anyway.
//!
//! An upload under way is a row per piece, in the database, not on an instance: a laptop whose
//! connection breaks and whose next request reaches another instance is told the same offset
//! and goes on from there. The primary key (name, offset) lets only one piece start at an
//! offset, so two instances taking a piece at the same offset at once cannot both keep it: the
//! second is answered with the offset the first reached. A finished blob is one row written in
//! one statement: whole or absent.

use super::blobs::{BlobError, BlobPlace, BlobStore};
use super::db::{params, Connection, Error as DbError, OptionalExtension};
use crate::server_key::ServerKey;
use std::sync::{Arc, Mutex, MutexGuard};

pub struct DatabaseBlobs {
    /// A connection of the blob store's own, so a photo's bytes never wait for (or hold up) the
    /// record writer.
    conn: Mutex<Connection>,
    key: Arc<ServerKey>,
}

impl From<DbError> for BlobError {
    fn from(e: DbError) -> BlobError {
        BlobError::Io(std::io::Error::other(format!("the database holding attachments: {e}")))
    }
}

impl DatabaseBlobs {
    pub fn new(conn: Connection, key: Arc<ServerKey>) -> DatabaseBlobs {
        DatabaseBlobs { conn: Mutex::new(conn), key }
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn name(&self, place: &BlobPlace) -> String {
        self.key.blob_name(&place.review_id, &place.sha256)
    }

    /// The review's key: what the folder store names the review's subfolder.
    fn review_key(&self, review_id: &str) -> String {
        self.key.blob_name(review_id, "")[..32].to_owned()
    }

    /// The associated data a piece or a whole blob is sealed with: the same as the folder's,
    /// so a sealed blob means the same wherever it is kept.
    fn aad(place: &BlobPlace, piece_at: Option<u64>) -> Vec<u8> {
        match piece_at {
            Some(offset) => format!("blob-part/{}/{}/{offset}", place.review_id, place.sha256).into_bytes(),
            None => format!("blob/{}/{}", place.review_id, place.sha256).into_bytes(),
        }
    }

    /// Where the pieces stored so far end. Pieces are only ever added where the last one ends
    /// (see [`BlobStore::append`]), so the end is the furthest end.
    fn received_on(conn: &Connection, name: &str) -> Result<u64, BlobError> {
        let end: i64 =
            conn.query_row("SELECT coalesce(max(plain_at + plain_len), 0) FROM shared_blob_pieces WHERE name = ?1", [name], |r| r.get(0))?;
        Ok(end as u64)
    }
}

impl BlobStore for DatabaseBlobs {
    fn has(&self, place: &BlobPlace) -> Result<bool, BlobError> {
        let found = self.conn().query_row("SELECT 1 FROM shared_blobs WHERE name = ?1", [self.name(place)], |_| Ok(())).optional()?;
        Ok(found.is_some())
    }

    fn received(&self, place: &BlobPlace) -> Result<u64, BlobError> {
        Self::received_on(&self.conn(), &self.name(place))
    }

    fn append(&self, place: &BlobPlace, offset: u64, bytes: &[u8]) -> Result<u64, BlobError> {
        let conn = self.conn();
        let name = self.name(place);
        let received = Self::received_on(&conn, &name)?;
        if offset != received {
            return Err(BlobError::WrongOffset(received));
        }
        if bytes.is_empty() {
            return Ok(received);
        }
        let sealed = self.key.seal_bytes(&Self::aad(place, Some(offset)), bytes).map_err(|_| BlobError::Damaged)?;
        let inserted = conn.execute(
            "INSERT INTO shared_blob_pieces(name, review_key, plain_at, plain_len, sealed) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![name, self.review_key(&place.review_id), offset as i64, bytes.len() as i64, sealed],
        );
        match inserted {
            Ok(_) => Ok(received + bytes.len() as u64),
            // Another instance stored a piece at this offset first: go on from where it ended.
            Err(DbError::Constraint(_)) => Err(BlobError::WrongOffset(Self::received_on(&conn, &name)?)),
            Err(e) => Err(e.into()),
        }
    }

    fn read_partial(&self, place: &BlobPlace) -> Result<Vec<u8>, BlobError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT plain_at, sealed FROM shared_blob_pieces WHERE name = ?1 ORDER BY plain_at")?;
        let pieces = stmt.query_map([self.name(place)], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
        let mut out = Vec::new();
        for piece in pieces {
            let (at, sealed) = piece?;
            if at as u64 != out.len() as u64 {
                // Pieces only start where the previous one ended; a hole means rows were changed.
                return Err(BlobError::Damaged);
            }
            out.extend(self.key.open_bytes(&Self::aad(place, Some(at as u64)), &sealed).map_err(|_| BlobError::Damaged)?);
        }
        Ok(out)
    }

    fn discard_partial(&self, place: &BlobPlace) -> Result<(), BlobError> {
        self.conn().execute("DELETE FROM shared_blob_pieces WHERE name = ?1", [self.name(place)])?;
        Ok(())
    }

    fn put(&self, place: &BlobPlace, plain: &[u8]) -> Result<(), BlobError> {
        let sealed = self.key.seal_bytes(&Self::aad(place, None), plain).map_err(|_| BlobError::Damaged)?;
        // The same name is the same review and hash, so the same bytes: whoever stored it first
        // stored what this would.
        self.conn().execute(
            "INSERT INTO shared_blobs(name, review_key, sealed) VALUES (?1, ?2, ?3) ON CONFLICT(name) DO NOTHING",
            params![self.name(place), self.review_key(&place.review_id), sealed],
        )?;
        Ok(())
    }

    fn get(&self, place: &BlobPlace) -> Result<Option<Vec<u8>>, BlobError> {
        let sealed = self
            .conn()
            .query_row("SELECT sealed FROM shared_blobs WHERE name = ?1", [self.name(place)], |r| r.get::<_, Vec<u8>>(0))
            .optional()?;
        match sealed {
            None => Ok(None),
            Some(sealed) => self.key.open_bytes(&Self::aad(place, None), &sealed).map(Some).map_err(|_| BlobError::Damaged),
        }
    }

    fn review_bytes(&self, review_id: &str) -> Result<u64, BlobError> {
        let key = self.review_key(review_id);
        // Sealed sizes, as the folder counts its files' sizes.
        let total: i64 = self.conn().query_row(
            "SELECT coalesce((SELECT sum(length(sealed)) FROM shared_blobs WHERE review_key = ?1), 0)
                  + coalesce((SELECT sum(length(sealed)) FROM shared_blob_pieces WHERE review_key = ?1), 0)",
            [key],
            |r| r.get(0),
        )?;
        Ok(total as u64)
    }

    fn remove(&self, place: &BlobPlace) -> Result<bool, BlobError> {
        let conn = self.conn();
        let name = self.name(place);
        let whole = conn.execute("DELETE FROM shared_blobs WHERE name = ?1", [&name])?;
        let pieces = conn.execute("DELETE FROM shared_blob_pieces WHERE name = ?1", [&name])?;
        Ok(whole + pieces > 0)
    }

    fn taking(&self, place: &BlobPlace, until_ms: Option<u64>) -> Result<(), BlobError> {
        let conn = self.conn();
        match until_ms {
            Some(until) => conn.execute(
                "INSERT INTO shared_blob_writers(name, until_ms) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET until_ms = excluded.until_ms",
                params![self.name(place), until as i64],
            )?,
            None => conn.execute("DELETE FROM shared_blob_writers WHERE name = ?1", [self.name(place)])?,
        };
        Ok(())
    }

    fn being_taken(&self, place: &BlobPlace, now_ms: u64) -> Result<bool, BlobError> {
        let found = self
            .conn()
            .query_row(
                "SELECT 1 FROM shared_blob_writers WHERE name = ?1 AND until_ms > ?2",
                params![self.name(place), now_ms as i64],
                |_| Ok(()),
            )
            .optional()?;
        Ok(found.is_some())
    }

    fn remove_review(&self, review_id: &str) -> Result<u64, BlobError> {
        let conn = self.conn();
        let key = self.review_key(review_id);
        let whole = conn.execute("DELETE FROM shared_blobs WHERE review_key = ?1", [&key])?;
        // Counted as the folder counts files: one per unfinished upload, not per piece.
        let unfinished: i64 =
            conn.query_row("SELECT count(DISTINCT name) FROM shared_blob_pieces WHERE review_key = ?1", [&key], |r| r.get(0))?;
        conn.execute("DELETE FROM shared_blob_pieces WHERE review_key = ?1", [&key])?;
        Ok(whole as u64 + unfinished as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::super::blobs::{BlobError, BlobPlace};
    use super::super::ServerStore;

    fn place(review: &str, sha: char) -> BlobPlace {
        BlobPlace { review_id: review.into(), sha256: sha.to_string().repeat(64) }
    }

    /// What retention and the limits ask of the store, on the database's rows: a blob removed
    /// alone or with its review (unfinished uploads too), bytes counted per review, another
    /// review untouched, a changed row a clear error, a piece only where the last one ended.
    #[test]
    fn rows_are_counted_removed_and_checked_per_review() {
        let dir = tempfile::tempdir().unwrap();
        let store = ServerStore::open(dir.path()).unwrap().keep_blobs_in_database(None, dir.path()).unwrap();
        let blobs = &store.blobs;
        let (a, b, c, unfinished) = (place("r1", 'a'), place("r1", 'b'), place("r2", 'c'), place("r1", 'd'));
        for p in [&a, &b, &c] {
            blobs.put(p, format!("the bytes of {}", p.sha256).as_bytes()).unwrap();
        }
        assert_eq!(blobs.append(&unfinished, 0, b"first half").unwrap(), 10);
        assert!(matches!(blobs.append(&unfinished, 3, b"again"), Err(BlobError::WrongOffset(10))));
        assert_eq!(blobs.read_partial(&unfinished).unwrap(), b"first half");
        let r1 = blobs.review_bytes("r1").unwrap();
        assert!(r1 > 2 * 64 + 10, "sealed sizes of two blobs and a piece: {r1}");
        assert_eq!(blobs.review_bytes("r3").unwrap(), 0);

        assert!(blobs.remove(&a).unwrap());
        assert!(!blobs.has(&a).unwrap() && !blobs.remove(&a).unwrap(), "gone, and a second removal finds nothing");
        assert_eq!(blobs.remove_review("r1").unwrap(), 2, "the other blob and the unfinished upload");
        assert!(!blobs.has(&b).unwrap());
        assert_eq!(blobs.received(&unfinished).unwrap(), 0);
        assert_eq!(blobs.review_bytes("r1").unwrap(), 0);
        assert_eq!(blobs.get(&c).unwrap().unwrap(), format!("the bytes of {}", c.sha256).as_bytes(), "another review untouched");

        // A row changed in the database (or sealed under another key) does not open.
        store.writer().execute("UPDATE shared_blobs SET sealed = ?1", [vec![0u8; 80]]).unwrap();
        assert!(matches!(store.blobs.get(&c), Err(BlobError::Damaged)));
    }
}
