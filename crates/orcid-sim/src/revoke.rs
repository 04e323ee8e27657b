//! `POST /oauth/revoke`: a client gives up an access or refresh token (and so the pair).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::params::param;
use super::state::DisabledReason;
use super::wire::{
    authenticate_client, bad_client, fault_response, form_pairs, oauth_error, server_error,
    unsupported_media,
};
use super::{Fault, MockOrcid};

pub(crate) async fn revoke(
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let inner = &mock.inner;
    if let Some(Fault::RevokeStatus(status)) = inner.hooks.fault() {
        return fault_response(status);
    }
    let Some(pairs) = form_pairs(&headers, &body) else {
        return unsupported_media();
    };
    let Some(client) = authenticate_client(inner, &headers, &pairs) else {
        return bad_client();
    };
    let Some(token) = param(&pairs, "token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Please provide the token to be param",
        );
    };
    let Ok(mut st) = inner.lock() else {
        return server_error();
    };
    // An unknown token, or another client's, is ignored with the same empty 200.
    if let Some(pair) = st.pair_mut(token) {
        if pair.client_id == client.client_id && pair.disabled.is_none() {
            pair.disabled = Some(DisabledReason::ClientRevoked);
        }
    }
    inner.hooks.revoked(token);
    inner.persist(&st);
    StatusCode::OK.into_response()
}
