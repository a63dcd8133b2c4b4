//! The permission rules and the lifecycle written out by hand, from domain.md §2–3 and
//! architecture.md §5–6, independently of `permissions/table.rs`. Tests compare the two.
#![allow(dead_code)]

use qar_core::entities::{GlobalRole, TeamRole};
use qar_core::{Action, Actor, ReviewFacts, ReviewState};
use uuid::Uuid;

/// Who may do what in which state, with the review online and the evidence the actor's own.
/// Columns are states; `x` = allowed. A role not listed under an action may not do it in any
/// state (so `other_coordinator` and `outsider` never appear).
pub const MATRIX: &str = "
                      sch pre vis agr dra sub ret app iss arc can
view_review
  lead_reviewer        x   x   x   x   x   x   x   x   x   x   x
  reviewer             x   x   x   x   x   x   x   x   x   x   x
  shadow               x   x   x   x   x   x   x   x   x   x   x
  coordinator          x   x   x   x   x   x   x   x   x   x   x
  admin                x   x   x   x   x   x   x   x   x   x   x
read_team_evidence
  lead_reviewer        x   x   x   x   x   x   x   x   x   .   .
  reviewer             x   x   x   x   x   x   x   x   x   .   .
  shadow               x   x   x   x   x   x   x   x   x   .   .
  admin                x   x   x   x   x   x   x   x   x   x   x
create_evidence
  lead_reviewer        .   x   x   x   x   .   x   .   .   .   .
  reviewer             .   x   x   x   x   .   x   .   .   .   .
edit_own_evidence
  lead_reviewer        .   x   x   x   x   .   x   .   .   .   .
  reviewer             .   x   x   x   x   .   x   .   .   .   .
edit_others_evidence
delete_own_evidence
  lead_reviewer        .   x   x   x   x   .   x   .   .   .   .
  reviewer             .   x   x   x   x   .   x   .   .   .   .
set_estimate
  lead_reviewer        .   .   x   x   x   .   x   .   .   .   .
edit_report
  lead_reviewer        .   .   .   x   x   .   x   x   x   .   .
resolve_conflict
  lead_reviewer        .   x   x   x   x   .   x   .   .   .   .
start_preparation
  lead_reviewer        x   .   .   .   .   .   .   .   .   .   .
start_visit
  lead_reviewer        .   x   .   .   .   .   .   .   .   .   .
agree_estimates
  lead_reviewer        .   .   x   .   .   .   .   .   .   .   .
start_drafting
  lead_reviewer        .   .   .   x   .   .   x   .   .   .   .
submit
  lead_reviewer        .   .   .   .   x   .   .   .   .   .   .
approve
  coordinator          .   .   .   .   .   x   .   .   .   .   .
return
  coordinator          .   .   .   .   .   x   .   .   .   .   .
issue
  coordinator          .   .   .   .   .   .   .   x   .   .   .
  admin                .   .   .   .   .   .   .   x   .   .   .
archive
  admin                .   .   .   .   .   .   .   .   x   .   .
cancel
  coordinator          x   x   .   .   .   .   .   .   .   .   .
  admin                x   x   .   .   .   .   .   .   .   .   .
read_issued_report
  lead_reviewer        .   .   .   .   .   .   .   .   x   x   .
  reviewer             .   .   .   .   .   .   .   .   x   x   .
  shadow               .   .   .   .   .   .   .   .   x   x   .
  coordinator          .   .   .   .   .   .   .   .   x   x   .
  admin                .   .   .   .   .   .   .   .   x   x   .
  host_headteacher     .   .   .   .   .   .   .   .   x   x   .
schedule_review
  coordinator          x   x   .   .   .   .   .   .   .   .   .
  admin                x   x   .   .   .   .   .   .   .   .   .
manage_team
  lead_reviewer        x   x   x   .   .   .   .   .   .   .   .
  coordinator          x   x   x   .   .   .   .   .   .   .   .
  admin                x   x   x   .   .   .   .   .   .   .   .
plan_visit
  lead_reviewer        .   x   x   .   .   .   .   .   .   .   .
write_school_statement
  host_headteacher     x   x   x   .   .   .   .   .   .   .   .
check_factual_accuracy
  host_headteacher     .   .   .   .   .   .   .   x   .   .   .
";

/// Allowed only when the server decides live (approve/return are online-only per §5).
pub const ONLINE_ONLY: &[&str] = &["approve", "return", "issue", "archive", "cancel"];
/// Allowed only on the actor's own evidence.
pub const OWN_ONLY: &[&str] = &["edit_own_evidence", "delete_own_evidence"];

