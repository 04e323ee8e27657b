//! `POST /oauth/token`: the authorization_code, refresh_token and client_credentials grants.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use serde::Serialize;

use super::oidc::{id_token, IdTokenInput};
use super::params::{param, split_scopes, TWO_LEGGED};
use super::state::{now, DisabledReason, Issued, NewToken, State as Registry};
use super::state::{CODE_LIFETIME_SECS, TOKEN_LIFETIME_SECS};
use super::wire::{
    authenticate_client, fault_response, form_pairs, no_store, oauth_error, server_error,
    unsupported_media,
};
use super::{Fault, Inner, MockOrcid};

/// The success body, field for field as ORCID sends it.
#[derive(Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    refresh_token: String,
    expires_in: u64,
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    orcid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}

/// A grant's answer: the token JSON or an OAuth error, both ready to send.
type Outcome = Response;

fn invalid_grant(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

fn invalid_request(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

pub(crate) async fn token(
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let inner = &mock.inner;
    inner.hooks.token_request();
    match inner.hooks.fault() {
        Some(Fault::TokenStatus(status)) => return fault_response(status),
        Some(Fault::TokenDelay(delay)) => tokio::time::sleep(delay).await,
        _ => {}
    }
    let Some(pairs) = form_pairs(&headers, &body) else {
        return unsupported_media();
    };
    let Some(client) = authenticate_client(inner, &headers, &pairs) else {
        return super::wire::bad_client();
    };
    let client_id = client.client_id.clone();
    match param(&pairs, "grant_type") {
        None => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type is missing",
        ),
        Some("authorization_code") => authorization_code(inner, &client_id, &pairs),
        Some("refresh_token") => {
            inner.hooks.refresh_grant();
            refresh(inner, &client_id, &pairs)
        }
        Some("client_credentials") => client_credentials(inner, &client_id, &pairs),
        Some(other) => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("Unsupported grant type: {other}"),
        ),
    }
}

/// Turns an issued pair into ORCID's JSON, with an id_token when the scope has openid.
fn respond(inner: &Inner, st: &Registry, issued: &Issued, nonce: Option<&str>) -> Outcome {
    let t = &issued.record;
    let researcher = t.orcid.as_ref().and_then(|id| st.researcher(id));
    let id_token = match researcher {
        Some(r) if t.has_scope("openid") => {
            let fault = inner.hooks.fault();
            let input = IdTokenInput {
                client_id: &t.client_id,
                researcher: r,
                access_token: &issued.access_token,
                nonce,
                auth_time: t.auth_time.unwrap_or(t.issued_at),
            };
            match id_token(inner, input, fault.as_ref()) {
                Ok(jwt) => Some(jwt),
                Err(e) => {
                    tracing::error!(error = %e, "simulated ORCID could not sign an id_token");
                    return server_error();
                }
            }
        }
        _ => None,
    };
    let body = TokenResponse {
        access_token: issued.access_token.clone(),
        token_type: "bearer",
        refresh_token: issued.refresh_token.clone(),
        expires_in: t.expires_at.saturating_sub(now()),
        scope: t.scopes.join(" "),
        name: t
            .orcid
            .map(|_| researcher.map(|r| r.display_name()).unwrap_or_default()),
        orcid: t.orcid.map(|id| id.to_string()),
        id_token,
    };
    no_store(StatusCode::OK, Json(body))
}

