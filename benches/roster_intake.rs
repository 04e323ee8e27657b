//! A roster of 50,000 people checked, stored as a draft invitation batch, and sent: the
//! CSV read and checked row by row (email syntax, names, iD checksums, duplicates), who
//! is already connected looked up, every row saved, then Send: a personal link and a
//! stop link for each person, the audit lines and the 49,950 messages queued in the
//! outbox, in an idlink running in-process on one SQLite file. The Public API lookups of
//! named iDs are left out: they run in the background at ORCID's rate (about 24 a
//! second through the shared limiter) and are cached; this measures idlink's own work.
//!
//! Reported: rows, findings, the time of check + store and of Send, and peak memory
//! (VmHWM) of this process. `cargo bench --bench roster_intake` measures (target: all
//! under 10 s). Under `cargo test` it only checks the set-up with a small roster.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use common::TestApp;
use idlink::invitations::intake;
use idlink::store::DraftReport;
use orcid::OrcidId;

const PEOPLE: usize = 50_000;

fn main() {
    let measure = std::env::args().any(|a| a == "--bench");
    let people = if measure { PEOPLE } else { 500 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let r = runtime.block_on(run(people));
    assert_eq!(r.stored + r.refused, people, "every row stored or reported");
    assert_eq!(r.queued, r.stored, "a message for each person");
    if !measure {
        println!(
            "roster_intake: set-up checked (run `cargo bench --bench roster_intake` to measure)"
        );
        return;
    }
    println!("\n| roster | stored | reported | check + store | Send (links, messages queued) | in all | peak memory (VmHWM) |");
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| {} people, half with an iD | {} | {} | {:.2} s | {:.2} s ({} queued) | {:.2} s | {:.1} MB |",
        people,
        r.stored,
        r.refused,
        r.check_secs,
        r.send_secs,
        r.queued,
        r.check_secs + r.send_secs,
        r.peak_kb as f64 / 1024.0
    );
}

struct Measured {
    stored: usize,
    refused: usize,
    queued: usize,
    check_secs: f64,
    send_secs: f64,
    peak_kb: u64,
}

/// `email,given_names,family_names,orcid,department`: every other row names an iD, and
/// one row in a thousand has a bad email address.
fn roster(people: usize) -> Vec<u8> {
    let mut out = String::from("email,given_names,family_names,orcid,department\n");
    for n in 0..people {
        let email = if n % 1000 == 999 {
            format!("person{n}.example.org")
        } else {
            format!("person{n}@example.org")
        };
        let orcid = if n % 2 == 0 {
            OrcidId::from_base_digits(8_000_000_000_000 + n as u64).to_string()
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{email},Given{n},Family {n},{orcid},Department of Things {}\n",
            n % 40
        ));
    }
    out.into_bytes()
}

async fn run(people: usize) -> Measured {
    // The outbox sends to the demo mailbox at one a minute: the queue is what counts.
    let app = TestApp::spawn_with(&["--mail-rate-per-min", "1"]).await;
    // The Public API lookups are left out (see above).
    app.lookups.abort();
    let store = &app.state.store;
    let staff = OrcidId::parse("0000-0002-1825-0097").unwrap();
    let bytes = roster(people);

    let started = Instant::now();
    let review = intake::review_roster(store, bytes)
        .await
        .expect("roster checked");
    let batch = store
        .create_invitation_batch(
            &staff,
            "roster.csv",
            DraftReport {
                rows_total: review.rows_total,
                rows_invalid: review.rows_invalid(),
                kept: &review.findings.kept(),
                omitted: &review.findings.omitted(),
            },
            &review.invitations,
        )
        .await
        .expect("batch stored");
    let check_secs = started.elapsed().as_secs_f64();

    // As if every named iD had been looked up and found.
    sqlx::query("UPDATE invitations SET lookup_pending = 0")
        .execute(store.pool())
        .await
        .expect("lookups settled");
    let started = Instant::now();
    let queued = app
        .state
        .invitations
        .send_batch(batch, &staff)
        .await
        .expect("batch sent");
    let send_secs = started.elapsed().as_secs_f64();
    Measured {
        stored: review.invitations.len(),
        refused: review.rows_invalid() as usize,
        queued,
        check_secs,
        send_secs,
        peak_kb: memory_kb("VmHWM:"),
    }
}

/// A line of /proc/self/status in kB (0 where there is none).
fn memory_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
