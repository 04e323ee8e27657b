//! The Member API rate limit: 24 requests a second, burst 40, per client; 503 beyond.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use super::api_test_support::*;
use super::rate_limit::RateLimiter;
use super::test_harness::*;

#[tokio::test]
async fn sixty_quick_requests_meet_some_503s() {
    let h = Harness::start().await;
    let (id, token) = researcher_with_token(&h).await;
    let path = format!("/v3.0/{id}/works");
    // Sent all at once, so a slow machine cannot refill the bucket meanwhile.
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..60 {
        let (http, url, auth) = (h.http.clone(), h.url(&path), format!("Bearer {token}"));
        set.spawn(async move {
            let resp = http
                .get(url)
                .header("accept", VND)
                .header("authorization", auth)
                .send()
                .await
                .unwrap();
            let status = resp.status();
            let retry_after = resp.headers().get("retry-after").cloned();
            (status, retry_after, resp.text().await.unwrap())
        });
    }
    let mut refused = 0;
    while let Some(done) = set.join_next().await {
        let (status, retry_after, text) = done.unwrap();
        match status {
            StatusCode::OK => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                refused += 1;
                assert!(text.contains("\"error\":\"rate_limit_exceeded\""), "{text}");
                assert_eq!(retry_after.unwrap(), "1");
            }
            other => panic!("unexpected {other}: {text}"),
        }
    }
    assert!(refused >= 10, "only {refused} of 60 were refused");
    // Another client has its own bucket.
    let theirs = other_token(&h, &id).await;
    assert_eq!(get(&h, &path, &theirs).await.status, StatusCode::OK);
    // Turned off, nothing is refused.
    h.mock.set_rate_limit(None);
    for _ in 0..10 {
        assert_eq!(get(&h, &path, &token).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn the_burst_then_a_steady_pace_under_24_a_second_is_never_refused() {
    let h = Harness::start().await;
    let (id, token) = researcher_with_token(&h).await;
    let path = format!("/v3.0/{id}/works");
    // A fresh bucket so the token exchange above does not count.
    h.mock.set_rate_limit(Some((24, 40)));
    for i in 0..40 {
        let resp = get(&h, &path, &token).await;
        assert_eq!(resp.status, StatusCode::OK, "burst request {i}");
    }
    let started = Instant::now();
    for i in 0..10 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let resp = get(&h, &path, &token).await;
        assert_eq!(
            resp.status,
            StatusCode::OK,
            "paced request {i} after {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn the_bucket_refills_at_the_configured_rate() {
    let mut limiter = RateLimiter::default();
    let t0 = Instant::now();
    assert!((0..40).all(|_| limiter.allow("APP-A", t0)));
    assert!(!limiter.allow("APP-A", t0));
    assert!(limiter.allow("APP-B", t0));
    // 24 a second: one token every ~41.7 ms.
    assert!(!limiter.allow("APP-A", t0 + Duration::from_millis(30)));
    assert!(limiter.allow("APP-A", t0 + Duration::from_millis(90)));
    // A long pause refills no more than the burst.
    let later = t0 + Duration::from_secs(60);
    assert!((0..40).all(|_| limiter.allow("APP-A", later)));
    assert!(!limiter.allow("APP-A", later));
    limiter.set(None);
    assert!((0..1000).all(|_| limiter.allow("APP-A", later)));
}
