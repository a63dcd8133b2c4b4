//! The review lifecycle (domain.md §3, architecture.md §5) as a view of the permission table:
//! an edge is a rule that moves the review, so the diagram and the rules cannot drift apart.
//!
//! ```text
//! scheduled → preparing → in_visit → estimates_agreed → drafting → submitted → approved → issued → archived
//! submitted → returned → drafting     (the coordinator returns the report with comments)
//! approved | issued → submitted       (the LR edits an approved or issued report: it needs re-approval)
//! scheduled | preparing → cancelled
//! approved → issued waits while the school's factual-accuracy check is open (`accuracy_check`)
//! ```

use crate::permissions::{Action, Role, RULES};
use crate::{ReviewState, ValidationError};
use serde::Serialize;

impl ReviewState {
    /// How the state is shown to people.
    pub fn label(self) -> &'static str {
        match self {
            ReviewState::Scheduled => "Scheduled",
            ReviewState::Preparing => "Preparing",
            ReviewState::InVisit => "In visit",
            ReviewState::EstimatesAgreed => "Estimates agreed",
            ReviewState::Drafting => "Drafting",
            ReviewState::Submitted => "Submitted",
            ReviewState::Returned => "Returned",
            ReviewState::Approved => "Approved",
            ReviewState::Issued => "Issued",
            ReviewState::Archived => "Archived",
            ReviewState::Cancelled => "Cancelled",
        }
    }

    /// No transition leaves these states.
    pub fn is_terminal(self) -> bool {
        matches!(self, ReviewState::Archived | ReviewState::Cancelled)
    }
}

/// Issuing an approved report waits while the host school's factual-accuracy check is open
/// (issue 22): the rule lives with the window it reads, and is named here with the lifecycle.
pub use crate::accuracy_check::issue_may_proceed;

/// One arrow of the diagram: `who` doing `action` moves the review from `from` to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Edge {
    pub from: ReviewState,
    pub action: Action,
    pub to: ReviewState,
    pub who: &'static [Role],
}

/// Every transition, in table order.
pub fn edges() -> Vec<Edge> {
    RULES
        .iter()
        .filter_map(|r| r.to.map(|to| (r, to)))
        .flat_map(|(r, to)| r.from.iter().map(move |&from| Edge { from, action: r.action, to, who: r.who }))
        .collect()
}

/// The states a review in `from` can move to next.
pub fn next_states(from: ReviewState) -> Vec<ReviewState> {
    let mut next: Vec<ReviewState> = edges().into_iter().filter(|e| e.from == from).map(|e| e.to).collect();
    next.dedup();
    next
}

/// The action behind a change of the review's `state` field (a synced op says only the new
/// state); check it with `decide` before accepting the op.
pub fn action_for(from: ReviewState, to: ReviewState) -> Result<Action, ValidationError> {
    edges()
        .into_iter()
        .find(|e| e.from == from && e.to == to)
        .map(|e| e.action)
        .ok_or(ValidationError::NoTransition { from: from.label(), to: to.label() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReviewState::*;

    #[test]
    fn terminal_states_have_no_way_out_and_others_do() {
        for s in ReviewState::ALL {
            assert_eq!(next_states(s).is_empty(), s.is_terminal(), "{s:?}");
        }
    }

    #[test]
    fn state_field_changes_map_to_actions() {
        assert_eq!(action_for(Drafting, Submitted), Ok(Action::Submit));
        assert_eq!(action_for(Returned, Drafting), Ok(Action::StartDrafting));
        assert_eq!(action_for(Approved, Submitted), Ok(Action::EditReport));
        let e = action_for(Scheduled, Issued).unwrap_err();
        assert_eq!(e.to_string(), "A review cannot move from Scheduled to Issued");
    }

    #[test]
    fn labels_are_distinct() {
        for a in ReviewState::ALL {
            assert_eq!(ReviewState::ALL.iter().filter(|b| b.label() == a.label()).count(), 1);
        }
    }
}
