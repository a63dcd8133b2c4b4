//! What changed in a report between its return and its resubmission (issue 18): the coordinator
//! reads a resubmitted report as a diff against the one they returned, not from the top again.
//!
//! When a report is returned the server writes the report as it then stood on the review
//! (`returned_report`, a [`ReturnedReport`]); the laptops compare it with the report they hold.

use serde::{Deserialize, Serialize};
use similar::{ChangeTag, TextDiff};
use std::collections::BTreeMap;

/// One estimate as it was returned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnedEstimate {
    pub value: String,
    pub rationale: String,
}

/// The report as the coordinator returned it: every section's text and every estimate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnedReport {
    /// The server's wall time of the return.
    pub returned_ms: u64,
    pub report_hash: String,
    /// Section code → text.
    pub sections: BTreeMap<String, String>,
    /// Area code → estimate.
    pub estimates: BTreeMap<String, ReturnedEstimate>,
}

/// Whether a run of text was kept, added or removed since the return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    Same,
    Added,
    Removed,
}

/// A run of words of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DiffPart {
    pub kind: DiffKind,
    pub text: String,
}

/// One part of the report that changed since the return: `section:<code>` or `estimate:<area>`
/// (the targets return comments use), with its text before and after as one word diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ReportChange {
    pub target: String,
    pub parts: Vec<DiffPart>,
}

/// The report as a laptop holds it now, in the shape [`ReturnedReport`] keeps.
pub struct CurrentReport<'a> {
    pub sections: &'a BTreeMap<String, String>,
    pub estimates: &'a BTreeMap<String, ReturnedEstimate>,
}

/// Every section and estimate whose text differs from the returned report, sections first, each
/// in code order. A part present on one side only diffs against empty text.
pub fn changes_since_return(returned: &ReturnedReport, now: &CurrentReport<'_>) -> Vec<ReportChange> {
    let mut out = Vec::new();
    let codes: std::collections::BTreeSet<&String> = returned.sections.keys().chain(now.sections.keys()).collect();
    for code in codes {
        let before = returned.sections.get(code).map_or("", String::as_str);
        let after = now.sections.get(code).map_or("", String::as_str);
        if before.trim() != after.trim() {
            out.push(ReportChange { target: format!("section:{code}"), parts: word_diff(before, after) });
        }
    }
    let areas: std::collections::BTreeSet<&String> = returned.estimates.keys().chain(now.estimates.keys()).collect();
    for area in areas {
        let empty = ReturnedEstimate::default();
        let before = returned.estimates.get(area).unwrap_or(&empty);
        let after = now.estimates.get(area).unwrap_or(&empty);
        if before.value != after.value || before.rationale.trim() != after.rationale.trim() {
            out.push(ReportChange { target: format!("estimate:{area}"), parts: word_diff(&estimate_text(before), &estimate_text(after)) });
        }
    }
    out
}

/// An estimate read as one line: its judgement, then its rationale.
fn estimate_text(e: &ReturnedEstimate) -> String {
    match (e.value.is_empty(), e.rationale.trim().is_empty()) {
        (true, true) => String::new(),
        (false, true) => e.value.clone(),
        (true, false) => e.rationale.trim().to_owned(),
        (false, false) => format!("{}: {}", e.value, e.rationale.trim()),
    }
}

/// Word-level diff, read the way a person reads a tracked change: each stretch of change (words
/// changed with only spaces between them) is one removed run then one added run, and the text
/// around it is kept. Kept runs plus removed runs give `before`; kept plus added give `after`.
pub fn word_diff(before: &str, after: &str) -> Vec<DiffPart> {
    let diff = TextDiff::from_words(before, after);
    let tokens: Vec<(ChangeTag, &str)> = diff.iter_all_changes().map(|c| (c.tag(), c.value())).collect();
    let mut parts: Vec<DiffPart> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].0 == ChangeTag::Equal {
            push(&mut parts, DiffKind::Same, tokens[i].1);
            i += 1;
            continue;
        }
        // A stretch of change: changed tokens, and spaces kept between two changed tokens.
        let mut end = i;
        let mut j = i;
        while j < tokens.len() {
            match tokens[j] {
                (ChangeTag::Equal, t) if t.trim().is_empty() => j += 1,
                (ChangeTag::Equal, _) => break,
                _ => {
                    j += 1;
                    end = j;
                }
            }
        }
        let (mut removed, mut added) = (String::new(), String::new());
        for &(tag, text) in &tokens[i..end] {
            match tag {
                ChangeTag::Delete => removed.push_str(text),
                ChangeTag::Insert => added.push_str(text),
                ChangeTag::Equal => {
                    removed.push_str(text);
                    added.push_str(text);
                }
            }
        }
        for (kind, text) in [(DiffKind::Removed, removed), (DiffKind::Added, added)] {
            if !text.trim().is_empty() {
                push(&mut parts, kind, &text);
            } else if !text.is_empty() {
                // Only spaces changed: kept as they now read, so the text still rebuilds.
                if kind == DiffKind::Added {
                    push(&mut parts, DiffKind::Same, &text);
                }
            }
        }
        i = end;
    }
    parts
}

