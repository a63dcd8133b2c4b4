//! An issued version of the school's report: read in the page, and downloaded as PDF and Word.
//! The page is the frozen snapshot turned into the report model by `qar_report::source` (the
//! code the PDF, the Word file and the laptops' export use) and laid out in the model's own
//! reading order (`body_blocks`): the issued report's text and nothing else of the review.
//! The downloads are `api::render_version`, so they are the API's bytes exactly.

use super::page;
use super::school::own_school;
use super::template::{Html, Tpl, V};
use crate::api::{download_response, render_version, Download};
use crate::error::ApiError;
use crate::store::web_sessions::WebSession;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use qar_report::{Block, ReportDocument};
use uuid::Uuid;

type VersionPath = Path<(String, String, String)>;

/// The session, the review and the version number of the path, or the page to answer with.
async fn parse(
    state: &AppState,
    headers: &HeaderMap,
    (urn, review, version): (String, String, String),
) -> Result<(WebSession, String, Uuid, u32), Response> {
    let (session, urn) = own_school(state, headers, &urn).await?;
    let review = Uuid::parse_str(&review).map_err(|_| page::not_found(Some(&session)))?;
    let version = match version.parse::<u32>() {
        Ok(n) if n >= 1 => n,
        _ => return Err(page::not_found(Some(&session))),
    };
    Ok((session, urn, review, version))
}

/// `GET /schools/{urn}/reviews/{review_id}/versions/{n}`.
pub async fn read(State(state): State<AppState>, headers: HeaderMap, Path(path): VersionPath) -> Response {
    let (session, urn, review, version) = match parse(&state, &headers, path).await {
        Ok(p) => p,
        Err(answer) => return answer,
    };
    let store = state.store.clone();
    let caller = session.caller();
    let doc = tokio::task::spawn_blocking(move || -> Result<ReportDocument, ApiError> {
        let frozen = store.report_version(review, version, &caller)?;
        qar_report::source::from_snapshot(&frozen.snapshot).map_err(ApiError::internal)
    })
    .await
    .map_err(ApiError::internal)
    .and_then(|r| r);
    let doc = match doc {
        Ok(doc) if doc.school_urn == urn => doc,
        // The head's own review is always of their school; anything else is not theirs to see.
        Ok(_) => return page::not_your_school(&session),
        Err(e) => return page::api_error(e, Some(&session)),
    };
    let base = format!("{}/reviews/{review}/versions/{version}", super::school::school_href(&urn));
    match render(&doc, version, &base, &urn) {
        Ok((title, main)) => page::page(StatusCode::OK, &title, Some(&session), &main),
        Err(e) => page::api_error(ApiError::internal(e), Some(&session)),
    }
}

fn render(doc: &ReportDocument, version: u32, base: &str, urn: &str) -> Result<(String, Html), super::template::RenderError> {
    let title = format!("{}, version {version}", doc.template.title);
    let team = if doc.team.is_empty() {
        Html::default()
    } else {
        let mut items = vec![Html::element("p", "The review team:")];
        items.push(Html::wrap("ul", qar_report::wording::team_lines(doc).iter().map(|l| Html::element("li", l)).collect()));
        Html::join(items)
    };
    let estimates = if doc.estimates.is_empty() {
        Html::default()
    } else {
        let rows = doc
            .estimates
            .iter()
            .map(|e| {
                Tpl::EstimateRow.render(&[
                    ("area", V::Text(&e.area_label)),
                    ("estimate", V::Text(&e.value_label)),
                    ("rationale", V::Text(&e.rationale)),
                ])
            })
            .collect::<Result<Vec<_>, _>>()?;
        let rows = Html::join(rows);
        Tpl::Estimates.render(&[("heading", V::Text(qar_report::blocks::ESTIMATES_HEADING)), ("rows", V::Markup(&rows))])?
    };
    let body = Html::join(doc.body_blocks().into_iter().map(|b| block(b, base)).collect());
    let main = Tpl::Version.render(&[
        ("school_href", V::Text(&super::school::school_href(urn))),
        ("school_name", V::Text(&doc.school_name)),
        ("school_urn", V::Text(&doc.school_urn)),
        ("version", V::Text(&version.to_string())),
        ("title", V::Text(&title)),
        ("status_line", V::Text(&qar_report::wording::status_line(doc))),
        ("visit_days", V::Text(&qar_report::wording::visit_days_line(&doc.visit_days))),
        ("lead_reviewer", V::Text(&doc.lead_reviewer)),
        ("team", V::Markup(&team)),
        ("pdf_href", V::Text(&format!("{base}/pdf"))),
        ("docx_href", V::Text(&format!("{base}/docx"))),
        ("estimates", V::Markup(&estimates)),
        ("body", V::Markup(&body)),
    ])?;
    Ok((format!("{title}, {}", doc.school_name), main))
}

