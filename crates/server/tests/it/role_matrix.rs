//! Role × endpoint, cell by cell, against a real server on loopback: who gets which status
//! (and which reason code) from every endpoint. Each role gets a fresh demo server, so one
//! row's approve cannot change another row's answers.

use crate::common::*;
use qar_core::protocol::{FieldWrite, Op, PushRequest};
use qar_core::{EntityKind, SCHEMA_VERSION};
use qar_server::auth::crypto::totp_code;
use qar_server::store::demo::{DEMO_HUB_ID, DEMO_PASSWORD, DEMO_TOTP_SECRETS};
use qar_server::store::scheduling::{ScheduleRequest, TeamChoice};
use qar_server::store::{now_ms, NewComment};
use qar_server::{AuthDevice, Role};
use serde_json::{json, Value};
use sha2::Digest;
use uuid::Uuid;

/// The headteachers of Heron Vale and Kestrel Brook (issue 22).
const HERON_HEAD: &str = "user-helen-heron-head";
const KESTREL_HEAD: &str = "user-kit-kestrel-head";

/// Anika's first demo note on Kestrel Brook.
const ANIKAS_NOTE: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0001_0001);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    NoToken,
    RevokedDevice,
    Admin,
    Coordinator,
    OtherHubCoordinator,
    LeadReviewer,
    Reviewer,
    Shadow,
    NotOnReview,
    /// The headteacher of Heron Vale, whose report is issued during the row (issue 22).
    HostHead,
    /// The headteacher of Kestrel Brook: another school's head on every route of Heron Vale, and
    /// the school's own head on the register's routes, which use Kestrel Brook's entry (so they
    /// list the requests to visit their school).
    OtherSchoolHead,
}

const ENDPOINTS: [&str; 59] = [
    "health",
    "livez",
    "readyz",
    "openapi",
    "login",
    "devices",
    "revoke",
    "pull",
    "push_evidence",
    "push_estimate",
    "push_create_review",
    "push_server_states",
    "push_author_id",
    "approve",
    "return",
    "approve_retry",
    "return_retry",
    "issue_retry",
    "adopt",
    "invite_head",
    "school_reviews",
    "versions",
    "version",
    "mail_dead",
    "mail_resend",
    "blob_status",
    "blob_upload",
    "blob_download",
    "report_photo",
    "retention_get",
    "retention_put",
    "subject_access",
    "erase",
    "insights_hub",
    "insights_all",
    "register_search",
    "register_changes",
    "register_hub",
    "register_entry",
    "register_describe",
    "register_consent",
    "register_visit",
    "school_visit_requests",
    "school_register",
    "previous_get",
    "previous_put",
    "statement_get",
    "statement_put",
    "accuracy_window_put",
    "accuracy_get",
    "accuracy_comment",
    "accuracy_finish",
    "web_school",
    "web_version",
    "web_pdf",
    "web_post_without_csrf",
    "web_register",
    "web_consent",
    "logout",
];