/// Appends, merging with the last run when it is of the same kind.
fn push(parts: &mut Vec<DiffPart>, kind: DiffKind, text: &str) {
    match parts.last_mut() {
        Some(last) if last.kind == kind => last.text.push_str(text),
        _ => parts.push(DiffPart { kind, text: text.to_owned() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(parts: &[DiffPart], keep: DiffKind) -> String {
        parts.iter().filter(|p| p.kind == DiffKind::Same || p.kind == keep).map(|p| p.text.as_str()).collect()
    }

    #[test]
    fn a_word_diff_rebuilds_both_texts_and_marks_only_what_changed() {
        let before = "Pupils read widely and often. Phonics is taught well.";
        let after = "Pupils read widely and with enjoyment. Phonics is taught well.";
        let parts = word_diff(before, after);
        assert_eq!(joined(&parts, DiffKind::Removed), before);
        assert_eq!(joined(&parts, DiffKind::Added), after);
        let removed: Vec<&str> = parts.iter().filter(|p| p.kind == DiffKind::Removed).map(|p| p.text.as_str()).collect();
        let added: Vec<&str> = parts.iter().filter(|p| p.kind == DiffKind::Added).map(|p| p.text.as_str()).collect();
        assert_eq!((removed, added), (vec!["often."], vec!["with enjoyment."]), "one stretch of change, spaces inside it: {parts:?}");
        assert!(parts.windows(2).all(|w| w[0].kind != w[1].kind), "runs of one kind are merged: {parts:?}");
    }

    #[test]
    fn a_rewritten_sentence_is_one_removed_and_one_added_run() {
        let before = "Leaders check marking.";
        let after = "Middle leaders have protected monitoring time.";
        let parts = word_diff(before, after);
        assert_eq!(joined(&parts, DiffKind::Removed), before);
        assert_eq!(joined(&parts, DiffKind::Added), after);
        assert!(parts.iter().filter(|p| p.kind != DiffKind::Same).count() <= 3, "{parts:?}");
        let everything = word_diff("", "Middle leaders: protected time.");
        assert_eq!(everything, vec![DiffPart { kind: DiffKind::Added, text: "Middle leaders: protected time.".into() }]);
    }

    #[test]
    fn only_changed_sections_and_estimates_are_listed_in_order() {
        let returned = ReturnedReport {
            returned_ms: 1,
            report_hash: "h".into(),
            sections: [("aoe", "Early reading."), ("context", "A primary school."), ("next_steps", "Work on maths.")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .into(),
            estimates: [("leadership".to_owned(), ReturnedEstimate { value: "effective".into(), rationale: "Clear vision.".into() })]
                .into(),
        };
        let sections: BTreeMap<String, String> = [("aoe", "Early reading."), ("context", "A primary school. "), ("ebi", "Marking.")]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .into();
        let estimates: BTreeMap<String, ReturnedEstimate> =
            [("leadership".to_owned(), ReturnedEstimate { value: "leading".into(), rationale: "Clear vision.".into() })].into();
        let changes = changes_since_return(&returned, &CurrentReport { sections: &sections, estimates: &estimates });
        let targets: Vec<&str> = changes.iter().map(|c| c.target.as_str()).collect();
        // Trailing spaces are not a change; a new section and an emptied one are.
        assert_eq!(targets, ["section:ebi", "section:next_steps", "estimate:leadership"]);
        assert_eq!(joined(&changes[1].parts, DiffKind::Added), "");
        assert_eq!(joined(&changes[1].parts, DiffKind::Removed), "Work on maths.");
        assert_eq!(joined(&changes[2].parts, DiffKind::Added), "leading: Clear vision.");
        assert_eq!(joined(&changes[2].parts, DiffKind::Removed), "effective: Clear vision.");
    }

    #[test]
    fn an_unchanged_report_has_no_changes() {
        let sections: BTreeMap<String, String> = [("aoe".to_owned(), "Early reading.".to_owned())].into();
        let returned = ReturnedReport { sections: sections.clone(), ..Default::default() };
        let estimates = BTreeMap::new();
        assert!(changes_since_return(&returned, &CurrentReport { sections: &sections, estimates: &estimates }).is_empty());
    }
}
