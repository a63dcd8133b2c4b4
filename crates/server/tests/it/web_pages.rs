//! The school's pages in a browser (issue 22, decision 75), driven over HTTP the way a browser
//! does: the sign-in form with its double-submit cookie, the session cookie, the CSRF token on
//! sign-out, and every refusal: another school's head, no session, an ended session, a form
//! without its token. Issued reports come from the demo history (three years of real text).

use crate::common::*;
use crate::web_support::{browser, csrf_field};
use qar_server::auth::crypto::totp_code;
use qar_server::store::demo::{DEMO_HUB_ID, DEMO_PASSWORD, DEMO_TOTP_SECRETS};
use qar_server::store::now_ms;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::json;

const HERON_URN: &str = "990102";
const KESTREL_URN: &str = "990101";
const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const PASSWORD: &str = "the school's own passphrase";

/// A head invited by the hub, with a password and an authenticator: (user id, email, secret).
async fn head(env: &Env, urn: &str, name: &str, email: &str) -> (String, String, String) {
    let hollie = env.laptop(HOLLIE);
    let (s, issued) = env
        .post(&format!("/v1/hubs/{DEMO_HUB_ID}/schools/{urn}/headteacher"), Some(&hollie.token), json!({"name": name, "email": email}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{issued}");
    let code = issued["code"].as_str().unwrap().to_owned();
    let (s, redeemed) = env.post("/v1/invitations/redeem", None, json!({"code": code, "password": PASSWORD})).await;
    assert_eq!(s, StatusCode::OK, "{redeemed}");
    let secret = redeemed["totp_secret"].as_str().unwrap().to_owned();
    // Confirmed with the code of the step before now, so the current step is free for sign-in.
    let (s, account) =
        env.post("/v1/invitations/confirm", None, json!({"code": code, "totp_code": totp_code(&secret, now_ms() - 30_000).unwrap()})).await;
    assert_eq!(s, StatusCode::OK, "{account}");
    (issued["user"]["id"].as_str().unwrap().to_owned(), email.to_owned(), secret)
}

/// The value a `Set-Cookie` header of this response gives `name`, and the whole header.
fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<(String, String)> {
    resp.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        let (pair, _) = v.split_once(';').unwrap_or((v, ""));
        let (n, value) = pair.split_once('=')?;
        (n == name).then(|| (value.to_owned(), v.to_owned()))
    })
}

/// Fills and posts the sign-in form as a browser does; the answer.
async fn post_sign_in(env: &Env, email: &str, password: &str, code: &str) -> reqwest::Response {
    let http = browser();
    let form = http.get(env.url("/sign-in")).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    let (token, _) = set_cookie(&form, "__Host-qar_signin").expect("the form's double-submit cookie");
    let html = form.text().await.unwrap();
    assert_eq!(csrf_field(&html), token);
    http.post(env.url("/sign-in"))
        .header(COOKIE, format!("__Host-qar_signin={token}"))
        .form(&[("csrf", token.as_str()), ("email", email), ("password", password), ("totp_code", code)])
        .send()
        .await
        .unwrap()
}

/// Signs a head in through the form: the session cookie's value.
async fn sign_in(env: &Env, email: &str, secret: &str, urn: &str) -> String {
    let resp = post_sign_in(env, email, PASSWORD, &totp_code(secret, now_ms()).unwrap()).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{}", resp.text().await.unwrap());
    assert_eq!(resp.headers()[LOCATION], format!("/schools/{urn}"));
    let (session, header) = set_cookie(&resp, "__Host-qar_session").expect("a session cookie");
    assert_eq!(header, format!("__Host-qar_session={session}; Path=/; Secure; HttpOnly; SameSite=Strict"));
    session
}

async fn get_page(env: &Env, path: &str, session: Option<&str>) -> (StatusCode, Option<String>, reqwest::Response) {
    let mut req = browser().get(env.url(path));
    if let Some(s) = session {
        req = req.header(COOKIE, format!("__Host-qar_session={s}"));
    }
    let resp = req.send().await.unwrap();
    let location = resp.headers().get(LOCATION).map(|l| l.to_str().unwrap().to_owned());
    (resp.status(), location, resp)
}

