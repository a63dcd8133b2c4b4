//! Kept conflicts: two values of one field written concurrently (or an edit that arrived after
//! the record was deleted). The server keeps both and sends the other value down as a conflict
//! record; a person chooses, and the choice is itself an op (architecture.md §4).

use super::columns::{self, table};
use super::evidence::parse_id;
use super::Store;
use crate::error::{ClientError, Result};
use crate::model::{Conflict, ConflictChoice};
use chrono::{DateTime, Utc};
use qar_core::permissions::Action;
use qar_core::{EntityKind, Hlc, ValidationError};
use rusqlite::OptionalExtension;
use serde_json::{json, Value};

/// One conflict row as stored.
struct Kept {
    id: String,
    review_id: String,
    entity: EntityKind,
    record_id: String,
    field: String,
    other: Value,
    kind: String,
    recorded_ms: i64,
}

const KEPT_SQL: &str = "SELECT id, review_id, entity, record_id, field, value, kind, recorded_ms FROM conflicts
     WHERE resolved = 0 AND deleted = 0 AND record_id <> ''";

fn kept(r: &rusqlite::Row) -> rusqlite::Result<Option<Kept>> {
    let entity: String = r.get(2)?;
    let Ok(entity) = EntityKind::parse(&entity) else { return Ok(None) };
    let raw: Option<String> = r.get(5)?;
    Ok(Some(Kept {
        id: r.get(0)?,
        review_id: r.get(1)?,
        entity,
        record_id: r.get(3)?,
        field: r.get(4)?,
        other: raw.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or(Value::Null),
        kind: r.get(6)?,
        recorded_ms: r.get(7)?,
    }))
}

