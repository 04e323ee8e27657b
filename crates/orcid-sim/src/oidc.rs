//! OpenID Connect: discovery, JWKS, userinfo and the id_token itself.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::keys;
use super::state::{now, Researcher};
use super::{Fault, Inner, MockOrcid};

const ID_TOKEN_LIFETIME_SECS: u64 = 24 * 3600;

#[derive(Serialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    userinfo_endpoint: String,
    jwks_uri: String,
    token_endpoint_auth_signing_alg_values_supported: [&'static str; 1],
    id_token_signing_alg_values_supported: [&'static str; 1],
    claims_supported: [&'static str; 6],
    scopes_supported: [&'static str; 1],
    subject_types_supported: [&'static str; 1],
    response_types_supported: [&'static str; 3],
    claims_parameter_supported: bool,
    token_endpoint_auth_methods_supported: [&'static str; 1],
    grant_types_supported: [&'static str; 3],
}

pub(crate) async fn discovery(State(mock): State<MockOrcid>) -> Response {
    let base = &mock.inner.base_url;
    Json(Discovery {
        issuer: base.clone(),
        authorization_endpoint: format!("{base}/oauth/authorize"),
        token_endpoint: format!("{base}/oauth/token"),
        userinfo_endpoint: format!("{base}/oauth/userinfo"),
        jwks_uri: format!("{base}/oauth/jwks"),
        token_endpoint_auth_signing_alg_values_supported: ["RS256"],
        id_token_signing_alg_values_supported: ["RS256"],
        claims_supported: [
            "family_name",
            "given_name",
            "name",
            "auth_time",
            "iss",
            "sub",
        ],
        scopes_supported: ["openid"],
        subject_types_supported: ["public"],
        response_types_supported: ["code", "id_token", "id_token token"],
        claims_parameter_supported: false,
        token_endpoint_auth_methods_supported: ["client_secret_post"],
        grant_types_supported: ["authorization_code", "implicit", "refresh_token"],
    })
    .into_response()
}

#[derive(Serialize)]
struct JwkSet<'a> {
    keys: [keys::Jwk<'a>; 1],
}

pub(crate) async fn jwks(State(mock): State<MockOrcid>) -> Response {
    let key = mock.inner.signing_key();
    Json(JwkSet { keys: [key.jwk()] }).into_response()
}

#[derive(Serialize)]
struct UserInfo {
    id: String,
    sub: String,
    name: String,
    family_name: String,
    given_name: String,
}

#[derive(Serialize)]
struct UserInfoDenied {
    error: &'static str,
    #[serde(rename = "error-description")]
    error_description: &'static str,
}

fn denied() -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(UserInfoDenied {
            error: "access_denied",
            error_description: "access_token is invalid",
        }),
    )
        .into_response()
}

pub(crate) async fn userinfo_get(State(mock): State<MockOrcid>, headers: HeaderMap) -> Response {
    userinfo(&mock.inner, super::wire::bearer(&headers))
}

/// POST takes the token from an `access_token` form field, or the Authorization header.
pub(crate) async fn userinfo_post(
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let from_form = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty());
    userinfo(
        &mock.inner,
        from_form.or_else(|| super::wire::bearer(&headers)),
    )
}

fn userinfo(inner: &Inner, token: Option<String>) -> Response {
    let Some(token) = token else {
        return denied();
    };
    let Ok(st) = inner.lock() else {
        return super::wire::server_error();
    };
    let researcher = st
        .by_access(&token)
        .filter(|t| t.is_active(now()) && (t.has_scope("openid") || t.has_scope("/authenticate")))
        .and_then(|t| t.orcid.as_ref())
        .and_then(|id| st.researcher(id));
    match researcher {
        Some(r) => Json(UserInfo {
            id: inner.record_url(&r.orcid),
            sub: r.orcid.to_string(),
            name: r.display_name(),
            family_name: r.family_name.clone(),
            given_name: r.given_names.clone(),
        })
        .into_response(),
        None => denied(),
    }
}

#[derive(Serialize)]
struct IdTokenClaims<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: String,
    iat: u64,
    exp: u64,
    auth_time: u64,
    jti: String,
    at_hash: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
    given_name: &'a str,
    family_name: &'a str,
    name: String,
    amr: &'static str,
}

/// What goes into one id_token.
pub(crate) struct IdTokenInput<'a> {
    pub client_id: &'a str,
    pub researcher: &'a Researcher,
    pub access_token: &'a str,
    pub nonce: Option<&'a str>,
    pub auth_time: u64,
}

/// Signs an id_token, honouring any id_token fault.
pub(crate) fn id_token(
    inner: &Inner,
    input: IdTokenInput<'_>,
    fault: Option<&Fault>,
) -> Result<String, String> {
    let iat = now();
    let mut claims = IdTokenClaims {
        iss: &inner.base_url,
        aud: input.client_id,
        sub: input.researcher.orcid.to_string(),
        iat,
        exp: iat + ID_TOKEN_LIFETIME_SECS,
        auth_time: input.auth_time,
        jti: uuid::Uuid::new_v4().to_string(),
        at_hash: keys::at_hash(input.access_token),
        nonce: input.nonce.map(str::to_owned),
        given_name: &input.researcher.given_names,
        family_name: &input.researcher.family_name,
        name: input.researcher.display_name(),
        amr: "pwd",
    };
    match fault {
        Some(Fault::IdTokenNonce(n)) => claims.nonce = Some(n.clone()),
        Some(Fault::IdTokenSubject(s)) => claims.sub = s.clone(),
        Some(Fault::IdTokenWrongKey) => {
            return keys::sign_with_impostor(&inner.signing_key(), &claims)
        }
        _ => {}
    }
    inner.signing_key().sign(&claims).map_err(|e| e.to_string())
}
