//! The host school's headteacher (issue 22): invited by the hub, signed in with password and
//! TOTP like everyone else, and shown only their own school: its reviews, and its reports once
//! issued. Heads of other schools, and heads on the sync routes, are refused.

use crate::common::*;
use qar_server::auth::crypto::totp_code;
use qar_server::store::demo::DEMO_HUB_ID;
use qar_server::store::mail_outbox::message_id;
use qar_server::store::now_ms;
use qar_server::{AuthDevice, Role};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

const HERON_URN: &str = "990102";
const KESTREL_URN: &str = "990101";

/// Invites a head through the API as `inviter`, redeems and confirms the invitation with a
/// computed TOTP code, and signs in: the token of their browser session's API calls.
async fn head_signed_in(env: &Env, inviter: &str, urn: &str, name: &str, email: &str) -> (String, String) {
    let (s, issued) =
        env.post(&format!("/v1/hubs/{DEMO_HUB_ID}/schools/{urn}/headteacher"), Some(inviter), json!({"name": name, "email": email})).await;
    assert_eq!(s, StatusCode::CREATED, "{issued}");
    let code = issued["code"].as_str().unwrap().to_owned();
    let user_id = issued["user"]["id"].as_str().unwrap().to_owned();
    // The code goes out by mail too, queued with the invitation itself.
    let queued = env.srv.store().outbox_mail(&message_id(&format!("invitation:{}", issued["invitation_id"].as_str().unwrap()), email));
    assert_eq!(queued.unwrap().map(|m| m.template), Some("invitation".to_owned()));

    let password = "the school's own passphrase";
    let (s, redeemed) = env.post("/v1/invitations/redeem", None, json!({"code": code, "password": password})).await;
    assert_eq!(s, StatusCode::OK, "{redeemed}");
    let secret = redeemed["totp_secret"].as_str().unwrap().to_owned();
    let (s, account) =
        env.post("/v1/invitations/confirm", None, json!({"code": code, "totp_code": totp_code(&secret, now_ms()).unwrap()})).await;
    assert_eq!(s, StatusCode::OK, "{account}");
    assert_eq!(account["roles"], json!([]), "a head holds no partnership role: their school is their scope");
    // The first code's step is used up: sign in with the next one.
    let later = now_ms() + 30_000;
    let login = json!({"email": email, "password": password, "totp_code": totp_code(&secret, later).unwrap(),
                       "device_id": Uuid::now_v7(), "device_name": "School office browser"});
    let (s, grant) = env.post("/v1/auth/login", None, login).await;
    // A code one step ahead is inside the accepted window; if the clock ticked over, the
    // current one is right instead.
    let grant = if s == StatusCode::OK {
        grant
    } else {
        let again = json!({"email": email, "password": password, "totp_code": totp_code(&secret, now_ms() + 60_000).unwrap(),
                           "device_id": Uuid::now_v7(), "device_name": "School office browser"});
        let (s, grant) = env.post("/v1/auth/login", None, again).await;
        assert_eq!(s, StatusCode::OK, "{grant}");
        grant
    };
    (grant["token"].as_str().unwrap().to_owned(), user_id)
}

