//! `GET /v1/openapi.json`: the API described from the handlers and wire types themselves, so
//! the document cannot drift from the code.

use super::{auth, blobs, health, probes, report_versions, reviews, sync};
use axum::Json;
use qar_core::protocol::ErrorBody;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "QAR Field sync API", version = "1", description = "Sync, sign-in and devices for QAR Field laptops. Every error is JSON {code, message, details}."),
    paths(health::health, probes::livez, probes::readyz, sync::push, sync::pull, auth::login, auth::logout, auth::list_devices, auth::revoke_device, auth::release_device, reviews::approve, reviews::return_report, report_versions::issue, report_versions::list_versions, report_versions::get_version, report_versions::version_pdf, report_versions::version_docx, blobs::upload_status, blobs::upload_piece, blobs::download, blobs::report_photo, openapi_json),
    components(schemas(ErrorBody, reviews::ReturnCommentBody)),
    modifiers(&BearerToken),
    tags((name = "sync", description = "Push and pull of edits"), (name = "auth", description = "Sign-in and the device registry"), (name = "workflow", description = "The coordinator's approve and return, online only"), (name = "attachments", description = "Attachment bytes, uploaded resumably apart from the notes"), (name = "meta"))
)]
pub struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

/// This document.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "meta", responses((status = 200, description = "OpenAPI 3.1 document")))]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

/// The whole document: this file's routes, hub administration's, then the shared error answers
/// (which need every operation in place).
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = document_without_limits();
    super::shared_responses::add_to(&mut doc);
    // Every entry is checked by a unit test (schema_limits); a miss here would only lose a limit.
    let missing = super::schema_limits::add_to(&mut doc);
    debug_assert!(missing.is_empty(), "schema limits for unknown properties: {missing:?}");
    doc
}

/// The routes' own descriptions, before the shared answers and the limits are added.
pub(super) fn document_without_limits() -> utoipa::openapi::OpenApi {
    let doc = super::mail_admin::with_mail_admin(super::hub_openapi::with_hub_admin(ApiDoc::openapi()));
    let doc = super::accuracy_check::with_accuracy_check(super::school_statement::with_school_statement(
        super::host_school::with_host_school(super::retention_admin::with_retention_admin(doc)),
    ));
    super::register::with_register(super::insights::with_insights(super::subject_access::with_subject_access(doc)))
}
