//! The authorize page and its redirects, over real HTTP.

use reqwest::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;

use super::test_harness::*;
use orcid::OrcidId;

#[tokio::test]
async fn page_shows_banner_client_scopes_and_carries_every_parameter() {
    let h = Harness::start().await;
    let url = h.authorize_url(&[
        ("state", "st/<1>"),
        ("nonce", "n-1"),
        ("lang", "zh_CN"),
        ("given_names", "Marie"),
        ("family_names", "Curie"),
        ("email", "marie@example.org"),
        ("code_challenge", "ignored"),
    ]);
    let (status, headers, page) = h.get(&url).await;

    assert_eq!(status, StatusCode::OK);
    assert!(headers[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(page.contains("simulated ORCID"));
    assert!(page.contains("<html lang=\"zh-CN\">"));
    assert!(page.contains("Test University"));
    assert!(page.contains("Get your ORCID iD"));
    assert!(page.contains("trusted organizations"));
    assert!(page.contains("research activities"));
    assert!(page.contains("Sofia Garcia"));
    assert!(page.contains("Tomás Ng"));
    assert!(page.contains("name=\"decision\" value=\"authorize\""));
    assert!(page.contains("Authorize access"));
    assert!(page.contains("name=\"decision\" value=\"deny\""));
    assert!(page.contains("Deny access"));
    assert!(page.contains("href=\"/mock-orcid/mock.css\""));
    assert!(!page.contains("<script") && !page.contains("style="));
    let hidden = hidden_inputs(&page);
    for (k, v) in [
        ("client_id", CLIENT_ID),
        ("response_type", "code"),
        ("scope", SCOPE),
        ("redirect_uri", REDIRECT),
        ("state", "st/<1>"),
        ("nonce", "n-1"),
        ("lang", "zh_CN"),
        ("family_names", "Curie"),
        ("code_challenge", "ignored"),
    ] {
        assert!(
            hidden.contains(&(k.to_owned(), v.to_owned())),
            "hidden {k} missing: {hidden:?}"
        );
    }
    assert!(hidden
        .iter()
        .any(|(k, v)| k == "csrf_token" && v.len() == 32));
    // Pre-fills go into the create form, not into hidden inputs.
    assert!(!hidden
        .iter()
        .any(|(k, _)| k == "given_names" || k == "email"));
    assert!(page.contains("id=\"given_names\" name=\"given_names\" value=\"Marie\""));
    assert!(page.contains("id=\"family_name\" name=\"family_name\" value=\"Curie\""));
    assert!(page.contains("value=\"marie@example.org\""));
    let cookie = headers[SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("mock_orcid_session="), "{cookie}");
    assert!(
        cookie.contains("Path=/mock-orcid")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
    );
    assert!(!cookie.contains("Secure"));
}

#[tokio::test]
async fn deny_redirects_with_access_denied_and_state() {
    let h = Harness::start().await;
    let resp = h.submit(&[("state", "xyz")], &[("decision", "deny")]).await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    assert_eq!(
        location(&resp),
        format!("{REDIRECT}?error=access_denied&error_description=User+denied+access&state=xyz")
    );

    // No state sent: none returned; a redirect_uri with a query gets `&`.
    let with_query = format!("{REDIRECT}?next=me");
    let resp = h
        .submit(
            &[("redirect_uri", with_query.as_str())],
            &[("decision", "deny")],
        )
        .await;
    assert_eq!(
        location(&resp),
        format!("{with_query}&error=access_denied&error_description=User+denied+access")
    );
    assert_eq!(h.mock.token_requests(), 0);
}

#[tokio::test]
async fn authorize_redirects_with_a_six_character_code_and_state() {
    let h = Harness::start().await;
    let sofia = OrcidId::from_base_digits(900_012_345_678);
    assert_eq!(
        h.mock.researcher_name(&sofia).as_deref(),
        Some("Sofia Garcia")
    );
    let resp = h
        .submit(
            &[("state", "s1")],
            &[("orcid", sofia.as_str()), ("decision", "authorize")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    let to = location(&resp);
    assert!(to.starts_with(&format!("{REDIRECT}?code=")), "{to}");
    let code = query_param(&to, "code").unwrap();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(query_param(&to, "state").as_deref(), Some("s1"));
    assert!(resp.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .starts_with("mock_orcid_session="));
}

#[tokio::test]
async fn unknown_client_and_bad_redirect_get_an_error_page_not_a_redirect() {
    let h = Harness::start().await;
    for url in [
        h.authorize_url(&[("client_id", "APP-NOSUCHCLIENT0000")]),
        h.authorize_url(&[("client_id", "")]),
        h.authorize_url(&[("redirect_uri", "https://evil.example.org/orcid/callback")]),
        h.authorize_url(&[("redirect_uri", "https://app.example.org/elsewhere")]),
        h.authorize_url(&[("redirect_uri", "")]),
    ] {
        let (status, headers, page) = h.get(&url).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}");
        assert!(headers.get(LOCATION).is_none());
        assert!(page.contains("simulated ORCID"));
    }
    let (_, _, page) = h
        .get(&h.authorize_url(&[("client_id", "APP-NOSUCHCLIENT0000")]))
        .await;
    assert!(page.contains("not registered"));
    let (_, _, page) = h
        .get(&h.authorize_url(&[("redirect_uri", "https://evil.example.org/cb")]))
        .await;
    assert!(page.contains("Redirect URI mismatch"));

    // A client with no registered redirect URIs accepts any (as the sandbox does).
    let url = h.authorize_url(&[
        ("client_id", OTHER_CLIENT_ID),
        ("redirect_uri", "http://localhost:1/cb"),
    ]);
    assert_eq!(h.get(&url).await.0, StatusCode::OK);
}

#[tokio::test]
async fn bad_scope_and_response_type_redirect_with_errors() {
    let h = Harness::start().await;
    for (scope, bad) in [
        ("/read-public", "/read-public"),
        ("openid /webhook", "/webhook"),
        ("/authenticate /nonsense", "/nonsense"),
    ] {
        let resp = h
            .http
            .get(h.authorize_url(&[("scope", scope), ("state", "q")]))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FOUND, "{scope}");
        let to = location(&resp);
        assert!(
            to.starts_with(&format!("{REDIRECT}?error=invalid_scope&")),
            "{to}"
        );
        assert_eq!(
            query_param(&to, "error_description"),
            Some(format!("Invalid scope: {bad}"))
        );
        assert_eq!(query_param(&to, "state").as_deref(), Some("q"));
    }
    let resp = h
        .http
        .get(h.authorize_url(&[("response_type", "token")]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FOUND);
    assert_eq!(
        query_param(&location(&resp), "error").as_deref(),
        Some("unsupported_response_type")
    );
    // `+` separates scopes too.
    let (status, _, _) = h
        .get(&h.authorize_url(&[("scope", "/read-limited+/activities/update")]))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn prompt_none_needs_a_session_and_an_earlier_authorization() {
    let h = Harness::start().await;
    let prompt_none = |h: &Harness| {
        let url = h.authorize_url(&[("prompt", "none"), ("state", "p")]);
        let http = h.http.clone();
        async move { http.get(url).send().await.unwrap() }
    };
    let resp = prompt_none(&h).await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    assert_eq!(
        location(&resp),
        format!("{REDIRECT}?error=login_required&state=p")
    );

    // Signed in (by a first authorize) but this client holds no token yet.
    let sofia = OrcidId::from_base_digits(900_012_345_678);
    let code = h.code_for(&sofia, &[]).await;
    let resp = prompt_none(&h).await;
    assert_eq!(
        location(&resp),
        format!("{REDIRECT}?error=interaction_required&state=p")
    );

    // Once a token exists the request goes straight through with a code.
    assert_eq!(h.exchange(&code).await.0, StatusCode::OK);
    let resp = prompt_none(&h).await;
    let code = query_param(&location(&resp), "code").expect("a code");
    let (status, body) = h.exchange(&code).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["orcid"], sofia.as_str());
}

#[tokio::test]
async fn session_preselects_the_researcher_and_prompt_login_ignores_it() {
    let h = Harness::start().await;
    let tomas = OrcidId::from_base_digits(900_087_654_321);
    h.code_for(&tomas, &[]).await;

    let (_, _, page) = h.get(&h.authorize_url(&[])).await;
    assert!(page.contains(&format!("Signed in as Tomás Ng ({tomas})")));
    assert!(page.contains(&format!("value=\"{tomas}\" checked")));

    let (_, _, page) = h.get(&h.authorize_url(&[("prompt", "login")])).await;
    assert!(!page.contains("Signed in as"));
    assert!(!page.contains(" checked"));

    // prompt=login is only honoured with openid, as at ORCID.
    let (_, _, page) = h
        .get(&h.authorize_url(&[("prompt", "login"), ("scope", "/authenticate")]))
        .await;
    assert!(page.contains("Signed in as Tomás Ng"));

    // `orcid` pre-selects that researcher instead.
    let sofia = OrcidId::from_base_digits(900_012_345_678);
    let (_, _, page) = h.get(&h.authorize_url(&[("orcid", sofia.as_str())])).await;
    assert!(page.contains(&format!("value=\"{sofia}\" checked")));
    assert!(!page.contains(&format!("value=\"{tomas}\" checked")));

    // Signing out through userStatus.json ends the session.
    let status: serde_json::Value = h
        .http
        .get(h.url("/userStatus.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status, serde_json::json!({"loggedIn": true}));
    h.http
        .get(h.url("/userStatus.json?logUserOut=true"))
        .send()
        .await
        .unwrap();
    let (_, _, page) = h.get(&h.authorize_url(&[])).await;
    assert!(!page.contains("Signed in as"));
}

#[tokio::test]
async fn creating_a_researcher_validates_names_and_keeps_input() {
    let h = Harness::start().await;
    let resp = h
        .submit(
            &[],
            &[
                ("orcid", "new"),
                ("given_names", "Ada <b>"),
                ("family_name", " "),
                ("decision", "authorize"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let page = resp.text().await.unwrap();
    assert!(page.contains("role=\"alert\""));
    assert!(page.contains("enter both given names and a family name"));
    assert!(
        page.contains("value=\"Ada &#60;b&#62;\"") || page.contains("value=\"Ada &lt;b&gt;\""),
        "{page}"
    );
    assert!(page.contains("value=\"new\" checked"));

    // Nothing chosen at all.
    let resp = h.submit(&[], &[("decision", "authorize")]).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("Choose a test researcher"));

    let resp = h
        .submit(
            &[],
            &[
                ("orcid", "new"),
                ("given_names", "Grace"),
                ("family_name", "Hopper"),
                ("decision", "authorize"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    let code = query_param(&location(&resp), "code").unwrap();
    let (_, body) = h.exchange(&code).await;
    let id = OrcidId::parse(body["orcid"].as_str().unwrap()).unwrap();
    assert!(id.as_str().starts_with("0009-"));
    assert_eq!(h.mock.researcher_name(&id).as_deref(), Some("Grace Hopper"));
    assert_eq!(body["name"], "Grace Hopper");
}

#[tokio::test]
async fn a_post_without_the_page_session_is_refused() {
    let h = Harness::start().await;
    let sofia = OrcidId::from_base_digits(900_012_345_678);
    let form = [
        ("client_id", CLIENT_ID),
        ("response_type", "code"),
        ("scope", SCOPE),
        ("redirect_uri", REDIRECT),
        ("orcid", sofia.as_str()),
        ("decision", "authorize"),
    ];
    let resp = browser()
        .post(h.url("/oauth/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp.headers().get(LOCATION).is_none());

    // With the cookie but a wrong csrf_token: refused too.
    h.get(&h.authorize_url(&[])).await;
    let mut forged: Vec<(&str, &str)> = form.to_vec();
    forged.push(("csrf_token", "00000000000000000000000000000000"));
    let resp = h
        .http
        .post(h.url("/oauth/authorize"))
        .form(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn record_index_and_stylesheet_pages() {
    let h = Harness::start().await;
    let sofia = OrcidId::from_base_digits(900_012_345_678);
    let (status, _, page) = h.get(&h.url(&format!("/{sofia}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Sofia Garcia") && page.contains(&format!("{}/{sofia}", h.base)));

    let (status, _, page) = h.get(&h.url("/0000-0002-1825-0097")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("simulated ORCID"));
    assert_eq!(h.get(&h.url("/not-an-id")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        h.get(&h.url("/no/such/page")).await.0,
        StatusCode::NOT_FOUND
    );

    let (status, _, page) = h.get(&h.url("")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Tomás Ng"));

    let (status, headers, css) = h.get(&h.url("/mock.css")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert!(css.contains(".banner"));
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let shown = format!("{:?}", clients());
    assert!(!shown.contains(SECRET) && shown.contains("[redacted]"));
}

#[tokio::test]
async fn a_foreign_redirect_uri_never_gets_a_code_even_with_prompt_none() {
    let h = Harness::start().await;
    // Signed in and already authorized: prompt=none would hand out a code at once.
    let sofia = OrcidId::from_base_digits(900_012_345_678);
    let code = h.code_for(&sofia, &[]).await;
    assert_eq!(h.exchange(&code).await.0, StatusCode::OK);
    let silent = |uri: &str| h.authorize_url(&[("prompt", "none"), ("redirect_uri", uri)]);
    let resp = h.http.get(silent(REDIRECT)).send().await.unwrap();
    assert!(query_param(&location(&resp), "code").is_some());

    for foreign in [
        "https://evil.example.org/orcid/callback",
        "http://app.example.org/orcid/callback",
        "https://app.example.org.evil.example/orcid/callback",
        "https://app.example.org/orcid/elsewhere",
    ] {
        let (status, headers, page) = h.get(&silent(foreign)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{foreign}");
        assert!(headers.get(LOCATION).is_none(), "{foreign}");
        assert!(page.contains("Redirect URI mismatch"), "{foreign}");
        assert!(!page.contains("code="), "{foreign}");

        // A tampered authorize form is refused the same way: no redirect, no code.
        let (_, _, page) = h.get(&h.authorize_url(&[])).await;
        let mut form = hidden_inputs(&page);
        form.retain(|(k, _)| k != "redirect_uri");
        form.push(("redirect_uri".into(), foreign.into()));
        form.push(("orcid".into(), sofia.to_string()));
        form.push(("decision".into(), "authorize".into()));
        let resp = h
            .http
            .post(h.url("/oauth/authorize"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{foreign}");
        assert!(resp.headers().get(LOCATION).is_none(), "{foreign}");
    }
}
