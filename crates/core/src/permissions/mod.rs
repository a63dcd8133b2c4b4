//! Who may do what to a review, and when (architecture.md §5–6). `decide` is the one entry
//! point: the app calls it to hide what you cannot do, the server to refuse it (403 + reason).

mod action;
mod table;
pub mod wording;

pub use action::Action;
pub use table::{Role, Rule, RULES};

use crate::entities::{GlobalRole, TeamRole, User};
use crate::error::join_or;
use crate::ReviewState;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wording::fill;

/// The person acting, by their global roles. Per-review roles come with the `ReviewFacts`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub roles: Vec<GlobalRole>,
}

impl Actor {
    pub fn of(user: &User) -> Actor {
        Actor { roles: user.roles.clone() }
    }
    pub fn is_admin(&self) -> bool {
        self.roles.contains(&GlobalRole::Admin)
    }
    pub fn coordinates(&self, hub: Uuid) -> bool {
        self.roles.contains(&GlobalRole::HubCoordinator { hub_id: hub })
    }
}

/// What `decide` needs to know about the review and the actor's place in it; the caller
/// (store or server) looks these up, so the rules stay pure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewFacts {
    pub state: ReviewState,
    pub hub_id: Uuid,
    /// The actor's role on this review's team, if any.
    pub team_role: Option<TeamRole>,
    /// The actor is the headteacher of the reviewed school.
    pub host_headteacher: bool,
    /// For evidence actions: the target evidence was recorded by the actor.
    pub own_evidence: bool,
    /// The decision is being made by the server, live (always true on the server; on a
    /// laptop, true only while connected and the action can be sent at once).
    pub online: bool,
}

