//! The register of Areas of Excellence (issue 23, decision 65): search and the laptops' copy for
//! every signed-in member; description, consent and each hub's list for the school's hub
//! coordinator or an administrator; "Ask to visit" and the requests a school has received.

use super::blocking;
use super::extract::{JsonBody, QueryParams, ReviewId};
use crate::auth::AuthDevice;
use crate::error::ApiError;
use crate::store::now_ms;
use crate::store::register::{
    ConsentChange, RegisterChanges, RegisterDescription, RegisterEntry, RegisterQuery, RegisterRecord, VisitRequest, VisitRequestBody,
};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use qar_core::protocol::ErrorBody;
use qar_core::register::{FIRST_YEAR, LAST_YEAR, MAX_PAGE, MAX_QUERY_CHARS};
use qar_core::ErrorCode;
use serde::Deserialize;
use utoipa::OpenApi;

/// The largest cursor (the largest whole number JSON readers keep exactly, 2^53 - 1).
const MAX_CURSOR: u64 = 9_007_199_254_740_991;
/// Longest phase, region or theme a search names (the register's own values are shorter).
const MAX_FILTER_CHARS: usize = 100;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to find in the title, summary, school or local authority (each a word prefix).
    #[serde(default)]
    #[param(max_length = 200)]
    pub q: String,
    /// The school's phase as the school register names it (Primary, Secondary, …).
    #[param(max_length = 100)]
    pub phase: Option<String>,
    /// The school's region as the school register names it (North West, …).
    #[param(max_length = 100)]
    pub region: Option<String>,
    /// A theme code of the register's list.
    #[param(max_length = 100)]
    pub theme: Option<String>,
    /// Only entries about disadvantaged pupils or pupils with additional needs (true), or only others (false).
    pub disadvantaged: Option<bool>,
    /// The academic year by the year it starts in (2024 is 2024/25).
    #[param(minimum = 2010, maximum = 2100)]
    pub year: Option<u16>,
    /// Entries in the answer, 1 to 500 (default 50).
    #[serde(default = "default_limit")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: u32,
}

fn default_limit() -> u32 {
    50
}

fn bad_query(message: String) -> ApiError {
    ApiError::new(ErrorCode::BadQuery, message)
}

impl SearchParams {
    /// Refused rather than cut, so the published bounds are the ones that hold.
    fn check(self) -> Result<RegisterQuery, ApiError> {
        if self.q.chars().count() > MAX_QUERY_CHARS {
            return Err(bad_query(format!("q must be at most {MAX_QUERY_CHARS} characters")));
        }
        for (name, v) in [("phase", &self.phase), ("region", &self.region), ("theme", &self.theme)] {
            if v.as_ref().is_some_and(|v| v.chars().count() > MAX_FILTER_CHARS) {
                return Err(bad_query(format!("{name} must be at most {MAX_FILTER_CHARS} characters")));
            }
        }
        if self.year.is_some_and(|y| !(FIRST_YEAR..=LAST_YEAR).contains(&y)) {
            return Err(bad_query(format!("year must be {FIRST_YEAR} to {LAST_YEAR}")));
        }
        if !(1..=MAX_PAGE).contains(&self.limit) {
            return Err(bad_query(format!("limit must be 1 to {MAX_PAGE}, not {}", self.limit)));
        }
        Ok(RegisterQuery {
            text: self.q,
            phase: self.phase,
            region: self.region,
            theme: self.theme,
            disadvantaged_focus: self.disadvantaged,
            academic_year: self.year,
            limit: self.limit,
        })
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesParams {
    /// The laptop's cursor: the `next` of its last page (0 at first).
    #[serde(default)]
    #[param(minimum = 0, maximum = 9007199254740991_u64)]
    pub after: u64,
    /// Changes in the page, 1 to 500 (default 500).
    #[serde(default = "default_page")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: u32,
}

fn default_page() -> u32 {
    MAX_PAGE
}

/// The published entries matching every filter given, best text match first (newest first
/// without words). Any signed-in member.
#[utoipa::path(get, path = "/v1/register/search", tag = "register", params(SearchParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "Published entries", body = Vec<RegisterEntry>),
        (status = 400, description = "bad_query", body = ErrorBody),
    ))]
