//! Evidence notes of a review: capture, field edits, tombstones, search.

use super::{meta, Store};
use crate::error::{ClientError, Result};
use crate::model::{Evidence, EvidenceQuery, NewEvidence};
use chrono::{DateTime, Utc};
use qar_core::permissions::Action;
use qar_core::subject::normalise_subject;
use qar_core::year_group::normalise_year_group;
use qar_core::{EntityKind, ValidationError};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, OptionalExtension, Row};
use serde_json::{json, Value};
use uuid::Uuid;

const COLUMNS: &str = "e.id, e.review_id, e.author_id, e.activity_type, e.started_at, e.year_group, e.subject, \
     e.host_colleague_role, e.area_tags, e.notes, e.strengths, e.development_points, e.updated_at_ms";

/// Most notes one *text* search returns: the best matches first, a screenful or two, which
/// keeps search time flat. Lists and filters without words return every note.
pub const SEARCH_LIMIT: i64 = 100;
/// Relevance is computed over at most this many of the newest matches. A real review has a few
/// hundred notes, so its ranking is exact; a corpus larger than this ranks its newest part,
/// which keeps a search at a few milliseconds (ranking every match of a common word cost ~35 ms
/// over 10,000 notes).
const RANKED_WINDOW: i64 = 1000;

fn evidence(r: &Row) -> rusqlite::Result<Evidence> {
    let tags: String = r.get(8)?;
    let ms: i64 = r.get(12)?;
    Ok(Evidence {
        id: r.get(0)?,
        review_id: r.get(1)?,
        author_id: r.get(2)?,
        activity_type: r.get(3)?,
        started_at: r.get(4)?,
        year_group: r.get(5)?,
        subject: r.get(6)?,
        host_colleague_role: r.get(7)?,
        area_tags: serde_json::from_str(&tags).unwrap_or_default(),
        notes: r.get(9)?,
        strengths: r.get(10)?,
        development_points: r.get(11)?,
        updated_at: DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339(),
    })
}

pub(super) fn parse_id(what: &str, raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| ClientError::NotFound { what: format!("{what} '{raw}'") })
}

/// The user's words as an FTS5 query over the written text of one review: every word must
/// occur, as a word or a word's start. Quoting each word means nothing the user types is read
/// as FTS syntax.
fn fts_query(text: &str, review_id: &str) -> Option<String> {
    let words: Vec<String> =
        text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).take(16).map(|w| format!("\"{w}\"*")).collect();
    let review_key: String = review_id.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (!words.is_empty()).then(|| format!("r{review_key} AND ({})", words.join(" ")))
}

