//! The register of Areas of Excellence (issue 23, decision 65). An entry is drafted inside the
//! transaction that issues a report; it is published only while the host head teacher's consent
//! is recorded (by the school's hub coordinator or an administrator, revocable, audited). Every
//! signed-in member searches the published entries; laptops keep a copy through
//! [`ServerStore::register_changes`], which also tells them what is no longer published.

use super::hub_admin::{audit, refused};
use super::mail_outbox::{queue, recipients, Recipient, ACTIVE};
use super::records::{self, text, Doc};
use super::{ServerStore, StoreError};
use crate::auth::AuthDevice;
use crate::mail::Template;
use crate::store::db::{params, Connection, OptionalExtension, Row};
pub use qar_core::protocol::register::{
    ConsentChange, RegisterChanges, RegisterDescription, RegisterEntry, RegisterRecord, VisitRequest, VisitRequestBody,
};
use qar_core::register::{self as rules, MAX_PAGE};
use qar_core::ErrorCode;
use serde_json::json;
use uuid::Uuid;

/// The report section an entry is drafted from.
pub const AOE_SECTION: &str = "area_of_excellence";

/// A search of the published register: every filter optional, all of them together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterQuery {
    /// Words, each matched as a word prefix in title, summary, school and local authority.
    pub text: String,
    pub phase: Option<String>,
    pub region: Option<String>,
    pub theme: Option<String>,
    pub disadvantaged_focus: Option<bool>,
    pub academic_year: Option<u16>,
    pub limit: u32,
}

const ENTRY_COLUMNS: &str = "e.review_id, e.urn, e.school_name, e.phase, e.region, e.la_name, e.title, e.summary, e.areas, e.themes,
     e.disadvantaged_focus, e.academic_year, e.issued_ms";

fn codes(text: String) -> crate::store::db::Result<Vec<String>> {
    serde_json::from_str(&text).map_err(|e| crate::store::db::Error::FromSqlConversionFailure(0, crate::store::db::Type::Text, Box::new(e)))
}

