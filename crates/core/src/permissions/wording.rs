//! The words of every refusal `decide` gives, as templates with `{name}` holes. They are
//! exported to the UI (`tables.rs`), whose in-memory backend fills the same templates, so the
//! preview and the app refuse in the same sentences without a second copy of the wording.

use serde::Serialize;

pub const NOT_YOURS: &str = "Evidence can be changed only by the reviewer who recorded it";
pub const OTHER_HUB: &str = "You coordinate a different hub: this review is not in your hub";
/// `{verb}`: [`super::Action::verb`].
pub const NOBODY: &str = "Nobody can {verb}";
/// `{who}`: the role nouns joined with "or"; `{verb}`: [`super::Action::verb`].
pub const ONLY: &str = "Only {who} can {verb}";
/// Stands for the Lead Reviewer, a reviewer and a shadow reviewer together in `{who}`.
pub const WHOLE_TEAM: &str = "the review team";
pub const CANCELLED: &str = "This review was cancelled: nothing can change any more";
pub const ARCHIVED: &str = "This review is archived: nothing can change any more";
pub const EVIDENCE_READ_ONLY: &str = "Evidence is read-only once the review is submitted";
/// `{when}`: the allowed states' labels in lower case joined with "or"; `{state}`: the current one.
pub const WRONG_STATE: &str = "You can {verb} only while the review is {when}; it is {state}";
/// `{gerund}`: the rule's `online_only` text, e.g. "Approving".
pub const NEEDS_CONNECTION: &str = "{gerund} needs a connection to the server";

/// All the templates, for export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Wording {
    pub not_yours: &'static str,
    pub other_hub: &'static str,
    pub nobody: &'static str,
    pub only: &'static str,
    pub whole_team: &'static str,
    pub cancelled: &'static str,
    pub archived: &'static str,
    pub evidence_read_only: &'static str,
    pub wrong_state: &'static str,
    pub needs_connection: &'static str,
}

pub const WORDING: Wording = Wording {
    not_yours: NOT_YOURS,
    other_hub: OTHER_HUB,
    nobody: NOBODY,
    only: ONLY,
    whole_team: WHOLE_TEAM,
    cancelled: CANCELLED,
    archived: ARCHIVED,
    evidence_read_only: EVIDENCE_READ_ONLY,
    wrong_state: WRONG_STATE,
    needs_connection: NEEDS_CONNECTION,
};

/// Replaces each `{name}` in `template` with its value, in one pass (a value that itself holds
/// braces is left as it is). A hole with no value stays visible, so a missing one shows in tests.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| values.iter().find(|(k, _)| *k == &after[..close]).map(|(_, v)| (close, *v)));
        match value {
            Some((close, v)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_named_holes_once_and_keeps_unknown_ones() {
        assert_eq!(fill(ONLY, &[("who", "a {verb}"), ("verb", "approve")]), "Only a {verb} can approve");
        assert_eq!(fill("{a}{b} {c}", &[("a", "1"), ("b", "2")]), "12 {c}");
        assert_eq!(fill("no holes", &[]), "no holes");
    }
}
