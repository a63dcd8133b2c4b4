//! Issuing a report to the school, and the versions kept (issue 10). Issuing freezes the
//! approved report as a canonical JSON snapshot (sorted keys, no whitespace) with its SHA-256;
//! a correction after issue goes back through approval (the permission table's EditReport from
//! `issued`) and issuing again adds version 2 with its reason. Rows are never changed.

use super::access;
use super::records::{self, text, Doc};
use super::workflow::{audit, check, check_role, report_hash_of};
use super::{ServerStore, StoreError};
use crate::auth::AuthDevice;
use crate::mail::Template;
use crate::store::db::{params, Connection, OptionalExtension};
pub use qar_core::protocol::reports::ReportVersion;
use qar_core::protocol::Change;
use qar_core::ErrorCode;
use qar_core::{Action, EntityKind, ReviewState};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Longest reason for a correction, in characters.
pub const MAX_REASON_CHARS: usize = 2_000;

/// A version with its frozen snapshot (canonical JSON text, served as stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrozenVersion {
    pub version: ReportVersion,
    pub snapshot: String,
}

impl ServerStore {
    /// Issues the approved report: the caller may (`decide(Issue)`: the hub's coordinator or an
    /// admin), `report_hash` is the approved hash and still the report's hash. Stores the next
    /// version with its snapshot, moves the review to `issued`, audits. A later version needs a
    /// reason. Issuing again what was just issued changes nothing.
    pub fn issue_report(
        &self,
        review_id: Uuid,
        report_hash: &str,
        reason: &str,
        caller: &AuthDevice,
        now_ms: u64,
    ) -> Result<(Change, ReportVersion), StoreError> {
        let reason = reason.trim().to_owned();
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(refused(ErrorCode::ReasonTooLong, format!("The reason is longer than {MAX_REASON_CHARS} characters.")));
        }
        let mut issued = None;
        let change = self.decision(review_id, caller, now_ms, |tx, ctx, rid, review, doc| {
            check_role(caller, Action::Issue, review, ReviewState::Approved)?;
            let latest = latest(tx, rid)?;
            if review.state == ReviewState::Issued {
                if let Some(v) = latest.as_ref().filter(|v| v.report_hash == report_hash) {
                    issued = Some(v.clone()); // a retry of the issue that happened
                    return Ok(());
                }
            }
            check(caller, Action::Issue, review)?;
            let current_hash = report_hash_of(tx, rid)?;
            if text(doc, "approved_hash") != report_hash || current_hash != report_hash {
                return Err(StoreError::ReportChanged { current_hash });
            }
            let number = latest.as_ref().map_or(1, |v| v.version + 1);
            // The school's factual-accuracy check (issue 22): the first issue waits for it.
            let check = super::accuracy_check::window_of(tx, rid, doc, ctx.now_ms)?;
            qar_core::lifecycle::issue_may_proceed(check, number == 1).map_err(|m| refused(ErrorCode::AccuracyCheckOpen, m))?;
            if number > 1 && reason.is_empty() {
                return Err(refused(ErrorCode::ReasonRequired, format!("Version {number} corrects an issued report: say why.")));
            }
            let issued_by = access::user_name(tx, &caller.user_id)?;
            let snapshot = snapshot(tx, rid, doc, number, report_hash, now_ms, &issued_by, &reason)?;
            let sections = serde_json::from_str::<Value>(&snapshot).ok().and_then(|s| s.get("sections").cloned()).unwrap_or_default();
            self.check_photos_stored(rid, sections.as_array().map_or(&[][..], Vec::as_slice))?;
            let sha256 = hex::encode(Sha256::digest(snapshot.as_bytes()));
            let (digests, form, form_mac) = super::report_forms::form_of(&self.key, rid, i64::from(number), &sha256, &snapshot);
            tx.execute(
                "INSERT INTO report_versions (review_id, version, snapshot, sha256, report_hash, issued_ms, issued_by, issued_by_name, reason,
                                              person_digests, form_sha256, form_mac)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![rid, number, snapshot, sha256, report_hash, now_ms as i64, caller.user_id, issued_by, reason, digests, form, form_mac],
            )?;
            records::server_write(tx, ctx, EntityKind::Review, rid, rid, &[("state", json!(ReviewState::Issued.code()))])?;
            super::register::draft_on_issue(tx, rid, doc, now_ms)?;
            let extra = json!({ "version": number, "issued_date": super::mail_events::british_date(qar_core::calendar::utc_day(now_ms)) });
            super::mail_events::review_event(tx, Template::ReportIssued, rid, &format!("{rid}:v{number}"), extra, now_ms)?;
            // The version's SHA-256 is chained here and `verify_audit` checks the stored snapshot
            // against it. No free text (the reason is inside the snapshot, so chained too): this
            // detail never names a person and never needs erasing (issue 15).
            let detail = json!({ "report_hash": report_hash, "version": number, "sha256": sha256 }).to_string();
            audit(tx, caller, "issue", rid, detail, ctx.now_ms)?;
            issued = Some(ReportVersion { version: number, sha256, report_hash: report_hash.to_owned(), issued_ms: now_ms, issued_by, reason: reason.clone() });
            Ok(())
        })?;
        Ok((change, issued.expect("set by the decision")))
    }

    /// The review's issued versions, oldest first, for anyone who may view the review.
    pub fn report_versions(&self, review_id: Uuid, caller: &AuthDevice) -> Result<Vec<ReportVersion>, StoreError> {
        let conn = self.reader();
        let rid = readable(&conn, review_id, caller)?;
        Ok(versions_of(&conn, &rid)?)
    }

    /// One issued version with its frozen snapshot.
    pub fn report_version(&self, review_id: Uuid, number: u32, caller: &AuthDevice) -> Result<FrozenVersion, StoreError> {
        let conn = self.reader();
        let rid = readable(&conn, review_id, caller)?;
        let sql = format!("SELECT {COLUMNS}, snapshot FROM report_versions WHERE review_id = ?1 AND version = ?2");
        conn.query_row(&sql, params![rid, number], |r| Ok(FrozenVersion { version: row_version(r)?, snapshot: r.get(6)? }))
            .optional()?
            .ok_or_else(|| refused(ErrorCode::UnknownVersion, format!("This review has no issued version {number}.")))
    }
}

