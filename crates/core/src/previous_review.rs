//! Each review builds on the last (issue 23, point 3). A scheduled review links to the school's
//! previous issued review; the server copies that report's estimates and its *Even better if*
//! points into one read-only record for the team (`EntityKind::PreviousReview`), and the Lead
//! Reviewer answers each point in the report's "Progress since the last review" section, one
//! section record per point (`progress_<n>`). The rules both ends share live here: how an
//! issued report's EBI text becomes points, the bounds of the copy, and the section codes.

use crate::fields::MAX_JSON_BYTES;
use crate::report_template::{template_for, SectionKind};
use crate::ValidationError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest point copied, in characters: a point is a paragraph, not a page (longer text is cut
/// with an ellipsis; the whole report stays with the previous review).
pub const MAX_POINT_CHARS: usize = 2_000;
/// Most points copied: three areas of a handful of points each, with room to spare.
pub const MAX_POINTS: usize = 30;
/// The template code of the section; its entries are `progress_1`, `progress_2`, …
pub const PROGRESS_SECTION: &str = "progress";
const PROGRESS_PREFIX: &str = "progress_";

/// One *Even better if* point of a previous report, with the area it was written under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EbiPoint {
    pub area_code: String,
    pub text: String,
}

/// One estimate of a previous report (codes; labels come from the framework where shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PreviousEstimate {
    pub area_code: String,
    pub value: String,
}

/// The id of a review's previous-review record: one per review, the same on every laptop, so a
/// changed link rewrites the record instead of adding a second.
pub fn record_id(review_id: Uuid) -> Uuid {
    Uuid::new_v5(&review_id, b"previous_review")
}

/// The section code of the answer to point `n` (counted from 1).
pub fn progress_code(n: usize) -> String {
    format!("{PROGRESS_PREFIX}{n}")
}

/// The point number of a progress entry's section code, or `None` for any other section.
pub fn progress_number(code: &str) -> Option<usize> {
    let digits = code.strip_prefix(PROGRESS_PREFIX)?;
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| (1..=MAX_POINTS).contains(n))
}

/// The points of one EBI section's text. Paragraphs (blank-line separated) are points; a
/// paragraph written as a list ("- ", "* ", "• ", "1. ", "2) ") gives one point per item, the
/// marker taken off. Nothing is reworded.
pub fn split_points(body: &str) -> Vec<String> {
    let mut points = Vec::new();
    for para in body.replace("\r\n", "\n").split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        let lines: Vec<&str> = para.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        if lines.iter().all(|l| strip_marker(l).is_some()) {
            points.extend(lines.iter().filter_map(|l| strip_marker(l)).filter(|p| !p.is_empty()).map(str::to_owned));
        } else {
            points.push(para.to_owned());
        }
    }
    points
}

fn strip_marker(line: &str) -> Option<&str> {
    for marker in ["- ", "* ", "• ", "– "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return Some(rest.trim());
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=2).contains(&digits) {
        let rest = &line[digits..];
        if let Some(rest) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return Some(rest.trim());
        }
    }
    None
}

/// Cuts text to [`MAX_POINT_CHARS`], ending a cut one with an ellipsis.
fn bounded(text: &str) -> String {
    if text.chars().count() <= MAX_POINT_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MAX_POINT_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// The EBI points of an issued report, in template order: `sections` are its `(code, body)`.
/// At most [`MAX_POINTS`], each at most [`MAX_POINT_CHARS`], and together within what one
/// synced JSON field holds, so copying a long report can never make scheduling fail.
pub fn ebi_points(framework_version: &str, sections: &[(String, String)]) -> Result<Vec<EbiPoint>, ValidationError> {
    let template = template_for(framework_version)?;
    let mut points = Vec::new();
    for spec in template.sections.iter().filter(|s| s.kind == SectionKind::Ebi) {
        let (Some(area), Some((_, body))) = (&spec.area_code, sections.iter().find(|(code, _)| *code == spec.code)) else { continue };
        points.extend(split_points(body).iter().map(|p| EbiPoint { area_code: area.clone(), text: bounded(p) }));
    }
    points.truncate(MAX_POINTS);
    while serde_json::to_string(&points).map_or(0, |s| s.len()) > MAX_JSON_BYTES {
        points.pop();
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::validate_field;
    use crate::EntityKind;
    use serde_json::json;

    fn s(code: &str, body: &str) -> (String, String) {
        (code.into(), body.into())
    }

    #[test]
    fn paragraphs_and_list_items_are_points() {
        assert_eq!(split_points("Sharpen the plan.\n\nShare it with governors."), ["Sharpen the plan.", "Share it with governors."]);
        assert_eq!(split_points("- One\n- Two\r\n\r\n1. Three\n2) Four"), ["One", "Two", "Three", "Four"]);
        // A paragraph with one ordinary line stays whole, markers and all.
        assert_eq!(split_points("Leaders should:\n- check\n- act"), ["Leaders should:\n- check\n- act"]);
        assert!(split_points(" \n\n ").is_empty());
        assert_eq!(split_points("2026 was a good year."), ["2026 was a good year."]);
    }

    #[test]
    fn points_come_from_ebi_sections_in_template_order() {
        let sections = [
            s("provision_outcomes_ebi", "- Plan reading for the weakest readers\n- Check phonics pace"),
            s("leadership_www", "Not an EBI."),
            s("leadership_ebi", "Middle leaders check the impact of their plans."),
        ];
        let points = ebi_points("2019", &sections).unwrap();
        let got: Vec<(&str, &str)> = points.iter().map(|p| (p.area_code.as_str(), p.text.as_str())).collect();
        assert_eq!(
            got,
            [
                ("leadership", "Middle leaders check the impact of their plans."),
                ("provision_outcomes", "Plan reading for the weakest readers"),
                ("provision_outcomes", "Check phonics pace"),
            ]
        );
        assert!(ebi_points("1999", &sections).is_err());
    }

    #[test]
    fn a_long_report_is_cut_to_fit_one_synced_field() {
        let huge = format!("{}\n\n", "é".repeat(5_000)).repeat(40);
        let points = ebi_points("2019", &[s("leadership_ebi", &huge), s("provision_outcomes_ebi", &huge)]).unwrap();
        assert!(!points.is_empty() && points.len() <= MAX_POINTS);
        assert!(points.iter().all(|p| p.text.chars().count() == MAX_POINT_CHARS && p.text.ends_with('…')));
        validate_field(EntityKind::PreviousReview, "ebi_points", &serde_json::to_value(&points).unwrap()).unwrap();
        validate_field(EntityKind::ReportSection, "ebi_point", &json!(points[0].text)).unwrap();
    }

    #[test]
    fn progress_codes_round_trip_and_nothing_else_reads_as_one() {
        assert_eq!(progress_code(3), "progress_3");
        assert_eq!(progress_number("progress_3"), Some(3));
        for other in ["progress", "progress_", "progress_0", "progress_03", "progress_x", "context", "progress_31"] {
            assert_eq!(progress_number(other), None, "{other}");
        }
        crate::entities::check_code("Report section", &progress_code(MAX_POINTS)).unwrap();
    }

    #[test]
    fn the_record_is_the_servers_alone() {
        for f in EntityKind::PreviousReview.fields() {
            assert!(EntityKind::PreviousReview.server_written(f.name), "{}", f.name);
        }
        assert_eq!(record_id(Uuid::from_u128(7)), record_id(Uuid::from_u128(7)));
        assert_ne!(record_id(Uuid::from_u128(7)), record_id(Uuid::from_u128(8)));
    }
}
