//! What an anonymous visitor can cost idlink, and what it exposes: starting sign-ins stores
//! nothing server-side and is limited per address, /metrics needs its token, and the
//! database files are private.

use std::net::IpAddr;
use std::sync::Arc;

use crate::common::{location, ok, query_param, set_cookie, TestApp};
use idlink::web::pending_signin;
use reqwest::cookie::Jar;
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

/// Rows in the sessions table, read from the database file by a connection of its own.
async fn session_rows(app: &TestApp) -> i64 {
    let url = format!("sqlite://{}?mode=ro", app.db_path.display());
    let pool = sqlx::SqlitePool::connect(&url)
        .await
        .expect("open the file");
    let n = sqlx::query_scalar("SELECT COUNT(*) FROM tower_sessions")
        .fetch_one(&pool)
        .await
        .expect("count sessions");
    pool.close().await;
    n
}

/// A client that keeps no cookies and follows no redirects, optionally from another
/// loopback address.
fn cookieless(from: Option<IpAddr>) -> Client {
    Client::builder()
        .redirect(Policy::none())
        .local_address(from)
        .build()
        .expect("client")
}

#[tokio::test]
async fn ten_thousand_anonymous_connects_leave_the_sessions_table_unchanged() {
    let app = Arc::new(TestApp::spawn().await);
    // One signed-in researcher, so the table is not trivially empty.
    let signed_in = app.browser();
    app.sign_in(&signed_in).await;
    let before = session_rows(&app).await;
    assert_eq!(before, 1);

    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let app = app.clone();
        tasks.spawn(async move {
            let client = cookieless(None);
            for _ in 0..1250 {
                let res = client.get(app.url("/orcid/connect")).send().await.unwrap();
                assert_eq!(res.status(), StatusCode::SEE_OTHER);
                assert!(set_cookie(&res, "idlink_signin").is_some());
                assert!(set_cookie(&res, "idlink_session").is_none());
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("connect task");
    }
    // A signed-in researcher starting a sign-in adds nothing either.
    app.start(&signed_in, "?access=signin").await;
    assert_eq!(session_rows(&app).await, before);
}

#[tokio::test]
async fn over_limit_connects_get_429_while_another_address_still_works() {
    let app = TestApp::spawn_with(&["--connect-rate-per-min", "1", "--connect-burst", "3"]).await;
    let here = cookieless(Some("127.0.0.1".parse().unwrap()));
    for _ in 0..3 {
        let res = here.get(app.url("/orcid/connect")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let res = here.get(app.url("/orcid/connect")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert!(set_cookie(&res, "idlink_signin").is_none());
    let text = res.text().await.unwrap();
    assert!(text.contains("Too many sign-ins"), "{text}");

    // Another address has its own allowance; other pages are not limited.
    let there = cookieless(Some("127.0.0.2".parse().unwrap()));
    let res = there.get(app.url("/orcid/connect")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    ok(app.get_text(&here, "/").await);
}

#[tokio::test]
async fn behind_a_proxy_the_address_it_added_is_limited() {
    let app = TestApp::spawn_with(&[
        "--connect-rate-per-min",
        "1",
        "--connect-burst",
        "2",
        "--trusted-proxy-header",
        "X-Forwarded-For",
    ])
    .await;
    let client = cookieless(None);
    let connect = |forwarded: String| {
        client
            .get(app.url("/orcid/connect"))
            .header("x-forwarded-for", forwarded)
            .send()
    };
    // The client writes what it likes to the left; the proxy's entry is the right-most.
    for i in 0..2 {
        let res = connect(format!("10.9.9.{i}, 203.0.113.5")).await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let res = connect("10.9.9.9, 203.0.113.5".into()).await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let res = connect("203.0.113.5, 203.0.113.6".into()).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "another client");
}

#[tokio::test]
async fn a_full_sign_in_works_through_the_sealed_cookie_in_several_tabs() {
    let app = TestApp::spawn().await;
    let jar = Arc::new(Jar::default());
    let client = app.browser_with(jar.clone());
    let who = app.mock.add_researcher("Ada", "Lovelace");
    // Two tabs start a sign-in; both finish.
    let first = app.start(&client, "").await;
    let second = app.start(&client, "?access=signin").await;
    assert_eq!(session_rows(&app).await, 0, "nothing stored before sign-in");
    let first = app.decide(&client, &first, &who, true).await;
    let second = app.decide(&client, &second, &who, true).await;
    let res = client.get(second).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/me");
    let kept = set_cookie(&res, "idlink_signin").expect("the other tab's sign-in is kept");
    assert!(!kept.contains("Max-Age=0"), "{kept}");
    let res = client.get(first).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cleared = set_cookie(&res, "idlink_signin").expect("the spent cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let me = ok(app.get_text(&client, "/me").await);
    assert!(me.contains("Ada Lovelace"), "{me}");
    assert_eq!(
        session_rows(&app).await,
        1,
        "one session: the signed-in one"
    );
}

#[tokio::test]
async fn a_tampered_expired_or_replayed_sign_in_cookie_is_refused_with_a_clear_page() {
    let app = TestApp::spawn().await;
    let jar = Arc::new(Jar::default());
    let client = app.browser_with(jar.clone());
    let who = app.mock.add_researcher("Alan", "Turing");
    let authorize = app.start(&client, "").await;
    let callback = app.decide(&client, &authorize, &who, true).await;
    let cookie = app.signin_cookie(&jar);
    let value = cookie.as_str();
    let callback_with = |cookie: String| {
        cookieless(None)
            .get(callback.clone())
            .header("cookie", cookie)
            .send()
    };

    // Tampered: one character changed.
    let mut tampered = value.to_owned();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let res = callback_with(format!("idlink_signin={tampered}"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let removal = set_cookie(&res, "idlink_signin").expect("the bad cookie is removed");
    assert!(removal.contains("Max-Age=0"), "{removal}");
    let html = res.text().await.unwrap();
    assert!(html.contains("This sign-in could not be checked"), "{html}");
    assert!(html.contains("Start again"), "{html}");

    // Expired: the same sign-in, sealed as if it had started 11 minutes ago.
    let mut pending = pending_signin::open(&app.state.cipher, value).unwrap();
    pending[0].created_at -= 11 * 60;
    let expired = pending_signin::seal(&app.state.cipher, &pending);
    let res = callback_with(format!("idlink_signin={expired}"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("This sign-in took too long"), "{html}");
    assert_eq!(app.mock.token_requests(), 0, "no token asked for");

    // The genuine cookie, once used, does not work again even if sent again.
    let authorize = app.start(&client, "").await;
    let state = query_param(&authorize, "state").unwrap();
    let callback = app.decide(&client, &authorize, &who, true).await;
    let genuine = format!("idlink_signin={}", app.signin_cookie(&jar));
    let res = client.get(callback.clone()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "signed in");
    let res = cookieless(None)
        .get(callback)
        .header("cookie", genuine)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "state {state} replayed"
    );
    assert!(res.text().await.unwrap().contains("already used"));
    assert_eq!(app.mock.token_requests(), 1);
}

#[tokio::test]
async fn metrics_are_served_only_with_the_bearer_token() {
    let app = TestApp::spawn().await;
    let client = cookieless(None);
    let res = client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    for wrong in [
        "wrong",
        "test-metrics-token-012345678",
        "test-metrics-token-0123456789x",
    ] {
        let res = client
            .get(app.url("/metrics"))
            .bearer_auth(wrong)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{wrong}");
        assert!(!res.text().await.unwrap().contains("idlink_"));
    }
    assert!(app.metrics().await.contains("idlink_connected_researchers"));

    // No METRICS_TOKEN (demo mode included): no /metrics at all.
    let app = TestApp::spawn_with(&["--metrics-token", ""]).await;
    let res = client
        .get(app.url("/metrics"))
        .bearer_auth(TestApp::METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[cfg(unix)]
#[tokio::test]
async fn the_database_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn().await;
    app.sign_in(&app.browser()).await;
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", app.db_path.display());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{path}");
    }
}