/// Expected cells, in ENDPOINTS order: status, then the reason code or what the caller got.
/// `push_server_states` pushes state approved, issued, returned, archived and cancelled to a
/// submitted review (`*5`: the same outcome for all five); `push_author_id` writes the caller's
/// own id as the author of the Lead Reviewer's note; the retry cells repeat an approval, a
/// return and an issue the hub coordinator already made.
fn expected(who: Who) -> [&'static str; 59] {
    use Who::*;
    const U: &str = "401 unauthenticated";
    const R: &str = "401 device_revoked";
    // The school's pages without a browser session: sign in first.
    const W: &str = "303 /sign-in";
    match who {
        NoToken => [
            "200",
            "200",
            "200",
            "200",
            "401 invalid_credentials",
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            U,
            W,
            W,
            W,
            W,
            W,
            W,
            U,
        ],
        RevokedDevice => [
            "200", "200", "200", "200", "200", R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R,
            R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, W, W, W, W, W, W, R,
        ],
        Admin => [
            "200",
            "200",
            "200",
            "200",
            "200",
            "200",
            "200",
            "200 reviews=3 evidence=3",
            "200 not_your_role",
            "200 not_your_role",
            "200 applied",
            "200 server_decides*5",
            "200 server_field",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "200 issued",
            "200",
            "201",
            "200",
            "200",
            "200",
            "200",
            "404 not_found",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "200 bytes",
            "200",
            "200",
            "200",
            "409 already_active",
            "200",
            "200",
            "200 hits",
            "200 entries",
            "200",
            "200",
            "200",
            "200",
            "201",
            "200",
            "200 entries",
            "200",
            "200",
            "200",
            "403 not_your_role",
            "200",
            "200",
            "403 not_your_role",
            "403 not_your_role",
            W,
            W,
            W,
            W,
            W,
            W,
            "200",
        ],
        Coordinator => [
            "200",
            "200",
            "200",
            "200",
            "200",
            "200",
            "403 forbidden",
            "200 reviews=3 evidence=0",
            "200 not_your_role",
            "200 not_your_role",
            "200 applied",
            "200 server_decides*5",
            "200 server_field",
            "200 approved",
            "200 returned",
            "200 approved",
            "200 returned",
            "200 issued",
            "200",
            "201",
            "200",
            "200",
            "200",
            "403 admin_only",
            "403 admin_only",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "200 bytes",
            "403 admin_only",
            "403 admin_only",
            "403 admin_only",
            "403 admin_only",
            "200",
            "403 admin_only",
            "200 hits",
            "200 entries",
            "200",
            "200",
            "200",
            "200",
            "201",
            "200",
            "200 entries",
            "200",
            "200",
            "200",
            "403 not_your_role",
            "200",
            "200",
            "403 not_your_role",
            "403 not_your_role",
            W,
            W,
            W,
            W,
            W,
            W,
            "200",
        ],
        OtherHubCoordinator => [
            "200",
            "200",
            "200",
            "200",
            "401 invalid_credentials",
            "200",
            "403 forbidden",
            "200 reviews=0 evidence=0",
            "403 not_on_review",
            "403 not_on_review",
            "200 applied",
            "403 not_on_review",
            "403 not_on_review",
            "403 other_hub",
            "403 other_hub",
            "403 other_hub",
            "403 other_hub",
            "403 other_hub",
            "403 not_your_hub",
            "403 not_your_hub",
            "403 not_your_role",
            "403 other_hub",
            "403 other_hub",
            "403 admin_only",
            "403 admin_only",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 other_hub",
            "403 admin_only",
            "403 admin_only",
            "403 admin_only",
            "403 admin_only",
            "403 not_your_hub",
            "403 admin_only",
            "200 hits",
            "200 entries",
            "403 not_your_hub",
            "403 not_your_hub",
            "403 not_your_hub",
            "403 not_your_hub",
            "201",
            "403 not_your_hub",
            "200 entries",
            "403 not_your_hub",
            "403 not_your_hub",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_hub",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            W,
            W,
            W,
            W,
            W,
            W,
            "200",
        ],
        LeadReviewer => [
            "200",
            "200",
            "200",
            "200",
            "200",
            "200",
            "403 forbidden",
            "200 reviews=3 evidence=3",
            "200 applied",
            "200 applied",
            "200 applied",
            "200 server_decides*5",
            "200 applied",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_hub",
            "403 not_your_role",
            "200",
            "200",
            "403 admin_only",
            "403 admin_only",
            "200 offset=0",
            "200 complete",
            "200 bytes",
            "200 bytes",
            "403 admin_only",
            "403 admin_only",
            "403 admin_only",
            "403 admin_only",
            "403 not_your_role",
            "403 not_your_role",
            "200 hits",
            "200 entries",
            "403 not_your_hub",
            "403 not_your_hub",
            "403 not_your_hub",
            "403 not_your_hub",
            "201",
            "403 not_your_hub",
            "200 entries",
            "403 not_your_role",
            "403 not_your_role",
            "200",
            "403 not_your_role",
            "403 not_your_hub",
            "200",
            "403 not_your_role",
            "403 not_your_role",
            W,
            W,
            W,
            W,
            W,
            W,
            "200",
        ],
        Reviewer => [
            "200",
            "200",
            "200",
            "200",
            "200",
            "200",
            "403 forbidden",
            "200 reviews=3 evidence=3",
            "200 applied",
            "200 not_your_role",
            "200 applied",
            "200 server_decides*5",
            "200 server_field",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_hub",
            "403 not_your_role",
            "200",
            "200",
            "403 admin_only",
            "403 admin_only",
            "200 offset=0",
            "200 complete",
            "200 bytes",
            "200 bytes",
            "403 admin_only",
            "403 admin_only",
            "403 admin_only",
            "403 admin_only",
            "403 not_your_role",
            "403 not_your_role",
            "200 hits",
            "200 entries",
            "403 not_your_hub",
            "403 not_your_hub",
            "403 not_your_hub",
            "403 not_your_hub",
            "201",
            "403 not_your_hub",
            "200 entries",
            "403 not_your_role",
            "403 not_your_role",
            "200",
            "403 not_your_role",
            "403 not_your_hub",
            "200",
            "403 not_your_role",
            "403 not_your_role",
            W,
            W,
            W,
            W,
            W,
            W,
            "200",
        ],
        Shadow => [
            "200",
            "200",
            "200",
            "200",
            "401 invalid_credentials",
            "200",
            "403 forbidden",
            "200 reviews=3 evidence=3",
            "200 not_your_role",
            "200 not_your_role",
            "200 applied",
            "200 server_decides*5",
            "200 server_field",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_hub",
            "403 not_your_role",
            "200",
            "200",
            "403 admin_only",
            "403 admin_only",
            "200 offset=0",
            "200 complete",
            "200 bytes",
            "200 bytes",
            "403 admin_only",
            "403 admin_only",
            "403 admin_only",
            "403 admin_only",
            "403 not_your_role",
            "403 not_your_role",
            "200 hits",
            "200 entries",
            "403 not_your_hub",
            "403 not_your_hub",
            "403 not_your_hub",
            "403 not_your_hub",
            "201",
            "403 not_your_hub",
            "200 entries",
            "403 not_your_role",
            "403 not_your_role",
            "200",
            "403 not_your_role",
            "403 not_your_hub",
            "200",
            "403 not_your_role",
            "403 not_your_role",
            W,
            W,
            W,
            W,
            W,
            W,
            "200",
        ],
        NotOnReview => [
            "200",
            "200",
            "200",
            "200",
            "401 invalid_credentials",
            "200",
            "403 forbidden",
            "200 reviews=0 evidence=0",
            "403 not_on_review",
            "403 not_on_review",
            "200 applied",
            "403 not_on_review",
            "403 not_on_review",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_hub",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 admin_only",
            "403 admin_only",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 admin_only",
            "403 admin_only",
            "403 admin_only",
            "403 admin_only",
            "403 not_your_role",
            "403 not_your_role",
            "200 hits",
            "200 entries",
            "403 not_your_hub",
            "403 not_your_hub",
            "403 not_your_hub",
            "403 not_your_hub",
            "201",
            "403 not_your_hub",
            "200 entries",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_hub",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            W,
            W,
            W,
            W,
            W,
            W,
            "200",
        ],
        HostHead => [
            "200",
            "200",
            "200",
            "200",
            "401 invalid_credentials",
            "200",
            "403 forbidden",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_hub",
            "200",
            "200",
            "200",
            "403 admin_only",
            "403 admin_only",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 admin_only",
            "403 admin_only",
            "403 admin_only",
            "403 admin_only",
            "403 not_your_role",
            "403 not_your_role",
            "200 hits",
            "200 entries",
            "403 not_your_hub",
            "403 not_your_hub",
            "403 not_your_hub",
            "403 not_your_hub",
            "201",
            "403 not_your_hub",
            "200 entries",
            "403 not_your_role",
            "403 not_your_role",
            "200",
            "200",
            "403 not_your_hub",
            "200",
            "409 accuracy_check_closed",
            "409 accuracy_check_closed",
            "200 page",
            "200 page",
            "200 pdf",
            "403 page",
            "200 page",
            "303 /schools/990102/register?done=published",
            "200",
        ],
        OtherSchoolHead => [
            "200",
            "200",
            "200",
            "200",
            "401 invalid_credentials",
            "200",
            "403 forbidden",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_hub",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 admin_only",
            "403 admin_only",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 admin_only",
            "403 admin_only",
            "403 admin_only",
            "403 admin_only",
            "403 not_your_role",
            "403 not_your_role",
            "200 hits",
            "200 entries",
            "403 not_your_hub",
            "403 not_your_hub",
            "403 not_your_hub",
            "200",
            "201",
            "200",
            "200 entries",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_hub",
            "403 not_your_role",
            "403 not_your_role",
            "403 not_your_role",
            "403 page",
            "403 page",
            "403 page",
            "403 page",
            "403 page",
            "403 page",
            "200",
        ],
    }
}

