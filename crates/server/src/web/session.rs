//! The browser's side of a session (decision 75): the cookies, reading the session a request
//! carries, and the CSRF check every form post makes.
//!
//! Cookies are `__Host-` prefixed, `Secure`, `HttpOnly`, `SameSite=Strict`, `Path=/`: browsers
//! keep them only from a secure origin (HTTPS, or `http://localhost` while developing), send
//! them only to this host, never to script and never with a request another site starts. The
//! session cookie has no `Max-Age`: the server ends a session (30 minutes idle, 12 hours), not
//! the browser.

use super::page;
use crate::auth::crypto::constant_time_eq;
use crate::store::now_ms;
use crate::store::web_sessions::{NoSession, WebSession};
use crate::AppState;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};

/// The session id.
pub const SESSION_COOKIE: &str = "__Host-qar_session";
/// The sign-in form's double-submit token (there is no session yet to hold one).
pub const SIGN_IN_COOKIE: &str = "__Host-qar_signin";
/// Longest cookie value read; ours are 43 characters.
const MAX_COOKIE_VALUE: usize = 100;

/// The value of the cookie `name`, if the request carries exactly one.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    let mut found = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(n, _)| *n == name)
        .map(|(_, v)| v.trim().to_owned());
    let value = found.next()?;
    // Two cookies of one name (one planted by a sibling host, say): trust neither.
    if found.next().is_some() || value.is_empty() || value.len() > MAX_COOKIE_VALUE {
        return None;
    }
    Some(value)
}

/// `Set-Cookie` for a cookie of ours; `max_age_s` None for one that lasts the browser session.
pub fn set_cookie(name: &str, value: &str, max_age_s: Option<u64>) -> HeaderValue {
    let age = max_age_s.map(|s| format!("; Max-Age={s}")).unwrap_or_default();
    let text = format!("{name}={value}; Path=/; Secure; HttpOnly; SameSite=Strict{age}");
    HeaderValue::from_str(&text).expect("cookie values are URL-safe base64")
}

/// `Set-Cookie` that removes a cookie of ours.
pub fn clear_cookie(name: &str) -> HeaderValue {
    set_cookie(name, "", Some(0))
}

/// The session this request carries, or the answer to give instead: a redirect to sign-in
/// (saying so when a session has ended), with the dead cookie removed.
pub async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<WebSession, Response> {
    let Some(id) = cookie(headers, SESSION_COOKIE) else {
        return Err(Redirect::to("/sign-in").into_response());
    };
    let store = state.store.clone();
    let found = tokio::task::spawn_blocking(move || store.web_session(&id, now_ms())).await;
    match found {
        Ok(Ok(Ok(session))) => Ok(session),
        Ok(Ok(Err(why))) => {
            let to = if why == NoSession::Ended { "/sign-in?ended=1" } else { "/sign-in" };
            let mut resp = Redirect::to(to).into_response();
            resp.headers_mut().append(header::SET_COOKIE, clear_cookie(SESSION_COOKIE));
            Err(resp)
        }
        Ok(Err(e)) => Err(page::api_error(crate::error::ApiError::from(e), None)),
        Err(e) => Err(page::api_error(crate::error::ApiError::internal(e), None)),
    }
}

/// The synchroniser check: the form's token must be the session's own (or, before there is a
/// session, the double-submit cookie's). When it is not, the caller answers
/// `page::forbidden_form()` and writes nothing.
pub fn csrf_ok(expected: &str, sent: Option<&str>) -> bool {
    matches!(sent, Some(sent) if !expected.is_empty() && constant_time_eq(expected.as_bytes(), sent.as_bytes()))
}

/// For a form post of a signed-in page: the session, once the form's CSRF token is its own.
/// Otherwise the answer to give (sign-in, or 403 "This form has expired"), and the handler
/// reads and writes nothing.
pub async fn signed_in_post(state: &AppState, headers: &HeaderMap, sent_csrf: Option<&str>) -> Result<WebSession, Response> {
    let session = signed_in(state, headers).await?;
    if !csrf_ok(&session.csrf_token, sent_csrf) {
        return Err(page::forbidden_form());
    }
    Ok(session)
}

/// [`signed_in_post`] on a page of school `raw_urn`: the session, if that school is the head's own;
/// otherwise the answer to give ("You cannot see this page").
pub async fn own_school_post(
    state: &AppState,
    headers: &HeaderMap,
    raw_urn: &str,
    sent_csrf: Option<&str>,
) -> Result<WebSession, Response> {
    let session = signed_in_post(state, headers, sent_csrf).await?;
    if raw_urn != session.school_urn {
        return Err(page::not_your_school(&session));
    }
    Ok(session)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(cookies: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for c in cookies {
            h.append(header::COOKIE, HeaderValue::from_str(c).unwrap());
        }
        h
    }

    #[test]
    fn a_cookie_is_read_once_and_only_when_unambiguous() {
        assert_eq!(cookie(&headers(&["a=1; __Host-qar_session=abc; b=2"]), SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers(&["a=1", "__Host-qar_session=abc"]), SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers(&["__Host-qar_session=abc; __Host-qar_session=def"]), SESSION_COOKIE), None);
        assert_eq!(cookie(&headers(&["qar_session=abc"]), SESSION_COOKIE), None, "only the prefixed name");
        assert_eq!(cookie(&headers(&["__Host-qar_session="]), SESSION_COOKIE), None);
        assert_eq!(cookie(&headers(&[]), SESSION_COOKIE), None);
    }

    #[test]
    fn our_cookies_are_host_only_secure_http_only_and_strict() {
        let c = set_cookie(SESSION_COOKIE, "abc", None);
        assert_eq!(c.to_str().unwrap(), "__Host-qar_session=abc; Path=/; Secure; HttpOnly; SameSite=Strict");
        assert!(clear_cookie(SIGN_IN_COOKIE).to_str().unwrap().ends_with("Max-Age=0"));
    }

    #[test]
    fn csrf_needs_the_sessions_own_token() {
        assert!(csrf_ok("token", Some("token")));
        assert!(!csrf_ok("token", Some("other")));
        assert!(!csrf_ok("token", Some("toke")));
        assert!(!csrf_ok("token", None));
        assert!(!csrf_ok("", Some("")), "an empty token never matches");
    }
}
