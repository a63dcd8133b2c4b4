//! The head's home: their school's reviews with every issued version of each report, the
//! school's Areas of Excellence in the register, and the requests to visit it (issues 22 and 23).
//! Everything shown comes through the same store functions as the JSON API, with the head's
//! own permissions; nothing of a review is shown before its report is issued.

use super::page;
use super::session;
use super::template::{Html, Tpl, V};
use crate::error::ApiError;
use crate::store::school_heads::SchoolReview;
use crate::store::web_sessions::WebSession;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use qar_core::protocol::register::{RegisterEntry, VisitRequest};
use qar_core::school::Urn;

pub fn school_href(urn: &str) -> String {
    format!("/schools/{urn}")
}

/// A date as the pages write it: "Monday 7 December 2026" (UTC day).
pub fn long_date_of(ms: u64) -> String {
    qar_report::wording::long_date(&qar_report::source::day_of(ms))
}

/// The session, and the school of the path when it is the session's own; otherwise the page
/// to answer with (sign-in, or the same refusal for another school and for no school).
pub async fn own_school(state: &AppState, headers: &HeaderMap, raw_urn: &str) -> Result<(WebSession, String), Response> {
    let session = session::signed_in(state, headers).await?;
    match Urn::parse(raw_urn) {
        Ok(urn) if urn.as_str() == session.school_urn => Ok((session, urn.as_str().to_owned())),
        Ok(_) => Err(page::not_your_school(&session)),
        Err(_) => Err(page::not_found(Some(&session))),
    }
}

/// What the school's page shows, read in one go.
struct SchoolPage {
    reviews: Vec<SchoolReview>,
    register: Vec<RegisterEntry>,
    visit_requests: Vec<VisitRequest>,
}

/// `GET /schools/{urn}`.
pub async fn home(State(state): State<AppState>, headers: HeaderMap, Path(raw_urn): Path<String>) -> Response {
    let (session, urn) = match own_school(&state, &headers, &raw_urn).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let store = state.store.clone();
    let caller = session.caller();
    let read = tokio::task::spawn_blocking(move || -> Result<SchoolPage, ApiError> {
        Ok(SchoolPage {
            reviews: store.school_reviews(&caller, &urn)?,
            register: store.school_register(&caller, &urn)?,
            visit_requests: store.school_visit_requests(&caller, &urn)?,
        })
    })
    .await
    .map_err(ApiError::internal)
    .and_then(|r| r);
    let data = match read {
        Ok(d) => d,
        Err(e) => return page::api_error(e, Some(&session)),
    };
    match render(&session, &data) {
        Ok((title, main)) => page::page(StatusCode::OK, &title, Some(&session), &main),
        Err(e) => page::api_error(ApiError::internal(e), Some(&session)),
    }
}

fn render(session: &WebSession, data: &SchoolPage) -> Result<(String, Html), super::template::RenderError> {
    let urn = &session.school_urn;
    let school_name = data
        .reviews
        .first()
        .map(|r| r.school_name.clone())
        .or_else(|| data.register.first().map(|e| e.school_name.clone()))
        .unwrap_or_else(|| format!("School {urn}"));
    let reviews = if data.reviews.is_empty() {
        Html::element("p", "No review of your school is recorded yet.")
    } else {
        Html::join(data.reviews.iter().map(|r| review_card(urn, r)).collect::<Result<_, _>>()?)
    };
    let register = if data.register.is_empty() {
        Html::element("p", "None yet. When an issued report names an Area of Excellence and you agree to share it, it appears here.")
    } else {
        Html::join(data.register.iter().map(register_card).collect::<Result<_, _>>()?)
    };
    let visit_requests = if data.visit_requests.is_empty() {
        Html::element("p", "No school has asked to visit yet.")
    } else {
        Html::join(data.visit_requests.iter().map(visit_card).collect::<Result<_, _>>()?)
    };
    let main = Tpl::School.render(&[
        ("school_name", V::Text(&school_name)),
        ("school_urn", V::Text(urn)),
        ("reviews", V::Markup(&reviews)),
        ("register", V::Markup(&register)),
        ("visit_requests", V::Markup(&visit_requests)),
    ])?;
    Ok((school_name, main))
}

