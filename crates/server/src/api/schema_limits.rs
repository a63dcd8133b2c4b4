//! The limits the server enforces on request bodies, written into the published schemas
//! (`maxLength`, `maximum`, `maxItems`, …) from the same constants the checks use, so a client
//! or a fuzzer reading `/v1/openapi.json` knows them and the two cannot drift apart.
//!
//! Kept as one table keyed by schema and property rather than as `#[schema(...)]` attributes on
//! the types: several request types live outside `api/` (and may move to `qar_core::protocol`),
//! and the constants are the server's. A unit test fails when an entry names a schema or property
//! that no longer exists.

use crate::auth::{MAX_DEVICE_NAME, MAX_PASSWORD_LEN, MAX_REVOKE_REASON};
use crate::store::hub_admin::MAX_ASSIGN;
use crate::store::report_versions::MAX_REASON_CHARS;
use crate::store::MAX_RETURN_COMMENTS;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{OpenApi, RefOr};

/// Longest name of a hub or a person (`store::hub_admin`, `store::invitations`).
const MAX_NAME: usize = 200;
/// Longest e-mail address (RFC 5321), `store::invitations`.
const MAX_EMAIL: usize = 254;
/// A hub's report deadline, in days after the visit (`store::hub_admin::check_deadline`).
const DEADLINE_DAYS: (usize, usize) = (1, 365);

/// A name as `store::hub_admin::check_name` and `store::invitations` take it: once trimmed, not
/// empty and free of hidden characters (`qar_core::entities::hidden_name_char`: control
/// characters and bidirectional marks); whitespace at either end is trimmed, so allowed.
const NAME_PATTERN: &str = concat!(
    r"^\s*[^\s\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]",
    r"(?:[^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*",
    r"[^\s\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069])?\s*$"
);
/// An e-mail address as `store::invitations` takes it: once trimmed, an `@` and no whitespace.
const EMAIL_PATTERN: &str = r"^\s*\S*@\S*\s*$";
/// A UUID in its usual hyphenated form (the server also reads the other forms `uuid` knows).
const UUID_PATTERN: &str = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

