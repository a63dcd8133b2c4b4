//! What the realistic workloads write, generated once and deterministically, so ours and the
//! PouchDB anchor move the same text and the same photo bytes (issue 25 point 2). Built from the
//! demo's shape (`crates/server/src/store/demo.rs`): a Lead Reviewer with five reviews, one in
//! its visit and four being drafted, each with notes from the LR and a team member, an estimate
//! per framework area and, once drafting, every section of the report. Text comes from the
//! synthetic generator the 10,000-note rows use (`crate::workload`, ~2 KB notes).

use crate::workload::generate;
use qar_client::NewEvidence;
use serde::Serialize;

/// Notes each review already holds when the LR signs in on a new laptop (half by the LR, half
/// by a team member): a two-day visit writes about this many.
pub const NOTES_PER_REVIEW: usize = 48;
/// The review in its visit has its first morning's notes only.
pub const NOTES_IN_VISIT: usize = 24;
/// A day of a visit (issue 25): 40 notes of ~2 KB and 60 edits.
pub const DAY_NOTES: usize = 40;
pub const DAY_EDITS: usize = 60;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewPlan {
    pub school_name: String,
    pub school_urn: String,
    pub start_date: String,
    /// `in_visit` or `drafting`: where the review stands when the LR signs in.
    pub state: String,
    /// Review id left empty: each side fills in its own.
    pub notes: Vec<NewEvidence>,
    /// (area code, value, rationale)
    pub estimates: Vec<Estimate>,
    /// Every section of the report template (reviews past their visit).
    pub sections: Vec<Section>,
    /// The hub coordinator's comments on a returned report.
    pub comments: Vec<Comment>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comment {
    pub target: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub area_code: String,
    pub value: String,
    pub rationale: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub code: String,
    pub body: String,
}

/// One step of the day in the order it is made: a new note, or an edit of one of the day's notes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayStep {
    Add { note: usize },
    Edit { note: usize, field: String, value: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Content {
    pub reviews: Vec<ReviewPlan>,
    /// The day's notes, on the first review (the one in its visit).
    pub day_notes: Vec<NewEvidence>,
    pub day: Vec<DayStep>,
}

/// The demo's three reviews (in the demo hub, so the hub coordinator can return one with
/// comments) and two more the LR made herself.
const SCHOOLS: [(&str, &str, &str, &str); 5] = [
    ("Kestrel Brook Primary School", "990101", "2026-11-24", "in_visit"),
    ("Heron Vale Academy", "990102", "2027-01-19", "returned"),
    ("Larkspur Hill Church of England Primary School", "990103", "2027-03-09", "drafting"),
    ("Curlew Fold Junior School", "990204", "2026-09-29", "drafting"),
    ("Wrenfield Infant and Nursery School", "990205", "2026-09-15", "drafting"),
];

/// Where each review's comments point, when its report was returned.
const COMMENT_TARGETS: [&str; 3] = ["section:leadership_ebi", "section:provision_outcomes_www", "section:next_steps"];

/// The whole workload; the same every time.
pub fn generate_content() -> Content {
    let total = SCHOOLS.len() * NOTES_PER_REVIEW + DAY_NOTES;
    let mut pool = generate(total, "").notes.into_iter();
    let template = qar_core::report_template::template_for("2019").expect("the 2019 template ships with qar-core");
    let areas = &qar_core::framework::framework("2019").expect("the 2019 framework ships with qar-core").areas;
    let mut reviews = Vec::new();
    for (i, (school, urn, start, state)) in SCHOOLS.iter().enumerate() {
        let count = if *state == "in_visit" { NOTES_IN_VISIT } else { NOTES_PER_REVIEW };
        let notes: Vec<NewEvidence> = pool.by_ref().take(count).collect();
        let text = |k: usize| notes[k % notes.len()].notes.clone();
        let estimates = areas
            .iter()
            .enumerate()
            .map(|(a, area)| Estimate {
                area_code: area.code.to_owned(),
                value: ["effective", "leading", "effective"][(i + a) % 3].to_owned(),
                // A paragraph of reasons: the first ~500 characters of a note's text.
                rationale: text(a).chars().take(500).collect(),
            })
            .collect();
        let sections = if *state != "in_visit" {
            template
                .sections
                .iter()
                // Progress since the last review has entries only when the school had one.
                .filter(|spec| spec.kind != qar_core::report_template::SectionKind::Progress)
                .enumerate()
                .map(|(s, spec)| Section {
                    code: spec.code.clone(),
                    // A section of a report is a page or so: two notes' worth of text.
                    body: format!("{}\n\n{}", text(2 * s), text(2 * s + 1)),
                })
                .collect()
        } else {
            Vec::new()
        };
        let comments = if *state == "returned" {
            COMMENT_TARGETS
                .iter()
                .enumerate()
                // A comment is a few sentences: about 300 characters.
                .map(|(c, target)| Comment {
                    target: (*target).into(),
                    text: text(c + 7).chars().take(300).collect::<String>().trim().to_owned(),
                })
                .collect()
        } else {
            Vec::new()
        };
        reviews.push(ReviewPlan {
            school_name: (*school).into(),
            school_urn: (*urn).into(),
            start_date: (*start).into(),
            state: (*state).into(),
            notes,
            estimates,
            sections,
            comments,
        });
    }
    let day_notes: Vec<NewEvidence> = pool.take(DAY_NOTES).collect();
    let mut day = Vec::with_capacity(DAY_NOTES + DAY_EDITS);
    let mut edits = 0;
    for (k, note) in day_notes.iter().enumerate() {
        day.push(DayStep::Add { note: k });
        // Every note is tidied once (its title), every other note twice (its development
        // points too): 40 + 20 = 60 edits, each made soon after the note, as in a visit.
        day.push(DayStep::Edit {
            note: k,
            field: "strengths".into(),
            value: format!("{} Confirmed with the class teacher.", note.strengths),
        });
        edits += 1;
        if k % 2 == 0 {
            day.push(DayStep::Edit {
                note: k,
                field: "development_points".into(),
                value: format!("{} Agreed next step: share the approach across the phase.", note.development_points),
            });
            edits += 1;
        }
    }
    debug_assert_eq!(edits, DAY_EDITS);
    Content { reviews, day_notes, day }
}

/// The edit as the app's form saves it.
pub fn edit_of(field: &str, value: &str) -> anyhow::Result<qar_client::EvidenceEdit> {
    use qar_client::EvidenceEdit as E;
    Ok(match field {
        "strengths" => E::Strengths(value.into()),
        "development_points" => E::DevelopmentPoints(value.into()),
        "notes" => E::Notes(value.into()),
        other => anyhow::bail!("the day's workload has no edit of the field {other}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_is_deterministic_and_of_the_stated_sizes() {
        let a = generate_content();
        assert_eq!(a, generate_content());
        assert_eq!(a.reviews.len(), 5);
        assert_eq!(a.reviews.iter().filter(|r| r.state == "in_visit").count(), 1);
        assert_eq!(a.reviews[0].notes.len(), NOTES_IN_VISIT);
        assert!(a.reviews[1..].iter().all(|r| r.notes.len() == NOTES_PER_REVIEW && !r.sections.is_empty() && r.estimates.len() == 3));
        let returned: Vec<_> = a.reviews.iter().filter(|r| !r.comments.is_empty()).collect();
        assert_eq!((returned.len(), returned[0].state.as_str(), returned[0].comments.len()), (1, "returned", 3));
        assert!(returned[0].comments.iter().all(|c| (200..=300).contains(&c.text.len())));
        assert_eq!(a.day_notes.len(), DAY_NOTES);
        let adds = a.day.iter().filter(|s| matches!(s, DayStep::Add { .. })).count();
        assert_eq!((adds, a.day.len() - adds), (DAY_NOTES, DAY_EDITS));
        // Notes of about 2 KB of JSON each, as the issue states.
        let mean = a.day_notes.iter().map(|n| serde_json::to_vec(n).unwrap().len()).sum::<usize>() / DAY_NOTES;
        assert!((1_700..2_400).contains(&mean), "mean JSON size of a day's note: {mean}");
        // No note appears twice across reviews and the day.
        let mut texts: Vec<&str> =
            a.reviews.iter().flat_map(|r| r.notes.iter()).chain(a.day_notes.iter()).map(|n| n.notes.as_str()).collect();
        let all = texts.len();
        texts.sort_unstable();
        texts.dedup();
        assert_eq!(texts.len(), all);
    }
}