/// One block of the report's body. The page's own `h1` is the report's title, so the report's
/// headings sit one level below it.
fn block(b: Block<'_>, base: &str) -> Html {
    match b {
        Block::Heading1(t) => Html::element("h2", t),
        Block::Heading2(t) => Html::element("h3", t),
        Block::Para(t) => Html::element("p", t),
        Block::NotWritten => Html::element_with_class("p", "meta", "Not written."),
        Block::Labelled(label, t) => Html::join(vec![Html::element_with_class("p", "report-label", label), Html::element("p", t)]),
        Block::Photo(p) => {
            // The caption is the figure's text alternative too: it is what the Lead Reviewer
            // wrote to say what the photo shows.
            let caption = p.caption.trim();
            let alt = if caption.is_empty() { "A photo the review team chose for this section" } else { caption };
            let src = format!("{base}/photos/{}", p.sha256);
            Tpl::Figure
                .render(&[("src", V::Text(&src)), ("alt", V::Text(alt)), ("caption", V::Text(caption))])
                .unwrap_or_else(|_| Html::element_with_class("p", "photo-note", alt))
        }
    }
}

/// `GET …/versions/{n}/photos/{sha256}`: a photo the issued version prints, for the page's
/// figure. Only photos the version's frozen snapshot names, read with the head's permission to
/// read that version: the head never reaches the team's other attachments.
pub async fn photo(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((urn, review, version, sha)): Path<(String, String, String, String)>,
) -> Response {
    let (session, urn, review, version) = match parse(&state, &headers, (urn, review, version)).await {
        Ok(p) => p,
        Err(answer) => return answer,
    };
    let store = state.store.clone();
    let caller = session.caller();
    let found = tokio::task::spawn_blocking(move || -> Result<Option<(String, Vec<u8>)>, ApiError> {
        let frozen = store.report_version(review, version, &caller)?;
        let doc = qar_report::source::from_snapshot(&frozen.snapshot).map_err(ApiError::internal)?;
        if doc.school_urn != urn {
            return Err(ApiError::new(qar_core::ErrorCode::NotYourRole, "This report belongs to another school."));
        }
        let Some(figure) = doc.photos.iter().find(|p| p.sha256 == sha) else { return Ok(None) };
        Ok(Some((figure.mime.clone(), store.report_photo_bytes(&review.to_string(), &figure.sha256)?)))
    })
    .await
    .map_err(ApiError::internal)
    .and_then(|r| r);
    match found {
        Ok(Some((mime, bytes))) => ([(header::CONTENT_TYPE, mime)], bytes).into_response(),
        Ok(None) => page::not_found(Some(&session)),
        Err(e) => page::api_error(e, Some(&session)),
    }
}

/// `GET …/versions/{n}/pdf`.
pub async fn pdf(state: State<AppState>, headers: HeaderMap, path: VersionPath) -> Response {
    download(state, headers, path, Download::Pdf).await
}

/// `GET …/versions/{n}/docx`.
pub async fn docx(state: State<AppState>, headers: HeaderMap, path: VersionPath) -> Response {
    download(state, headers, path, Download::Docx).await
}

async fn download(State(state): State<AppState>, headers: HeaderMap, Path(path): VersionPath, format: Download) -> Response {
    let (session, urn, review, version) = match parse(&state, &headers, path).await {
        Ok(p) => p,
        Err(answer) => return answer,
    };
    let store = state.store.clone();
    let caller = session.caller();
    let rendered = tokio::task::spawn_blocking(move || -> Result<(String, Vec<u8>), ApiError> {
        // Only a version of this school's own review: the store's check (the head of the
        // review's school) already holds this; the URN in the path must agree with it too.
        let frozen = store.report_version(review, version, &caller)?;
        let doc = qar_report::source::from_snapshot(&frozen.snapshot).map_err(ApiError::internal)?;
        if doc.school_urn != urn {
            return Err(ApiError::new(qar_core::ErrorCode::NotYourRole, "This report belongs to another school."));
        }
        render_version(&store, review, version, &caller, format)
    })
    .await
    .map_err(ApiError::internal)
    .and_then(|r| r);
    match rendered {
        Ok((name, bytes)) => download_response(&name, bytes, format),
        Err(e) => page::api_error(e, Some(&session)),
    }
}
