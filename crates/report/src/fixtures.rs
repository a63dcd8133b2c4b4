//! Synthetic reports for tests and timing. Invented school and people; non-ASCII on purpose.

use crate::model::*;
use qar_core::framework::framework;
use qar_core::report_template::template_for;

const BODIES: &[(&str, &str)] = &[
    ("context", "Ysgol Gymraeg Llanfair — Cymraeg is a bilingual primary school of 412 pupils; leaders asked the team to look at ‘reading for pleasure’ and how staff use the phrase “independent learner”.\n\nPupils greet visitors with “Bore da” and talk about the ŵ and ŷ they learnt this week."),
    ("leadership_www", "Leaders at all levels share one clear picture of the school — its strengths and what comes next.\n\nThe headteacher, Siân Prȳs-Jones, has built a team in which middle leaders ‘own’ their subjects."),
    ("leadership_ebi", "Middle leaders could check the impact of their actions on pupils’ learning more often — not only through book looks."),
    ("provision_outcomes_www", "Teaching builds vocabulary deliberately; pupils used words such as “photosynthesis” accurately in Year 4."),
    ("provision_outcomes_ebi", "Questioning could probe further, so that pupils explain *why* — not just *what*."),
    ("disadvantaged_additional_needs_www", "Disadvantaged pupils are known as individuals; adaptations are planned — not improvised."),
    ("disadvantaged_additional_needs_ebi", "Leaders could track attendance of pupils with additional needs weekly, as they do for reading."),
    ("area_of_excellence", "Bilingual reading: older pupils read to younger ones in Cymraeg and English — the team saw this working in every class."),
    ("next_steps", "The school would welcome links with other bilingual schools in the hub — especially on early reading."),
];

/// A complete report with every 2019 section written, still a draft.
pub fn fixture() -> ReportDocument {
    let fw = framework("2019").expect("2019 framework");
    let t = template_for("2019").expect("2019 template");
    let values = ["Leading", "Effective", "Working Towards Effective"];
    let estimates = fw
        .areas
        .iter()
        .zip(values)
        .map(|(a, v)| EstimateLine {
            area_code: a.code.to_owned(),
            area_label: a.label.to_owned(),
            value_label: v.to_owned(),
            rationale: format!("Agreed with the headteacher on day 3 — see ‘{}’.", a.label),
        })
        .collect();
    let sections = t
        .sections
        .iter()
        .map(|s| SectionBlock {
            code: s.code.clone(),
            title: s.title.clone(),
            kind: s.kind,
            area_label: s.area_code.as_deref().and_then(|c| fw.area(c).ok()).map(|a| a.label.to_owned()),
            body: BODIES.iter().find(|(c, _)| *c == s.code).map(|(_, b)| (*b).to_owned()).unwrap_or_default(),
        })
        .collect();
    ReportDocument {
        school_name: "Ysgol Gymraeg Llanfair — Cymraeg".into(),
        school_urn: "999123".into(),
        visit_days: vec!["Tuesday 4 March 2025".into(), "Wednesday 5 March 2025".into(), "Thursday 6 March 2025".into()],
        lead_reviewer: "Siân Prȳs-Jones".into(),
        team: vec![
            TeamLine { name: "Siân Prȳs-Jones".into(), role_label: "Lead Reviewer".into() },
            TeamLine { name: "Dafydd ap Gwŷn".into(), role_label: "Reviewer".into() },
            TeamLine { name: "Zoë O’Connor".into(), role_label: "Reviewer".into() },
        ],
        title: t.title.clone(),
        estimates,
        sections,
        status: ExportStatus::Draft,
    }
}

/// The fixture, approved.
pub fn approved_fixture() -> ReportDocument {
    ReportDocument {
        status: ExportStatus::Approved {
            approved_on: "14 March 2025".into(),
            approved_by: "Gwen Ellis".into(),
            short_hash: "3f9a2c1b".into(),
        },
        ..fixture()
    }
}

/// The fixture with about `words` words of body text spread over its sections, in paragraphs
/// of about 80 words.
pub fn long_fixture(words: usize) -> ReportDocument {
    let mut d = fixture();
    let n = d.sections.len();
    let per_section = words / n;
    const WORDS: &[&str] = &[
        "leaders", "pupils", "curriculum", "reading", "Cymraeg", "‘assessment’", "—", "teaching", "“evidence”",
        "Siân", "outcomes", "attendance", "ŵ", "ŷ", "vocabulary", "confidently", "explained", "the", "and", "of",
    ];
    for (i, s) in d.sections.iter_mut().enumerate() {
        let mut body = String::new();
        for w in 0..per_section {
            if w > 0 {
                body.push_str(if w % 80 == 0 { ".\n\n" } else { " " });
            }
            body.push_str(WORDS[(w * 7 + i) % WORDS.len()]);
        }
        body.push('.');
        s.body = body;
    }
    d
}
