//! The HTTP API under /v1. Handlers only parse, call the store on a blocking thread, and reply.

mod accuracy_check;
mod admin;
mod auth;
mod blobs;
mod blobs_body;
mod compression;
mod extract;
mod health;
mod host_school;
mod hub_openapi;
mod insights;
mod json_object;
mod mail_admin;
mod openapi;
mod outbox_report;
mod probes;
mod register;
mod report_versions;
mod retention_admin;
mod reviews;
mod scheduling;
mod schema_limits;
mod school_import;
mod school_statement;
mod shared_responses;
mod subject_access;
mod sync;
mod visit_admin;

use crate::error::ApiError;
use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::{get, post, put};
use axum::Router;
use qar_core::ErrorCode;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use compression::{ACCEPTED_REQUEST_ENCODINGS, COMPRESS_ABOVE_BYTES};
pub use probes::metrics_app;
pub(crate) use report_versions::{download_response, render_version, Download};
pub(crate) use sync::MAX_WAIT_MS;

/// Largest accepted request body. A push of 1,000 two-kilobyte notes is about 2.5 MB.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/v1/health", get(health::health))
        .route("/livez", get(probes::livez))
        .route("/readyz", get(probes::readyz))
        .route("/v1/openapi.json", get(openapi::openapi_json))
        .route("/v1/sync/push", post(sync::push))
        .route("/v1/sync/pull", get(sync::pull))
        .route("/v1/auth/login", post(auth::login))
        .route("/v1/auth/logout", post(auth::logout))
        .route("/v1/devices", get(auth::list_devices))
        .route("/v1/devices/{device_id}/revoke", post(auth::revoke_device))
        .route("/v1/devices/{device_id}/release", post(auth::release_device))
        .route("/v1/reviews/{review_id}/approve", post(reviews::approve))
        .route("/v1/reviews/{review_id}/return", post(reviews::return_report))
        // Issuing to the school and the versions kept (issue 10).
        .route("/v1/reviews/{review_id}/issue", post(report_versions::issue))
        .route("/v1/reviews/{review_id}/versions", get(report_versions::list_versions))
        .route("/v1/reviews/{review_id}/versions/{version}", get(report_versions::get_version))
        .route("/v1/reviews/{review_id}/versions/{version}/pdf", get(report_versions::version_pdf))
        .route("/v1/reviews/{review_id}/versions/{version}/docx", get(report_versions::version_docx))
        // Hub administration and scheduling (issue 9).
        .route("/v1/hubs", get(admin::list_hubs).post(admin::create_hub))
        .route("/v1/hubs/{hub_id}/settings", put(admin::hub_settings))
        .route("/v1/hubs/{hub_id}/schools", get(admin::hub_schools).post(admin::assign_schools))
        .route("/v1/hubs/{hub_id}/reviews", post(scheduling::schedule))
        .route("/v1/hubs/{hub_id}/overview", get(scheduling::overview))
        .route("/v1/schools", get(admin::search_schools))
        .route("/v1/schools/import", post(school_import::import_schools).layer(DefaultBodyLimit::max(school_import::MAX_IMPORT_BYTES)))
        .route("/v1/users", get(admin::list_users))
        .route("/v1/users/{user_id}/roles", put(admin::set_roles))
        .route("/v1/users/{user_id}/deactivate", post(admin::deactivate))
        .route("/v1/invitations", post(admin::invite))
        .route("/v1/invitations/redeem", post(admin::redeem))
        .route("/v1/invitations/confirm", post(admin::confirm))
        .route("/v1/reviews/{review_id}/team", put(scheduling::set_team))
        .route("/v1/reviews/{review_id}/adopt", post(scheduling::adopt))
        .route("/v1/reviews/{review_id}/visit", put(visit_admin::change_visit))
        // Each review builds on the last (issue 23).
        .route("/v1/reviews/{review_id}/previous-review", get(scheduling::previous_review).put(scheduling::set_previous_review))
        .route("/v1/users/{user_id}/home-school", put(visit_admin::set_home_school))
        // Undelivered mail (issue 22).
        .route("/v1/reviews/{review_id}/blobs/{sha256}", get(blobs::download))
        .route("/v1/reviews/{review_id}/report/photos/{sha256}", get(blobs::report_photo))
        .route("/v1/reviews/{review_id}/blobs/{sha256}/upload", get(blobs::upload_status).patch(blobs::upload_piece))
        .route("/v1/mail/dead", get(mail_admin::list_dead))
        .route("/v1/mail/{message_id}/resend", post(mail_admin::resend))
        // The host school's headteacher (issue 22).
        .route("/v1/hubs/{hub_id}/schools/{urn}/headteacher", post(host_school::invite_headteacher))
        .route("/v1/schools/{urn}/reviews", get(host_school::school_reviews))
        .route(
            "/v1/reviews/{review_id}/school-statement",
            get(school_statement::school_statement).put(school_statement::write_school_statement),
        )
        .route("/v1/hubs/{hub_id}/accuracy-window", put(accuracy_check::set_accuracy_window))
        .route("/v1/reviews/{review_id}/accuracy-check", get(accuracy_check::accuracy_check))
        .route("/v1/reviews/{review_id}/accuracy-check/comments", post(accuracy_check::comment_on_accuracy))
        .route("/v1/reviews/{review_id}/accuracy-check/finish", post(accuracy_check::finish_accuracy_check))
        // Retention (issue 24).
        .route("/v1/users/{user_id}/subject-access", post(subject_access::export))
        .route("/v1/users/{user_id}/erase", post(subject_access::erase))
        .route("/v1/retention", get(retention_admin::list_policies).put(retention_admin::set_policy))
        // Hub insights (issue 23).
        .route("/v1/insights", get(insights::insights))
        .route("/v1/register/search", get(register::search))
        .route("/v1/register/changes", get(register::changes))
        .route("/v1/register/hubs/{hub_id}", get(register::hub_entries))
        .route("/v1/register/entries/{review_id}", get(register::get_entry).put(register::describe))
        .route("/v1/register/entries/{review_id}/consent", put(register::consent))
        .route("/v1/register/entries/{review_id}/visit-requests", post(register::ask_to_visit))
        .route("/v1/schools/{urn}/visit-requests", get(register::school_visit_requests))
        .route("/v1/schools/{urn}/register", get(register::school_entries))
        // The school's pages for a browser (issue 22, decision 75): their own headers and sessions.
        .merge(crate::web::router())
        // A browser that mistypes a page's address gets a page; API clients get JSON as before.
        .fallback(crate::web::fallback)
        .method_not_allowed_fallback(|| async { ApiError::new(ErrorCode::MethodNotAllowed, "this endpoint does not accept that method") })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(json_object::refuse_json_arrays))
        // Inside everything that reads a body: the limits above hold for the decoded size.
        .layer(compression::decode_requests())
        .layer(axum::middleware::from_fn(compression::refuse_unknown_encodings))
        .layer(compression::compress_answers())
        // Answers carry tokens, TOTP secrets and review data: never kept by a cache or proxy, never
        // read as anything but what they say they are, never framed (issue 15).
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        // The school's pages set their own, which allows their stylesheet and forms.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(TraceLayer::new_for_http())
        // Every error reply is logged here, once (issue 16).
        .layer(axum::middleware::from_fn(crate::error::log_errors))
        .layer(axum::middleware::from_fn_with_state(state.clone(), probes::count_requests))
        .with_state(state)
}

/// Runs blocking store work off the async threads. A panic there becomes a 500 reply, not a
/// dropped connection.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(ApiError::internal)?
}

#[cfg(test)]
mod contract_tests;
#[cfg(test)]
mod tests;
