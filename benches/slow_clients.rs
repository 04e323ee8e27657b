//! Slow-client attack: hold many stalled connections (a third partial headers, a third a
//! stalled body, a third idle keep-alive) and measure what idlink does meanwhile: /healthz
//! latency (p50, p99), the process's peak memory, and how long the server takes to close
//! the stalled sockets itself.
//!
//! `cargo bench --bench slow_clients` measures (idlink and the attacker share this one
//! process, so the memory figure counts both). Under `cargo test` it only checks its
//! set-up with a few connections.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::TestApp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The timeouts under attack (header read, body, keep-alive), in seconds.
const TIMEOUT: &str = "5";

#[tokio::main]
async fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let per_kind = if benchmarking { 500 } else { 5 };
    let app = TestApp::spawn_with(&[
        "--header-read-timeout-secs",
        TIMEOUT,
        "--request-body-timeout-secs",
        TIMEOUT,
        "--keep-alive-timeout-secs",
        TIMEOUT,
        "--max-connections",
        "2000",
    ])
    .await;
    let client = reqwest::Client::new();
    healthz(&client, &app).await;
    let rss_start = memory_kb("VmRSS:");
    // Linux: writing 5 to clear_refs resets the peak resident size (VmHWM).
    let _ = std::fs::write("/proc/self/clear_refs", "5");

    let opened = Instant::now();
    let mut watchers = Vec::new();
    for kind in 0..3 {
        for _ in 0..per_kind {
            let s = stalled(&app, kind).await;
            watchers.push((kind, tokio::spawn(until_closed(s, Instant::now()))));
        }
    }
    let open_secs = opened.elapsed().as_secs_f64();
    let held = watchers.len();

    let mut latencies = Vec::new();
    let probing = Instant::now();
    while probing.elapsed() < Duration::from_secs(3) {
        let t = Instant::now();
        healthz(&client, &app).await;
        latencies.push(t.elapsed());
    }
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];

    let mut closed = [Vec::new(), Vec::new(), Vec::new()];
    for (kind, w) in watchers {
        let took = tokio::time::timeout(Duration::from_secs(30), w)
            .await
            .expect("the server closes every stalled connection")
            .expect("watcher");
        closed[kind].push(took);
    }
    let peak = memory_kb("VmHWM:");
    healthz(&client, &app).await;
    if !benchmarking {
        println!(
            "slow_clients: set-up checked (run `cargo bench --bench slow_clients` to measure)"
        );
        return;
    }
    println!(
        "\nstalled connections held: {held} (opened in {open_secs:.2} s), timeouts {TIMEOUT} s"
    );
    println!(
        "/healthz while held: {} requests, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.len(),
        ms(pct(0.5)),
        ms(pct(0.99)),
        ms(*latencies.last().expect("probes"))
    );
    for (kind, name) in ["partial headers", "stalled body", "idle keep-alive"]
        .iter()
        .enumerate()
    {
        let v = &mut closed[kind];
        v.sort();
        println!(
            "{name}: closed by the server after {:.2} s (first) to {:.2} s (last)",
            v[0].as_secs_f64(),
            v[v.len() - 1].as_secs_f64()
        );
    }
    println!(
        "memory: {:.1} MB before, peak {:.1} MB while held ({:.1} KB a connection)",
        rss_start as f64 / 1024.0,
        peak as f64 / 1024.0,
        peak.saturating_sub(rss_start) as f64 / held as f64
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn healthz(client: &reqwest::Client, app: &TestApp) {
    let res = client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(res.status(), 200);
}

/// 0: part of a head; 1: a head announcing 1,000 body bytes and ten of them; 2: one
/// request answered, then silence on the kept-alive connection.
async fn stalled(app: &TestApp, kind: usize) -> TcpStream {
    let mut s = TcpStream::connect(app.addr).await.expect("connect");
    let head: &[u8] = match kind {
        0 => b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ",
        1 => b"POST /mock-orcid/oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nclient_id=",
        _ => b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    };
    s.write_all(head).await.expect("write");
    if kind == 2 {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while !got.ends_with(b"ok\n") {
            let n = s.read(&mut buf).await.expect("answer");
            assert!(n > 0, "closed before answering");
            got.extend_from_slice(&buf[..n]);
        }
    }
    s
}

async fn until_closed(mut s: TcpStream, since: Instant) -> Duration {
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return since.elapsed(),
            Ok(_) => {}
        }
    }
}

fn memory_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
