//! The API's own extractors (issue 16): a JSON body and the ids in a path, refused with the
//! JSON error body `{code, message}` every other refusal has, instead of axum's plain text.
//! Handlers take them as arguments, so no handler wraps a rejection by hand.

use crate::error::ApiError;
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, RawPathParams, Request};
use axum::http::request::Parts;
use axum::Json;
use qar_core::ErrorCode;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// A JSON request body. Refusals keep the statuses axum gives (400 malformed JSON, 415 not
/// `application/json`, 422 wrong shape, 413 too large) with codes from [`ErrorCode`].
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let Json(value) = Json::<T>::from_request(req, state).await?;
        Ok(JsonBody(value))
    }
}

/// The `{review_id}` of the route. Anything but a UUID is the client's mistake (400
/// `invalid_review_id`), told apart from a well-formed id of a review that does not exist (404
/// `unknown_review`, from the store).
#[derive(Debug, Clone, Copy)]
pub struct ReviewId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for ReviewId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let text = path_param(parts, state, "review_id", ErrorCode::InvalidReviewId).await?;
        Uuid::parse_str(&text).map(ReviewId).map_err(|_| {
            ApiError::new(
                ErrorCode::InvalidReviewId,
                format!("'{}' is not a review id: a review id is a UUID.", text.chars().take(60).collect::<String>()),
            )
        })
    }
}

/// The `{device_id}` of a device route: anything but a UUID is 400 `invalid_device_id`.
#[derive(Debug, Clone, Copy)]
pub struct DeviceId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for DeviceId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let text = path_param(parts, state, "device_id", ErrorCode::InvalidDeviceId).await?;
        Uuid::parse_str(&text).map(DeviceId).map_err(|_| {
            ApiError::new(
                ErrorCode::InvalidDeviceId,
                format!("'{}' is not a device id (a UUID)", text.chars().take(60).collect::<String>()),
            )
        })
    }
}

/// Query parameters: a parameter of the wrong type or out of range is 400 `bad_query`.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(value) = Query::<T>::from_request_parts(parts, state).await?;
        Ok(QueryParams(value))
    }
}

/// The `{version}` of a report-version route: a number from 1 (anything else names no version).
#[derive(Debug, Clone, Copy)]
pub struct VersionNumber(pub u32);

impl<S: Send + Sync> FromRequestParts<S> for VersionNumber {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let text = path_param(parts, state, "version", ErrorCode::UnknownVersion).await?;
        match text.parse() {
            Ok(n) if n >= 1 => Ok(VersionNumber(n)),
            _ => Err(ApiError::new(ErrorCode::UnknownVersion, "A version is a number from 1.")),
        }
    }
}

/// The `{sha256}` of a blob route, as sent (the store checks its form: 400 `bad_query`).
#[derive(Debug, Clone)]
pub struct BlobSha(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BlobSha {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Ok(BlobSha(path_param(parts, state, "sha256", ErrorCode::BadQuery).await?))
    }
}

/// One named parameter of the matched route, percent-decoded.
async fn path_param<S: Send + Sync>(parts: &mut Parts, state: &S, name: &str, code: ErrorCode) -> Result<String, ApiError> {
    let params =
        RawPathParams::from_request_parts(parts, state).await.map_err(|r: RawPathParamsRejection| ApiError::new(code, r.body_text()))?;
    match params.iter().find(|(key, _)| *key == name) {
        Some((_, value)) => Ok(value.to_owned()),
        // A handler took this extractor on a route without the parameter: our bug, not the client's.
        None => Err(ApiError::internal(format!("the route has no {{{name}}} parameter"))),
    }
}
