//! Every JSON request body of this API is an object, and the schema says so; serde's derive would
//! also read a struct from an array of its fields in order (`[30]` as `{"report_deadline_days":
//! 30}`, `[null]` as `{"urn": null}`), so a body the schema refuses was accepted. This layer
//! answers such a body 422 `invalid_body` before any handler sees it. Only a body that starts
//! with `[` is parsed here (a refused request), so a push is not read twice.

use crate::error::ApiError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use qar_core::ErrorCode;

pub async fn refuse_json_arrays(req: Request, next: Next) -> Response {
    if !is_json(&req) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, super::MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        // Over the limit, counted after decoding a compressed body (issue 25): a small body that
        // unpacks past the limit is refused here, having been read only that far.
        Err(e) if is_over_limit(&e) => {
            return ApiError::new(ErrorCode::BodyTooLarge, "the request body is over the server's limit").into_response();
        }
        Err(e) => {
            return ApiError::new(ErrorCode::BadBody, format!("the request body could not be read: {e}")).into_response();
        }
    };
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    // A malformed array is left to the JSON extractor, which answers 400 malformed_json.
    if first == Some(&b'[') && serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok() {
        return ApiError::new(ErrorCode::InvalidBody, "the request body must be a JSON object, not an array").into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// The body went past the limit, rather than breaking off or failing to decode.
fn is_over_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// `application/json` or `application/…+json`, as axum's `Json` extractor reads them.
fn is_json(req: &Request) -> bool {
    let Some(mime) = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = mime.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}
