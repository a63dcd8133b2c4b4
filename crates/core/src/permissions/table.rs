//! THE permission table: who may do what, in which states, and where the review goes next.
//! The lifecycle's edges (lifecycle.rs) are read from here too, so there is one source of truth.

use super::Action::{self, *};
use crate::ReviewState::{self, *};
use serde::Serialize;

/// What an actor is in relation to one review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    LeadReviewer,
    Reviewer,
    Shadow,
    /// Coordinator of the review's own hub (a coordinator of another hub is nothing here).
    HubCoordinator,
    Admin,
    /// Headteacher of the reviewed school: writes the school's statement before the visit and
    /// reads the issued report.
    HostHeadteacher,
}

impl Role {
    pub const ALL: [Role; 6] = [Role::LeadReviewer, Role::Reviewer, Role::Shadow, Role::HubCoordinator, Role::Admin, Role::HostHeadteacher];

    /// How the role reads inside "Only … can".
    pub fn noun(self) -> &'static str {
        match self {
            Role::LeadReviewer => "the Lead Reviewer",
            Role::Reviewer => "a reviewer",
            Role::Shadow => "a shadow reviewer",
            Role::HubCoordinator => "the hub coordinator",
            Role::Admin => "an administrator",
            Role::HostHeadteacher => "the host headteacher",
        }
    }
}

/// One row: `who` may do `action` in any state of `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub action: Action,
    pub who: &'static [Role],
    pub from: &'static [ReviewState],
    /// The state the review moves to; `None` leaves it where it is.
    pub to: Option<ReviewState>,
    /// `Some("Approving")` when the action is decided by the server only, live.
    pub online_only: Option<&'static str>,
    /// The approved report changed: it needs approving again.
    pub reapproval: bool,
}

const fn stay(action: Action, who: &'static [Role], from: &'static [ReviewState]) -> Rule {
    Rule { action, who, from, to: None, online_only: None, reapproval: false }
}

const fn go(action: Action, who: &'static [Role], from: &'static [ReviewState], to: ReviewState) -> Rule {
    Rule { action, who, from, to: Some(to), online_only: None, reapproval: false }
}

/// Administrative transitions are made at a desk and affect the whole team at once, so the
/// server decides them live instead of replaying a possibly stale offline op.
const fn live(action: Action, who: &'static [Role], from: &'static [ReviewState], to: ReviewState, gerund: &'static str) -> Rule {
    Rule { action, who, from, to: Some(to), online_only: Some(gerund), reapproval: false }
}

const TEAM: &[Role] = &[Role::LeadReviewer, Role::Reviewer, Role::Shadow];
const RECORDERS: &[Role] = &[Role::LeadReviewer, Role::Reviewer];
const LEAD: &[Role] = &[Role::LeadReviewer];
const HUB: &[Role] = &[Role::HubCoordinator];
const HUB_OR_ADMIN: &[Role] = &[Role::HubCoordinator, Role::Admin];
const ADMIN: &[Role] = &[Role::Admin];
const OVERSIGHT: &[Role] = &[Role::LeadReviewer, Role::Reviewer, Role::Shadow, Role::HubCoordinator, Role::Admin];
const SETUP: &[Role] = &[Role::LeadReviewer, Role::HubCoordinator, Role::Admin];
const HEAD: &[Role] = &[Role::HostHeadteacher];
const REPORT_READERS: &[Role] =
    &[Role::LeadReviewer, Role::Reviewer, Role::Shadow, Role::HubCoordinator, Role::Admin, Role::HostHeadteacher];

const EVERY_STATE: &[ReviewState] = &ReviewState::ALL;
/// Not closed: neither archived nor cancelled.
const OPEN: &[ReviewState] = &[Scheduled, Preparing, InVisit, EstimatesAgreed, Drafting, Submitted, Returned, Approved, Issued];
/// From preparation until the report is submitted (and again once it is returned).
const EVIDENCE_OPEN: &[ReviewState] = &[Preparing, InVisit, EstimatesAgreed, Drafting, Returned];
const ESTIMATES_OPEN: &[ReviewState] = &[InVisit, EstimatesAgreed, Drafting, Returned];
const REPORT_OPEN: &[ReviewState] = &[EstimatesAgreed, Drafting, Returned];

pub static RULES: &[Rule] = &[
    stay(ViewReview, OVERSIGHT, EVERY_STATE),
    stay(ReadTeamEvidence, TEAM, OPEN),
    stay(ReadTeamEvidence, ADMIN, EVERY_STATE),
    stay(CreateEvidence, RECORDERS, EVIDENCE_OPEN),
    stay(EditOwnEvidence, RECORDERS, EVIDENCE_OPEN),
    stay(DeleteOwnEvidence, RECORDERS, EVIDENCE_OPEN),
    // EditOthersEvidence: no row. Evidence is author-owned (domain.md §5).
    stay(SetEstimate, LEAD, ESTIMATES_OPEN),
    stay(EditReport, LEAD, REPORT_OPEN),
    // Editing an approved or issued report (a correction) sends it back for approval.
    Rule { action: EditReport, who: LEAD, from: &[Approved, Issued], to: Some(Submitted), online_only: None, reapproval: true },
    stay(ResolveConflict, LEAD, EVIDENCE_OPEN),
    go(StartPreparation, LEAD, &[Scheduled], Preparing),
    go(StartVisit, LEAD, &[Preparing], InVisit),
    go(AgreeEstimates, LEAD, &[InVisit], EstimatesAgreed),
    go(StartDrafting, LEAD, &[EstimatesAgreed, Returned], Drafting),
    go(Submit, LEAD, &[Drafting], Submitted),
    live(Approve, HUB, &[Submitted], Approved, "Approving"),
    live(Return, HUB, &[Submitted], Returned, "Returning a report"),
    live(Issue, HUB_OR_ADMIN, &[Approved], Issued, "Issuing a report"),
    live(Archive, ADMIN, &[Issued], Archived, "Archiving a review"),
    live(Cancel, HUB_OR_ADMIN, &[Scheduled, Preparing], Cancelled, "Cancelling a review"),
    stay(ReadIssuedReport, REPORT_READERS, &[Issued, Archived]),
    stay(ScheduleReview, HUB_OR_ADMIN, &[Scheduled, Preparing]),
    stay(ManageTeam, SETUP, &[Scheduled, Preparing, InVisit]),
    // The visit's timetable (domain.md §3: the LR sets it up in preparation); it changes on the
    // day as lessons move, so it stays open through the visit.
    stay(PlanVisit, LEAD, &[Preparing, InVisit]),
    // The school introduces itself before the visit (issue 22): its head may add to or correct
    // what it wrote until the visit ends, when the team agrees its estimates.
    stay(WriteSchoolStatement, HEAD, &[Scheduled, Preparing, InVisit]),
    // The school checks the approved report for matters of fact before it is issued, while the
    // hub's window is open (`accuracy_check::window`, decided by time, not by state).
    stay(CheckFactualAccuracy, HEAD, &[Approved]),
];