/// The links on the school's page to its issued versions: `/schools/{urn}/reviews/{id}/versions/{n}`.
fn version_links(html: &str, urn: &str) -> Vec<String> {
    let prefix = format!("href=\"/schools/{urn}/reviews/");
    let mut out: Vec<String> = html
        .match_indices(&prefix)
        .map(|(at, _)| html[at + "href=\"".len()..].split('"').next().unwrap().to_owned())
        .filter(|l| l.contains("/versions/") && !l.ends_with("/pdf") && !l.ends_with("/docx"))
        .collect();
    out.dedup();
    out
}

fn escape(text: &str) -> String {
    qar_server::mail::escape_html(text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_signs_in_reads_every_issued_version_and_downloads_the_apis_bytes() {
    let env = Env::demo().await;
    env.srv.store().seed_demo_history(now_ms()).unwrap();
    let (heron_id, email, secret) = head(&env, HERON_URN, "Helen Heron", "head@heronvale.example.org").await;
    // Another school asks to visit about one of Heron Vale's published entries, with markup
    // in its message: the page shows the words, escaped.
    let anika = env.laptop(ANIKA);
    let (s, entries) = env.get(&format!("/v1/schools/{HERON_URN}/register"), Some(&anika.token)).await;
    assert_eq!(s, StatusCode::OK, "{entries}");
    let entry = entries[0]["review_id"].as_str().expect("Heron Vale has a published entry in the demo history").to_owned();
    let message = "Could we see <b>Year 2</b> phonics & the reading corners?";
    let (s, b) = env.post(&format!("/v1/register/entries/{entry}/visit-requests"), Some(&anika.token), json!({"message": message})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let session = sign_in(&env, &email, &secret, HERON_URN).await;

    // The start page sends a signed-in head to their school.
    let (s, to, _) = get_page(&env, "/", Some(&session)).await;
    assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/schools/990102")));
    let (s, _, resp) = get_page(&env, &format!("/schools/{HERON_URN}"), Some(&session)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(resp.headers()[CONTENT_SECURITY_POLICY], PAGE_CSP);
    assert_eq!(resp.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    let home = resp.text().await.unwrap();
    assert!(home.contains("<h1>Heron Vale Academy</h1>"), "{home}");
    assert!(home.contains("Signed in as <strong>Helen Heron</strong>"));
    assert!(!home.contains("<script"), "no script on any page");
    let links = version_links(&home, HERON_URN);
    assert!(links.len() >= 2, "the demo history issued Heron Vale's reports in earlier years: {home}");

    // The school's own register entries (issue 23's last item), as the API lists them.
    let api_token = env.srv.store().test_token(&heron_id, uuid::Uuid::now_v7(), now_ms()).unwrap();
    let (s, entries) = env.get(&format!("/v1/schools/{HERON_URN}/register"), Some(&api_token)).await;
    assert_eq!(s, StatusCode::OK, "{entries}");
    for e in entries.as_array().unwrap() {
        assert!(home.contains(&escape(e["title"].as_str().unwrap())), "the entry {} is on the page", e["title"]);
    }
    assert!(home.contains("Requests to visit your school"));
    assert!(home.contains(&escape(message)) && !home.contains("<b>Year 2</b>"), "the visit request, escaped: {home}");
    assert!(home.contains("Dr Anika Marsh"), "who asked");

    for link in &links {
        // …/reviews/{id}/versions/{n}
        let parts: Vec<&str> = link.split('/').collect();
        let (review, version) = (parts[4], parts[6]);
        let (s, _, resp) = get_page(&env, link, Some(&session)).await;
        assert_eq!(s, StatusCode::OK, "{link}");
        let page = resp.text().await.unwrap();
        // The page is the issued report: every paragraph of every section, and every estimate.
        let (s, snapshot) = env.get(&format!("/v1/reviews/{review}/versions/{version}"), Some(&api_token)).await;
        assert_eq!(s, StatusCode::OK, "{snapshot}");
        let doc = qar_report::source::from_snapshot(&snapshot.to_string()).unwrap();
        assert!(!doc.sections.is_empty(), "{link}: a report with text");
        for section in &doc.sections {
            for para in qar_report::blocks::paragraphs(&section.body) {
                assert!(page.contains(&escape(para)), "{link}: paragraph missing: {para}");
            }
        }
        for e in &doc.estimates {
            assert!(page.contains(&escape(&e.value_label)) && page.contains(&escape(&e.area_label)), "{link}: estimate {}", e.area_code);
        }
        assert!(page.contains(&escape(&qar_report::wording::status_line(&doc))), "{link}: the version's status line");

        // Downloads: the same bytes and file name as the API's.
        for ext in ["pdf", "docx"] {
            let (s, _, web) = get_page(&env, &format!("{link}/{ext}"), Some(&session)).await;
            assert_eq!(s, StatusCode::OK, "{link}/{ext}");
            let web_name = web.headers()[CONTENT_DISPOSITION].to_str().unwrap().to_owned();
            let web_bytes = web.bytes().await.unwrap();
            let api = env
                .http
                .get(env.url(&format!("/v1/reviews/{review}/versions/{version}/{ext}")))
                .bearer_auth(&api_token)
                .send()
                .await
                .unwrap();
            assert_eq!(api.status(), StatusCode::OK);
            assert_eq!(api.headers()[CONTENT_DISPOSITION].to_str().unwrap(), web_name, "{ext}: the file name");
            assert!(web_bytes == api.bytes().await.unwrap(), "{link}/{ext}: the web download is the API's bytes");
        }
    }

    // Sign-out needs the session's own token: without it, 403 and the session stays.
    let (_, _, resp) = get_page(&env, &format!("/schools/{HERON_URN}"), Some(&session)).await;
    let csrf = csrf_field(&resp.text().await.unwrap());
    for bad in [None, Some("not-the-token")] {
        let mut req = browser().post(env.url("/sign-out")).header(COOKIE, format!("__Host-qar_session={session}"));
        if let Some(b) = bad {
            req = req.form(&[("csrf", b)]);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{bad:?}");
        assert!(resp.text().await.unwrap().contains("This form has expired"));
        assert_eq!(env.srv.store().web_session_count(&heron_id).unwrap(), 1, "nothing written");
    }
    let resp = browser()
        .post(env.url("/sign-out"))
        .header(COOKIE, format!("__Host-qar_session={session}"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()[LOCATION], "/sign-in?signed_out=1");
    assert!(set_cookie(&resp, "__Host-qar_session").unwrap().1.contains("Max-Age=0"), "the cookie is removed");
    assert_eq!(env.srv.store().web_session_count(&heron_id).unwrap(), 0);
    // The old cookie, if a browser kept it, opens nothing.
    let (s, to, _) = get_page(&env, &format!("/schools/{HERON_URN}"), Some(&session)).await;
    assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/sign-in")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_schools_head_gets_403_on_every_page_of_the_first_school() {
    let env = Env::demo().await;
    let store = env.srv.store();
    store.seed_demo_history(now_ms()).unwrap();
    let (heron_id, _, _) = head(&env, HERON_URN, "Helen Heron", "head@heronvale.example.org").await;
    let (kestrel_id, email, secret) = head(&env, KESTREL_URN, "Kit Kestrel", "head@kestrelbrook.example.org").await;
    let kestrel = sign_in(&env, &email, &secret, KESTREL_URN).await;
    let heron = store.test_web_session(&heron_id, now_ms()).unwrap();

    // Every route of Heron Vale's pages, from its own head's page.
    let (_, _, resp) = get_page(&env, &format!("/schools/{HERON_URN}"), Some(&heron)).await;
    let links = version_links(&resp.text().await.unwrap(), HERON_URN);
    assert!(!links.is_empty());
    let mut routes = vec![format!("/schools/{HERON_URN}")];
    for link in &links {
        routes.extend([link.clone(), format!("{link}/pdf"), format!("{link}/docx")]);
    }
    for route in &routes {
        let (s, _, resp) = get_page(&env, route, Some(&heron)).await;
        assert_eq!(s, StatusCode::OK, "{route}: its own head");
        let (s, _, resp2) = get_page(&env, route, Some(&kestrel)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{route}: another school's head");
        let page = resp2.text().await.unwrap();
        assert!(page.contains("You cannot see this page"), "{route}: {page}");
        assert!(!page.contains("Heron Vale"), "{route}: nothing of the other school");
        drop(resp);
        // Signed out, or with a cookie that names no session: to the sign-in page.
        for cookie in [None, Some("made-up-session")] {
            let (s, to, _) = get_page(&env, route, cookie).await;
            assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/sign-in")), "{route} with {cookie:?}");
        }
    }
    // Heron's reports under Kestrel's own address, and a school that does not exist: refused,
    // in the same words, with nothing of Heron Vale.
    for link in &links {
        let swapped = link.replace(HERON_URN, KESTREL_URN);
        for route in [swapped.clone(), format!("{swapped}/pdf"), format!("{swapped}/docx")] {
            let (s, _, resp) = get_page(&env, &route, Some(&kestrel)).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{route}");
            assert!(!resp.text().await.unwrap().contains("Heron Vale"), "{route}");
        }
    }
    let (s, _, _) = get_page(&env, "/schools/999999", Some(&kestrel)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = get_page(&env, "/schools/not-a-urn", Some(&kestrel)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Kestrel's own page still opens.
    let (s, _, _) = get_page(&env, &format!("/schools/{KESTREL_URN}"), Some(&kestrel)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(store.web_session_count(&kestrel_id).unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_when_idle_or_old_and_sign_in_refuses_with_a_page() {
    let env = Env::demo().await;
    let store = env.srv.store();
    let (heron_id, email, secret) = head(&env, HERON_URN, "Helen Heron", "head@heronvale.example.org").await;
    let home = format!("/schools/{HERON_URN}");

    // A sign-in form posted without its cookie (another site's form): 403, nothing checked or written.
    let resp = browser()
        .post(env.url("/sign-in"))
        .form(&[
            ("csrf", "guess"),
            ("email", email.as_str()),
            ("password", PASSWORD),
            ("totp_code", &totp_code(&secret, now_ms()).unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(store.web_session_count(&heron_id).unwrap(), 0);

    // A wrong password: the sign-in page again, with the app's words and the e-mail kept.
    let resp = post_sign_in(&env, &email, "not the passphrase", &totp_code(&secret, now_ms()).unwrap()).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let page = resp.text().await.unwrap();
    assert!(page.contains("The email address, password or authenticator code is not right"), "{page}");
    assert!(page.contains("role=\"alert\"") && page.contains(&format!("value=\"{email}\"")));
    assert_eq!(store.web_session_count(&heron_id).unwrap(), 0);

    // Someone who is not a head (a Lead Reviewer, right credentials): told to use the app, no session.
    let anika_secret = DEMO_TOTP_SECRETS.iter().find(|(e, _)| *e == "anika.marsh@example.org").unwrap().1;
    let resp = post_sign_in(&env, "anika.marsh@example.org", DEMO_PASSWORD, &totp_code(anika_secret, now_ms()).unwrap()).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(&resp, "__Host-qar_session").is_none());
    assert!(resp.text().await.unwrap().contains("Use the QAR Field app"));
    assert_eq!(store.web_session_count(ANIKA).unwrap(), 0);

    // 30 minutes without a request: ended, and the page says so.
    let idle = sign_in(&env, &email, &secret, HERON_URN).await;
    let sql = store_sql(env.dir.path());
    sql.execute("UPDATE web_sessions SET last_seen_ms = last_seen_ms - ?1", [31 * 60_000_i64]).unwrap();
    let (s, to, _) = get_page(&env, &home, Some(&idle)).await;
    assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/sign-in?ended=1")));
    assert_eq!(store.web_session_count(&heron_id).unwrap(), 0, "an ended session is removed");
    let (_, _, resp) = get_page(&env, "/sign-in?ended=1", None).await;
    assert!(resp.text().await.unwrap().contains("Your session ended after 30 minutes without activity"));

    // Busy, but begun more than 12 hours ago: ended too.
    let old = store.test_web_session(&heron_id, now_ms() - 12 * 3_600_000 - 1).unwrap();
    sql.execute("UPDATE web_sessions SET last_seen_ms = ?1", [now_ms() as i64]).unwrap();
    let (s, to, _) = get_page(&env, &home, Some(&old)).await;
    assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/sign-in?ended=1")));

    // A fresh one works until the account is switched off.
    let fresh = store.test_web_session(&heron_id, now_ms()).unwrap();
    let (s, _, _) = get_page(&env, &home, Some(&fresh)).await;
    assert_eq!(s, StatusCode::OK);
    sql.execute("UPDATE accounts SET active = 0 WHERE user_id = ?1", [&heron_id]).unwrap();
    let (s, to, _) = get_page(&env, &home, Some(&fresh)).await;
    assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/sign-in?ended=1")));

    // A mistyped address is a page for a browser; under /v1 it stays JSON.
    let (s, _, resp) = get_page(&env, "/schools/990102/nothing-here", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(resp.headers()[CONTENT_SECURITY_POLICY], PAGE_CSP);
    assert!(resp.text().await.unwrap().contains("<h1>Page not found</h1>"));
    let (s, b) = env.get("/v1/nothing-here", None).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));

    // The stylesheet is served with the page's policy; the API keeps its own.
    let (s, _, css) = get_page(&env, "/static/web.css", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(css.headers()[CONTENT_TYPE], "text/css; charset=utf-8");
    let api = env.http.get(env.url("/v1/health")).send().await.unwrap();
    assert_eq!(api.headers()[CONTENT_SECURITY_POLICY], "default-src 'none'; frame-ancestors 'none'");
}

/// The value of a hidden field of a page's form.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("no field {name}")) + marker.len();
    html[at..].split('"').next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_accepts_the_invitation_in_the_browser_and_signs_in() {
    let env = Env::demo().await;
    let store = env.srv.store();
    let hollie = env.laptop(HOLLIE);
    let email = "head@heronvale.example.org";
    let (s, issued) = env
        .post(
            &format!("/v1/hubs/{DEMO_HUB_ID}/schools/{HERON_URN}/headteacher"),
            Some(&hollie.token),
            json!({"name": "Helen Heron", "email": email}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{issued}");
    let code = issued["code"].as_str().unwrap().to_owned();
    let http = browser();

    // Step 1: the code and a password, with the form's token.
    let form = http.get(env.url("/signup")).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    let (token, _) = set_cookie(&form, "__Host-qar_signin").unwrap();
    let html = form.text().await.unwrap();
    assert!(html.contains("<h1>Accept your invitation</h1>") && html.contains("autocomplete=\"new-password\""));
    let post = |path: &str, token: &str, fields: Vec<(&str, String)>| {
        http.post(env.url(path)).header(COOKIE, format!("__Host-qar_signin={token}")).form(&fields).send()
    };
    // Without the token: refused, and the code is still unused.
    let resp = http
        .post(env.url("/signup"))
        .form(&[("csrf", "x"), ("code", code.as_str()), ("password", PASSWORD), ("password_again", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // Two different passwords: said so, nothing written.
    let resp = post(
        "/signup",
        &token,
        vec![("csrf", token.clone()), ("code", code.clone()), ("password", PASSWORD.into()), ("password_again", "something else".into())],
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.text().await.unwrap().contains("The passwords do not match"));
    // A short password: the app's rule, in its words.
    let resp = post(
        "/signup",
        &token,
        vec![("csrf", token.clone()), ("code", code.clone()), ("password", "short".into()), ("password_again", "short".into())],
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = post(
        "/signup",
        &token,
        vec![("csrf", token.clone()), ("code", code.clone()), ("password", PASSWORD.into()), ("password_again", PASSWORD.into())],
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let (token, _) = set_cookie(&resp, "__Host-qar_signin").unwrap();
    let html = resp.text().await.unwrap();
    assert!(html.contains("<h1>Set up your authenticator app</h1>"), "{html}");
    let secret = hidden(&html, "secret");
    assert!(html.contains("otpauth://totp/"), "a link for a phone with the app");
    assert_eq!(hidden(&html, "code"), code);

    // Step 2: a wrong code shows the key again; the right one switches the account on.
    let resp = post(
        "/signup/confirm",
        &token,
        vec![
            ("csrf", token.clone()),
            ("code", code.clone()),
            ("secret", secret.clone()),
            ("email", email.into()),
            ("totp_code", "000000".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("That code is not right") && html.contains(&secret));
    let token = hidden(&html, "csrf");
    let first = totp_code(&secret, now_ms() - 30_000).unwrap();
    let resp = post(
        "/signup/confirm",
        &token,
        vec![("csrf", token.clone()), ("code", code.clone()), ("secret", secret.clone()), ("email", email.into()), ("totp_code", first)],
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{}", resp.text().await.unwrap());
    assert_eq!(resp.headers()[LOCATION], "/sign-in?ready=1");
    let (_, _, resp) = get_page(&env, "/sign-in?ready=1", None).await;
    assert!(resp.text().await.unwrap().contains("Your account is ready"));

    let session = sign_in(&env, email, &secret, HERON_URN).await;
    let (s, _, _) = get_page(&env, &format!("/schools/{HERON_URN}"), Some(&session)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(store.web_session_count(issued["user"]["id"].as_str().unwrap()).unwrap(), 1);
    // The code is spent: a second go is told so.
    let form = http.get(env.url("/signup")).send().await.unwrap();
    let (token, _) = set_cookie(&form, "__Host-qar_signin").unwrap();
    let resp = post(
        "/signup",
        &token,
        vec![("csrf", token.clone()), ("code", code.clone()), ("password", PASSWORD.into()), ("password_again", PASSWORD.into())],
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    assert!(resp.text().await.unwrap().contains("The invitation could not be accepted"));
}
