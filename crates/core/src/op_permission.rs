//! Which permission-table action a pushed op is, and the decision on it (architecture.md §6;
//! docs/decisions.md 13, 24, 33). Pure: the server's store loads the facts (its own, never the
//! laptop's) and calls [`decide_op`]; every field an op writes must be allowed, or the whole op
//! is refused.

use crate::entities::TeamRole;
use crate::lifecycle::action_for;
use crate::protocol::Op;
use crate::sync::{text, RecordFields};
use crate::{decide, Action, Actor, Decision, EntityKind, ErrorCode, ReviewFacts, ReviewState};

/// What else the server must do when it applies an allowed op.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Permit {
    /// The op creates a review: its author becomes the lead reviewer.
    pub creates_review: bool,
    /// A new note without an author: the server writes the pusher's id.
    pub set_author: bool,
    /// An approved report was edited: the review goes back to `submitted`.
    pub reapproval: bool,
}

/// Why an op is refused: the code and words of its `rejected` outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: String,
}

fn refuse(code: ErrorCode, message: impl Into<String>) -> Refusal {
    Refusal { code, message: message.into() }
}

/// The review an op belongs to, as the server knows it, for the person pushing.
#[derive(Debug, Clone, Copy)]
pub struct OpReview {
    /// `decide`'s facts (online; `own_evidence` is set per op here).
    pub facts: ReviewFacts,
    /// The review is in a hub's queue (scheduled or adopted), not a laptop's proposal.
    pub in_hub: bool,
}

/// The facts around one op.
#[derive(Debug, Clone, Copy)]
pub struct OpFacts<'a> {
    pub actor: &'a Actor,
    pub user_id: &'a str,
    /// The review the op belongs to; `None` when the server has no record of it.
    pub review: Option<&'a OpReview>,
    /// The record's current fields; `None` for a new record.
    pub current: Option<&'a RecordFields>,
    /// For a conflict record: the conflicted record's kind and fields, when it exists. For an
    /// attachment: the note it belongs to (kind `Evidence`), when that note exists in the op's
    /// review.
    pub target: Option<(EntityKind, &'a RecordFields)>,
}

