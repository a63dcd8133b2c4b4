//! Every cell of role × action × state against the hand-written spec, and the wording of refusals.

use crate::spec;
use crate::spec::*;
use qar_core::entities::{GlobalRole, TeamRole};
use qar_core::{allowed_actions, decide, Action, Actor, DenialReason, ReviewFacts, ReviewState};

#[test]
fn every_cell_of_the_matrix_matches_the_spec() {
    let cells = expected();
    assert_eq!(cells.len(), 8 * 25 * 11, "2,200 cells: 8 roles × 25 actions × 11 states");
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for (action, role, st, allowed_online_own) in &cells {
        for own in [true, false] {
            for online in [true, false] {
                let want =
                    *allowed_online_own && (online || !ONLINE_ONLY.contains(&action.code())) && (own || !OWN_ONLY.contains(&action.code()));
                let (actor, facts) = setup(role, *st, own, online);
                let got = decide(&actor, *action, &facts);
                checked += 1;
                if got.is_ok() != want {
                    mismatches.push(format!(
                        "{role:>17} {:<20} {:<16} own={own:<5} online={online:<5}: want {}, got {got:?}",
                        action.code(),
                        st.code(),
                        if want { "allowed" } else { "denied" }
                    ));
                    continue;
                }
                if let Ok(d) = got {
                    // An allowed action moves the review exactly along the diagram, or not at all.
                    assert_eq!(d.next_state, edge_to(*st, *action), "{role} {action:?} in {st:?}");
                    let reapproval = (*st == state("approved") || *st == state("issued")) && *action == Action::EditReport;
                    assert_eq!(d.reapproval_needed, reapproval, "{role} {action:?} in {st:?}");
                }
            }
        }
    }
    assert!(mismatches.is_empty(), "{} of {checked} cells differ from the spec:\n{}", mismatches.len(), mismatches.join("\n"));
    assert_eq!(checked, 8_800);
}

#[test]
fn allowed_actions_lists_exactly_the_allowed_cells() {
    let cells = expected();
    for role in ROLES {
        for st in ReviewState::ALL {
            let (actor, facts) = setup(role, st, true, true);
            let want: Vec<Action> = Action::ALL.into_iter().filter(|a| cells.contains(&(*a, role, st, true))).collect();
            assert_eq!(allowed_actions(&actor, &facts), want, "{role} in {st:?}");
        }
    }
}

#[test]
fn every_edge_of_the_diagram_is_reachable_by_someone() {
    for (from, action, to) in edges() {
        let by = ROLES.iter().find(|r| {
            let (actor, facts) = setup(r, from, true, true);
            decide(&actor, action, &facts).map(|d| d.next_state) == Ok(Some(to))
        });
        assert!(by.is_some(), "nobody can take {from:?} --{action:?}--> {to:?}");
    }
}

#[test]
fn several_roles_combine() {
    // An administrator who also leads this review may both archive it and set its estimates.
    let actor = Actor { roles: vec![GlobalRole::Admin] };
    let mut facts = ReviewFacts::new(ReviewState::InVisit, HUB, true);
    facts.team_role = Some(TeamRole::LeadReviewer);
    assert!(decide(&actor, Action::SetEstimate, &facts).is_ok());
    facts.state = ReviewState::Issued;
    assert!(decide(&actor, Action::Archive, &facts).is_ok());
    // A coordinator of two hubs acts on both.
    let actor = Actor { roles: vec![GlobalRole::HubCoordinator { hub_id: OTHER_HUB }, GlobalRole::HubCoordinator { hub_id: HUB }] };
    let facts = ReviewFacts::new(ReviewState::Submitted, HUB, true);
    assert!(decide(&actor, Action::Approve, &facts).is_ok());
}

fn refusal(role: &str, action: &str, st: &str, own: bool, online: bool) -> (DenialReason, String) {
    let (actor, facts) = setup(role, state(st), own, online);
    let d = decide(&actor, spec::action(action), &facts).expect_err("spec says this is refused");
    assert_eq!(d.to_string(), d.message);
    (d.reason, d.message)
}

