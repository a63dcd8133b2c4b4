//! TEST SUPPORT for hub insights (issue 23): issued reviews made straight in the store with a
//! real snapshot (estimates, an Area of Excellence) and the school in the register with its FSM
//! percentage, many in one transaction, so a test (or a timing run over 10,000 reviews) needs no
//! walk through the workflow. Evidence notes can be added that contradict the report, so a test
//! can show the charts never read them.

use super::push::max_server_seq;
use super::records::{self, Ctx};
use super::{clock, ServerStore, StoreError};
use crate::store::db::params;
use qar_core::EntityKind;
use serde_json::{json, Value};
use uuid::Uuid;

/// One made-up issued review.
#[derive(Debug, Clone)]
pub struct TestIssued {
    pub hub_id: String,
    pub school_urn: String,
    pub percentage_fsm: Option<f64>,
    /// The three visit days start here, `YYYY-MM-DD`.
    pub visit_day: String,
    /// `(area_code, scale code)`.
    pub estimates: Vec<(String, String)>,
    /// The Area of Excellence write-up; empty: none.
    pub aoe: String,
}

impl ServerStore {
    /// TEST SUPPORT: the reviews, issued (version 1), their hubs and schools made when missing
    /// (a school's FSM percentage is set by its first review here). Returns the review ids.
    pub fn test_issued_reports(&self, reviews: &[TestIssued], issued_ms: u64) -> Result<Vec<String>, StoreError> {
        let mut conn = self.writer();
        let mut clock = self.clock();
        let tx = conn.transaction()?;
        clock::catch_up(&tx, &mut clock)?;
        let mut ctx = Ctx { clock: &mut clock, seq: max_server_seq(&tx)?, now_ms: issued_ms };
        let mut ids = Vec::new();
        for r in reviews {
            tx.execute("INSERT OR IGNORE INTO hubs(id, name, region) VALUES (?1, ?1, '')", [&r.hub_id])?;
            tx.execute(
                "INSERT OR IGNORE INTO schools(urn, establishment_name, phase, la_name, postcode, hub_id, percentage_fsm)
                 VALUES (?1, 'Insights Test School ' || ?1, 'Primary', 'Testshire', '', ?2, ?3)",
                params![r.school_urn, r.hub_id, r.percentage_fsm],
            )?;
            let rid = Uuid::now_v7().to_string();
            let first = qar_core::calendar::parse_date(&r.visit_day).expect("a test visit day");
            let days: Vec<String> =
                (0..3).map(|i| qar_core::calendar::format_date(qar_core::calendar::add_days(first, i).expect("in range"))).collect();
            let fields: Vec<(&str, Value)> = vec![
                ("school_name", json!(format!("Insights Test School {}", r.school_urn))),
                ("school_urn", json!(r.school_urn)),
                ("start_date", json!(r.visit_day)),
                ("visit_dates", json!(days)),
                ("framework_version", json!("2019")),
                ("state", json!("issued")),
            ];
            records::server_write(&tx, &mut ctx, EntityKind::Review, &rid, &rid, &fields)?;
            for (area, value) in &r.estimates {
                let id = Uuid::new_v5(&Uuid::parse_str(&rid).expect("made above"), area.as_bytes()).to_string();
                records::server_write(
                    &tx,
                    &mut ctx,
                    EntityKind::Estimate,
                    &id,
                    &rid,
                    &[("area_code", json!(area)), ("value", json!(value))],
                )?;
            }
            tx.execute("INSERT INTO review_hub(review_id, hub_id) VALUES (?1, ?2)", params![rid, r.hub_id])?;
            let mut sections = Vec::new();
            if !r.aoe.is_empty() {
                sections.push(json!({ "code": "area_of_excellence", "body": r.aoe }));
            }
            let estimates: Vec<Value> =
                r.estimates.iter().map(|(a, v)| json!({ "area_code": a, "value": v, "rationale": "As agreed with the school." })).collect();
            let snapshot = json!({
                "format": 1, "review_id": rid, "version": 1, "school_name": format!("Insights Test School {}", r.school_urn),
                "school_urn": r.school_urn, "start_date": r.visit_day, "visit_dates": days, "framework_version": "2019",
                "team": [], "approved_by": "", "report_hash": "", "issued_ms": issued_ms, "issued_by": "Hollie Brennan",
                "reason": "", "sections": sections, "estimates": estimates,
            })
            .to_string();
            tx.execute(
                "INSERT INTO report_versions (review_id, version, snapshot, sha256, report_hash, issued_ms, issued_by, issued_by_name)
                 VALUES (?1, 1, ?2, '', '', ?3, 'user-hollie-brennan', 'Hollie Brennan')",
                params![rid, snapshot, issued_ms as i64],
            )?;
            ids.push(rid);
        }
        let seq = ctx.seq;
        clock::save(&tx, &clock)?;
        tx.commit()?;
        drop(conn);
        self.announce(seq);
        Ok(ids)
    }

    /// TEST SUPPORT: an evidence note on the review whose words and tags contradict its issued
    /// estimates, and the review's live estimate records changed after issue, so a chart that
    /// read either would change.
    pub fn test_contradicting_evidence(&self, review_id: &str, now_ms: u64) -> Result<(), StoreError> {
        let mut conn = self.writer();
        let mut clock = self.clock();
        let tx = conn.transaction()?;
        clock::catch_up(&tx, &mut clock)?;
        let mut ctx = Ctx { clock: &mut clock, seq: max_server_seq(&tx)?, now_ms };
        let note = Uuid::now_v7().to_string();
        let fields = [
            ("activity_type", json!("learning_walk")),
            ("area_tags", json!(["leadership", "disadvantaged_additional_needs"])),
            ("notes", json!("Leadership is ineffective; provision for disadvantaged pupils is ineffective.")),
            ("author_id", json!("user-anika-marsh")),
        ];
        records::server_write(&tx, &mut ctx, EntityKind::Evidence, &note, review_id, &fields)?;
        let ids: Vec<String> = tx
            .prepare("SELECT id FROM records WHERE entity = 'estimate' AND review_id = ?1")?
            .query_map([review_id], |r| r.get(0))?
            .collect::<crate::store::db::Result<_>>()?;
        for id in ids {
            records::server_write(&tx, &mut ctx, EntityKind::Estimate, &id, review_id, &[("value", json!("ineffective"))])?;
        }
        let seq = ctx.seq;
        clock::save(&tx, &clock)?;
        tx.commit()?;
        drop(conn);
        self.announce(seq);
        Ok(())
    }
}
