//! Erasure (issue 24, point 4): a deactivated person's name and e-mail leave the directory, the
//! synced records, the audit chain and the issued reports, and `verify-audit` still passes;
//! tampering after an erasure is still found; versions issued before migration 12 get their
//! erasable form when the store opens.

use crate::common::*;
use qar_core::EntityKind;
use qar_server::store::now_ms;
use qar_server::store::PSEUDONYM_PREFIX;
use qar_server::{AuthDevice, Role};
use serde_json::{json, Value};
use std::path::Path;
use uuid::Uuid;

fn admin() -> AuthDevice {
    AuthDevice { user_id: ADMIN.into(), device_id: Uuid::now_v7(), roles: vec![Role::Admin] }
}

/// Owen wrote a note and is on Heron Vale's team; Heron Vale's report is issued (his name in
/// its snapshot); his account is deactivated.
async fn with_owen_deactivated() -> Env {
    let env = Env::demo().await;
    let mut owen = env.laptop(OWEN);
    let note = (
        EntityKind::Evidence,
        Uuid::now_v7(),
        KESTREL,
        vec![("activity_type", json!("learning_walk"), None), ("notes", json!("Calm."), None)],
    );
    let (s, _) = env.push(&mut owen, &[note]).await;
    assert!(s.is_success());
    env.submit(HERON).await;
    let store = env.srv.store();
    let hollie = store.authenticate(&env.laptop(HOLLIE).token, now_ms()).unwrap();
    let hash = qar_core::report_template::content_hash(&[], &[]);
    store.approve(HERON, &hash, &hollie, now_ms()).unwrap();
    store.issue_report(HERON, &hash, "", &hollie, now_ms()).unwrap();
    assert_eq!(count(env.dir.path(), "SELECT count(*) FROM report_versions WHERE instr(snapshot, 'Owen Pritchard') > 0"), 1);
    let admin_laptop = env.laptop(ADMIN);
    let (s, b) = env.post(&format!("/v1/users/{OWEN}/erase"), Some(&admin_laptop.token), Value::Null).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (409, Some("already_active")), "an active account is not erased");
    store.deactivate_user(&admin(), OWEN, "left the partnership", now_ms()).unwrap();
    env
}

fn db(dir: &Path) -> qar_server::store::db::Connection {
    crate::common::store_sql(dir)
}

fn count(dir: &Path, sql: &str) -> i64 {
    db(dir).query_row(sql, [], |r| r.get(0)).unwrap()
}

