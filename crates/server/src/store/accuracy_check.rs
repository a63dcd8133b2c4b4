//! The host school's factual-accuracy check (issue 22, point 3). A hub turns it on with a number
//! of days (`hubs.accuracy_window_days`, migration 15; 0 = off), set by its coordinator or an
//! administrator. From approval, while the window is open (`qar_core::accuracy_check::window`),
//! the school's headteacher comments on matters of fact in the report's sections: each comment
//! is a server-written `comment` record, so it reaches the Lead Reviewer's laptop through the
//! pull exactly as a coordinator's return comments do. The first issue waits until the window
//! closes or the head says they have finished (`accuracy_checks`), and the Lead Reviewer is
//! mailed when they do. Every write is audited; the school's words never enter the audit chain.

use super::hub_admin::{hub_info, refused, unknown_hub};
use super::mail_events;
use super::records::{self, text, Doc};
use super::workflow::{audit, report_hash_of};
use super::{access, ServerStore, StoreError};
use crate::auth::AuthDevice;
use crate::mail::Template;
use crate::store::db::{params, Connection, OptionalExtension};
use qar_core::accuracy_check::{commentable_target, window, AccuracyWindow, MAX_COMMENTS, MAX_WINDOW_DAYS};
use qar_core::protocol::admin::HubInfo;
use qar_core::{decide, validate_field, Action, DenialReason, EntityKind, ErrorCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// `POST /v1/reviews/{review_id}/accuracy-check/comments`: one comment of the head's on a matter
/// of fact in a section of the report (`target` is `section:<code>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccuracyCommentRequest {
    pub target: String,
    pub text: String,
}

/// One comment of the head's, as the check shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccuracyComment {
    pub id: Uuid,
    pub target: String,
    pub text: String,
    pub created_ms: u64,
}

/// One section of the approved report, as the school reads it to check its facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccuracySection {
    /// What a comment on it names: `section:<code>`.
    pub target: String,
    pub title: String,
    pub body: String,
}

/// Where a review's factual-accuracy check stands, with the head's comments so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccuracyCheck {
    pub review_id: Uuid,
    /// The hub's window in days (0: the hub has no check).
    pub window_days: u32,
    pub window: AccuracyWindow,
    /// When the head said they had finished (ms), if they have.
    pub finished_ms: Option<u64>,
    pub comments: Vec<AccuracyComment>,
    /// The approved report's sections with text, in the template's order, while the report is
    /// approved and the school's check is open or finished (after issue the school reads the
    /// issued versions; with no check, nothing before issue).
    pub sections: Vec<AccuracySection>,
}

/// The hub's window, in days (0 for a review in no hub).
fn window_days(tx: &Connection, review_id: &str) -> crate::store::db::Result<u32> {
    Ok(tx
        .query_row(
            "SELECT h.accuracy_window_days FROM review_hub rh JOIN hubs h ON h.id = rh.hub_id WHERE rh.review_id = ?1",
            [review_id],
            |r| r.get::<_, i64>(0),
        )
        .optional()?
        .map_or(0, |d| d.clamp(0, i64::from(MAX_WINDOW_DAYS)) as u32))
}

fn finished_ms(tx: &Connection, review_id: &str) -> crate::store::db::Result<Option<u64>> {
    Ok(tx
        .query_row("SELECT finished_ms FROM accuracy_checks WHERE review_id = ?1", [review_id], |r| r.get::<_, i64>(0))
        .optional()?
        .map(|ms| ms as u64))
}

/// The review's window now: from its approval time, the hub's days and whether the head finished.
pub(super) fn window_of(tx: &Connection, review_id: &str, review: &Doc, now_ms: u64) -> crate::store::db::Result<AccuracyWindow> {
    let approved = review.get("approved_at_ms").and_then(|f| f.value.as_u64()).filter(|ms| *ms > 0);
    Ok(window(window_days(tx, review_id)?, approved, finished_ms(tx, review_id)?.is_some(), now_ms))
}

/// The head's comments on this review (return comments have other authors), oldest first.
fn comments_of(tx: &Connection, review_id: &str, head_ids: &[String]) -> crate::store::db::Result<Vec<AccuracyComment>> {
    let mut stmt = tx.prepare_cached("SELECT id, fields FROM records WHERE entity = 'comment' AND review_id = ?1 ORDER BY server_seq")?;
    let rows = stmt.query_map([review_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, fields) = row?;
        let doc = records::parse_doc(&fields, || format!("comment {id}"))?;
        let by_head = head_ids.iter().any(|h| h == text(&doc, "author_id"));
        if let (true, Ok(id)) = (by_head, Uuid::parse_str(&id)) {
            out.push(AccuracyComment {
                id,
                target: text(&doc, "target").to_owned(),
                text: text(&doc, "text").to_owned(),
                created_ms: doc.get("created_ms").and_then(|f| f.value.as_u64()).unwrap_or(0),
            });
        }
    }
    Ok(out)
}

