//! The visit plan (issue 18): the timetable of planned activities the Lead Reviewer sets up in
//! preparation and keeps up to date during the visit; the team reads it and starts notes from it.

use super::evidence::parse_id;
use super::Store;
use crate::error::{ClientError, Result};
use crate::model::{PlanActivity, PlanActivityDraft};
use chrono::{DateTime, Utc};
use qar_core::permissions::Action;
use qar_core::subject::normalise_subject;
use qar_core::year_group::normalise_year_group;
use qar_core::{ActivityType, EntityKind};
use rusqlite::{OptionalExtension, Row};
use serde_json::{json, Value};
use uuid::Uuid;

const COLUMNS: &str =
    "id, review_id, starts_at, ends_at, activity_type, reviewer_ids, host_colleague, year_group, subject, focus, updated_at_ms";

impl Store {
    /// Adds a planned activity (`id` None) or saves the changed fields of one. Refused whole,
    /// with nothing written, unless the user may plan this visit now and the row is valid.
    pub fn save_plan_activity(
        &mut self,
        review_id: &str,
        id: Option<&str>,
        draft: &PlanActivityDraft,
        now_ms: u64,
    ) -> Result<PlanActivity> {
        let info = self.review_info(review_id)?;
        self.check(&info, Action::PlanVisit, false)?;
        qar_core::visit_plan::check_times(draft.starts_at.trim(), draft.ends_at.as_deref().map(str::trim))?;
        ActivityType::parse(&draft.activity_type)?;
        let review = parse_id("Review", review_id)?;
        let wanted = fields_of(draft);
        let (id, writes) = match id {
            None => {
                let writes: Vec<(&str, Value)> = wanted.into_iter().filter(|(_, v)| !is_empty(v)).collect();
                (Uuid::now_v7(), writes)
            }
            Some(id) => {
                let current = self.plan_activity(id)?;
                if current.review_id != review_id {
                    return Err(ClientError::NotFound { what: format!("Planned activity '{id}' of this review") });
                }
                // Only what changed: a teammate's edit of another field merges instead of colliding.
                let held = fields_of(&PlanActivityDraft {
                    starts_at: current.starts_at,
                    ends_at: current.ends_at,
                    activity_type: current.activity_type,
                    reviewer_ids: current.reviewer_ids,
                    host_colleague: current.host_colleague,
                    year_group: current.year_group,
                    subject: current.subject,
                    focus: current.focus,
                });
                let writes = wanted.into_iter().zip(held).filter(|((_, new), (_, old))| new != old).map(|(w, _)| w).collect();
                (parse_id("Planned activity", id)?, writes)
            }
        };
        if !writes.is_empty() {
            self.write_record(EntityKind::PlanActivity, id, review, &writes, "plan_visit", now_ms)?;
        }
        self.plan_activity(&id.to_string())
    }

    /// Removes a planned activity from the plan (a tombstone, like any record).
    pub fn delete_plan_activity(&mut self, id: &str, now_ms: u64) -> Result<()> {
        let current = self.plan_activity(id)?;
        self.check(&self.review_info(&current.review_id)?, Action::PlanVisit, false)?;
        let review = parse_id("Review", &current.review_id)?;
        self.write_record(
            EntityKind::PlanActivity,
            parse_id("Planned activity", id)?,
            review,
            &[("deleted", json!(true))],
            "plan_visit",
            now_ms,
        )
    }

    /// The visit's plan in time order. Rows pulled without a start time (a teammate's edit still
    /// on its way) come last.
    pub fn list_plan(&self, review_id: &str) -> Result<Vec<PlanActivity>> {
        self.review_info(review_id)?;
        let sql = format!(
            "SELECT {COLUMNS} FROM plan_activities WHERE review_id = ?1 AND deleted = 0
             ORDER BY starts_at IS NULL, starts_at, created_at_ms"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([review_id], row_to_activity)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn plan_activity(&self, id: &str) -> Result<PlanActivity> {
        let sql = format!("SELECT {COLUMNS} FROM plan_activities WHERE id = ?1 AND deleted = 0");
        self.conn
            .prepare_cached(&sql)?
            .query_row([id], row_to_activity)
            .optional()?
            .ok_or_else(|| ClientError::NotFound { what: format!("Planned activity '{id}'") })
    }
}

/// The draft as synced fields, in one fixed order (so two drafts compare field by field),
/// written the way schema 3 writes them.
fn fields_of(d: &PlanActivityDraft) -> Vec<(&'static str, Value)> {
    let ends_at = d.ends_at.as_deref().map(str::trim).filter(|e| !e.is_empty());
    vec![
        ("starts_at", json!(d.starts_at.trim())),
        ("ends_at", ends_at.map_or(Value::Null, |e| json!(e))),
        ("activity_type", json!(d.activity_type)),
        ("reviewer_ids", json!(d.reviewer_ids)),
        ("host_colleague", json!(d.host_colleague.trim())),
        ("year_group", json!(normalise_year_group(&d.year_group))),
        ("subject", json!(normalise_subject(&d.subject))),
        ("focus", json!(d.focus.trim())),
    ]
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn row_to_activity(r: &Row) -> rusqlite::Result<PlanActivity> {
    let reviewers: String = r.get(5)?;
    Ok(PlanActivity {
        id: r.get(0)?,
        review_id: r.get(1)?,
        starts_at: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
        ends_at: r.get(3)?,
        activity_type: r.get(4)?,
        reviewer_ids: serde_json::from_str(&reviewers).unwrap_or_default(),
        host_colleague: r.get(6)?,
        year_group: r.get(7)?,
        subject: r.get(8)?,
        focus: r.get(9)?,
        updated_at: DateTime::<Utc>::from_timestamp_millis(r.get(10)?).unwrap_or_default().to_rfc3339(),
    })
}
