//! Connect your ORCID iD, end to end over real HTTP against the simulated ORCID.

use std::sync::Arc;
use std::time::Duration;

use crate::common::{location, query_param, set_cookie, TestApp};
use idlink::web::pending_signin;
use orcid_sim::Fault;
use reqwest::cookie::Jar;
use reqwest::StatusCode;
use secrecy::ExposeSecret;

#[tokio::test]
async fn authorize_redirect_carries_every_parameter() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let res = client
        .get(app.url("/orcid/connect"))
        .header("accept-language", "fr-CA,fr;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let url = url::Url::parse(location(&res)).unwrap();
    assert_eq!(
        url.as_str().split('?').next().unwrap(),
        app.url("/mock-orcid/oauth/authorize")
    );
    assert_eq!(
        query_param(&url, "client_id").unwrap(),
        orcid_sim::DEMO_CLIENT_ID
    );
    assert_eq!(query_param(&url, "response_type").unwrap(), "code");
    assert_eq!(
        query_param(&url, "scope").unwrap(),
        "openid /read-limited /activities/update"
    );
    assert_eq!(
        query_param(&url, "redirect_uri").unwrap(),
        app.url("/orcid/callback")
    );
    assert_eq!(query_param(&url, "lang").unwrap(), "fr");
    assert!(query_param(&url, "prompt").is_none());
    let state = query_param(&url, "state").unwrap();
    // 32 random bytes, base64url: well over 128 bits.
    assert!(state.len() >= 43, "state too short: {state}");
    let nonce = query_param(&url, "nonce").unwrap();
    assert!(nonce.len() >= 43 && nonce != state);

    // A second start gets a fresh state; an unsupported language sends no lang.
    let res = client
        .get(app.url("/orcid/connect"))
        .header("accept-language", "nl-NL")
        .send()
        .await
        .unwrap();
    let again = url::Url::parse(location(&res)).unwrap();
    assert_ne!(query_param(&again, "state").unwrap(), state);
    assert!(query_param(&again, "lang").is_none());
}

#[tokio::test]
async fn successful_connection_shows_the_id_on_me() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;

    let html = client
        .get(app.url("/me"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Ada Lovelace"), "{html}");
    let record = format!("{}/mock-orcid/{who}", app.base);
    assert!(
        html.contains(&format!("href=\"{record}\"")),
        "iD must link to its record"
    );
    assert!(
        html.contains(&format!("<span>{record}</span>")),
        "full iD URL shown"
    );
    assert!(
        html.contains(&idlink::web::assets::url("orcid-id.svg")),
        "iD icon shown"
    );
    assert!(html.contains("read your limited-access data"));
    assert!(html.contains("add and update works"));
    assert!(html.contains("Connected on"));

    let researcher = app.state.store.researcher(&who).await.unwrap().unwrap();
    assert_eq!(researcher.name, "Ada Lovelace");
    assert!(!researcher.is_staff);
    let tokens = app.state.store.tokens(&who).await.unwrap().unwrap();
    assert!(app
        .mock
        .is_access_token_active(tokens.access_token.expose_secret()));
    assert!(tokens.refresh_token.is_some());
    assert!(tokens.expires_at > idlink::store::now() + 10 * 365 * 24 * 3600);
    assert_eq!(tokens.scope.split(' ').count(), 3);
}

#[tokio::test]
async fn denial_shows_a_kind_page_and_requests_no_token() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.mock.add_researcher("Grace", "Hopper");
    let authorize = app.start(&client, "").await;
    let callback = app.decide(&client, &authorize, &who, false).await;
    assert_eq!(query_param(&callback, "error").unwrap(), "access_denied");
    let res = client.get(callback).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Nothing was shared"), "{html}");
    assert!(
        html.contains("/orcid/connect?access=signin"),
        "offers fewer permissions"
    );
    assert_eq!(app.mock.token_requests(), 0);
    assert!(app.state.store.researcher(&who).await.unwrap().is_none());
}

