//! Synthetic reports for tests, timings and previews. The school and every person are invented;
//! the text is full of non-ASCII on purpose (Welsh ŵ ŷ ȳ, accents, curly quotes, em dashes) so
//! both renderers are always exercised on it.

use crate::model::*;
use qar_core::framework::framework;
use qar_core::report_template::{content_hash, template_for};

/// Section bodies by template code, for the 2019 template.
const BODIES: &[(&str, &str)] = &[
    ("context", "Ysgol Gymraeg Llanfair — Cymraeg is a bilingual primary school of 412 pupils. Leaders asked the team to look at ‘reading for pleasure’ and at how staff use the phrase “independent learner”.\n\nPupils greet visitors with “Bore da” and talk confidently about the letters “ŵ ŷ” they learnt this week."),
    ("leadership_www", "Leaders at all levels share one clear picture of the school — its strengths and what comes next.\n\nThe headteacher, Gwenllïan Hughes, has built a team in which middle leaders ‘own’ their subjects and can say why each unit sits where it does."),
    ("leadership_ebi", "Middle leaders could check the impact of their actions on pupils’ learning more often — not only through book looks."),
    ("provision_outcomes_www", "Teaching builds vocabulary deliberately; pupils in Year 4 used words such as “photosynthesis” and “cydweithio” accurately and without prompting."),
    ("provision_outcomes_ebi", "Questioning could probe further, so that pupils explain why — not just what."),
    ("disadvantaged_additional_needs_www", "Disadvantaged pupils are known as individuals; adaptations are planned — not improvised — and reviewed every half term with parents."),
    ("disadvantaged_additional_needs_ebi", "Leaders could track the attendance of pupils with additional needs weekly, as they already do for reading."),
    ("area_of_excellence", "Bilingual reading: older pupils read to younger ones in Cymraeg and English. The team saw this working in every class — Siân Prȳs-Jones called it “the best reading culture I have seen this year”."),
    ("next_steps", "The school would welcome links with other bilingual schools in the hub — especially on early reading and on assessment in Welsh."),
];

/// Estimate value codes for the three 2019 areas, in area order.
const VALUES: [&str; 3] = ["leading", "effective", "working_towards_effective"];

/// A complete 2019 report for "Ysgol Gymraeg Llanfair — Cymraeg" (URN 999123, visited
/// 4–6 March 2025, Lead Reviewer Siân Prȳs-Jones): every section written, every area estimated,
/// still a [`ReportStatus::Draft`].
pub fn fixture() -> ReportDocument {
    let fw = framework("2019").expect("2019 framework");
    let template = template_for("2019").expect("2019 template").clone();
    let estimates = fw
        .areas
        .iter()
        .zip(VALUES)
        .map(|(a, v)| EstimateRow {
            area_code: a.code.to_owned(),
            area_label: a.label.to_owned(),
            value_label: fw.scale_value(v).expect("2019 scale value").label.to_owned(),
            rationale: format!("Agreed with the headteacher on day 3 — see ‘{}’ below.", a.label),
        })
        .collect();
    let sections = template
        .sections
        .iter()
        .filter_map(|s| BODIES.iter().find(|(c, _)| *c == s.code))
        .map(|(code, body)| SectionText { code: (*code).to_owned(), body: (*body).to_owned() })
        .collect();
    ReportDocument {
        school_name: "Ysgol Gymraeg Llanfair — Cymraeg".into(),
        school_urn: "999123".into(),
        visit_days: vec!["2025-03-04".into(), "2025-03-05".into(), "2025-03-06".into()],
        lead_reviewer: "Siân Prȳs-Jones".into(),
        team: vec![
            ("Siân Prȳs-Jones".into(), "Lead Reviewer".into()),
            ("Dafydd ap Gwŷn".into(), "Reviewer".into()),
            ("Zoë O’Connor".into(), "Reviewer".into()),
            ("Renée Okafor-Björk".into(), "Shadow Reviewer".into()),
        ],
        framework_version: "2019".into(),
        template,
        area_labels: fw.areas.iter().map(|a| (a.code.to_owned(), a.label.to_owned())).collect(),
        estimates,
        sections,
        progress: Vec::new(),
        photos: Vec::new(),
        status: ReportStatus::Draft,
    }
}

