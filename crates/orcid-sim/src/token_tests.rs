//! /oauth/token's three grants and their errors, over real HTTP.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::test_harness::*;

const TWENTY_YEARS: u64 = 631_138_518;

fn is_uuid(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| uuid::Uuid::parse_str(s).is_ok() && s.len() == 36)
}

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
async fn code_exchange_answers_every_field_like_orcid() {
    let h = Harness::start().await;
    let id = h.mock.add_researcher("Sofia", "Garcia");
    let code = h.code_for(&id, &[("nonce", "n1")]).await;
    let (status, headers, body) = h
        .token(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ])
        .await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["pragma"], "no-cache");
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = vec![
        "access_token",
        "token_type",
        "refresh_token",
        "expires_in",
        "scope",
        "name",
        "orcid",
        "id_token",
    ];
    want.sort_unstable();
    let mut got = keys.clone();
    got.sort_unstable();
    assert_eq!(got, want);
    assert!(is_uuid(&body["access_token"]) && is_uuid(&body["refresh_token"]));
    assert_ne!(body["access_token"], body["refresh_token"]);
    assert_eq!(body["token_type"], "bearer");
    let expires_in = body["expires_in"].as_u64().unwrap();
    assert!((TWENTY_YEARS - 2..=TWENTY_YEARS).contains(&expires_in));
    assert_eq!(body["scope"], SCOPE);
    assert_eq!(body["name"], "Sofia Garcia");
    assert_eq!(body["orcid"], id.as_str());
    assert_eq!(body["id_token"].as_str().unwrap().split('.').count(), 3);
    assert_eq!(h.mock.token_requests(), 1);
    assert!(h
        .mock
        .is_access_token_active(body["access_token"].as_str().unwrap()));
    let info = h
        .mock
        .access_token(body["access_token"].as_str().unwrap())
        .unwrap();
    assert_eq!(info.orcid, Some(id));
    assert_eq!(info.client_id, CLIENT_ID);
    assert!(!format!("{info:?}").contains(body["access_token"].as_str().unwrap()));
}

