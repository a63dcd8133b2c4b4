//! Synthetic history for the demo (issue 23, point 4): issued reviews over three academic years
//! for a few dozen invented schools in two hubs, with estimates, "Even better if" points, an Area
//! of Excellence each and the head teachers' consents, so the register, the hub insights and
//! "the previous review" have something to show at once. Every school, person and sentence is
//! invented (URNs 9902xx/9903xx, ZZ99 postcodes, e-mail on example.org). Deterministic: the same
//! data folder gets the same records, derived from indices by a fixed mixing function, never
//! from a random source. One transaction; a second call changes nothing.

use super::audit_log::{self, Event};
use super::demo::DEMO_HUB_ID;
use super::push::max_server_seq;
use super::records::{self, Ctx};
use super::register::{self, RegisterDescription};
use super::report_versions;
use super::workflow::report_hash_of;
use super::{access, clock, ServerStore, StoreError};
use crate::store::db::{params, Transaction};
use qar_core::entities::TeamRole;
use qar_core::report_template::section_id;
use qar_core::EntityKind;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The second demo hub.
pub const HISTORY_HUB_ID: &str = "hub-moorland-estuary";
/// The academic years of the history, by the calendar year each starts in (2023 = 2023/24).
pub const HISTORY_YEARS: [u16; 3] = [2023, 2024, 2025];
/// Schools in each hub besides the three of the original demo (which join the first hub's history).
const SCHOOLS_PER_HUB: u32 = 15;
/// The audit chain's actor for what the seed issued.
const SEED_DEVICE: &str = "demo-seed";

const NAME_FIRST: [&str; 15] = [
    "Alder", "Bramble", "Curlew", "Dunlin", "Fernwick", "Gorse", "Hawthorn", "Juniper", "Linnet", "Meadow", "Plover", "Rowan", "Teasel",
    "Vetch", "Yarrow",
];
const NAME_SECOND: [&str; 6] = ["Garth", "Combe", "Holt", "Dene", "Mere", "Ley"];
/// (phase, kind of school)
const KINDS: [(&str, &str); 5] = [
    ("Primary", "Primary School"),
    ("Primary", "Community Primary School"),
    ("Secondary", "Academy"),
    ("Primary", "Church of England Primary School"),
    ("All-through", "School"),
];
/// (hub id, hub name, region, local authorities)
const HUBS: [(&str, &str, &str, [&str; 3]); 2] = [
    (DEMO_HUB_ID, "Riverside & Fells Hub", "North West", ["Fellside", "Westmere", "Ravensholm"]),
    (HISTORY_HUB_ID, "Moorland & Estuary Hub", "South West", ["Tarrowby", "Combe Estuary", "Brackenmoor"]),
];
const HEAD_FIRST: [&str; 8] = ["Morwenna", "Idris", "Saoirse", "Tobias", "Ngozi", "Henrietta", "Caspian", "Wren"];
const HEAD_LAST: [&str; 8] = ["Pendleford", "Ashcombe", "Tregarthen", "Oakhurst", "Winterbourne", "Fairclough", "Larchmont", "Quenby"];

/// Invented reviewers and the second hub's coordinator: (id, name, e-mail, role, hub).
const PEOPLE: [(&str, &str, &str, &str, &str); 5] = [
    ("user-demo-lr-imogen", "Imogen Thwaite-Carrow", "imogen.thwaite-carrow@example.org", "lead_reviewer", DEMO_HUB_ID),
    ("user-demo-lr-callum", "Callum Ashdown-Reeve", "callum.ashdown-reeve@example.org", "lead_reviewer", HISTORY_HUB_ID),
    ("user-demo-rv-priya", "Priya Vellacott", "priya.vellacott@example.org", "reviewer", HISTORY_HUB_ID),
    ("user-demo-rv-joss", "Joss Merriweather", "joss.merriweather@example.org", "reviewer", DEMO_HUB_ID),
    ("user-demo-hc-tamsin", "Tamsin Polglaze-Hart", "tamsin.polglaze-hart@example.org", "hub_coordinator", HISTORY_HUB_ID),
];

