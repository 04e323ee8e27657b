//! Bulk push at ORCID's rate limit: 5,000 works over 200 researchers, then 5,000 works to
//! one researcher, pushed by the background runner to the simulated ORCID enforcing
//! 24 requests a second with a burst of 40 (ORCID's Member API limit).
//!
//! Reported for each: ORCID requests made, 503s received (goal 0), the request rate while
//! the queue is non-empty as a fraction of 24/s (goal ≥ 0.9), the time taken, and
//! idlink's peak memory (VmHWM). idlink and the simulated ORCID run in this one process,
//! so the peak memory includes the simulation's copy of the records.
//!
//! `cargo bench --bench bulk_push` measures. Under `cargo test` it only checks the set-up
//! with a small job.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::measure::{connect, limit_orcid, run_job, JobRun, BURST, RATE};
use common::{journal_articles, TestApp};
use orcid::model::Work;
use orcid::OrcidId;

const STAFF: &str = "0000-0002-1825-0097";

/// (what, researchers, works to each).
const SCENARIOS: [(&str, usize, usize); 2] = [
    ("5,000 works over 200 researchers", 200, 25),
    ("5,000 works to one researcher", 1, 5000),
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runtime = || {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime")
    };
    if !args.iter().any(|a| a == "--bench") {
        let r = runtime().block_on(scenario(2, 3));
        assert_eq!(
            r.run.requests, 4,
            "one read and one bulk add per researcher"
        );
        println!("bulk_push: set-up checked (run `cargo bench --bench bulk_push` to measure)");
        return;
    }
    if let Some(i) = args.iter().find_map(|a| a.strip_prefix("--scenario=")) {
        let (_, researchers, per) = SCENARIOS[i.parse::<usize>().expect("scenario number")];
        let r = runtime().block_on(scenario(researchers, per));
        println!("RESULT {}", serde_json::to_string(&r).expect("json"));
        return;
    }
    // Each run in a process of its own, so that its peak memory is its own.
    let results: Vec<Measured> = (0..SCENARIOS.len()).map(child).collect();
    println!("\n| run | ORCID requests | 503s | time | requests/s | ÷ 24/s | ÷ ORCID's allowance | peak memory (VmHWM) | at the job's start |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for (m, (name, _, _)) in results.iter().zip(SCENARIOS) {
        let r = &m.run;
        let rate = r.requests as f64 / r.secs;
        // What ORCID lets through in that time: the burst, then 24 a second.
        let allowance = f64::from(BURST) + r.secs * f64::from(RATE);
        println!(
            "| {name} | {} | {} | {:.2} s | {:.2} | {:.3} | {:.3} | {:.1} MB | {:.1} MB |",
            r.requests,
            r.rejected,
            r.secs,
            rate,
            rate / f64::from(RATE),
            r.requests as f64 / allowance,
            r.peak_kb as f64 / 1024.0,
            r.start_kb as f64 / 1024.0
        );
    }
    for (r, (name, _, per)) in results.iter().zip(SCENARIOS) {
        println!(
            "\n{name}: after the run, the simulated ORCID took {:.0} ms to answer one more bulk request of 100 works to a record of {per} works.",
            r.probe_ms
        );
        if let Some(direct) = r.direct_secs {
            println!(
                "The same {} bulk requests sent back to back to a new record, without the runner: {direct:.2} s.",
                per / 100
            );
        }
    }
}

/// Runs scenario `i` in a child process and reads its result.
fn child(i: usize) -> Measured {
    let exe = std::env::current_exe().expect("bench executable");
    let out = std::process::Command::new(exe)
        .args(["--bench", &format!("--scenario={i}")])
        .output()
        .expect("run scenario");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "scenario {i} failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_else(|| panic!("no result from scenario {i}:\n{text}"))
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Measured {
    #[serde(flatten)]
    run: JobRun,
    /// One more 100-work request to the last researcher, timed after the run.
    probe_ms: f64,
    /// For records past one request: the same requests sent directly, one after another.
    direct_secs: Option<f64>,
}

/// One fresh idlink + simulated ORCID; `researchers` connect, then one job pushes `per`
/// works to each. Measures from the job's start until no item is left to send.
async fn scenario(researchers: usize, per: usize) -> Measured {
    let app = TestApp::spawn_with(&["--staff-orcids", STAFF]).await;
    let who = connect(&app, researchers).await;
    let items = journal_articles(&who, per, "bench");
    let start_kb = limit_orcid(&app).await;
    let staff = OrcidId::parse(STAFF).expect("staff iD");
    let id = app
        .state
        .store
        .create_draft_job(
            &staff,
            "bench.csv",
            idlink::store::DraftReport {
                rows_total: items.len() as i64,
                ..Default::default()
            },
            &items,
        )
        .await
        .expect("draft job");
    drop(items);
    let run = run_job(&app, id, researchers * per, start_kb).await;
    for r in &who {
        assert_eq!(app.mock.works_of(r), per, "each work once");
    }
    let last = who[who.len() - 1];
    Measured {
        run,
        probe_ms: probe(&app, &last).await,
        direct_secs: if per > 100 {
            Some(direct(&app, per).await.as_secs_f64())
        } else {
            None
        },
    }
}

/// Pushes `per` works to a new researcher with back-to-back bulk requests straight
/// through the ORCID client: the time the simulated ORCID itself needs for them.
async fn direct(app: &TestApp, per: usize) -> Duration {
    let who = connect(app, 1).await[0];
    tokio::time::sleep(Duration::from_secs(3)).await;
    let access = app.state.works.access(&who).await.expect("access");
    let works: Vec<Work> = journal_articles(&[who], per, "bench")
        .iter()
        .map(|i| serde_json::from_str::<Work>(&i.payload).expect("work"))
        .collect();
    let t = Instant::now();
    for chunk in works.chunks(100) {
        let answer = app
            .state
            .orcid
            .add_works(&access.token, &who, chunk)
            .await
            .expect("direct request");
        assert!(answer.iter().all(Result::is_ok));
    }
    t.elapsed()
}

/// How long the simulated ORCID takes to answer a 100-work bulk request to `orcid` now.
async fn probe(app: &TestApp, orcid: &OrcidId) -> f64 {
    let access = app.state.works.access(orcid).await.expect("access");
    let works: Vec<Work> = journal_articles(&[*orcid], 100, "bench")
        .iter()
        .map(|i| serde_json::from_str::<Work>(&i.payload).expect("work"))
        .map(|mut w| {
            if let Some(ids) = &mut w.external_ids {
                ids.external_id[0].external_id_value.push_str(".probe");
            }
            w
        })
        .collect();
    let t = Instant::now();
    let answer = app
        .state
        .orcid
        .add_works(&access.token, orcid, &works)
        .await
        .expect("probe request");
    assert!(answer.iter().all(Result::is_ok));
    t.elapsed().as_secs_f64() * 1000.0
}