impl Store {
    pub fn add_evidence(&mut self, new: &NewEvidence, now_ms: u64) -> Result<Evidence> {
        let review_id = parse_id("Review", &new.review_id)?;
        let info = self.review_info(&new.review_id)?;
        self.check(&info, Action::CreateEvidence, true)?;
        let id = Uuid::now_v7();
        let mut fields = vec![("activity_type", json!(new.activity_type)), ("notes", json!(new.notes))];
        let author = meta::get(&self.conn, "user_id")?.unwrap_or_default();
        // Schema 2: a year group is written one way ("Year 4" → "Y4"), see qar_core::year_group;
        // schema 3: a subject too ("maths" → "Maths"), see qar_core::subject.
        let year_group = normalise_year_group(&new.year_group);
        let subject = normalise_subject(&new.subject);
        let texts = [
            ("author_id", author.as_str()),
            ("year_group", year_group.as_str()),
            ("subject", subject.as_str()),
            ("host_colleague_role", new.host_colleague_role.trim()),
            ("strengths", new.strengths.as_str()),
            ("development_points", new.development_points.as_str()),
        ];
        fields.extend(texts.into_iter().filter(|(_, v)| !v.is_empty()).map(|(f, v)| (f, json!(v))));
        if let Some(t) = new.started_at.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            fields.push(("started_at", json!(t)));
        }
        if !new.area_tags.is_empty() {
            fields.push(("area_tags", json!(new.area_tags)));
        }
        self.write_record(EntityKind::Evidence, id, review_id, &fields, "create", now_ms)?;
        self.evidence(&id.to_string())
    }

    /// Changes one field of one note (autosave): one op, so concurrent edits of other fields merge.
    pub fn update_evidence_field(&mut self, id: &str, field: &str, value: Value, now_ms: u64) -> Result<Evidence> {
        let current = self.evidence(id)?;
        let spec = EntityKind::Evidence.field(field)?;
        if matches!(spec.name, "deleted" | "author_id") {
            return Err(ValidationError::UnknownField { entity: "evidence note edit", field: field.into() }.into());
        }
        let own = self.is_own(&current.author_id)?;
        self.check(&self.review_info(&current.review_id)?, Action::edit_evidence(own), own)?;
        let review_id = parse_id("Review", &current.review_id)?;
        let value = match (spec.name, value) {
            ("year_group", Value::String(typed)) => Value::String(normalise_year_group(&typed)),
            ("subject", Value::String(typed)) => Value::String(normalise_subject(&typed)),
            (_, value) => value,
        };
        self.write_record(EntityKind::Evidence, parse_id("Evidence", id)?, review_id, &[(spec.name, value)], "edit", now_ms)?;
        self.evidence(id)
    }

    /// Deletes a note as a tombstone: it disappears here and, after sync, everywhere, but the
    /// deletion is an op like any other edit and the row stays for the record.
    pub fn delete_evidence(&mut self, id: &str, now_ms: u64) -> Result<()> {
        let current = self.evidence(id)?;
        let own = self.is_own(&current.author_id)?;
        self.check(&self.review_info(&current.review_id)?, Action::DeleteOwnEvidence, own)?;
        let review_id = parse_id("Review", &current.review_id)?;
        self.write_record(EntityKind::Evidence, parse_id("Evidence", id)?, review_id, &[("deleted", json!(true))], "delete", now_ms)
    }

    /// Notes of one review, newest first.
    pub fn list_evidence(&self, review_id: &str) -> Result<Vec<Evidence>> {
        self.search_evidence(review_id, &EvidenceQuery::default())
    }

    /// Full-text search plus filters within one review; best matches first when searching
    /// words, otherwise newest first.
    /// Notes whose attachments' captions hold every word come after the text matches (the
    /// captions are not in the full-text index: a caption is a line, matched as typed).
    pub fn search_evidence(&self, review_id: &str, q: &EvidenceQuery) -> Result<Vec<Evidence>> {
        let mut found = self.search_evidence_text(review_id, q)?;
        let captioned = self.notes_with_caption(review_id, &q.text)?;
        if captioned.is_empty() || found.len() >= SEARCH_LIMIT as usize {
            return Ok(found);
        }
        let seen: std::collections::BTreeSet<String> = found.iter().map(|e| e.id.clone()).collect();
        let unworded = EvidenceQuery { text: String::new(), ..q.clone() };
        let extra =
            self.search_evidence_text(review_id, &unworded)?.into_iter().filter(|e| captioned.contains(&e.id) && !seen.contains(&e.id));
        found.extend(extra);
        found.truncate(SEARCH_LIMIT as usize);
        Ok(found)
    }

    fn search_evidence_text(&self, review_id: &str, q: &EvidenceQuery) -> Result<Vec<Evidence>> {
        self.review_info(review_id)?; // exists and is not deleted: a primary-key lookup
        let filtered = [&q.area, &q.activity_type, &q.author_id, &q.day].iter().any(|f| f.as_deref().is_some_and(|v| !v.trim().is_empty()));
        let mut args: Vec<SqlValue> = Vec::new();
        let fts = fts_query(&q.text, review_id);
        if fts.is_some() {
            // Notes from a recent bulk pull may still wait for the background indexer.
            self.catch_up_search_index()?;
        }
        let mut sql = match &fts {
            Some(query) => {
                args.push(SqlValue::Text(query.clone()));
                args.push(SqlValue::Text(review_id.to_owned()));
                // CROSS JOIN fixes the order: the FTS hits drive, each looked up by rowid (left to
                // itself the planner scans the review's rows by index, reading every note).
                // Text only: FTS walks matches newest first and stops at the window. With filters
                // too, every match goes through the filters so none of the filtered ones is lost.
                let window = if filtered { String::new() } else { format!(" ORDER BY rowid DESC LIMIT {RANKED_WINDOW}") };
                format!(
                    "SELECT {COLUMNS} FROM (SELECT rowid AS hit, bm25(evidence_fts) AS score FROM evidence_fts
                       WHERE evidence_fts MATCH ?{window}) h
                     CROSS JOIN evidence e ON e.rowid = h.hit WHERE e.review_id = ? AND e.deleted = 0"
                )
            }
            None => {
                args.push(SqlValue::Text(review_id.to_owned()));
                format!("SELECT {COLUMNS} FROM evidence e WHERE e.review_id = ? AND e.deleted = 0")
            }
        };
        let mut filter = |clause: &str, value: &Option<String>| {
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                sql.push_str(clause);
                args.push(SqlValue::Text(v.to_owned()));
            }
        };
        filter(" AND e.activity_type = ?", &q.activity_type);
        filter(" AND e.author_id = ?", &q.author_id);
        filter(" AND EXISTS (SELECT 1 FROM json_each(e.area_tags) WHERE value = ?)", &q.area);
        filter(" AND coalesce(substr(e.started_at, 1, 10), date(e.created_at_ms / 1000, 'unixepoch', 'localtime')) = ?", &q.day);
        if fts.is_some() {
            sql.push_str(&format!(" ORDER BY h.score, e.created_at_ms DESC LIMIT {SEARCH_LIMIT}"));
        } else {
            sql.push_str(" ORDER BY e.created_at_ms DESC, e.id DESC");
        }
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), evidence)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn evidence(&self, id: &str) -> Result<Evidence> {
        let sql = format!("SELECT {COLUMNS} FROM evidence e WHERE e.id = ?1 AND e.deleted = 0");
        self.conn
            .prepare_cached(&sql)?
            .query_row([id], evidence)
            .optional()?
            .ok_or_else(|| ClientError::NotFound { what: format!("Evidence '{id}'") })
    }

    /// Who is signed in on this laptop; new notes carry this as their author.
    pub fn set_current_user(&self, user_id: &str) -> Result<()> {
        meta::set(&self.conn, "user_id", user_id)
    }
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn user_text_never_becomes_fts_syntax() {
        let r = "0190f0f0-0000-7000-8000-000000000001";
        let scope = "r0190f0f0000070008000000000000001 AND ";
        assert_eq!(fts_query("  ", r), None);
        assert_eq!(fts_query("phonics Y2", r), Some(format!("{scope}(\"phonics\"* \"Y2\"*)")));
        assert_eq!(fts_query("\"NEAR(a b)\" OR -x*", r), Some(format!("{scope}(\"NEAR\"* \"a\"* \"b\"* \"OR\"* \"x\"*)")));
    }
}
