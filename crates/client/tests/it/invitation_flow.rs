//! Accepting an invitation through the client API against a real qar-server with its demo data:
//! the administrator invites, the invited person redeems the code with a password of their own,
//! confirms with a code computed from the secret they were given, and signs in like anyone else.
//! Refused: an unknown code, a code used twice, a wrong authenticator code, a short password.

use crate::common::{demo_server, now_ms};
use qar_client::{Client, ClientError, SignIn};
use qar_core::protocol::invitations::{InviteRole, NewInvitation};
use qar_server::auth::crypto::totp_code;
use std::path::Path;

const ADMIN_SECRET: &str = "QARDEMOADMINISTRATORCPCENTRAL234";
const RAVI_PASSWORD: &str = "kestrel lantern meadow 42";

fn sign_in_input(url: &str, email: &str, password: &str, totp: String) -> SignIn {
    SignIn {
        server_url: url.into(),
        email: email.into(),
        password: password.into(),
        totp_code: totp,
        device_name: Some("Test laptop".into()),
    }
}

/// The server's refusal code and message, or a panic naming what came back instead.
fn refusal(e: ClientError) -> (String, String) {
    match &e {
        ClientError::Server { .. } => (e.code().as_str().to_owned(), e.to_string()),
        other => panic!("expected the server's refusal, got {other:?}"),
    }
}

/// The administrator invites Ravi (through the app's own admin call) and is shown the code once.
async fn invite(dir: &Path, url: &str, email: &str) -> String {
    let admin = Client::open(dir, url).unwrap();
    let totp = totp_code(ADMIN_SECRET, now_ms()).unwrap();
    admin.sign_in(&sign_in_input(url, "admin@example.org", "demo-password-2026", totp)).await.unwrap();
    let invitation =
        NewInvitation { email: email.into(), name: "Ravi Castellano".into(), role: InviteRole::Reviewer, home_school_urn: None };
    admin.server_api().invite(&invitation).await.unwrap().code
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invited_person_redeems_confirms_and_signs_in() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let srv = demo_server(dirs[0].path()).await;
    let url = srv.url();
    let code = invite(dirs[1].path(), &url, "ravi.castellano@example.org").await;

    // Nothing about the code is checked before the address: a bad address says so first.
    let e = Client::redeem_invitation("qar.example.org", &code, RAVI_PASSWORD).await.unwrap_err();
    assert_eq!(e.code(), "invalid");

    // An unknown code, and a password shorter than the server allows: both refused, nothing used up.
    let (c, m) = refusal(Client::redeem_invitation(&url, "aaaaa-bbbbb-ccccc-ddddd", RAVI_PASSWORD).await.unwrap_err());
    assert_eq!(c, "unknown_code");
    assert!(m.contains("not recognised"), "{m}");
    let (c, m) = refusal(Client::redeem_invitation(&url, &code, "too short").await.unwrap_err());
    assert_eq!(c, "weak_password");
    assert!(m.contains("at least 12 characters"), "{m}");

    // Redeem: the secret and the QR code's URI for Ravi's authenticator. Spaces around the
    // code (a paste) do not matter.
    let setup = Client::redeem_invitation(&format!("{url}/"), &format!("  {code}\n"), RAVI_PASSWORD).await.unwrap();
    assert_eq!(setup.email, "ravi.castellano@example.org");
    assert!(setup.otpauth_uri.starts_with("otpauth://totp/"), "{}", setup.otpauth_uri);
    assert!(setup.otpauth_uri.contains(&format!("secret={}", setup.totp_secret)));
    assert!(!format!("{setup:?}").contains(&setup.totp_secret), "the secret stays out of debug output");

    // The same code cannot set a password twice.
    let (c, _) = refusal(Client::redeem_invitation(&url, &code, "another long passphrase").await.unwrap_err());
    assert_eq!(c, "code_used");
    // Not signed in yet: the account is not on until confirmed.
    let early = Client::open(dirs[2].path(), &url).unwrap();
    let totp = totp_code(&setup.totp_secret, now_ms()).unwrap();
    let e = early.sign_in(&sign_in_input(&url, &setup.email, RAVI_PASSWORD, totp)).await.unwrap_err();
    assert_eq!(e.code(), "invalid_credentials");

    // A wrong authenticator code is refused and can be tried again; the right one (typed with
    // a space, as the app shows it) switches the account on.
    let right = totp_code(&setup.totp_secret, now_ms()).unwrap();
    let wrong = if right == "000000" { "111111" } else { "000000" };
    let (c, m) = refusal(Client::confirm_invitation(&url, &code, wrong).await.unwrap_err());
    assert_eq!(c, "invalid_totp");
    assert!(m.contains("authenticator code is not right"), "{m}");
    let spaced = format!("{} {}", &right[..3], &right[3..]);
    let account = Client::confirm_invitation(&url, &code, &spaced).await.unwrap();
    assert_eq!((account.name.as_str(), account.email.as_str()), ("Ravi Castellano", "ravi.castellano@example.org"));
    assert!(!account.user_id.is_empty());
    // Used up.
    let (c, m) = refusal(Client::confirm_invitation(&url, &code, &right).await.unwrap_err());
    assert_eq!(c, "code_used");
    assert!(m.contains("Sign in with your email and password"), "{m}");
    let (c, _) = refusal(Client::redeem_invitation(&url, &code, RAVI_PASSWORD).await.unwrap_err());
    assert_eq!(c, "code_used");

    // Ravi signs in like anyone else. The code used to confirm cannot be replayed, so this is
    // the authenticator's next one (the server accepts one step either side).
    let totp = totp_code(&setup.totp_secret, now_ms() + 30_000).unwrap();
    let session = early.sign_in(&sign_in_input(&url, &setup.email, RAVI_PASSWORD, totp)).await.unwrap();
    assert_eq!((session.name.as_str(), session.user_id.as_str()), ("Ravi Castellano", account.user_id.as_str()));
    early.sync_now().await.unwrap();
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirming_before_redeeming_and_an_unreachable_server_are_explained() {
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let srv = demo_server(dirs[0].path()).await;
    let url = srv.url();
    let code = invite(dirs[1].path(), &url, "nadia.fenwick@example.org").await;
    let (c, m) = refusal(Client::confirm_invitation(&url, &code, "123456").await.unwrap_err());
    assert_eq!(c, "not_redeemed");
    assert!(m.contains("Set a password"), "{m}");
    srv.stop().await;
    // Nothing listens there any more.
    let e = Client::redeem_invitation(&url, &code, RAVI_PASSWORD).await.unwrap_err();
    assert_eq!(e.code(), "offline");
}
