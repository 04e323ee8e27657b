//! What idlink exposes to anyone who can reach it: /metrics needs its token.

use std::net::IpAddr;

use crate::common::TestApp;
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

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
