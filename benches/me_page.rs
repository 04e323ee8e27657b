//! GET /me (first page) for a signed-in researcher with 1,200 cached works, against
//! GET /healthz on the same server with the same load tool: requests per second and p99
//! latency, and their ratio (goal: /me ≥ 0.3 of /healthz).
//!
//! `cargo bench --bench me_page` runs it with wrk (Debian package `wrk`). Under
//! `cargo test` it only checks that the set-up works, without load.

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::Command;
use std::sync::Arc;

use common::TestApp;
use orcid::OrcidId;
use reqwest::cookie::CookieStore;

const CONNECTIONS: &str = "32";
const DURATION: &str = "10s";

#[tokio::main]
async fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let app = TestApp::spawn().await;
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = app.browser_with(jar.clone());
    let who = OrcidId::parse(orcid_sim::PROLIFIC_AUTHOR_ORCID).expect("seeded iD");
    app.sign_in_as(&client, &who, "").await;
    let html = client
        .get(app.url("/me"))
        .send()
        .await
        .expect("/me")
        .text()
        .await
        .expect("html");
    let groups = html.matches("class=\"work-group\"").count();
    assert_eq!(
        groups, 50,
        "the first page shows 50 groups of the 1,200 works"
    );
    let cookie = jar
        .cookies(&app.url("/").parse().expect("url"))
        .and_then(|c| c.to_str().ok().map(String::from))
        .expect("session cookie");
    if !benchmarking {
        println!("me_page: set-up checked (run `cargo bench --bench me_page` to measure)");
        return;
    }
    let health = wrk(&app.url("/healthz"), None);
    let me = wrk(&app.url("/me"), Some(&cookie));
    println!("\n| route | requests/s | p99 latency |");
    println!("|---|---|---|");
    println!(
        "| GET /healthz | {:.0} | {:.2} ms |",
        health.rps, health.p99_ms
    );
    println!(
        "| GET /me (1,200 works, page 1) | {:.0} | {:.2} ms |",
        me.rps, me.p99_ms
    );
    println!(
        "\n/me ÷ /healthz: {:.2} of the requests per second (goal ≥ 0.3); p99 {:.1}× longer",
        me.rps / health.rps,
        me.p99_ms / health.p99_ms
    );
}

struct Result {
    rps: f64,
    p99_ms: f64,
}

fn wrk(url: &str, cookie: Option<&str>) -> Result {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t", "2", "-c", CONNECTIONS, "-d", DURATION, "--latency"]);
    if let Some(c) = cookie {
        cmd.args(["-H", &format!("Cookie: {c}")]);
    }
    let out = cmd.arg(url).output().expect("wrk (apt-get install wrk)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("Non-2xx"), "errors under load:\n{text}");
    let rps = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Requests/sec in wrk output:\n{text}"));
    let p99 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .map(|v| millis(v.trim()))
        .unwrap_or_else(|| panic!("no 99% line in wrk output:\n{text}"));
    Result { rps, p99_ms: p99 }
}

/// wrk prints latencies as `812.00us`, `1.23ms` or `2.01s`.
fn millis(v: &str) -> f64 {
    let (num, factor) = if let Some(n) = v.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (v, 1.0)
    };
    num.parse::<f64>().unwrap_or(f64::NAN) * factor
}