#[tokio::test]
async fn bad_state_is_refused_before_any_token_request() {
    let app = TestApp::spawn_with(&["--oauth-state-ttl-secs", "1"]).await;
    let jar = Arc::new(Jar::default());
    let client = app.browser_with(jar.clone());
    let who = app.mock.add_researcher("Alan", "Turing");
    let authorize = app.start(&client, "").await;
    let callback = app.decide(&client, &authorize, &who, true).await;
    let code = query_param(&callback, "code").unwrap();

    for (what, query) in [
        ("missing", format!("code={code}")),
        ("empty", format!("code={code}&state=")),
        ("wrong", format!("code={code}&state=not-the-state")),
    ] {
        let res = client
            .get(app.url(&format!("/orcid/callback?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{what} state");
        let html = res.text().await.unwrap();
        assert!(html.contains("Start again"), "{what}: {html}");
    }
    // A different browser (no session) cannot use this state either.
    let res = app.browser().get(callback.clone()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // Expired: the state is older than its lifetime (one second, counted in whole
    // seconds), as if the sign-in had been started two seconds earlier.
    age_pending_sign_ins(&app, &jar, 2).await;
    let res = client.get(callback.clone()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("took too long"));
    // Already used: the expired attempt spent it.
    let res = client.get(callback).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    assert_eq!(
        app.mock.token_requests(),
        0,
        "no token request for a bad state"
    );
}

/// Moves the browser's pending sign-ins `secs` seconds into the past, so an expired state
/// is tested without waiting for it to expire: the sealed cookie is opened with idlink's
/// key, aged, sealed again and put back in the browser.
async fn age_pending_sign_ins(app: &TestApp, jar: &Jar, secs: i64) {
    let value = app.signin_cookie(jar);
    let mut pending =
        pending_signin::open(&app.state.cipher, &value).expect("the cookie opens with the key");
    assert!(!pending.is_empty(), "a sign-in is pending");
    for p in &mut pending {
        p.created_at -= secs;
    }
    let aged = pending_signin::seal(&app.state.cipher, &pending);
    let callback = url::Url::parse(&app.url("/orcid/callback")).unwrap();
    jar.add_cookie_str(&format!("idlink_signin={aged}; Path=/orcid"), &callback);
}

#[tokio::test]
async fn a_state_works_once() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.mock.add_researcher("Alan", "Turing");
    let authorize = app.start(&client, "").await;
    let callback = app.decide(&client, &authorize, &who, true).await;
    assert_eq!(
        client.get(callback.clone()).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let res = client.get(callback).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.mock.token_requests(), 1);
}

#[tokio::test]
async fn orcid_callback_errors_have_their_own_messages() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    for (error, expect) in [
        ("invalid_scope", "did not accept the permissions"),
        ("login_required", "Please sign in to ORCID"),
        ("interaction_required", "Please sign in to ORCID"),
        ("client_deactivated", "not available at ORCID"),
        ("something_new", "could not complete the sign-in"),
    ] {
        let authorize = app.start(&client, "").await;
        let state = query_param(&authorize, "state").unwrap();
        let res = client
            .get(app.url(&format!(
                "/orcid/callback?error={error}&error_description=x&state={state}"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{error}");
        let html = res.text().await.unwrap();
        assert!(html.contains(expect), "{error}: {html}");
        assert!(
            !html.contains("error_description"),
            "ORCID's text is not echoed"
        );
    }
    assert_eq!(app.mock.token_requests(), 0);
}

#[tokio::test]
async fn reused_code_is_refused_and_revokes_at_orcid() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.mock.add_researcher("Alan", "Turing");
    let first = app.start(&client, "").await;
    let second = app.start(&client, "").await;
    let callback = app.decide(&client, &first, &who, true).await;
    let code = query_param(&callback, "code").unwrap();
    assert_eq!(
        client.get(callback).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let tokens = app.state.store.tokens(&who).await.unwrap().unwrap();

    // The same code replayed with the other tab's (valid) state.
    let replay = format!(
        "/orcid/callback?code={code}&state={}",
        query_param(&second, "state").unwrap()
    );
    let res = client.get(app.url(&replay)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("expired or was already used"));
    assert!(
        !app.mock
            .is_access_token_active(tokens.access_token.expose_secret()),
        "ORCID revokes on reuse"
    );
}

#[tokio::test]
async fn orcid_errors_at_token_exchange_store_nothing() {
    for (fault, status, expect) in [
        (
            Fault::TokenStatus(503),
            StatusCode::BAD_GATEWAY,
            "ORCID is having problems",
        ),
        (
            Fault::TokenStatus(500),
            StatusCode::BAD_GATEWAY,
            "ORCID is having problems",
        ),
        (
            Fault::TokenStatus(401),
            StatusCode::BAD_GATEWAY,
            "did not recognise this service",
        ),
        (
            Fault::IdTokenWrongKey,
            StatusCode::BAD_GATEWAY,
            "could not verify",
        ),
        (
            Fault::IdTokenNonce("forged".into()),
            StatusCode::BAD_GATEWAY,
            "could not verify",
        ),
        (
            Fault::IdTokenSubject("0000-0002-1825-0097".into()),
            StatusCode::BAD_GATEWAY,
            "could not verify",
        ),
    ] {
        let app = TestApp::spawn().await;
        let client = app.browser();
        let who = app.mock.add_researcher("Alan", "Turing");
        let authorize = app.start(&client, "").await;
        let callback = app.decide(&client, &authorize, &who, true).await;
        let label = format!("{fault:?}");
        app.mock.set_fault(Some(fault));
        let res = client.get(callback).send().await.unwrap();
        assert_eq!(res.status(), status, "{label}");
        let html = res.text().await.unwrap();
        assert!(html.contains(expect), "{label}: {html}");
        assert!(html.contains("Nothing was stored"), "{label}");
        assert!(
            app.state.store.researcher(&who).await.unwrap().is_none(),
            "{label}: nothing stored"
        );
        assert_eq!(app.state.store.count_connected().await.unwrap(), 0);
        let me = client.get(app.url("/me")).send().await.unwrap();
        assert_eq!(location(&me), "/", "{label}: not signed in");
    }
}

#[tokio::test]
async fn slow_orcid_times_out_with_a_clear_page() {
    let app = TestApp::spawn_with(&["--orcid-timeout-secs", "1"]).await;
    let client = app.browser();
    let who = app.mock.add_researcher("Alan", "Turing");
    let authorize = app.start(&client, "").await;
    let callback = app.decide(&client, &authorize, &who, true).await;
    app.mock
        .set_fault(Some(Fault::TokenDelay(Duration::from_secs(3))));
    let res = client.get(callback).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::GATEWAY_TIMEOUT);
    assert!(res.text().await.unwrap().contains("did not answer in time"));
    assert!(app.state.store.researcher(&who).await.unwrap().is_none());
}

#[tokio::test]
async fn unreachable_orcid_gives_a_clear_page() {
    // A registry address where nothing listens.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let app = TestApp::spawn_with(&["--orcid-base-url", &dead]).await;
    let client = app.browser();
    let authorize = app.start(&client, "").await;
    assert!(authorize.as_str().starts_with(&dead));
    let state = query_param(&authorize, "state").unwrap();
    let res = client
        .get(app.url(&format!("/orcid/callback?code=AbC123&state={state}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    let html = res.text().await.unwrap();
    assert!(html.contains("ORCID is having problems"), "{html}");
    assert_eq!(app.state.store.count_connected().await.unwrap(), 0);
}

#[tokio::test]
async fn reconnecting_replaces_the_tokens_in_one_row() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let first = app.state.store.tokens(&who).await.unwrap().unwrap();
    let other_browser = app.browser();
    app.sign_in_as(&other_browser, &who, "").await;
    let second = app.state.store.tokens(&who).await.unwrap().unwrap();
    assert_ne!(
        first.access_token.expose_secret(),
        second.access_token.expose_secret()
    );
    assert_eq!(app.state.store.count_connected().await.unwrap(), 1);
}

#[tokio::test]
async fn sign_in_only_and_switch_account() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let signin = app.start(&client, "?access=signin").await;
    assert_eq!(query_param(&signin, "scope").unwrap(), "openid");
    let switch = app.start(&client, "?switch=1").await;
    assert_eq!(query_param(&switch, "prompt").unwrap(), "login");
    assert!(query_param(&switch, "scope")
        .unwrap()
        .split(' ')
        .any(|s| s == "openid"));

    // Sign-in only: /me says what was granted and offers the rest.
    let who = app.mock.add_researcher("Emmy", "Noether");
    app.sign_in_as(&client, &who, "?access=signin").await;
    let html = client
        .get(app.url("/me"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("know your ORCID iD and name"));
    assert!(html.contains("would also like to"), "{html}");
    assert_eq!(
        app.state.store.tokens(&who).await.unwrap().unwrap().scope,
        "openid"
    );

    // An institution that asks for /authenticate gets prompt=login with openid instead.
    let app = TestApp::spawn_with(&["--orcid-scopes", "/authenticate /read-limited"]).await;
    let client = app.browser();
    let switch = app.start(&client, "?switch=1").await;
    assert_eq!(
        query_param(&switch, "scope").unwrap(),
        "openid /read-limited"
    );
    let signin = app.start(&client, "?access=signin").await;
    assert_eq!(query_param(&signin, "scope").unwrap(), "/authenticate");
    assert!(
        query_param(&signin, "nonce").is_none(),
        "no nonce without openid"
    );
}

#[tokio::test]
async fn connecting_without_openid_works_without_an_id_token() {
    let app = TestApp::spawn_with(&["--orcid-scopes", "/authenticate /read-limited"]).await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let tokens = app.state.store.tokens(&who).await.unwrap().unwrap();
    assert!(tokens.scope.contains("/authenticate"));
}

#[tokio::test]
async fn disconnect_revokes_at_orcid_then_forgets() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let tokens = app.state.store.tokens(&who).await.unwrap().unwrap();
    let res = app.post_form(&client, "/me", "/me/disconnect", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("revoked its access at ORCID"), "{html}");
    let revoked = app.mock.revoke_requests();
    assert!(revoked
        .iter()
        .any(|t| t == tokens.access_token.expose_secret()));
    assert!(!app
        .mock
        .is_access_token_active(tokens.access_token.expose_secret()));
    assert!(app.state.store.tokens(&who).await.unwrap().is_none());
    assert!(app
        .state
        .store
        .researcher(&who)
        .await
        .unwrap()
        .unwrap()
        .disconnected_at
        .is_some());
    // Signed out too.
    assert_eq!(
        location(&client.get(app.url("/me")).send().await.unwrap()),
        "/"
    );
}

#[tokio::test]
async fn disconnect_when_orcid_cannot_revoke_still_forgets_and_says_so() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let csrf = app.csrf(&client).await;
    app.mock.set_fault(Some(Fault::RevokeStatus(500)));
    let res = client
        .post(app.url("/me/disconnect"))
        .form(&[("csrf", csrf)])
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("could not reach ORCID"));
    assert!(app.state.store.tokens(&who).await.unwrap().is_none());
}

#[tokio::test]
async fn forms_without_the_right_csrf_token_are_refused() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    for form in [vec![], vec![("csrf", "forged".to_string())]] {
        let res = client
            .post(app.url("/me/disconnect"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = client
            .post(app.url("/signout"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
    // Another person's token does not work either.
    let other = app.browser();
    app.sign_in(&other).await;
    let foreign = app.csrf(&other).await;
    let res = client
        .post(app.url("/me/disconnect"))
        .form(&[("csrf", foreign)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        app.state.store.tokens(&who).await.unwrap().is_some(),
        "nothing changed"
    );
    assert!(app.mock.revoke_requests().is_empty());
}

#[tokio::test]
async fn each_page_carries_a_fresh_masking_of_the_csrf_token() {
    // Pages are compressed: a token repeated unchanged beside reflected input leaks (BREACH).
    let app = TestApp::spawn().await;
    let client = app.browser();
    app.sign_in(&client).await;
    let (first, second) = (app.csrf(&client).await, app.csrf(&client).await);
    assert_ne!(
        first, second,
        "the same session's token differs on each page"
    );
    for token in [&first, &second] {
        let res = app
            .post_fields(&client, "/me/works/refresh", &[("csrf", token)])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{token} accepted");
    }
    let other = app.browser();
    app.sign_in(&other).await;
    let foreign = app.csrf(&other).await;
    let res = app
        .post_fields(&client, "/me/works/refresh", &[("csrf", &foreign)])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sign_out_ends_the_session_but_keeps_the_connection() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let res = app.post_form(&client, "/me", "/signout", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        location(&client.get(app.url("/me")).send().await.unwrap()),
        "/"
    );
    assert!(app.state.store.tokens(&who).await.unwrap().is_some());
}

#[tokio::test]
async fn session_id_changes_at_sign_in_and_cookies_are_strict() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let res = client.get(app.url("/orcid/connect")).send().await.unwrap();
    assert!(
        session_cookie(&res).is_none(),
        "starting a sign-in opens no session"
    );
    let pending = set_cookie(&res, "idlink_signin")
        .map(String::from)
        .expect("sign-in cookie set at connect");
    assert!(pending.contains("HttpOnly"), "{pending}");
    assert!(pending.contains("SameSite=Lax"), "{pending}");
    assert!(!pending.contains("Secure"), "{pending}");
    let authorize = url::Url::parse(location(&res)).unwrap();
    let who = app.mock.add_researcher("Alan", "Turing");
    let callback = app.decide(&client, &authorize, &who, true).await;
    let res = client.get(callback).send().await.unwrap();
    let before = session_cookie(&res).expect("session cookie set at sign-in");
    assert!(before.contains("HttpOnly"), "{before}");
    assert!(before.contains("SameSite=Lax"), "{before}");
    assert!(!before.contains("Secure"), "{before}");
    // Signing in again in a browser that has a session: the session gets a new id.
    let authorize = app.start(&client, "").await;
    let callback = app.decide(&client, &authorize, &who, true).await;
    let res = client.get(callback).send().await.unwrap();
    let after = session_cookie(&res).expect("new session cookie at sign-in");
    assert_ne!(cookie_value(&before), cookie_value(&after));

    // With an https PUBLIC_URL, cookies are Secure. The test's browser speaks http to the
    // app, so it is pointed from PUBLIC_URL to the app, and carries the Secure cookie
    // itself (a browser would not send it over http).
    let public = "https://ids.example.edu";
    let app = TestApp::spawn_with(&["--public-url", public]).await;
    let client = app.browser();
    let res = client.get(app.url("/orcid/connect")).send().await.unwrap();
    let pending = set_cookie(&res, "idlink_signin").map(String::from).unwrap();
    assert!(pending.contains("Secure"), "{pending}");
    assert!(res.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age"));
    let authorize = url::Url::parse(&location(&res).replace(public, &app.base)).unwrap();
    let who = app.mock.add_researcher("Alan", "Turing");
    let callback = app.decide(&client, &authorize, &who, true).await;
    let res = client
        .get(callback.as_str().replace(public, &app.base))
        .header("cookie", cookie_value(&pending))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "signed in over https");
    let cookie = session_cookie(&res).unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    set_cookie(res, "idlink_session").map(String::from)
}

fn cookie_value(c: &str) -> &str {
    c.split(';').next().unwrap_or_default()
}

#[tokio::test]
async fn every_page_carries_security_headers() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    for path in [
        "/",
        "/me",
        "/orcid/callback?state=x",
        "/healthz",
        "/nope",
        "/mock-orcid/.well-known/openid-configuration",
    ] {
        let res = client.get(app.url(path)).send().await.unwrap();
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert!(h.contains_key("referrer-policy"), "{path}");
    }
    let html = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script"), "no inline script");
    assert!(!html.contains("style=\""), "no inline style");
}

#[tokio::test]
async fn landing_page_explains_and_offers_the_button() {
    let app = TestApp::spawn_with(&["--institution-name", "Example University"]).await;
    let res = app.browser().get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Connect your ORCID iD"));
    assert!(html.contains("href=\"/orcid/connect\""));
    assert!(html.contains(&idlink::web::assets::url("orcid-id.svg")));
    assert!(html.contains("Example University"));
    assert!(html.contains("simulated ORCID"), "demo banner");
    assert!(html.contains("Not you? Sign in to ORCID as someone else"));
    let svg = app
        .browser()
        .get(app.url("/static/orcid-id.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().contains("#A6CE39"));
}

#[tokio::test]
async fn tokens_are_never_plain_text_in_the_database_files() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let tokens = app.state.store.tokens(&who).await.unwrap().unwrap();
    let access = tokens.access_token.expose_secret().to_string();
    let refresh = tokens.refresh_token.unwrap().expose_secret().to_string();
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", app.db_path.display());
        if let Ok(b) = std::fs::read(&path) {
            bytes.extend(b);
        }
    }
    assert!(bytes.len() > 4096, "database files were read");
    for secret in [&access, &refresh] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "a token is in plain text"
        );
        // Nor any 8-character run of it (e.g. without hyphens).
        let compact = secret.replace('-', "");
        assert!(!bytes
            .windows(12)
            .any(|w| compact.as_bytes().windows(12).any(|c| c == w)));
    }
}

#[tokio::test]
async fn concurrent_sign_ins_all_succeed() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let client = app.browser();
            let who = app
                .mock
                .add_researcher("Parallel", &format!("Researcher {i}"));
            app.sign_in_as(&client, &who, "").await;
        }));
    }
    for t in tasks {
        t.await.expect("sign-in task");
    }
    assert_eq!(app.state.store.count_connected().await.unwrap(), 16);
}