#[derive(Debug, Clone, Copy)]
enum Limit {
    Pattern(&'static str),
    MinLength(usize),
    MaxLength(usize),
    Minimum(usize),
    Maximum(usize),
    MinItems(usize),
    MaxItems(usize),
}

use qar_core::register as G;
use qar_core::retention as R;
use qar_core::school_statement as S;

/// Text with something in it besides white space (checked once trimmed).
const NOT_BLANK: &str = r"\S";
/// A framework has a handful of areas; each at most once (`qar_core::register::check_areas`).
const MAX_AREAS: usize = 10;
use Limit::*;

/// `(schema, property, limits)`.
const LIMITS: &[(&str, &str, &[Limit])] = &[
    // Over-long passwords are refused without hashing (401 at sign-in, 422 when set).
    ("LoginRequest", "password", &[MaxLength(MAX_PASSWORD_LEN)]),
    ("LoginRequest", "device_name", &[MaxLength(MAX_DEVICE_NAME)]),
    ("RedeemRequest", "password", &[MaxLength(MAX_PASSWORD_LEN)]),
    ("RevokeRequest", "reason", &[MinLength(1), MaxLength(MAX_REVOKE_REASON)]),
    ("Deactivate", "reason", &[MaxLength(MAX_REVOKE_REASON)]),
    ("ReturnRequest", "comments", &[MinItems(1), MaxItems(MAX_RETURN_COMMENTS)]),
    ("IssueRequest", "reason", &[MaxLength(MAX_REASON_CHARS)]),
    ("NewHub", "name", &[MinLength(1), MaxLength(MAX_NAME), Pattern(NAME_PATTERN)]),
    ("NewHub", "report_deadline_days", &[Minimum(DEADLINE_DAYS.0), Maximum(DEADLINE_DAYS.1)]),
    ("HubSettings", "report_deadline_days", &[Minimum(DEADLINE_DAYS.0), Maximum(DEADLINE_DAYS.1)]),
    ("RetentionPolicy", "evidence_months", &[Minimum(R::EVIDENCE_MONTHS.0 as usize), Maximum(R::EVIDENCE_MONTHS.1 as usize)]),
    ("RetentionPolicy", "report_years", &[Minimum(R::REPORT_YEARS.0 as usize), Maximum(R::REPORT_YEARS.1 as usize)]),
    ("RetentionPolicy", "cancelled_days", &[Minimum(R::CANCELLED_DAYS.0 as usize), Maximum(R::CANCELLED_DAYS.1 as usize)]),
    ("RetentionPolicy", "grace_days", &[Minimum(R::GRACE_DAYS.0 as usize), Maximum(R::GRACE_DAYS.1 as usize)]),
    ("AssignSchools", "urns", &[MinItems(1), MaxItems(MAX_ASSIGN)]),
    ("NewInvitation", "email", &[MaxLength(MAX_EMAIL), Pattern(EMAIL_PATTERN)]),
    ("NewInvitation", "name", &[MinLength(1), MaxLength(MAX_NAME), Pattern(NAME_PATTERN)]),
    ("NewHeadteacher", "email", &[MaxLength(MAX_EMAIL), Pattern(EMAIL_PATTERN)]),
    ("NewHeadteacher", "name", &[MinLength(1), MaxLength(MAX_NAME), Pattern(NAME_PATTERN)]),
    // Serde reads `null` or a UUID; nullable strings are generated without their `format`.
    ("ScheduleRequest", "review_id", &[Pattern(UUID_PATTERN)]),
    ("SetPreviousReview", "previous_review_id", &[Pattern(UUID_PATTERN)]),
    ("PushRequest", "ops", &[MaxItems(super::sync::MAX_OPS_PER_PUSH)]),
    // A device numbers its ops from 1 (`Op::seq`).
    ("Op", "seq", &[Minimum(1)]),
    // The register (issue 23): text that is not blank once trimmed, within qar_core::register's limits.
    ("RegisterDescription", "title", &[MaxLength(G::MAX_TITLE_CHARS), Pattern(NOT_BLANK)]),
    ("RegisterDescription", "summary", &[MaxLength(G::MAX_SUMMARY_CHARS), Pattern(NOT_BLANK)]),
    ("RegisterDescription", "themes", &[MaxItems(G::MAX_THEMES)]),
    ("RegisterDescription", "areas", &[MaxItems(MAX_AREAS)]),
    ("ConsentChange", "head_name", &[MinLength(1), MaxLength(G::MAX_HEAD_NAME_CHARS), Pattern(NAME_PATTERN)]),
    ("VisitRequestBody", "message", &[MaxLength(G::MAX_VISIT_MESSAGE_CHARS), Pattern(NOT_BLANK)]),
    // The host school's statement (issue 22): qar_core::school_statement's limits.
    ("SchoolStatementChange", "context_statement", &[MaxLength(S::MAX_CONTEXT_CHARS)]),
    ("SchoolStatementChange", "aoe_title", &[MaxLength(S::MAX_AOE_TITLE_CHARS)]),
    ("SchoolStatementChange", "aoe_summary", &[MaxLength(S::MAX_AOE_SUMMARY_CHARS)]),
    // The factual-accuracy check (issue 22): qar_core::accuracy_check's limits.
    ("AccuracyWindowSetting", "days", &[Minimum(0), Maximum(qar_core::accuracy_check::MAX_WINDOW_DAYS as usize)]),
    ("AccuracyCommentRequest", "text", &[MaxLength(qar_core::accuracy_check::MAX_COMMENT_CHARS), Pattern(NOT_BLANK)]),
];

/// Writes the table into `doc`'s component schemas. Returns the entries it could not place.
pub fn add_to(doc: &mut OpenApi) -> Vec<String> {
    let mut missing = Vec::new();
    let schemas = doc.components.as_mut().map(|c| &mut c.schemas);
    let Some(schemas) = schemas else {
        return LIMITS.iter().map(|(s, p, _)| format!("{s}.{p}")).collect();
    };
    for (schema, property, limits) in LIMITS {
        let target = match schemas.get_mut(*schema) {
            Some(RefOr::T(Schema::Object(object))) => object.properties.get_mut(*property),
            // A struct with a flattened part (`ScheduleRequest`) is an `allOf` of objects.
            Some(RefOr::T(Schema::AllOf(all))) => all.items.iter_mut().find_map(|item| match item {
                RefOr::T(Schema::Object(object)) => object.properties.get_mut(*property),
                _ => None,
            }),
            _ => None,
        };
        match target {
            Some(RefOr::T(field)) => limits.iter().for_each(|limit| apply(field, *limit)),
            _ => missing.push(format!("{schema}.{property}")),
        }
    }
    missing
}

fn apply(schema: &mut Schema, limit: Limit) {
    match (schema, limit) {
        (Schema::Object(o), Pattern(p)) => o.pattern = Some(p.to_owned()),
        (Schema::Object(o), MinLength(n)) => o.min_length = Some(n),
        (Schema::Object(o), MaxLength(n)) => o.max_length = Some(n),
        (Schema::Object(o), Minimum(n)) => o.minimum = Some(n.into()),
        (Schema::Object(o), Maximum(n)) => o.maximum = Some(n.into()),
        (Schema::Array(a), MinItems(n)) => a.min_items = Some(n),
        (Schema::Array(a), MaxItems(n)) => a.max_items = Some(n),
        (_, limit) => panic!("schema_limits: {limit:?} does not fit the property's schema (a string, number or array?)"),
    }
}

#[cfg(test)]
mod tests {
    /// The query maxima are `#[param(...)]` literals (utoipa needs literals there): they must be
    /// the constants the handlers check.
    #[test]
    fn query_maxima_are_the_checked_constants() {
        let doc = serde_json::to_value(super::super::openapi::document()).unwrap();
        let param = |path: &str, name: &str| {
            doc["paths"][path]["get"]["parameters"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()["schema"].clone()
        };
        assert_eq!(param("/v1/sync/pull", "limit")["maximum"], crate::store::pull::MAX_PULL_LIMIT);
        assert_eq!(param("/v1/sync/pull", "wait_ms")["maximum"], super::super::MAX_WAIT_MS);
        assert_eq!(param("/v1/schools", "limit")["maximum"], super::super::admin::MAX_SCHOOL_RESULTS);
        assert_eq!(param("/v1/hubs/{hub_id}/schools", "limit")["maximum"], super::super::admin::MAX_SCHOOL_RESULTS);
    }

    #[test]
    fn every_limit_names_a_real_schema_property() {
        let mut doc = super::super::openapi::document_without_limits();
        assert_eq!(super::add_to(&mut doc), Vec::<String>::new());
    }
}
