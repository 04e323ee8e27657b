//! GET /admin/grants (counts per state, both charts, the first page of the list) with
//! 50,000 grants seeded through the store, and a filtered page deep in the list: the
//! server time per request (goal: under 200 ms).
//!
//! `cargo bench --bench grant_health` measures it. Under `cargo test` it only checks that
//! the set-up works, with 500 grants.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::TestApp;
use idlink::store::{now, ConnectionStatus, LoadResearcher};
use orcid::OrcidId;

const STAFF: &str = "0000-0002-1825-0097";
const REQUESTS: usize = 40;

/// Grants in every state: a tenth revoked, a tenth expired, half missing a scope (sign-in
/// only or no write), connected over the last two years.
fn grants(n: usize) -> Vec<LoadResearcher> {
    let t = now();
    (0..n)
        .map(|i| {
            let x = (i as u64).wrapping_mul(2_654_435_761) % 4_294_967_291;
            LoadResearcher {
                orcid: OrcidId::from_base_digits(40_000_000 + i as u64 * 13),
                name: format!("Researcher {i}"),
                connected_at: t - (x % (2 * 365 * 86_400)) as i64,
                status: match i % 10 {
                    7 => ConnectionStatus::Revoked,
                    8 => ConnectionStatus::Expired,
                    _ => ConnectionStatus::Active,
                },
                scope: match i % 4 {
                    0 => "openid".into(),
                    1 => "openid /read-limited".into(),
                    _ => "openid /read-limited /activities/update".into(),
                },
                works_added: 0,
                last_refresh: None,
                last_write: None,
            }
        })
        .collect()
}

#[tokio::main]
async fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let n = if benchmarking { 50_000 } else { 500 };
    let app = TestApp::spawn_with(&["--staff-orcids", STAFF]).await;
    let staff = OrcidId::parse(STAFF).expect("iD");
    app.mock.add_researcher_with_id(&staff, "Sam", "Staff");
    let client = app.browser();
    app.sign_in_as(&client, &staff, "").await;
    let seeded = grants(n);
    let store = &app.state.store;
    store
        .insert_researchers_for_load(&seeded)
        .await
        .expect("seed");
    // Every grant gets a due check; a fifth have been used.
    store
        .schedule_grant_checks(now(), 7 * 86_400)
        .await
        .expect("schedule");
    for r in seeded.iter().step_by(5) {
        store
            .note_grant_success(&r.orcid, now() - 3600, now() + 86_400)
            .await
            .expect("use");
    }

    let pages = [
        ("GET /admin/grants", "/admin/grants".to_string()),
        (
            "GET /admin/grants?state=missing_scope&page=100",
            "/admin/grants?state=missing_scope&page=100".to_string(),
        ),
    ];
    for (_, path) in &pages {
        let res = client.get(app.url(path)).send().await.expect("page");
        assert_eq!(res.status(), 200, "{path}");
        let html = res.text().await.expect("html");
        assert!(html.contains("<title id=\"states-chart-title\">"), "{path}");
        assert!(html.contains("data-orcid="), "{path}: rows listed");
    }
    if !benchmarking {
        println!(
            "grant_health: set-up checked (run `cargo bench --bench grant_health` to measure)"
        );
        return;
    }
    println!("\n{n} grants; {REQUESTS} sequential requests each, after one warm-up\n");
    println!("| request | median | p95 | max |");
    println!("|---|---|---|---|");
    for (name, path) in &pages {
        let mut times: Vec<Duration> = Vec::with_capacity(REQUESTS);
        for _ in 0..REQUESTS {
            let start = Instant::now();
            let res = client.get(app.url(path)).send().await.expect("page");
            let body = res.bytes().await.expect("body");
            times.push(start.elapsed());
            assert!(!body.is_empty());
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "| {name} | {:.1} ms | {:.1} ms | {:.1} ms |",
            ms(times[REQUESTS / 2]),
            ms(times[REQUESTS * 95 / 100]),
            ms(times[REQUESTS - 1])
        );
    }
}