pub async fn search(
    State(state): State<AppState>,
    caller: AuthDevice,
    QueryParams(q): QueryParams<SearchParams>,
) -> Result<Json<Vec<RegisterEntry>>, ApiError> {
    let q = q.check()?;
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.search_register(&caller, &q)?)).await?))
}

/// A page of the laptop's copy after its cursor: entries published or changed, and the ids of
/// entries no longer published, which the laptop deletes. Any signed-in member.
#[utoipa::path(get, path = "/v1/register/changes", tag = "register", params(ChangesParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of changes", body = RegisterChanges),
        (status = 400, description = "bad_query", body = ErrorBody),
    ))]
pub async fn changes(
    State(state): State<AppState>,
    caller: AuthDevice,
    QueryParams(p): QueryParams<ChangesParams>,
) -> Result<Json<RegisterChanges>, ApiError> {
    if !(1..=MAX_PAGE).contains(&p.limit) {
        return Err(bad_query(format!("limit must be 1 to {MAX_PAGE}, not {}", p.limit)));
    }
    if p.after > MAX_CURSOR {
        return Err(bad_query(format!("after must be at most {MAX_CURSOR}")));
    }
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.register_changes(&caller, p.after, p.limit)?)).await?))
}

/// Every entry of a hub's schools, published or not, with its consent: the hub's coordinator
/// or an administrator.
#[utoipa::path(get, path = "/v1/register/hubs/{hub_id}", tag = "register", security(("bearer" = [])),
    params(("hub_id" = String, Path, description = "The hub's id")),
    responses(
        (status = 200, description = "The hub's entries, newest first", body = Vec<RegisterRecord>),
        (status = 403, description = "not_your_hub", body = ErrorBody),
    ))]
pub async fn hub_entries(
    State(state): State<AppState>,
    caller: AuthDevice,
    Path(hub_id): Path<String>,
) -> Result<Json<Vec<RegisterRecord>>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.hub_register(&caller, &hub_id)?)).await?))
}

/// One entry with its consent: the school's hub coordinator or an administrator.
#[utoipa::path(get, path = "/v1/register/entries/{review_id}", tag = "register", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The issued review's id")),
    responses(
        (status = 200, description = "The entry", body = RegisterRecord),
        (status = 400, description = "invalid_review_id", body = ErrorBody),
        (status = 403, description = "not_your_hub", body = ErrorBody),
        (status = 404, description = "not_found: no entry for this review", body = ErrorBody),
    ))]
pub async fn get_entry(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
) -> Result<Json<RegisterRecord>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.register_record(&caller, id)?)).await?))
}

/// Describes an entry: title, summary, areas, themes and whether it concerns disadvantaged
/// pupils or pupils with additional needs. Audited.
#[utoipa::path(put, path = "/v1/register/entries/{review_id}", tag = "register", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The issued review's id")),
    request_body = RegisterDescription,
    responses(
        (status = 200, description = "The entry as stored", body = RegisterRecord),
        (status = 400, description = "invalid_review_id, malformed_json", body = ErrorBody),
        (status = 403, description = "not_your_hub", body = ErrorBody),
        (status = 404, description = "not_found: no entry for this review", body = ErrorBody),
        (status = 422, description = "invalid: a value out of its limits, an unknown theme or area; invalid_body", body = ErrorBody),
    ))]
pub async fn describe(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    JsonBody(req): JsonBody<RegisterDescription>,
) -> Result<Json<RegisterRecord>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.describe_register_entry(&caller, id, &req, now_ms())?)).await?))
}

