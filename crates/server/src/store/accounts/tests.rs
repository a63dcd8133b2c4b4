//! Sign-in, rate limit and device registry at the store level, with an injected clock.

use super::super::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRETS};
use super::*;
use crate::auth::crypto::totp_code;
use crate::store::directory::{DirectoryRole, DirectoryUser, UpsertKind};

const T: u64 = 1_795_000_000_000;
const ANIKA: &str = "anika.marsh@example.org";
const OWEN: &str = "owen.pritchard@example.org";
const ADMIN: &str = "admin@example.org";

fn demo_store() -> (tempfile::TempDir, ServerStore) {
    let dir = tempfile::tempdir().unwrap();
    let s = crate::open_store(dir.path(), None, &crate::KeySource::DataDir).unwrap();
    s.seed_demo(T).unwrap();
    (dir, s)
}

fn secret(email: &str) -> &'static str {
    DEMO_TOTP_SECRETS.iter().find(|(e, _)| *e == email).unwrap().1
}

fn request(email: &str, password: &str, code: &str, device: Uuid) -> LoginRequest {
    LoginRequest {
        email: email.into(),
        password: password.into(),
        totp_code: code.into(),
        device_id: device,
        device_name: "Test laptop".into(),
    }
}

/// A correct sign-in of a demo person at `at`.
fn good(email: &str, device: Uuid, at: u64) -> LoginRequest {
    request(email, DEMO_PASSWORD, &totp_code(secret(email), at).unwrap(), device)
}

fn login(s: &ServerStore, email: &str, device: Uuid, at: u64) -> LoginGrant {
    s.login(&good(email, device, at), at).unwrap()
}

fn count(s: &ServerStore, sql: &str) -> i64 {
    s.reader().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn demo_people_sign_in_and_their_token_authenticates() {
    let (_d, s) = demo_store();
    let device = Uuid::now_v7();
    let grant = login(&s, ANIKA, device, T);
    assert_eq!(grant.user.id, "user-anika-marsh");
    assert_eq!(grant.user.email, ANIKA);
    assert!(grant.user.roles.is_empty(), "a lead reviewer has no global role");
    assert_eq!(grant.expires_at_ms, T + crate::auth::TOKEN_TTL_MS);
    let me = s.authenticate(&grant.token, T + 1).unwrap();
    assert_eq!(me, AuthDevice { user_id: "user-anika-marsh".into(), device_id: device, roles: vec![] });

    let hollie = login(&s, "hollie.brennan@example.org", Uuid::now_v7(), T);
    assert_eq!(hollie.user.roles, vec![Role::HubCoordinator { hub_id: "hub-riverside-fells".into() }]);
    let admin = login(&s, ADMIN, Uuid::now_v7(), T);
    assert_eq!(admin.user.roles, vec![Role::Admin]);
    assert_eq!(admin.user.name, "Demo Administrator");
    // Email is matched whatever its case and surrounding spaces.
    let shouted = LoginRequest { email: " Owen.Pritchard@Example.org ".into(), ..good(OWEN, Uuid::now_v7(), T) };
    let owen = s.login(&shouted, T).unwrap();
    assert_eq!(owen.user.id, "user-owen-pritchard");
}

#[test]
fn password_hashes_are_argon2id_and_tokens_are_stored_only_as_hashes() {
    let (dir, s) = demo_store();
    let grant = login(&s, ANIKA, Uuid::now_v7(), T);
    let hashes: Vec<String> = {
        let c = s.reader();
        let mut stmt = c.prepare("SELECT password_hash FROM accounts").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(hashes.len(), 4);
    assert!(hashes.iter().all(|h| h.starts_with("$argon2id$v=19$")), "{hashes:?}");
    assert!(hashes.iter().all(|h| !h.contains(DEMO_PASSWORD)));
    let stored: String = s.reader().query_row("SELECT token_hash FROM device_registry", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, crypto::token_hash(&grant.token));
    assert_eq!(count(&s, &format!("SELECT count(*) FROM device_registry WHERE token_hash LIKE '%{}%'", &grant.token[5..])), 0);
    // Nor anywhere in the database files, WAL included.
    let secret_part = grant.token.as_bytes();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(secret_part.len()).any(|w| w == secret_part), "the token is in a database file");
    }
}