/// The heads of the review's school (their comments are the check's).
fn heads_of(tx: &Connection, review: &Doc) -> crate::store::db::Result<Vec<String>> {
    let mut stmt = tx.prepare_cached("SELECT user_id FROM school_heads WHERE urn = ?1 ORDER BY user_id")?;
    let rows = stmt.query_map([text(review, "school_urn")], |r| r.get::<_, String>(0))?;
    rows.collect()
}

/// The approved report's sections with text, titled and ordered by the review's template —
/// only while the school's check is open or just finished: with no check in the hub, or once
/// its days have passed, the school reads its report when it is issued, as before.
fn approved_sections(tx: &Connection, rid: &str, review: &Doc, w: AccuracyWindow) -> Result<Vec<AccuracySection>, StoreError> {
    let checking = matches!(w, AccuracyWindow::Open { .. } | AccuracyWindow::Finished);
    if !checking || access::state_of(review) != qar_core::ReviewState::Approved {
        return Ok(Vec::new());
    }
    let (sections, _) = super::workflow::report_contents(tx, rid)?;
    let template = qar_core::report_template::template_for(text(review, "framework_version")).ok();
    let order = |code: &str| template.and_then(|t| t.sections.iter().position(|s| s.code == code)).unwrap_or(usize::MAX);
    let title =
        |code: &str| template.and_then(|t| t.sections.iter().find(|s| s.code == code)).map_or_else(|| code.to_owned(), |s| s.title.clone());
    let mut out: Vec<(usize, AccuracySection)> = sections
        .into_iter()
        .filter(|(_, body)| !body.trim().is_empty())
        .map(|(code, body)| (order(&code), AccuracySection { target: format!("section:{code}"), title: title(&code), body }))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.target.cmp(&b.1.target)));
    Ok(out.into_iter().map(|(_, s)| s).collect())
}

fn view(tx: &Connection, review_id: Uuid, review: &Doc, now_ms: u64) -> Result<AccuracyCheck, StoreError> {
    let rid = review_id.to_string();
    let window = window_of(tx, &rid, review, now_ms)?;
    Ok(AccuracyCheck {
        review_id,
        window_days: window_days(tx, &rid)?,
        window,
        finished_ms: finished_ms(tx, &rid)?,
        comments: comments_of(tx, &rid, &heads_of(tx, review)?)?,
        sections: approved_sections(tx, &rid, review, window)?,
    })
}

/// Why the head may not check now: not theirs (403), or the report is not approved (409).
fn head_may_check(caller: &AuthDevice, review: &access::ReviewAccess) -> Result<(), StoreError> {
    decide(&caller.actor(), Action::CheckFactualAccuracy, &review.facts(false)).map(|_| ()).map_err(|d| match d.reason {
        DenialReason::NotYourRole => StoreError::Denied {
            code: ErrorCode::NotYourRole,
            message: "Only the headteacher of the school being reviewed checks its report for factual accuracy.".into(),
        },
        DenialReason::WrongState | DenialReason::ReviewClosed => refused(
            ErrorCode::AccuracyCheckClosed,
            format!(
                "The report is {}: the school checks it for factual accuracy only once it is approved and before it is issued.",
                review.state.label().to_lowercase()
            ),
        ),
        _ => StoreError::Denied { code: d.reason.code(), message: d.message },
    })
}

/// The window must be open for the head to comment or finish.
fn must_be_open(w: AccuracyWindow) -> Result<(), StoreError> {
    match w {
        AccuracyWindow::Open { .. } => Ok(()),
        AccuracyWindow::Off => {
            Err(refused(ErrorCode::AccuracyCheckClosed, "The hub has not asked this school to check its report for factual accuracy."))
        }
        AccuracyWindow::Finished => {
            Err(refused(ErrorCode::AccuracyCheckClosed, "You have said you have finished checking this report: it can now be issued."))
        }
        AccuracyWindow::Closed => {
            Err(refused(ErrorCode::AccuracyCheckClosed, "The days for checking this report for factual accuracy have passed."))
        }
    }
}

impl ServerStore {
    /// Sets a hub's factual-accuracy window (0..=30 days; 0 = off): its coordinator or an
    /// administrator. Audited.
    pub fn set_accuracy_window(&self, caller: &AuthDevice, hub_id: &str, days: u32, now_ms: u64) -> Result<HubInfo, StoreError> {
        if !(caller.is_admin() || caller.coordinates(hub_id)) {
            return Err(refused(
                ErrorCode::NotYourHub,
                "Only the hub's coordinator or an administrator can set its factual-accuracy check.",
            ));
        }
        if days > MAX_WINDOW_DAYS {
            return Err(StoreError::Invalid(format!(
                "A school can be given at most {MAX_WINDOW_DAYS} days to check its report (0 turns the check off)."
            )));
        }
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        if tx.execute("UPDATE hubs SET accuracy_window_days = ?2 WHERE id = ?1", params![hub_id, i64::from(days)])? == 0 {
            return Err(unknown_hub(hub_id));
        }
        super::hub_admin::audit(&tx, caller, "set_accuracy_window", hub_id, json!({ "days": days }), now_ms)?;
        let hub = hub_info(&tx, hub_id)?.ok_or_else(|| unknown_hub(hub_id))?;
        tx.commit()?;
        Ok(hub)
    }