/// (title, summary, themes, areas, disadvantaged focus): the Areas of Excellence schools put forward.
type Aoe = (&'static str, &'static str, &'static [&'static str], &'static [&'static str], bool);
const AOES: [Aoe; 12] = [
    ("Early reading for every child", "Daily phonics with same-day catch-up: no pupil leaves Reception behind. Disadvantaged pupils read to an adult every day and the gap at the phonics check has closed for three years.", &["early_reading", "disadvantaged_attainment"], &["provision_outcomes", "disadvantaged_additional_needs"], true),
    ("Talk for learning across the curriculum", "Structured talk routines in every lesson; pupils build on each other's ideas with sentence stems. Oracy is planned as carefully as writing.", &["oracy", "curriculum_design"], &["provision_outcomes"], false),
    ("Inclusive classrooms for pupils with SEND", "Adaptive teaching rather than separate work: teachers plan scaffolds with the SENCo, and pupils with EHC plans learn in class for most of the day.", &["send_inclusion"], &["disadvantaged_additional_needs", "provision_outcomes"], true),
    ("Mastery mathematics in mixed-attainment classes", "Small steps, concrete and pictorial models, and rapid same-day intervention keep every pupil on the same content.", &["mathematics", "assessment_feedback"], &["provision_outcomes"], false),
    ("Attendance: knowing every family", "A pastoral team that visits on the first day of absence; persistent absence among disadvantaged pupils fell by a third in two years.", &["attendance", "family_engagement", "disadvantaged_attainment"], &["disadvantaged_additional_needs", "leadership"], true),
    ("Growing middle leaders", "Subject leaders coach one another in triads with protected time; curriculum decisions are theirs and they can explain them.", &["staff_development"], &["leadership"], false),
    ("Reading for pleasure in Key Stage 3", "Tutor-time reading of shared novels, a librarian who knows every reader, and book talk led by pupils.", &["reading_for_pleasure"], &["provision_outcomes"], false),
    ("Feedback that pupils act on", "Whole-class feedback replaces written marking; pupils redraft in lesson and teachers see the change.", &["assessment_feedback", "writing"], &["provision_outcomes"], false),
    ("Smooth transition from Year 6 to Year 7", "Shared curriculum units with the feeder primaries and a summer school aimed at disadvantaged pupils.", &["transition", "disadvantaged_attainment"], &["disadvantaged_additional_needs"], true),
    ("Pupils new to English thrive", "A welcome programme and vocabulary teaching that helps pupils with English as an additional language join lessons within weeks.", &["eal", "send_inclusion"], &["disadvantaged_additional_needs"], true),
    ("Science through enquiry", "Pupils plan their own fair tests from Year 2; the curriculum builds disciplinary knowledge year on year.", &["science", "curriculum_design"], &["provision_outcomes"], false),
    ("Calm, purposeful corridors", "Consistent routines explained to pupils, and restorative conversations led by trained staff.", &["behaviour_culture", "wellbeing"], &["leadership"], false),
];

/// "Even better if" points per area: each section has two, one per paragraph, which is how
/// `qar_core::previous_review::split_points` tells points apart (a single line break is only a
/// line break inside one point).
const EBIS: [(&str, [&str; 4]); 3] = [
    (
        "leadership",
        [
            "Governors check the impact of the pupil premium strategy, not only what was spent.",
            "Middle leaders visit lessons in other subjects to compare how well the curriculum is taught.",
            "Leaders share the school's improvement priorities with all staff in fewer, sharper words.",
            "The trust's checks on safeguarding records are written up and followed through.",
        ],
    ),
    (
        "provision_outcomes",
        [
            "Pupils write at length more often in the foundation subjects.",
            "Teachers check understanding before moving the whole class on.",
            "Homework builds on what was taught that week.",
            "Pupils in Key Stage 2 read a wider range of texts, including non-fiction.",
        ],
    ),
    (
        "disadvantaged_additional_needs",
        [
            "Plans for pupils with SEND set targets that teachers use in every lesson.",
            "Disadvantaged pupils take part in clubs and trips as often as their peers.",
            "Teaching assistants are briefed before lessons, not during them.",
            "Attendance of disadvantaged pupils is tracked weekly and acted on.",
        ],
    ),
];
const WWWS: [&str; 4] = [
    "Leaders know the school well and their plans are precise.",
    "Lessons start promptly and pupils settle to work quickly.",
    "Pupils explain their learning confidently and use subject vocabulary.",
    "Adults know each pupil's needs and adapt support with care.",
];
const SCALE: [&str; 4] = ["leading", "effective", "working_towards_effective", "ineffective"];

