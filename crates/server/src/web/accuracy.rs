//! The factual-accuracy check in the school's pages (issue 22, decision 95): the approved
//! report's sections, the head's comments on matters of fact under each, a form per section while
//! the window is open, and "I have finished checking". Every form posts to the store functions
//! the JSON routes call (`comment_on_accuracy`, `finish_accuracy_check`), with their rules.

use super::page::{self, Notice};
use super::school::{own_school, school_href};
use super::session;
use super::template::{Html, RenderError, Tpl, V};
use crate::error::ApiError;
use crate::store::accuracy_check::{AccuracyCheck, AccuracyCommentRequest};
use crate::store::now_ms;
use crate::store::web_sessions::WebSession;
use crate::AppState;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use qar_core::accuracy_check::{closing_words, AccuracyWindow, MAX_COMMENT_CHARS};
use serde::Deserialize;
use uuid::Uuid;

pub fn accuracy_href(urn: &str, review_id: &str) -> String {
    format!("/schools/{urn}/reviews/{review_id}/accuracy")
}

#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    text: String,
}

#[derive(Debug, Deserialize)]
pub struct FinishForm {
    #[serde(default)]
    csrf: String,
}

async fn read(state: &AppState, session: &WebSession, review: Uuid) -> Result<AccuracyCheck, ApiError> {
    let store = state.store.clone();
    let caller = session.caller();
    tokio::task::spawn_blocking(move || Ok(store.accuracy_check(&caller, review, now_ms())?)).await.map_err(ApiError::internal)?
}

/// `GET /schools/{urn}/reviews/{review_id}/accuracy`.
pub async fn page_of(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((raw_urn, raw_review)): Path<(String, String)>,
    query: Result<Query<SavedQuery>, QueryRejection>,
) -> Response {
    let (session, _urn) = match own_school(&state, &headers, &raw_urn).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let Ok(review) = Uuid::parse_str(&raw_review) else { return page::not_found(Some(&session)) };
    let check = match read(&state, &session, review).await {
        Ok(c) => c,
        Err(e) => return page::api_error(e, Some(&session)),
    };
    let notice = match query.ok().and_then(|Query(q)| q.saved).as_deref() {
        Some("comment") => Some(Notice { error: false, heading: "Comment added", message: "The Lead Reviewer sees it with the report." }),
        Some("finished") => {
            Some(Notice { error: false, heading: "Thank you", message: "The hub knows you have finished checking the report." })
        }
        _ => None,
    };
    respond(StatusCode::OK, &session, &check, notice.as_ref(), None)
}

/// Signed in, the form's token checked, the path's school the session's own: the session and
/// the review, or the answer to give.
async fn posting(
    state: &AppState,
    headers: &HeaderMap,
    raw_urn: &str,
    raw_review: &str,
    csrf: Option<&str>,
) -> Result<(WebSession, Uuid), Response> {
    let session = session::own_school_post(state, headers, raw_urn, csrf).await?;
    let Ok(review) = Uuid::parse_str(raw_review) else { return Err(page::not_found(Some(&session))) };
    Ok((session, review))
}

/// `POST …/accuracy/comments`: one comment; a refusal shows the page with the words kept.
pub async fn comment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((raw_urn, raw_review)): Path<(String, String)>,
    form: Result<Form<CommentForm>, FormRejection>,
) -> Response {
    let form = form.ok().map(|Form(f)| f);
    let (session, review) = match posting(&state, &headers, &raw_urn, &raw_review, form.as_ref().map(|f| f.csrf.as_str())).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let Some(form) = form else { return page::not_found(Some(&session)) };
    let store = state.store.clone();
    let caller = session.caller();
    let req = AccuracyCommentRequest { target: form.target.clone(), text: form.text.clone() };
    let done = tokio::task::spawn_blocking(move || store.comment_on_accuracy(&caller, review, &req, now_ms())).await;
    match done {
        Ok(Ok(_)) => Redirect::to(&format!("{}?saved=comment", accuracy_href(&session.school_urn, &raw_review))).into_response(),
        Ok(Err(e)) => refused(&state, &session, review, ApiError::from(e), Some(&form)).await,
        Err(e) => page::api_error(ApiError::internal(e), Some(&session)),
    }
}