#[tokio::test]
async fn without_openid_there_is_no_id_token_and_basic_auth_works() {
    let h = Harness::start().await;
    let id = h.mock.add_researcher("Ada", "Lovelace");
    let code = h
        .code_for(&id, &[("scope", "/read-limited /activities/update")])
        .await;
    let resp = h
        .http
        .post(h.url("/oauth/token"))
        .basic_auth(CLIENT_ID, Some(SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    assert!(body.get("id_token").is_none());
    assert_eq!(body["scope"], "/read-limited /activities/update");
}

#[tokio::test]
async fn reusing_a_code_fails_and_revokes_the_tokens_it_gave() {
    let h = Harness::start().await;
    let id = h.mock.add_researcher("Ada", "Lovelace");
    let code = h.code_for(&id, &[]).await;
    let (_, first) = h.exchange(&code).await;
    let access = first["access_token"].as_str().unwrap();
    assert!(h.mock.is_access_token_active(access));

    let (status, again) = h.exchange(&code).await;
    assert_error(
        status,
        &again,
        400,
        "invalid_grant",
        &format!("Reused authorization code: {code}"),
    );
    assert!(!h.mock.is_access_token_active(access));
    // The refresh token of that pair is dead too.
    let (status, _, body) = h
        .token(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", first["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_grant",
        "Parent token is disabled",
    );
}

#[tokio::test]
async fn unknown_expired_mismatched_and_foreign_codes_are_refused() {
    let h = Harness::start().await;
    let (status, body) = h.exchange("zzzzzz").await;
    assert_error(
        status,
        &body,
        400,
        "invalid_grant",
        "Invalid authorization code: zzzzzz",
    );

    let id = h.mock.add_researcher("Ada", "Lovelace");
    let code = h.code_for(&id, &[]).await;
    h.mock.expire_codes();
    let (status, body) = h.exchange(&code).await;
    assert_error(
        status,
        &body,
        400,
        "invalid_request",
        "Authorization code has expired",
    );

    let code = h.code_for(&id, &[]).await;
    let (status, _, body) = h
        .token(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("grant_type", "authorization_code"),
            ("code", &code),
            (
                "redirect_uri",
                "https://app.example.org/orcid/callback/other",
            ),
        ])
        .await;
    assert_error(
        status,
        &body,
        400,
        "invalid_grant",
        "Redirect URI mismatch.",
    );

    let code = h.code_for(&id, &[]).await;
    let (status, _, body) = h
        .token(&[
            ("client_id", OTHER_CLIENT_ID),
            ("client_secret", OTHER_SECRET),
            ("grant_type", "authorization_code"),
            ("code", &code),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    // The rightful client can still use it.
    assert_eq!(h.exchange(&code).await.0, StatusCode::OK);
}

#[tokio::test]
async fn client_authentication_and_grant_type_errors() {
    let h = Harness::start().await;
    let (status, headers, body) = h
        .token(&[
            ("client_id", CLIENT_ID),
            ("client_secret", "wrong"),
            ("grant_type", "client_credentials"),
        ])
        .await;
    assert_error(
        status,
        &body,
        401,
        "invalid_client",
        "Bad client credentials",
    );
    assert_eq!(headers["cache-control"], "no-store");
    let (status, _, body) = h.token(&[("grant_type", "client_credentials")]).await;
    assert_error(
        status,
        &body,
        401,
        "invalid_client",
        "Bad client credentials",
    );

    let (status, _, body) = h
        .token(&[("client_id", CLIENT_ID), ("client_secret", SECRET)])
        .await;
    assert_error(
        status,
        &body,
        400,
        "unsupported_grant_type",
        "grant_type is missing",
    );
    let (status, _, body) = h
        .token(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("grant_type", "password"),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unsupported_grant_type");
    assert_eq!(h.mock.token_requests(), 4);
}

#[tokio::test]
async fn refresh_with_scope_subset_and_revoke_old() {
    let h = Harness::start().await;
    let (id, first) = h.connect(&[]).await;
    let refresh = |token: &str, extra: &[(&'static str, &'static str)]| {
        let mut form = vec![
            ("client_id", CLIENT_ID.to_owned()),
            ("client_secret", SECRET.to_owned()),
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", token.to_owned()),
        ];
        form.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        form
    };
    let old_access = first["access_token"].as_str().unwrap();
    let old_refresh = first["refresh_token"].as_str().unwrap();

    let form = refresh(
        old_refresh,
        &[("scope", "/read-limited /activities/update /person/update")],
    );
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, body) = h.token(&form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_scope");

    let form = refresh(
        old_refresh,
        &[("scope", "/read-limited"), ("revoke_old", "true")],
    );
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, headers, body) = h.token(&form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["pragma"], "no-cache");
    assert_eq!(body["scope"], "/read-limited");
    assert_eq!(body["orcid"], id.as_str());
    assert_eq!(body["name"], "Ada Lovelace");
    assert!(body.get("id_token").is_none());
    assert!(body["expires_in"].as_u64().unwrap() <= first["expires_in"].as_u64().unwrap());
    assert_ne!(body["access_token"], first["access_token"]);
    assert!(h
        .mock
        .is_access_token_active(body["access_token"].as_str().unwrap()));
    assert!(!h.mock.is_access_token_active(old_access));

    let form = refresh(old_refresh, &[]);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, again) = h.token(&form).await;
    assert_error(
        status,
        &again,
        400,
        "invalid_grant",
        "Parent token is disabled",
    );

    // Without revoke_old the parent stays active.
    let form = refresh(body["refresh_token"].as_str().unwrap(), &[]);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, third) = h.token(&form).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(third["scope"], "/read-limited");
    assert!(h
        .mock
        .is_access_token_active(body["access_token"].as_str().unwrap()));

    // Another client cannot use this refresh token.
    let (status, _, foreign) = h
        .token(&[
            ("client_id", OTHER_CLIENT_ID),
            ("client_secret", OTHER_SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", third["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(foreign["error"], "invalid_request");
}

#[tokio::test]
async fn client_credentials_gives_a_read_public_token_without_orcid() {
    let h = Harness::start().await;
    let (status, _, body) = h
        .token(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("grant_type", "client_credentials"),
            ("scope", "/read-public /read-limited"),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "/read-public");
    assert_eq!(body["orcid"], Value::Null);
    assert!(body.as_object().unwrap().contains_key("orcid"));
    assert!(body.get("name").is_none() && body.get("id_token").is_none());
    assert!(is_uuid(&body["access_token"]) && is_uuid(&body["refresh_token"]));
    assert_eq!(body["token_type"], "bearer");

    let (status, _, body) = h
        .token(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("grant_type", "client_credentials"),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_scope");
}

#[tokio::test]
async fn each_authorization_is_its_own_grant_and_an_expired_access_token_refreshes() {
    let h = Harness::start().await;
    let id = h.mock.add_researcher("Sofia", "Garcia");
    let code = h.code_for(&id, &[]).await;
    let (_, second) = h.exchange(&code).await;
    let code = h.code_for(&id, &[]).await;
    let (_, third) = h.exchange(&code).await;
    let token = |v: &Value, k: &str| v[k].as_str().unwrap().to_owned();
    assert_ne!(
        token(&second, "access_token"),
        token(&third, "access_token")
    );
    assert_eq!(h.mock.live_grants(&id, CLIENT_ID), 2);

    // Revoking one grant leaves the other.
    let (status, _) = h
        .revoke(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("token", &token(&second, "refresh_token")),
        ])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h.mock.live_grants(&id, CLIENT_ID), 1);
    assert!(h
        .mock
        .is_access_token_active(&token(&third, "access_token")));

    // An expired access token stops working, but its refresh token still gets a new pair.
    h.mock.expire_access_token(&token(&third, "access_token"));
    assert!(!h
        .mock
        .is_access_token_active(&token(&third, "access_token")));
    assert_eq!(h.mock.live_grants(&id, CLIENT_ID), 1);
    let before = h.mock.refresh_grants();
    let (status, _, fresh) = h
        .token(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", &token(&third, "refresh_token")),
            ("revoke_old", "true"),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    assert_eq!(h.mock.refresh_grants(), before + 1);
    assert!(h
        .mock
        .is_access_token_active(&token(&fresh, "access_token")));
    assert_eq!(h.mock.live_grants(&id, CLIENT_ID), 1);
}