/// A fixed mixing function (splitmix64): the same inputs give the same "choices" every time.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn pick(seed: u64, n: usize) -> usize {
    (mix(seed) % n as u64) as usize
}

/// One school of the history.
struct School {
    urn: String,
    name: String,
    phase: &'static str,
    hub: usize,
    /// Percentage of pupils eligible for free school meals (the insights compare it).
    fsm: f64,
}

/// The three original demo schools (already in the first hub) and the invented ones.
fn schools() -> Vec<School> {
    let mut out: Vec<School> = super::demo::SCHOOLS
        .iter()
        .enumerate()
        .map(|(i, (urn, name, phase, ..))| School { urn: (*urn).into(), name: (*name).into(), phase, hub: 0, fsm: [31.5, 18.2, 24.0][i] })
        .collect();
    for hub in 0..2u32 {
        for i in 0..SCHOOLS_PER_HUB {
            let n = (hub * SCHOOLS_PER_HUB + i) as u64;
            let (phase, kind) = KINDS[pick(n * 7 + 1, KINDS.len())];
            let first = NAME_FIRST[((i + hub * 4) as usize) % NAME_FIRST.len()];
            let second = NAME_SECOND[pick(n * 7 + 2, NAME_SECOND.len())];
            out.push(School {
                urn: format!("990{}{:02}", hub + 2, i + 1),
                name: format!("{first} {second} {kind}"),
                phase,
                hub: hub as usize,
                fsm: 6.0 + (mix(n * 7 + 3) % 420) as f64 / 10.0,
            });
        }
    }
    out
}

/// The review id of a school's history review in an academic year (stable across seeds).
pub fn history_review_id(urn: &str, year: u16) -> Uuid {
    Uuid::new_v5(&Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_2300), format!("demo-history:{urn}:{year}").as_bytes())
}

/// Does this school have a review in this year? Most do; a few skip a year, so the register
/// and the charts are not a perfect grid. The original demo schools always have last year's,
/// so each of their current reviews has a previous one to build on.
fn reviewed(index: usize, year: u16) -> bool {
    (index < super::demo::SCHOOLS.len() && year == HISTORY_YEARS[2]) || !mix(index as u64 * 31 + year as u64).is_multiple_of(5)
}

impl ServerStore {
    /// Loads the demo history (after [`ServerStore::seed_demo`], whose hub and people it uses)
    /// once per data folder; later calls change nothing. `qar-server --demo --demo-history` and
    /// `./x run` call it; tests that count the demo's reviews or audit entries do not.
    pub fn seed_demo_history(&self, now_ms: u64) -> Result<(), StoreError> {
        let mut conn = self.writer();
        let mut clock = self.clock();
        let tx = conn.transaction()?;
        clock::catch_up(&tx, &mut clock)?;
        let mut ctx = Ctx { clock: &mut clock, seq: max_server_seq(&tx)?, now_ms };
        seed_history(&tx, &mut ctx)?;
        // The demo reviews now have issued history to build on (issue 23): link it as
        // scheduling would, so `./x run` shows a previous review while preparing.
        super::demo::link_demo_reviews(&tx, &mut ctx)?;
        let seq = ctx.seq;
        clock::save(&tx, &clock)?;
        tx.commit()?;
        drop(clock);
        drop(conn);
        self.announce(seq);
        Ok(())
    }
}

