//! The head gives or withdraws consent to publish their school's Areas of Excellence (issue 23,
//! decision 105): every entry of the school, drafts included, with where it stands, and a
//! confirmation page before anything changes. The post calls `ServerStore::set_register_consent`,
//! the store function the coordinator's JSON route calls, so the same audit and revocation apply.

use super::page::{self, Notice};
use super::school::{long_date_of, own_school, school_href};
use super::session;
use super::template::{Html, RenderError, Tpl, V};
use crate::error::ApiError;
use crate::store::now_ms;
use crate::store::register::{ConsentChange, RegisterRecord};
use crate::store::web_sessions::WebSession;
use crate::AppState;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use uuid::Uuid;

pub fn register_href(urn: &str) -> String {
    format!("/schools/{urn}/register")
}

fn consent_href(urn: &str, review_id: &str) -> String {
    format!("/schools/{urn}/register/{review_id}/consent")
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct GiveQuery {
    #[serde(default)]
    give: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    given: String,
}

/// `yes` publishes, `no` withdraws; anything else is no page.
fn giving(word: Option<&str>) -> Option<bool> {
    match word {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    }
}

/// The school's entries, drafts included, read with the head's own permissions.
async fn records(state: &AppState, session: &WebSession) -> Result<Vec<RegisterRecord>, ApiError> {
    let store = state.store.clone();
    let caller = session.caller();
    let urn = session.school_urn.clone();
    tokio::task::spawn_blocking(move || Ok(store.school_register_records(&caller, &urn)?)).await.map_err(ApiError::internal)?
}

/// Where an entry stands, in the head's words.
fn state_words(r: &RegisterRecord) -> &'static str {
    match (r.consented, r.consent_changed_ms) {
        (true, _) => "Published in the partnership's register",
        // A corrected report changes the words consented to: they wait for consent again.
        (false, Some(changed)) if r.entry.issued_ms > changed => "Not published: the report was corrected since you last decided",
        (false, Some(_)) => "Not published: consent withdrawn",
        (false, None) => "Draft: not published",
    }
}

fn year_words(year: u16) -> String {
    format!("{}/{:02}", year, (year + 1) % 100)
}

/// `GET /schools/{urn}/register`.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw_urn): Path<String>,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Response {
    let (session, urn) = match own_school(&state, &headers, &raw_urn).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let entries = match records(&state, &session).await {
        Ok(r) => r,
        Err(e) => return page::api_error(e, Some(&session)),
    };
    let done = query.ok().and_then(|Query(q)| q.done);
    let notice = match done.as_deref() {
        Some("published") => Some(("Published", "The Area of Excellence is now in the partnership's register.")),
        Some("withdrawn") => {
            Some(("Consent withdrawn", "The Area of Excellence has left the register; laptops remove it the next time they sync."))
        }
        _ => None,
    };
    let notice = notice.map(|(heading, message)| Notice { error: false, heading, message });
    match render_list(&urn, &session, &entries, notice.as_ref()) {
        Ok(main) => page::page(StatusCode::OK, "Your Areas of Excellence: consent to publish", Some(&session), &main),
        Err(e) => page::api_error(ApiError::internal(e), Some(&session)),
    }
}

fn school_name(urn: &str, entries: &[RegisterRecord]) -> String {
    entries.first().map(|r| r.entry.school_name.clone()).unwrap_or_else(|| format!("School {urn}"))
}

fn render_list(urn: &str, _session: &WebSession, entries: &[RegisterRecord], notice: Option<&Notice<'_>>) -> Result<Html, RenderError> {
    let cards = if entries.is_empty() {
        Html::element("p", "No issued report of your school has named an Area of Excellence yet.")
    } else {
        let cards = entries
            .iter()
            .map(|r| {
                let (give, text) = if r.consented {
                    ("no", "Withdraw consent")
                } else {
                    ("yes", "Publish this Area of Excellence in the partnership's register")
                };
                Tpl::RegisterConsentEntry.render(&[
                    ("title", V::Text(&r.entry.title)),
                    ("summary", V::Text(&r.entry.summary)),
                    ("academic_year", V::Text(&year_words(r.entry.academic_year))),
                    ("issued_date", V::Text(&long_date_of(r.entry.issued_ms))),
                    ("state", V::Text(state_words(r))),
                    ("action_href", V::Text(&format!("{}?give={give}", consent_href(urn, &r.entry.review_id)))),
                    ("action_text", V::Text(text)),
                ])
            })
            .collect::<Result<Vec<_>, _>>()?;
        Html::join(cards)
    };
    Tpl::RegisterConsent.render(&[
        ("school_href", V::Text(&school_href(urn))),
        ("school_name", V::Text(&school_name(urn, entries))),
        ("notice", V::Markup(&page::notice(notice)?)),
        ("entries", V::Markup(&cards)),
    ])
}