fn row_entry(r: &Row) -> crate::store::db::Result<RegisterEntry> {
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

fn row_record(r: &Row) -> crate::store::db::Result<RegisterRecord> {
    Ok(RegisterRecord {
        entry: row_entry(r)?,
        consented: r.get::<_, i64>(13)? == 1,
        head_name: r.get(14)?,
        consent_changed_ms: r.get::<_, Option<i64>>(15)?.map(|v| v as u64),
    })
}

const RECORD_COLUMNS: &str = "e.consented, e.head_name, e.consent_changed_ms";

fn next_seq(tx: &Connection) -> crate::store::db::Result<i64> {
    tx.query_row("SELECT coalesce(max(seq), 0) + 1 FROM register_entries", [], |r| r.get(0))
}

/// The newest place in the laptops' copy's feed (0 when the register is empty): sent on every
/// pull page so a laptop already there does not ask (issue 25). `seq` is UNIQUE, so both
/// databases answer from the index's last entry instead of reading the table.
pub(super) fn head(conn: &Connection) -> crate::store::db::Result<u64> {
    conn.query_row("SELECT coalesce(max(seq), 0) FROM register_entries", [], |r| r.get::<_, i64>(0)).map(|v| v as u64)
}

/// Puts the entry's searchable text into the index again (its rowid is the entry's). On
/// PostgreSQL the entry's `search` column is generated from its text: nothing to do.
fn reindex(tx: &Connection, review_id: &str) -> crate::store::db::Result<()> {
    if tx.backend() == crate::store::db::Backend::Postgres {
        return Ok(());
    }
    let rowid: i64 = tx.query_row("SELECT rowid FROM register_entries WHERE review_id = ?1", [review_id], |r| r.get(0))?;
    tx.execute("DELETE FROM register_fts WHERE rowid = ?1", [rowid])?;
    tx.execute(
        "INSERT INTO register_fts(rowid, title, summary, school_name, la_name)
         SELECT rowid, title, summary, school_name, la_name FROM register_entries WHERE rowid = ?1",
        [rowid],
    )?;
    Ok(())
}

/// Drafts (or, for a corrected version, drafts again) the review's entry from the report being
/// issued, inside the issuing transaction. A report without Area of Excellence text has no
/// entry. A correction changes the text the head consented to, so it withdraws publication until
/// consent is recorded again; the coordinator's areas and themes stay.
pub(super) fn draft_on_issue(tx: &Connection, review_id: &str, review: &Doc, issued_ms: u64) -> Result<(), StoreError> {
    let section_id =
        qar_core::report_template::section_id(Uuid::parse_str(review_id).map_err(|e| StoreError::Invalid(e.to_string()))?, AOE_SECTION);
    let body = match records::load(tx, qar_core::EntityKind::ReportSection, &section_id.to_string())? {
        Some(s) if records::tombstone(&s.doc).is_none() => text(&s.doc, "body").trim().to_owned(),
        _ => String::new(),
    };
    if body.is_empty() {
        return Ok(());
    }
    let (title, summary) = rules::title_and_summary(&body);
    let urn = text(review, "school_urn");
    let school: Option<(String, String, String)> = tx
        .query_row("SELECT phase, region, la_name FROM schools WHERE urn = ?1", [urn], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let (phase, region, la_name) = school.unwrap_or_default();
    let hub: Option<String> = tx.query_row("SELECT hub_id FROM review_hub WHERE review_id = ?1", [review_id], |r| r.get(0)).optional()?;
    let year = rules::academic_year(text(review, "start_date")).unwrap_or_else(|| academic_year_of_ms(issued_ms));
    let framework = match text(review, "framework_version") {
        "" => qar_core::CURRENT_FRAMEWORK,
        v => v,
    };
    let seq = next_seq(tx)?;
    tx.execute(
        "INSERT INTO register_entries(review_id, urn, school_name, hub_id, phase, region, la_name, framework_version, title, summary,
             academic_year, issued_ms, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT(review_id) DO UPDATE SET title = excluded.title, summary = excluded.summary, issued_ms = excluded.issued_ms,
             consented = 0, seq = excluded.seq",
        params![
            review_id,
            urn,
            text(review, "school_name"),
            hub,
            phase,
            region,
            la_name,
            framework,
            title,
            summary,
            year,
            issued_ms as i64,
            seq
        ],
    )?;
    reindex(tx, review_id)?;
    Ok(())
}

fn academic_year_of_ms(ms: u64) -> u16 {
    rules::academic_year(&qar_core::calendar::utc_day(ms).format("%Y-%m-%d").to_string()).unwrap_or(rules::FIRST_YEAR)
}

/// Sets an entry's description and consent directly (the demo history), bumping its place.
pub(super) fn set_directly(
    tx: &Connection,
    review_id: &str,
    desc: &RegisterDescription,
    consent: Option<(&str, u64)>,
) -> crate::store::db::Result<()> {
    let seq = next_seq(tx)?;
    tx.execute(
        "UPDATE register_entries SET title = ?2, summary = ?3, areas = ?4, themes = ?5, disadvantaged_focus = ?6,
             consented = ?7, head_name = ?8, consent_changed_ms = ?9, seq = ?10 WHERE review_id = ?1",
        params![
            review_id,
            desc.title,
            desc.summary,
            json!(desc.areas).to_string(),
            json!(desc.themes).to_string(),
            desc.disadvantaged_focus as i64,
            consent.is_some() as i64,
            consent.map_or("", |c| c.0),
            consent.map(|c| c.1 as i64),
            seq
        ],
    )?;
    reindex(tx, review_id)
}

/// (hub, framework version) of an entry, or 404.
fn entry_hub(conn: &Connection, review_id: &str) -> Result<(Option<String>, String), StoreError> {
    conn.query_row("SELECT hub_id, framework_version FROM register_entries WHERE review_id = ?1", [review_id], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .optional()?
    .ok_or_else(|| unknown_entry(review_id))
}

fn unknown_entry(review_id: &str) -> StoreError {
    refused(ErrorCode::NotFound, format!("There is no register entry for review {review_id}."))
}

/// Only the coordinator of the school's hub, or an administrator, curates an entry.
fn require_curator(caller: &AuthDevice, hub: Option<&str>) -> Result<(), StoreError> {
    if caller.is_admin() || hub.is_some_and(|h| caller.coordinates(h)) {
        return Ok(());
    }
    Err(refused(
        ErrorCode::NotYourHub,
        "Only the coordinator of the school's hub or an administrator can describe this entry or record the head teacher's consent.",
    ))
}

/// Whose consent a change records, once the caller may record it. The school's headteacher
/// records their own, under their account's name; a curator records the head's word, under the
/// name they give. Anyone else is refused before anything is written (default deny).
fn consenting_head(
    tx: &Connection,
    caller: &AuthDevice,
    hub: Option<&str>,
    review_id: &str,
    given_name: &str,
) -> Result<String, StoreError> {
    if caller.is_admin() || hub.is_some_and(|h| caller.coordinates(h)) {
        qar_core::entities::check_name("The head teacher's name", given_name, rules::MAX_HEAD_NAME_CHARS, true).map_err(invalid)?;
        return Ok(given_name.trim().to_owned());
    }
    let urn: String = tx.query_row("SELECT urn FROM register_entries WHERE review_id = ?1", [review_id], |r| r.get(0))?;
    if super::school_heads::heads(tx, &caller.user_id, &urn)? {
        let own: String = tx.query_row("SELECT name FROM users WHERE id = ?1", [&caller.user_id], |r| r.get(0))?;
        return Ok(own);
    }
    Err(refused(
        ErrorCode::NotYourHub,
        "Only the school's headteacher, the coordinator of the school's hub or an administrator can record consent to publish this entry.",
    ))
}

fn invalid(e: impl std::fmt::Display) -> StoreError {
    refused(ErrorCode::Invalid, e.to_string())
}

fn check_description(framework: &str, d: &RegisterDescription) -> Result<(), StoreError> {
    rules::check_text("Title", &d.title, rules::MAX_TITLE_CHARS, true).map_err(invalid)?;
    rules::check_text("Summary", &d.summary, rules::MAX_SUMMARY_CHARS, true).map_err(invalid)?;
    rules::check_themes(&d.themes).map_err(invalid)?;
    rules::check_areas(framework, &d.areas).map_err(invalid)
}

impl ServerStore {
    /// Describes an entry (title, summary, areas, themes, focus). Audited; laptops get the new
    /// text at their next sync when it is published.
    pub fn describe_register_entry(
        &self,
        caller: &AuthDevice,
        review_id: Uuid,
        desc: &RegisterDescription,
        now_ms: u64,
    ) -> Result<RegisterRecord, StoreError> {
        let rid = review_id.to_string();
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let (hub, framework) = entry_hub(&tx, &rid)?;
        require_curator(caller, hub.as_deref())?;
        check_description(&framework, desc)?;
        let seq = next_seq(&tx)?;
        tx.execute(
            "UPDATE register_entries SET title = ?2, summary = ?3, areas = ?4, themes = ?5, disadvantaged_focus = ?6, seq = ?7
             WHERE review_id = ?1",
            params![
                rid,
                desc.title.trim(),
                desc.summary.trim(),
                json!(desc.areas).to_string(),
                json!(desc.themes).to_string(),
                desc.disadvantaged_focus as i64,
                seq
            ],
        )?;
        reindex(&tx, &rid)?;
        audit(&tx, caller, "register_describe", &rid, json!({ "themes": desc.themes, "areas": desc.areas }), now_ms)?;
        let record = record_of(&tx, &rid)?;
        tx.commit()?;
        Ok(record)
    }

    /// Records or revokes the host head teacher's consent: the school's own headteacher (their
    /// name recorded, whatever the change says), or on their word the coordinator of the school's
    /// hub or an administrator (decision 105). Audited (whether given, never the name: the audit
    /// chain is never erased), with whoever recorded it as the actor. Revoking unpublishes at once.
    pub fn set_register_consent(
        &self,
        caller: &AuthDevice,
        review_id: Uuid,
        change: &ConsentChange,
        now_ms: u64,
    ) -> Result<RegisterRecord, StoreError> {
        let rid = review_id.to_string();
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let (hub, _) = entry_hub(&tx, &rid)?;
        let head_name = consenting_head(&tx, caller, hub.as_deref(), &rid, &change.head_name)?;
        let seq = next_seq(&tx)?;
        tx.execute(
            "UPDATE register_entries SET consented = ?2, head_name = ?3, consent_changed_ms = ?4, seq = ?5 WHERE review_id = ?1",
            params![rid, change.given as i64, head_name, now_ms as i64, seq],
        )?;
        audit(&tx, caller, "register_consent", &rid, json!({ "given": change.given }), now_ms)?;
        let record = record_of(&tx, &rid)?;
        tx.commit()?;
        Ok(record)
    }

    /// One entry with its consent, for its curators; others are told it does not exist
    /// unless it is published (then [`Self::search_register`] shows it anyway).
    pub fn register_record(&self, caller: &AuthDevice, review_id: Uuid) -> Result<RegisterRecord, StoreError> {
        let rid = review_id.to_string();
        let conn = self.reader();
        let (hub, _) = entry_hub(&conn, &rid)?;
        require_curator(caller, hub.as_deref())?;
        Ok(record_of(&conn, &rid)?)
    }

    /// Every entry of a hub's schools, published or not, newest first: the coordinator's list
    /// of consents to ask for.
    pub fn hub_register(&self, caller: &AuthDevice, hub_id: &str) -> Result<Vec<RegisterRecord>, StoreError> {
        if !(caller.is_admin() || caller.coordinates(hub_id)) {
            return Err(refused(ErrorCode::NotYourHub, "Only this hub's coordinator or an administrator can list its register entries."));
        }
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS}, {RECORD_COLUMNS} FROM register_entries e WHERE e.hub_id = ?1 ORDER BY e.issued_ms DESC, e.review_id"
        ))?;
        let rows = stmt.query_map([hub_id], row_record)?;
        Ok(rows.collect::<crate::store::db::Result<_>>()?)
    }

    /// The published entries matching every filter given, best text match first (newest first
    /// without text). Any signed-in member.
    pub fn search_register(&self, _caller: &AuthDevice, q: &RegisterQuery) -> Result<Vec<RegisterEntry>, StoreError> {
        let conn = self.reader();
        Ok(search(&conn, q)?)
    }

    /// A page of the laptops' copy after `after`: published entries, and the ids of entries
    /// that are not (revoked, or corrected and awaiting consent again). Any signed-in member.
    pub fn register_changes(&self, _caller: &AuthDevice, after: u64, limit: u32) -> Result<RegisterChanges, StoreError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS}, {RECORD_COLUMNS}, e.seq FROM register_entries e WHERE e.seq > ?1 ORDER BY e.seq LIMIT ?2"
        ))?;
        let mut rows = stmt.query(params![after as i64, limit as i64 + 1])?;
        let mut out = RegisterChanges { entries: Vec::new(), removed: Vec::new(), next: after, more: false };
        let mut n = 0;
        while let Some(r) = rows.next()? {
            if n == limit {
                out.more = true;
                break;
            }
            n += 1;
            let record = row_record(r)?;
            out.next = r.get::<_, i64>(16)? as u64;
            if record.consented {
                out.entries.push(record.entry);
            } else {
                out.removed.push(record.entry.review_id);
            }
        }
        Ok(out)
    }

    /// "Ask to visit": recorded for the school and mailed to its contacts (its people in the
    /// directory, its headteachers and its hub's coordinators), links only. A published entry only.
    pub fn ask_to_visit(
        &self,
        caller: &AuthDevice,
        review_id: Uuid,
        body: &VisitRequestBody,
        now_ms: u64,
    ) -> Result<VisitRequest, StoreError> {
        let rid = review_id.to_string();
        let message = body.message.trim();
        if body.message.chars().count() > rules::MAX_VISIT_MESSAGE_CHARS || message.is_empty() {
            return Err(invalid(format!("Say what you would like to see, in 1 to {} characters.", rules::MAX_VISIT_MESSAGE_CHARS)));
        }
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let entry: Option<(String, String, String, Option<String>)> = tx
            .query_row("SELECT urn, title, school_name, hub_id FROM register_entries WHERE review_id = ?1 AND consented = 1", [&rid], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let (urn, title, school_name, hub) = entry.ok_or_else(|| unknown_entry(&rid))?;
        let id = Uuid::now_v7().to_string();
        let requester_name = super::access::user_name(&tx, &caller.user_id)?;
        tx.execute(
            "INSERT INTO register_visit_requests(id, review_id, urn, requester, message, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, rid, urn, caller.user_id, message, now_ms as i64],
        )?;
        let mut to = school_contacts(&tx, &urn)?;
        if let Some(hub) = hub {
            to.extend(hub_coordinators(&tx, &hub)?);
        }
        to.sort_by(|a, b| a.email.cmp(&b.email));
        to.dedup_by(|a, b| a.email == b.email);
        let values = json!({ "school_name": school_name, "school_urn": urn, "entry_title": title, "requester_name": requester_name });
        queue(&tx, &format!("visit_request:{id}"), Template::VisitRequest, &to, &values, now_ms)?;
        tx.commit()?;
        Ok(VisitRequest { id, review_id: rid, urn, entry_title: title, requester_name, message: message.to_owned(), created_ms: now_ms })
    }

    /// The requests to visit a school, newest first: for its hub's coordinator, an
    /// administrator, the school's own people and its headteacher (`school_heads`, decision
    /// 74): the head is who answers them.
    pub fn school_visit_requests(&self, caller: &AuthDevice, urn: &str) -> Result<Vec<VisitRequest>, StoreError> {
        let conn = self.reader();
        let school: Option<(Option<String>,)> =
            conn.query_row("SELECT hub_id FROM schools WHERE urn = ?1", [urn], |r| Ok((r.get(0)?,))).optional()?;
        let (hub,) = school.ok_or_else(|| refused(ErrorCode::UnknownSchool, format!("No school with URN {urn} is in the register.")))?;
        let own: bool =
            conn.prepare_cached("SELECT 1 FROM users WHERE id = ?1 AND home_school_urn = ?2")?.exists(params![caller.user_id, urn])?;
        let head = super::school_heads::heads(&conn, &caller.user_id, urn)?;
        if !(own || head || caller.is_admin() || hub.as_deref().is_some_and(|h| caller.coordinates(h))) {
            return Err(refused(
                ErrorCode::NotYourHub,
                "Only the school's own people, its headteacher, its hub's coordinator or an administrator can see requests to visit it.",
            ));
        }
        let mut stmt = conn.prepare_cached(
            "SELECT v.id, v.review_id, v.urn, e.title, u.name, v.message, v.created_ms FROM register_visit_requests v
             JOIN register_entries e ON e.review_id = v.review_id JOIN users u ON u.id = v.requester
             WHERE v.urn = ?1 ORDER BY v.created_ms DESC, v.id",
        )?;
        let rows = stmt.query_map([urn], |r| {
            Ok(VisitRequest {
                id: r.get(0)?,
                review_id: r.get(1)?,
                urn: r.get(2)?,
                entry_title: r.get(3)?,
                requester_name: r.get(4)?,
                message: r.get(5)?,
                created_ms: r.get::<_, i64>(6)? as u64,
            })
        })?;
        Ok(rows.collect::<crate::store::db::Result<_>>()?)
    }

    /// Every entry of one school, published or not, with its consent, newest first: the list
    /// the school's headteacher gives or withdraws consent from (their own school only), also
    /// open to the coordinator of the school's hub and administrators.
    pub fn school_register_records(&self, caller: &AuthDevice, urn: &str) -> Result<Vec<RegisterRecord>, StoreError> {
        let conn = self.reader();
        let hub: Option<String> =
            conn.query_row("SELECT hub_id FROM schools WHERE urn = ?1", [urn], |r| r.get::<_, Option<String>>(0)).optional()?.flatten();
        let allowed = caller.is_admin()
            || hub.as_deref().is_some_and(|h| caller.coordinates(h))
            || super::school_heads::heads(&conn, &caller.user_id, urn)?;
        if !allowed {
            return Err(refused(
                ErrorCode::NotYourRole,
                "Only the school's headteacher, the coordinator of its hub or an administrator can see its register entries awaiting consent.",
            ));
        }
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS}, {RECORD_COLUMNS} FROM register_entries e WHERE e.urn = ?1 ORDER BY e.issued_ms DESC, e.review_id"
        ))?;
        let rows = stmt.query_map([urn], row_record)?;
        Ok(rows.collect::<crate::store::db::Result<_>>()?)
    }

    /// The published entries of one school, newest first (the school's page).
    pub fn school_register(&self, _caller: &AuthDevice, urn: &str) -> Result<Vec<RegisterEntry>, StoreError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM register_entries e WHERE e.urn = ?1 AND e.consented = 1 ORDER BY e.issued_ms DESC"
        ))?;
        let rows = stmt.query_map([urn], row_entry)?;
        Ok(rows.collect::<crate::store::db::Result<_>>()?)
    }
}

