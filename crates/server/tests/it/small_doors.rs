//! Smaller doors of issue 15, against a real server: weak passwords, pull cursors beyond the
//! feed's range, names with control or text-direction characters.

use crate::common::*;
use qar_core::EntityKind;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weak_passwords_are_refused_wherever_one_is_set() {
    let env = Env::demo().await;
    let admin = env.laptop(ADMIN);
    let invite = json!({ "email": "pat.password@example.org", "name": "Pat Password", "role": { "role": "reviewer" } });
    let (s, issued) = env.post("/v1/invitations", Some(&admin.token), invite).await;
    assert_eq!(s, StatusCode::CREATED, "{issued}");
    let code = issued["code"].as_str().unwrap();
    for (password, reason) in [
        ("            ", "password_blank"),
        ("aaaaaaaaaaaa", "password_repetitive"),
        ("abababababab", "password_repetitive"),
        ("123123123123", "password_repetitive"),
        ("123456789012", "password_sequence"),
        ("Password2026!", "password_common"),
    ] {
        let (s, b) = env.post("/v1/invitations/redeem", None, json!({ "code": code, "password": password })).await;
        assert_eq!(
            (s, b["code"].as_str(), b["details"]["reason"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("weak_password"), Some(reason)),
            "{password:?}: {b}"
        );
    }
    let (s, b) = env.post("/v1/invitations/redeem", None, json!({ "code": code, "password": "demo-password-2026" })).await;
    assert_eq!(s, StatusCode::OK, "the code was not used up by the refusals, and the demo password passes: {b}");

    // create-admin with a chosen password: the same rule.
    let e = qar_server::admin::create_admin(
        env.srv.store(),
        "blank@example.org",
        "Blank Admin",
        Some("            ".into()),
        true,
        qar_server::store::now_ms(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("The password is blank"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_beyond_the_feed_is_refused_and_never_wraps() {
    let env = Env::demo().await;
    let mut lr = env.laptop(ANIKA);
    let beyond = (i64::MAX as u64) + 1;
    let (s, b) = env.get(&format!("/v1/sync/pull?cursor={beyond}"), Some(&lr.token)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("cursor_out_of_range")), "{b}");
    let (s, b) = env.get(&format!("/v1/sync/pull?cursor={}", u64::MAX), Some(&lr.token)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("cursor_out_of_range")), "{b}");
    let (s, b) = env.get(&format!("/v1/sync/pull?cursor={}", i64::MAX), Some(&lr.token)).await;
    assert_eq!((s, b["changes"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "the largest cursor is simply past the end: {b}");

    // A push asking for news after such a cursor is refused before anything is saved.
    let before = env.srv.store().dump().unwrap();
    lr.seq += 1;
    let op = json!({
        "seq": lr.seq, "entity": "evidence", "id": uuid::Uuid::now_v7(), "review_id": KESTREL,
        "fields": { "notes": { "value": "Learning walk", "base": null }, "activity_type": { "value": "learning_walk", "base": null } },
        "hlc": lr.clock.tick(qar_server::store::now_ms()).to_string(), "schema_version": qar_core::SCHEMA_VERSION,
    });
    let push = json!({ "device_id": lr.device, "schema_version": qar_core::SCHEMA_VERSION, "ops": [op], "pull_cursor": beyond });
    let (s, b) = env.post("/v1/sync/push", Some(&lr.token), push).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("cursor_out_of_range")), "{b}");
    assert_eq!(env.srv.store().dump().unwrap(), before, "nothing of the push was applied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_with_hidden_control_or_direction_characters_are_refused() {
    let env = Env::demo().await;
    let admin = env.laptop(ADMIN);
    for name in ["Ann\u{202E}eroc", "Nul\u{0}Name", "Iso\u{2066}late"] {
        let invite = json!({ "email": "hidden@example.org", "name": name, "role": { "role": "reviewer" } });
        let (s, b) = env.post("/v1/invitations", Some(&admin.token), invite).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_name")), "{name:?}: {b}");
        assert!(b["message"].as_str().unwrap().contains("hidden control or text-direction character"), "{b}");
        let (s, b) = env.post("/v1/hubs", Some(&admin.token), json!({ "name": name, "region": "North" })).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_name")), "{name:?}: {b}");
    }
    // A review's school name written by push: the op is refused, the name unchanged.
    let mut lr = env.laptop(ANIKA);
    let version = env.review(KESTREL).await.fields["school_name"].version;
    let (_, b) = env
        .push(&mut lr, &[(EntityKind::Review, KESTREL, KESTREL, vec![("school_name", json!("Kestrel \u{202E}loohcS"), Some(version))])])
        .await;
    assert_eq!(outcomes(&b), ["invalid"], "{b}");
    assert!(!env.review(KESTREL).await.fields["school_name"].value.as_str().unwrap().contains('\u{202E}'));
    // The directory import (qar-core's User rule) refuses them too.
    let csv = "name,email,role,hub\nBad\u{202E}Name,bad.name@example.org,reviewer,\n";
    let report = qar_server::admin::import_users(env.srv.store(), csv.as_bytes(), qar_server::store::now_ms()).unwrap();
    assert!(
        matches!(&report.lines[0].outcome, qar_server::admin::LineOutcome::Rejected(why) if why.contains("hidden control")),
        "{:?}",
        report.lines
    );
}

#[test]
fn a_gias_school_name_with_hidden_characters_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::common::open_store(dir.path());
    let csv = "URN,EstablishmentName,PhaseOfEducation (name),EstablishmentStatus (name),LA (name)\n\
               990301,Heron \u{202E}loohcS,Primary,Open,Fellside\n990302,Plain Lane School,Primary,Open,Fellside\n";
    let summary = qar_server::gias::import_bytes(csv.as_bytes(), &store, qar_server::store::now_ms()).unwrap();
    assert_eq!(summary.added, 1);
    assert!(
        summary.rejections.len() == 1 && summary.rejections[0].reason.contains("hidden control or text-direction character (U+202E)"),
        "{:?}",
        summary.rejections
    );
}
