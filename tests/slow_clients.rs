//! Slow or idle clients cannot take the server down: stalled connections are closed by
//! the server within its timeouts, /healthz answers meanwhile, memory stays bounded, and
//! connections past the cap get a 503 (issue 7).

mod common;

use std::time::{Duration, Instant};

use common::TestApp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Short timeouts so the test runs in seconds.
const SHORT: &[&str] = &[
    "--header-read-timeout-secs",
    "1",
    "--request-body-timeout-secs",
    "1",
    "--keep-alive-timeout-secs",
    "2",
    "--request-timeout-secs",
    "5",
    "--orcid-timeout-secs",
    "2",
    "--max-connections",
    "200",
];

const PER_KIND: usize = 40;

#[derive(Clone, Copy, Debug)]
enum Stall {
    /// Part of a request head, then nothing.
    PartialHeaders,
    /// A whole head announcing 1,000 body bytes, ten of them, then nothing.
    StalledBody,
    /// One whole request and its answer, then nothing on the kept-alive connection.
    IdleKeepAlive,
}

async fn stalled(app: &TestApp, kind: Stall) -> TcpStream {
    let mut s = TcpStream::connect(app.addr).await.expect("connect");
    match kind {
        Stall::PartialHeaders => {
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .await
                .unwrap();
        }
        Stall::StalledBody => {
            s.write_all(
                b"POST /mock-orcid/oauth/token HTTP/1.1\r\nHost: x\r\n\
                  Content-Type: application/x-www-form-urlencoded\r\n\
                  Content-Length: 1000\r\n\r\nclient_id=",
            )
            .await
            .unwrap();
        }
        Stall::IdleKeepAlive => {
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                .await
                .unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            while !got.ends_with(b"ok\n") {
                let n = s.read(&mut buf).await.expect("answer");
                assert!(n > 0, "closed before answering");
                got.extend_from_slice(&buf[..n]);
            }
            assert!(got.starts_with(b"HTTP/1.1 200"));
        }
    }
    s
}

/// Reads until the server closes the connection; how long that took.
async fn until_closed(mut s: TcpStream, since: Instant) -> Duration {
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return since.elapsed(),
            Ok(_) => {}
        }
    }
}

fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_connections_are_closed_and_healthz_stays_prompt() {
    let app = TestApp::spawn_with(SHORT).await;
    let client = reqwest::Client::new();
    assert!(client
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
    let rss_before = rss_kb();

    let mut watchers = Vec::new();
    for kind in [
        Stall::PartialHeaders,
        Stall::StalledBody,
        Stall::IdleKeepAlive,
    ] {
        for _ in 0..PER_KIND {
            let s = stalled(&app, kind).await;
            watchers.push((kind, tokio::spawn(until_closed(s, Instant::now()))));
        }
    }

    // While they are held, /healthz answers promptly.
    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        let t = Instant::now();
        let res = client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        slowest = slowest.max(t.elapsed());
    }
    assert!(
        slowest < Duration::from_secs(1),
        "/healthz took {slowest:?}"
    );
    let grown_mb = rss_kb().saturating_sub(rss_before) / 1024;
    assert!(
        grown_mb < 64,
        "{} stalled connections grew the process by {grown_mb} MB",
        3 * PER_KIND
    );

    // The server closes each of them itself, within its timeouts (generous margins).
    for (kind, watcher) in watchers {
        let took = tokio::time::timeout(Duration::from_secs(15), watcher)
            .await
            .unwrap_or_else(|_| panic!("{kind:?}: still open after 15 s"))
            .unwrap();
        let (at_least, at_most) = match kind {
            Stall::PartialHeaders | Stall::StalledBody => (500, 5_000),
            Stall::IdleKeepAlive => (1_500, 6_000),
        };
        assert!(
            took >= Duration::from_millis(at_least) && took <= Duration::from_millis(at_most),
            "{kind:?} closed after {took:?}"
        );
    }
    assert!(client
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
}

/// A raw GET /healthz; the whole answer.
async fn raw_healthz(app: &TestApp) -> String {
    let mut s = TcpStream::connect(app.addr).await.expect("connect");
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn connections_past_the_cap_get_a_503_until_one_closes() {
    let app = TestApp::spawn_with(&["--max-connections", "8"]).await;
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(TcpStream::connect(app.addr).await.unwrap());
    }
    // Let the server accept them all.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let answer = raw_healthz(&app).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("retry-after: 5"),
        "{answer}"
    );
    assert!(answer.contains("try again in a moment"), "{answer}");

    // One leaves: its slot is free again.
    drop(held.pop());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let answer = raw_healthz(&app).await;
        if answer.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(Instant::now() < deadline, "no slot freed: {answer}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_request_past_the_request_timeout_gets_a_page() {
    let app = TestApp::spawn_with(&[
        "--request-timeout-secs",
        "2",
        "--request-body-timeout-secs",
        "1",
        "--orcid-timeout-secs",
        "1",
    ])
    .await;
    // The simulated ORCID, mounted on idlink's listener, answers its token endpoint late.
    app.mock
        .set_fault(Some(orcid_sim::Fault::TokenDelay(Duration::from_secs(10))));
    let started = Instant::now();
    let res = reqwest::Client::new()
        .post(app.url("/mock-orcid/oauth/token"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    let page = res.text().await.unwrap();
    assert!(page.contains("This took too long"), "{page}");
    assert!(page.contains("within 2 seconds"), "{page}");
}
