//! Hub insights (issue 23, point 2): the charts of one hub for its coordinator or an
//! administrator, or of every hub for an administrator. Numbers come from issued reports and
//! review records only; counts resting on fewer than five schools are hidden (decision 68).

use super::blocking;
use super::extract::QueryParams;
use crate::auth::AuthDevice;
use crate::error::ApiError;
use crate::store::insights::HubInsights;
use crate::store::now_ms;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use qar_core::protocol::insights::{Chart, ChartColumn, ChartRow};
use qar_core::protocol::ErrorBody;
use qar_core::ErrorCode;
use serde::Deserialize;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::OpenApi;

/// Longest hub id a query may carry (ids are short codes; longer cannot name a hub).
pub const MAX_HUB_ID: usize = 100;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InsightsParams {
    /// The hub; absent: every hub (administrators only).
    #[param(min_length = 1, max_length = 100)]
    hub_id: Option<String>,
    /// The academic year of the by-state and overdue charts, e.g. `2024/25`; absent: the current one.
    /// (The exact pattern, `qar_core::insights::academic_year_pattern`, is set by [`with_insights`].)
    academic_year: Option<String>,
}

impl InsightsParams {
    /// Checked before anything is read, so a malformed query is 400 whoever asks.
    fn check(&self) -> Result<(), ApiError> {
        if let Some(h) = &self.hub_id {
            if h.is_empty() || h.chars().count() > MAX_HUB_ID {
                return Err(ApiError::new(ErrorCode::BadQuery, format!("hub_id must be 1 to {MAX_HUB_ID} characters")));
            }
        }
        if let Some(y) = &self.academic_year {
            if qar_core::insights::academic_year_start(y).is_none() {
                return Err(ApiError::new(
                    ErrorCode::BadQuery,
                    "academic_year must be written like 2024/25 (the second year following the first)",
                ));
            }
        }
        Ok(())
    }
}

/// The five charts, each with its rows, hidden counts as `null`, and its CSV.
#[utoipa::path(get, path = "/v1/insights", tag = "insights", params(InsightsParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "The charts", body = HubInsights),
        (status = 400, description = "bad_query: hub_id empty or too long, academic_year not like 2024/25", body = ErrorBody),
        (status = 403, description = "not_your_role (neither a coordinator nor an administrator), not_your_hub (another hub's coordinator), admin_only (every hub at once)", body = ErrorBody),
        (status = 404, description = "unknown_hub", body = ErrorBody),
    ))]
pub async fn insights(
    State(state): State<AppState>,
    caller: AuthDevice,
    QueryParams(p): QueryParams<InsightsParams>,
) -> Result<Json<HubInsights>, ApiError> {
    p.check()?;
    let store = state.store.clone();
    Ok(Json(blocking(move || Ok(store.hub_insights(&caller, p.hub_id.as_deref(), p.academic_year.as_deref(), now_ms())?)).await?))
}

#[derive(OpenApi)]
#[openapi(
    paths(insights),
    components(schemas(HubInsights, Chart, ChartColumn, ChartRow)),
    tags((name = "insights", description = "Hub insights as charts, from issued reports only"))
)]
struct InsightsApiDoc;

/// `doc` with the insights route added.
pub fn with_insights(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut own = InsightsApiDoc::openapi();
    // The year's pattern is made from the rule the server checks, so the two cannot drift apart.
    let params = own.paths.paths.get_mut("/v1/insights").and_then(|p| p.get.as_mut()).and_then(|op| op.parameters.as_mut());
    for param in params.into_iter().flatten().filter(|p| p.name == "academic_year") {
        if let Some(RefOr::T(Schema::Object(o))) = param.schema.as_mut() {
            o.pattern = Some(qar_core::insights::academic_year_pattern());
        }
    }
    doc.merge(own);
    doc
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_published_year_has_the_exact_pattern() {
        let doc = super::with_insights(utoipa::openapi::OpenApiBuilder::new().build());
        let json = serde_json::to_value(&doc).unwrap();
        let params = &json["paths"]["/v1/insights"]["get"]["parameters"];
        let year = params.as_array().unwrap().iter().find(|p| p["name"] == "academic_year").unwrap();
        assert_eq!(year["schema"]["pattern"], qar_core::insights::academic_year_pattern());
        let hub = params.as_array().unwrap().iter().find(|p| p["name"] == "hub_id").unwrap();
        assert_eq!((hub["schema"]["minLength"].as_u64(), hub["schema"]["maxLength"].as_u64()), (Some(1), Some(100)));
    }
}
