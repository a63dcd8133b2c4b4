//! The school register (`schools`): read one school, and write many in one transaction for
//! `qar-server import-schools` (see `crate::gias`). What a row becomes (added, updated,
//! unchanged) is decided by the caller, who reads the stored row first.

use super::{ServerStore, StoreError};
use crate::store::db::{OptionalExtension, Row, Transaction};

/// One school as the register holds it. Text is '' when unknown; numbers and dates `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct School {
    /// Six digits, kept as text.
    pub urn: String,
    pub establishment_name: String,
    pub establishment_type: String,
    pub phase: String,
    pub status: String,
    pub la_name: String,
    pub trust_name: String,
    pub town: String,
    pub postcode: String,
    pub region: String,
    pub number_of_pupils: Option<i64>,
    pub percentage_fsm: Option<f64>,
    pub head_first_name: String,
    pub head_last_name: String,
    /// ISO `yyyy-mm-dd`.
    pub ofsted_last_insp: Option<String>,
    /// ISO `yyyy-mm-dd`.
    pub open_date: Option<String>,
    /// The Challenge Partners hub: read only here; `SchoolWriter` never writes it.
    pub hub_id: Option<String>,
}

const COLUMNS: &str = "urn, establishment_name, establishment_type, phase, status, la_name, trust_name, town, postcode,
    region, number_of_pupils, percentage_fsm, head_first_name, head_last_name, ofsted_last_insp, open_date, hub_id";

/// One school of the register by URN, in whatever connection or transaction the caller holds.
pub(super) fn find_school(conn: &crate::store::db::Connection, urn: &str) -> crate::store::db::Result<Option<School>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM schools WHERE urn = ?1"))?.query_row([urn], school_from).optional()
}

fn school_from(r: &Row) -> crate::store::db::Result<School> {
    Ok(School {
        urn: r.get(0)?,
        establishment_name: r.get(1)?,
        establishment_type: r.get(2)?,
        phase: r.get(3)?,
        status: r.get(4)?,
        la_name: r.get(5)?,
        trust_name: r.get(6)?,
        town: r.get(7)?,
        postcode: r.get(8)?,
        region: r.get(9)?,
        number_of_pupils: r.get(10)?,
        percentage_fsm: r.get(11)?,
        head_first_name: r.get(12)?,
        head_last_name: r.get(13)?,
        ofsted_last_insp: r.get(14)?,
        open_date: r.get(15)?,
        hub_id: r.get(16)?,
    })
}

/// Reads and writes schools inside one open transaction (prepared statements, cached).
pub struct SchoolWriter<'a> {
    tx: &'a Transaction<'a>,
    now_ms: i64,
}

impl SchoolWriter<'_> {
    pub fn get(&mut self, urn: &str) -> Result<Option<School>, StoreError> {
        Ok(find_school(self.tx, urn)?)
    }

    /// Adds a school that is not in the register (its `hub_id` is left empty).
    pub fn insert(&mut self, s: &School) -> Result<(), StoreError> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO schools(urn, establishment_name, establishment_type, phase, status, la_name, trust_name, town,
                postcode, region, number_of_pupils, percentage_fsm, head_first_name, head_last_name, ofsted_last_insp,
                open_date, gias_updated_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        )?;
        stmt.execute(register_params(s, &self.now_ms).as_slice())?;
        Ok(())
    }

    /// Overwrites every register column of a stored school except `hub_id`.
    pub fn update(&mut self, s: &School) -> Result<(), StoreError> {
        let mut stmt = self.tx.prepare_cached(
            "UPDATE schools SET establishment_name = ?2, establishment_type = ?3, phase = ?4, status = ?5, la_name = ?6,
                trust_name = ?7, town = ?8, postcode = ?9, region = ?10, number_of_pupils = ?11, percentage_fsm = ?12,
                head_first_name = ?13, head_last_name = ?14, ofsted_last_insp = ?15, open_date = ?16, gias_updated_ms = ?17
             WHERE urn = ?1",
        )?;
        stmt.execute(register_params(s, &self.now_ms).as_slice())?;
        Ok(())
    }
}

/// The 17 values `insert` and `update` bind, in their `?1`…`?17` order (hub_id is never among them).
fn register_params<'a>(s: &'a School, now_ms: &'a i64) -> [&'a dyn crate::store::db::ToSql; 17] {
    [
        &s.urn,
        &s.establishment_name,
        &s.establishment_type,
        &s.phase,
        &s.status,
        &s.la_name,
        &s.trust_name,
        &s.town,
        &s.postcode,
        &s.region,
        &s.number_of_pupils,
        &s.percentage_fsm,
        &s.head_first_name,
        &s.head_last_name,
        &s.ofsted_last_insp,
        &s.open_date,
        now_ms,
    ]
}

impl ServerStore {
    /// Runs `f` with a `SchoolWriter` inside one transaction: committed when `f` returns `Ok`,
    /// rolled back (nothing written) when it returns `Err`.
    pub fn write_schools<T, E: From<StoreError>>(
        &self,
        now_ms: u64,
        f: impl FnOnce(&mut SchoolWriter<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.writer();
        let tx = conn.transaction().map_err(StoreError::from)?;
        let out = f(&mut SchoolWriter { tx: &tx, now_ms: now_ms as i64 })?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// One school of the register.
    pub fn school(&self, urn: &str) -> Result<Option<School>, StoreError> {
        Ok(find_school(&self.reader(), urn)?)
    }

    /// How many schools the register holds.
    pub fn school_count(&self) -> Result<u64, StoreError> {
        Ok(self.reader().query_row("SELECT count(*) FROM schools", [], |r| r.get(0))?)
    }
}