fn record_of(conn: &Connection, rid: &str) -> crate::store::db::Result<RegisterRecord> {
    conn.query_row(&format!("SELECT {ENTRY_COLUMNS}, {RECORD_COLUMNS} FROM register_entries e WHERE e.review_id = ?1"), [rid], row_record)
}

/// The school's people: those whose home school it is and its invited headteachers
/// (`school_heads`, decision 74), who answer requests to visit.
fn school_contacts(tx: &Connection, urn: &str) -> crate::store::db::Result<Vec<Recipient>> {
    let sql = format!(
        "SELECT u.name, u.email FROM users u
         WHERE (u.home_school_urn = ?1 OR u.id IN (SELECT h.user_id FROM school_heads h WHERE h.urn = ?1)) AND {ACTIVE} ORDER BY u.email"
    );
    recipients(tx, &sql, urn)
}

fn hub_coordinators(tx: &Connection, hub: &str) -> crate::store::db::Result<Vec<Recipient>> {
    let sql = format!(
        "SELECT DISTINCT u.name, u.email FROM user_roles r JOIN users u ON u.id = r.user_id
         WHERE r.role = 'hub_coordinator' AND r.hub_id = ?1 AND {ACTIVE} ORDER BY u.email"
    );
    recipients(tx, &sql, hub)
}