impl ReviewFacts {
    /// Facts for someone with no role on the review; set the other fields as needed.
    pub fn new(state: ReviewState, hub_id: Uuid, online: bool) -> ReviewFacts {
        ReviewFacts { state, hub_id, team_role: None, host_headteacher: false, own_evidence: false, online }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Where the review moves; `None` leaves it in its state.
    pub next_state: Option<ReviewState>,
    /// The report was approved and has now changed: flag "changed since approval".
    pub reapproval_needed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DenialReason {
    /// Nobody with the actor's roles may do this.
    NotYourRole,
    /// A coordinator acting on another hub's review.
    OtherHub,
    /// Evidence can be changed only by the reviewer who recorded it.
    NotYourEvidence,
    /// Evidence is frozen from submission on.
    EvidenceReadOnly,
    /// Archived or cancelled: nothing changes any more.
    ReviewClosed,
    /// Right role, wrong moment in the lifecycle.
    WrongState,
    /// Must be decided by the server, live.
    NeedsConnection,
}

impl DenialReason {
    /// Stable code for `ErrorBody.code`; clients branch on this, never on the message.
    pub fn code(self) -> crate::ErrorCode {
        use crate::ErrorCode as C;
        match self {
            DenialReason::NotYourRole => C::NotYourRole,
            DenialReason::OtherHub => C::OtherHub,
            DenialReason::NotYourEvidence => C::NotYourEvidence,
            DenialReason::EvidenceReadOnly => C::EvidenceReadOnly,
            DenialReason::ReviewClosed => C::ReviewClosed,
            DenialReason::WrongState => C::WrongState,
            DenialReason::NeedsConnection => C::NeedsConnection,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct Denied {
    pub reason: DenialReason,
    pub message: String,
}

fn deny(reason: DenialReason, message: String) -> Result<Decision, Denied> {
    Err(Denied { reason, message })
}

/// The roles the actor holds on this review.
pub fn roles_on(actor: &Actor, review: &ReviewFacts) -> Vec<Role> {
    let team = review.team_role.map(|t| match t {
        TeamRole::LeadReviewer => Role::LeadReviewer,
        TeamRole::Reviewer => Role::Reviewer,
        TeamRole::Shadow => Role::Shadow,
    });
    let held = [
        team,
        actor.coordinates(review.hub_id).then_some(Role::HubCoordinator),
        actor.is_admin().then_some(Role::Admin),
        review.host_headteacher.then_some(Role::HostHeadteacher),
    ];
    held.into_iter().flatten().collect()
}

/// May `actor` do `action` to this review now? Checks, in order: role (and hub), the review's
/// state, ownership of the evidence, and whether the action needs the server live.
pub fn decide(actor: &Actor, action: Action, review: &ReviewFacts) -> Result<Decision, Denied> {
    let held = roles_on(actor, review);
    let rules: Vec<&Rule> = RULES.iter().filter(|r| r.action == action).collect();
    let mine: Vec<&Rule> = rules.iter().copied().filter(|r| r.who.iter().any(|w| held.contains(w))).collect();
    if mine.is_empty() {
        return deny_role(actor, action, &rules);
    }
    let state = review.state;
    let Some(rule) = mine.iter().find(|r| r.from.contains(&state)) else {
        return deny_state(action, state, &mine);
    };
    if action.needs_own_evidence() && !review.own_evidence {
        return deny(DenialReason::NotYourEvidence, wording::NOT_YOURS.to_owned());
    }
    if let (Some(gerund), false) = (rule.online_only, review.online) {
        return deny(DenialReason::NeedsConnection, fill(wording::NEEDS_CONNECTION, &[("gerund", gerund)]));
    }
    Ok(Decision { next_state: rule.to, reapproval_needed: rule.reapproval })
}

/// Every action `decide` would allow now, in `Action::ALL` order, for the UI to show.
pub fn allowed_actions(actor: &Actor, review: &ReviewFacts) -> Vec<Action> {
    Action::ALL.into_iter().filter(|a| decide(actor, *a, review).is_ok()).collect()
}

fn deny_role(actor: &Actor, action: Action, rules: &[&Rule]) -> Result<Decision, Denied> {
    if rules.is_empty() && action.writes_evidence() {
        return deny(DenialReason::NotYourEvidence, wording::NOT_YOURS.to_owned());
    }
    let who: Vec<Role> = Role::ALL.into_iter().filter(|r| rules.iter().any(|rule| rule.who.contains(r))).collect();
    let elsewhere = actor.roles.iter().any(|g| matches!(g, GlobalRole::HubCoordinator { .. }));
    if elsewhere && who.contains(&Role::HubCoordinator) {
        return deny(DenialReason::OtherHub, wording::OTHER_HUB.to_owned());
    }
    if who.is_empty() {
        return deny(DenialReason::NotYourRole, fill(wording::NOBODY, &[("verb", action.verb())]));
    }
    deny(DenialReason::NotYourRole, fill(wording::ONLY, &[("who", &who_phrase(&who)), ("verb", action.verb())]))
}

fn who_phrase(who: &[Role]) -> String {
    let whole_team = [Role::LeadReviewer, Role::Reviewer, Role::Shadow].iter().all(|r| who.contains(r));
    let mut nouns = Vec::new();
    if whole_team {
        nouns.push(wording::WHOLE_TEAM);
    }
    for r in who {
        let in_team = matches!(r, Role::LeadReviewer | Role::Reviewer | Role::Shadow);
        if !(whole_team && in_team) {
            nouns.push(r.noun());
        }
    }
    join_or(&nouns)
}

/// From submission until the review closes, evidence is read-only: a refusal then says so
/// instead of listing the states in which it could be changed.
pub const EVIDENCE_FROZEN: &[ReviewState] = &[ReviewState::Submitted, ReviewState::Approved, ReviewState::Issued];

fn deny_state(action: Action, state: ReviewState, mine: &[&Rule]) -> Result<Decision, Denied> {
    use ReviewState::*;
    if state.is_terminal() && !action.is_read() {
        let msg = match state {
            Cancelled => wording::CANCELLED,
            _ => wording::ARCHIVED,
        };
        return deny(DenialReason::ReviewClosed, msg.to_owned());
    }
    if action.writes_evidence() && EVIDENCE_FROZEN.contains(&state) {
        return deny(DenialReason::EvidenceReadOnly, wording::EVIDENCE_READ_ONLY.to_owned());
    }
    let when: Vec<String> =
        ReviewState::ALL.into_iter().filter(|s| mine.iter().any(|r| r.from.contains(s))).map(|s| s.label().to_lowercase()).collect();
    let when: Vec<&str> = when.iter().map(String::as_str).collect();
    let state_word = state.label().to_lowercase();
    let msg = fill(wording::WRONG_STATE, &[("verb", action.verb()), ("when", &join_or(&when)), ("state", &state_word)]);
    deny(DenialReason::WrongState, msg)
}