#[tokio::test]
async fn staff_role_follows_the_staff_list() {
    let staff: orcid::OrcidId = "0000-0002-1825-0097".parse().unwrap();
    let app = TestApp::spawn_with(&["--staff-orcids", staff.as_str()]).await;
    app.mock.add_researcher_with_id(&staff, "Staff", "Member");
    app.sign_in_as(&app.browser(), &staff, "").await;
    assert!(
        app.state
            .store
            .researcher(&staff)
            .await
            .unwrap()
            .unwrap()
            .is_staff
    );
    let other = app.sign_in(&app.browser()).await;
    assert!(
        !app.state
            .store
            .researcher(&other)
            .await
            .unwrap()
            .unwrap()
            .is_staff
    );
}

#[tokio::test]
async fn health_and_metrics() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let res = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    app.sign_in(&client).await;
    let text = app.metrics().await;
    assert!(
        text.contains(r#"idlink_http_requests_total{route="/orcid/callback",status="303"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"idlink_orcid_calls_total{endpoint="token",outcome="ok"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"idlink_orcid_calls_total{endpoint="jwks",outcome="ok"} 1"#),
        "{text}"
    );
    assert!(text.contains("idlink_connected_researchers 1"), "{text}");
}

#[test]
fn invalid_settings_stop_the_server_with_a_message() {
    for (var, value, expect) in [
        ("TOKEN_KEY", "c2hvcnQ=", "TOKEN_KEY"),
        ("ORCID_ENV", "production", "ORCID_CLIENT_ID"),
        ("STAFF_ORCIDS", "0000-0002-1825-0098", "check digit"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_idlink"))
            .env(var, value)
            .env("DATABASE_URL", "sqlite:///nonexistent/never-created.db")
            .output()
            .expect("run idlink");
        assert_eq!(out.status.code(), Some(2), "{var}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expect), "{var}: {stderr}");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_idlink"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("PUBLIC_URL") && help.contains("TOKEN_KEY"),
        "{help}"
    );
}

#[tokio::test]
async fn rotated_orcid_keys_are_fetched_again_on_an_unknown_kid() {
    let app = TestApp::spawn().await;
    app.sign_in(&app.browser()).await;
    app.mock.rotate_signing_key().unwrap();
    // The cached keys do not know the new kid: idlink fetches the JWKS again and accepts it.
    app.sign_in(&app.browser()).await;
    let metrics = app.metrics().await;
    assert!(
        metrics.contains(r#"idlink_orcid_calls_total{endpoint="jwks",outcome="ok"} 2"#),
        "{metrics}"
    );
    // A third sign-in uses the cache again.
    app.sign_in(&app.browser()).await;
    let metrics = app.metrics().await;
    assert!(
        metrics.contains(r#"idlink_orcid_calls_total{endpoint="jwks",outcome="ok"} 2"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn demo_mode_points_to_public_url_when_opened_elsewhere() {
    let app = TestApp::spawn().await;
    // The harness's PUBLIC_URL is http://127.0.0.1:PORT; "localhost" is another address.
    let other = format!("http://localhost:{}/", app.addr.port());
    let html = app
        .browser()
        .get(other)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("set up for <a href=\"{}/\"", app.base)),
        "{html}"
    );
    let html = app
        .browser()
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("set up for"), "no warning at PUBLIC_URL");
}

#[tokio::test]
async fn demo_mode_works_behind_a_port_mapping() {
    // PUBLIC_URL names a port the browser uses (as docker's `-p 18082:8080` would) while
    // idlink listens on another: the browser goes through the mapping, idlink's server
    // reaches its simulated ORCID on its own listener.
    let outside = "127.0.0.1:9";
    let app = TestApp::spawn_with(&["--public-url", &format!("http://{outside}")]).await;
    let inside = app.addr.to_string();
    let through_mapping =
        |u: &url::Url| url::Url::parse(&u.as_str().replace(outside, &inside)).unwrap();
    let client = app.browser();
    let who = app.mock.add_researcher("Port", "Mapped");
    let authorize = app.start(&client, "").await;
    assert!(authorize
        .as_str()
        .starts_with(&format!("http://{outside}/mock-orcid/")));
    let callback = app
        .decide(&client, &through_mapping(&authorize), &who, true)
        .await;
    assert!(callback
        .as_str()
        .starts_with(&format!("http://{outside}/orcid/callback")));
    let res = client.get(through_mapping(&callback)).send().await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    assert!(app.state.store.tokens(&who).await.unwrap().is_some());
}
