//! /oauth/revoke, faults on both endpoints, and persistence, over real HTTP.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::test_harness::*;
use super::Fault;
use orcid::OrcidId;

#[track_caller]
fn assert_error(
    status: StatusCode,
    body: &Value,
    want_status: u16,
    error: &str,
    description: &str,
) {
    assert_eq!(status.as_u16(), want_status, "{body}");
    assert_eq!(
        body,
        &json!({"error": error, "error_description": description})
    );
}

#[tokio::test]
async fn revoke_disables_the_pair_and_answers_like_orcid() {
    let h = Harness::start().await;
    let (_, a) = h.connect(&[]).await;
    let (_, b) = h.connect(&[]).await;
    let access_a = a["access_token"].as_str().unwrap();
    let access_b = b["access_token"].as_str().unwrap();
    let refresh_b = b["refresh_token"].as_str().unwrap();

    let (status, body) = h
        .revoke(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("token", access_a),
        ])
        .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    assert!(!h.mock.is_access_token_active(access_a));

    // Revoking by the refresh token disables the access token too (Basic auth here).
    let resp = h
        .http
        .post(h.url("/oauth/revoke"))
        .basic_auth(CLIENT_ID, Some(SECRET))
        .form(&[("token", refresh_b)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(!h.mock.is_access_token_active(access_b));

    // Unknown tokens are ignored with the same 200; another client's token is untouched.
    let (c_id, c) = h.connect(&[]).await;
    let access_c = c["access_token"].as_str().unwrap();
    for token in ["no-such-token", access_c] {
        let (status, body) = h
            .revoke(&[
                ("client_id", OTHER_CLIENT_ID),
                ("client_secret", OTHER_SECRET),
                ("token", token),
            ])
            .await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    }
    assert!(h.mock.is_access_token_active(access_c));

    let (status, body) = h
        .revoke(&[("client_id", CLIENT_ID), ("client_secret", SECRET)])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"error": "invalid_request", "error_description": "Please provide the token to be param"})
    );
    let (status, body) = h
        .revoke(&[
            ("client_id", CLIENT_ID),
            ("client_secret", "nope"),
            ("token", access_c),
        ])
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["error"],
        "invalid_client"
    );
    assert!(h.mock.is_access_token_active(access_c));

    assert_eq!(
        h.mock.revoke_requests(),
        vec![access_a, refresh_b, "no-such-token", access_c]
    );

    // The researcher removes the client under "Trusted organizations".
    h.mock.revoke_all_for(&c_id, CLIENT_ID);
    assert!(!h.mock.is_access_token_active(access_c));
    assert!(h.mock.access_token(access_c).unwrap().revoked_by_user);
}

#[tokio::test]
async fn token_faults() {
    let h = Harness::start().await;
    let id = h.mock.add_researcher("Ada", "Lovelace");
    let code = h.code_for(&id, &[]).await;

    h.mock.set_fault(Some(Fault::TokenStatus(503)));
    let (status, _, body) = h
        .token(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("grant_type", "authorization_code"),
            ("code", &code),
        ])
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"], "server_error");

    h.mock.set_fault(Some(Fault::TokenStatus(400)));
    let (status, body) = h.exchange(&code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_request");

    h.mock.set_fault(Some(Fault::TokenStatus(401)));
    let (status, body) = h.exchange(&code).await;
    assert_error(
        status,
        &body,
        401,
        "invalid_client",
        "Bad client credentials",
    );

    // A delay, then the normal answer: the faults above did not consume the code.
    h.mock
        .set_fault(Some(Fault::TokenDelay(Duration::from_millis(300))));
    let started = Instant::now();
    let (status, body) = h.exchange(&code).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(h.mock.token_requests(), 4);

    h.mock.set_fault(Some(Fault::RevokeStatus(500)));
    let access = body["access_token"].as_str().unwrap();
    let (status, text) = h
        .revoke(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("token", access),
        ])
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["error"],
        "server_error"
    );
    assert!(h.mock.is_access_token_active(access));
    assert!(h.mock.revoke_requests().is_empty());

    h.mock.set_fault(None);
    let (status, _) = h
        .revoke(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("token", access),
        ])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!h.mock.is_access_token_active(access));
}

#[tokio::test]
async fn state_file_keeps_researchers_and_tokens_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mock").join("state.json");
    let p = path.clone();
    let h = Harness::start_with(move |cfg| cfg.state_file = Some(p)).await;
    let (id, body) = h.connect(&[]).await;
    let access = body["access_token"].as_str().unwrap().to_owned();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    drop(h);

    let p = path.clone();
    let again = Harness::start_with(move |cfg| cfg.state_file = Some(p)).await;
    assert_eq!(
        again.mock.researcher_name(&id).as_deref(),
        Some("Ada Lovelace")
    );
    assert!(again.mock.is_access_token_active(&access));
    let sofia = OrcidId::from_base_digits(900_012_345_678);
    assert_eq!(
        again.mock.researcher_name(&sofia).as_deref(),
        Some("Sofia Garcia")
    );
    // The refresh index is rebuilt on load.
    let (status, _, _) = again
        .token(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(status, StatusCode::OK);
}