/// Where the review stands, in the head's words.
fn state_words(state: &str) -> &'static str {
    match state {
        "scheduled" | "preparing" => "The review is planned. Its report appears here once the hub issues it.",
        "issued" | "archived" => "The report has been issued to your school.",
        _ => "The review team is writing the report. It appears here once the hub issues it.",
    }
}

fn review_card(urn: &str, r: &SchoolReview) -> Result<Html, super::template::RenderError> {
    let heading = match r.versions.first() {
        Some(v) => format!("Review, report first issued {}", long_date_of(v.issued_ms)),
        None => "Review under way".to_owned(),
    };
    let versions = if r.versions.is_empty() {
        Html::default()
    } else {
        let items = r
            .versions
            .iter()
            .map(|v| {
                let base = format!("{}/reviews/{}/versions/{}", school_href(urn), r.review_id, v.version);
                let reason = if v.reason.trim().is_empty() {
                    Html::default()
                } else {
                    Html::element_with_class("span", "meta", &format!(" Corrected: {}", v.reason.trim()))
                };
                Tpl::VersionItem.render(&[
                    ("read_href", V::Text(&base)),
                    ("version", V::Text(&v.version.to_string())),
                    ("issued_date", V::Text(&long_date_of(v.issued_ms))),
                    ("issued_by", V::Text(&v.issued_by)),
                    ("reason", V::Markup(&reason)),
                    ("pdf_href", V::Text(&format!("{base}/pdf"))),
                    ("docx_href", V::Text(&format!("{base}/docx"))),
                ])
            })
            .collect::<Result<Vec<_>, _>>()?;
        Html::wrap("ul", items)
    };
    // Before the visit ends the school tells the team about itself (issue 22); the statement
    // page also shows, read-only, what it wrote once the visit is over.
    let actions = match r.state.as_str() {
        "scheduled" | "preparing" | "in_visit" => Tpl::ReviewAction.render(&[
            ("href", V::Text(&super::statement::statement_href(urn, &r.review_id))),
            ("text", V::Text("Tell the review team about your school: context statement and proposed Area of Excellence")),
        ])?,
        // After approval, when the hub asks for it, the school checks the facts (the page says
        // whether it is asked).
        "approved" => Tpl::ReviewAction.render(&[
            ("href", V::Text(&super::accuracy::accuracy_href(urn, &r.review_id))),
            ("text", V::Text("Check the report for factual accuracy")),
        ])?,
        _ => Html::default(),
    };
    Tpl::SchoolReview.render(&[
        ("heading", V::Text(&heading)),
        ("state", V::Text(state_words(&r.state))),
        ("actions", V::Markup(&actions)),
        ("versions", V::Markup(&versions)),
    ])
}

fn register_card(e: &RegisterEntry) -> Result<Html, super::template::RenderError> {
    let fw = qar_core::framework::framework("2019").ok();
    let areas: Vec<&str> = e.areas.iter().map(|code| fw.and_then(|f| f.area(code).ok()).map_or(code.as_str(), |a| a.label)).collect();
    let areas = if areas.is_empty() { "no framework area named".to_owned() } else { areas.join(", ") };
    let year = format!("{}/{:02}", e.academic_year, (e.academic_year + 1) % 100);
    Tpl::RegisterEntry.render(&[
        ("title", V::Text(&e.title)),
        ("summary", V::Text(&e.summary)),
        ("academic_year", V::Text(&year)),
        ("areas", V::Text(&areas)),
    ])
}

fn visit_card(v: &VisitRequest) -> Result<Html, super::template::RenderError> {
    Tpl::VisitRequest.render(&[
        ("requester_name", V::Text(&v.requester_name)),
        ("entry_title", V::Text(&v.entry_title)),
        ("asked_date", V::Text(&long_date_of(v.created_ms))),
        ("message", V::Text(&v.message)),
    ])
}
