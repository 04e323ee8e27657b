//! Discovery, JWKS, id_tokens and userinfo, over real HTTP.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::test_harness::*;
use super::{Fault, MockConfig, MockOrcid};

async fn jwks(h: &Harness) -> Value {
    h.http
        .get(h.url("/oauth/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Verifies an id_token against the published JWKS, as a relying party would.
async fn verify(h: &Harness, id_token: &str) -> Result<Value, jsonwebtoken::errors::Error> {
    let set = jwks(h).await;
    let key = &set["keys"][0];
    let header = jsonwebtoken::decode_header(id_token).unwrap();
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());
    let decoding =
        DecodingKey::from_rsa_components(key["n"].as_str().unwrap(), key["e"].as_str().unwrap())
            .unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[CLIENT_ID]);
    validation.set_issuer(&[h.base.as_str()]);
    jsonwebtoken::decode::<Value>(id_token, &decoding, &validation).map(|d| d.claims)
}

#[tokio::test]
async fn discovery_lists_orcid_fields_with_endpoints_from_the_base_url() {
    let h = Harness::start().await;
    let body: Value = h
        .http
        .get(h.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let b = &h.base;
    assert_eq!(
        body,
        json!({
            "issuer": b,
            "authorization_endpoint": format!("{b}/oauth/authorize"),
            "token_endpoint": format!("{b}/oauth/token"),
            "userinfo_endpoint": format!("{b}/oauth/userinfo"),
            "jwks_uri": format!("{b}/oauth/jwks"),
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["family_name", "given_name", "name", "auth_time", "iss", "sub"],
            "scopes_supported": ["openid"],
            "subject_types_supported": ["public"],
            "response_types_supported": ["code", "id_token", "id_token token"],
            "claims_parameter_supported": false,
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "grant_types_supported": ["authorization_code", "implicit", "refresh_token"]
        })
    );
}

#[tokio::test]
async fn jwks_is_a_set_with_one_rs256_key() {
    let h = Harness::start().await;
    let set = jwks(&h).await;
    let keys = set["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    let mut fields: Vec<&str> = keys[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["alg", "e", "kid", "kty", "n", "use"]);
    assert_eq!(keys[0]["kty"], "RSA");
    assert_eq!(keys[0]["e"], "AQAB");
    assert_eq!(keys[0]["use"], "sig");
    assert_eq!(keys[0]["alg"], "RS256");
    let n = URL_SAFE_NO_PAD
        .decode(keys[0]["n"].as_str().unwrap())
        .unwrap();
    assert_eq!(n.len(), 256);
}

#[tokio::test]
async fn id_token_verifies_with_the_jwks_and_carries_orcid_claims() {
    let h = Harness::start().await;
    let (id, body) = h.connect(&[("nonce", "n-42")]).await;
    let id_token = body["id_token"].as_str().unwrap();
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(id_token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header.as_object().unwrap().len(), 2, "{header}");
    assert_eq!(header["alg"], "RS256");

    let claims = verify(&h, id_token).await.expect("a valid signature");
    assert_eq!(claims["iss"], h.base.as_str());
    assert_eq!(claims["aud"], CLIENT_ID);
    assert_eq!(claims["sub"], id.as_str());
    assert_eq!(claims["nonce"], "n-42");
    assert_eq!(claims["given_name"], "Ada");
    assert_eq!(claims["family_name"], "Lovelace");
    assert_eq!(claims["name"], "Ada Lovelace");
    assert_eq!(claims["amr"], "pwd");
    let iat = claims["iat"].as_u64().unwrap();
    assert_eq!(claims["exp"].as_u64().unwrap() - iat, 24 * 3600);
    assert!(claims["auth_time"].as_u64().unwrap() <= iat);
    assert!(uuid::Uuid::parse_str(claims["jti"].as_str().unwrap()).is_ok());
    let digest = Sha256::digest(body["access_token"].as_str().unwrap().as_bytes());
    assert_eq!(claims["at_hash"], URL_SAFE_NO_PAD.encode(&digest[..16]));

    // No nonce sent: none in the token.
    let (_, body) = h.connect(&[]).await;
    let claims = verify(&h, body["id_token"].as_str().unwrap())
        .await
        .unwrap();
    assert!(claims.get("nonce").is_none());
}

#[tokio::test]
async fn id_token_faults() {
    let h = Harness::start().await;

    h.mock.set_fault(Some(Fault::IdTokenWrongKey));
    let (_, body) = h.connect(&[("nonce", "n")]).await;
    let err = verify(&h, body["id_token"].as_str().unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &jsonwebtoken::errors::ErrorKind::InvalidSignature
    );

    h.mock.set_fault(Some(Fault::IdTokenNonce("other".into())));
    let (_, body) = h.connect(&[("nonce", "n")]).await;
    let claims = verify(&h, body["id_token"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(claims["nonce"], "other");

    h.mock
        .set_fault(Some(Fault::IdTokenSubject("0000-0002-1825-0097".into())));
    let (id, body) = h.connect(&[("nonce", "n")]).await;
    let claims = verify(&h, body["id_token"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(claims["sub"], "0000-0002-1825-0097");
    assert_eq!(body["orcid"], id.as_str());

    h.mock.set_fault(None);
    let (id, body) = h.connect(&[("nonce", "n")]).await;
    let claims = verify(&h, body["id_token"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(
        (claims["sub"].as_str(), claims["nonce"].as_str()),
        (Some(id.as_str()), Some("n"))
    );
}

#[tokio::test]
async fn userinfo_answers_for_live_openid_tokens_only() {
    let h = Harness::start().await;
    let (id, body) = h.connect(&[]).await;
    let access = body["access_token"].as_str().unwrap();
    let want = json!({
        "id": format!("{}/{id}", h.base),
        "sub": id.as_str(),
        "name": "Ada Lovelace",
        "family_name": "Lovelace",
        "given_name": "Ada"
    });
    let got: Value = h
        .http
        .get(h.url("/oauth/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got, want);
    let got: Value = h
        .http
        .post(h.url("/oauth/userinfo"))
        .form(&[("access_token", access)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got, want);

    let denied = json!({"error": "access_denied", "error-description": "access_token is invalid"});
    let check_denied = |resp: reqwest::Response| {
        let denied = denied.clone();
        async move {
            assert_eq!(resp.status(), StatusCode::FORBIDDEN);
            assert_eq!(resp.json::<Value>().await.unwrap(), denied);
        }
    };
    check_denied(h.http.get(h.url("/oauth/userinfo")).send().await.unwrap()).await;
    check_denied(
        h.http
            .get(h.url("/oauth/userinfo"))
            .bearer_auth("nope")
            .send()
            .await
            .unwrap(),
    )
    .await;

    // A token without openid or /authenticate is refused.
    let id2 = h.mock.add_researcher("Grace", "Hopper");
    let code = h.code_for(&id2, &[("scope", "/read-limited")]).await;
    let (_, limited) = h.exchange(&code).await;
    check_denied(
        h.http
            .get(h.url("/oauth/userinfo"))
            .bearer_auth(limited["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap(),
    )
    .await;
    // /authenticate is enough.
    let code = h.code_for(&id2, &[("scope", "/authenticate")]).await;
    let (_, auth) = h.exchange(&code).await;
    let resp = h
        .http
        .get(h.url("/oauth/userinfo"))
        .bearer_auth(auth["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);

    // Revoked: denied.
    h.revoke(&[
        ("client_id", CLIENT_ID),
        ("client_secret", SECRET),
        ("token", access),
    ])
    .await;
    check_denied(
        h.http
            .get(h.url("/oauth/userinfo"))
            .bearer_auth(access)
            .send()
            .await
            .unwrap(),
    )
    .await;
}

#[tokio::test]
async fn key_file_is_written_private_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("keys").join("mock-orcid.pem");
    let cfg = |key_file: &std::path::Path| MockConfig {
        base_url: "http://127.0.0.1:9/mock-orcid/".into(),
        clients: clients(),
        key_file: Some(key_file.to_owned()),
        state_file: None,
    };
    let first = MockOrcid::new(cfg(&key_file)).unwrap();
    assert_eq!(first.base_url(), "http://127.0.0.1:9/mock-orcid");
    let pem = std::fs::read_to_string(&key_file).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let second = MockOrcid::new(cfg(&key_file)).unwrap();
    assert_eq!(
        first.inner.signing_key().kid,
        second.inner.signing_key().kid
    );
    assert_eq!(first.inner.signing_key().n, second.inner.signing_key().n);
    assert_ne!(
        first.inner.signing_key().n,
        super::keys::process_key().unwrap().n
    );

    // PKCS#1 PEM is accepted too.
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).unwrap();
    let pkcs1 = dir.path().join("pkcs1.pem");
    std::fs::write(
        &pkcs1,
        key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    let third = MockOrcid::new(cfg(&pkcs1)).unwrap();
    assert_eq!(third.inner.signing_key().kid, first.inner.signing_key().kid);

    std::fs::write(&pkcs1, "not a key").unwrap();
    assert!(matches!(
        MockOrcid::new(cfg(&pkcs1)),
        Err(super::MockError::Key(_))
    ));
}

#[test]
fn config_errors_are_reported() {
    let base = |url: &str| MockConfig {
        base_url: url.into(),
        clients: clients(),
        key_file: None,
        state_file: None,
    };
    assert!(matches!(
        MockOrcid::new(base("not a url")),
        Err(super::MockError::BaseUrl(_))
    ));
    assert!(matches!(
        MockOrcid::new(base("ftp://x/y")),
        Err(super::MockError::BaseUrl(_))
    ));
    let mut cfg = base("http://localhost/m");
    cfg.clients[0].client_id = "APP-SHORT".into();
    assert!(matches!(
        MockOrcid::new(cfg),
        Err(super::MockError::ClientId(_))
    ));
    let mut cfg = base("http://localhost/m");
    cfg.clients[1].client_id = CLIENT_ID.into();
    assert!(matches!(
        MockOrcid::new(cfg),
        Err(super::MockError::DuplicateClient(_))
    ));
}