#[test]
fn refusals_say_what_is_wrong_in_reviewers_words() {
    use DenialReason::*;
    let cases = [
        ("reviewer", "set_estimate", "in_visit", true, true, NotYourRole, "Only the Lead Reviewer can set estimates"),
        ("shadow", "create_evidence", "in_visit", true, true, NotYourRole, "Only the Lead Reviewer or a reviewer can record evidence"),
        ("admin", "approve", "submitted", true, true, NotYourRole, "Only the hub coordinator can approve the report"),
        (
            "lead_reviewer",
            "issue",
            "approved",
            true,
            true,
            NotYourRole,
            "Only the hub coordinator or an administrator can issue the report",
        ),
        ("coordinator", "archive", "issued", true, true, NotYourRole, "Only an administrator can archive the review"),
        (
            "host_headteacher",
            "view_review",
            "drafting",
            true,
            true,
            NotYourRole,
            "Only the review team, the hub coordinator or an administrator can view this review",
        ),
        (
            "outsider",
            "read_issued_report",
            "issued",
            true,
            true,
            NotYourRole,
            "Only the review team, the hub coordinator, an administrator or the host headteacher can read the issued report",
        ),
        (
            "other_coordinator",
            "approve",
            "submitted",
            true,
            true,
            OtherHub,
            "You coordinate a different hub: this review is not in your hub",
        ),
        ("reviewer", "edit_own_evidence", "submitted", true, true, EvidenceReadOnly, "Evidence is read-only once the review is submitted"),
        ("lead_reviewer", "create_evidence", "issued", true, true, EvidenceReadOnly, "Evidence is read-only once the review is submitted"),
        (
            "reviewer",
            "edit_own_evidence",
            "drafting",
            false,
            true,
            NotYourEvidence,
            "Evidence can be changed only by the reviewer who recorded it",
        ),
        (
            "lead_reviewer",
            "edit_others_evidence",
            "in_visit",
            false,
            true,
            NotYourEvidence,
            "Evidence can be changed only by the reviewer who recorded it",
        ),
        ("coordinator", "approve", "submitted", true, false, NeedsConnection, "Approving needs a connection to the server"),
        ("coordinator", "return", "submitted", true, false, NeedsConnection, "Returning a report needs a connection to the server"),
        (
            "lead_reviewer",
            "submit",
            "in_visit",
            true,
            true,
            WrongState,
            "You can submit the report only while the review is drafting; it is in visit",
        ),
        (
            "lead_reviewer",
            "set_estimate",
            "preparing",
            true,
            true,
            WrongState,
            "You can set estimates only while the review is in visit, estimates agreed, drafting or returned; it is preparing",
        ),
        (
            "reviewer",
            "create_evidence",
            "scheduled",
            true,
            true,
            WrongState,
            "You can record evidence only while the review is preparing, in visit, estimates agreed, drafting or returned; it is scheduled",
        ),
        ("lead_reviewer", "edit_report", "archived", true, true, ReviewClosed, "This review is archived: nothing can change any more"),
        ("coordinator", "schedule_review", "cancelled", true, true, ReviewClosed, "This review was cancelled: nothing can change any more"),
    ];
    for (role, action, st, own, online, reason, message) in cases {
        assert_eq!(refusal(role, action, st, own, online), (reason, message.to_owned()), "{role} {action} in {st}");
    }
}

#[test]
fn every_refusal_in_the_matrix_reads_as_a_sentence() {
    for (action, role, st, _) in expected() {
        let (actor, facts) = setup(role, st, false, false);
        let Err(d) = decide(&actor, action, &facts) else { continue };
        let m = &d.message;
        assert!(m.starts_with(|c: char| c.is_ascii_uppercase()), "{m}");
        assert!(!m.ends_with('.') && !m.contains("  ") && !m.contains('_') && !m.contains('{'), "{m}");
        // No Rust names leak into what people read.
        for leak in ["InVisit", "EstimatesAgreed", "LeadReviewer", "HubCoordinator", "Some(", "None"] {
            assert!(!m.contains(leak), "{m}");
        }
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["reason"], d.reason.code().as_str(), "the wire code is the reason's code");
    }
}