/// Decides one op. Every field it writes must be allowed, or the whole op is refused.
pub fn decide_op(op: &Op, f: &OpFacts) -> Result<Permit, Refusal> {
    if let Some(field) = op.fields.keys().find(|name| op.entity.server_written(name)) {
        return Err(refuse(ErrorCode::ServerField, format!("Only the server writes '{field}' of a {}", op.entity.code())));
    }
    if op.entity == EntityKind::Review {
        if let Some(to) = op.fields.get("state").and_then(|w| w.value.as_str()).and_then(|s| ReviewState::parse(s).ok()) {
            server_decided(to)?;
        }
    }
    let Some(review) = f.review else {
        return match op.entity {
            EntityKind::Review => create_review(op),
            _ => Err(refuse(ErrorCode::UnknownReview, format!("review {} does not exist on the server", op.review_id))),
        };
    };
    let state = review.facts.state;
    let check = |action: Action, own: bool| -> Result<Decision, Refusal> {
        let facts = ReviewFacts { own_evidence: own, ..review.facts };
        decide(f.actor, action, &facts).map_err(|d| refuse(d.reason.code(), d.message))
    };
    let mut permit = Permit::default();
    match op.entity {
        EntityKind::Review => {
            for (name, write) in &op.fields {
                match name.as_str() {
                    "state" => {
                        let to = ReviewState::parse(write.value.as_str().unwrap_or_default())
                            .map_err(|e| refuse(ErrorCode::Invalid, e.to_string()))?;
                        if to == state {
                            // Already there: a no-op, but still a write of the record, so only
                            // the one who moves this review along may make it.
                            if review.facts.team_role != Some(TeamRole::LeadReviewer) {
                                return Err(refuse(
                                    ErrorCode::NotYourRole,
                                    "Only the Lead Reviewer moves a review from one stage to the next",
                                ));
                            }
                            continue;
                        }
                        let action = action_for(state, to).map_err(|e| refuse(ErrorCode::WrongState, e.to_string()))?;
                        if check(action, false)?.next_state != Some(to) {
                            return Err(refuse(ErrorCode::WrongState, format!("A review cannot move to {} this way", to.label())));
                        }
                        if action == Action::Submit && !review.in_hub {
                            return Err(refuse(ErrorCode::NotAdopted, NOT_ADOPTED));
                        }
                    }
                    "deleted" => {
                        check(Action::Cancel, false)?;
                    }
                    _ => {
                        // Scheduled (or adopted) reviews: the school and the visit are the hub's
                        // to set, through the scheduling endpoints, so a push can neither move
                        // the review to another school (and hub) nor rename it.
                        let unchanged = f.current.and_then(|doc| doc.get(name.as_str())).is_some_and(|v| v.value == write.value);
                        if review.in_hub && !unchanged {
                            return Err(refuse(
                                ErrorCode::ScheduledField,
                                format!(
                                    "The {} is set when the hub schedules the review: ask the hub coordinator to change it",
                                    op.entity.field(name).map_or(name.as_str(), |f| f.label).to_lowercase()
                                ),
                            ));
                        }
                        check(Action::ManageTeam, false)?;
                    }
                }
            }
        }
        EntityKind::Evidence => {
            match f.current {
                None => {
                    if op.fields.get("author_id").is_some_and(|w| w.value.as_str() != Some(f.user_id)) {
                        return Err(refuse(ErrorCode::NotYourEvidence, "A note's author is the person who records it"));
                    }
                    check(Action::CreateEvidence, true)?;
                    permit.set_author = !op.fields.contains_key("author_id");
                }
                Some(doc) => {
                    // Once a note exists its author is the server's record of who wrote it:
                    // writing another name is refused like any server field, and every op on
                    // the note (an author-only one too) needs the right to edit it.
                    let author = text(doc, "author_id");
                    if op.fields.get("author_id").is_some_and(|w| w.value.as_str() != Some(author)) {
                        return Err(refuse(ErrorCode::ServerField, "A note's author is fixed when it is recorded: nobody can change it"));
                    }
                    let own = author == f.user_id;
                    if op.fields.contains_key("deleted") {
                        check(Action::DeleteOwnEvidence, own)?;
                    }
                    if op.fields.keys().any(|name| name != "deleted") {
                        check(Action::edit_evidence(own), own)?;
                    }
                }
            }
        }
        EntityKind::Estimate => {
            check(Action::SetEstimate, false)?;
        }
        EntityKind::PlanActivity => {
            check(Action::PlanVisit, false)?;
        }
        EntityKind::Attachment => {
            attachment_shape(op, f.current)?;
            // A photo is part of its note: adding, captioning or removing one is editing that
            // note, by the same rules (the author while the visit is on, the Lead Reviewer's
            // reach over the team's notes, nobody once the review is closed).
            let Some((EntityKind::Evidence, note)) = f.target else {
                return Err(refuse(ErrorCode::NotFound, "The note this attachment belongs to is not in this review"));
            };
            let own = text(note, "author_id") == f.user_id;
            check(Action::edit_evidence(own), own)?;
        }
        EntityKind::ReportSection => {
            permit.reapproval = check(Action::EditReport, false)?.reapproval_needed;
        }
        EntityKind::PreviousReview => {
            // Every field is the server's, so the first check above refused any op that wrote
            // one; an op writing nothing is refused here the same way.
            return Err(refuse(ErrorCode::ServerField, "The previous review is copied by the server from its issued report"));
        }
        EntityKind::SchoolStatement => {
            // The school's own words: only its headteacher writes them, through the server.
            return Err(refuse(
                ErrorCode::ServerField,
                "The school's context statement and proposed Area of Excellence are written by its headteacher, not from a laptop",
            ));
        }
        EntityKind::Comment => {
            if f.current.is_none() {
                return Err(refuse(ErrorCode::ServerField, "Comments are written by the server when a report is returned"));
            }
            check(Action::EditReport, false)?;
        }
        EntityKind::Conflict => {
            let Some(conflict) = f.current else {
                return Err(refuse(ErrorCode::ServerField, "Conflicts are recorded by the server"));
            };
            let lead = review.facts.team_role == Some(TeamRole::LeadReviewer) && !state.is_terminal();
            if !lead {
                let Some((entity, doc)) = f.target else {
                    return Err(refuse(ErrorCode::NotYourRole, "Only the Lead Reviewer can resolve this conflict"));
                };
                let (action, own) = field_action(entity, text(conflict, "field"), doc, f.user_id);
                check(action, own)?;
            }
        }
    }
    Ok(permit)
}

/// A new attachment names its note, kind and bytes; once recorded, its note and bytes are fixed
/// (a different file is a different attachment).
fn attachment_shape(op: &Op, current: Option<&RecordFields>) -> Result<(), Refusal> {
    match current {
        None => {
            if let Some(missing) = crate::attachment::REQUIRED_FIELDS.iter().find(|name| !op.fields.contains_key(**name)) {
                return Err(refuse(ErrorCode::Invalid, format!("A new attachment must say its {}", missing.replace('_', " "))));
            }
        }
        Some(doc) => {
            let changed = |name: &&&str| op.fields.get(**name).is_some_and(|w| doc.get(**name).is_none_or(|v| v.value != w.value));
            if let Some(name) = crate::attachment::FIXED_FIELDS.iter().find(changed) {
                return Err(refuse(
                    ErrorCode::ServerField,
                    format!("An attachment's {} is fixed when it is recorded: attach the other file instead", name.replace('_', " ")),
                ));
            }
        }
    }
    Ok(())
}