/// [`fixture`] as a second review of the school: two points of the last report, one answered.
pub fn progress_fixture() -> ReportDocument {
    ReportDocument {
        progress: vec![
            crate::ProgressEntry {
                area_label: "Leadership at all levels".into(),
                point: "Middle leaders check the impact of their plans.".into(),
                found: "Subject leaders now review their plans each half-term with the deputy head.\n\nGovernors hear the findings.".into(),
            },
            crate::ProgressEntry {
                area_label: "The quality of provision and outcomes".into(),
                point: "Phonics pace in Year 1 is brisk in every group.".into(),
                found: String::new(),
            },
        ],
        ..fixture()
    }
}

/// The first 12 hex digits of [`fixture`]'s content hash, as the server would bind an approval.
pub fn fixture_short_hash() -> String {
    short_hash(&fixture())
}

fn short_hash(d: &ReportDocument) -> String {
    let sections: Vec<(String, String)> = d.sections.iter().map(|s| (s.code.clone(), s.body.clone())).collect();
    let estimates: Vec<(String, String, String)> =
        d.estimates.iter().zip(VALUES).map(|(e, v)| (e.area_code.clone(), v.to_owned(), e.rationale.clone())).collect();
    content_hash(&sections, &estimates)[..12].to_owned()
}

/// [`fixture`], approved by Gwen Ellis on 14 March 2025.
pub fn approved_fixture() -> ReportDocument {
    ReportDocument {
        status: ReportStatus::Approved {
            approved_on: "2025-03-14".into(),
            approved_by: "Gwen Ellis".into(),
            short_hash: fixture_short_hash(),
        },
        ..fixture()
    }
}

/// [`fixture`], issued to the school as version 2 on 24 March 2025.
pub fn issued_fixture() -> ReportDocument {
    ReportDocument {
        status: ReportStatus::Issued {
            version: 2,
            issued_on: "2025-03-24".into(),
            approved_by: "Gwen Ellis".into(),
            short_hash: fixture_short_hash(),
        },
        ..fixture()
    }
}

/// [`fixture`] with about `words` words of body text spread evenly over its sections, in
/// paragraphs of about 80 words (a long real report is ~3,000).
pub fn long_fixture(words: usize) -> ReportDocument {
    const WORDS: &[&str] = &[
        "leaders",
        "pupils",
        "curriculum",
        "reading",
        "Cymraeg",
        "‘assessment’",
        "—",
        "teaching",
        "“evidence”",
        "Siân",
        "outcomes",
        "attendance",
        "ŵ",
        "ŷ",
        "vocabulary",
        "confidently",
        "explained",
        "the",
        "and",
        "of",
    ];
    let mut d = fixture();
    let per_section = words / d.sections.len().max(1);
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

/// [`fixture`] with a photo of a reading display under its Area of Excellence.
pub fn photo_fixture() -> ReportDocument {
    ReportDocument {
        photos: vec![crate::ReportFigure {
            section_code: "area_of_excellence".into(),
            attachment_id: "00000000-0000-4000-8000-000000000019".into(),
            caption: "The Year 4 reading corner — “Darllen yw’r allwedd”".into(),
            mime: "image/png".into(),
            sha256: String::new(),
            bytes: photo_png(640, 400),
        }],
        ..fixture()
    }
}

/// A `w`×`h` RGB PNG of a soft colour gradient: a stand-in photo, written without an image
/// library (stored deflate blocks), so the report crate needs none.
pub fn photo_png(w: u32, h: u32) -> Vec<u8> {
    let mut raw = Vec::with_capacity(((w * 3 + 1) * h) as usize);
    for y in 0..h {
        raw.push(0); // filter: none
        for x in 0..w {
            raw.extend_from_slice(&[(40 + x * 180 / w.max(1)) as u8, (90 + y * 120 / h.max(1)) as u8, 160]);
        }
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in &raw {
        a = (a + u32::from(*byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", ihdr.as_slice()), (b"IDAT", zlib.as_slice()), (b"IEND", &[][..])] {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = png.len();
        png.extend_from_slice(kind);
        png.extend_from_slice(data);
        let crc = crc32(&png[start..]);
        png.extend_from_slice(&crc.to_be_bytes());
    }
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}
