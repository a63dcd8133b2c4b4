//! The server's audit log is a chain keyed with the server key (issue 15): sign-ins,
//! revocations and coordinators' decisions are in it, and editing or removing any entry (even
//! with SQLite's own guards bypassed and the chain recomputed without the key) is found by
//! `verify_audit` and by `qar-server verify-audit`; a removed tail is found against an exported head.

use qar_server::auth::crypto::totp_code;
use qar_server::auth::LoginRequest;
use qar_server::store::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRETS};
use qar_server::store::now_ms;
use qar_server::{KeySource, ServerStore};
use std::path::Path;
use uuid::Uuid;

/// Signs in with password and the authenticator's current code; returns the laptop and token.
fn sign_in(store: &ServerStore, email: &str) -> (Uuid, String) {
    let secret = DEMO_TOTP_SECRETS.iter().find(|(e, _)| *e == email).unwrap().1;
    let device_id = Uuid::now_v7();
    let req = LoginRequest {
        email: email.into(),
        password: DEMO_PASSWORD.into(),
        totp_code: totp_code(secret, now_ms()).unwrap(),
        device_id,
        device_name: "Audit test laptop".into(),
    };
    let grant = store.login(&req, now_ms()).unwrap();
    (device_id, grant.token)
}

/// Changes the file the way an attacker with the file would: guards dropped first.
fn tamper(dir: &Path, sql: &str) {
    let conn = crate::common::store_sql(dir);
    crate::common::drop_trigger(&conn, "audit_log_no_update", "audit_log");
    crate::common::drop_trigger(&conn, "audit_log_no_delete", "audit_log");
    conn.execute_batch(sql).unwrap();
}

fn verify_cli(dir: &Path) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qar-server")).args(["verify-audit", "--data-dir"]).arg(dir).output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// A data folder with sign-ins and a revocation in its audit log; returns the entry count.
fn with_history(dir: &Path) -> u64 {
    let store = crate::common::open_store(dir);
    store.seed_demo(now_ms()).unwrap();
    sign_in(&store, "anika.marsh@example.org");
    let (lost, _) = sign_in(&store, "owen.pritchard@example.org");
    let (_, admin_token) = sign_in(&store, "admin@example.org");
    let admin = store.authenticate(&admin_token, now_ms()).unwrap();
    store.revoke_device(&admin, lost, "laptop reported lost on a train", now_ms()).unwrap();
    let verdict = store.verify_audit().unwrap();
    assert_eq!(verdict.broken, None);
    verdict.entries
}

#[test]
fn the_chain_holds_and_sql_cannot_change_it() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(with_history(dir.path()), 4, "three sign-ins and a revocation");
    let (ok, text) = verify_cli(dir.path());
    assert!(ok && text.contains("intact: 4 entries"), "{text}");
    let conn = crate::common::store_sql(dir.path());
    let e = conn.execute("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2", []).unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    assert!(conn.execute("DELETE FROM audit_log WHERE seq = 4", []).is_err());
}

#[test]
fn an_edited_entry_is_found() {
    let dir = tempfile::tempdir().unwrap();
    with_history(dir.path());
    tamper(dir.path(), "UPDATE audit_log SET detail = '{\"reason\":\"routine\"}' WHERE seq = 4;");
    let verdict = crate::common::open_store(dir.path()).verify_audit().unwrap();
    assert_eq!(verdict.broken, Some((4, "its content was changed after it was written".into())));
    let (ok, text) = verify_cli(dir.path());
    assert!(!ok && text.contains("BROKEN at entry 4"), "{text}");
}

#[test]
fn a_removed_entry_in_the_middle_or_at_the_end_is_found() {
    let middle = tempfile::tempdir().unwrap();
    with_history(middle.path());
    tamper(middle.path(), "DELETE FROM audit_log WHERE seq = 2;");
    let verdict = crate::common::open_store(middle.path()).verify_audit().unwrap();
    assert_eq!(verdict.broken, Some((2, "an entry is missing here".into())));

    let tail = tempfile::tempdir().unwrap();
    with_history(tail.path());
    tamper(tail.path(), "DELETE FROM audit_log WHERE seq = 4;");
    let verdict = crate::common::open_store(tail.path()).verify_audit().unwrap();
    assert_eq!(verdict.broken, Some((4, "entries at the end were removed".into())));

    // Re-chaining the rest by hand would need every later hash recomputed and the head moved:
    // an attacker who can do that can rewrite the file anyway (see the threat model note).
}

