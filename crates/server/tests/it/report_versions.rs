//! Issuing a report freezes a version; a correction goes back through approval and becomes
//! version 2 with its reason, and version 1's snapshot stays byte-identical (issue 10).

use crate::common::*;
use qar_core::report_template::{content_hash, section_id};
use qar_core::EntityKind;
use serde_json::json;
use uuid::Uuid;

async fn snapshot_bytes(env: &Env, review: Uuid, n: u32, token: &str) -> (u16, Vec<u8>, String) {
    let reply = env.http.get(env.url(&format!("/v1/reviews/{review}/versions/{n}"))).bearer_auth(token).send().await.unwrap();
    let status = reply.status().as_u16();
    let sha = reply.headers().get("x-qar-sha256").map(|h| h.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, reply.bytes().await.unwrap().to_vec(), sha)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issuing_freezes_a_version_and_a_correction_becomes_version_two() {
    let env = Env::demo().await;
    let mut lr = env.laptop(ANIKA);
    let coordinator = env.laptop(HOLLIE);
    let token = Some(coordinator.token.as_str());
    let section = section_id(HERON, "context");
    let mut base = Some(env.review(HERON).await.fields["state"].version);
    for to in ["in_visit", "estimates_agreed"] {
        env.push(&mut lr, &[(EntityKind::Review, HERON, HERON, vec![("state", json!(to), base)])]).await;
        base = Some(lr.clock.last());
    }
    let est = estimate_id(HERON, "leadership");
    env.push(
        &mut lr,
        &[
            (
                EntityKind::ReportSection,
                section,
                HERON,
                vec![("section_code", json!("context"), None), ("body", json!("A larger than average secondary — ‘Ysgol’."), None)],
            ),
            (
                EntityKind::Estimate,
                est,
                HERON,
                vec![
                    ("area_code", json!("leadership"), None),
                    ("value", json!("effective"), None),
                    ("rationale", json!("Clear vision."), None),
                ],
            ),
        ],
    )
    .await;
    base = Some(env.review(HERON).await.fields["state"].version);
    for to in ["drafting", "submitted"] {
        env.push(&mut lr, &[(EntityKind::Review, HERON, HERON, vec![("state", json!(to), base)])]).await;
        base = Some(lr.clock.last());
    }
    let estimates = [("leadership".to_owned(), "effective".to_owned(), "Clear vision.".to_owned())];
    let hash = content_hash(&[("context".into(), "A larger than average secondary — ‘Ysgol’.".into())], &estimates);
    let issue = format!("/v1/reviews/{HERON}/issue");

    // Not yet approved: the permission table refuses.
    let (status, body) = env.post(&issue, token, json!({"report_hash": hash})).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (403, Some("wrong_state")), "{body}");
    let (status, body) = env.post(&format!("/v1/reviews/{HERON}/approve"), token, json!({"report_hash": hash})).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    // The Lead Reviewer cannot issue; a stale hash is report_changed.
    let (status, body) = env.post(&issue, Some(&lr.token), json!({"report_hash": hash})).await;
    assert_eq!(status.as_u16(), 403, "{body}");
    let (status, body) = env.post(&issue, token, json!({"report_hash": "stale"})).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str(), body["details"]["current_hash"].as_str()),
        (409, Some("report_changed"), Some(hash.as_str()))
    );

    let (status, body) = env.post(&issue, token, json!({"report_hash": hash})).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    assert_eq!(body["review"]["fields"]["state"]["value"], json!("issued"));
    assert_eq!((body["version"]["version"].as_u64(), body["version"]["issued_by"].as_str()), (Some(1), Some("Hollie Brennan")));
    let (status, again) = env.post(&issue, token, json!({"report_hash": hash})).await;
    assert_eq!((status.as_u16(), &again["version"]), (200, &body["version"]), "issuing again changes nothing");

    let (status, v1, sha) = snapshot_bytes(&env, HERON, 1, &lr.token).await;
    assert_eq!(status, 200, "the team reads the issued version");
    assert_eq!(sha, body["version"]["sha256"].as_str().unwrap());
    let snap: serde_json::Value = serde_json::from_slice(&v1).unwrap();
    assert_eq!(snap["sections"], json!([{"code": "context", "body": "A larger than average secondary — ‘Ysgol’."}]));
    assert_eq!((snap["report_hash"].as_str(), snap["version"].as_u64()), (Some(hash.as_str()), Some(1)));

    // A correction: the LR edits the issued report, it goes back for approval.
    let section_version = env.pull_all(&coordinator).await[&section].fields["body"].version;
    let (_, b) = env
        .push(
            &mut lr,
            &[(
                EntityKind::ReportSection,
                section,
                HERON,
                vec![("body", json!("A larger than average 11–18 school."), Some(section_version))],
            )],
        )
        .await;
    assert_eq!(outcomes(&b), ["applied"], "{b}");
    assert_eq!(env.review(HERON).await.fields["state"].value, json!("submitted"));
    let fixed = content_hash(&[("context".into(), "A larger than average 11–18 school.".into())], &estimates);
    let (status, body) = env.post(&issue, token, json!({"report_hash": fixed})).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (403, Some("wrong_state")), "not approved yet: {body}");
    let (status, _) = env.post(&format!("/v1/reviews/{HERON}/approve"), token, json!({"report_hash": fixed})).await;
    assert_eq!(status.as_u16(), 200);
    for reason in [json!(null), json!("   ")] {
        let (status, body) = env.post(&issue, token, json!({"report_hash": fixed, "reason": reason})).await;
        assert_eq!((status.as_u16(), body["code"].as_str()), (400, Some("reason_required")), "{body}");
    }
    let (status, body) = env.post(&issue, token, json!({"report_hash": fixed, "reason": "The school's age range was wrong."})).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    assert_eq!(body["version"]["version"], json!(2));

    let (status, list) = env.get(&format!("/v1/reviews/{HERON}/versions"), Some(&lr.token)).await;
    assert_eq!(status.as_u16(), 200, "{list}");
    let reasons: Vec<&str> = list.as_array().unwrap().iter().map(|v| v["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons, ["", "The school's age range was wrong."]);
    let (_, v1_again, _) = snapshot_bytes(&env, HERON, 1, &coordinator.token).await;
    assert_eq!(v1_again, v1, "version 1 is byte-identical after the correction");
    let (_, v2, _) = snapshot_bytes(&env, HERON, 2, &coordinator.token).await;
    assert!(String::from_utf8(v2).unwrap().contains("11–18"));

    // Strangers and other hubs read nothing; unknown versions are 404.
    let (status, _, _) = snapshot_bytes(&env, HERON, 1, &env.laptop(OLGA_OTHER_HUB).token).await;
    assert_eq!(status, 403);
    let (status, body) = env.get(&format!("/v1/reviews/{HERON}/versions/3"), token).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (404, Some("unknown_version")));
    let verdict = env.srv.store().verify_audit().unwrap();
    assert_eq!(verdict.broken, None, "issues are in the audit chain and it is whole");
    assert!(verdict.intact() && verdict.versions_checked == 2, "both versions match their issue entries: {verdict:?}");
    issued_snapshots_are_checked_against_the_chain(&env, &v1);
}

