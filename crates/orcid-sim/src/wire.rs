//! Shared pieces of the OAuth wire protocol: form bodies, client authentication and
//! `{"error":…,"error_description":…}` answers.

use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, PRAGMA};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;
use subtle::ConstantTimeEq;

use super::{Inner, MockClient};

#[derive(Serialize)]
struct OAuthError<'a> {
    error: &'a str,
    error_description: &'a str,
}

/// A JSON answer from /oauth/token or /oauth/revoke, never cached.
pub(crate) fn no_store(status: StatusCode, body: impl IntoResponse) -> Response {
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

pub(crate) fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    no_store(
        status,
        Json(OAuthError {
            error,
            error_description: description,
        }),
    )
}

pub(crate) fn bad_client() -> Response {
    oauth_error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "Bad client credentials",
    )
}

pub(crate) fn server_error() -> Response {
    oauth_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "The simulated ORCID could not complete the request",
    )
}

/// The answer a status fault produces: the OAuth error that status usually carries.
pub(crate) fn fault_response(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (error, description) = match status.as_u16() {
        401 => ("invalid_client", "Bad client credentials"),
        403 => ("access_denied", "Simulated failure: access denied"),
        429 => ("too_many_requests", "Simulated failure: too many requests"),
        400..=499 => (
            "invalid_request",
            "Simulated failure: the request was refused",
        ),
        _ => (
            "server_error",
            "Simulated failure: the server could not answer",
        ),
    };
    oauth_error(status, error, description)
}

/// Parses an `application/x-www-form-urlencoded` body; None for any other content type
/// (answer [`unsupported_media`]).
pub(crate) fn form_pairs(headers: &HeaderMap, body: &[u8]) -> Option<Vec<(String, String)>> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let is_form = content_type.split(';').next().is_some_and(|m| {
        m.trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    });
    if !is_form && !body.is_empty() {
        return None;
    }
    Some(url::form_urlencoded::parse(body).into_owned().collect())
}

pub(crate) fn unsupported_media() -> Response {
    oauth_error(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "invalid_request",
        "Content type must be application/x-www-form-urlencoded",
    )
}

/// Authenticates the client from `client_id` + `client_secret` in the form, or from an
/// `Authorization: Basic` header. None: bad or missing credentials.
pub(crate) fn authenticate_client<'a>(
    inner: &'a Inner,
    headers: &HeaderMap,
    pairs: &[(String, String)],
) -> Option<&'a MockClient> {
    if let Some((id, secret)) = basic_credentials(headers) {
        // RFC 6749 §2.3.1 form-encodes both before Basic encoding; many clients do not.
        return check_secret(inner, &id, &secret)
            .or_else(|| check_secret(inner, &form_decode(&id), &form_decode(&secret)));
    }
    check_secret(
        inner,
        super::params::param(pairs, "client_id")?,
        super::params::param(pairs, "client_secret")?,
    )
}

fn check_secret<'a>(inner: &'a Inner, id: &str, secret: &str) -> Option<&'a MockClient> {
    let client = inner.client(id)?;
    let ok: bool = client
        .client_secret
        .as_bytes()
        .ct_eq(secret.as_bytes())
        .into();
    ok.then_some(client)
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

fn form_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("v={}", s.replace('&', "%26")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The bearer token in an `Authorization` header.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}