impl Store {
    /// Open conflicts of one review, or of every review (`None`), oldest first.
    pub fn list_conflicts(&self, review_id: Option<&str>) -> Result<Vec<Conflict>> {
        let sql = format!("{KEPT_SQL} AND (?1 IS NULL OR review_id = ?1) ORDER BY recorded_ms, id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows: Vec<Option<Kept>> = stmt.query_map([review_id], kept)?.collect::<rusqlite::Result<_>>()?;
        let my_node = Hlc::node_of(&self.device_id);
        let mut out = Vec::new();
        for k in rows.into_iter().flatten() {
            let Ok(spec) = k.entity.field(&k.field) else { continue };
            let (current, version) = self.current_value(k.entity, &k.record_id, spec.name)?;
            out.push(Conflict {
                record_label: self.record_label(k.entity, &k.record_id)?,
                field_label: spec.label.to_owned(),
                current_value: current,
                current_is_mine: version.is_some_and(|v| v.node == my_node),
                other_value: k.other,
                id: k.id,
                review_id: k.review_id,
                entity: k.entity.code().to_owned(),
                record_id: k.record_id,
                field: k.field,
                kind: k.kind,
                recorded_at: DateTime::<Utc>::from_timestamp_millis(k.recorded_ms).unwrap_or_default().to_rfc3339(),
            });
        }
        Ok(out)
    }

    pub fn open_conflict_count(&self) -> Result<u32> {
        Ok(self.conn.query_row("SELECT count(*) FROM conflicts WHERE resolved = 0 AND deleted = 0", [], |r| r.get(0))?)
    }

    /// Resolves a conflict: keep the current value, take the other one, or write a merged value.
    /// Taking a value writes it to the record as an ordinary edit (so it syncs and can itself
    /// meet a later edit), then marks the conflict resolved; both need the right to edit that
    /// record. For an edit that arrived after a delete, taking it restores the record.
    pub fn resolve_conflict(&mut self, conflict_id: &str, choice: ConflictChoice, merged: Option<Value>, now_ms: u64) -> Result<()> {
        let sql = format!("{KEPT_SQL} AND id = ?1");
        let found = self.conn.prepare_cached(&sql)?.query_row([conflict_id], kept).optional()?.flatten();
        let k = found.ok_or_else(|| ClientError::NotFound { what: "That conflict (it may be resolved already)".into() })?;
        let review = parse_id("Review", &k.review_id)?;
        let record = parse_id("Record", &k.record_id)?;
        self.check_record_edit(&k)?;
        let value = match choice {
            ConflictChoice::KeepCurrent => None,
            ConflictChoice::KeepOther => Some(k.other.clone()),
            ConflictChoice::Merged => Some(merged.ok_or(ValidationError::Empty { field: "Merged text" })?),
        };
        if let Some(value) = value {
            let mut fields = vec![(k.field.as_str(), value)];
            if k.kind == "after_delete" {
                fields.push(("deleted", json!(false)));
            }
            self.write_record(k.entity, record, review, &fields, "resolve_conflict", now_ms)?;
        }
        let id = parse_id("Conflict", &k.id)?;
        self.write_record(EntityKind::Conflict, id, review, &[("resolved", json!(true))], "resolve_conflict", now_ms)
    }

    /// Whoever may edit the conflicted record may resolve its conflict (the Lead Reviewer for
    /// estimates and the report, the author for a note).
    fn check_record_edit(&self, k: &Kept) -> Result<()> {
        let info = self.review_info(&k.review_id)?;
        match k.entity {
            EntityKind::Evidence => {
                let author: String = self
                    .conn
                    .prepare_cached("SELECT author_id FROM evidence WHERE id = ?1")?
                    .query_row([&k.record_id], |r| r.get(0))
                    .optional()?
                    .unwrap_or_default();
                let own = self.is_own(&author)?;
                self.check(&info, Action::edit_evidence(own), own)?;
            }
            EntityKind::Estimate => {
                self.check(&info, Action::SetEstimate, false)?;
            }
            EntityKind::ReportSection => {
                self.check(&info, Action::EditReport, false)?;
            }
            _ => {
                self.check(&info, Action::ResolveConflict, false)?;
            }
        }
        Ok(())
    }

    /// A field's current value (as JSON of its type) and version.
    fn current_value(&self, entity: EntityKind, id: &str, field: &'static str) -> Result<(Value, Option<Hlc>)> {
        let sql = format!("SELECT {field}, versions FROM {} WHERE id = ?1", table(entity));
        let row: Option<(rusqlite::types::Value, String)> =
            self.conn.prepare_cached(&sql)?.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        let Some((raw, versions)) = row else { return Ok((Value::Null, None)) };
        let versions: columns::Versions = serde_json::from_str(&versions).unwrap_or_default();
        let ty = entity.field(field)?.ty;
        Ok((columns::from_sql(ty, raw), versions.get(field).copied()))
    }

    /// What a person calls the record: "Learning walk, 2026-11-24 11:00", an area, a section.
    fn record_label(&self, entity: EntityKind, id: &str) -> Result<String> {
        let label = match entity {
            EntityKind::Evidence => {
                let row: Option<(String, Option<String>)> = self
                    .conn
                    .prepare_cached("SELECT activity_type, started_at FROM evidence WHERE id = ?1")?
                    .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                row.map(|(a, t)| {
                    let activity = qar_core::ActivityType::parse(&a).map_or(a.clone(), |x| x.label().to_owned());
                    match t {
                        Some(t) => format!("{activity}, {}", t.replace('T', " ")),
                        None => activity,
                    }
                })
            }
            EntityKind::Estimate => {
                self.area_label_of("SELECT area_code FROM estimates WHERE id = ?1", id)?.map(|a| format!("Estimate: {a}"))
            }
            EntityKind::ReportSection => {
                let code: Option<String> = self
                    .conn
                    .prepare_cached("SELECT section_code FROM report_sections WHERE id = ?1")?
                    .query_row([id], |r| r.get(0))
                    .optional()?;
                code.map(|c| {
                    let spec = qar_core::report_template::template_for(qar_core::CURRENT_FRAMEWORK)
                        .ok()
                        .and_then(|t| t.sections.iter().find(|s| s.code == c).cloned());
                    spec.map_or(c, |s| match s.area_code.as_deref().and_then(area_label) {
                        Some(area) => format!("{} ({area})", s.title),
                        None => s.title,
                    })
                })
            }
            EntityKind::Review => {
                self.conn.prepare_cached("SELECT school_name FROM reviews WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?
            }
            EntityKind::PlanActivity => {
                let row: Option<(String, Option<String>)> = self
                    .conn
                    .prepare_cached("SELECT activity_type, starts_at FROM plan_activities WHERE id = ?1")?
                    .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                row.map(|(a, t)| {
                    let activity = qar_core::ActivityType::parse(&a).map_or(a.clone(), |x| x.label().to_owned());
                    format!("Planned: {activity}{}", t.map(|t| format!(", {}", t.replace('T', " "))).unwrap_or_default())
                })
            }
            EntityKind::Attachment => {
                let row: Option<(String, String)> = self
                    .conn
                    .prepare_cached("SELECT kind, caption FROM attachments WHERE id = ?1")?
                    .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                row.map(|(kind, caption)| {
                    let kind = qar_core::attachment::AttachmentKind::parse(&kind).map_or("Attachment", |k| k.label());
                    if caption.is_empty() {
                        format!("Attachment: {kind}")
                    } else {
                        format!("Attachment: {kind}, {caption}")
                    }
                })
            }
            // Server-written, so never in conflict; named plainly should one ever be.
            EntityKind::PreviousReview => Some("The last review".to_owned()),
            EntityKind::SchoolStatement => Some("The school's statement".to_owned()),
            EntityKind::Comment | EntityKind::Conflict => None,
        };
        Ok(label.unwrap_or_else(|| entity.code().replace('_', " ")))
    }

    fn area_label_of(&self, sql: &str, id: &str) -> Result<Option<String>> {
        let code: Option<String> = self.conn.prepare_cached(sql)?.query_row([id], |r| r.get(0)).optional()?;
        Ok(code.map(|c| area_label(&c).unwrap_or(c)))
    }
}

fn area_label(code: &str) -> Option<String> {
    qar_core::framework::FRAMEWORKS.iter().find_map(|f| f.area(code).ok()).map(|a| a.label.to_owned())
}