async fn erase_owen(env: &Env) -> Value {
    let admin_laptop = env.laptop(ADMIN);
    let (s, b) = env.post(&format!("/v1/users/{OWEN}/erase"), Some(&admin_laptop.token), Value::Null).await;
    assert_eq!(s, 200, "{b}");
    b
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_person_is_gone_and_the_chain_and_reports_still_verify() {
    let env = with_owen_deactivated().await;
    let counts = erase_owen(&env).await;
    assert!(counts["pseudonym"].as_str().unwrap().starts_with(PSEUDONYM_PREFIX));
    assert!(counts["audit_values"].as_u64().unwrap() >= 3, "{counts}");
    assert_eq!(counts["report_versions"], json!(1), "{counts}");
    assert!(counts["records_rewritten"].as_u64().unwrap() >= 3, "the three teams: {counts}");
    assert_eq!(counts["legacy_entries_left"], json!(0));

    let dir = env.dir.path();
    for needle in ["Owen Pritchard", "owen.pritchard@example.org"] {
        for (table, column) in [
            ("users", "name || email"),
            ("records", "fields"),
            ("report_versions", "snapshot || issued_by_name"),
            ("audit_log", "actor || subject || detail"),
            ("device_registry", "name || coalesce(revoked_reason, '')"),
        ] {
            let n = count(dir, &format!("SELECT count(*) FROM {table} WHERE instr({column}, '{needle}') > 0"));
            assert_eq!(n, 0, "{needle} is still in {table}");
        }
    }
    assert_eq!(count(dir, &format!("SELECT count(*) FROM audit_log WHERE instr(actor || subject || detail, '{OWEN}') > 0")), 0);
    assert_eq!(count(dir, &format!("SELECT count(*) FROM user_roles WHERE user_id = '{OWEN}'")), 0);

    // The teams on every laptop say "A former reviewer" at the next pull.
    let team = env.review(HERON).await.fields["team"].value.clone();
    assert!(team.as_array().unwrap().iter().any(|m| m["user_id"] == json!(OWEN) && m["name"] == json!("A former reviewer")), "{team}");

    let verdict = env.srv.store().verify_audit().unwrap();
    assert!(verdict.intact(), "{verdict:?}");
    assert!(verdict.pseudonymised >= 3 && verdict.versions_checked == 1, "{verdict:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_after_an_erasure_is_still_found() {
    let env = with_owen_deactivated().await;
    erase_owen(&env).await;
    let dir = env.dir.path();
    let conn = db(dir);
    crate::common::drop_trigger(&conn, "report_versions_frozen", "report_versions");
    crate::common::drop_trigger(&conn, "audit_log_no_update", "audit_log");
    let store = env.srv.store();

    // The report's text changed beside the pseudonym.
    let snapshot: String = conn.query_row("SELECT snapshot FROM report_versions", [], |r| r.get(0)).unwrap();
    conn.execute("UPDATE report_versions SET snapshot = replace(snapshot, 'Heron Vale', 'Heron Dale')", []).unwrap();
    let v = store.verify_audit().unwrap();
    assert!(v.version_problems.iter().any(|p| p.contains("changed after it was issued")), "{v:?}");
    conn.execute("UPDATE report_versions SET snapshot = ?1", [&snapshot]).unwrap();
    assert!(store.verify_audit().unwrap().intact());

    // Someone else's name written where the pseudonym stands.
    let pseudonym = snapshot.split('"').find(|s| s.starts_with(PSEUDONYM_PREFIX)).unwrap().to_owned();
    conn.execute("UPDATE report_versions SET snapshot = replace(snapshot, ?1, 'Nadia Nobody')", [&pseudonym]).unwrap();
    assert!(!store.verify_audit().unwrap().intact());
    conn.execute("UPDATE report_versions SET snapshot = ?1", [&snapshot]).unwrap();

    // Another person's name in the snapshot replaced by a pseudonym (theirs not erased).
    conn.execute("UPDATE report_versions SET snapshot = replace(snapshot, 'Dr Anika Marsh', ?1)", [&pseudonym]).unwrap();
    let v = store.verify_audit().unwrap();
    assert!(v.version_problems.iter().any(|p| p.contains("pseudonym that is not")), "{v:?}");
    conn.execute("UPDATE report_versions SET snapshot = ?1", [&snapshot]).unwrap();

    // The erased person's pseudonym copied onto another person's audit entry.
    let person: String = conn.query_row("SELECT actor FROM audit_log WHERE actor LIKE 'erased:%' LIMIT 1", [], |r| r.get(0)).unwrap();
    conn.execute(
        "UPDATE audit_log SET actor = ?1 WHERE seq = (SELECT min(seq) FROM audit_log WHERE actor = ?2 AND scheme = 1)",
        [&person, ANIKA],
    )
    .unwrap();
    let v = store.verify_audit().unwrap();
    assert!(v.broken.as_ref().is_some_and(|(_, why)| why.contains("pseudonym")), "{v:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_issued_before_migration_12_get_their_form_when_the_store_opens() {
    let env = with_owen_deactivated().await;
    let dir = env.dir.path();
    let conn = db(dir);
    crate::common::drop_trigger(&conn, "report_versions_frozen", "report_versions");
    conn.execute("UPDATE report_versions SET person_digests = NULL, form_sha256 = NULL, form_mac = NULL", []).unwrap();
    // As a store from before: verification is the plain SHA-256, and it passes.
    assert!(env.srv.store().verify_audit().unwrap().intact());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qar-server")).args(["verify-audit", "--data-dir"]).arg(dir).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && said.contains("1 issued report versions match"), "{said}");
    assert_eq!(count(dir, "SELECT count(*) FROM report_versions WHERE form_mac IS NOT NULL"), 1, "opening gave the version its form");
    // Now it can be erased and still verify.
    erase_owen(&env).await;
    assert!(env.srv.store().verify_audit().unwrap().intact());
    assert_eq!(count(dir, "SELECT count(*) FROM report_versions WHERE instr(snapshot, 'Owen Pritchard') > 0"), 0);
}

/// A data folder of a version from before the key: three unkeyed entries about `user-old`.
fn with_legacy_entries(dir: &Path) -> String {
    use sha2::{Digest, Sha256};
    drop(crate::common::open_store(dir));
    let conn = db(dir);
    conn.execute("DELETE FROM meta WHERE key = 'audit_legacy_end'", []).unwrap();
    let mut prev = "0".repeat(64);
    for seq in 1..=3i64 {
        let (seq_text, at) = (seq.to_string(), (1_790_000_000_000 + seq).to_string());
        let detail = r#"{"email":"old@example.org"}"#;
        let mut h = Sha256::new();
        for p in [prev.as_str(), &seq_text, &at, "sign_in", "user-old", "device-old", "user-old", detail] {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p.as_bytes());
        }
        let hash = hex::encode(h.finalize());
        conn.execute(
            "INSERT INTO audit_log(seq, at_ms, kind, actor, device_id, subject, detail, prev_hash, hash)
             VALUES (?1, ?2, 'sign_in', 'user-old', 'device-old', 'user-old', ?3, ?4, ?5)",
            qar_server::store::db::params![seq, 1_790_000_000_000 + seq, detail, prev, hash],
        )
        .unwrap();
        prev = hash;
    }
    conn.execute(
        "INSERT INTO meta(key, value) VALUES ('audit_head', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [format!("3:{prev}")],
    )
    .unwrap();
    prev
}

#[test]
fn entries_from_before_the_key_are_moved_over_and_can_then_be_pseudonymised() {
    let dir = tempfile::tempdir().unwrap();
    let head = with_legacy_entries(dir.path());
    let store = crate::common::open_store(dir.path());
    assert_eq!(count(dir.path(), "SELECT count(*) FROM audit_log WHERE legacy_mac IS NOT NULL AND actor_digest IS NOT NULL"), 3);
    assert_eq!(store.audit_head().unwrap(), Some((3, head)), "the links and the head are unchanged: exported heads still fit");
    assert!(store.pseudonymise_in_audit("user-old").unwrap() == 6);
    let verdict = store.verify_audit().unwrap();
    assert!(verdict.intact() && verdict.legacy_entries == 3 && verdict.pseudonymised == 6, "{verdict:?}");
    // Opening again changes nothing more, and the moved-over entries are still guarded.
    drop(store);
    let store = crate::common::open_store(dir.path());
    assert!(store.verify_audit().unwrap().intact());
    let conn = db(dir.path());
    assert!(conn.execute("UPDATE audit_log SET kind = 'sign_out' WHERE seq = 2", []).is_err(), "the trigger still refuses edits");
    crate::common::drop_trigger(&conn, "audit_log_no_update", "audit_log");
    conn.execute("UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 2", []).unwrap();
    let verdict = store.verify_audit().unwrap();
    assert_eq!(verdict.broken.as_ref().map(|(seq, _)| *seq), Some(2), "{verdict:?}");
}
