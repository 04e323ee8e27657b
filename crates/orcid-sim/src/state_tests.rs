//! The state file keeps only digests of tokens, and still honours them after a restart.

use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::state::TokenHash;
use super::test_harness::*;
use orcid::OrcidId;

fn file_text(path: &Path) -> String {
    String::from_utf8(std::fs::read(path).unwrap()).unwrap()
}

#[track_caller]
fn assert_absent(text: &str, tokens: &[&str]) {
    for t in tokens {
        assert!(!t.is_empty());
        assert!(!text.contains(t), "token {t} is in the state file:\n{text}");
    }
}

async fn with_state_file(path: &Path) -> Harness {
    let p: PathBuf = path.to_owned();
    Harness::start_with(move |cfg| cfg.state_file = Some(p)).await
}

fn refresh_form(refresh_token: &str) -> [(&str, &str); 4] {
    [
        ("client_id", CLIENT_ID),
        ("client_secret", SECRET),
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ]
}

fn str_of<'a>(body: &'a Value, field: &str) -> &'a str {
    body[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {body}"))
}

#[tokio::test]
async fn state_file_holds_only_token_digests_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let h = with_state_file(&path).await;

    let id = h.mock.add_researcher("Ada", "Lovelace");
    let code = h.code_for(&id, &[]).await;
    let (status, first) = h.exchange(&code).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let access = str_of(&first, "access_token").to_owned();
    let refresh = str_of(&first, "refresh_token").to_owned();
    let (status, _, two_legged) = h
        .token(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("grant_type", "client_credentials"),
            ("scope", "/read-public"),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{two_legged}");
    let public_access = str_of(&two_legged, "access_token").to_owned();
    let public_refresh = str_of(&two_legged, "refresh_token").to_owned();

    let text = file_text(&path);
    assert_absent(&text, &[&access, &refresh, &public_access, &public_refresh]);
    // What is stored is the digest: the token map key and the code's list of tokens.
    let stored: Value = serde_json::from_str(&text).unwrap();
    let access_hash = serde_json::to_value(TokenHash::of(&access)).unwrap();
    let record = &stored["tokens"][access_hash.as_str().unwrap()];
    assert_eq!(record["access_hash"], access_hash);
    assert_eq!(
        record["refresh_hash"],
        serde_json::to_value(TokenHash::of(&refresh)).unwrap()
    );
    assert_eq!(stored["codes"][&code]["tokens"], json!([access_hash]));
    drop(h);

    // A fresh simulation loaded from the file.
    let again = with_state_file(&path).await;
    assert!(again.mock.is_access_token_active(&access));
    let info = again.mock.access_token(&access).unwrap();
    assert_eq!(info.orcid, Some(id));
    assert_eq!(info.client_id, CLIENT_ID);
    assert!(again.mock.is_access_token_active(&public_access));
    assert!(!again.mock.is_access_token_active(&refresh));
    assert!(again.mock.access_token(&refresh).is_none());

    // userinfo still knows the token.
    let resp = again
        .http
        .get(again.url("/oauth/userinfo"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);

    // The refresh token is still honoured, and revoke_old still finds the parent.
    let mut form = refresh_form(&refresh).to_vec();
    form.push(("revoke_old", "true"));
    let (status, _, second) = again.token(&form).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let access2 = str_of(&second, "access_token").to_owned();
    let refresh2 = str_of(&second, "refresh_token").to_owned();
    assert!(!again.mock.is_access_token_active(&access));
    assert!(again.mock.is_access_token_active(&access2));

    // Revoking by refresh token after the restart: the raw value is logged in memory only.
    let (status, _) = again
        .revoke(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("token", &public_refresh),
        ])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!again.mock.is_access_token_active(&public_access));
    assert_eq!(again.mock.revoke_requests(), vec![public_refresh.clone()]);

    let text = file_text(&path);
    assert_absent(
        &text,
        &[
            &access,
            &refresh,
            &access2,
            &refresh2,
            &public_access,
            &public_refresh,
        ],
    );

    // The code is remembered as used across the restart.
    let (status, reused) = again.exchange(&code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{reused}");
    assert_eq!(
        str_of(&reused, "error_description"),
        format!("Reused authorization code: {code}")
    );
    // A second restart sees everything as it was left.
    drop(again);
    let third = with_state_file(&path).await;
    assert!(third.mock.is_access_token_active(&access2));
    assert!(!third.mock.is_access_token_active(&access));
    assert!(!third.mock.is_access_token_active(&public_access));
    let (status, _, body) = third.token(&refresh_form(&refresh)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _, body) = third.token(&refresh_form(&refresh2)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn code_reuse_after_a_restart_revokes_the_tokens_it_gave() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let h = with_state_file(&path).await;
    let id = h.mock.add_researcher("Ada", "Lovelace");
    let code = h.code_for(&id, &[]).await;
    let (status, body) = h.exchange(&code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let access = str_of(&body, "access_token").to_owned();
    drop(h);

    let again = with_state_file(&path).await;
    assert!(again.mock.is_access_token_active(&access));
    let (status, body) = again.exchange(&code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        str_of(&body, "error_description"),
        format!("Reused authorization code: {code}")
    );
    assert!(!again.mock.is_access_token_active(&access));
}

#[tokio::test]
async fn a_plain_text_state_file_is_migrated_to_digests_on_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let orcid = OrcidId::from_base_digits(900_012_345_678);
    let access = "2b1f7a8e-0000-4000-8000-000000000001";
    let refresh = "2b1f7a8e-0000-4000-8000-000000000002";
    let legacy = json!({
        "researchers": [{"orcid": orcid, "given_names": "Sofia", "family_name": "Garcia"}],
        "sessions": {},
        "codes": {
            "Ab12Cd": {
                "client_id": CLIENT_ID,
                "redirect_uri": REDIRECT,
                "scopes": ["openid"],
                "nonce": null,
                "orcid": orcid,
                "auth_time": 1,
                "created_at": super::state::now(),
                "used": true,
                "tokens": [access]
            }
        },
        "tokens": {
            access: {
                "access_token": access,
                "refresh_token": refresh,
                "client_id": CLIENT_ID,
                "orcid": orcid,
                "scopes": ["openid", "/read-limited"],
                "issued_at": 1,
                "expires_at": super::state::now() + 3600,
                "auth_time": 1,
                "disabled": null
            }
        }
    });
    std::fs::write(&path, serde_json::to_vec_pretty(&legacy).unwrap()).unwrap();

    let h = with_state_file(&path).await;
    // Loading rewrites the file at once, without the plain-text tokens.
    let text = file_text(&path);
    assert_absent(&text, &[access, refresh]);
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["version"], 2);
    assert!(h.mock.is_access_token_active(access));
    let (status, _, body) = h.token(&refresh_form(refresh)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The code's token list was migrated too: reusing the code disables the token.
    let (status, body) = h.exchange("Ab12Cd").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(!h.mock.is_access_token_active(access));
}

#[tokio::test]
async fn a_state_file_from_a_newer_format_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, r#"{"version": 99, "researchers": []}"#).unwrap();
    let err = super::MockOrcid::new(super::MockConfig {
        base_url: "http://127.0.0.1:9/mock-orcid".into(),
        clients: clients(),
        key_file: None,
        state_file: Some(path),
    })
    .unwrap_err();
    assert!(err.to_string().contains("newer"), "{err}");
}
