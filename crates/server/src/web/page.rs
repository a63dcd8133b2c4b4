//! A whole page around a page's main content, and the error pages: every refusal a browser
//! gets is a page in British English that says what happened and what to do, never JSON.

use super::template::{Html, RenderError, Tpl, V};
use crate::error::ApiError;
use crate::store::web_sessions::WebSession;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use qar_core::ErrorCode;

/// `main` inside the layout, with the signed-in person and a sign-out button when there is one.
pub fn page(status: StatusCode, title: &str, session: Option<&WebSession>, main: &Html) -> Response {
    match render(title, session, main) {
        Ok(html) => (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html.into_string()).into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

fn render(title: &str, session: Option<&WebSession>, main: &Html) -> Result<Html, super::template::RenderError> {
    let account = match session {
        Some(s) => Tpl::Account.render(&[("name", V::Text(&s.name)), ("csrf", V::Text(&s.csrf_token))])?,
        None => Html::default(),
    };
    Tpl::Layout.render(&[("title", V::Text(title)), ("account", V::Markup(&account)), ("main", V::Markup(&main.clone()))])
}

/// A page that says one thing and offers one link.
pub fn message(status: StatusCode, heading: &str, text: &str, link: (&str, &str), session: Option<&WebSession>) -> Response {
    let values = [("heading", V::Text(heading)), ("message", V::Text(text)), ("link", V::Text(link.0)), ("link_text", V::Text(link.1))];
    match Tpl::Message.render(&values) {
        Ok(main) => page(status, heading, session, &main),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// Where a page's "back" link goes: the person's school when signed in, else sign-in.
fn home_link(session: Option<&WebSession>) -> (String, &'static str) {
    match session {
        Some(s) => (super::school::school_href(&s.school_urn), "Go to your school's page"),
        None => ("/sign-in".to_owned(), "Go to the sign-in page"),
    }
}

/// A refusal or failure from the store as a page, with its status.
pub fn api_error(e: ApiError, session: Option<&WebSession>) -> Response {
    let (href, link_text) = home_link(session);
    let heading = match e.status {
        StatusCode::FORBIDDEN => "You cannot see this page",
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        s if s.is_server_error() => "Something went wrong on the server",
        _ => "This page cannot be shown",
    };
    // An internal error's message says only that; its cause is in the server log.
    let text = if e.status.is_server_error() && e.code == ErrorCode::Internal {
        "The server could not show this page. Try again in a minute; if it keeps happening, tell your hub's coordinator.".to_owned()
    } else {
        e.message.clone()
    };
    message(e.status, heading, &text, (&href, link_text), session)
}

/// A page of another school (or of no school): the same answer either way, so a head learns
/// nothing about schools that are not theirs.
pub fn not_your_school(session: &WebSession) -> Response {
    let (href, text) = home_link(Some(session));
    message(
        StatusCode::FORBIDDEN,
        "You cannot see this page",
        "This page belongs to another school. Your account shows only your own school's pages.",
        (&href, text),
        Some(session),
    )
}

/// A form post without the right CSRF token: nothing was done.
pub fn forbidden_form() -> Response {
    message(
        StatusCode::FORBIDDEN,
        "This form has expired",
        "Nothing was changed: the form was old, or did not come from this site. Go back, reload the page and try again.",
        ("/", "Go to the start page"),
        None,
    )
}

/// A path part that is not what it should be (not a URN, not a review id, not a version).
pub fn not_found(session: Option<&WebSession>) -> Response {
    let (href, text) = home_link(session);
    message(
        StatusCode::NOT_FOUND,
        "Page not found",
        "There is no page at this address. Check the link, or start again from your school's page.",
        (&href, text),
        session,
    )
}

/// A short notice above a form: an error (`role=alert`, read out at once) or news (`role=status`).
pub struct Notice<'a> {
    pub error: bool,
    pub heading: &'a str,
    pub message: &'a str,
}

/// The notice's markup; nothing when there is none.
pub fn notice(n: Option<&Notice<'_>>) -> Result<Html, RenderError> {
    let Some(n) = n else { return Ok(Html::default()) };
    let (kind, role) = if n.error { ("error", "alert") } else { ("info", "status") };
    Tpl::Notice.render(&[
        ("kind", V::Text(kind)),
        ("role", V::Text(role)),
        ("heading", V::Text(n.heading)),
        ("message", V::Text(n.message)),
    ])
}

/// A page's title: a refusal is named first, as it is the first thing a screen reader announces.
pub fn title_with(n: Option<&Notice<'_>>, title: &str) -> String {
    match n {
        Some(n) if n.error => format!("Error: {title}"),
        _ => title.to_owned(),
    }
}