    /// Where the review's check stands: for the school's head, the team, the hub's coordinator
    /// and administrators.
    pub fn accuracy_check(&self, caller: &AuthDevice, review_id: Uuid, now_ms: u64) -> Result<AccuracyCheck, StoreError> {
        let conn = self.reader();
        let rid = review_id.to_string();
        let review = access::review_access(&conn, &rid, &caller.user_id)?.ok_or(StoreError::UnknownReview(review_id))?;
        if !review.host_headteacher && !review.related(caller) {
            return Err(StoreError::Denied {
                code: ErrorCode::NotYourRole,
                message: "Only the school's headteacher, the review team, the hub coordinator or an administrator can see the factual-accuracy check.".into(),
            });
        }
        let doc = records::load(&conn, EntityKind::Review, &rid)?.map(|s| s.doc).unwrap_or_default();
        view(&conn, review_id, &doc, now_ms)
    }

    /// The head comments on a matter of fact in a section of the approved report, while the
    /// window is open. The comment reaches the Lead Reviewer's laptop as a comment record.
    pub fn comment_on_accuracy(
        &self,
        caller: &AuthDevice,
        review_id: Uuid,
        req: &AccuracyCommentRequest,
        now_ms: u64,
    ) -> Result<AccuracyCheck, StoreError> {
        let body = req.text.trim().to_owned();
        self.decision(review_id, caller, now_ms, |tx, ctx, rid, review, doc| {
            head_may_check(caller, review)?;
            must_be_open(window_of(tx, rid, doc, ctx.now_ms)?)?;
            commentable_target(&req.target).map_err(|why| refused(ErrorCode::NotAMatterOfFact, why))?;
            validate_field(EntityKind::Comment, "target", &json!(req.target)).map_err(|e| StoreError::Invalid(e.to_string()))?;
            validate_field(EntityKind::Comment, "text", &json!(body)).map_err(|e| StoreError::Invalid(e.to_string()))?;
            if comments_of(tx, rid, std::slice::from_ref(&caller.user_id))?.len() >= MAX_COMMENTS {
                return Err(StoreError::Invalid(format!("At most {MAX_COMMENTS} comments on one report: add to an earlier one instead.")));
            }
            let id = Uuid::now_v7().to_string();
            let fields = [
                ("target", json!(req.target)),
                ("text", json!(body)),
                ("author_id", json!(caller.user_id)),
                ("author_name", json!(access::user_name(tx, &caller.user_id)?)),
                ("created_ms", json!(ctx.now_ms)),
                ("report_hash", json!(report_hash_of(tx, rid)?)),
                ("resolved", json!(false)),
            ];
            records::server_write(tx, ctx, EntityKind::Comment, &id, rid, &fields)?;
            let detail = json!({ "comment_id": id, "target": req.target, "characters": body.chars().count() }).to_string();
            audit(tx, caller, "accuracy_comment", rid, detail, ctx.now_ms)?;
            Ok(())
        })?;
        self.accuracy_check(caller, review_id, now_ms)
    }

    /// The head says they have finished checking: the report may be issued at once, and the
    /// Lead Reviewer is mailed (a link and a count, never the comments). Saying it again
    /// changes nothing.
    pub fn finish_accuracy_check(&self, caller: &AuthDevice, review_id: Uuid, now_ms: u64) -> Result<AccuracyCheck, StoreError> {
        self.decision(review_id, caller, now_ms, |tx, ctx, rid, review, doc| {
            head_may_check(caller, review)?;
            let w = window_of(tx, rid, doc, ctx.now_ms)?;
            if w == AccuracyWindow::Finished {
                return Ok(()); // a retry of the finish that happened
            }
            must_be_open(w)?;
            tx.execute(
                "INSERT INTO accuracy_checks(review_id, finished_ms, finished_by) VALUES (?1, ?2, ?3)",
                params![rid, ctx.now_ms as i64, caller.user_id],
            )?;
            let count = comments_of(tx, rid, &heads_of(tx, doc)?)?.len();
            mail_events::review_event(tx, Template::AccuracyCheckFinished, rid, rid, json!({ "comments": count }), ctx.now_ms)?;
            audit(tx, caller, "finish_accuracy_check", rid, json!({ "comments": count }).to_string(), ctx.now_ms)?;
            Ok(())
        })?;
        self.accuracy_check(caller, review_id, now_ms)
    }
}