/// Issue 15: each issued version's SHA-256 is chained by its issue entry, so a snapshot changed
/// in the file (with a matching `sha256` column), removed or added is found by `verify_audit`.
fn issued_snapshots_are_checked_against_the_chain(env: &Env, v1: &[u8]) {
    use sha2::{Digest, Sha256};
    let conn = store_sql(env.dir.path());
    // The guards go first, as someone with the database file (or its password) could do.
    let on = if conn.backend() == qar_server::store::db::Backend::Postgres { " ON report_versions" } else { "" };
    conn.execute_batch(&format!("DROP TRIGGER report_versions_frozen{on}; DROP TRIGGER report_versions_kept{on};")).unwrap();
    let problems = || env.srv.store().verify_audit().unwrap().version_problems;

    let forged = String::from_utf8(v1.to_vec()).unwrap().replace("larger than average", "smaller than average");
    let forged_sha = hex::encode(Sha256::digest(forged.as_bytes()));
    conn.execute(
        "UPDATE report_versions SET snapshot = ?1, sha256 = ?2 WHERE version = 1",
        qar_server::store::db::params![forged, forged_sha],
    )
    .unwrap();
    let found = problems();
    // The chain's SHA-256 no longer fits, and neither does the erasable form's MAC (issue 24).
    assert!(
        found.len() == 2
            && found.iter().any(|p| p.starts_with(&format!("review {HERON} version 1: it is not the snapshot issued in audit entry"))),
        "{found:?}"
    );
    // Only the snapshot edited, its recorded SHA-256 left: found too.
    conn.execute("UPDATE report_versions SET sha256 = ?1 WHERE version = 1", [hex::encode(Sha256::digest(v1))]).unwrap();
    assert_eq!(problems(), [format!("review {HERON} version 1: its snapshot was changed after it was issued")]);
    conn.execute("UPDATE report_versions SET snapshot = ?1 WHERE version = 1", [std::str::from_utf8(v1).unwrap()]).unwrap();
    assert_eq!(problems(), Vec::<String>::new(), "restored byte for byte");

    conn.execute("DELETE FROM report_versions WHERE version = 2", []).unwrap();
    let found = problems();
    assert!(
        found.len() == 1 && found[0].contains("version 2: issued in audit entry") && found[0].ends_with("but its snapshot is gone"),
        "{found:?}"
    );
    conn.execute(
        "INSERT INTO report_versions (review_id, version, snapshot, sha256, report_hash, issued_ms, issued_by, issued_by_name, reason)
         SELECT review_id, 3, snapshot, sha256, report_hash, issued_ms, issued_by, issued_by_name, 'made up' FROM report_versions WHERE version = 1",
        [],
    )
    .unwrap();
    let found = problems();
    assert!(
        found
            .iter()
            .any(|p| p == &format!("review {HERON} version 3: it is in no issue entry of the audit chain (added outside the server)")),
        "{found:?}"
    );
}
