//! The permission check of one pushed op: which `qar_core` action it is, decided with the
//! server's own facts (architecture.md §6). Pure: the caller loads the facts.

use super::access::ReviewAccess;
use super::records::{text, Doc};
use crate::auth::AuthDevice;
use qar_core::entities::TeamRole;
use qar_core::lifecycle::action_for;
use qar_core::protocol::Op;
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
    pub code: &'static str,
    pub message: String,
}

fn refuse(code: &'static str, message: impl Into<String>) -> Refusal {
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
        return Err(refuse("server_field", format!("Only the server writes '{field}' of a {}", op.entity.code())));
    }
    let Some(review) = f.review else {
        return match op.entity {
            EntityKind::Review => create_review(op),
            _ => Err(refuse("unknown_review", format!("review {} does not exist on the server", op.review_id))),
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
                        let to = ReviewState::parse(write.value.as_str().unwrap_or_default()).map_err(|e| refuse("invalid", e.to_string()))?;
                        if to == review.state {
                            continue; // already there: changes nothing
                        }
                        let action = action_for(review.state, to).map_err(|e| refuse("wrong_state", e.to_string()))?;
                        if check(action, false)?.next_state != Some(to) {
                            return Err(refuse("wrong_state", format!("A review cannot move to {} this way", to.label())));
                        }
                    }
                    "deleted" => {
                        check(Action::Cancel, false)?;
                    }
                    _ => {
                        check(Action::ManageTeam, false)?;
                    }
                }
            }
        }
        EntityKind::Evidence => {
            if op.fields.get("author_id").is_some_and(|w| w.value.as_str() != Some(f.caller.user_id.as_str())) {
                return Err(refuse("not_your_evidence", "A note's author is the person who records it"));
            }
            match f.current {
                None => {
                    check(Action::CreateEvidence, true)?;
                    permit.set_author = !op.fields.contains_key("author_id");
                }
                Some(doc) => {
                    let own = text(doc, "author_id") == f.caller.user_id;
                    if op.fields.contains_key("deleted") {
                        check(Action::DeleteOwnEvidence, own)?;
                    }
                    if op.fields.keys().any(|name| name != "deleted" && name != "author_id") {
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
                return Err(refuse("server_field", "Comments are written by the server when a report is returned"));
            }
            check(Action::EditReport, false)?;
        }
        EntityKind::Conflict => {
            let Some(conflict) = f.current else {
                return Err(refuse("server_field", "Conflicts are recorded by the server"));
            };
            let lead = review.team_role == Some(TeamRole::LeadReviewer) && !review.state.is_terminal();
            if !lead {
                let Some((entity, doc)) = f.target else {
                    return Err(refuse("not_your_role", "Only the Lead Reviewer can resolve this conflict"));
                };
                let (action, own) = field_action(entity, text(conflict, "field"), doc, f.caller);
                check(action, own)?;
            }
        }
    }
    Ok(permit)
}

/// A review's first op: anyone signed in may set up a review (they become its lead reviewer),
/// and it starts scheduled or in preparation.
fn create_review(op: &Op) -> Result<Permit, Refusal> {
    if let Some(write) = op.fields.get("state") {
        let state = ReviewState::parse(write.value.as_str().unwrap_or_default()).map_err(|e| refuse("invalid", e.to_string()))?;
        if !matches!(state, ReviewState::Scheduled | ReviewState::Preparing) {
            return Err(refuse("wrong_state", format!("A new review starts scheduled or in preparation, not {}", state.label().to_lowercase())));
        }
    }
    Ok(Permit { creates_review: true, ..Permit::default() })
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
