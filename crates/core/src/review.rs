use crate::ValidationError;
use serde::{Deserialize, Serialize};

/// Lifecycle state of a review (architecture.md §5). Transition rules arrive with the
/// permission table; here the states exist so that every store agrees on their codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    Scheduled,
    Preparing,
    InVisit,
    EstimatesAgreed,
    Drafting,
    Submitted,
    Returned,
    Approved,
    Issued,
    Archived,
    Cancelled,
}

impl ReviewState {
    pub const ALL: [ReviewState; 11] = [
        ReviewState::Scheduled,
        ReviewState::Preparing,
        ReviewState::InVisit,
        ReviewState::EstimatesAgreed,
        ReviewState::Drafting,
        ReviewState::Submitted,
        ReviewState::Returned,
        ReviewState::Approved,
        ReviewState::Issued,
        ReviewState::Archived,
        ReviewState::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReviewState::Scheduled => "scheduled",
            ReviewState::Preparing => "preparing",
            ReviewState::InVisit => "in_visit",
            ReviewState::EstimatesAgreed => "estimates_agreed",
            ReviewState::Drafting => "drafting",
            ReviewState::Submitted => "submitted",
            ReviewState::Returned => "returned",
            ReviewState::Approved => "approved",
            ReviewState::Issued => "issued",
            ReviewState::Archived => "archived",
            ReviewState::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|s| s.code() == code).ok_or_else(|| ValidationError::UnknownReviewState(code.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for s in ReviewState::ALL {
            assert_eq!(ReviewState::parse(s.code()), Ok(s));
            assert_eq!(serde_json::to_value(s).unwrap(), serde_json::json!(s.code()));
        }
        assert!(ReviewState::parse("done").is_err());
    }
}
