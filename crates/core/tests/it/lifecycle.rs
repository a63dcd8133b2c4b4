//! The lifecycle as the permission rules drive it: whatever anyone does, a review only ever
//! moves along the hand-written diagram, and closed reviews stay closed.

use crate::spec;
use crate::spec::*;
use proptest::prelude::*;
use qar_core::lifecycle::{action_for, edges as table_edges, next_states};
use qar_core::{decide, Action, ReviewState};

/// Actions that move a review, weighted so random walks get deep into the lifecycle. Cancel is
/// left to the uniform draw: it is allowed so often early on that it would end most walks.
/// (With these weights, 512 walks of up to 1,000 steps end in every state, archived included.)
const MOVERS: [Action; 10] = [
    Action::StartPreparation,
    Action::StartVisit,
    Action::AgreeEstimates,
    Action::StartDrafting,
    Action::Submit,
    Action::Approve,
    Action::Return,
    Action::Issue,
    Action::Archive,
    Action::EditReport,
];

fn step() -> impl Strategy<Value = (usize, Action, bool, bool)> {
    let action = prop_oneof![
        9 => proptest::sample::select(MOVERS.to_vec()),
        1 => proptest::sample::select(Action::ALL.to_vec()),
    ];
    (0..ROLES.len(), action, any::<bool>(), any::<bool>())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn allowed_actions_only_follow_the_diagram(steps in proptest::collection::vec(step(), 1..1000)) {
        let mut st = ReviewState::Scheduled;
        let mut path = vec![st];
        for (role, action, own, online) in steps {
            let (actor, facts) = setup(ROLES[role], st, own, online);
            let Ok(decision) = decide(&actor, action, &facts) else { continue };
            if TERMINAL.contains(&st.code()) {
                prop_assert_eq!(decision.next_state, None, "{:?} left the closed state {:?}", action, st);
            }
            if let Some(next) = decision.next_state {
                prop_assert_eq!(
                    edge_to(st, action), Some(next),
                    "{} did {:?}: {:?} -> {:?} is not an edge (path {:?})", ROLES[role], action, st, next, path
                );
                st = next;
                path.push(st);
            }
        }
    }
}

#[test]
fn closed_reviews_admit_no_transition() {
    for code in TERMINAL {
        let st = state(code);
        assert!(st.is_terminal() && next_states(st).is_empty());
        for role in ROLES {
            for action in Action::ALL {
                for (own, online) in [(true, true), (true, false), (false, true), (false, false)] {
                    let (actor, facts) = setup(role, st, own, online);
                    if let Ok(d) = decide(&actor, action, &facts) {
                        assert!(action.is_read(), "{role} may {action:?} in {st:?}");
                        assert_eq!(d.next_state, None);
                    }
                }
            }
        }
    }
}

#[test]
fn the_lifecycle_table_is_exactly_the_diagram() {
    let mut ours: Vec<_> = table_edges().into_iter().map(|e| (e.from, e.action, e.to)).collect();
    let mut spec = edges();
    ours.sort_by_key(|(f, a, t)| (f.code(), a.code(), t.code()));
    spec.sort_by_key(|(f, a, t)| (f.code(), a.code(), t.code()));
    assert_eq!(ours, spec);
    for (from, action, to) in edges() {
        assert_eq!(action_for(from, to), Ok(action));
    }
}

/// A whole review, including a return and an edit after approval, with the right people.
#[test]
fn a_review_walks_from_scheduled_to_archived() {
    let walk = [
        ("lead_reviewer", "start_preparation", true, "preparing"),
        ("lead_reviewer", "start_visit", false, "in_visit"),
        ("lead_reviewer", "agree_estimates", false, "estimates_agreed"),
        ("lead_reviewer", "start_drafting", false, "drafting"),
        ("lead_reviewer", "submit", false, "submitted"),
        ("coordinator", "return", true, "returned"),
        ("lead_reviewer", "start_drafting", false, "drafting"),
        ("lead_reviewer", "submit", true, "submitted"),
        ("coordinator", "approve", true, "approved"),
        ("lead_reviewer", "edit_report", false, "submitted"),
        ("coordinator", "approve", true, "approved"),
        ("admin", "issue", true, "issued"),
        ("admin", "archive", true, "archived"),
    ];
    let mut st = ReviewState::Scheduled;
    for (role, action, online, to) in walk {
        let (actor, facts) = setup(role, st, true, online);
        let d = decide(&actor, spec::action(action), &facts).unwrap_or_else(|e| panic!("{role} {action} in {st:?}: {e}"));
        assert_eq!(d.next_state, Some(state(to)), "{role} {action}");
        assert_eq!(d.reapproval_needed, action == "edit_report");
        st = state(to);
    }
}