/// Loads the history once per data folder (marked in `meta`); later calls change nothing.
fn seed_history(tx: &Transaction, ctx: &mut Ctx) -> Result<(), StoreError> {
    if tx.prepare("SELECT 1 FROM meta WHERE key = 'demo_history_seeded'")?.exists([])? {
        return Ok(());
    }
    let (_, name, region, _) = HUBS[1];
    tx.execute("INSERT OR IGNORE INTO hubs(id, name, region) VALUES (?1, ?2, ?3)", params![HISTORY_HUB_ID, name, region])?;
    tx.execute("UPDATE hubs SET region = ?2 WHERE id = ?1 AND region = ''", params![DEMO_HUB_ID, HUBS[0].2])?;
    for (id, name, email, role, hub) in PEOPLE {
        tx.execute(
            "INSERT OR IGNORE INTO users(id, name, email, role, hub_id) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, name, email, role, hub],
        )?;
        if role == "hub_coordinator" {
            tx.execute("INSERT OR IGNORE INTO user_roles(user_id, role, hub_id) VALUES (?1, 'hub_coordinator', ?2)", params![id, hub])?;
        }
    }
    let schools = schools();
    for (i, s) in schools.iter().enumerate() {
        let (hub_id, _, region, las) = HUBS[s.hub];
        let la = las[i % las.len()];
        let head = (HEAD_FIRST[pick(i as u64 * 11, 8)], HEAD_LAST[pick(i as u64 * 13 + 5, 8)]);
        let pupils = if s.phase == "Primary" { 180 + mix(i as u64) % 300 } else { 600 + mix(i as u64) % 900 };
        tx.execute(
            "INSERT INTO schools(urn, establishment_name, phase, la_name, postcode, hub_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(urn) DO NOTHING",
            params![s.urn, s.name, s.phase, la, format!("ZZ99 {}{}", 4 + i % 5, ["AB", "CD", "EF", "GH"][i % 4]), hub_id],
        )?;
        tx.execute(
            "UPDATE schools SET region = ?2, percentage_fsm = ?3, number_of_pupils = ?4, head_first_name = ?5, head_last_name = ?6,
                 status = 'Open' WHERE urn = ?1",
            params![s.urn, region, s.fsm, pupils as i64, head.0, head.1],
        )?;
    }
    for (i, s) in schools.iter().enumerate() {
        for year in HISTORY_YEARS {
            if reviewed(i, year) {
                seed_issued_review(tx, ctx, i, s, year)?;
            }
        }
    }
    tx.execute("INSERT INTO meta(key, value) VALUES ('demo_history_seeded', ?1)", [ctx.now_ms.to_string()])?;
    Ok(())
}

/// The visit's first day: a school day between October and June of the academic year.
fn start_date(index: usize, year: u16) -> String {
    let month = [10u16, 11, 1, 2, 3, 5, 6][pick(index as u64 * 17 + year as u64, 7)];
    let calendar_year = if month >= 9 { year } else { year + 1 };
    format!("{calendar_year}-{month:02}-{:02}", 3 + pick(index as u64 * 19 + year as u64, 22))
}

fn day_ms(date: &str) -> u64 {
    let d = qar_core::calendar::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("a seed date");
    d.and_hms_opt(12, 0, 0).expect("noon").and_utc().timestamp_millis() as u64
}

/// An estimate for one area: mostly effective, some leading, fewer weaker. The disadvantaged
/// area leans weaker where more pupils are eligible for free school meals, as in the published
/// pattern the insights are meant to show.
fn estimate(seed: u64, area: &str, fsm: f64) -> &'static str {
    let roll = mix(seed) % 100;
    let shift = if area == "disadvantaged_additional_needs" { (fsm / 2.0) as u64 } else { 0 };
    match roll + shift {
        0..=19 => SCALE[0],
        20..=69 => SCALE[1],
        70..=94 => SCALE[2],
        _ => SCALE[3],
    }
}