fn authorization_code(inner: &Inner, client_id: &str, pairs: &[(String, String)]) -> Outcome {
    let Some(code) = param(pairs, "code") else {
        return invalid_request("An authorization code must be supplied.");
    };
    let Ok(mut st) = inner.lock() else {
        return server_error();
    };
    let Some(record) = st.codes.get_mut(code) else {
        return invalid_grant(&format!("Invalid authorization code: {code}"));
    };
    if record.client_id != client_id {
        return invalid_grant(&format!("Invalid authorization code: {code}"));
    }
    if record.used {
        // Since 2017 ORCID revokes every token issued from a reused code.
        if record.tokens.is_empty() {
            return invalid_grant(&format!("Invalid authorization code: {code}"));
        }
        let issued = record.tokens.clone();
        for access in &issued {
            st.disable(access, DisabledReason::AuthCodeReused);
        }
        inner.persist(&st);
        return invalid_grant(&format!("Reused authorization code: {code}"));
    }
    record.used = true;
    if param(pairs, "redirect_uri").is_some_and(|r| r != record.redirect_uri) {
        inner.persist(&st);
        return invalid_grant("Redirect URI mismatch.");
    }
    if now().saturating_sub(record.created_at) > CODE_LIFETIME_SECS {
        inner.persist(&st);
        return invalid_request("Authorization code has expired");
    }
    let record = record.clone();
    let issued = st.issue_token(NewToken {
        client_id: client_id.to_owned(),
        orcid: Some(record.orcid),
        scopes: record.scopes.clone(),
        expires_at: now() + TOKEN_LIFETIME_SECS,
        auth_time: Some(record.auth_time),
    });
    if let Some(r) = st.codes.get_mut(code) {
        r.tokens.push(issued.record.access_hash.clone());
    }
    inner.persist(&st);
    tracing::info!(client_id, orcid = %record.orcid, "simulated ORCID exchanged an authorization code");
    respond(inner, &st, &issued, record.nonce.as_deref())
}

fn refresh(inner: &Inner, client_id: &str, pairs: &[(String, String)]) -> Outcome {
    let Some(refresh_token) = param(pairs, "refresh_token") else {
        return invalid_request("A refresh token must be supplied.");
    };
    let Ok(mut st) = inner.lock() else {
        return server_error();
    };
    let Some(parent) = st.by_refresh(refresh_token).cloned() else {
        return invalid_grant("Invalid refresh token");
    };
    if parent.client_id != client_id {
        return invalid_request("This refresh token belongs to another client");
    }
    if parent.disabled.is_some() {
        return invalid_grant("Parent token is disabled");
    }
    let now = now();
    if now >= parent.expires_at {
        return invalid_grant("Invalid refresh token (expired)");
    }
    let scopes = match param(pairs, "scope") {
        None => parent.scopes.clone(),
        Some(raw) => {
            let wanted = split_scopes(raw);
            if let Some(extra) = wanted.iter().find(|s| !parent.has_scope(s)) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    &format!("The given scope '{extra}' is not allowed for the parent token"),
                );
            }
            if wanted.is_empty() {
                parent.scopes.clone()
            } else {
                wanted
            }
        }
    };
    let expires_at = match param(pairs, "expires_in") {
        None => parent.expires_at,
        Some(raw) => match raw.parse::<u64>() {
            Ok(secs) if now.saturating_add(secs) <= parent.expires_at => now + secs,
            _ => {
                return invalid_request(
                    "Token expiration can't be after the parent token's expiration",
                )
            }
        },
    };
    if param(pairs, "revoke_old").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        st.disable(&parent.access_hash, DisabledReason::RevokeOld);
    }
    let issued = st.issue_token(NewToken {
        client_id: client_id.to_owned(),
        orcid: parent.orcid,
        scopes,
        expires_at,
        auth_time: parent.auth_time,
    });
    inner.persist(&st);
    respond(inner, &st, &issued, None)
}

fn client_credentials(inner: &Inner, client_id: &str, pairs: &[(String, String)]) -> Outcome {
    let requested = split_scopes(param(pairs, "scope").unwrap_or_default());
    if let Some(bad) = requested
        .iter()
        .find(|s| !TWO_LEGGED.contains(&s.as_str()) && !super::params::is_three_legged_scope(s))
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            &format!("Invalid scope: {bad}"),
        );
    }
    // 3-legged scopes are silently dropped from a client_credentials request.
    let scopes: Vec<String> = requested
        .into_iter()
        .filter(|s| TWO_LEGGED.contains(&s.as_str()))
        .collect();
    if scopes.is_empty() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "Empty scope (either the client or the user is not allowed the requested scopes)",
        );
    }
    let Ok(mut st) = inner.lock() else {
        return server_error();
    };
    let issued = st.issue_token(NewToken {
        client_id: client_id.to_owned(),
        orcid: None,
        scopes,
        expires_at: now() + TOKEN_LIFETIME_SECS,
        auth_time: None,
    });
    inner.persist(&st);
    respond(inner, &st, &issued, None)
}