/// A review's first op is a proposal (docs/decisions.md 33): whoever sets it up on a laptop
/// leads it, alone, in no hub's queue, until the coordinator of the school's hub adopts it.
/// It starts in preparation: scheduling belongs to the hub.
fn create_review(op: &Op) -> Result<Permit, Refusal> {
    if let Some(write) = op.fields.get("state") {
        let state = ReviewState::parse(write.value.as_str().unwrap_or_default()).map_err(|e| refuse(ErrorCode::Invalid, e.to_string()))?;
        if state != ReviewState::Preparing {
            return Err(refuse(
                ErrorCode::WrongState,
                format!(
                    "A review set up on a laptop starts in preparation, not {}: the hub coordinator schedules reviews",
                    state.label().to_lowercase()
                ),
            ));
        }
    }
    Ok(Permit { creates_review: true, ..Permit::default() })
}

const NOT_ADOPTED: &str = "This review was set up on a laptop and is not in a hub's queue yet: ask the coordinator of the school's hub to adopt it, then submit the report";

/// States only the server's own endpoints move a review to, with their checks, records and
/// audit entries: a pushed op naming one is refused like a server-written field.
fn server_decided(to: ReviewState) -> Result<(), Refusal> {
    let how = match to {
        ReviewState::Approved => "The hub coordinator approves a report with the Approve button, online",
        ReviewState::Returned => "The hub coordinator returns a report with the 'Return to the Lead Reviewer' button, online",
        ReviewState::Issued => "A report is issued with the 'Issue to school' button, online",
        ReviewState::Archived => "Only an administrator archives a review, on the server",
        ReviewState::Cancelled => "A review is cancelled by the hub coordinator or an administrator, online",
        _ => return Ok(()),
    };
    Err(refuse(ErrorCode::ServerDecides, format!("{how}: a laptop cannot set a review to {}", to.label().to_lowercase())))
}