/// The diagram: `from  action  to`. `approved edit_report submitted` is the re-approval loop.
pub const EDGES: &str = "
scheduled         start_preparation  preparing
preparing         start_visit        in_visit
in_visit          agree_estimates    estimates_agreed
estimates_agreed  start_drafting     drafting
drafting          submit             submitted
submitted         approve            approved
submitted         return             returned
returned          start_drafting     drafting
approved          edit_report        submitted
approved          issue              issued
issued            edit_report        submitted
issued            archive            archived
scheduled         cancel             cancelled
preparing         cancel             cancelled
";

pub const TERMINAL: &[&str] = &["archived", "cancelled"];

pub const ROLES: [&str; 8] =
    ["lead_reviewer", "reviewer", "shadow", "coordinator", "other_coordinator", "admin", "host_headteacher", "outsider"];

pub const HUB: Uuid = Uuid::from_u128(0x11);
pub const OTHER_HUB: Uuid = Uuid::from_u128(0x22);

pub fn action(code: &str) -> Action {
    serde_json::from_value(serde_json::json!(code)).unwrap_or_else(|_| panic!("spec names unknown action {code}"))
}

pub fn state(code: &str) -> ReviewState {
    ReviewState::parse(code).unwrap_or_else(|_| panic!("spec names unknown state {code}"))
}

/// The actor and facts for one spec role.
pub fn setup(role: &str, st: ReviewState, own_evidence: bool, online: bool) -> (Actor, ReviewFacts) {
    let mut facts = ReviewFacts::new(st, HUB, online);
    facts.own_evidence = own_evidence;
    let mut actor = Actor::default();
    match role {
        "lead_reviewer" => facts.team_role = Some(TeamRole::LeadReviewer),
        "reviewer" => facts.team_role = Some(TeamRole::Reviewer),
        "shadow" => facts.team_role = Some(TeamRole::Shadow),
        "coordinator" => actor.roles.push(GlobalRole::HubCoordinator { hub_id: HUB }),
        "other_coordinator" => actor.roles.push(GlobalRole::HubCoordinator { hub_id: OTHER_HUB }),
        "admin" => actor.roles.push(GlobalRole::Admin),
        "host_headteacher" => facts.host_headteacher = true,
        "outsider" => {}
        _ => panic!("unknown spec role {role}"),
    }
    (actor, facts)
}

/// Parses MATRIX into (action, role, state) → allowed, for every action × role × state.
pub fn expected() -> Vec<(Action, &'static str, ReviewState, bool)> {
    let mut lines = MATRIX.lines().filter(|l| !l.trim().is_empty());
    let columns: Vec<ReviewState> = lines
        .next()
        .unwrap()
        .split_whitespace()
        .map(|c| match c {
            "sch" => state("scheduled"),
            "pre" => state("preparing"),
            "vis" => state("in_visit"),
            "agr" => state("estimates_agreed"),
            "dra" => state("drafting"),
            "sub" => state("submitted"),
            "ret" => state("returned"),
            "app" => state("approved"),
            "iss" => state("issued"),
            "arc" => state("archived"),
            "can" => state("cancelled"),
            _ => panic!("bad column {c}"),
        })
        .collect();
    assert_eq!(columns.len(), ReviewState::ALL.len(), "the spec must have a column per state");
    let mut allowed = std::collections::HashSet::new();
    let mut actions = Vec::new();
    for line in lines {
        if !line.starts_with(' ') {
            actions.push(action(line.trim()));
            continue;
        }
        let mut words = line.split_whitespace();
        let role = words.next().unwrap();
        let role = *ROLES.iter().find(|r| **r == role).unwrap_or_else(|| panic!("unknown role {role}"));
        let marks: Vec<&str> = words.collect();
        assert_eq!(marks.len(), columns.len(), "row {line}");
        for (st, mark) in columns.iter().zip(marks) {
            assert!(mark == "x" || mark == ".", "bad mark in {line}");
            if mark == "x" {
                allowed.insert((*actions.last().unwrap(), role, *st));
            }
        }
    }
    let distinct: std::collections::HashSet<&Action> = actions.iter().collect();
    assert_eq!(distinct.len(), actions.len(), "an action is listed twice");
    assert_eq!(actions.len(), Action::ALL.len(), "the spec must list every action exactly once");
    let mut cells = Vec::new();
    for a in &actions {
        for role in ROLES {
            for st in &columns {
                cells.push((*a, role, *st, allowed.contains(&(*a, role, *st))));
            }
        }
    }
    cells
}

/// Parses EDGES into (from, action, to).
pub fn edges() -> Vec<(ReviewState, Action, ReviewState)> {
    EDGES
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (state(w[0]), action(w[1]), state(w[2]))
        })
        .collect()
}

pub fn edge_to(from: ReviewState, a: Action) -> Option<ReviewState> {
    edges().into_iter().find(|(f, x, _)| *f == from && *x == a).map(|(_, _, to)| to)
}
