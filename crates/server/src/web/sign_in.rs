//! Signing in and out in a browser (decision 75). The form posts e-mail, password and the
//! authenticator code; the checks and the limits are the app's (`auth::sign_in::throttled`,
//! `ServerStore::web_sign_in`). There is no session before sign-in, so the form's CSRF token is
//! a double-submit cookie; sign-out carries the session's own token.

use super::page::{self, Notice};
use super::session::{self, clear_cookie, cookie, csrf_ok, set_cookie, SESSION_COOKIE, SIGN_IN_COOKIE};
use super::template::{Tpl, V};
use crate::error::ApiError;
use crate::net::ClientAddr;
use crate::store::now_ms;
use crate::store::web_sessions::{new_form_token, WebSignIn};
use crate::AppState;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

/// How long the sign-in form's token lasts: a form left open longer is simply shown again.
const FORM_TOKEN_S: u64 = 60 * 60;
/// Longest e-mail address kept to show back in the form.
const MAX_EMAIL_SHOWN: usize = 254;

#[derive(Debug, Default, Deserialize)]
pub struct SignInQuery {
    #[serde(default)]
    ended: Option<String>,
    #[serde(default)]
    signed_out: Option<String>,
    #[serde(default)]
    ready: Option<String>,
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    totp_code: String,
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `GET /sign-in`: the form (or the school's page, for someone already signed in).
pub async fn form(State(state): State<AppState>, headers: HeaderMap, query: Result<Query<SignInQuery>, QueryRejection>) -> Response {
    if let Ok(s) = session::signed_in(&state, &headers).await {
        return Redirect::to(&super::school::school_href(&s.school_urn)).into_response();
    }
    let query = query.map(|q| q.0).unwrap_or_default();
    let notice = if query.ended.is_some() {
        Some(Notice {
            error: false,
            heading: "You were signed out",
            message: "Your session ended after 30 minutes without activity, or 12 hours after you signed in. Sign in again to carry on.",
        })
    } else if query.ready.is_some() {
        Some(Notice {
            error: false,
            heading: "Your account is ready",
            message: "Sign in with your e-mail address, your password and the next code your authenticator app shows.",
        })
    } else if query.signed_out.is_some() {
        Some(Notice { error: false, heading: "You have signed out", message: "Close this window if you are using a shared computer." })
    } else {
        None
    };
    sign_in_page(StatusCode::OK, "", notice)
}

/// The form with a fresh double-submit token (cookie and hidden field).
fn sign_in_page(status: StatusCode, email: &str, notice: Option<Notice<'_>>) -> Response {
    let token = match new_form_token() {
        Ok(t) => t,
        Err(e) => return page::api_error(e.into(), None),
    };
    let title = page::title_with(notice.as_ref(), "Sign in");
    let notice = match page::notice(notice.as_ref()) {
        Ok(h) => h,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let email: String = email.chars().take(MAX_EMAIL_SHOWN).collect();
    let main = match Tpl::SignIn.render(&[("notice", V::Markup(&notice)), ("csrf", V::Text(&token)), ("email", V::Text(&email))]) {
        Ok(h) => h,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let mut resp = page::page(status, &title, None, &main);
    resp.headers_mut().append(header::SET_COOKIE, set_cookie(SIGN_IN_COOKIE, &token, Some(FORM_TOKEN_S)));
    resp
}

/// `POST /sign-in`.
pub async fn submit(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return sign_in_page(
            StatusCode::BAD_REQUEST,
            "",
            Some(Notice { error: true, heading: "The form could not be read", message: "Fill in the form below and try again." }),
        );
    };
    // Double submit: the hidden field must match the cookie this site set with the form.
    let expected = cookie(&headers, SIGN_IN_COOKIE).unwrap_or_default();
    if !csrf_ok(&expected, Some(&form.csrf)) {
        return page::forbidden_form();
    }
    let SignInForm { email, password, totp_code, .. } = form;
    let shown_email = email.clone();
    let result = crate::auth::sign_in::throttled(state.store.clone(), client.0, &shown_email, move |store| {
        store.web_sign_in(&email, &password, &totp_code, now_ms())
    })
    .await;
    match result {
        Ok(WebSignIn::Session { session_id, urn }) => {
            let mut resp = Redirect::to(&super::school::school_href(&urn)).into_response();
            resp.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &session_id, None));
            resp.headers_mut().append(header::SET_COOKIE, clear_cookie(SIGN_IN_COOKIE));
            resp
        }
        Ok(WebSignIn::NotAHead { name }) => {
            let text = format!(
                "{name}, these pages are for a school's headteacher. Reviewers, coordinators and administrators use the QAR Field app: open it on your laptop and sign in there."
            );
            page::message(StatusCode::FORBIDDEN, "Use the QAR Field app", &text, ("/sign-in", "Go back to the sign-in page"), None)
        }
        Err(e) => {
            let heading = match e.status {
                StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
                StatusCode::SERVICE_UNAVAILABLE => "The server is busy",
                _ => "You could not be signed in",
            };
            if e.status.is_server_error() && e.status != StatusCode::SERVICE_UNAVAILABLE {
                return page::api_error(e, None);
            }
            let message = e.message.clone();
            sign_in_page(e.status, &shown_email, Some(Notice { error: true, heading, message: &message }))
        }
    }
}

/// `POST /sign-out`: ends the session (with its CSRF token), removes the cookie.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap, form: Result<Form<CsrfForm>, FormRejection>) -> Response {
    let sent = form.ok().map(|Form(f)| f.csrf);
    let session = match session::signed_in_post(&state, &headers, sent.as_deref()).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let Some(id) = cookie(&headers, SESSION_COOKIE) else {
        return Redirect::to("/sign-in").into_response();
    };
    let store = state.store.clone();
    match tokio::task::spawn_blocking(move || store.web_sign_out(&id, now_ms())).await {
        Ok(Ok(())) => {
            let mut resp = Redirect::to("/sign-in?signed_out=1").into_response();
            resp.headers_mut().append(header::SET_COOKIE, clear_cookie(SESSION_COOKIE));
            resp
        }
        Ok(Err(e)) => page::api_error(e.into(), Some(&session)),
        Err(e) => page::api_error(ApiError::internal(e), Some(&session)),
    }
}
