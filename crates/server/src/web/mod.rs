//! The host school's pages (issue 22, decision 75): plain HTML rendered here from templates
//! kept as data (`templates/web/`), one stylesheet, no script; browser sessions with a cookie
//! (`session`), CSRF tokens on every form, and the same sign-in checks and limits as the app.
//!
//! A page module per page: `sign_in` (sign-in and sign-out), `signup` (accepting an invitation), `school` (the head's home: their
//! school's reviews, issued versions, register entries and visit requests), `register` (the head's
//! consent to publish the school's Areas of Excellence), `report` (an issued
//! version read in the page, and downloaded as PDF and Word). Only a school's headteacher signs
//! in here; the review team and the hub use the app.

mod accuracy;
mod page;
mod register;
mod report;
mod school;
mod session;
mod sign_in;
mod signup;
mod statement;
pub(crate) mod template;

use crate::AppState;
use axum::http::{header, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

/// What a page may load: its own stylesheet and images, forms posting to itself, nothing else:
/// no script at all, so an injected value cannot run; never framed.
pub const PAGE_CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/sign-in", get(sign_in::form).post(sign_in::submit))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/signup", get(signup::form).post(signup::redeem))
        .route("/signup/confirm", post(signup::confirm))
        .route("/schools/{urn}", get(school::home))
        .route("/schools/{urn}/reviews/{review_id}/versions/{version}", get(report::read))
        .route("/schools/{urn}/reviews/{review_id}/versions/{version}/pdf", get(report::pdf))
        .route("/schools/{urn}/reviews/{review_id}/versions/{version}/docx", get(report::docx))
        .route("/schools/{urn}/reviews/{review_id}/versions/{version}/photos/{sha256}", get(report::photo))
        .route("/schools/{urn}/reviews/{review_id}/statement", get(statement::form).post(statement::save))
        .route("/schools/{urn}/reviews/{review_id}/accuracy", get(accuracy::page_of))
        .route("/schools/{urn}/reviews/{review_id}/accuracy/comments", post(accuracy::comment))
        .route("/schools/{urn}/reviews/{review_id}/accuracy/finish", post(accuracy::finish))
        .route("/schools/{urn}/register", get(register::list))
        .route("/schools/{urn}/register/{review_id}/consent", get(register::confirm).post(register::record))
        .route("/static/web.css", get(stylesheet))
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
}

/// `/`: the signed-in head's school, or the sign-in page.
async fn home(state: axum::extract::State<AppState>, headers: axum::http::HeaderMap) -> Response {
    match session::signed_in(&state, &headers).await {
        Ok(s) => Redirect::to(&school::school_href(&s.school_urn)).into_response(),
        Err(to_sign_in) => to_sign_in,
    }
}

/// What an unknown address gets: JSON under the API's paths (`/v1/…`), a page elsewhere.
pub(crate) async fn fallback(uri: axum::http::Uri) -> Response {
    let path = uri.path();
    if path == "/v1" || path.starts_with("/v1/") {
        return crate::error::ApiError::new(qar_core::ErrorCode::NotFound, "no such endpoint").into_response();
    }
    let mut resp = page::not_found(None);
    resp.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    resp
}

async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], template::STYLESHEET).into_response()
}
