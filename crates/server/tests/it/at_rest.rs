//! Secrets at rest (issue 15): TOTP secrets of accounts and of pending invitations are never in
//! the database files in clear text (also those an older version left there), sign-in with TOTP
//! still works, and the data folder and its files are private to the server's user.

use qar_server::auth::crypto::totp_code;
use qar_server::auth::LoginRequest;
use qar_server::store::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRETS};
use qar_server::store::invitations::{InviteRole, NewInvitation};
use qar_server::store::{now_ms, STORE_FILE};
use qar_server::ServerStore;
use std::path::Path;
use uuid::Uuid;

/// The database, WAL and SHM files as they are on disk now.
fn on_disk(dir: &Path) -> Vec<u8> {
    ["", "-wal", "-shm"].iter().flat_map(|s| std::fs::read(dir.join(format!("{STORE_FILE}{s}"))).unwrap_or_default()).collect()
}

fn holds(bytes: &[u8], secret: &str) -> bool {
    bytes.windows(secret.len()).any(|w| w == secret.as_bytes())
}

fn login(store: &ServerStore, email: &str, password: &str, secret: &str, at: u64) -> Result<String, qar_server::AuthError> {
    let req = LoginRequest {
        email: email.into(),
        password: password.into(),
        totp_code: totp_code(secret, at).unwrap(),
        device_id: Uuid::now_v7(),
        device_name: "At-rest test laptop".into(),
    };
    store.login(&req, at).map(|g| g.token)
}

#[test]
fn no_totp_secret_is_in_the_files_and_sign_in_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let store = ServerStore::open(dir.path()).unwrap();
    let now = now_ms();
    store.seed_demo(now).unwrap();
    let admin =
        qar_server::admin::create_admin(&store, "ada.admin@example.org", "Ada Admin", Some("lighthouse kettle forty".into()), true, now)
            .unwrap();
    let token = login(
        &store,
        "admin@example.org",
        DEMO_PASSWORD,
        DEMO_TOTP_SECRETS.iter().find(|(e, _)| *e == "admin@example.org").unwrap().1,
        now,
    )
    .unwrap();
    let caller = store.authenticate(&token, now).unwrap();
    let invited = NewInvitation {
        email: "ivy.invited@example.org".into(),
        name: "Ivy Invited".into(),
        role: InviteRole::Reviewer,
        home_school_urn: None,
    };
    let code = store.invite(&caller, &invited, now).unwrap().code;
    let pending = store.redeem_invitation(&code, "marmalade orbit canal", now).unwrap();

    let mut secrets: Vec<String> = DEMO_TOTP_SECRETS.iter().map(|(_, s)| s.to_string()).collect();
    secrets.push(admin.totp_secret.clone());
    secrets.push(pending.totp_secret.clone());
    let bytes = on_disk(dir.path());
    for s in &secrets {
        assert!(!holds(&bytes, s), "a TOTP secret is in the files in clear text");
    }

    // Signing in still checks the code against the (decrypted) secret; a wrong code is refused.
    login(&store, "ada.admin@example.org", "lighthouse kettle forty", &admin.totp_secret, now).unwrap();
    assert!(login(&store, "ada.admin@example.org", "lighthouse kettle forty", &pending.totp_secret, now + 30_000).is_err());
    // The pending invitation's secret confirms it, and the account then signs in with it.
    store.confirm_invitation(&code, &totp_code(&pending.totp_secret, now).unwrap(), now).unwrap();
    login(&store, "ivy.invited@example.org", "marmalade orbit canal", &pending.totp_secret, now + 30_000).unwrap();
    assert!(!holds(&on_disk(dir.path()), &pending.totp_secret), "moved to the account, still encrypted");
}

#[test]
fn clear_text_secrets_from_an_older_version_are_encrypted_on_first_open() {
    let dir = tempfile::tempdir().unwrap();
    let (email, secret) = DEMO_TOTP_SECRETS[0];
    {
        let store = ServerStore::open(dir.path()).unwrap();
        store.seed_demo(now_ms()).unwrap();
    }
    {
        // What a data folder written before issue 15 holds.
        let conn = rusqlite::Connection::open(dir.path().join(STORE_FILE)).unwrap();
        conn.execute("UPDATE accounts SET totp_secret = ?1 WHERE user_id = (SELECT id FROM users WHERE email = ?2)", [secret, email])
            .unwrap();
    }
    assert!(holds(&on_disk(dir.path()), secret), "the old folder holds it in clear text");
    let store = ServerStore::open(dir.path()).unwrap();
    assert!(!holds(&on_disk(dir.path()), secret), "encrypted, and the clear page gone from the files");
    login(&store, email, DEMO_PASSWORD, secret, now_ms()).unwrap();
}

#[cfg(unix)]
#[test]
fn the_data_folder_and_its_files_are_private_even_if_they_were_not() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let set = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("data");
    {
        let store = ServerStore::open(&dir).unwrap();
        store.seed_demo(now_ms()).unwrap();
        assert_eq!((mode(&dir), mode(&dir.join(STORE_FILE)), mode(&dir.join("server.key"))), (0o700, 0o600, 0o600));
    }
    // A folder made by an older version (or by hand) with the usual 0755/0644.
    set(&dir, 0o755);
    set(&dir.join(STORE_FILE), 0o644);
    let store = ServerStore::open(&dir).unwrap();
    store.seed_demo(now_ms()).unwrap();
    assert_eq!(mode(&dir), 0o700);
    for file in [STORE_FILE.to_owned(), format!("{STORE_FILE}-wal"), format!("{STORE_FILE}-shm"), "server.key".to_owned()] {
        assert_eq!(mode(&dir.join(&file)), 0o600, "{file}");
    }
    drop(store);
    // A key file others can read may have been copied: the server does not start with it.
    set(&dir.join("server.key"), 0o644);
    let e = ServerStore::open(&dir).err().expect("refused");
    assert!(e.to_string().contains("can be read by other users (mode 644)"), "{e}");
}
