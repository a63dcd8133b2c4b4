//! The UI reads qar-core's tables and the permission matrix's golden decisions from two
//! generated JSON files. Each test builds its file in memory and compares it with the committed
//! one: stale fails, unless `QAR_UPDATE_GENERATED=1`, which rewrites it.

use crate::spec::*;
use qar_core::entities::GlobalRole;
use qar_core::permissions::{roles_on, Role};
use qar_core::{decide, Action, Decision, DenialReason, Denied, ReviewState};
use serde::Serialize;

const COMMAND: &str = "QAR_UPDATE_GENERATED=1 cargo test -p qar-core --test it tables_export";

fn header() -> String {
    "Generated from Rust by crates/core/tests/it/tables_export.rs: do not edit; \
     run QAR_UPDATE_GENERATED=1 cargo test -p qar-core --test it tables_export"
        .to_owned()
}

#[test]
fn tables_json_is_fresh() {
    #[derive(Serialize)]
    struct File {
        #[serde(rename = "_generated")]
        generated: String,
        #[serde(flatten)]
        tables: qar_core::tables::Tables,
    }
    let file = File { generated: header(), tables: qar_core::tables::tables() };
    let content = serde_json::to_string_pretty(&file).unwrap() + "\n";
    crate::generated::check("tables.json", &content, COMMAND);
}

/// One decision as the UI compares it. Structs, not `json!` maps, so the key order is fixed
/// whatever features of serde_json other crates switch on.
#[derive(Serialize, Clone, PartialEq)]
struct Case {
    role: &'static str,
    action: Action,
    state: ReviewState,
    own: bool,
    online: bool,
    #[serde(flatten)]
    answer: Answer,
}

#[derive(Serialize, Clone, PartialEq)]
#[serde(untagged)]
enum Answer {
    Allowed { allowed: bool, next: Option<ReviewState>, reapproval: bool },
    Refused { allowed: bool, reason: DenialReason, message: String },
}

#[derive(Serialize)]
struct ActorRow {
    role: &'static str,
    held: Vec<Role>,
    coordinates_elsewhere: bool,
}

fn case(role: &'static str, action: Action, state: ReviewState, own: bool, online: bool) -> Case {
    let (actor, facts) = setup(role, state, own, online);
    let answer = match decide(&actor, action, &facts) {
        Ok(Decision { next_state, reapproval_needed }) => {
            Answer::Allowed { allowed: true, next: next_state, reapproval: reapproval_needed }
        }
        Err(Denied { reason, message }) => Answer::Refused { allowed: false, reason, message },
    };
    Case { role, action, state, own, online, answer }
}

/// Every cell of the spec's matrix (8 roles × 22 actions × 11 states) with Rust's answer, the
/// actor as present and online; then each cell where having no connection or not owning the
/// evidence changes that answer. A combination not listed answers as its cell does.
#[test]
fn permission_cases_json_is_fresh() {
    let mut actors = Vec::new();
    for role in ROLES {
        let (actor, facts) = setup(role, ReviewState::Scheduled, true, true);
        let coordinates_elsewhere = actor.roles.iter().any(|g| matches!(g, GlobalRole::HubCoordinator { .. }));
        actors.push(ActorRow { role, held: roles_on(&actor, &facts), coordinates_elsewhere });
    }
    let mut cells = Vec::new();
    let mut variants = Vec::new();
    for (action, role, st, spec_allows) in expected() {
        let base = case(role, action, st, true, true);
        // The golden answer is the spec's; tests/permissions.rs checks every combination too.
        assert_eq!(matches!(base.answer, Answer::Allowed { .. }), spec_allows, "{role} {action:?} in {st:?} differs from the spec");
        for (own, online) in [(false, true), (true, false), (false, false)] {
            let other = case(role, action, st, own, online);
            if other.answer != base.answer {
                variants.push(other);
            }
        }
        cells.push(base);
    }
    fn lines<T: Serialize>(rows: &[T]) -> String {
        rows.iter().map(|r| format!("    {}", serde_json::to_string(r).unwrap())).collect::<Vec<_>>().join(",\n")
    }
    // One case a line: 2,000 cases pretty-printed would be 20,000 lines to read in a diff.
    let content = format!(
        "{{\n  \"_generated\": {},\n  \"actors\": [\n{}\n  ],\n  \"cells\": [\n{}\n  ],\n  \"variants\": [\n{}\n  ]\n}}\n",
        serde_json::to_string(&header()).unwrap(),
        lines(&actors),
        lines(&cells),
        lines(&variants)
    );
    assert_eq!(cells.len(), 8 * Action::ALL.len() * 11);
    crate::generated::check("permission-cases.json", &content, COMMAND);
}