fn seed_issued_review(tx: &Transaction, ctx: &mut Ctx, index: usize, s: &School, year: u16) -> Result<(), StoreError> {
    let rid = history_review_id(&s.urn, year);
    let rid_text = rid.to_string();
    let seed = index as u64 * 1_000 + year as u64;
    let start = start_date(index, year);
    let issued_ms = day_ms(&start) + 30 * 86_400_000;
    let (lead, reviewer, coordinator) = if s.hub == 0 {
        (
            if index.is_multiple_of(2) { "user-anika-marsh" } else { PEOPLE[0].0 },
            if index.is_multiple_of(3) { "user-owen-pritchard" } else { PEOPLE[3].0 },
            "user-hollie-brennan",
        )
    } else {
        (PEOPLE[1].0, PEOPLE[2].0, PEOPLE[4].0)
    };
    let coordinator_name = access::user_name(tx, coordinator)?;
    let review_fields = [
        ("school_name", json!(s.name)),
        ("school_urn", json!(s.urn)),
        ("start_date", json!(start)),
        ("state", json!("issued")),
        ("framework_version", json!("2019")),
    ];
    records::server_write(tx, ctx, EntityKind::Review, &rid_text, &rid_text, &review_fields)?;
    access::place_in_school_hub(tx, &rid_text, &s.urn)?;
    access::add_member(tx, &rid_text, lead, TeamRole::LeadReviewer)?;
    access::add_member(tx, &rid_text, reviewer, TeamRole::Reviewer)?;
    access::refresh_fields(tx, ctx, &rid_text)?;

    for (a, (area, _)) in EBIS.iter().enumerate() {
        let value = estimate(seed * 3 + a as u64, area, s.fsm);
        let rationale =
            format!("The team's estimate for this area, from the evidence of the {} visit.", qar_core::register::academic_year_label(year));
        let fields = [("area_code", json!(area)), ("value", json!(value)), ("rationale", json!(rationale))];
        records::server_write(tx, ctx, EntityKind::Estimate, &Uuid::new_v5(&rid, area.as_bytes()).to_string(), &rid_text, &fields)?;
    }
    let aoe = AOES[pick(seed * 5 + 7, AOES.len())];
    let mut sections: Vec<(String, String)> = vec![
        (
            "context".into(),
            format!(
                "{} is a {} school in the {} area, reviewed in {}.",
                s.name,
                s.phase.to_lowercase(),
                HUBS[s.hub].2,
                qar_core::register::academic_year_label(year)
            ),
        ),
        ("area_of_excellence".into(), format!("{}\n{}", aoe.0, aoe.1)),
        ("next_steps".into(), "Leaders would welcome visits to schools in the hub that lead in the areas above.".into()),
    ];
    for (a, (area, points)) in EBIS.iter().enumerate() {
        let first = pick(seed * 7 + a as u64, points.len());
        let second = (first + 1 + pick(seed * 11 + a as u64, points.len() - 1)) % points.len();
        sections.push((format!("{area}_www"), WWWS[pick(seed * 13 + a as u64, WWWS.len())].into()));
        sections.push((format!("{area}_ebi"), format!("{}\n\n{}", points[first], points[second])));
    }
    for (code, body) in &sections {
        let fields = [("section_code", json!(code)), ("body", json!(body))];
        records::server_write(tx, ctx, EntityKind::ReportSection, &section_id(rid, code).to_string(), &rid_text, &fields)?;
    }
    let hash = report_hash_of(tx, &rid_text)?;
    let approval =
        [("approved_hash", json!(hash)), ("approved_by", json!(coordinator_name)), ("approved_at_ms", json!(issued_ms - 86_400_000))];
    records::server_write(tx, ctx, EntityKind::Review, &rid_text, &rid_text, &approval)?;
    let doc = records::load(tx, EntityKind::Review, &rid_text)?.expect("just written").doc;
    let snapshot = report_versions::snapshot(tx, &rid_text, &doc, 1, &hash, issued_ms, &coordinator_name, "")?;
    let sha256 = hex::encode(Sha256::digest(snapshot.as_bytes()));
    tx.execute(
        "INSERT INTO report_versions (review_id, version, snapshot, sha256, report_hash, issued_ms, issued_by, issued_by_name, reason)
         VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, '')",
        params![rid_text, snapshot, sha256, hash, issued_ms as i64, coordinator, coordinator_name],
    )?;
    // Chained like a real issue, so verify-audit finds every version in the chain.
    let detail = json!({ "report_hash": hash, "version": 1, "sha256": sha256 }).to_string();
    let event = Event { kind: "issue", actor: coordinator, device_id: SEED_DEVICE, subject: &rid_text, detail };
    audit_log::append(tx, &event, ctx.now_ms)?;

    register::draft_on_issue(tx, &rid_text, &doc, issued_ms)?;
    let description = RegisterDescription {
        title: aoe.0.into(),
        summary: aoe.1.into(),
        areas: aoe.3.iter().map(|a| (*a).into()).collect(),
        themes: aoe.2.iter().map(|t| (*t).into()).collect(),
        disadvantaged_focus: aoe.4,
    };
    // About three heads in four consented; the others' entries stay unpublished.
    let head =
        tx.query_row("SELECT head_first_name || ' ' || head_last_name FROM schools WHERE urn = ?1", [&s.urn], |r| r.get::<_, String>(0))?;
    let consent = (!mix(seed * 23).is_multiple_of(4)).then_some((head.as_str(), issued_ms + 7 * 86_400_000));
    register::set_directly(tx, &rid_text, &description, consent)?;
    Ok(())
}