/// An attacker's own recomputation of rows `from..` after an edit: digests and MACs made with a
/// key of their own (they do not have the server's), `prev_hash` relinked, the head moved.
/// `legacy` rewrites the rows as pre-key SHA-256 entries instead.
fn reforge(dir: &Path, from: i64, edit: &str, legacy: bool) {
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};
    tamper(dir, edit);
    let conn = crate::common::store_sql(dir);
    let mac = |data: &[u8]| {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(b"the attacker's guess at the key").unwrap();
        m.update(data);
        hex::encode(m.finalize().into_bytes())
    };
    let framed = |parts: &[&str]| {
        let mut out = Vec::new();
        for p in parts {
            out.extend_from_slice(&(p.len() as u64).to_le_bytes());
            out.extend_from_slice(p.as_bytes());
        }
        out
    };
    let mut prev: String = conn.query_row("SELECT hash FROM audit_log WHERE seq = ?1", [from - 1], |r| r.get(0)).unwrap();
    let rows: Vec<(i64, i64, String, [String; 4])> = conn
        .prepare("SELECT seq, at_ms, kind, actor, device_id, subject, detail FROM audit_log WHERE seq >= ?1 ORDER BY seq")
        .unwrap()
        .query_map([from], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, [r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?])))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (seq, at, kind, parts) in rows {
        let (seq_text, at_text) = (seq.to_string(), at.to_string());
        if legacy {
            let hash =
                hex::encode(Sha256::digest(framed(&[&prev, &seq_text, &at_text, &kind, &parts[0], &parts[1], &parts[2], &parts[3]])));
            conn.execute(
                "UPDATE audit_log SET scheme = 0, actor_digest = NULL, device_digest = NULL, subject_digest = NULL, detail_digest = NULL,
                 prev_hash = ?2, hash = ?3 WHERE seq = ?1",
                qar_server::store::db::params![seq, prev, hash],
            )
            .unwrap();
            prev = hash;
        } else {
            let d: Vec<String> = (0..4).map(|i| mac(&[b"qar-audit-part-v1\0".as_slice(), parts[i].as_bytes()].concat())).collect();
            let row = [b"qar-audit-row-v1".to_vec(), framed(&[&prev, &seq_text, &at_text, &kind, &d[0], &d[1], &d[2], &d[3]])].concat();
            let hash = mac(&row);
            conn.execute(
                "UPDATE audit_log SET actor_digest = ?2, device_digest = ?3, subject_digest = ?4, detail_digest = ?5, prev_hash = ?6, hash = ?7 WHERE seq = ?1",
                qar_server::store::db::params![seq, d[0], d[1], d[2], d[3], prev, hash],
            )
            .unwrap();
            prev = hash;
        }
    }
    let last: i64 = conn.query_row("SELECT max(seq) FROM audit_log", [], |r| r.get(0)).unwrap();
    conn.execute("UPDATE meta SET value = ?1 WHERE key = 'audit_head'", [format!("{last}:{prev}")]).unwrap();
}

#[test]
fn a_chain_recomputed_without_the_key_is_found() {
    for legacy in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        with_history(dir.path());
        reforge(dir.path(), 2, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2;", legacy);
        let verdict = crate::common::open_store(dir.path()).verify_audit().unwrap();
        let why = if legacy {
            "it is an unkeyed entry where the keyed chain had begun: it was rewritten without the server key"
        } else {
            "its content was changed after it was written"
        };
        assert_eq!(verdict.broken, Some((2, why.into())), "legacy form: {legacy}");
        let (ok, text) = verify_cli(dir.path());
        assert!(!ok && text.contains("BROKEN at entry 2"), "{text}");
    }
}

