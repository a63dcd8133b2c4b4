//! Everything a person can try to do to a review.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    ViewReview,
    ReadTeamEvidence,
    CreateEvidence,
    EditOwnEvidence,
    EditOthersEvidence,
    DeleteOwnEvidence,
    SetEstimate,
    EditReport,
    ResolveConflict,
    StartPreparation,
    StartVisit,
    AgreeEstimates,
    StartDrafting,
    Submit,
    Approve,
    Return,
    Issue,
    Archive,
    Cancel,
    ReadIssuedReport,
    ScheduleReview,
    ManageTeam,
    PlanVisit,
    /// The host school's context statement and proposed Area of Excellence (issue 22).
    WriteSchoolStatement,
    /// The host school's factual-accuracy check of an approved report (issue 22).
    CheckFactualAccuracy,
}

impl Action {
    pub const ALL: [Action; 25] = [
        Action::ViewReview,
        Action::ReadTeamEvidence,
        Action::CreateEvidence,
        Action::EditOwnEvidence,
        Action::EditOthersEvidence,
        Action::DeleteOwnEvidence,
        Action::SetEstimate,
        Action::EditReport,
        Action::ResolveConflict,
        Action::StartPreparation,
        Action::StartVisit,
        Action::AgreeEstimates,
        Action::StartDrafting,
        Action::Submit,
        Action::Approve,
        Action::Return,
        Action::Issue,
        Action::Archive,
        Action::Cancel,
        Action::ReadIssuedReport,
        Action::ScheduleReview,
        Action::ManageTeam,
        Action::PlanVisit,
        Action::WriteSchoolStatement,
        Action::CheckFactualAccuracy,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Action::ViewReview => "view_review",
            Action::ReadTeamEvidence => "read_team_evidence",
            Action::CreateEvidence => "create_evidence",
            Action::EditOwnEvidence => "edit_own_evidence",
            Action::EditOthersEvidence => "edit_others_evidence",
            Action::DeleteOwnEvidence => "delete_own_evidence",
            Action::SetEstimate => "set_estimate",
            Action::EditReport => "edit_report",
            Action::ResolveConflict => "resolve_conflict",
            Action::StartPreparation => "start_preparation",
            Action::StartVisit => "start_visit",
            Action::AgreeEstimates => "agree_estimates",
            Action::StartDrafting => "start_drafting",
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::Return => "return",
            Action::Issue => "issue",
            Action::Archive => "archive",
            Action::Cancel => "cancel",
            Action::ReadIssuedReport => "read_issued_report",
            Action::ScheduleReview => "schedule_review",
            Action::ManageTeam => "manage_team",
            Action::PlanVisit => "plan_visit",
            Action::WriteSchoolStatement => "write_school_statement",
            Action::CheckFactualAccuracy => "check_factual_accuracy",
        }
    }

    pub fn parse(code: &str) -> Option<Action> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// Completes "Only … can ___" and "You can ___ only while …".
    pub fn verb(self) -> &'static str {
        match self {
            Action::ViewReview => "view this review",
            Action::ReadTeamEvidence => "read the team's evidence",
            Action::CreateEvidence => "record evidence",
            Action::EditOwnEvidence => "edit evidence",
            Action::EditOthersEvidence => "edit another reviewer's evidence",
            Action::DeleteOwnEvidence => "delete evidence",
            Action::SetEstimate => "set estimates",
            Action::EditReport => "edit the report",
            Action::ResolveConflict => "resolve conflicting edits",
            Action::StartPreparation => "start preparation",
            Action::StartVisit => "start the visit",
            Action::AgreeEstimates => "record that estimates are agreed",
            Action::StartDrafting => "start drafting the report",
            Action::Submit => "submit the report",
            Action::Approve => "approve the report",
            Action::Return => "return the report",
            Action::Issue => "issue the report",
            Action::Archive => "archive the review",
            Action::Cancel => "cancel the review",
            Action::ReadIssuedReport => "read the issued report",
            Action::ScheduleReview => "schedule the review",
            Action::ManageTeam => "change the review team",
            Action::PlanVisit => "plan the visit",
            Action::WriteSchoolStatement => "write the school's context statement and proposed Area of Excellence",
            Action::CheckFactualAccuracy => "check the report for factual accuracy",
        }
    }

    /// Reading changes nothing, so it stays possible after a review is closed.
    pub fn is_read(self) -> bool {
        matches!(self, Action::ViewReview | Action::ReadTeamEvidence | Action::ReadIssuedReport)
    }

    /// Changes to evidence records, which freeze when the report is submitted.
    pub fn writes_evidence(self) -> bool {
        matches!(self, Action::CreateEvidence | Action::EditOwnEvidence | Action::EditOthersEvidence | Action::DeleteOwnEvidence)
    }

    /// Acts on a particular record that must be the actor's own.
    pub fn needs_own_evidence(self) -> bool {
        matches!(self, Action::EditOwnEvidence | Action::DeleteOwnEvidence)
    }

    /// The edit action for a piece of evidence, given whether the actor recorded it.
    pub fn edit_evidence(own: bool) -> Action {
        if own {
            Action::EditOwnEvidence
        } else {
            Action::EditOthersEvidence
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.code()), Some(a));
            assert_eq!(serde_json::to_value(a).unwrap(), serde_json::json!(a.code()));
        }
        assert_eq!(Action::parse("delete_review"), None);
    }
}
