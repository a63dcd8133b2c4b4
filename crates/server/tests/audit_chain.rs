//! The server's audit log is a hash chain: sign-ins, revocations and coordinators' decisions
//! are in it, and editing or removing any entry (even with SQLite's own guards bypassed) is
//! found by `verify_audit` and by `qar-server verify-audit`.

use qar_server::auth::crypto::totp_code;
use qar_server::auth::LoginRequest;
use qar_server::store::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRETS};
use qar_server::store::now_ms;
use qar_server::ServerStore;
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
    let conn = rusqlite::Connection::open(dir.join(qar_server::store::STORE_FILE)).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;").unwrap();
    conn.execute_batch(sql).unwrap();
}

fn verify_cli(dir: &Path) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qar-server"))
        .args(["verify-audit", "--data-dir"])
        .arg(dir)
        .output()
        .unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// A data folder with sign-ins and a revocation in its audit log; returns the entry count.
fn with_history(dir: &Path) -> u64 {
    let store = ServerStore::open(dir).unwrap();
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
    let conn = rusqlite::Connection::open(dir.path().join(qar_server::store::STORE_FILE)).unwrap();
    let e = conn.execute("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2", []).unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    assert!(conn.execute("DELETE FROM audit_log WHERE seq = 4", []).is_err());
}

#[test]
fn an_edited_entry_is_found() {
    let dir = tempfile::tempdir().unwrap();
    with_history(dir.path());
    tamper(dir.path(), "UPDATE audit_log SET detail = '{\"reason\":\"routine\"}' WHERE seq = 4;");
    let verdict = ServerStore::open(dir.path()).unwrap().verify_audit().unwrap();
    assert_eq!(verdict.broken, Some((4, "its content was changed after it was written".into())));
    let (ok, text) = verify_cli(dir.path());
    assert!(!ok && text.contains("BROKEN at entry 4"), "{text}");
}

#[test]
fn a_removed_entry_in_the_middle_or_at_the_end_is_found() {
    let middle = tempfile::tempdir().unwrap();
    with_history(middle.path());
    tamper(middle.path(), "DELETE FROM audit_log WHERE seq = 2;");
    let verdict = ServerStore::open(middle.path()).unwrap().verify_audit().unwrap();
    assert_eq!(verdict.broken, Some((2, "an entry is missing here".into())));

    let tail = tempfile::tempdir().unwrap();
    with_history(tail.path());
    tamper(tail.path(), "DELETE FROM audit_log WHERE seq = 4;");
    let verdict = ServerStore::open(tail.path()).unwrap().verify_audit().unwrap();
    assert_eq!(verdict.broken, Some((4, "entries at the end were removed".into())));

    // Re-chaining the rest by hand would need every later hash recomputed and the head moved:
    // an attacker who can do that can rewrite the file anyway (see the threat model note).
}
