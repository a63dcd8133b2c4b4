//! Accepting an invitation in a browser (`/signup`, the link in every invitation mail; issue 22,
//! point 1): for a headteacher who will never install the app. The same two steps as the app,
//! through the same store calls and limits (`auth::sign_in::redeem_throttled`,
//! `confirm_throttled`): the invitation code and a new password, then the authenticator's key
//! and a first code. The code is never in a link (decision 52): it is typed, and carried from
//! the first step to the second in the form, like the key the page shows anyway.
//!
//! No session exists yet, so both forms carry the double-submit token of the sign-in form.

use super::page::{self, Notice};
use super::session::{cookie, csrf_ok, set_cookie, SIGN_IN_COOKIE};
use super::template::{Tpl, V};
use crate::error::ApiError;
use crate::net::ClientAddr;
use crate::store::web_sessions::new_form_token;
use crate::AppState;
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use qar_core::password::MIN_PASSWORD_CHARS;
use serde::Deserialize;

/// How long the forms' token lasts.
const FORM_TOKEN_S: u64 = 60 * 60;

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    totp_code: String,
}

/// What the second step shows again after a wrong code.
struct Setup<'a> {
    code: &'a str,
    secret: &'a str,
    email: &'a str,
}

/// A page with a fresh form token in its hidden field and its cookie.
fn with_token(
    status: StatusCode,
    title: &str,
    notice: Option<&Notice<'_>>,
    render: impl FnOnce(&str, &super::template::Html) -> Result<super::template::Html, super::template::RenderError>,
) -> Response {
    let token = match new_form_token() {
        Ok(t) => t,
        Err(e) => return page::api_error(e.into(), None),
    };
    let main = page::notice(notice).and_then(|n| render(&token, &n));
    match main {
        Ok(main) => {
            let mut resp = page::page(status, &page::title_with(notice, title), None, &main);
            resp.headers_mut().append(header::SET_COOKIE, set_cookie(SIGN_IN_COOKIE, &token, Some(FORM_TOKEN_S)));
            resp
        }
        Err(e) => ApiError::internal(e).into_response(),
    }
}

fn code_page(status: StatusCode, notice: Option<&Notice<'_>>) -> Response {
    let min = MIN_PASSWORD_CHARS.to_string();
    with_token(status, "Accept your invitation", notice, |token, notice| {
        Tpl::Signup.render(&[("notice", V::Markup(notice)), ("csrf", V::Text(token)), ("min_length", V::Text(&min))])
    })
}

fn authenticator_page(status: StatusCode, setup: &Setup<'_>, notice: Option<&Notice<'_>>) -> Response {
    // The key in groups of four, as authenticator apps show it.
    let grouped = setup.secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ");
    let otpauth = match crate::auth::crypto::totp_uri(setup.secret, setup.email) {
        Ok(u) => u,
        Err(e) => return ApiError::internal(e.0).into_response(),
    };
    with_token(status, "Set up your authenticator app", notice, |token, notice| {
        Tpl::SignupAuthenticator.render(&[
            ("notice", V::Markup(notice)),
            ("csrf", V::Text(token)),
            ("code", V::Text(setup.code)),
            ("secret", V::Text(setup.secret)),
            ("secret_grouped", V::Text(&grouped)),
            ("email", V::Text(setup.email)),
            ("otpauth_url", V::Text(&otpauth)),
        ])
    })
}

/// `GET /signup`.
pub async fn form() -> Response {
    code_page(StatusCode::OK, None)
}

/// `POST /signup`: the code and the password; the key to add to an authenticator app.
pub async fn redeem(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        let n = Notice { error: true, heading: "The form could not be read", message: "Fill in the form below and try again." };
        return code_page(StatusCode::BAD_REQUEST, Some(&n));
    };
    if !csrf_ok(&cookie(&headers, SIGN_IN_COOKIE).unwrap_or_default(), Some(&form.csrf)) {
        return page::forbidden_form();
    }
    if form.password != form.password_again {
        let n = Notice { error: true, heading: "The passwords do not match", message: "Type the same password in both boxes." };
        return code_page(StatusCode::UNPROCESSABLE_ENTITY, Some(&n));
    }
    let code = form.code.trim().to_owned();
    match crate::auth::sign_in::redeem_throttled(state.store.clone(), client.0, code.clone(), form.password).await {
        Ok(redeemed) => {
            authenticator_page(StatusCode::OK, &Setup { code: &code, secret: &redeemed.totp_secret, email: &redeemed.email }, None)
        }
        Err(e) if e.status.is_server_error() && e.status != StatusCode::SERVICE_UNAVAILABLE => page::api_error(e, None),
        Err(e) => {
            let n = Notice { error: true, heading: "The invitation could not be accepted", message: &e.message };
            code_page(e.status, Some(&n))
        }
    }
}

/// `POST /signup/confirm`: a first code switches the account on; then sign in.
pub async fn confirm(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    form: Result<Form<ConfirmForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        let n = Notice { error: true, heading: "The form could not be read", message: "Start again with your invitation code." };
        return code_page(StatusCode::BAD_REQUEST, Some(&n));
    };
    if !csrf_ok(&cookie(&headers, SIGN_IN_COOKIE).unwrap_or_default(), Some(&form.csrf)) {
        return page::forbidden_form();
    }
    let setup = Setup { code: &form.code, secret: &form.secret, email: &form.email };
    match crate::auth::sign_in::confirm_throttled(state.store.clone(), client.0, form.code.clone(), form.totp_code.clone()).await {
        Ok(_) => Redirect::to("/sign-in?ready=1").into_response(),
        Err(e) if e.status.is_server_error() && e.status != StatusCode::SERVICE_UNAVAILABLE => page::api_error(e, None),
        // A wrong code: the key again, to check it was typed right.
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let n = Notice { error: true, heading: "That code is not right", message: &e.message };
            authenticator_page(e.status, &setup, Some(&n))
        }
        Err(e) => {
            let n = Notice { error: true, heading: "The invitation could not be accepted", message: &e.message };
            code_page(e.status, Some(&n))
        }
    }
}
