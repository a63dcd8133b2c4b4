//! The report's shape as data (domain.md §6 is unconfirmed, so sections, titles and word limits
//! live in `templates/*.json`, not in code), the completeness check before submitting, and the
//! content hash an approval is bound to.

use crate::framework::framework;
use crate::ValidationError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Context,
    Www,
    Ebi,
    Aoe,
    NextSteps,
    /// "Progress since the last review": one entry per *Even better if* point of the school's
    /// previous issued report (`previous_review`), each its own section record
    /// (`progress_<n>`). A first review of a school has no entries and shows no such section.
    Progress,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SectionSpec {
    pub code: String,
    pub title: String,
    pub kind: SectionKind,
    /// The framework area a WWW/EBI section belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_code: Option<String>,
    pub guidance: String,
    /// Guidance, not a hard limit: the editor counts words and warns past it.
    pub word_limit: u32,
    /// Submitting needs text in every required section.
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportTemplate {
    pub version: String,
    pub framework_version: String,
    pub title: String,
    pub sections: Vec<SectionSpec>,
}

const TEMPLATE_2019: &str = include_str!("../templates/report-2019.json");

/// The template for a framework version.
pub fn template_for(framework_version: &str) -> Result<&'static ReportTemplate, ValidationError> {
    static T2019: OnceLock<ReportTemplate> = OnceLock::new();
    match framework_version {
        "2019" => Ok(T2019.get_or_init(|| parse(TEMPLATE_2019).expect("the bundled template is valid"))),
        other => Err(ValidationError::UnknownFramework(other.to_owned())),
    }
}

/// Reads and checks a template: codes are codes, areas exist in its framework, no repeats.
pub fn parse(json: &str) -> Result<ReportTemplate, ValidationError> {
    let t: ReportTemplate = serde_json::from_str(json)
        .map_err(|_| ValidationError::WrongType { field: "Report template".into(), expected: "template JSON" })?;
    let fw = framework(&t.framework_version)?;
    let mut seen: Vec<&str> = Vec::new();
    for s in &t.sections {
        crate::entities::check_code("Report section", &s.code)?;
        if let Some(area) = &s.area_code {
            fw.area(area)?;
        }
        if seen.contains(&s.code.as_str()) {
            return Err(ValidationError::WrongType { field: format!("Report section '{}'", s.code), expected: "each section once" });
        }
        seen.push(&s.code);
    }
    Ok(t)
}

/// The id of a review's section record: the same on every laptop, so two drafts of one section
/// meet as one record (and disagree as a conflict) instead of becoming two sections.
pub fn section_id(review_id: Uuid, code: &str) -> Uuid {
    Uuid::new_v5(&review_id, format!("report_section:{code}").as_bytes())
}

/// Words as a reader of the report counts them: runs of non-space characters, citations of
/// notes left out (they are not in the report the school reads).
pub fn word_count(text: &str) -> u32 {
    crate::citation::strip(text).split_whitespace().count() as u32
}

/// What still stops a report from being submitted, in the words the LR sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Missing {
    Estimate { area_code: String, area_label: String },
    Section { code: String, title: String, area_label: Option<String> },
}

/// Every area estimated and every required section written? `estimates` maps area codes to
/// scale codes (blank = not set); `sections` maps section codes to their text.
pub fn missing_for_submit(
    template: &ReportTemplate,
    estimates: &[(String, String)],
    sections: &[(String, String)],
) -> Result<Vec<Missing>, ValidationError> {
    let fw = framework(&template.framework_version)?;
    let mut missing = Vec::new();
    for area in fw.areas {
        let set = estimates.iter().any(|(a, v)| a == area.code && !v.trim().is_empty());
        if !set {
            missing.push(Missing::Estimate { area_code: area.code.to_owned(), area_label: area.label.to_owned() });
        }
    }
    for s in template.sections.iter().filter(|s| s.required) {
        let written = sections.iter().any(|(c, body)| *c == s.code && !body.trim().is_empty());
        if !written {
            let area_label = s.area_code.as_deref().and_then(|a| fw.area(a).ok()).map(|a| a.label.to_owned());
            missing.push(Missing::Section { code: s.code.clone(), title: s.title.clone(), area_label });
        }
    }
    Ok(missing)
}

/// SHA-256 over the report's content: every section's text and every estimate with its
/// rationale, in code order, length-prefixed so no two different reports share an input.
/// Client and server compute it the same way, so "changed since approval" is a comparison.
pub fn content_hash(sections: &[(String, String)], estimates: &[(String, String, String)]) -> String {
    content_hash_with_photos(sections, estimates, &[])
}