/// The action that writing `field` of this record needs, and whether the record is the
/// caller's own note.
pub fn field_action(entity: EntityKind, field: &str, doc: &RecordFields, user_id: &str) -> (Action, bool) {
    let own = entity == EntityKind::Evidence && text(doc, "author_id") == user_id;
    let action = match (entity, field) {
        (EntityKind::Review, "deleted") => Action::Cancel,
        (EntityKind::Review, _) => Action::ManageTeam,
        (EntityKind::Evidence, "deleted") => Action::DeleteOwnEvidence,
        (EntityKind::Evidence, _) => Action::edit_evidence(own),
        (EntityKind::Estimate, _) => Action::SetEstimate,
        (EntityKind::ReportSection | EntityKind::Comment, _) => Action::EditReport,
        (EntityKind::Conflict, _) => Action::ResolveConflict,
        (EntityKind::PlanActivity, _) => Action::PlanVisit,
        // The note's author is not on the attachment record: resolving one is the Lead
        // Reviewer's (who may edit the team's notes).
        (EntityKind::Attachment, _) => Action::edit_evidence(false),
        // Never written by a laptop; the nearest reading is the Lead Reviewer's report.
        (EntityKind::PreviousReview, _) => Action::EditReport,
        (EntityKind::SchoolStatement, _) => Action::WriteSchoolStatement,
    };
    (action, own)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::FieldWrite;
    use crate::{Hlc, SCHEMA_VERSION};
    use serde_json::json;
    use uuid::Uuid;

    fn op(entity: EntityKind, fields: &[(&str, serde_json::Value)]) -> Op {
        let id = Uuid::from_u128(1);
        Op {
            seq: 1,
            entity,
            id,
            review_id: id,
            fields: fields.iter().map(|(n, v)| ((*n).to_owned(), FieldWrite { value: v.clone(), base: None })).collect(),
            hlc: Hlc { wall_ms: 1, counter: 0, node: 1 },
            schema_version: SCHEMA_VERSION,
        }
    }

    fn on_review(state: ReviewState, role: Option<TeamRole>, in_hub: bool) -> OpReview {
        let mut facts = ReviewFacts::new(state, Uuid::from_u128(9), true);
        facts.team_role = role;
        OpReview { facts, in_hub }
    }

    fn decide_for(op: &Op, review: Option<&OpReview>, current: Option<&RecordFields>) -> Result<Permit, Refusal> {
        let actor = Actor { roles: vec![] };
        decide_op(op, &OpFacts { actor: &actor, user_id: "user-a", review, current, target: None })
    }

    #[test]
    fn a_laptop_proposes_a_review_in_preparation_and_leads_it() {
        let permit = decide_for(&op(EntityKind::Review, &[("state", json!("preparing"))]), None, None).unwrap();
        assert!(permit.creates_review);
        let refused = decide_for(&op(EntityKind::Review, &[("state", json!("scheduled"))]), None, None).unwrap_err();
        assert_eq!(refused.code, "wrong_state");
        let refused = decide_for(&op(EntityKind::Evidence, &[("notes", json!("x"))]), None, None).unwrap_err();
        assert_eq!(refused.code, "unknown_review");
    }

    #[test]
    fn server_fields_and_server_decided_states_are_refused_whole() {
        let lead = on_review(ReviewState::Drafting, Some(TeamRole::LeadReviewer), true);
        let refused = decide_for(&op(EntityKind::Review, &[("hub_id", json!("hub-x"))]), Some(&lead), None).unwrap_err();
        assert_eq!(refused.code, "server_field");
        let refused = decide_for(&op(EntityKind::Review, &[("state", json!("approved"))]), Some(&lead), None).unwrap_err();
        assert_eq!(refused.code, "server_decides");
    }

    #[test]
    fn a_proposal_is_submitted_only_once_a_hub_adopts_it() {
        let op = op(EntityKind::Review, &[("state", json!("submitted"))]);
        let proposal = on_review(ReviewState::Drafting, Some(TeamRole::LeadReviewer), false);
        assert_eq!(decide_for(&op, Some(&proposal), None).unwrap_err().code, "not_adopted");
        let adopted = on_review(ReviewState::Drafting, Some(TeamRole::LeadReviewer), true);
        assert_eq!(decide_for(&op, Some(&adopted), None), Ok(Permit::default()));
    }

    #[test]
    fn a_note_is_written_by_its_author_and_new_ones_get_one() {
        let team = on_review(ReviewState::InVisit, Some(TeamRole::Reviewer), true);
        let permit = decide_for(&op(EntityKind::Evidence, &[("notes", json!("x"))]), Some(&team), None).unwrap();
        assert!(permit.set_author, "a new note without an author gets the pusher's id");
        let someone_else = decide_for(&op(EntityKind::Evidence, &[("author_id", json!("user-b"))]), Some(&team), None).unwrap_err();
        assert_eq!(someone_else.code, "not_your_evidence");
        let theirs: RecordFields =
            [("author_id".to_owned(), crate::protocol::FieldValue { value: json!("user-b"), version: Hlc::ZERO })].into();
        let edit = decide_for(&op(EntityKind::Evidence, &[("notes", json!("y"))]), Some(&team), Some(&theirs));
        assert!(edit.is_err(), "a reviewer edits only their own notes: {edit:?}");
    }

    /// A photo is part of its note: its author adds one, another reviewer cannot, and nobody
    /// attaches to a note the server does not have; a recorded photo's bytes never change.
    #[test]
    fn an_attachment_is_written_under_its_notes_rules() {
        let team = on_review(ReviewState::InVisit, Some(TeamRole::Reviewer), true);
        let author = |who: &str| -> RecordFields {
            [("author_id".to_owned(), crate::protocol::FieldValue { value: json!(who), version: Hlc::ZERO })].into()
        };
        let new = op(
            EntityKind::Attachment,
            &[
                ("evidence_id", json!(Uuid::from_u128(5).to_string())),
                ("kind", json!("pupils_work")),
                ("sha256", json!("ab".repeat(32))),
                ("size", json!(1234)),
                ("mime", json!("image/jpeg")),
            ],
        );
        let actor = Actor { roles: vec![] };
        let with_note = |note: &RecordFields, current: Option<&RecordFields>, op: &Op| {
            decide_op(
                op,
                &OpFacts { actor: &actor, user_id: "user-a", review: Some(&team), current, target: Some((EntityKind::Evidence, note)) },
            )
        };
        assert_eq!(with_note(&author("user-a"), None, &new), Ok(Permit::default()));
        assert!(with_note(&author("user-b"), None, &new).is_err(), "not on a teammate's note");
        assert_eq!(decide_for(&new, Some(&team), None).unwrap_err().code, "not_found", "the note must exist in this review");
        let no_hash = op(EntityKind::Attachment, &[("evidence_id", json!("x")), ("kind", json!("other"))]);
        assert_eq!(with_note(&author("user-a"), None, &no_hash).unwrap_err().code, "invalid");
        let stored: RecordFields = new
            .fields
            .iter()
            .map(|(n, w)| (n.clone(), crate::protocol::FieldValue { value: w.value.clone(), version: Hlc::ZERO }))
            .collect();
        let other_bytes = op(EntityKind::Attachment, &[("sha256", json!("cd".repeat(32)))]);
        assert_eq!(with_note(&author("user-a"), Some(&stored), &other_bytes).unwrap_err().code, "server_field");
        let caption = op(EntityKind::Attachment, &[("caption", json!("Y4 books")), ("deleted", json!(true))]);
        assert_eq!(with_note(&author("user-a"), Some(&stored), &caption), Ok(Permit::default()));
    }
}