#[test]
fn wrong_password_wrong_code_and_unknown_email_are_the_same_refusal() {
    let (_d, s) = demo_store();
    let device = Uuid::now_v7();
    let code = totp_code(secret(ANIKA), T).unwrap();
    let wrong_code = if code == "000000" { "000001" } else { "000000" };
    let cases = [
        request(ANIKA, "demo-password-2025", &code, device),
        request(ANIKA, DEMO_PASSWORD, wrong_code, device),
        request("nobody@example.org", DEMO_PASSWORD, &code, device),
        request(ANIKA, DEMO_PASSWORD, "", device),
        request(ANIKA, &"x".repeat(5000), &code, device),
    ];
    for (i, req) in cases.iter().enumerate() {
        assert!(matches!(s.login(req, T), Err(AuthError::InvalidCredentials)), "case {i}");
    }
    // Owen's code does not open Anika's account.
    let owen_code = totp_code(secret(OWEN), T).unwrap();
    assert!(matches!(s.login(&request(ANIKA, DEMO_PASSWORD, &owen_code, Uuid::now_v7()), T), Err(AuthError::InvalidCredentials)));
}

#[test]
fn a_code_works_once() {
    let (_d, s) = demo_store();
    let req = good(ANIKA, Uuid::now_v7(), T);
    s.login(&req, T).unwrap();
    let again = LoginRequest { device_id: Uuid::now_v7(), ..req };
    assert!(matches!(s.login(&again, T + 5_000), Err(AuthError::InvalidCredentials)), "replayed code");
    login(&s, ANIKA, Uuid::now_v7(), T + 30_000);
}

/// Issue 15 item 8: wrong passwords, however many, never lock the owner out (limits per client
/// address are the API's, tested against a real server in tests/wire_throttle.rs).
#[test]
fn wrong_passwords_never_lock_the_owner_out_and_write_nothing() {
    let (d, s) = demo_store();
    // SQLite counts the rows a connection changed; on PostgreSQL every row is compared.
    let written = || (s.writer().sqlite().map(|c| c.total_changes()), crate::store::pg_testkit::pg_dump(d.path(), true).unwrap());
    let before = written();
    for i in 0..30 {
        let r = s.login(&request(ANIKA, "guess", "123456", Uuid::now_v7()), T + i * 1000);
        assert!(matches!(r, Err(AuthError::InvalidCredentials)), "attempt {}", i + 1);
    }
    assert!(written() == before, "a failed attempt writes nothing to the database");
    assert_eq!(count(&s, "SELECT count(*) FROM login_attempts"), 0);
    login(&s, ANIKA, Uuid::now_v7(), T + 30_000);
}