/// The person of each row and the e-mail they sign in with.
fn person(who: Who) -> (&'static str, &'static str) {
    match who {
        Who::NoToken => ("", "nobody@example.org"),
        Who::RevokedDevice | Who::LeadReviewer => (ANIKA, "anika.marsh@example.org"),
        Who::Admin => (ADMIN, "admin@example.org"),
        Who::Coordinator => (HOLLIE, "hollie.brennan@example.org"),
        Who::OtherHubCoordinator => (OLGA_OTHER_HUB, "user-olga-otherhub@test.invalid"),
        Who::Reviewer => (OWEN, "owen.pritchard@example.org"),
        Who::Shadow => (SAM_SHADOW, "user-sam-shadow@test.invalid"),
        Who::NotOnReview => (NADIA_NOBODY, "user-nadia-nobody@test.invalid"),
        Who::HostHead => (HERON_HEAD, "user-helen-heron-head@test.invalid"),
        Who::OtherSchoolHead => (KESTREL_HEAD, "user-kit-kestrel-head@test.invalid"),
    }
}

/// Outcomes joined; five equal ones as `code*5`.
fn summary(outcomes: &[String]) -> String {
    match outcomes {
        [first, rest @ ..] if !rest.is_empty() && rest.iter().all(|o| o == first) => format!("{first}*{}", outcomes.len()),
        _ => outcomes.join(","),
    }
}

