//! The error answers that come from shared machinery rather than from a handler's own logic, put
//! on every operation they apply to, once, after the whole document is assembled:
//!
//! - the connection guard (`net::guard`) on every route: 408 `request_timeout`, 421 `unknown_host`;
//! - the bearer-token extractor (`AuthDevice`) on every route marked `security(("bearer" = []))`:
//!   401, and 403 `account_disabled`;
//! - the JSON body extractor on every route with a JSON request body: 400 (not JSON), 413 (over
//!   the body limit), 415 (not `Content-Type: application/json`), 422 (JSON of the wrong shape);
//! - the query-string extractor on every route with query parameters: 400 `bad_query`;
//! - the review-id path extractor on every route with a `{review_id}`: 400 when it is not a UUID.
//!
//! Each is one reusable `components.responses` entry referenced by `$ref`. Deriving them from the
//! operation's own shape (security, body, parameters) means a new route cannot forget them. Where a
//! handler already documents the same status for its own reasons, its description gains the
//! shared cause instead of being replaced.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

/// `(component name, status, description)`.
type Shared = (&'static str, &'static str, &'static str);

const REQUEST_TIMEOUT: Shared = ("RequestTimeout", "408", "request_timeout: the request took longer than the server allows");
const UNKNOWN_HOST: Shared = ("UnknownHost", "421", "unknown_host: the Host header names a host this server does not serve");
const UNAUTHENTICATED: Shared =
    ("Unauthenticated", "401", "unauthenticated (no bearer token), invalid_token, device_revoked (details.reason) or token_expired");
const ACCOUNT_DISABLED: Shared = ("AccountDisabled", "403", "account_disabled: the signed-in person's account is switched off");
const MALFORMED_JSON: Shared = ("MalformedJson", "400", "malformed_json: the body is not JSON");
const BODY_TOO_LARGE: Shared = ("BodyTooLarge", "413", "body_too_large: the body is over the server's limit");
const EXPECTED_JSON: Shared = ("ExpectedJson", "415", "expected_json: send Content-Type: application/json");
const INVALID_BODY: Shared = ("InvalidBody", "422", "invalid_body: JSON of the wrong shape (a missing field, a wrong type)");
const BAD_QUERY: Shared = ("BadQuery", "400", "bad_query: a query parameter is missing, of the wrong type or out of range");
const INVALID_REVIEW_ID: Shared = ("InvalidReviewId", "400", "the review id in the path is not a UUID");

const ALL: [Shared; 10] = [
    REQUEST_TIMEOUT,
    UNKNOWN_HOST,
    UNAUTHENTICATED,
    ACCOUNT_DISABLED,
    MALFORMED_JSON,
    BODY_TOO_LARGE,
    EXPECTED_JSON,
    INVALID_BODY,
    BAD_QUERY,
    INVALID_REVIEW_ID,
];

/// Adds the shared responses to `doc` (see the module comment).
pub fn add_to(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    for (name, _, description) in ALL {
        components.responses.insert(name.to_owned(), RefOr::T(error_response(description)));
    }
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for op in operations.into_iter().flatten() {
            add_to_operation(op);
        }
    }
}

fn add_to_operation(op: &mut Operation) {
    let mut shared = vec![REQUEST_TIMEOUT, UNKNOWN_HOST];
    let signed_in = op.security.as_ref().is_some_and(|reqs| !reqs.is_empty());
    if signed_in {
        shared.extend([UNAUTHENTICATED, ACCOUNT_DISABLED]);
    }
    let json_body = op.request_body.as_ref().is_some_and(|body| body.content.contains_key("application/json"));
    if json_body {
        shared.extend([MALFORMED_JSON, BODY_TOO_LARGE, EXPECTED_JSON, INVALID_BODY]);
    }
    let query = op.parameters.as_ref().is_some_and(|ps| ps.iter().any(|p| p.parameter_in == ParameterIn::Query));
    if query {
        shared.push(BAD_QUERY);
    }
    let review_path =
        op.parameters.as_ref().is_some_and(|ps| ps.iter().any(|p| p.parameter_in == ParameterIn::Path && p.name == "review_id"));
    if review_path {
        shared.push(INVALID_REVIEW_ID);
    }
    for (name, status, description) in shared {
        match op.responses.responses.get_mut(status) {
            None => {
                op.responses.responses.insert(status.to_owned(), RefOr::Ref(Ref::from_response_name(name)));
            }
            // Appended unless the handler's text already names the code (`malformed_json`, …).
            Some(RefOr::T(own)) if !own.description.contains(description.split(':').next().unwrap_or(description)) => {
                own.description = format!("{}; or {description}", own.description);
            }
            // Already a shared reference, or already says it.
            Some(_) => {}
        }
    }
}

/// A JSON `ErrorBody` answer.
fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
        .build()
}