/// Someone who knows the password but not the code: after five wrong codes the account backs
/// off (doubling), whatever password comes next, so the six digits cannot be run through.
#[test]
fn the_right_password_with_wrong_codes_backs_the_account_off() {
    let (_d, s) = demo_store();
    let wrong_code = |at: u64| if totp_code(secret(ANIKA), at).unwrap() == "000000" { "000001".to_owned() } else { "000000".to_owned() };
    for i in 0..4 {
        let at = T + i * 1000;
        assert!(matches!(s.login(&request(ANIKA, DEMO_PASSWORD, &wrong_code(at), Uuid::now_v7()), at), Err(AuthError::InvalidCredentials)));
    }
    let at = T + 4_000;
    assert!(matches!(s.login(&request(ANIKA, DEMO_PASSWORD, &wrong_code(at), Uuid::now_v7()), at), Err(AuthError::InvalidCredentials)));
    // The fifth starts a back-off of 1 s: even the right code waits, and so does a wrong password.
    match s.login(&good(ANIKA, Uuid::now_v7(), at), at) {
        Err(AuthError::TooManyAttempts { retry_after_s }) => assert_eq!(retry_after_s, 1),
        other => panic!("expected too_many_attempts, got {other:?}"),
    }
    assert!(matches!(s.login(&request(ANIKA, "guess", "123456", Uuid::now_v7()), at), Err(AuthError::TooManyAttempts { .. })));
    // Owen's account is not affected.
    login(&s, OWEN, Uuid::now_v7(), at);
    // After the wait, the owner gets in, and that clears the count.
    login(&s, ANIKA, Uuid::now_v7(), at + 30_000);
    let later = at + 60_000;
    assert!(matches!(
        s.login(&request(ANIKA, DEMO_PASSWORD, &wrong_code(later), Uuid::now_v7()), later),
        Err(AuthError::InvalidCredentials)
    ));
    login(&s, ANIKA, Uuid::now_v7(), later + 30_000);
}

#[test]
fn a_switched_off_account_is_told_so_only_with_the_right_credentials() {
    let (_d, s) = demo_store();
    let grant = login(&s, OWEN, Uuid::now_v7(), T);
    assert!(s.set_account_active("user-owen-pritchard", false, T).unwrap());
    let at = T + 30_000;
    assert!(matches!(
        s.login(&request(OWEN, "wrong", &totp_code(secret(OWEN), at).unwrap(), Uuid::now_v7()), at),
        Err(AuthError::InvalidCredentials)
    ));
    assert!(matches!(s.login(&good(OWEN, Uuid::now_v7(), at), at), Err(AuthError::AccountDisabled)));
    assert!(matches!(s.authenticate(&grant.token, at), Err(AuthError::AccountDisabled)), "its tokens stop too");
}

#[test]
fn tokens_expire_and_a_new_sign_in_replaces_the_old_token() {
    let (_d, s) = demo_store();
    let device = Uuid::now_v7();
    let first = login(&s, ANIKA, device, T);
    let end = first.expires_at_ms;
    s.authenticate(&first.token, end - 1).unwrap();
    match s.authenticate(&first.token, end) {
        Err(AuthError::TokenExpired { expired_ms }) => assert_eq!(expired_ms, end),
        other => panic!("expected token_expired, got {other:?}"),
    }
    let second = login(&s, ANIKA, device, end + 60_000);
    assert!(matches!(s.authenticate(&first.token, end + 61_000), Err(AuthError::InvalidToken)), "the old token is gone");
    s.authenticate(&second.token, end + 61_000).unwrap();
    assert_eq!(count(&s, "SELECT count(*) FROM device_registry"), 1, "still one row for the laptop");
    assert!(matches!(s.authenticate("qar1_made-up", T), Err(AuthError::InvalidToken)));
}