/// [`content_hash`] that also covers the photos each section shows (`(section code, photos)`),
/// so an approval binds the photos and their captions too. A report without photos hashes
/// exactly as [`content_hash`] does: approvals given before photos existed stay valid.
pub fn content_hash_with_photos(
    sections: &[(String, String)],
    estimates: &[(String, String, String)],
    photos: &[(String, Vec<crate::report_photos::ReportPhoto>)],
) -> String {
    let mut photos: Vec<_> = photos.iter().filter(|(_, p)| !p.is_empty()).collect();
    photos.sort_by(|a, b| a.0.cmp(&b.0));
    let mut sections: Vec<_> = sections.iter().filter(|(_, b)| !b.trim().is_empty()).collect();
    sections.sort();
    let mut estimates: Vec<_> = estimates.iter().collect();
    estimates.sort();
    let mut h = Sha256::new();
    let mut put = |s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    for (code, body) in sections {
        put("s");
        put(code);
        put(body);
    }
    for (area, value, rationale) in estimates {
        put("e");
        put(area);
        put(value);
        put(rationale);
    }
    // The photos' order is the order printed, so it is hashed as chosen.
    for (code, list) in photos {
        for p in list {
            put("p");
            put(code);
            put(&p.attachment_id);
            put(&p.caption);
        }
    }
    let digest = h.finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(a: &str, b: &str) -> (String, String) {
        (a.into(), b.into())
    }

    #[test]
    fn bundled_template_parses_and_covers_every_area() {
        let t = template_for("2019").unwrap();
        let fw = framework("2019").unwrap();
        for area in fw.areas {
            assert!(t.sections.iter().any(|s| s.area_code.as_deref() == Some(area.code) && s.kind == SectionKind::Www));
            assert!(t.sections.iter().any(|s| s.area_code.as_deref() == Some(area.code) && s.kind == SectionKind::Ebi));
        }
        assert!(template_for("1999").is_err());
    }

    #[test]
    fn templates_with_unknown_areas_or_repeats_are_refused() {
        let bad_area = TEMPLATE_2019.replace("\"area_code\": \"leadership\"", "\"area_code\": \"behaviour\"");
        assert!(parse(&bad_area).unwrap_err().to_string().contains("behaviour"));
        let repeat = TEMPLATE_2019.replace("\"code\": \"leadership_ebi\"", "\"code\": \"leadership_www\"");
        assert!(parse(&repeat).unwrap_err().to_string().contains("each section once"));
    }

    #[test]
    fn missing_lists_unset_estimates_and_empty_required_sections() {
        let t = template_for("2019").unwrap();
        let est = vec![s("leadership", "effective"), s("provision_outcomes", " ")];
        let secs: Vec<_> = t.sections.iter().filter(|x| x.code != "next_steps").map(|x| s(&x.code, "Written.")).collect();
        let m = missing_for_submit(t, &est, &secs).unwrap();
        let codes: Vec<String> = m
            .iter()
            .map(|m| match m {
                Missing::Estimate { area_code, .. } => area_code.clone(),
                Missing::Section { code, .. } => code.clone(),
            })
            .collect();
        assert_eq!(codes, ["provision_outcomes", "disadvantaged_additional_needs", "next_steps"]);
    }

    #[test]
    fn hash_ignores_order_and_blank_sections_but_sees_any_edit() {
        let a =
            content_hash(&[s("context", "A"), s("aoe", "B"), s("next_steps", " ")], &[("leadership".into(), "leading".into(), "r".into())]);
        let b = content_hash(&[s("aoe", "B"), s("context", "A")], &[("leadership".into(), "leading".into(), "r".into())]);
        assert_eq!(a, b);
        let c = content_hash(&[s("aoe", "B"), s("context", "A.")], &[("leadership".into(), "leading".into(), "r".into())]);
        assert_ne!(a, c);
        // Length prefixes: moving text between fields changes the hash.
        assert_ne!(content_hash(&[s("ab", "c")], &[]), content_hash(&[s("a", "bc")], &[]));
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn photos_count_in_the_hash_only_when_there_are_some() {
        use crate::report_photos::ReportPhoto;
        let sections = [s("area_of_excellence", "Reading")];
        let plain = content_hash(&sections, &[]);
        assert_eq!(content_hash_with_photos(&sections, &[], &[("area_of_excellence".into(), vec![])]), plain);
        let photo = |id: &str, caption: &str| ReportPhoto { attachment_id: id.into(), caption: caption.into() };
        let one = content_hash_with_photos(&sections, &[], &[("area_of_excellence".into(), vec![photo("a", "Display")])]);
        assert_ne!(one, plain);
        let reworded = content_hash_with_photos(&sections, &[], &[("area_of_excellence".into(), vec![photo("a", "Display.")])]);
        assert_ne!(one, reworded, "the caption is approved with the photo");
        let both = |x, y| content_hash_with_photos(&sections, &[], &[("area_of_excellence".into(), vec![photo(x, ""), photo(y, "")])]);
        assert_ne!(both("a", "b"), both("b", "a"), "the order printed is the order approved");
    }

    #[test]
    fn words_are_counted_like_a_reader_would() {
        assert_eq!(word_count("  Pupils  read\nwidely. "), 3);
        assert_eq!(word_count(""), 0);
    }
}
