//! What the tests of the school's pages share (issue 22): a client that behaves like a test of a
//! browser's wire (no redirects followed, no cookies kept), and pages fetched and forms posted
//! with a session cookie.

use crate::common::Env;
use reqwest::header::{COOKIE, LOCATION};
use reqwest::StatusCode;

/// A client that, like a test of a browser's wire, follows no redirects and keeps no cookies.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The hidden `csrf` field of a page's form.
pub fn csrf_field(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form with a CSRF field") + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_owned()
}

/// A page fetched with a session: its status and HTML.
pub async fn get(env: &Env, path: &str, session: &str) -> (StatusCode, String) {
    let resp = browser().get(env.url(path)).header(COOKIE, format!("__Host-qar_session={session}")).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

/// A form posted with a session: the status, where it redirects to, and the HTML.
pub async fn post(env: &Env, path: &str, session: &str, form: &[(&str, &str)]) -> (StatusCode, Option<String>, String) {
    let resp = browser().post(env.url(path)).header(COOKIE, format!("__Host-qar_session={session}")).form(form).send().await.unwrap();
    let location = resp.headers().get(LOCATION).map(|l| l.to_str().unwrap().to_owned());
    (resp.status(), location, resp.text().await.unwrap())
}