#[test]
fn revoked_devices_are_refused_with_the_reason_and_only_admins_revoke() {
    let (_d, s) = demo_store();
    let laptop = Uuid::now_v7();
    let anika = s.authenticate(&login(&s, ANIKA, laptop, T).token, T).unwrap();
    let token = login(&s, ANIKA, laptop, T + 30_000).token;
    let owen = s.authenticate(&login(&s, OWEN, Uuid::now_v7(), T).token, T).unwrap();
    let hollie = s.authenticate(&login(&s, "hollie.brennan@example.org", Uuid::now_v7(), T).token, T).unwrap();
    let admin = s.authenticate(&login(&s, ADMIN, Uuid::now_v7(), T).token, T).unwrap();

    for not_admin in [&anika, &owen, &hollie] {
        assert!(matches!(s.revoke_device(not_admin, laptop, "lost", T), Err(AuthError::Forbidden(_))));
    }
    assert!(matches!(s.revoke_device(&admin, laptop, "  ", T), Err(AuthError::Invalid { code: qar_core::ErrorCode::InvalidReason, .. })));
    assert!(matches!(s.revoke_device(&admin, Uuid::now_v7(), "lost", T), Err(AuthError::DeviceNotFound)));

    let info = s.revoke_device(&admin, laptop, "laptop reported lost on the train", T + 100).unwrap();
    assert_eq!(info.status, DeviceStatus::Revoked);
    assert_eq!(info.revoked_by.as_deref(), Some(admin.user_id.as_str()));
    match s.authenticate(&token, T + 200) {
        Err(AuthError::DeviceRevoked { reason, by_admin, revoked_ms }) => {
            assert_eq!(reason, "laptop reported lost on the train");
            assert!(by_admin);
            assert_eq!(revoked_ms, T + 100);
        }
        other => panic!("expected device_revoked, got {other:?}"),
    }
    // A second revocation keeps the first reason.
    let again = s.revoke_device(&admin, laptop, "another reason", T + 300).unwrap();
    assert_eq!(again.revoked_reason.as_deref(), Some("laptop reported lost on the train"));
    // Signing in again (password + code) brings the laptop back.
    let back = login(&s, ANIKA, laptop, T + 60_000);
    s.authenticate(&back.token, T + 60_001).unwrap();
}

#[test]
fn logout_revokes_only_the_callers_laptop() {
    let (_d, s) = demo_store();
    let grant = login(&s, OWEN, Uuid::now_v7(), T);
    let other = login(&s, OWEN, Uuid::now_v7(), T + 30_000);
    let me = s.authenticate(&grant.token, T).unwrap();
    let info = s.logout(&me, T + 50).unwrap();
    assert_eq!(info.status, DeviceStatus::Revoked);
    match s.authenticate(&grant.token, T + 60) {
        Err(AuthError::DeviceRevoked { by_admin: false, reason, .. }) => assert_eq!(reason, SIGNED_OUT_REASON),
        other => panic!("{other:?}"),
    }
    s.authenticate(&other.token, T + 60).unwrap();
}

#[test]
fn a_laptop_signed_in_for_one_person_cannot_be_taken_over_by_another() {
    let (_d, s) = demo_store();
    let laptop = Uuid::now_v7();
    let anika = login(&s, ANIKA, laptop, T);
    assert!(matches!(s.login(&good(OWEN, laptop, T), T), Err(AuthError::DeviceInUse)));
    s.authenticate(&anika.token, T).unwrap();
    // Signed out, the laptop's id is still Anika's (its op sequence is hers, issue 15): only an
    // administrator's release lets Owen use it.
    s.logout(&s.authenticate(&anika.token, T).unwrap(), T).unwrap();
    assert!(matches!(s.login(&good(OWEN, laptop, T + 30_000), T + 30_000), Err(AuthError::DeviceInUse)));
    let admin = s.authenticate(&login(&s, ADMIN, Uuid::now_v7(), T).token, T).unwrap();
    s.release_device(&admin, laptop, T + 40_000).unwrap();
    assert_eq!(login(&s, OWEN, laptop, T + 60_000).user.id, "user-owen-pritchard");
}

#[test]
fn devices_are_listed_for_their_owner_and_all_for_an_admin() {
    let (_d, s) = demo_store();
    let anika = s.authenticate(&login(&s, ANIKA, Uuid::now_v7(), T).token, T).unwrap();
    login(&s, OWEN, Uuid::now_v7(), T);
    let admin = s.authenticate(&login(&s, ADMIN, Uuid::now_v7(), T).token, T).unwrap();
    let mine = s.list_devices(&anika, T).unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].user_email, ANIKA);
    assert_eq!(mine[0].status, DeviceStatus::Active);
    assert_eq!(s.list_devices(&admin, T).unwrap().len(), 3);
    assert_eq!(s.list_devices(&anika, T + crate::auth::TOKEN_TTL_MS).unwrap()[0].status, DeviceStatus::Expired);
}

