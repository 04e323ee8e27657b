//! Sending at `MAIL_RATE_PER_MIN`: a few hundred messages are put in the outbox at once
//! and the background sender hands them to an SMTP server on 127.0.0.1 (the tests'
//! in-process server, a real SMTP exchange per message).
//!
//! Reported for each run: messages, the achieved rate between the first and the last
//! acceptance by the server, as a fraction of the setting (goal: within 5 %, i.e. 0.95 to
//! 1.05), the time from enqueueing to the last acceptance, and each message's deliveries
//! (goal: exactly one).
//!
//! `cargo bench --bench mail_rate` measures. Under `cargo test` it only checks the set-up
//! with a few messages.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{wait_until, wait_until_every, TestApp, TestSmtp};
use idlink::mail::outbox::{MailKind, Outgoing};
use idlink::mail::LinkMessage;

/// (messages, MAIL_RATE_PER_MIN).
const RUNS: [(usize, u32); 2] = [(400, 1200), (1000, 6000)];

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if !std::env::args().any(|a| a == "--bench") {
        let r = runtime.block_on(run(5, 6000));
        assert_eq!(r.delivered, 5);
        println!("mail_rate: set-up checked (run `cargo bench --bench mail_rate` to measure)");
        return;
    }
    println!("\n| messages | MAIL_RATE_PER_MIN | achieved / min | ÷ setting | enqueue to last | deliveries each |");
    println!("|---|---|---|---|---|---|");
    for (messages, rate) in RUNS {
        let r = runtime.block_on(run(messages, rate));
        println!(
            "| {messages} | {rate} | {:.1} | {:.3} | {:.2} s | {} |",
            r.per_min,
            r.per_min / f64::from(rate),
            r.total_secs,
            if r.each_once { "1" } else { "NOT 1" }
        );
    }
}

struct Measured {
    delivered: usize,
    /// Between the first and the last acceptance.
    per_min: f64,
    total_secs: f64,
    each_once: bool,
}

async fn run(messages: usize, rate: u32) -> Measured {
    let smtp = TestSmtp::start().await;
    let url = smtp.url();
    let rate_flag = rate.to_string();
    let app = TestApp::spawn_with(&[
        "--smtp-url",
        &url,
        "--mail-from",
        "Research Office <orcid@example.ac.nz>",
        "--mail-rate-per-min",
        &rate_flag,
    ])
    .await;
    let message = LinkMessage::test_message("Example University", &app.url("/"))
        .render()
        .expect("message");
    let batch: Vec<Outgoing> = (0..messages)
        .map(|i| Outgoing {
            to: format!("person{i}@example.org"),
            to_name: None,
            kind: MailKind::Invitation,
            invitation_id: None,
            batch: Some("bench".into()),
            message: message.clone(),
        })
        .collect();
    let started = Instant::now();
    app.state.outbox.enqueue(batch).await.expect("enqueue");
    // Looked at every 5 ms: a late look would count as time taken.
    wait_until_every(
        || async { smtp.received().len() >= messages },
        Duration::from_secs(3600),
        Duration::from_millis(5),
    )
    .await
    .expect("every message arrives");
    let received = smtp.received();
    let total_secs = received
        .iter()
        .map(|r| r.at.duration_since(started).as_secs_f64())
        .fold(0.0, f64::max);
    let first = received.iter().map(|r| r.at).min().expect("one message");
    let last = received.iter().map(|r| r.at).max().expect("one message");
    let span = last.duration_since(first).as_secs_f64();
    let per_min = if span > 0.0 {
        (received.len() - 1) as f64 * 60.0 / span
    } else {
        f64::INFINITY
    };
    // Outcomes are recorded a moment after the server's answer.
    let settled = wait_until(
        || async {
            let p = app.state.outbox.progress("bench").await.expect("progress");
            p.settled() as usize >= messages
        },
        Duration::from_secs(30),
    )
    .await;
    assert!(settled.is_ok(), "every message settled");
    let p = app.state.outbox.progress("bench").await.expect("progress");
    let each_once = p.sent as usize == messages
        && (0..messages).all(|i| smtp.delivered_to(&format!("person{i}@example.org")) == 1);
    Measured {
        delivered: received.len(),
        per_min,
        total_secs,
        each_once,
    }
}