#[test]
fn a_wrong_key_is_refused_and_cannot_verify() {
    let dir = tempfile::tempdir().unwrap();
    with_history(dir.path());
    let wrong = KeySource::Hex("ab".repeat(32));
    let e = qar_server::open_store(dir.path(), None, &wrong).err().expect("another key is refused at start");
    assert!(e.to_string().contains("does not belong to the data folder"), "{e}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qar-server"))
        .args(["verify-audit", "--data-dir"])
        .arg(dir.path())
        .env("QAR_SERVER_KEY", "ab".repeat(32))
        .output()
        .unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("does not belong to the data folder"));
    // Even with the key check removed from the file, the chain does not verify with that key.
    tamper(dir.path(), "DELETE FROM meta WHERE key = 'server_key_check';");
    let verdict = qar_server::open_store(dir.path(), None, &wrong).unwrap().verify_audit().unwrap();
    assert_eq!(verdict.broken.as_ref().map(|(seq, _)| *seq), Some(1), "the legacy boundary's MAC does not fit: {:?}", verdict.broken);
}

#[test]
fn a_removed_tail_is_found_against_an_exported_head() {
    let dir = tempfile::tempdir().unwrap();
    with_history(dir.path());
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_qar-server")).args(["audit-head", "--data-dir"]).arg(dir.path()).output().unwrap();
    let exported = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(out.status.success() && exported.starts_with("4:") && exported.len() == 66, "{exported}");
    // A careful attacker removes the last entry and moves the head in the file to the one before.
    let conn = crate::common::store_sql(dir.path());
    let third: String = conn.query_row("SELECT hash FROM audit_log WHERE seq = 3", [], |r| r.get(0)).unwrap();
    tamper(dir.path(), &format!("DELETE FROM audit_log WHERE seq = 4; UPDATE meta SET value = '3:{third}' WHERE key = 'audit_head';"));
    let store = crate::common::open_store(dir.path());
    assert_eq!(store.verify_audit().unwrap().broken, None, "the file alone cannot tell: that is why the head is exported");
    let head = qar_server::store::parse_head(&exported).unwrap();
    let verdict = store.verify_audit_against(Some(head)).unwrap();
    assert_eq!(verdict.broken, Some((4, "entries at the end were removed: the exported head is entry 4, the chain ends at 3".into())));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qar-server"))
        .args(["verify-audit", "--expect-head", &exported, "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("BROKEN at entry 4: entries at the end were removed"));
    // The head of an intact chain passes.
    let verdict = store.verify_audit_against(Some((3, third))).unwrap();
    assert!(verdict.intact(), "{verdict:?}");
}

#[test]
fn a_pseudonymised_person_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    with_history(dir.path());
    let store = crate::common::open_store(dir.path());
    let replaced = store.pseudonymise_in_audit("user-demo-admin").unwrap();
    assert_eq!(replaced, 3, "the admin signed in (actor and subject) and revoked a laptop (actor)");
    let verdict = store.verify_audit().unwrap();
    assert!(verdict.intact() && verdict.pseudonymised == 3, "{verdict:?}");
    let conn = crate::common::store_sql(dir.path());
    let left: i64 = conn
        .query_row("SELECT count(*) FROM audit_log WHERE actor = 'user-demo-admin' OR subject = 'user-demo-admin'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
    // Only a pseudonym may replace a value; the digests stay as they were.
    let e = conn.execute("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3", []).unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    assert!(conn.execute("UPDATE audit_log SET actor_digest = 'x' WHERE seq = 3", []).is_err());
    let (ok, text) = verify_cli(dir.path());
    assert!(ok && text.contains("3 values pseudonymised"), "{text}");
    // The same person reads the same everywhere; copied onto someone else's entry, it does not fit.
    let pseudonym: String = conn.query_row("SELECT actor FROM audit_log WHERE seq = 3", [], |r| r.get(0)).unwrap();
    let subject: String = conn.query_row("SELECT subject FROM audit_log WHERE seq = 3", [], |r| r.get(0)).unwrap();
    assert!(pseudonym.starts_with("erased:") && pseudonym == subject, "{pseudonym} / {subject}");
    tamper(dir.path(), &format!("UPDATE audit_log SET actor = '{pseudonym}' WHERE seq = 2;"));
    let verdict = store.verify_audit().unwrap();
    assert_eq!(verdict.broken, Some((2, "it holds a pseudonym that is not the one of the value it replaced".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_head_is_exported_on_a_schedule_and_at_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let (data, export) = (dir.path().join("data"), dir.path().join("elsewhere-audit-heads"));
    let config = qar_server::ServerConfig {
        data_dir: data.clone(),
        listen: "127.0.0.1:0".parse().unwrap(),
        demo: true,
        audit_head_export: Some(export.clone()),
        audit_head_every: std::time::Duration::from_secs(1),
        ..Default::default()
    };
    let srv = qar_server::start(&config).await.unwrap();
    sign_in(srv.store(), "anika.marsh@example.org");
    let first = srv.store().audit_head().unwrap().unwrap();
    let lines = || {
        std::fs::read_to_string(&export).unwrap_or_default().lines().map(|l| l.split(' ').next().unwrap().to_owned()).collect::<Vec<_>>()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !lines().contains(&format!("{}:{}", first.0, first.1)) {
        assert!(std::time::Instant::now() < deadline, "the scheduled export did not write the head: {:?}", lines());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    sign_in(srv.store(), "owen.pritchard@example.org");
    let last = srv.store().audit_head().unwrap().unwrap();
    srv.stop().await;
    let written = lines();
    assert_eq!(written.last(), Some(&format!("{}:{}", last.0, last.1)), "written once more at shutdown");
    let store = crate::common::open_store(&data);
    for line in &written {
        let head = qar_server::store::parse_head(line).unwrap();
        assert!(store.verify_audit_against(Some(head)).unwrap().intact(), "{line}");
    }
}

#[test]
fn entries_from_before_the_key_still_verify_and_the_keyed_chain_continues_from_them() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    drop(crate::common::open_store(dir.path()));
    // What a data folder of the previous version holds: unkeyed SHA-256 rows, no boundary record.
    let mut prev = "0".repeat(64);
    {
        let conn = crate::common::store_sql(dir.path());
        conn.execute("DELETE FROM meta WHERE key = 'audit_legacy_end'", []).unwrap();
        for seq in 1..=3i64 {
            let (seq_text, at) = (seq.to_string(), (1_790_000_000_000 + seq).to_string());
            let parts = [prev.as_str(), &seq_text, &at, "sign_in", "user-old", "device-old", "user-old", ""];
            let mut h = Sha256::new();
            for p in parts {
                h.update((p.len() as u64).to_le_bytes());
                h.update(p.as_bytes());
            }
            let hash = hex::encode(h.finalize());
            conn.execute(
                "INSERT INTO audit_log(seq, at_ms, kind, actor, device_id, subject, detail, prev_hash, hash) VALUES (?1, ?2, 'sign_in', 'user-old', 'device-old', 'user-old', '', ?3, ?4)",
                qar_server::store::db::params![seq, 1_790_000_000_000 + seq, prev, hash],
            )
            .unwrap();
            prev = hash;
        }
        conn.execute(
            "INSERT INTO meta(key, value) VALUES ('audit_head', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [format!("3:{prev}")],
        )
        .unwrap();
    }
    let store = crate::common::open_store(dir.path());
    store.seed_demo(now_ms()).unwrap();
    sign_in(&store, "anika.marsh@example.org");
    let verdict = store.verify_audit().unwrap();
    assert!(verdict.intact() && (verdict.entries, verdict.legacy_entries) == (4, 3), "{verdict:?}");
    let conn = crate::common::store_sql(dir.path());
    let (scheme, linked): (i64, String) =
        conn.query_row("SELECT scheme, prev_hash FROM audit_log WHERE seq = 4", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((scheme, linked), (1, prev), "the keyed chain continues from the legacy head");
    // The legacy rows are anchored: editing one (even recomputing them all) is found.
    drop(store);
    reforge(dir.path(), 2, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2;", true);
    let verdict = crate::common::open_store(dir.path()).verify_audit().unwrap();
    assert!(verdict.broken.is_some(), "{verdict:?}");
}