/// Words of a search as an FTS5 query: each word a quoted prefix, all required; quotes and
/// operators in what was typed lose their meaning.
pub fn fts_query(text: &str) -> String {
    search_words(text).map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" ")
}

/// The same as a PostgreSQL text query: each word a prefix (`word:*`), all required. The words
/// are letters and digits only, so nothing typed is read as an operator.
fn ts_query(text: &str) -> String {
    search_words(text).map(|w| format!("{}:*", w.to_lowercase())).collect::<Vec<_>>().join(" & ")
}

fn search_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

fn search(conn: &Connection, q: &RegisterQuery) -> crate::store::db::Result<Vec<RegisterEntry>> {
    let postgres = conn.backend() == crate::store::db::Backend::Postgres;
    let text = if postgres { ts_query(&q.text) } else { fts_query(&q.text) };
    let mut sql = format!("SELECT {ENTRY_COLUMNS} FROM register_entries e");
    let mut args: Vec<crate::store::db::Value> = Vec::new();
    if !text.is_empty() && !postgres {
        sql.push_str(" JOIN register_fts f ON f.rowid = e.rowid AND register_fts MATCH ?");
        args.push(text.clone().into());
    }
    sql.push_str(" WHERE e.consented = 1");
    if !text.is_empty() && postgres {
        sql.push_str(" AND e.search @@ to_tsquery('simple', ?)");
        args.push(text.clone().into());
    }
    let mut filter = |clause: &str, v: crate::store::db::Value| {
        sql.push_str(clause);
        args.push(v);
    };
    if let Some(p) = &q.phase {
        filter(" AND e.phase = ?", p.clone().into());
    }
    if let Some(r) = &q.region {
        filter(" AND e.region = ?", r.clone().into());
    }
    if let Some(t) = &q.theme {
        filter(" AND EXISTS (SELECT 1 FROM json_each(e.themes) WHERE value = ?)", t.clone().into());
    }
    if let Some(d) = q.disadvantaged_focus {
        filter(" AND e.disadvantaged_focus = ?", (d as i64).into());
    }
    if let Some(y) = q.academic_year {
        filter(" AND e.academic_year = ?", (y as i64).into());
    }
    if text.is_empty() {
        sql.push_str(" ORDER BY e.issued_ms DESC, e.review_id");
    } else if postgres {
        sql.push_str(" ORDER BY ts_rank(e.search, to_tsquery('simple', ?)) DESC, e.issued_ms DESC");
        args.push(text.clone().into());
    } else {
        sql.push_str(" ORDER BY f.rank, e.issued_ms DESC");
    }
    sql.push_str(" LIMIT ?");
    args.push((q.limit.clamp(1, MAX_PAGE) as i64).into());
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(crate::store::db::params_from_iter(args), row_entry)?;
    rows.collect()
}
