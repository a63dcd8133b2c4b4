//! Every table of the domain in one serialisable value, for the UI: it reads the exported JSON
//! (`ui/src/lib/generated/tables.json`, written by `tests/tables_export.rs`) instead of typing
//! the tables again. Built from the real tables on each call, never from a copy of their data.

use crate::attachment::AttachmentKind;
use crate::entities::{TeamRole, DEFAULT_VISIT_DAYS, MAX_CODE, MAX_FINDING, MAX_NAME, MAX_SHORT};
use crate::fields::{EntityKind, FieldSpec, MAX_JSON_BYTES, MAX_NOTES};
use crate::framework::{Framework, CURRENT_FRAMEWORK, FRAMEWORKS};
use crate::lifecycle::{edges, Edge};
use crate::password::{MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS};
use crate::permissions::wording::{Wording, WORDING};
use crate::permissions::{Action, Role, Rule, EVIDENCE_FROZEN, RULES};
use crate::report_template::{template_for, ReportTemplate};
use crate::{ActivityType, ReviewState, ValidationError};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct Tables {
    /// The roles a person can hold on one review, in `Role::ALL` order (refusals list them so).
    pub roles: Vec<RoleRow>,
    pub team_roles: Vec<TeamRoleRow>,
    /// In `Action::ALL` order: the order `allowed_actions` lists them in.
    pub actions: Vec<ActionRow>,
    /// In `ReviewState::ALL` order, the lifecycle's order.
    pub states: Vec<StateRow>,
    /// The permission table itself (`permissions/table.rs`), row by row.
    pub rules: &'static [Rule],
    /// Every edge of the lifecycle: a rule that moves the review, one per `from` state.
    pub transitions: Vec<Edge>,
    /// The words of `decide`'s refusals, with `{name}` holes.
    pub denials: Wording,
    /// The states in which a refused evidence change is "read-only", not "wrong state".
    pub evidence_frozen_states: &'static [ReviewState],
    pub current_framework: &'static str,
    pub frameworks: &'static [Framework],
    pub activity_types: Vec<ActivityTypeRow>,
    /// What a photo or document on a note shows (issue 19), in `AttachmentKind::ALL` order.
    pub attachment_kinds: Vec<AttachmentKindRow>,
    /// Each synced record kind's fields, by kind code.
    pub fields: BTreeMap<&'static str, Vec<FieldRow>>,
    pub limits: Limits,
    /// One report template per framework version, in `FRAMEWORKS` order.
    pub report_templates: Vec<&'static ReportTemplate>,
    /// The validation errors' sentences with `{name}` holes, by a short key.
    pub validation: BTreeMap<&'static str, String>,
    /// How a report section cites a note (`citation.rs`).
    pub citation: crate::citation::CitationFormat,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoleRow {
    pub code: Role,
    /// How the role reads inside "Only … can".
    pub noun: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct TeamRoleRow {
    pub code: TeamRole,
    pub label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionRow {
    pub code: Action,
    pub verb: &'static str,
    pub is_read: bool,
    pub writes_evidence: bool,
    pub needs_own_evidence: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct StateRow {
    pub code: ReviewState,
    pub label: &'static str,
    pub terminal: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActivityTypeRow {
    pub code: ActivityType,
    pub label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttachmentKindRow {
    pub code: AttachmentKind,
    pub label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldRow {
    #[serde(flatten)]
    pub spec: FieldSpec,
    /// Only the server writes it; an op from a device that sets it is refused.
    pub server_written: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Limits {
    pub max_name: usize,
    pub max_short: usize,
    pub max_finding: usize,
    pub max_code: usize,
    pub max_notes: usize,
    pub max_json_bytes: usize,
    pub min_password_chars: usize,
    pub max_password_bytes: usize,
    pub default_visit_days: u8,
    /// The register's search box and "Ask to visit" message (issue 23).
    pub max_register_query: usize,
    pub max_visit_message: usize,
}

/// The tables as they are in this build.
pub fn tables() -> Tables {
    let fields = EntityKind::ALL
        .into_iter()
        .map(|kind| {
            let rows = kind.fields().iter().map(|spec| FieldRow { spec: *spec, server_written: kind.server_written(spec.name) }).collect();
            (kind.code(), rows)
        })
        .collect();
    Tables {
        roles: Role::ALL.into_iter().map(|code| RoleRow { code, noun: code.noun() }).collect(),
        team_roles: TeamRole::ALL.into_iter().map(|code| TeamRoleRow { code, label: code.label() }).collect(),
        actions: Action::ALL
            .into_iter()
            .map(|code| ActionRow {
                code,
                verb: code.verb(),
                is_read: code.is_read(),
                writes_evidence: code.writes_evidence(),
                needs_own_evidence: code.needs_own_evidence(),
            })
            .collect(),
        states: ReviewState::ALL.into_iter().map(|code| StateRow { code, label: code.label(), terminal: code.is_terminal() }).collect(),
        rules: RULES,
        transitions: edges(),
        denials: WORDING,
        evidence_frozen_states: EVIDENCE_FROZEN,
        current_framework: CURRENT_FRAMEWORK,
        frameworks: FRAMEWORKS,
        activity_types: ActivityType::ALL.into_iter().map(|code| ActivityTypeRow { code, label: code.label() }).collect(),
        attachment_kinds: AttachmentKind::ALL.into_iter().map(|code| AttachmentKindRow { code, label: code.label() }).collect(),
        fields,
        limits: Limits {
            max_name: MAX_NAME,
            max_short: MAX_SHORT,
            max_finding: MAX_FINDING,
            max_code: MAX_CODE,
            max_notes: MAX_NOTES,
            max_json_bytes: MAX_JSON_BYTES,
            min_password_chars: MIN_PASSWORD_CHARS,
            max_password_bytes: MAX_PASSWORD_BYTES,
            default_visit_days: DEFAULT_VISIT_DAYS,
            max_register_query: crate::register::MAX_QUERY_CHARS,
            max_visit_message: crate::register::MAX_VISIT_MESSAGE_CHARS,
        },
        citation: crate::citation::FORMAT,
        report_templates: FRAMEWORKS
            .iter()
            .map(|f| template_for(f.version).expect("every framework version has a bundled report template"))
            .collect(),
        validation: validation_templates(),
    }
}

/// Stand-ins for the numbers in a message, distinctive enough to appear nowhere else in it.
const LEN: usize = 918_273_645;
const MAX: usize = 546_372_819;

/// Each validation message the UI repeats, rendered by `ValidationError`'s own `Display` with
/// `{name}` in place of its values, so the wording is typed once (in `error.rs`).
fn validation_templates() -> BTreeMap<&'static str, String> {
    use ValidationError::*;
    let too_long = TooLong { field: "{field}", len: LEN, max: MAX }.to_string();
    let too_long = too_long.replacen(&LEN.to_string(), "{len}", 1).replacen(&MAX.to_string(), "{max}", 1);
    let rows: [(&str, String); 13] = [
        ("bad_urn", BadUrn("{value}".into()).to_string()),
        ("unknown_activity_type", UnknownActivityType("{value}".into()).to_string()),
        ("unknown_review_state", UnknownReviewState("{value}".into()).to_string()),
        ("bad_date", BadDate { field: "{field}", value: "{value}".into() }.to_string()),
        ("empty", Empty { field: "{field}" }.to_string()),
        ("too_long", too_long),
        ("wrong_type", WrongType { field: "{field}".into(), expected: "{expected}" }.to_string()),
        ("unknown_field", UnknownField { entity: "{entity}", field: "{field}".into() }.to_string()),
        ("unknown_framework", UnknownFramework("{version}".into()).to_string()),
        ("unknown_area", UnknownArea { area: "{area}".into(), version: "{version}" }.to_string()),
        (
            "estimate_not_in_scale",
            EstimateNotInScale { value: "{value}".into(), version: "{version}", area: "{area}", choices: "{choices}".into() }.to_string(),
        ),
        ("bad_code", BadCode { field: "{field}", value: "{value}".into() }.to_string()),
        ("no_transition", NoTransition { from: "{from}", to: "{to}" }.to_string()),
    ];
    rows.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permissions::wording::fill;

    #[test]
    fn validation_templates_filled_read_as_the_errors_do() {
        let t = validation_templates();
        let e = ValidationError::TooLong { field: "Notes", len: 20_001, max: 20_000 };
        assert_eq!(fill(&t["too_long"], &[("field", "Notes"), ("len", "20001"), ("max", "20000")]), e.to_string());
        let e = ValidationError::UnknownArea { area: "behaviour".into(), version: "2019" };
        assert_eq!(fill(&t["unknown_area"], &[("area", "behaviour"), ("version", "2019")]), e.to_string());
        assert!(t.values().all(|m| !m.contains(&LEN.to_string()) && !m.contains(&MAX.to_string())));
    }

    #[test]
    fn tables_cover_every_value_of_each_table() {
        let t = tables();
        assert_eq!(t.actions.len(), Action::ALL.len());
        assert_eq!(t.states.len(), ReviewState::ALL.len());
        assert_eq!(t.rules.len(), RULES.len());
        assert_eq!(t.fields.len(), EntityKind::ALL.len());
        assert_eq!(t.report_templates.len(), FRAMEWORKS.len());
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(
            json["fields"]["evidence"][2],
            serde_json::json!({"name": "notes", "label": "Notes", "type": {"kind": "text", "max": 20_000, "required": false}, "server_written": false})
        );
    }
}