/// The entry of the head's own school with this id; another school's entry and an unknown one
/// get the same answer.
fn own_entry<'a>(entries: &'a [RegisterRecord], raw_review: &str) -> Option<&'a RegisterRecord> {
    let id = Uuid::parse_str(raw_review).ok()?.to_string();
    entries.iter().find(|r| r.entry.review_id == id)
}

/// `GET /schools/{urn}/register/{review_id}/consent?give=yes|no`: what will happen, and the
/// button that does it.
pub async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((raw_urn, raw_review)): Path<(String, String)>,
    query: Result<Query<GiveQuery>, QueryRejection>,
) -> Response {
    let (session, urn) = match own_school(&state, &headers, &raw_urn).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let Some(give) = giving(query.ok().and_then(|Query(q)| q.give).as_deref()) else { return page::not_found(Some(&session)) };
    let entries = match records(&state, &session).await {
        Ok(r) => r,
        Err(e) => return page::api_error(e, Some(&session)),
    };
    let Some(entry) = own_entry(&entries, &raw_review) else { return page::not_your_school(&session) };
    let (heading, explanation, confirm_text) = if give {
        (
            "Publish this Area of Excellence?",
            "Every member of the partnership will be able to find it in the register, with your school's name, and may ask to visit. You can withdraw your consent later.",
            "Yes, publish it in the register",
        )
    } else {
        (
            "Withdraw your consent?",
            "The entry leaves the register at once and laptops remove it the next time they sync. You can publish it again later.",
            "Yes, withdraw my consent",
        )
    };
    let main = Tpl::RegisterConsentConfirm.render(&[
        ("back_href", V::Text(&register_href(&urn))),
        ("heading", V::Text(heading)),
        ("title", V::Text(&entry.entry.title)),
        ("summary", V::Text(&entry.entry.summary)),
        ("academic_year", V::Text(&year_words(entry.entry.academic_year))),
        ("explanation", V::Text(explanation)),
        ("action", V::Text(&consent_href(&urn, &entry.entry.review_id))),
        ("csrf", V::Text(&session.csrf_token)),
        ("given", V::Text(if give { "yes" } else { "no" })),
        ("confirm_text", V::Text(confirm_text)),
    ]);
    match main {
        Ok(main) => page::page(StatusCode::OK, heading, Some(&session), &main),
        Err(e) => page::api_error(ApiError::internal(e), Some(&session)),
    }
}

/// `POST /schools/{urn}/register/{review_id}/consent`: the head's own consent recorded or
/// withdrawn, then the list again (303) saying so.
pub async fn record(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((raw_urn, raw_review)): Path<(String, String)>,
    form: Result<Form<ConsentForm>, FormRejection>,
) -> Response {
    let form = form.ok().map(|Form(f)| f);
    let session = match session::own_school_post(&state, &headers, &raw_urn, form.as_ref().map(|f| f.csrf.as_str())).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let Some(given) = form.and_then(|f| giving(Some(&f.given))) else { return page::not_found(Some(&session)) };
    let entries = match records(&state, &session).await {
        Ok(r) => r,
        Err(e) => return page::api_error(e, Some(&session)),
    };
    let Some(entry) = own_entry(&entries, &raw_review) else { return page::not_your_school(&session) };
    let Ok(review) = Uuid::parse_str(&entry.entry.review_id) else { return page::not_found(Some(&session)) };
    let store = state.store.clone();
    let caller = session.caller();
    // The store records the head's own account name, whatever is sent.
    let change = ConsentChange { given, head_name: session.name.clone() };
    match tokio::task::spawn_blocking(move || store.set_register_consent(&caller, review, &change, now_ms())).await {
        Ok(Ok(_)) => {
            let done = if given { "published" } else { "withdrawn" };
            Redirect::to(&format!("{}?done={done}", register_href(&session.school_urn))).into_response()
        }
        Ok(Err(e)) => page::api_error(ApiError::from(e), Some(&session)),
        Err(e) => page::api_error(ApiError::internal(e), Some(&session)),
    }
}
