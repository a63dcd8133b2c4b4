//! Synthetic demo data so a newcomer sees something real at once. Every school, person and
//! note here is invented: URNs in the unused 990xxx range, e-mail on example.org, ZZ99 postcodes.

use super::push::max_server_seq;
use super::records::{self, Ctx};
use super::{access, clock, ServerStore, StoreError};
use crate::store::db::params;
use qar_core::entities::TeamRole;
use qar_core::EntityKind;
use serde_json::{json, Value};
use uuid::Uuid;

/// (kind, id, review id, fields) of one demo record.
type DemoRecord = (EntityKind, Uuid, Uuid, Vec<(&'static str, Value)>);

pub const DEMO_HUB_ID: &str = "hub-riverside-fells";

pub(super) const SCHOOLS: [(&str, &str, &str, &str, &str); 3] = [
    ("990101", "Kestrel Brook Primary School", "Primary", "Fellside", "ZZ99 1KB"),
    ("990102", "Heron Vale Academy", "Secondary", "Westmere", "ZZ99 2HV"),
    ("990103", "Larkspur Hill Church of England Primary School", "Primary", "Fellside", "ZZ99 3LH"),
];

const USERS: [(&str, &str, &str, &str); 3] = [
    ("user-anika-marsh", "Dr Anika Marsh", "anika.marsh@example.org", "lead_reviewer"),
    ("user-owen-pritchard", "Owen Pritchard", "owen.pritchard@example.org", "reviewer"),
    ("user-hollie-brennan", "Hollie Brennan", "hollie.brennan@example.org", "hub_coordinator"),
];

/// (review id, URN, school, start date, state)
const REVIEWS: [(u128, &str, &str, &str, &str); 3] = [
    (0x0190_0000_0000_7000_8000_0000_0000_0101, "990101", "Kestrel Brook Primary School", "2026-11-24", "in_visit"),
    (0x0190_0000_0000_7000_8000_0000_0000_0102, "990102", "Heron Vale Academy", "2027-01-19", "preparing"),
    (0x0190_0000_0000_7000_8000_0000_0000_0103, "990103", "Larkspur Hill Church of England Primary School", "2027-03-09", "scheduled"),
];

/// (evidence id, activity, time, notes, areas) — all on the first review.
const NOTES: [(u128, &str, &str, &str, &[&str]); 3] = [
    (
        0x0190_0000_0000_7000_8000_0000_0001_0001,
        "joint_lesson_observation",
        "2026-11-24T09:15",
        "Y5 maths with the deputy head. Pupils used bar models to compare fractions; most explained \
         their reasoning in full sentences. Two disadvantaged pupils needed the model re-drawn before \
         starting — adult support was quick and precise.",
        &["provision_outcomes", "disadvantaged_additional_needs"],
    ),
    (
        0x0190_0000_0000_7000_8000_0000_0001_0002,
        "learning_walk",
        "2026-11-24T11:00",
        "KS1 phonics walk with the English lead. Consistent routines across three classes; decodable \
         books matched to the sounds taught. Pace dipped in one group while resources were handed out.",
        &["provision_outcomes"],
    ),
    (
        0x0190_0000_0000_7000_8000_0000_0001_0003,
        "pupil_voice",
        "2026-11-24T13:30",
        "Eight Y6 pupils (mixed attainment). They named the school values unprompted and could say how \
         feedback helped them improve a piece of writing. Less sure how to get help in science.",
        &["leadership", "provision_outcomes"],
    ),
];

impl ServerStore {
    /// Loads the demo hub, schools, people and reviews once; later calls change nothing.
    pub fn seed_demo(&self, now_ms: u64) -> Result<(), StoreError> {
        let mut conn = self.writer();
        let mut clock = self.clock();
        let tx = conn.transaction()?;
        clock::catch_up(&tx, &mut clock)?;
        let mut ctx = Ctx { clock: &mut clock, seq: max_server_seq(&tx)?, now_ms };
        let seeded = tx.prepare("SELECT 1 FROM meta WHERE key = 'demo_seeded'")?.exists([])?;
        if !seeded {
            seed_demo_records(&tx, &mut ctx, now_ms)?;
        }
        // A data folder seeded before accounts or review teams existed gets them now.
        seed_demo_accounts(&tx, self.key(), now_ms)?;
        seed_demo_teams(&tx, &mut ctx)?;
        link_demo_reviews(&tx, &mut ctx)?;
        let seq = ctx.seq;
        clock::save(&tx, &clock)?;
        tx.commit()?;
        drop(clock);
        drop(conn);
        self.announce(seq);
        Ok(())
    }
}

/// The hub, schools, people, reviews and notes (server writes, so every laptop receives them).
fn seed_demo_records(tx: &crate::store::db::Transaction, ctx: &mut Ctx, now_ms: u64) -> Result<(), StoreError> {
    tx.execute("INSERT INTO hubs(id, name, region) VALUES (?1, 'Riverside & Fells Hub', 'North West')", [DEMO_HUB_ID])?;
    for (urn, name, phase, la, postcode) in SCHOOLS {
        tx.execute(
            "INSERT INTO schools(urn, establishment_name, phase, la_name, postcode, hub_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![urn, name, phase, la, postcode, DEMO_HUB_ID],
        )?;
    }
    for (id, name, email, role) in USERS {
        tx.execute(
            "INSERT INTO users(id, name, email, role, hub_id) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, name, email, role, DEMO_HUB_ID],
        )?;
    }

    let mut demo: Vec<DemoRecord> = Vec::new();
    for (id, urn, school, start, state) in REVIEWS {
        let id = Uuid::from_u128(id);
        let fields = vec![
            ("school_name", json!(school)),
            ("school_urn", json!(urn)),
            ("start_date", json!(start)),
            ("state", json!(state)),
            ("framework_version", json!("2019")),
        ];
        demo.push((EntityKind::Review, id, id, fields));
    }
    let first_review = Uuid::from_u128(REVIEWS[0].0);
    for (id, activity, at, notes, tags) in NOTES {
        let fields = vec![
            ("activity_type", json!(activity)),
            ("started_at", json!(at)),
            ("notes", json!(notes)),
            ("author_id", json!(USERS[0].0)),
            ("area_tags", json!(tags)),
        ];
        demo.push((EntityKind::Evidence, Uuid::from_u128(id), first_review, fields));
    }
    for (entity, id, review_id, fields) in demo {
        debug_assert!(fields.iter().all(|(f, v)| qar_core::validate_field(entity, f, v).is_ok()), "demo data must be valid: {id}");
        records::server_write(tx, ctx, entity, &id.to_string(), &review_id.to_string(), &fields)?;
    }
    tx.execute("INSERT INTO meta(key, value) VALUES ('demo_seeded', ?1)", [now_ms.to_string()])?;
    Ok(())
}

/// Every demo review in the demo hub, with Anika Marsh leading and Owen Pritchard reviewing.
/// Once per data folder; the review records' `team` and `hub_id` fields follow.
fn seed_demo_teams(tx: &crate::store::db::Transaction, ctx: &mut Ctx) -> Result<(), StoreError> {
    if tx.prepare("SELECT 1 FROM meta WHERE key = 'demo_teams_seeded'")?.exists([])? {
        return Ok(());
    }
    for (id, urn, ..) in REVIEWS {
        let review_id = Uuid::from_u128(id).to_string();
        access::place_in_school_hub(tx, &review_id, urn)?;
        access::add_member(tx, &review_id, USERS[0].0, TeamRole::LeadReviewer)?;
        access::add_member(tx, &review_id, USERS[1].0, TeamRole::Reviewer)?;
        access::refresh_fields(tx, ctx, &review_id)?;
    }
    tx.execute("INSERT INTO meta(key, value) VALUES ('demo_teams_seeded', ?1)", [ctx.now_ms.to_string()])?;
    Ok(())
}

/// Each demo review builds on its school's latest issued review, as scheduling would link it
/// (issue 23): nothing while the demo holds no issued history; a review already linked keeps
/// its link, so a coordinator's change survives a restart.
pub(super) fn link_demo_reviews(tx: &crate::store::db::Transaction, ctx: &mut Ctx) -> Result<(), StoreError> {
    for (id, urn, _, start, _) in REVIEWS {
        let review = Uuid::from_u128(id);
        let record = qar_core::previous_review::record_id(review).to_string();
        if records::load(tx, EntityKind::PreviousReview, &record)?.is_none() {
            super::previous_review::link_latest(tx, ctx, &review.to_string(), urn, start)?;
        }
    }
    Ok(())
}

// ============================================================================================
// DEMO ONLY. These sign-ins are published in the source code: anyone can use them. They exist
// so the app's sign-in can be tried against `qar-server --demo`. Never run a server with
// `--demo` on real data or where anyone but you can reach it.
//
//   password for every demo person:  demo-password-2026
//   TOTP secrets (base32; add one to an authenticator app, or compute codes with any TOTP tool):
//     admin@example.org            QARDEMOADMINISTRATORCPCENTRAL234   admin
//     anika.marsh@example.org      QARDEMOANIKAMARSHLEADREVIEWER234   lead reviewer
//     owen.pritchard@example.org   QARDEMOOWENPRITCHARDREVIEWER2345   reviewer
//     hollie.brennan@example.org   QARDEMOHOLLIEBRENNANHUBCOORD2345   hub coordinator, demo hub
// ============================================================================================

/// DEMO ONLY: the password of every demo person.
pub const DEMO_PASSWORD: &str = "demo-password-2026";

/// DEMO ONLY: argon2id of [`DEMO_PASSWORD`] with a fixed salt, precomputed so seeding is quick
/// (a test checks it still matches). Real accounts each get a random salt.
const DEMO_PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$cWFyLWRlbW8tc2FsdC0yNg$/DNFBclwEx8QJiftPQA5CnsjPUbcSptp89rKV+V2114";

/// The demo administrator (CP central), added with the demo accounts.
pub const DEMO_ADMIN: (&str, &str, &str) = ("user-demo-admin", "Demo Administrator", "admin@example.org");

/// DEMO ONLY: (email, TOTP secret in base32).
pub const DEMO_TOTP_SECRETS: [(&str, &str); 4] = [
    ("admin@example.org", "QARDEMOADMINISTRATORCPCENTRAL234"),
    ("anika.marsh@example.org", "QARDEMOANIKAMARSHLEADREVIEWER234"),
    ("owen.pritchard@example.org", "QARDEMOOWENPRITCHARDREVIEWER2345"),
    ("hollie.brennan@example.org", "QARDEMOHOLLIEBRENNANHUBCOORD2345"),
];

/// Gives the demo people their DEMO ONLY sign-ins, adds the demo admin and makes Hollie
/// Brennan coordinator of the demo hub. Once per data folder; later calls change nothing.
fn seed_demo_accounts(tx: &crate::store::db::Transaction, key: &crate::server_key::ServerKey, now_ms: u64) -> Result<(), StoreError> {
    if tx.prepare("SELECT 1 FROM meta WHERE key = 'demo_accounts_seeded'")?.exists([])? {
        return Ok(());
    }
    let (admin_id, admin_name, admin_email) = DEMO_ADMIN;
    tx.execute(
        "INSERT OR IGNORE INTO users(id, name, email, role) VALUES (?1, ?2, ?3, 'admin')",
        params![admin_id, admin_name, admin_email],
    )?;
    for (email, secret) in DEMO_TOTP_SECRETS {
        let Some(user_id) = tx
            .query_row("SELECT id FROM users WHERE email = ?1", [email], |r| r.get::<_, String>(0))
            .map(Some)
            .or_else(|e| if matches!(e, crate::store::db::Error::QueryReturnedNoRows) { Ok(None) } else { Err(e) })?
        else {
            continue;
        };
        // Published DEMO ONLY secrets, yet stored like any other: encrypted for this account.
        let sealed = key.seal(&super::at_rest::account_aad(&user_id), secret).map_err(|e| StoreError::Invalid(e.to_string()))?;
        tx.execute(
            "INSERT OR IGNORE INTO accounts(user_id, password_hash, totp_secret, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![user_id, DEMO_PASSWORD_HASH, sealed, now_ms as i64],
        )?;
        if email == admin_email {
            tx.execute("INSERT OR IGNORE INTO user_roles(user_id, role) VALUES (?1, 'admin')", [&user_id])?;
        }
        if email == USERS[2].2 {
            tx.execute(
                "INSERT OR IGNORE INTO user_roles(user_id, role, hub_id) VALUES (?1, 'hub_coordinator', ?2)",
                params![user_id, DEMO_HUB_ID],
            )?;
        }
    }
    tx.execute("INSERT INTO meta(key, value) VALUES ('demo_accounts_seeded', ?1)", [now_ms.to_string()])?;
    Ok(())
}
