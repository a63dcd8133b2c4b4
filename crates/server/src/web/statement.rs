//! Before the visit: the school's context statement and its proposed Area of Excellence (issue
//! 22, decision 94), in two forms of one page. Both post to
//! `ServerStore::write_school_statement`, the store function the JSON route calls, so the same
//! permission, limits and audit apply; the review team reads the result on their laptops.

use super::page::{self, Notice};
use super::school::{own_school, school_href};
use super::session;
use super::template::{Html, RenderError, Tpl, V};
use crate::error::ApiError;
use crate::store::now_ms;
use crate::store::web_sessions::WebSession;
use crate::AppState;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use qar_core::school_statement::{SchoolStatement, SchoolStatementChange, MAX_AOE_SUMMARY_CHARS, MAX_AOE_TITLE_CHARS, MAX_CONTEXT_CHARS};
use serde::Deserialize;
use uuid::Uuid;

pub fn statement_href(urn: &str, review_id: &str) -> String {
    format!("/schools/{urn}/reviews/{review_id}/statement")
}

#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// One of the page's two forms: `part` says which (`context` or `aoe`).
#[derive(Debug, Deserialize)]
pub struct StatementForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    part: String,
    #[serde(default)]
    context_statement: Option<String>,
    #[serde(default)]
    aoe_title: Option<String>,
    #[serde(default)]
    aoe_summary: Option<String>,
}

/// The statement as stored, read with the head's own permissions.
async fn read(state: &AppState, session: &WebSession, review: Uuid) -> Result<SchoolStatement, ApiError> {
    let store = state.store.clone();
    let caller = session.caller();
    tokio::task::spawn_blocking(move || Ok(store.school_statement(&caller, review)?)).await.map_err(ApiError::internal)?
}

/// `GET /schools/{urn}/reviews/{review_id}/statement`.
pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((raw_urn, raw_review)): Path<(String, String)>,
    query: Result<Query<SavedQuery>, QueryRejection>,
) -> Response {
    let (session, urn) = match own_school(&state, &headers, &raw_urn).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let Ok(review) = Uuid::parse_str(&raw_review) else { return page::not_found(Some(&session)) };
    let statement = match read(&state, &session, review).await {
        Ok(s) if s.school_urn == urn => s,
        Ok(_) => return page::not_your_school(&session),
        Err(e) => return page::api_error(e, Some(&session)),
    };
    let saved = query.ok().and_then(|Query(q)| q.saved);
    let notice = match saved.as_deref() {
        Some("context") => Some(("Context statement saved", "The review team sees it on their laptops after their next sync.")),
        Some("aoe") => Some(("Proposal saved", "The review team sees it on their laptops after their next sync.")),
        _ => None,
    };
    let notice = notice.map(|(heading, message)| Notice { error: false, heading, message });
    respond(StatusCode::OK, &session, &statement, notice.as_ref(), None)
}

/// `POST /schools/{urn}/reviews/{review_id}/statement`: one form's part, saved; then the page
/// again (303), saying so. A refusal shows the page with the words as typed, so nothing is lost.
pub async fn save(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((raw_urn, raw_review)): Path<(String, String)>,
    form: Result<Form<StatementForm>, FormRejection>,
) -> Response {
    let form = form.ok().map(|Form(f)| f);
    let session = match session::own_school_post(&state, &headers, &raw_urn, form.as_ref().map(|f| f.csrf.as_str())).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let (Some(form), Ok(review)) = (form, Uuid::parse_str(&raw_review)) else { return page::not_found(Some(&session)) };
    let change = match form.part.as_str() {
        "context" => {
            SchoolStatementChange { context_statement: Some(form.context_statement.clone().unwrap_or_default()), ..Default::default() }
        }
        "aoe" => SchoolStatementChange {
            aoe_title: Some(form.aoe_title.clone().unwrap_or_default()),
            aoe_summary: Some(form.aoe_summary.clone().unwrap_or_default()),
            ..Default::default()
        },
        _ => return page::not_found(Some(&session)),
    };
    let store = state.store.clone();
    let caller = session.caller();
    let saved = tokio::task::spawn_blocking(move || store.write_school_statement(&caller, review, &change, now_ms())).await;
    match saved {
        Ok(Ok(_)) => Redirect::to(&format!("{}?saved={}", statement_href(&session.school_urn, &raw_review), form.part)).into_response(),
        Ok(Err(e)) => {
            let e = ApiError::from(e);
            if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::FORBIDDEN {
                // Shown with the words as typed, so the head can shorten them or keep a copy.
                let current = match read(&state, &session, review).await {
                    Ok(s) => s,
                    Err(e) => return page::api_error(e, Some(&session)),
                };
                let notice = Notice { error: true, heading: "Not saved", message: &e.message };
                return respond(e.status, &session, &current, Some(&notice), Some(&form));
            }
            page::api_error(e, Some(&session))
        }
        Err(e) => page::api_error(ApiError::internal(e), Some(&session)),
    }
}