fn code_of(s: StatusCode, b: &Value) -> (u16, String) {
    (s.as_u16(), b["code"].as_str().unwrap_or("").to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_invites_a_headteacher_who_sees_only_their_own_school() {
    let env = Env::demo().await;
    let hollie = env.laptop(HOLLIE);
    let admin = env.laptop(ADMIN);
    let (heron_head, _) = head_signed_in(&env, &hollie.token, HERON_URN, "Helen Heron", "head@heronvale.example.org").await;
    let (kestrel_head, _) = head_signed_in(&env, &admin.token, KESTREL_URN, "Kit Kestrel", "head@kestrelbrook.example.org").await;

    // Before the visit: the school's own review, no report yet.
    let (s, b) = env.get(&format!("/v1/schools/{HERON_URN}/reviews"), Some(&heron_head)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let reviews = b.as_array().unwrap();
    assert_eq!(reviews.len(), 1, "{b}");
    assert_eq!(reviews[0]["review_id"], HERON.to_string());
    assert_eq!(reviews[0]["state"], "preparing");
    assert_eq!(reviews[0]["versions"], json!([]));

    // Issued: the head reads the versions; the Lead Reviewer and the head are mailed.
    env.submit(HERON).await;
    let store = env.srv.store();
    let hub =
        AuthDevice { user_id: HOLLIE.into(), device_id: Uuid::now_v7(), roles: vec![Role::HubCoordinator { hub_id: DEMO_HUB_ID.into() }] };
    let hash = qar_core::report_template::content_hash(&[], &[]);
    store.approve(HERON, &hash, &hub, now_ms()).unwrap();
    store.issue_report(HERON, &hash, "", &hub, now_ms()).unwrap();
    let issued_key = format!("report_issued:{HERON}:v1");
    for to in ["head@heronvale.example.org", "anika.marsh@example.org"] {
        let mail = store.outbox_mail(&message_id(&issued_key, to)).unwrap();
        assert_eq!(mail.map(|m| m.template), Some("report_issued".to_owned()), "issued mail to {to}");
    }
    assert!(store.outbox_mail(&message_id(&issued_key, "head@kestrelbrook.example.org")).unwrap().is_none(), "not to another head");

    let (s, b) = env.get(&format!("/v1/schools/{HERON_URN}/reviews"), Some(&heron_head)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b[0]["state"], "issued");
    assert_eq!(b[0]["versions"][0]["version"], 1);
    let (s, b) = env.get(&format!("/v1/reviews/{HERON}/versions"), Some(&heron_head)).await;
    assert_eq!((s, b[0]["version"].as_u64()), (StatusCode::OK, Some(1)), "{b}");
    let (s, b) = env.get(&format!("/v1/reviews/{HERON}/versions/1"), Some(&heron_head)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["school_urn"], HERON_URN, "the frozen snapshot of the school's own report: {b}");
    // And downloads it as PDF and Word, rendered on the server (byte-identity with the laptop's
    // export: qar-client's report_export test).
    for (ext, magic) in [("pdf", &b"%PDF"[..]), ("docx", &b"PK"[..])] {
        let resp = env.http.get(env.url(&format!("/v1/reviews/{HERON}/versions/1/{ext}"))).bearer_auth(&heron_head).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{ext}");
        assert!(resp.bytes().await.unwrap().starts_with(magic), "{ext}");
    }

    // Another school's head: refused on every route of the first school, in the same words
    // whether or not it exists.
    for path in [
        format!("/v1/schools/{HERON_URN}/reviews"),
        "/v1/schools/999999/reviews".to_owned(),
        format!("/v1/reviews/{HERON}/versions"),
        format!("/v1/reviews/{HERON}/versions/1"),
        format!("/v1/reviews/{HERON}/versions/1/pdf"),
        format!("/v1/reviews/{HERON}/versions/1/docx"),
    ] {
        let (s, b) = env.get(&path, Some(&kestrel_head)).await;
        assert_eq!(code_of(s, &b), (403, "not_your_role".to_owned()), "{path}: {b}");
    }
    // Nor may a head read their own school's review before it is issued (Kestrel is in visit),
    // or invite anyone.
    let (s, b) = env.get(&format!("/v1/reviews/{KESTREL}/versions"), Some(&kestrel_head)).await;
    assert_eq!(code_of(s, &b), (403, "wrong_state".to_owned()), "{b}");
    let invite = json!({"name": "Another Head", "email": "another@example.org"});
    let (s, b) = env.post(&format!("/v1/hubs/{DEMO_HUB_ID}/schools/{KESTREL_URN}/headteacher"), Some(&kestrel_head), invite).await;
    assert_eq!(code_of(s, &b), (403, "not_your_hub".to_owned()), "{b}");

    // A head's account does not sync: pull and push are refused before anything is read or written.
    let (s, b) = env.get("/v1/sync/pull?cursor=0&limit=100", Some(&heron_head)).await;
    assert_eq!(code_of(s, &b), (403, "not_your_role".to_owned()), "{b}");
    let push = json!({"device_id": Uuid::now_v7(), "schema_version": 3, "ops": []});
    let (s, b) = env.post("/v1/sync/push", Some(&heron_head), push).await;
    assert!(matches!(code_of(s, &b), (403, _)), "{b}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_schools_hub_invites_its_headteacher() {
    let env = Env::demo().await;
    let body = || json!({"name": "Helen Heron", "email": "head@heronvale.example.org"});
    let path = format!("/v1/hubs/{DEMO_HUB_ID}/schools/{HERON_URN}/headteacher");
    for (who, want) in [(ANIKA, "not_your_hub"), (OWEN, "not_your_hub"), (OLGA_OTHER_HUB, "not_your_hub"), (NADIA_NOBODY, "not_your_hub")] {
        let l = env.laptop(who);
        let (s, b) = env.post(&path, Some(&l.token), body()).await;
        assert_eq!(code_of(s, &b), (403, want.to_owned()), "{who}: {b}");
    }
    let (s, _) = env.post(&path, None, body()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Nothing was written by the refusals: the hub's invitation goes through.
    let hollie = env.laptop(HOLLIE);
    // Not a URN; a school of the register in no hub or another; a hub that is not there.
    let (s, b) = env.post(&format!("/v1/hubs/{DEMO_HUB_ID}/schools/99010x/headteacher"), Some(&hollie.token), body()).await;
    assert_eq!(code_of(s, &b), (400, "bad_query".to_owned()), "{b}");
    let (s, b) = env.post(&format!("/v1/hubs/{DEMO_HUB_ID}/schools/123456/headteacher"), Some(&hollie.token), body()).await;
    assert_eq!(code_of(s, &b), (404, "unknown_school".to_owned()), "{b}");
    let admin = env.laptop(ADMIN);
    let (s, b) = env.post(&format!("/v1/hubs/no-such-hub/schools/{HERON_URN}/headteacher"), Some(&admin.token), body()).await;
    assert_eq!(code_of(s, &b), (404, "unknown_hub".to_owned()), "{b}");
    let (s, b) = env.post(&path, Some(&hollie.token), json!({"name": "Helen Heron", "email": "not an address"})).await;
    assert_eq!(code_of(s, &b), (422, "invalid_email".to_owned()), "{b}");
    let (s, b) = env.post(&path, Some(&hollie.token), body()).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // The hub coordinator sees the school's reviews too; a coordinator of another hub does not.
    let (s, _) = env.get(&format!("/v1/schools/{HERON_URN}/reviews"), Some(&hollie.token)).await;
    assert_eq!(s, StatusCode::OK);
    let olga = env.laptop(OLGA_OTHER_HUB);
    let (s, b) = env.get(&format!("/v1/schools/{HERON_URN}/reviews"), Some(&olga.token)).await;
    assert_eq!(code_of(s, &b), (403, "not_your_role".to_owned()), "{b}");
}