/// `POST …/accuracy/finish`.
pub async fn finish(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((raw_urn, raw_review)): Path<(String, String)>,
    form: Result<Form<FinishForm>, FormRejection>,
) -> Response {
    let form = form.ok().map(|Form(f)| f);
    let (session, review) = match posting(&state, &headers, &raw_urn, &raw_review, form.as_ref().map(|f| f.csrf.as_str())).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let store = state.store.clone();
    let caller = session.caller();
    let done = tokio::task::spawn_blocking(move || store.finish_accuracy_check(&caller, review, now_ms())).await;
    match done {
        Ok(Ok(_)) => Redirect::to(&format!("{}?saved=finished", accuracy_href(&session.school_urn, &raw_review))).into_response(),
        Ok(Err(e)) => refused(&state, &session, review, ApiError::from(e), None).await,
        Err(e) => page::api_error(ApiError::internal(e), Some(&session)),
    }
}

/// A refusal the head can act on (a closed window, a comment that is not about a fact, too
/// long) is shown on the page with what they typed; anything else is the usual error page.
async fn refused(state: &AppState, session: &WebSession, review: Uuid, e: ApiError, typed: Option<&CommentForm>) -> Response {
    let actionable = [StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY];
    if !actionable.contains(&e.status) {
        return page::api_error(e, Some(session));
    }
    match read(state, session, review).await {
        Ok(check) => {
            let notice = Notice { error: true, heading: "Not saved", message: &e.message };
            respond(e.status, session, &check, Some(&notice), typed)
        }
        Err(e) => page::api_error(e, Some(session)),
    }
}

fn respond(
    status: StatusCode,
    session: &WebSession,
    check: &AccuracyCheck,
    notice: Option<&Notice<'_>>,
    typed: Option<&CommentForm>,
) -> Response {
    match render(session, check, notice, typed) {
        Ok(main) => page::page(status, &page::title_with(notice, "Check the report for factual accuracy"), Some(session), &main),
        Err(e) => page::api_error(ApiError::internal(e), Some(session)),
    }
}

fn paragraphs(text: &str) -> Html {
    Html::join(text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(|p| Html::element("p", p)).collect())
}

fn render(
    session: &WebSession,
    check: &AccuracyCheck,
    notice: Option<&Notice<'_>>,
    typed: Option<&CommentForm>,
) -> Result<Html, RenderError> {
    let urn = &session.school_urn;
    let rid = check.review_id.to_string();
    let open = matches!(check.window, AccuracyWindow::Open { .. });
    let status = match check.window {
        AccuracyWindow::Open { closes_ms } => format!("You can comment until {}.", closing_words(closes_ms)),
        AccuracyWindow::Finished => "You have told the hub you have finished checking this report. Thank you.".to_owned(),
        AccuracyWindow::Closed => "The days for checking this report have passed; the hub will issue it.".to_owned(),
        AccuracyWindow::Off => {
            "Your hub has not asked for a factual-accuracy check of this report. You will read it here once it is issued.".to_owned()
        }
    };
    let max = MAX_COMMENT_CHARS.to_string();
    let sections = check
        .sections
        .iter()
        .map(|s| {
            let anchor = s.target.replace(':', "-");
            let mine: Vec<Html> = check.comments.iter().filter(|c| c.target == s.target).map(|c| Html::element("li", &c.text)).collect();
            let comments = if mine.is_empty() {
                Html::default()
            } else {
                Html::join(vec![Html::element("h3", "Your comments"), Html::wrap("ul", mine)])
            };
            let form = if open {
                let text = typed.filter(|t| t.target == s.target).map_or("", |t| t.text.as_str());
                Tpl::AccuracyCommentForm.render(&[
                    ("action", V::Text(&format!("{}/comments", accuracy_href(urn, &rid)))),
                    ("csrf", V::Text(&session.csrf_token)),
                    ("target", V::Text(&s.target)),
                    ("anchor", V::Text(&anchor)),
                    ("title", V::Text(&s.title)),
                    ("max", V::Text(&max)),
                    ("text", V::Text(text)),
                ])?
            } else {
                Html::default()
            };
            Tpl::AccuracySection.render(&[
                ("anchor", V::Text(&anchor)),
                ("title", V::Text(&s.title)),
                ("body", V::Markup(&paragraphs(&s.body))),
                ("comments", V::Markup(&comments)),
                ("form", V::Markup(&form)),
            ])
        })
        .collect::<Result<Vec<_>, _>>()?;
    let finish = if open {
        Tpl::AccuracyFinish
            .render(&[("action", V::Text(&format!("{}/finish", accuracy_href(urn, &rid)))), ("csrf", V::Text(&session.csrf_token))])?
    } else {
        Html::default()
    };
    Tpl::Accuracy.render(&[
        ("school_href", V::Text(&school_href(urn))),
        ("notice", V::Markup(&page::notice(notice)?)),
        ("status", V::Text(&status)),
        ("sections", V::Markup(&Html::join(sections))),
        ("finish", V::Markup(&finish)),
    ])
}