const COLUMNS: &str = "version, sha256, report_hash, issued_ms, issued_by_name, reason";

fn row_version(r: &crate::store::db::Row) -> crate::store::db::Result<ReportVersion> {
    Ok(ReportVersion {
        version: r.get(0)?,
        sha256: r.get(1)?,
        report_hash: r.get(2)?,
        issued_ms: r.get::<_, i64>(3)? as u64,
        issued_by: r.get(4)?,
        reason: r.get(5)?,
    })
}

/// A review's issued versions, oldest first (no snapshot).
pub(super) fn versions_of(conn: &Connection, rid: &str) -> crate::store::db::Result<Vec<ReportVersion>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM report_versions WHERE review_id = ?1 ORDER BY version"))?;
    let rows = stmt.query_map([rid], row_version)?;
    rows.collect()
}

fn latest(tx: &Connection, rid: &str) -> crate::store::db::Result<Option<ReportVersion>> {
    let sql = format!("SELECT {COLUMNS} FROM report_versions WHERE review_id = ?1 ORDER BY version DESC LIMIT 1");
    tx.query_row(&sql, [rid], row_version).optional()
}

/// The review's id as text if the caller may view it (team member, its hub's coordinator,
/// admin) or may read its issued report (the host school's headteacher, once it is issued).
fn readable(conn: &Connection, review_id: Uuid, caller: &AuthDevice) -> Result<String, StoreError> {
    let rid = review_id.to_string();
    let review = access::review_access(conn, &rid, &caller.user_id)?.ok_or(StoreError::UnknownReview(review_id))?;
    if review.host_headteacher {
        check(caller, Action::ReadIssuedReport, &review)?;
    } else {
        check(caller, Action::ViewReview, &review)?;
    }
    Ok(rid)
}

/// The frozen content: what the school receives, with who issued it and when. Keys sorted
/// (serde_json's map is ordered), sections and estimates by code, blank sections left out, so
/// the same report always gives the same bytes.
pub(super) fn snapshot(
    tx: &Connection,
    rid: &str,
    review: &Doc,
    version: u32,
    report_hash: &str,
    issued_ms: u64,
    issued_by: &str,
    reason: &str,
) -> crate::store::db::Result<String> {
    let mut stmt =
        tx.prepare_cached("SELECT entity, fields FROM records WHERE review_id = ?1 AND entity IN ('report_section', 'estimate')")?;
    let rows = stmt.query_map([rid], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let (mut sections, mut estimates) = (Vec::new(), Vec::new());
    for row in rows {
        let (entity, fields) = row?;
        let doc: Doc = super::records::parse_doc(&fields, || format!("{entity} record of review {rid}"))?;
        if records::tombstone(&doc).is_some() {
            continue;
        }
        if entity == "report_section" {
            if !text(&doc, "body").trim().is_empty() {
                let mut section = json!({ "code": text(&doc, "section_code"), "body": text(&doc, "body") });
                // A "Progress since the last review" entry carries the point it answers, so the
                // issued report reads whole (issue 23); other sections keep their old shape.
                for key in ["ebi_point", "ebi_area"] {
                    if !text(&doc, key).is_empty() {
                        section[key] = json!(text(&doc, key));
                    }
                }
                // Photos chosen for the report, frozen with their SHA-256 (issue 19); a section
                // without any keeps its old shape, so earlier snapshots read the same.
                let photos = super::report_photos::frozen(tx, rid, &super::report_photos::of_section(&doc))?;
                if !photos.is_empty() {
                    section["photos"] = json!(photos);
                }
                sections.push(section);
            }
        } else {
            estimates
                .push(json!({ "area_code": text(&doc, "area_code"), "value": text(&doc, "value"), "rationale": text(&doc, "rationale") }));
        }
    }
    sections.sort_by(|a, b| a["code"].as_str().cmp(&b["code"].as_str()));
    estimates.sort_by(|a, b| a["area_code"].as_str().cmp(&b["area_code"].as_str()));
    let field = |name: &str| review.get(name).map_or(Value::Null, |f| f.value.clone());
    let snapshot = json!({
        "format": 1,
        "review_id": rid,
        "version": version,
        "school_name": field("school_name"),
        "school_urn": field("school_urn"),
        "start_date": field("start_date"),
        "visit_dates": field("visit_dates"),
        "framework_version": field("framework_version"),
        "team": field("team"),
        "approved_by": field("approved_by"),
        "report_hash": report_hash,
        "issued_ms": issued_ms,
        "issued_by": issued_by,
        "reason": reason,
        "sections": sections,
        "estimates": estimates,
    });
    Ok(snapshot.to_string())
}

fn refused(code: ErrorCode, message: String) -> StoreError {
    StoreError::Refused { code, message, details: Value::Null }
}