#[test]
fn last_seen_is_written_at_most_once_a_minute() {
    let (_d, s) = demo_store();
    let grant = login(&s, ANIKA, Uuid::now_v7(), T);
    let seen = |s: &ServerStore| count(s, "SELECT last_seen_ms FROM device_registry") as u64;
    s.authenticate(&grant.token, T + 30_000).unwrap();
    assert_eq!(seen(&s), T);
    s.authenticate(&grant.token, T + 61_000).unwrap();
    assert_eq!(seen(&s), T + 61_000);
}

#[test]
fn demo_accounts_reach_a_folder_seeded_before_accounts_existed() {
    let (_d, s) = demo_store();
    // As if the folder had been seeded by an older server: no accounts, no demo-accounts mark.
    s.writer().execute_batch("DELETE FROM accounts; DELETE FROM user_roles; DELETE FROM meta WHERE key = 'demo_accounts_seeded';").unwrap();
    s.seed_demo(T).unwrap();
    assert_eq!(count(&s, "SELECT count(*) FROM accounts"), 4);
    s.seed_demo(T).unwrap();
    assert_eq!(count(&s, "SELECT count(*) FROM user_roles"), 2, "admin + coordinator, once");
}

fn person(name: &str, email: &str, role: DirectoryRole, hub: Option<&str>) -> DirectoryUser {
    DirectoryUser { name: name.into(), email: email.into(), role, hub: hub.map(Into::into) }
}

#[test]
fn directory_upserts_are_idempotent_and_keep_an_administrator() {
    let (_d, s) = demo_store();
    let new = person("Priya Shah", "priya.shah@example.org", DirectoryRole::HubCoordinator, Some("Riverside & Fells Hub"));
    let first = s.upsert_directory_user(&new).unwrap();
    assert_eq!(first.kind, UpsertKind::Added);
    assert!(first.needs_credentials && first.hub_created.is_none(), "matched the demo hub by name");
    assert_eq!(s.upsert_directory_user(&new).unwrap().kind, UpsertKind::Unchanged);
    let moved = person("Priya Shah", "priya.shah@example.org", DirectoryRole::HubCoordinator, Some("Northern Lights Hub"));
    let out = s.upsert_directory_user(&moved).unwrap();
    assert_eq!(out.kind, UpsertKind::Updated(vec!["hub", "global roles"]));
    let (hub_id, _) = out.hub_created.unwrap();
    let roles = roles_of(&s.reader(), &out.user_id).unwrap();
    assert_eq!(roles, vec![Role::HubCoordinator { hub_id }]);
    // The only admin cannot be demoted by an import.
    let demote = person("Demo Administrator", ADMIN, DirectoryRole::Reviewer, None);
    assert!(s.upsert_directory_user(&demote).is_err());
}

/// Issue 15 item 8: a failed sign-in and an unknown invitation code are answered while another
/// request holds the writer: nothing before the credentials are right waits for it.
#[test]
fn failed_sign_ins_and_unknown_invitation_codes_never_wait_for_the_writer() {
    let (_d, s) = demo_store();
    let held = s.writer();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let login = s.login(&request(ANIKA, "guess", "123456", Uuid::now_v7()), T);
            let confirm = s.confirm_invitation("aaaaa-bbbbb-ccccc-ddddd", "123456", T);
            tx.send((
                matches!(login, Err(AuthError::InvalidCredentials)),
                confirm.err().map(|e| matches!(e, crate::store::StoreError::Refused { code: qar_core::ErrorCode::UnknownCode, .. })),
            ))
            .unwrap();
        });
        let answered = rx.recv_timeout(std::time::Duration::from_secs(20));
        drop(held);
        let (login_refused, confirm) = answered.expect("answered while the writer was held");
        assert!(login_refused);
        assert_eq!(confirm, Some(true), "refused as an unknown code");
    });
}
