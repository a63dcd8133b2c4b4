//! The OpenAPI entries of hub administration and scheduling (issue 9), merged into the one
//! document `GET /v1/openapi.json` serves.

use super::{admin, scheduling, school_import, visit_admin};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    paths(
        admin::create_hub, admin::list_hubs, admin::hub_settings, admin::assign_schools, admin::hub_schools,
        admin::search_schools, admin::list_users, admin::set_roles, admin::deactivate, admin::invite, admin::redeem,
        admin::confirm, school_import::import_schools, scheduling::schedule, scheduling::set_team, scheduling::adopt, scheduling::overview,
        scheduling::previous_review, scheduling::set_previous_review,
        visit_admin::change_visit, visit_admin::set_home_school,
    ),
    tags((name = "admin", description = "Hubs, schools in hubs, invitations, roles, deactivation"), (name = "scheduling", description = "Scheduling reviews and the hub overview"))
)]
struct HubApiDoc;

/// `doc` with the hub administration routes added.
pub fn with_hub_admin(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    doc.merge(HubApiDoc::openapi());
    doc
}
