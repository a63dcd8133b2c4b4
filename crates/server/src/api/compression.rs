//! Compressed bodies both ways (issue 25, decision 110). On a school's Wi-Fi or a phone tether the
//! bytes are the cost: a first sync of 10,000 notes is about 25 MB of JSON that zstd brings to a
//! small part of that.
//!
//! - Answers: compressed with zstd (preferred) or gzip when the client's `Accept-Encoding` asks,
//!   only text the server writes (JSON, HTML, CSS, plain text, CSV) and only from
//!   [`COMPRESS_ABOVE_BYTES`]: photos, PDFs, Word files and ZIPs are compressed already, and a
//!   small answer would gain less than the frame costs. A client that asks for nothing (every app
//!   before this one) gets the bytes as before.
//! - Requests: a body sent with `Content-Encoding: zstd` or `gzip` is decoded as it is read, so
//!   the body limits (`MAX_BODY_BYTES`, an upload's limits) hold for the *decoded* size: a small
//!   body that unpacks to gigabytes is refused 413 after the limit, never held whole. Any other
//!   encoding is refused 415 `unsupported_encoding` with an `Accept-Encoding` that names the two.

use crate::error::ApiError;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use qar_core::ErrorCode;
use tower_http::compression::predicate::Predicate;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;

/// Answers smaller than this go as they are: a zstd frame and its headers cost tens of bytes, and
/// the answers under a kilobyte (a push acknowledgement, an empty pull) are not where the bytes
/// of a sync are.
pub const COMPRESS_ABOVE_BYTES: u16 = 1024;

/// What a request body may be encoded with, as the 415 answer tells the client (RFC 7694).
pub const ACCEPTED_REQUEST_ENCODINGS: &str = "zstd, gzip";

/// Compresses answers as described in the module's comment. zstd at its default level (3): on
/// pull pages it is within a few per cent of level 9's size at a fraction of the CPU (decision 110).
pub fn compress_answers() -> CompressionLayer<TextAboveThreshold> {
    CompressionLayer::new().zstd(true).gzip(true).compress_when(TextAboveThreshold)
}

/// Decodes request bodies sent with `Content-Encoding: zstd|gzip`. Encodings it does not know
/// never reach it: [`refuse_unknown_encodings`] answers those first, with the API's JSON error.
pub fn decode_requests() -> RequestDecompressionLayer {
    RequestDecompressionLayer::new().zstd(true).gzip(true)
}

/// 415 `unsupported_encoding` for a request body in any encoding but zstd, gzip or identity
/// (one encoding only: a body encoded twice is not something our clients send).
pub async fn refuse_unknown_encodings(req: Request, next: Next) -> Response {
    let Some(value) = req.headers().get(header::CONTENT_ENCODING) else {
        return next.run(req).await;
    };
    let name = value.to_str().unwrap_or("").trim();
    if ["zstd", "gzip", "x-gzip", "identity"].iter().any(|known| name.eq_ignore_ascii_case(known)) {
        return next.run(req).await;
    }
    let shown: String = name.chars().take(40).collect();
    let mut reply = ApiError::new(
        ErrorCode::UnsupportedEncoding,
        format!("the request body is encoded as '{shown}'; this server reads zstd, gzip or an unencoded body"),
    )
    .into_response();
    reply.headers_mut().insert(header::ACCEPT_ENCODING, HeaderValue::from_static(ACCEPTED_REQUEST_ENCODINGS));
    reply
}

/// Compress an answer only when it is text the server wrote and at least [`COMPRESS_ABOVE_BYTES`]
/// long (an answer of unknown length is a stream of text, so it is compressed too).
#[derive(Debug, Clone, Copy, Default)]
pub struct TextAboveThreshold;

impl Predicate for TextAboveThreshold {
    fn should_compress<B: axum::body::HttpBody>(&self, response: &axum::http::Response<B>) -> bool {
        let essence = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
            .unwrap_or_default();
        let text = essence == "application/json"
            || (essence.starts_with("application/") && essence.ends_with("+json"))
            || ["text/html", "text/css", "text/plain", "text/csv"].contains(&essence.as_str());
        // An allow-list, so server-sent events (held back by an encoder's buffer) or a new kind
        // of file never get compressed by accident.
        text && tower_http::compression::predicate::SizeAbove::new(COMPRESS_ABOVE_BYTES).should_compress(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(content_type: &str, len: usize) -> axum::http::Response<axum::body::Body> {
        axum::http::Response::builder().header(header::CONTENT_TYPE, content_type).body(axum::body::Body::from(vec![b'a'; len])).unwrap()
    }

    #[test]
    fn only_text_from_the_threshold_is_compressed() {
        let at = COMPRESS_ABOVE_BYTES as usize;
        for text in
            ["application/json", "application/json; charset=utf-8", "text/html; charset=utf-8", "text/css", "application/problem+json"]
        {
            assert!(TextAboveThreshold.should_compress(&answer(text, at)), "{text}");
            assert!(!TextAboveThreshold.should_compress(&answer(text, at - 1)), "{text} under the threshold");
        }
        // Compressed already, or bytes that must reach the client exactly as stored.
        for file in [
            "image/jpeg",
            "image/png",
            "application/pdf",
            "application/zip",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/octet-stream",
            "text/event-stream",
        ] {
            assert!(!TextAboveThreshold.should_compress(&answer(file, 1 << 20)), "{file}");
        }
    }
}
