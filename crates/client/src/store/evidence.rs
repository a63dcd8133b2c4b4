//! Evidence notes of a review.

use super::Store;
use crate::error::{ClientError, Result};
use crate::model::{Evidence, NewEvidence};
use chrono::{DateTime, Utc};
use qar_core::{EntityKind, ValidationError};
use rusqlite::{OptionalExtension, Row};
use serde_json::{json, Value};
use uuid::Uuid;

const SELECT_SQL: &str = "SELECT id, review_id, activity_type, started_at, notes, updated_at_ms FROM evidence";

fn evidence(r: &Row) -> rusqlite::Result<Evidence> {
    let ms: i64 = r.get(5)?;
    Ok(Evidence {
        id: r.get(0)?,
        review_id: r.get(1)?,
        activity_type: r.get(2)?,
        started_at: r.get(3)?,
        notes: r.get(4)?,
        updated_at: DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339(),
    })
}

fn parse_id(what: &str, raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| ClientError::NotFound { what: format!("{what} '{raw}'") })
}

impl Store {
    pub fn add_evidence(&mut self, new: &NewEvidence, now_ms: u64) -> Result<Evidence> {
        let review_id = parse_id("Review", &new.review_id)?;
        let id = Uuid::now_v7();
        let started_at = match new.started_at.as_deref().map(str::trim) {
            None | Some("") => Value::Null,
            Some(t) => json!(t),
        };
        let fields = [
            ("activity_type", json!(new.activity_type)),
            ("started_at", started_at),
            ("notes", json!(new.notes)),
        ];
        self.write_record(EntityKind::Evidence, id, review_id, &fields, "create", now_ms)?;
        self.evidence(&id.to_string())
    }

    /// Changes one field of one note (autosave): one op, so concurrent edits of other fields merge.
    pub fn update_evidence_field(&mut self, id: &str, field: &str, value: Value, now_ms: u64) -> Result<Evidence> {
        let current = self.evidence(id)?;
        let spec = EntityKind::Evidence.field(field)?;
        if spec.name == "deleted" {
            return Err(ValidationError::UnknownField { entity: "evidence note edit", field: field.into() }.into());
        }
        let review_id = parse_id("Review", &current.review_id)?;
        self.write_record(EntityKind::Evidence, parse_id("Evidence", id)?, review_id, &[(spec.name, value)], "edit", now_ms)?;
        self.evidence(id)
    }

    /// Notes of one review, newest first.
    pub fn list_evidence(&self, review_id: &str) -> Result<Vec<Evidence>> {
        self.review(review_id)?;
        let sql = format!("{SELECT_SQL} WHERE review_id = ?1 AND deleted = 0 ORDER BY created_at_ms DESC, id DESC");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([review_id], evidence)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn evidence(&self, id: &str) -> Result<Evidence> {
        let sql = format!("{SELECT_SQL} WHERE id = ?1 AND deleted = 0");
        self.conn
            .prepare_cached(&sql)?
            .query_row([id], evidence)
            .optional()?
            .ok_or_else(|| ClientError::NotFound { what: format!("Evidence '{id}'") })
    }
}
