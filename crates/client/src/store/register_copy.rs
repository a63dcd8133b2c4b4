//! This laptop's copy of the register of Areas of Excellence (issue 23, decision 65): pages of
//! changes applied after the copy's own cursor (published entries kept, withdrawn ones deleted
//! with their index rows), and the offline search over it (FTS5 plus filters).

use super::{meta, Store};
use crate::error::Result;
use crate::model::{RegisterEntry, RegisterFacets, RegisterFilter};
use qar_core::protocol::register::RegisterChanges;
use qar_core::register::MAX_PAGE;
use rusqlite::{params, Row};

const CURSOR: &str = "register_cursor";
/// Results when the search names no limit.
const DEFAULT_LIMIT: u32 = 50;

const COLUMNS: &str = "e.review_id, e.urn, e.school_name, e.phase, e.region, e.la_name, e.title, e.summary, e.areas, e.themes,
     e.disadvantaged_focus, e.academic_year, e.issued_ms";

fn codes(text: String) -> rusqlite::Result<Vec<String>> {
    serde_json::from_str(&text).map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

fn row_entry(r: &Row<'_>) -> rusqlite::Result<RegisterEntry> {
    Ok(RegisterEntry {
        review_id: r.get(0)?,
        urn: r.get(1)?,
        school_name: r.get(2)?,
        phase: r.get(3)?,
        region: r.get(4)?,
        la_name: r.get(5)?,
        title: r.get(6)?,
        summary: r.get(7)?,
        areas: codes(r.get(8)?)?,
        themes: codes(r.get(9)?)?,
        disadvantaged_focus: r.get::<_, i64>(10)? == 1,
        academic_year: r.get(11)?,
        issued_ms: r.get::<_, i64>(12)? as u64,
    })
}

/// Words as an FTS5 query: each a quoted prefix, all required; typed operators are only text.
fn fts_query(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" ")
}

impl Store {
    /// Where the copy continues from (0: nothing copied yet).
    pub fn register_cursor(&self) -> Result<u64> {
        Ok(meta::parse_u64(meta::get(&self.conn, CURSOR)?))
    }

    /// Applies one page of the register's changes in one transaction with its cursor. Returns
    /// how many entries were added, changed or removed here.
    pub fn apply_register_changes(&mut self, page: &RegisterChanges) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let mut changed = 0;
        for e in &page.entries {
            changed += tx
                .prepare_cached(
                    "INSERT INTO register_entries(review_id, urn, school_name, phase, region, la_name, title, summary, areas, themes,
                     disadvantaged_focus, academic_year, issued_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                 ON CONFLICT(review_id) DO UPDATE SET urn = excluded.urn, school_name = excluded.school_name, phase = excluded.phase,
                     region = excluded.region, la_name = excluded.la_name, title = excluded.title, summary = excluded.summary,
                     areas = excluded.areas, themes = excluded.themes, disadvantaged_focus = excluded.disadvantaged_focus,
                     academic_year = excluded.academic_year, issued_ms = excluded.issued_ms",
                )?
                .execute(params![
                    e.review_id,
                    e.urn,
                    e.school_name,
                    e.phase,
                    e.region,
                    e.la_name,
                    e.title,
                    e.summary,
                    serde_json::to_string(&e.areas).expect("strings serialise"),
                    serde_json::to_string(&e.themes).expect("strings serialise"),
                    e.disadvantaged_focus as i64,
                    e.academic_year,
                    e.issued_ms as i64
                ])?;
        }
        for id in &page.removed {
            // The delete trigger takes the index row with it.
            changed += tx.prepare_cached("DELETE FROM register_entries WHERE review_id = ?1")?.execute([id])?;
        }
        meta::set(&tx, CURSOR, &page.next.to_string())?;
        tx.commit()?;
        Ok(changed)
    }

    /// Searches the copy: every filter given applies; best text match first, newest first
    /// without words. Works offline.
    pub fn search_register(&self, f: &RegisterFilter) -> Result<Vec<RegisterEntry>> {
        let text = fts_query(&f.text);
        let mut sql = format!("SELECT {COLUMNS} FROM register_entries e");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if !text.is_empty() {
            sql.push_str(" JOIN register_fts f ON f.rowid = e.rowid AND register_fts MATCH ?");
            args.push(text.clone().into());
        }
        sql.push_str(" WHERE 1 = 1");
        let mut filter = |clause: &str, v: rusqlite::types::Value| {
            sql.push_str(clause);
            args.push(v);
        };
        if let Some(p) = f.phase.as_ref().filter(|p| !p.is_empty()) {
            filter(" AND e.phase = ?", p.clone().into());
        }
        if let Some(r) = f.region.as_ref().filter(|r| !r.is_empty()) {
            filter(" AND e.region = ?", r.clone().into());
        }
        if let Some(t) = f.theme.as_ref().filter(|t| !t.is_empty()) {
            filter(" AND EXISTS (SELECT 1 FROM json_each(e.themes) WHERE value = ?)", t.clone().into());
        }
        if let Some(d) = f.disadvantaged_focus {
            filter(" AND e.disadvantaged_focus = ?", (d as i64).into());
        }
        if let Some(y) = f.academic_year {
            filter(" AND e.academic_year = ?", (y as i64).into());
        }
        sql.push_str(if text.is_empty() { " ORDER BY e.issued_ms DESC, e.review_id" } else { " ORDER BY f.rank, e.issued_ms DESC" });
        sql.push_str(" LIMIT ?");
        args.push((f.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_PAGE) as i64).into());
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), row_entry)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One entry of the copy, if it is (still) published here.
    pub fn register_entry(&self, review_id: &str) -> Result<Option<RegisterEntry>> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {COLUMNS} FROM register_entries e WHERE e.review_id = ?1"))?;
        let mut rows = stmt.query_map([review_id], row_entry)?;
        Ok(rows.next().transpose()?)
    }

    /// The values the filters can offer, from what the copy holds, and the theme list.
    pub fn register_facets(&self) -> Result<RegisterFacets> {
        let list = |sql: &str| -> Result<Vec<String>> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let mut stmt = self.conn.prepare_cached("SELECT DISTINCT academic_year FROM register_entries ORDER BY 1 DESC")?;
        let years = stmt.query_map([], |r| r.get::<_, u16>(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(RegisterFacets {
            entries: self.conn.query_row("SELECT count(*) FROM register_entries", [], |r| r.get(0))?,
            phases: list("SELECT DISTINCT phase FROM register_entries WHERE phase <> '' ORDER BY 1")?,
            regions: list("SELECT DISTINCT region FROM register_entries WHERE region <> '' ORDER BY 1")?,
            years,
            themes: qar_core::register::themes().to_vec(),
        })
    }
}