/// Records (`given: true`) or revokes the host head teacher's consent: the school's hub
/// coordinator or an administrator on the head's word, or the school's own headteacher (their
/// account's name is recorded, decision 105). Audited. Only a consented entry is published;
/// revoking removes it from searches at once and from laptops at their next sync.
#[utoipa::path(put, path = "/v1/register/entries/{review_id}/consent", tag = "register", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The issued review's id")),
    request_body = ConsentChange,
    responses(
        (status = 200, description = "The entry as stored", body = RegisterRecord),
        (status = 400, description = "invalid_review_id, malformed_json", body = ErrorBody),
        (status = 403, description = "not_your_hub", body = ErrorBody),
        (status = 404, description = "not_found: no entry for this review", body = ErrorBody),
        (status = 422, description = "invalid: the head teacher's name is empty, too long or holds hidden characters; invalid_body", body = ErrorBody),
    ))]
pub async fn consent(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    JsonBody(req): JsonBody<ConsentChange>,
) -> Result<Json<RegisterRecord>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.set_register_consent(&caller, id, &req, now_ms())?)).await?))
}

/// "Ask to visit": recorded for the school and sent to its contacts through the mail outbox
/// (links only, never the message). A published entry only; any signed-in member.
#[utoipa::path(post, path = "/v1/register/entries/{review_id}/visit-requests", tag = "register", security(("bearer" = [])),
    params(("review_id" = uuid::Uuid, Path, description = "The issued review's id")),
    request_body = VisitRequestBody,
    responses(
        (status = 201, description = "The request as recorded", body = VisitRequest),
        (status = 400, description = "invalid_review_id, malformed_json", body = ErrorBody),
        (status = 404, description = "not_found: no published entry for this review", body = ErrorBody),
        (status = 422, description = "invalid: an empty or over-long message; invalid_body", body = ErrorBody),
    ))]
pub async fn ask_to_visit(
    State(state): State<AppState>,
    caller: AuthDevice,
    ReviewId(id): ReviewId,
    JsonBody(req): JsonBody<VisitRequestBody>,
) -> Result<(StatusCode, Json<VisitRequest>), ApiError> {
    let store = state.store.clone();
    let made = blocking(move || Ok(store.ask_to_visit(&caller, id, &req, now_ms())?)).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// The requests to visit a school, newest first: its hub's coordinator, an administrator, the
/// school's own people and its headteacher.
#[utoipa::path(get, path = "/v1/schools/{urn}/visit-requests", tag = "register", security(("bearer" = [])),
    params(("urn" = String, Path, description = "The school's URN")),
    responses(
        (status = 200, description = "Requests, newest first", body = Vec<VisitRequest>),
        (status = 403, description = "not_your_hub", body = ErrorBody),
        (status = 404, description = "unknown_school", body = ErrorBody),
    ))]
pub async fn school_visit_requests(
    State(state): State<AppState>,
    caller: AuthDevice,
    Path(urn): Path<String>,
) -> Result<Json<Vec<VisitRequest>>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.school_visit_requests(&caller, &urn)?)).await?))
}

/// The school's own published entries, newest first (its page). Any signed-in member.
#[utoipa::path(get, path = "/v1/schools/{urn}/register", tag = "register", security(("bearer" = [])),
    params(("urn" = String, Path, description = "The school's URN")),
    responses((status = 200, description = "Published entries, newest first", body = Vec<RegisterEntry>)))]
pub async fn school_entries(
    State(state): State<AppState>,
    caller: AuthDevice,
    Path(urn): Path<String>,
) -> Result<Json<Vec<RegisterEntry>>, ApiError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.school_register(&caller, &urn)?)).await?))
}

#[derive(OpenApi)]
#[openapi(
    paths(search, changes, hub_entries, get_entry, describe, consent, ask_to_visit, school_visit_requests, school_entries),
    components(schemas(
        RegisterEntry,
        RegisterRecord,
        RegisterChanges,
        RegisterDescription,
        ConsentChange,
        VisitRequestBody,
        VisitRequest
    ))
)]
struct RegisterApiDoc;

/// `doc` with the register's routes added.
pub fn with_register(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    doc.merge(RegisterApiDoc::openapi());
    doc
}
