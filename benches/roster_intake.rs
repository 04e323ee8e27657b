//! A roster of 50,000 people checked and stored as a draft invitation batch: the CSV
//! read and checked row by row (email syntax, names, iD checksums, duplicates), who is
//! already connected looked up, and every row saved, in one SQLite file. The Public API
//! lookups of named iDs are left out: at ORCID's rate they take their own time (about
//! 12 a second) and are cached; this measures idlink's own work.
//!
//! Reported: rows, findings, time, and peak memory (VmHWM) of this process.
//! `cargo bench --bench roster_intake` measures (target: under 10 s). Under `cargo test`
//! it only checks the set-up with a small roster.

use std::time::Instant;

use base64::Engine;
use idlink::crypto::TokenCipher;
use idlink::invitations::intake;
use idlink::store::{DraftReport, Store};
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
    if !measure {
        println!(
            "roster_intake: set-up checked (run `cargo bench --bench roster_intake` to measure)"
        );
        return;
    }
    println!("\n| roster | stored | reported | time | peak memory (VmHWM) |");
    println!("|---|---|---|---|---|");
    println!(
        "| {} people, half with an iD | {} | {} | {:.2} s | {:.1} MB |",
        people,
        r.stored,
        r.refused,
        r.secs,
        r.peak_kb as f64 / 1024.0
    );
}

struct Measured {
    stored: usize,
    refused: usize,
    secs: f64,
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
    let dir = tempfile::tempdir().expect("temporary folder");
    let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    let cipher = TokenCipher::from_base64(&key).expect("key");
    let store = Store::open(&dir.path().join("bench.db"), cipher)
        .await
        .expect("database");
    let staff = OrcidId::parse("0000-0002-1825-0097").unwrap();
    let bytes = roster(people);

    let started = Instant::now();
    let review = intake::review_roster(&store, None, bytes)
        .await
        .expect("roster checked");
    store
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
    let secs = started.elapsed().as_secs_f64();
    Measured {
        stored: review.invitations.len(),
        refused: review.rows_invalid() as usize,
        secs,
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