/// 200 with the review's state, or the refusal.
fn state_cell(status: reqwest::StatusCode, body: &Value) -> String {
    if status.is_success() {
        format!("200 {}", body["fields"]["state"]["value"].as_str().unwrap_or("?"))
    } else {
        cell(status, body)
    }
}

fn cell(status: reqwest::StatusCode, body: &Value) -> String {
    if status.is_success() {
        status.as_u16().to_string()
    } else {
        format!("{} {}", status.as_u16(), body["code"].as_str().unwrap_or("?"))
    }
}

async fn row(who: Who) -> Vec<String> {
    let env = Env::demo().await;
    env.submit(HERON).await;
    env.submit(LARKSPUR).await;
    env.srv.store().test_school_head(HERON_HEAD, "Helen Heron", "990102").unwrap();
    env.srv.store().test_school_head(KESTREL_HEAD, "Kit Kestrel", "990101").unwrap();
    let (user, email) = person(who);
    let mut laptop = match who {
        Who::NoToken => None,
        _ => Some(env.laptop(user)),
    };
    if who == Who::RevokedDevice {
        let admin = AuthDevice { user_id: ADMIN.into(), device_id: Uuid::now_v7(), roles: vec![Role::Admin] };
        let device = laptop.as_ref().unwrap().device;
        env.srv.store().revoke_device(&admin, device, "laptop reported lost", now_ms()).unwrap();
    }
    let token = laptop.as_ref().map(|l| l.token.clone());
    let token = token.as_deref();
    let owen_spare = env.laptop(OWEN).device;
    let mut cells = Vec::new();

    let (s, b) = env.get("/v1/health", token).await;
    cells.push(cell(s, &b));
    // Probes need no sign-in and say nothing of anyone (issue 20).
    let (s, b) = env.get("/livez", token).await;
    cells.push(cell(s, &b));
    let (s, b) = env.get("/readyz", token).await;
    cells.push(cell(s, &b));
    let (s, b) = env.get("/v1/openapi.json", token).await;
    cells.push(cell(s, &b));
    let secret = DEMO_TOTP_SECRETS.iter().find(|(e, _)| *e == email).map_or("QARDEMOANIKAMARSHLEADREVIEWER234", |(_, s)| s);
    let login = json!({"email": email, "password": DEMO_PASSWORD, "totp_code": totp_code(secret, now_ms()).unwrap(),
                       "device_id": Uuid::now_v7(), "device_name": "Matrix laptop"});
    let (s, b) = env.post("/v1/auth/login", None, login).await;
    cells.push(cell(s, &b));
    let (s, b) = env.get("/v1/devices", token).await;
    cells.push(cell(s, &b));
    let (s, b) = env.post(&format!("/v1/devices/{owen_spare}/revoke"), token, json!({"reason": "matrix test"})).await;
    cells.push(cell(s, &b));

    // Pull: what the caller may read of the three demo reviews.
    let path = match &laptop {
        Some(l) => format!("/v1/sync/pull?cursor=0&limit=1000&device_id={}", l.device),
        None => "/v1/sync/pull?cursor=0&limit=1000".into(),
    };
    let (s, b) = env.get(&path, token).await;
    cells.push(if s.is_success() {
        let count = |kind: &str| b["changes"].as_array().unwrap().iter().filter(|c| c["entity"] == kind).count();
        format!("200 reviews={} evidence={}", count("review"), count("evidence"))
    } else {
        cell(s, &b)
    });

    // Push: a new note, then an estimate, each in its own push to the review in visit; a new
    // review (a proposal); every server-decided state on the submitted Heron Vale; and the
    // caller's own id as author of Anika's note.
    let evidence = (
        EntityKind::Evidence,
        Uuid::now_v7(),
        KESTREL,
        vec![("activity_type", json!("learning_walk"), None), ("notes", json!("Calm corridors."), None)],
    );
    let estimate = (
        EntityKind::Estimate,
        estimate_id(KESTREL, "leadership"),
        KESTREL,
        vec![("area_code", json!("leadership"), None), ("value", json!("effective"), None)],
    );
    let proposal = Uuid::now_v7();
    let new_review = (
        EntityKind::Review,
        proposal,
        proposal,
        vec![
            ("school_name", json!("Kestrel Brook Primary School"), None),
            ("school_urn", json!("990101"), None),
            ("state", json!("preparing"), None),
        ],
    );
    let states: Vec<OpSpec> = ["approved", "issued", "returned", "archived", "cancelled"]
        .iter()
        .map(|st| (EntityKind::Review, HERON, HERON, vec![("state", json!(st), None)]))
        .collect();
    let author = (EntityKind::Evidence, ANIKAS_NOTE, KESTREL, vec![("author_id", json!(user), None)]);
    for ops in [vec![evidence], vec![estimate], vec![new_review], states, vec![author]] {
        let (s, b) = match laptop.as_mut() {
            Some(l) => env.push(l, &ops).await,
            None => {
                let body = json!({"device_id": Uuid::now_v7(), "schema_version": 1, "ops": []});
                env.post("/v1/sync/push", None, body).await
            }
        };
        cells.push(if s.is_success() { format!("200 {}", summary(&outcomes(&b))) } else { cell(s, &b) });
    }

    // Approve (Heron Vale, submitted) and return (Larkspur Hill, submitted).
    let hash = qar_core::report_template::content_hash(&[], &[]);
    let (s, b) = env.post(&format!("/v1/reviews/{HERON}/approve"), token, json!({"report_hash": hash})).await;
    cells.push(state_cell(s, &b));
    let comment_id = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_00c0_0001);
    let comments = json!({"comments": [{"id": comment_id, "target": "section:context", "text": "Say more about the school's context."}]});
    let (s, b) = env.post(&format!("/v1/reviews/{LARKSPUR}/return"), token, comments.clone()).await;
    cells.push(state_cell(s, &b));

    // Retries of what the hub coordinator did (made here if this row did not).
    let store = env.srv.store();
    let hollie =
        AuthDevice { user_id: HOLLIE.into(), device_id: Uuid::now_v7(), roles: vec![Role::HubCoordinator { hub_id: DEMO_HUB_ID.into() }] };
    store.approve(HERON, &hash, &hollie, now_ms()).unwrap();
    let comment = NewComment { id: comment_id, target: "section:context".into(), text: "Say more about the school's context.".into() };
    store.return_report(LARKSPUR, &[comment], &hollie, now_ms()).unwrap();
    let (s, b) = env.post(&format!("/v1/reviews/{HERON}/approve"), token, json!({"report_hash": hash})).await;
    cells.push(state_cell(s, &b));
    let (s, b) = env.post(&format!("/v1/reviews/{LARKSPUR}/return"), token, comments).await;
    cells.push(state_cell(s, &b));
    store.issue_report(HERON, &hash, "", &hollie, now_ms()).unwrap();
    let (s, b) = env.post(&format!("/v1/reviews/{HERON}/issue"), token, json!({"report_hash": hash})).await;
    cells.push(if s.is_success() {
        format!("200 {}", b["review"]["fields"]["state"]["value"].as_str().unwrap_or("?"))
    } else {
        cell(s, &b)
    });

    // Adopting a proposal Owen made of a school of the demo hub.
    let owen = AuthDevice { user_id: OWEN.into(), device_id: Uuid::now_v7(), roles: vec![] };
    let owens = Uuid::now_v7();
    let op = Op {
        seq: 1,
        entity: EntityKind::Review,
        id: owens,
        review_id: owens,
        hlc: qar_core::Hlc { wall_ms: now_ms(), counter: 0, node: 7 },
        fields: [("school_name", "Heron Vale Academy"), ("school_urn", "990102")]
            .into_iter()
            .map(|(f, v)| (f.to_owned(), FieldWrite { value: json!(v), base: None }))
            .collect(),
        schema_version: SCHEMA_VERSION,
    };
    store
        .push(&PushRequest { device_id: owen.device_id, schema_version: SCHEMA_VERSION, ops: vec![op], pull_cursor: None }, &owen, now_ms())
        .unwrap();
    let (s, b) = env.post(&format!("/v1/reviews/{owens}/adopt"), token, Value::Null).await;
    cells.push(cell(s, &b));

    // The host school (issue 22): its hub invites its headteacher; its reviews are its head's,
    // its hub's and administrators'; its issued report (Heron Vale, issued above) is also its
    // head's to read. Another school's head is refused each.
    let head = json!({"name": "Harriet Heron", "email": format!("head-{who:?}@heronvale.example.org").to_lowercase()});
    let (s, b) = env.post(&format!("/v1/hubs/{DEMO_HUB_ID}/schools/990102/headteacher"), token, head).await;
    cells.push(cell(s, &b));
    let (s, b) = env.get("/v1/schools/990102/reviews", token).await;
    cells.push(cell(s, &b));
    let (s, b) = env.get(&format!("/v1/reviews/{HERON}/versions"), token).await;
    cells.push(cell(s, &b));
    let (s, b) = env.get(&format!("/v1/reviews/{HERON}/versions/1"), token).await;
    cells.push(cell(s, &b));

    // Undelivered mail (issue 22): administrators only. No mail is undelivered here, so an
    // administrator's resend of a made-up id is answered 404.
    let (s, b) = env.get("/v1/mail/dead", token).await;
    cells.push(cell(s, &b));
    let (s, b) = env.post("/v1/mail/00000000000000000000000000000000/resend", token, Value::Null).await;
    cells.push(cell(s, &b));

    // Attachment bytes (issue 19): the review's team sends and fetches; nobody else, not even
    // its coordinator or an administrator. A teammate's blob is already on the server.
    let theirs = b"a photo a teammate sent".to_vec();
    let theirs_sha = hex::encode(sha2::Sha256::digest(&theirs));
    env.srv.store().blob_append(KESTREL, &theirs_sha, theirs.len() as u64, 0, &theirs).unwrap();
    let mine = format!("a photo {who:?} took").into_bytes();
    let mine_sha = hex::encode(sha2::Sha256::digest(&mine));
    let (s, b) = env.get(&format!("/v1/reviews/{KESTREL}/blobs/{mine_sha}/upload"), token).await;
    cells.push(if s.is_success() { format!("200 offset={}", b["offset"]) } else { cell(s, &b) });
    let req = env.http.patch(env.url(&format!("/v1/reviews/{KESTREL}/blobs/{mine_sha}/upload?offset=0&size={}", mine.len()))).body(mine);
    let (s, b) = env.send(req, token).await;
    cells.push(if b["complete"] == json!(true) { "200 complete".to_owned() } else { cell(s, &b) });
    let req = env.http.get(env.url(&format!("/v1/reviews/{KESTREL}/blobs/{theirs_sha}")));
    let req = match token {
        Some(t) => req.bearer_auth(t),
        None => req,
    };
    let resp = req.send().await.unwrap();
    let s = resp.status();
    let body = resp.bytes().await.unwrap();
    cells.push(if s.is_success() && body.as_ref() == theirs.as_slice() {
        "200 bytes".to_owned()
    } else {
        cell(s, &serde_json::from_slice(&body).unwrap_or(Value::Null))
    });

    // A photo the report shows (issue 19): whoever may read the review's report fetches it, the
    // hub's coordinator above all; the school's head sees it only inside the issued document.
    // Its attachment and section are written straight into the store, as the Lead Reviewer's
    // laptop would have pushed them while drafting (Kestrel Brook is still in its visit here).
    let shown = format!("a photo the report of {who:?}'s row shows").into_bytes();
    let shown_sha = hex::encode(sha2::Sha256::digest(&shown));
    env.srv.store().blob_append(KESTREL, &shown_sha, shown.len() as u64, 0, &shown).unwrap();
    let version = qar_core::Hlc { wall_ms: now_ms(), counter: 0, node: 4242 }.to_string();
    let field = |value: Value| json!({ "value": value, "version": version });
    let attachment = Uuid::now_v7().to_string();
    let attachment_fields = json!({ "evidence_id": field(json!(ANIKAS_NOTE.to_string())), "kind": field(json!("display")),
        "sha256": field(json!(shown_sha)), "size": field(json!(shown.len())), "mime": field(json!("image/png")) });
    let photos = [qar_core::report_photos::ReportPhoto { attachment_id: attachment.clone(), caption: "Reading corner".into() }];
    let section_fields = json!({ "section_code": field(json!("area_of_excellence")), "body": field(json!("Reading runs through the school.")),
        "photos": field(qar_core::report_photos::to_value(&photos)) });
    let store = env.srv.store();
    store.test_record_of_a_newer_schema("attachment", &attachment, &KESTREL.to_string(), &attachment_fields.to_string()).unwrap();
    let section = qar_core::report_template::section_id(KESTREL, "area_of_excellence").to_string();
    store.test_record_of_a_newer_schema("report_section", &section, &KESTREL.to_string(), &section_fields.to_string()).unwrap();
    let req = env.http.get(env.url(&format!("/v1/reviews/{KESTREL}/report/photos/{shown_sha}")));
    let req = match token {
        Some(t) => req.bearer_auth(t),
        None => req,
    };
    let resp = req.send().await.unwrap();
    let s = resp.status();
    let body = resp.bytes().await.unwrap();
    cells.push(if s.is_success() && body.as_ref() == shown.as_slice() {
        "200 bytes".to_owned()
    } else {
        cell(s, &serde_json::from_slice(&body).unwrap_or(Value::Null))
    });

    // Retention (issue 24): administrators only. The administrator writes back the policy as
    // shipped, so later rows see the same.
    let (s, b) = env.get("/v1/retention", token).await;
    cells.push(cell(s, &b));
    let policy = json!({"evidence_months": 12, "report_years": 6, "cancelled_days": 90, "grace_days": 30});
    let (s, b) = env.put("/v1/retention", token, policy).await;
    cells.push(cell(s, &b));

    // Subject access (issue 24): administrators only, a zip; refused before anything is read.
    let resp = env.send_raw(env.http.post(env.url(&format!("/v1/users/{ANIKA}/subject-access"))), token).await;
    cells.push(match resp {
        (s, Some(ct), _) if s.is_success() && ct == "application/zip" => "200".to_owned(),
        (s, _, body) => cell(s, &body),
    });
    // Erasure (issue 24): administrators only, and only of a deactivated account, so an
    // administrator's erasure of Anika (active) is refused and changes nothing.
    let (s, b) = env.post(&format!("/v1/users/{ANIKA}/erase"), token, Value::Null).await;
    cells.push(cell(s, &b));

    // Hub insights (issue 23): a hub's coordinator or an administrator; every hub at once for
    // administrators only.
    let (s, b) = env.get(&format!("/v1/insights?hub_id={DEMO_HUB_ID}"), token).await;
    cells.push(cell(s, &b));
    let (s, b) = env.get("/v1/insights", token).await;
    cells.push(cell(s, &b));

    register_cells(&env, token, &mut cells).await;

    // Which issued review a review builds on (issue 23): the hub's coordinator or an
    // administrator sees and sets it, on a review scheduled here for Larkspur Hill's school.
    let next = Uuid::now_v7();
    let req = ScheduleRequest {
        review_id: Some(next),
        school_urn: "990103".into(),
        visit_dates: visit(2),
        framework_version: "2019".into(),
        team: TeamChoice { lead_reviewer_id: ANIKA.into(), reviewers: vec![OWEN.into()], shadows: vec![SAM_SHADOW.into()] },
    };
    store.schedule_review(&hollie, DEMO_HUB_ID, &req, now_ms()).unwrap();
    let (s, b) = env.get(&format!("/v1/reviews/{next}/previous-review"), token).await;
    cells.push(cell(s, &b));
    let (s, b) = env.put(&format!("/v1/reviews/{next}/previous-review"), token, json!({"previous_review_id": null})).await;
    cells.push(cell(s, &b));
    // The host school's statement (issue 22), on Heron Vale's next review, scheduled here: read
    // by its head, the team, the hub's coordinator and administrators; written by its head only.
    let heron_next = Uuid::now_v7();
    let req = ScheduleRequest { review_id: Some(heron_next), school_urn: "990102".into(), ..req };
    store.schedule_review(&hollie, DEMO_HUB_ID, &req, now_ms()).unwrap();
    let (s, b) = env.get(&format!("/v1/reviews/{heron_next}/school-statement"), token).await;
    cells.push(cell(s, &b));
    let statement = json!({"context_statement": format!("Written by {who:?}.")});
    let (s, b) = env.put(&format!("/v1/reviews/{heron_next}/school-statement"), token, statement).await;
    cells.push(cell(s, &b));
    // The factual-accuracy check (issue 22): the hub's window (set to off, so later rows see the
    // same); on Heron Vale's review, issued above, the head's check is closed and everyone
    // else's is refused before that is looked at.
    let (s, b) = env.put(&format!("/v1/hubs/{DEMO_HUB_ID}/accuracy-window"), token, json!({"days": 0})).await;
    cells.push(cell(s, &b));
    let (s, b) = env.get(&format!("/v1/reviews/{HERON}/accuracy-check"), token).await;
    cells.push(cell(s, &b));
    let comment = json!({"target": "section:context", "text": "We have 412 pupils, not 380."});
    let (s, b) = env.post(&format!("/v1/reviews/{HERON}/accuracy-check/comments"), token, comment).await;
    cells.push(cell(s, &b));
    let (s, b) = env.post(&format!("/v1/reviews/{HERON}/accuracy-check/finish"), token, Value::Null).await;
    cells.push(cell(s, &b));

    web_cells(&env, who, user, &mut cells).await;

    let (s, b) = env.post("/v1/auth/logout", token, Value::Null).await;
    cells.push(cell(s, &b));
    cells
}

