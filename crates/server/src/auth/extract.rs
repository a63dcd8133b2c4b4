//! `AuthDevice`: the signed-in laptop making this request, from `Authorization: Bearer <token>`.

use super::{AuthError, Role};
use crate::error::ApiError;
use crate::store::now_ms;
use crate::AppState;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use uuid::Uuid;

/// The caller of an authenticated endpoint: take it as a handler argument.
///
/// ```ignore
/// async fn push(State(state): State<AppState>, device: AuthDevice, body: …) -> Result<…, ApiError> {
///     // device.device_id is the laptop that signed in; compare it with the body's device_id.
/// }
/// ```
///
/// Refusals (all JSON `{code, message, details}`, 401 with `WWW-Authenticate: Bearer`):
/// no or malformed header → `unauthenticated`; unknown token → `invalid_token`; revoked laptop →
/// `device_revoked` (the reason in the message and in `details.reason`); expired → `token_expired`.
/// A switched-off account → 403 `account_disabled`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthDevice {
    pub user_id: String,
    pub device_id: Uuid,
    pub roles: Vec<Role>,
}

impl AuthDevice {
    pub fn is_admin(&self) -> bool {
        self.roles.contains(&Role::Admin)
    }

    /// True when the caller coordinates the hub with this (server, text) id.
    pub fn coordinates(&self, hub_id: &str) -> bool {
        self.roles.iter().any(|r| matches!(r, Role::HubCoordinator { hub_id: h } if h == hub_id))
    }

    /// The caller as `qar_core::decide` sees them. Hub ids go through [`super::hub_uuid`].
    pub fn actor(&self) -> qar_core::Actor {
        qar_core::Actor { roles: self.roles.iter().map(Role::to_global).collect() }
    }
}

/// An extractor refusal: the usual JSON error, plus `WWW-Authenticate: Bearer` on 401s.
#[derive(Debug)]
pub struct AuthRejection(pub ApiError);

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        let challenge = self.0.status == StatusCode::UNAUTHORIZED;
        let mut resp = self.0.into_response();
        if challenge {
            resp.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"qar\""));
        }
        resp
    }
}

impl From<AuthRejection> for ApiError {
    fn from(r: AuthRejection) -> ApiError {
        r.0
    }
}

impl From<AuthError> for AuthRejection {
    fn from(e: AuthError) -> AuthRejection {
        AuthRejection(e.into())
    }
}

/// The token of an `Authorization: Bearer <token>` header, or `Unauthenticated`.
pub(crate) fn bearer_token(parts: &Parts) -> Result<String, AuthError> {
    let mut values = parts.headers.get_all(AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(AuthError::Unauthenticated);
    };
    let value = value.to_str().map_err(|_| AuthError::Unauthenticated)?;
    let (scheme, token) = value.trim().split_once(' ').ok_or(AuthError::Unauthenticated)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.len() > 512 || token.contains(char::is_whitespace) {
        return Err(AuthError::Unauthenticated);
    }
    Ok(token.to_owned())
}

impl<S> FromRequestParts<S> for AuthDevice
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts)?;
        let store = AppState::from_ref(state).store;
        let device = tokio::task::spawn_blocking(move || store.authenticate(&token, now_ms()))
            .await
            .map_err(|e| AuthRejection(ApiError::internal(e)))??;
        Ok(device)
    }
}
