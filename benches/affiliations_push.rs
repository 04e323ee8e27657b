//! Bulk push of affiliations at ORCID's rate limit: 5,000 employments to 1,000
//! researchers (five each), pushed by the background runner to the simulated ORCID
//! enforcing 24 requests a second with a burst of 40 (ORCID's Member API limit). ORCID
//! has no bulk endpoint for affiliations, so each is one request, after one read of each
//! record (`GET /activities`).
//!
//! Reported: ORCID requests made (expected: one per affiliation written plus one read per
//! researcher), 503s received (goal 0), the request rate while the queue is non-empty as
//! a fraction of ORCID's allowance (goal ≥ 0.95), the time taken, and the peak memory
//! (VmHWM) of the process, which holds idlink and the simulated ORCID.
//!
//! `cargo bench --bench affiliations_push` measures. Under `cargo test` it only checks the
//! set-up with a small job.

#[path = "../tests/common/mod.rs"]
mod common;

use common::measure::{connect, limit_orcid, run_job, JobRun, BURST, RATE};
use common::{affiliation_item, employment, TestApp};
use idlink::store::{DraftReport, JobKind, NewJobItem};
use orcid::model::AffiliationSection;
use orcid::OrcidId;

const STAFF: &str = "0000-0002-1825-0097";
const RESEARCHERS: usize = 1000;
const PER: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if !args.iter().any(|a| a == "--bench") {
        let r = runtime.block_on(scenario(2, 3));
        assert_eq!(
            r.requests,
            2 + 6,
            "one read per researcher, one request each"
        );
        println!("affiliations_push: set-up checked (run `cargo bench --bench affiliations_push` to measure)");
        return;
    }
    // `--researchers=N` for a shorter run while tuning.
    let researchers = args
        .iter()
        .find_map(|a| a.strip_prefix("--researchers="))
        .map_or(RESEARCHERS, |n| n.parse().expect("a number of researchers"));
    let r = runtime.block_on(scenario(researchers, PER));
    let expected = researchers + researchers * PER;
    let rate = r.requests as f64 / r.secs;
    // What ORCID lets through in that time: the burst, then 24 a second.
    let allowance = f64::from(BURST) + r.secs * f64::from(RATE);
    println!("\n| run | ORCID requests (expected) | 503s | time | requests/s | ÷ ORCID's allowance | peak memory (VmHWM) | at the job's start |");
    println!("|---|---|---|---|---|---|---|---|");
    println!(
        "| {} employments to {} researchers | {} ({expected}) | {} | {:.2} s | {:.2} | {:.3} | {:.1} MB | {:.1} MB |",
        researchers * PER,
        researchers,
        r.requests,
        r.rejected,
        r.secs,
        rate,
        r.requests as f64 / allowance,
        r.peak_kb as f64 / 1024.0,
        r.start_kb as f64 / 1024.0
    );
    assert_eq!(
        r.requests, expected,
        "one read per researcher, one request per affiliation"
    );
    assert_eq!(r.rejected, 0, "no 503");
}

/// `per` employments for each researcher, lines in file order.
fn items(app: &TestApp, who: &[OrcidId], per: usize) -> Vec<NewJobItem> {
    let org = &app.state.settings.org.known;
    let mut out = Vec::with_capacity(who.len() * per);
    for r in who {
        for n in 0..per {
            let line = out.len() as i64 + 2;
            let start = (2000 + 4 * n).to_string();
            let role = format!("Role {n}");
            let a = employment(org, &role, &start, None);
            out.push(affiliation_item(
                line,
                r,
                AffiliationSection::Employment,
                &a,
            ));
        }
    }
    out
}

/// One fresh idlink + simulated ORCID; `researchers` connect, then one job pushes `per`
/// employments to each. Measures from the job's start until no item is left to send.
async fn scenario(researchers: usize, per: usize) -> JobRun {
    let app = TestApp::spawn_with(&["--staff-orcids", STAFF]).await;
    let who = connect(&app, researchers).await;
    let items = items(&app, &who, per);
    let start_kb = limit_orcid(&app).await;
    let staff = OrcidId::parse(STAFF).expect("staff iD");
    let report = DraftReport {
        rows_total: items.len() as i64,
        ..Default::default()
    };
    let id = app
        .state
        .store
        .create_draft(&staff, JobKind::Affiliations, "hr.csv", report, &items, &[])
        .await
        .expect("draft job");
    drop(items);
    let run = run_job(&app, id, researchers * per, start_kb).await;
    for r in &who {
        assert_eq!(app.mock.affiliations_of(r).len(), per, "each one once");
    }
    run
}
