//! The permission check of one pushed op: which `qar_core` action it is, decided with the
//! server's own facts (architecture.md §6). Pure: the caller loads the facts.

use super::access::ReviewAccess;
use super::records::{text, Doc};
use crate::auth::AuthDevice;
use qar_core::entities::TeamRole;
use qar_core::lifecycle::action_for;
use qar_core::protocol::Op;
use qar_core::ErrorCode;
use qar_core::{decide, Action, Decision, EntityKind, ReviewState};

/// What else the server must do when it applies an allowed op.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Permit {
    /// The op creates a review: its author becomes the lead reviewer.
    pub creates_review: bool,
    /// A new note without an author: the server writes the pusher's id.
    pub set_author: bool,
    /// An approved report was edited: the review goes back to `submitted`.
    pub reapproval: bool,
}

/// Why an op is refused: the code and words of its `rejected` outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Refusal {
    pub code: ErrorCode,
    pub message: String,
}

fn refuse(code: ErrorCode, message: impl Into<String>) -> Refusal {
    Refusal { code, message: message.into() }
}

/// The facts around one op.
pub(super) struct OpFacts<'a> {
    pub caller: &'a AuthDevice,
    /// The review the op belongs to; `None` when the server has no record of it.
    pub review: Option<&'a ReviewAccess>,
    /// The record's current fields; `None` for a new record.
    pub current: Option<&'a Doc>,
    /// For a conflict record: the conflicted record's kind and fields, when it exists.
    pub target: Option<(EntityKind, &'a Doc)>,
}

/// Decides one op. Every field it writes must be allowed, or the whole op is refused.
pub(super) fn authorize(op: &Op, f: &OpFacts) -> Result<Permit, Refusal> {
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
    let check = |action: Action, own: bool| -> Result<Decision, Refusal> {
        decide(&f.caller.actor(), action, &review.facts(own)).map_err(|d| refuse(d.reason.code(), d.message))
    };
    let mut permit = Permit::default();
    match op.entity {
        EntityKind::Review => {
            for (name, write) in &op.fields {
                match name.as_str() {
                    "state" => {
                        let to = ReviewState::parse(write.value.as_str().unwrap_or_default())
                            .map_err(|e| refuse(ErrorCode::Invalid, e.to_string()))?;
                        if to == review.state {
                            // Already there: a no-op, but still a write of the record, so only
                            // the one who moves this review along may make it.
                            if review.team_role != Some(TeamRole::LeadReviewer) {
                                return Err(refuse(
                                    ErrorCode::NotYourRole,
                                    "Only the Lead Reviewer moves a review from one stage to the next",
                                ));
                            }
                            continue;
                        }
                        let action = action_for(review.state, to).map_err(|e| refuse(ErrorCode::WrongState, e.to_string()))?;
                        if check(action, false)?.next_state != Some(to) {
                            return Err(refuse(ErrorCode::WrongState, format!("A review cannot move to {} this way", to.label())));
                        }
                        if action == Action::Submit && review.hub_id.is_none() {
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
                        if review.hub_id.is_some() && !unchanged {
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
                    if op.fields.get("author_id").is_some_and(|w| w.value.as_str() != Some(f.caller.user_id.as_str())) {
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
                    let own = author == f.caller.user_id;
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
        EntityKind::ReportSection => {
            permit.reapproval = check(Action::EditReport, false)?.reapproval_needed;
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
            let lead = review.team_role == Some(TeamRole::LeadReviewer) && !review.state.is_terminal();
            if !lead {
                let Some((entity, doc)) = f.target else {
                    return Err(refuse(ErrorCode::NotYourRole, "Only the Lead Reviewer can resolve this conflict"));
                };
                let (action, own) = field_action(entity, text(conflict, "field"), doc, f.caller);
                check(action, own)?;
            }
        }
    }
    Ok(permit)
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
fn field_action(entity: EntityKind, field: &str, doc: &Doc, caller: &AuthDevice) -> (Action, bool) {
    let own = entity == EntityKind::Evidence && text(doc, "author_id") == caller.user_id;
    let action = match (entity, field) {
        (EntityKind::Review, "deleted") => Action::Cancel,
        (EntityKind::Review, _) => Action::ManageTeam,
        (EntityKind::Evidence, "deleted") => Action::DeleteOwnEvidence,
        (EntityKind::Evidence, _) => Action::edit_evidence(own),
        (EntityKind::Estimate, _) => Action::SetEstimate,
        (EntityKind::ReportSection | EntityKind::Comment, _) => Action::EditReport,
        (EntityKind::Conflict, _) => Action::ResolveConflict,
    };
    (action, own)
}