fn respond(
    status: StatusCode,
    session: &WebSession,
    s: &SchoolStatement,
    notice: Option<&Notice<'_>>,
    typed: Option<&StatementForm>,
) -> Response {
    match render(session, s, notice, typed) {
        Ok((title, main)) => page::page(status, &page::title_with(notice, &title), Some(session), &main),
        Err(e) => page::api_error(ApiError::internal(e), Some(session)),
    }
}

/// Paragraphs of the school's own text (a blank line starts a new one), escaped.
fn paragraphs(text: &str) -> Html {
    let parts: Vec<Html> = text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(|p| Html::element("p", p)).collect();
    if parts.is_empty() {
        Html::element("p", "Nothing was written.")
    } else {
        Html::join(parts)
    }
}

fn render(
    session: &WebSession,
    s: &SchoolStatement,
    notice: Option<&Notice<'_>>,
    typed: Option<&StatementForm>,
) -> Result<(String, Html), RenderError> {
    let urn = &session.school_urn;
    let typed_or = |value: Option<&Option<String>>, stored: &str| value.and_then(|v| v.clone()).unwrap_or_else(|| stored.to_owned());
    let body = if s.open {
        let (context_max, title_max, summary_max) =
            (MAX_CONTEXT_CHARS.to_string(), MAX_AOE_TITLE_CHARS.to_string(), MAX_AOE_SUMMARY_CHARS.to_string());
        let context = typed_or(typed.filter(|f| f.part == "context").map(|f| &f.context_statement), &s.context_statement);
        let title = typed_or(typed.filter(|f| f.part == "aoe").map(|f| &f.aoe_title), &s.aoe_title);
        let summary = typed_or(typed.filter(|f| f.part == "aoe").map(|f| &f.aoe_summary), &s.aoe_summary);
        Tpl::StatementForms.render(&[
            ("action", V::Text(&statement_href(urn, &s.review_id))),
            ("csrf", V::Text(&session.csrf_token)),
            ("context_max", V::Text(&context_max)),
            ("title_max", V::Text(&title_max)),
            ("summary_max", V::Text(&summary_max)),
            ("context_statement", V::Text(&context)),
            ("aoe_title", V::Text(&title)),
            ("aoe_summary", V::Text(&summary)),
        ])?
    } else {
        Tpl::StatementRead.render(&[
            ("context_statement", V::Markup(&paragraphs(&s.context_statement))),
            ("aoe_title", V::Text(if s.aoe_title.is_empty() { "No Area of Excellence was proposed." } else { &s.aoe_title })),
            ("aoe_summary", V::Markup(&paragraphs(&s.aoe_summary))),
        ])?
    };
    let intro = if s.open {
        "The review team reads this on their laptops while they prepare. You can change it until the visit ends."
    } else {
        "The visit has ended: this is what your school told the review team."
    };
    let main = Tpl::Statement.render(&[
        ("school_href", V::Text(&school_href(urn))),
        ("school_name", V::Text(&s.school_name)),
        ("notice", V::Markup(&page::notice(notice)?)),
        ("intro", V::Text(intro)),
        ("body", V::Markup(&body)),
    ])?;
    Ok(("What your school tells the review team".to_owned(), main))
}
