//! Hub administration and scheduling over HTTP (issue 9): role checks, the invitation
//! lifecycle, scheduling with warnings, team removal, and the hub overview.

use crate::common::*;
use qar_core::EntityKind;
use qar_server::auth::crypto;
use qar_server::store::demo::DEMO_HUB_ID;
use qar_server::store::invitations::{InviteRole, NewInvitation};
use qar_server::store::now_ms;
use qar_server::store::scheduling::ScheduleRequest;
use qar_server::{AuthDevice, Role};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

fn schedule_body(urn: &str, lead: &str, reviewers: &[&str]) -> Value {
    json!({
        "school_urn": urn,
        "visit_dates": visit(6),
        "framework_version": "2019",
        "lead_reviewer_id": lead,
        "reviewers": reviewers,
        "shadows": [],
    })
}

fn invitation(email: &str, role: InviteRole) -> Value {
    json!({ "email": email, "name": "Quinn Example", "role": role })
}

#[tokio::test]
async fn role_checks_refuse_with_reasons() {
    let env = Env::demo().await;
    let (olga, owen, hollie) = (env.laptop(OLGA_OTHER_HUB), env.laptop(OWEN), env.laptop(HOLLIE));

    // A coordinator of another hub cannot schedule in this one: 403 not_your_hub with a reason.
    let (status, body) = env.post(&format!("/v1/hubs/{DEMO_HUB_ID}/reviews"), Some(&olga.token), schedule_body("990101", ANIKA, &[])).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_your_hub")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("Riverside"), "{body}");

    // A reviewer cannot schedule at all.
    let (status, body) = env.post(&format!("/v1/hubs/{DEMO_HUB_ID}/reviews"), Some(&owen.token), schedule_body("990101", ANIKA, &[])).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_your_role")), "{body}");

    // Non-admins cannot invite, create hubs, assign schools, set roles or deactivate.
    for token in [&hollie.token, &owen.token] {
        let (s, b) = env.post("/v1/invitations", Some(token), invitation("quinn@example.org", InviteRole::Reviewer)).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("admin_only")), "{b}");
        let (s, _) = env.post("/v1/hubs", Some(token), json!({"name": "Sneaky Hub"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = env.post(&format!("/v1/hubs/{DEMO_HUB_ID}/schools"), Some(token), json!({"urns": ["990101"]})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = env.put(&format!("/v1/users/{OWEN}/roles"), Some(token), json!({"roles": [{"role": "admin"}]})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = env.post(&format!("/v1/users/{ANIKA}/deactivate"), Some(token), json!({})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    // The overview is the hub coordinator's, not another hub's.
    let (s, b) = env.get(&format!("/v1/hubs/{DEMO_HUB_ID}/overview"), Some(&olga.token)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_your_hub")));
    let (s, _) = env.get(&format!("/v1/hubs/{DEMO_HUB_ID}/overview"), Some(&hollie.token)).await;
    assert_eq!(s, StatusCode::OK);
    // No sign-in: 401.
    let (s, _) = env.post("/v1/invitations", None, invitation("quinn@example.org", InviteRole::Reviewer)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn invitation_lifecycle_duplicate_reuse_expiry() {
    let env = Env::demo().await;
    let admin = env.laptop(ADMIN);

    let (s, issued) = env.post("/v1/invitations", Some(&admin.token), invitation("Quinn@Example.org", InviteRole::Reviewer)).await;
    assert_eq!(s, StatusCode::CREATED, "{issued}");
    let code = issued["code"].as_str().unwrap().to_owned();
    assert_eq!(issued["user"]["status"], "invited");

    // A second invitation while one is pending: 409.
    let (s, b) = env.post("/v1/invitations", Some(&admin.token), invitation("quinn@example.org", InviteRole::Reviewer)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("invitation_pending")), "{b}");
    // Someone who can already sign in: 409.
    let (s, b) = env.post("/v1/invitations", Some(&admin.token), invitation("owen.pritchard@example.org", InviteRole::Reviewer)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("already_active")), "{b}");

    // The server keeps only the code's hash.
    let dump = crate::common::store_dump(env.dir.path());
    assert!(!dump.windows(code.len()).any(|w| w == code.as_bytes()), "the plain code is not stored");

    // Redeem: a weak password is refused and loses nothing; then the secret comes back.
    let (s, b) = env.post("/v1/invitations/redeem", None, json!({"code": code, "password": "short"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("weak_password")));
    let (s, redeemed) = env.post("/v1/invitations/redeem", None, json!({"code": code, "password": "a long enough passphrase"})).await;
    assert_eq!(s, StatusCode::OK, "{redeemed}");
    let secret = redeemed["totp_secret"].as_str().unwrap().to_owned();
    assert!(redeemed["otpauth_url"].as_str().unwrap().starts_with("otpauth://totp/"));
    // Re-used code: 409.
    let (s, b) = env.post("/v1/invitations/redeem", None, json!({"code": code, "password": "another long passphrase"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("code_used")), "{b}");
    // Confirm: a wrong code can be retried; the right one activates the account.
    let (s, b) = env.post("/v1/invitations/confirm", None, json!({"code": code, "totp_code": "000000"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_totp")), "{b}");
    let totp = crypto::totp_code(&secret, now_ms()).unwrap();
    let (s, account) = env.post("/v1/invitations/confirm", None, json!({"code": code, "totp_code": totp})).await;
    assert_eq!(s, StatusCode::OK, "{account}");
    assert_eq!(account["email"], "quinn@example.org");
    let (s, b) = env.post("/v1/invitations/confirm", None, json!({"code": code, "totp_code": totp})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("code_used")));
    // Now active: a new invitation is a duplicate.
    let (s, b) = env.post("/v1/invitations", Some(&admin.token), invitation("quinn@example.org", InviteRole::Reviewer)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("already_active")));

    // An expired code: 410, and the person can be invited again.
    let admin_dev = AuthDevice { user_id: ADMIN.into(), device_id: Uuid::now_v7(), roles: vec![Role::Admin] };
    let old = NewInvitation {
        email: "rowan@example.org".into(),
        name: "Rowan Example".into(),
        role: InviteRole::HubCoordinator { hub_id: DEMO_HUB_ID.into() },
        home_school_urn: None,
    };
    let stale = env.srv.store().invite(&admin_dev, &old, now_ms() - 8 * DAY_MS).unwrap();
    let (s, b) = env.post("/v1/invitations/redeem", None, json!({"code": stale.code, "password": "a long enough passphrase"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::GONE, Some("code_expired")), "{b}");
    let (s, _) = env.post("/v1/invitations", Some(&admin.token), invitation("rowan@example.org", InviteRole::Reviewer)).await;
    assert_eq!(s, StatusCode::CREATED);
    // An unknown code: 404.
    let (s, b) = env.post("/v1/invitations/redeem", None, json!({"code": "nope", "password": "a long enough passphrase"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_code")));

    // Every admin action is in the audit chain, which still verifies.
    assert!(env.srv.store().verify_audit().unwrap().broken.is_none());
}

#[tokio::test]
async fn hubs_roles_and_deactivation() {
    let env = Env::demo().await;
    let admin = env.laptop(ADMIN);
    let (s, hub) =
        env.post("/v1/hubs", Some(&admin.token), json!({"name": "Moorland Hub", "region": "North", "report_deadline_days": 21})).await;
    assert_eq!(s, StatusCode::CREATED, "{hub}");
    let hub_id = hub["id"].as_str().unwrap().to_owned();
    let (s, b) = env.post("/v1/hubs", Some(&admin.token), json!({"name": "moorland hub"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("hub_exists")));
    let (s, b) = env.post(&format!("/v1/hubs/{hub_id}/schools"), Some(&admin.token), json!({"urns": ["990103", "999999"]})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!((b["assigned"].clone(), b["unknown"].clone()), (json!(["990103"]), json!(["999999"])));

    // Make Owen coordinator of the new hub: his next request carries the role.
    let (s, b) = env
        .put(&format!("/v1/users/{OWEN}/roles"), Some(&admin.token), json!({"roles": [{"role": "hub_coordinator", "hub_id": hub_id}]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let owen = env.laptop(OWEN);
    let (s, schools) = env.get(&format!("/v1/hubs/{hub_id}/schools?q=lark"), Some(&owen.token)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(schools[0]["urn"], "990103");

    // Deactivate Anika: her laptop's next request gets 401 with the reason.
    let anika = env.laptop(ANIKA);
    let (s, b) = env.post(&format!("/v1/users/{ANIKA}/deactivate"), Some(&admin.token), json!({"reason": "left the hub"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "deactivated");
    let (s, b) = env.get(&format!("/v1/sync/pull?cursor=0&device_id={}", anika.device), Some(&anika.token)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("device_revoked")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("left the hub"));
    // The last admin cannot lose the role or be switched off.
    let (s, b) = env.put(&format!("/v1/users/{ADMIN}/roles"), Some(&admin.token), json!({"roles": []})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("last_admin")));
    // The openapi document lists the new routes.
    let (_, doc) = env.get("/v1/openapi.json", None).await;
    for path in
        ["/v1/hubs", "/v1/invitations/redeem", "/v1/hubs/{hub_id}/reviews", "/v1/hubs/{hub_id}/overview", "/v1/reviews/{review_id}/team"]
    {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from openapi");
    }
}

#[tokio::test]
async fn scheduling_warns_syncs_and_removal_stops_sync() {
    let env = Env::demo().await;
    let (admin, hollie) = (env.laptop(ADMIN), env.laptop(HOLLIE));
    // A reviewer whose home school is Heron Vale.
    let (s, inv) = env
        .post(
            "/v1/invitations",
            Some(&admin.token),
            json!({"email": "tam@example.org", "name": "Tam Home", "role": {"role": "reviewer"}, "home_school_urn": "990102"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{inv}");
    let tam = inv["user"]["id"].as_str().unwrap().to_owned();

    let (s, done) =
        env.post(&format!("/v1/hubs/{DEMO_HUB_ID}/reviews"), Some(&hollie.token), schedule_body("990102", ANIKA, &[OWEN, &tam])).await;
    assert_eq!(s, StatusCode::CREATED, "{done}");
    assert_eq!(done["warnings"][0]["code"], "conflict_of_interest");
    assert_eq!(done["warnings"][0]["user_id"], tam.as_str());
    let review: Uuid = done["review"]["id"].as_str().unwrap().parse().unwrap();
    let fields = &done["review"]["fields"];
    assert_eq!(fields["state"]["value"], "scheduled");
    assert_eq!(fields["school_context"]["value"]["urn"], "990102");
    assert_eq!(fields["visit_dates"]["value"], json!(visit(6)));

    // Bad input is refused clearly and writes nothing. Scheduling checks the visit days by the
    // same rule as moving them: school days, in order, within 14 days, none past.
    for (dates, why) in [
        (vec![day(6, 1)], "Give the 3 visit days."),
        (vec![day(-1, 1), day(-1, 2), day(-1, 3)], "has passed"),
        (vec![day(6, 4), day(6, 5), day(6, 7)], "is a Saturday"),
        (vec![day(6, 1), day(6, 2), day(9, 1)], "within 14 days"),
    ] {
        let mut bad = schedule_body("990102", ANIKA, &[]);
        bad["visit_dates"] = json!(dates);
        let (s, b) = env.post(&format!("/v1/hubs/{DEMO_HUB_ID}/reviews"), Some(&hollie.token), bad).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_dates")), "{dates:?}: {b}");
        assert!(b["message"].as_str().unwrap().contains(why), "{dates:?}: {b}");
    }
    let (s, b) =
        env.post(&format!("/v1/hubs/{DEMO_HUB_ID}/reviews"), Some(&hollie.token), schedule_body("990102", "user-nobody-at-all", &[])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_user")));

    // Owen's laptop pulls the review with the school's context.
    let mut owen = env.laptop(OWEN);
    let seen = env.pull_all(&owen).await;
    assert_eq!(seen[&review].fields["school_context"].value["name"], "Heron Vale Academy");
    let (_, page) = env.get(&format!("/v1/sync/pull?cursor=0&device_id={}", owen.device), Some(&owen.token)).await;
    let cursor = page["cursor"].as_u64().unwrap();
    assert!(page.get("access_revoked").is_none());

    // Owen is taken off the team.
    let (s, b) =
        env.put(&format!("/v1/reviews/{review}/team"), Some(&hollie.token), json!({"lead_reviewer_id": ANIKA, "reviewers": [tam]})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["removed"], json!([OWEN]));
    let (_, page) = env.get(&format!("/v1/sync/pull?cursor={cursor}&device_id={}", owen.device), Some(&owen.token)).await;
    assert_eq!(page["access_revoked"], json!([review]), "{page}");
    assert!(page["changes"].as_array().unwrap().iter().all(|c| c["review_id"] != json!(review)));
    // His unsent work on it is refused op by op, and does not block his other work.
    let note = Uuid::now_v7();
    let (s, reply) = env
        .push(
            &mut owen,
            &[
                (EntityKind::Evidence, note, review, vec![("notes", json!("late note"), None), ("author_id", json!(OWEN), None)]),
                (
                    EntityKind::Evidence,
                    Uuid::now_v7(),
                    KESTREL,
                    vec![("notes", json!("other review"), None), ("author_id", json!(OWEN), None)],
                ),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{reply}");
    assert_eq!(outcomes(&reply), ["removed_from_team", "applied"]);
    // A later pull no longer mentions it, and nothing of it arrives.
    let seen = env.pull_all(&owen).await;
    assert!(!seen.contains_key(&review));

    // Put back on the team, he receives the review again (all of it).
    let (s, _) =
        env.put(&format!("/v1/reviews/{review}/team"), Some(&hollie.token), json!({"lead_reviewer_id": ANIKA, "reviewers": [OWEN]})).await;
    assert_eq!(s, StatusCode::OK);
    let (_, page) = env.get(&format!("/v1/sync/pull?cursor={cursor}&device_id={}", owen.device), Some(&owen.token)).await;
    assert!(page["changes"].as_array().unwrap().iter().any(|c| c["id"] == json!(review)), "{page}");
}

#[tokio::test]
async fn overview_marks_overdue_reports_and_stale_laptops() {
    let env = Env::demo().await;
    let (admin, hollie, anika) = (env.laptop(ADMIN), env.laptop(HOLLIE), env.laptop(ANIKA));
    // A review whose visit ended 2025-01-15, with a 1-day deadline: overdue.
    let (s, _) = env.put(&format!("/v1/hubs/{DEMO_HUB_ID}/settings"), Some(&admin.token), json!({"report_deadline_days": 1})).await;
    assert_eq!(s, StatusCode::OK);
    // Days in the past cannot be scheduled now, so this one was scheduled back then: the store
    // takes the time as an argument, 2025-01-10 (a Friday) here.
    let mut body = schedule_body("990103", ANIKA, &[]);
    body["visit_dates"] = json!(["2025-01-13", "2025-01-14", "2025-01-15"]);
    let request: ScheduleRequest = serde_json::from_value(body).unwrap();
    let coordinator =
        AuthDevice { user_id: HOLLIE.into(), device_id: hollie.device, roles: vec![Role::HubCoordinator { hub_id: DEMO_HUB_ID.into() }] };
    let back_then = 1_736_467_200_000; // 2025-01-10T00:00:00Z
    let done = env.srv.store().schedule_review(&coordinator, DEMO_HUB_ID, &request, back_then).unwrap();
    let past_id = done.review.id.to_string();
    // Anika's laptop reports 7 unsent ops, the oldest two days old.
    let oldest = now_ms() - 2 * DAY_MS;
    let req = env
        .http
        .get(env.url(&format!("/v1/sync/pull?cursor=0&device_id={}", anika.device)))
        .header("X-QAR-Outbox", format!("pending=7; oldest={oldest}"));
    let (s, _) = env.send(req, Some(&anika.token)).await;
    assert_eq!(s, StatusCode::OK);
    let mut view = Value::Null;
    for _ in 0..50 {
        // The report is stored off the request's path.
        view = env.get(&format!("/v1/hubs/{DEMO_HUB_ID}/overview"), Some(&hollie.token)).await.1;
        if !view["stale_devices"].as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let reviews = view["reviews"].as_array().unwrap();
    let past = reviews.iter().find(|r| r["review_id"] == json!(past_id)).unwrap();
    assert_eq!((past["last_day"].as_str(), past["report_due"].as_str()), (Some("2025-01-15"), Some("2025-01-16")));
    assert_eq!(past["overdue"], true, "{view}");
    let larkspur = reviews.iter().find(|r| r["review_id"] == json!(LARKSPUR)).unwrap();
    assert_eq!(larkspur["overdue"], false, "a visit in 2027 is not overdue");
    assert_eq!(larkspur["team"][0]["role"], "lead_reviewer", "the team comes along for the team editor");
    assert_eq!(view["by_state"]["scheduled"], 2);
    let stale = &view["stale_devices"][0];
    assert_eq!((stale["user_id"].as_str(), stale["pending_ops"].as_u64()), (Some(ANIKA), Some(7)), "{view}");
}

#[tokio::test]
async fn the_admin_screen_imports_the_register() {
    let env = Env::demo().await;
    let (admin, hollie) = (env.laptop(ADMIN), env.laptop(HOLLIE));
    // Windows-1252 (\xe9 is é), an extra column, a quoted comma, and one bad row.
    let csv: &[u8] = b"\"URN\",\"EstablishmentName\",\"Extra\",\"PhaseOfEducation (name)\",\"EstablishmentStatus (name)\",\"LA (name)\"\n\
\"990401\",\"Caf\xe9 Lane School, The\",\"x\",\"Primary\",\"Open\",\"Northmere\"\n\
\"9904\",\"Short Urn School\",\"x\",\"Primary\",\"Open\",\"Northmere\"\n";
    let post = |token: &str| env.http.post(env.url("/v1/schools/import")).bearer_auth(token.to_owned()).body(csv.to_vec());
    let (s, b) = env.send(post(&hollie.token), None).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("admin_only")));
    let (s, b) = env.send(post(&admin.token), None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!((b["added"].as_u64(), b["rejected"].as_u64(), b["encoding"].as_str()), (Some(1), Some(1), Some("windows-1252")));
    assert_eq!(b["rejections"][0]["line"], 3);
    let (_, again) = env.send(post(&admin.token), None).await;
    assert_eq!((again["added"].as_u64(), again["unchanged"].as_u64()), (Some(0), Some(1)), "idempotent");
    let (_, found) = env.get("/v1/schools?q=990401", Some(&admin.token)).await;
    assert_eq!(found[0]["name"], "Caf\u{e9} Lane School, The");
    // A file without the required columns is refused whole.
    let (s, b) = env.send(env.http.post(env.url("/v1/schools/import")).bearer_auth(&admin.token).body("a,b\n1,2\n"), None).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_file")), "{b}");
}