/// The school's pages (issue 22) with a browser session: only a head has one (everyone else's
/// sign-in there is refused, `web_pages.rs`), so every other row is sent to sign in. Heron Vale's
/// report is issued by now; a form post without its CSRF token is refused before anything else.
async fn web_cells(env: &Env, who: Who, user: &str, cells: &mut Vec<String>) {
    let session = match who {
        Who::HostHead | Who::OtherSchoolHead => Some(env.srv.store().test_web_session(user, now_ms()).unwrap()),
        _ => None,
    };
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let with_session = |req: reqwest::RequestBuilder| match &session {
        Some(id) => req.header(reqwest::header::COOKIE, format!("__Host-qar_session={id}")),
        None => req,
    };
    let web_cell = |resp: &reqwest::Response| {
        let status = resp.status();
        let kind = resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        match resp.headers().get(reqwest::header::LOCATION) {
            Some(to) => format!("{} {}", status.as_u16(), to.to_str().unwrap()),
            None if kind.starts_with("text/html") => format!("{} page", status.as_u16()),
            None if kind == "application/pdf" => format!("{} pdf", status.as_u16()),
            None => format!("{} {kind}", status.as_u16()),
        }
    };
    let version = format!("/schools/990102/reviews/{HERON}/versions/1");
    for path in ["/schools/990102".to_owned(), version.clone(), format!("{version}/pdf")] {
        let resp = with_session(http.get(env.url(&path))).send().await.unwrap();
        cells.push(web_cell(&resp));
    }
    let resp = with_session(http.post(env.url("/sign-out"))).form(&[("csrf", "not-the-token")]).send().await.unwrap();
    cells.push(web_cell(&resp));
    // The head's consent to publish (issue 23): Heron Vale's entries, drafts included, and
    // Heron Vale's head publishing one with the session's own token; Kestrel Brook's head is
    // refused the page and, with their own valid token, the post.
    let resp = with_session(http.get(env.url("/schools/990102/register"))).send().await.unwrap();
    cells.push(web_cell(&resp));
    let html = resp.text().await.unwrap();
    let csrf = html.split("name=\"csrf\" value=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap_or("none").to_owned();
    let entry = qar_server::store::demo_history::history_review_id("990102", 2025);
    let consent = format!("/schools/990102/register/{entry}/consent");
    let resp = with_session(http.post(env.url(&consent))).form(&[("csrf", csrf.as_str()), ("given", "yes")]).send().await.unwrap();
    cells.push(web_cell(&resp));
}

/// The register (issue 23) on the demo history: searching, the laptops' copy, the school's
/// page and "Ask to visit" for every signed-in member; the hub's list, an entry with its
/// consent and describing it for the school's hub coordinator and administrators only;
/// recording consent for them and the school's own headteacher (Kestrel Brook's, decision
/// 105). The entry is published first, so every row can ask to visit it.
async fn register_cells(env: &Env, token: Option<&str>, cells: &mut Vec<String>) {
    let store = env.srv.store();
    store.seed_demo_history(now_ms()).unwrap();
    let entry = qar_server::store::demo_history::history_review_id("990101", 2025);
    let admin = AuthDevice { user_id: ADMIN.into(), device_id: Uuid::now_v7(), roles: vec![Role::Admin] };
    let given = qar_server::store::register::ConsentChange { given: true, head_name: "Morwenna Pendleford".into() };
    store.set_register_consent(&admin, entry, &given, now_ms()).unwrap();
    let listed = |s: reqwest::StatusCode, b: &Value, word: &str| match b.as_array() {
        Some(items) if s.is_success() && !items.is_empty() => format!("200 {word}"),
        _ => cell(s, b),
    };
    let (s, b) = env.get("/v1/register/search?q=reading&limit=20", token).await;
    cells.push(listed(s, &b, "hits"));
    let (s, b) = env.get("/v1/register/changes?after=0", token).await;
    cells.push(if s.is_success() { listed(s, &b["entries"], "entries") } else { cell(s, &b) });
    let (s, b) = env.get(&format!("/v1/register/hubs/{DEMO_HUB_ID}"), token).await;
    cells.push(cell(s, &b));
    let (s, b) = env.get(&format!("/v1/register/entries/{entry}"), token).await;
    cells.push(cell(s, &b));
    let description = json!({"title": "Early reading for every child", "summary": "Daily phonics with same-day catch-up.",
                             "areas": ["provision_outcomes"], "themes": ["early_reading"], "disadvantaged_focus": true});
    let (s, b) = env.put(&format!("/v1/register/entries/{entry}"), token, description).await;
    cells.push(cell(s, &b));
    let (s, b) =
        env.put(&format!("/v1/register/entries/{entry}/consent"), token, json!({"given": true, "head_name": "Morwenna Pendleford"})).await;
    cells.push(cell(s, &b));
    let (s, b) =
        env.post(&format!("/v1/register/entries/{entry}/visit-requests"), token, json!({"message": "Phonics in Reception, please."})).await;
    cells.push(cell(s, &b));
    let (s, b) = env.get("/v1/schools/990101/visit-requests", token).await;
    cells.push(cell(s, &b));
    let (s, b) = env.get("/v1/schools/990101/register", token).await;
    cells.push(listed(s, &b, "entries"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_gets_the_expected_answer_from_every_endpoint() {
    use Who::*;
    let mut wrong = Vec::new();
    for who in [
        NoToken,
        RevokedDevice,
        Admin,
        Coordinator,
        OtherHubCoordinator,
        LeadReviewer,
        Reviewer,
        Shadow,
        NotOnReview,
        HostHead,
        OtherSchoolHead,
    ] {
        let got = row(who).await;
        assert_eq!(got.len(), ENDPOINTS.len(), "{who:?} answered every endpoint");
        for ((endpoint, want), got) in ENDPOINTS.iter().zip(expected(who)).zip(&got) {
            if want != got {
                wrong.push(format!("{who:?} × {endpoint}: expected '{want}', got '{got}'"));
            }
        }
    }
    assert!(wrong.is_empty(), "{} cells differ:\n{}", wrong.len(), wrong.join("\n"));
}
