//! Reminders: after REMIND_AFTER_DAYS, at most REMIND_MAX times, never after the person
//! connected or asked for no more emails; each carries a link that works.

use std::time::Duration;

use idlink::store::StopVia;
use reqwest::StatusCode;

use crate::common::wait_for;
use crate::invitations::{link_in, Harness};

const DAY: i64 = 24 * 60 * 60;

/// Moves every invitation's last email `days` further into the past.
async fn age(h: &Harness, days: i64) {
    sqlx::query("UPDATE invitations SET last_mailed_at = last_mailed_at - ?1")
        .bind(days * DAY)
        .execute(&h.db().await)
        .await
        .unwrap();
}

async fn invite(h: &Harness, email: &str, given: &str) {
    let batch = h
        .check_person(&[("email", email), ("given_names", given)])
        .await;
    h.send(&batch).await;
}

#[tokio::test]
async fn reminders_wait_their_days_and_stop_at_the_maximum() {
    let h = Harness::start(&["--remind-after-days", "3", "--remind-max", "2"]).await;
    invite(&h, "slow@example.org", "Slow").await;
    h.message(1).await;
    let invitations = &h.app.state.invitations;
    assert_eq!(
        invitations.send_reminders().await.unwrap(),
        0,
        "not yet due"
    );
    age(&h, 2).await;
    assert_eq!(
        invitations.send_reminders().await.unwrap(),
        0,
        "2 of 3 days"
    );
    age(&h, 1).await;
    assert_eq!(invitations.send_reminders().await.unwrap(), 1);
    assert_eq!(
        invitations.send_reminders().await.unwrap(),
        0,
        "once per period"
    );
    let text = h.message(2).await;
    assert!(
        text.contains("Reminder") || text.contains("not done so yet"),
        "{text}"
    );
    // The reminder's own link works.
    let link = link_in(&text, &h.app.base);
    let res = h.app.browser().get(&link).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    age(&h, 3).await;
    assert_eq!(invitations.send_reminders().await.unwrap(), 1);
    age(&h, 3).await;
    assert_eq!(
        invitations.send_reminders().await.unwrap(),
        0,
        "REMIND_MAX reached"
    );
    h.message(3).await;
    assert_eq!(h.smtp.received().len(), 3);
}

#[tokio::test]
async fn nobody_is_reminded_after_connecting_or_asking_for_no_more_email() {
    let h = Harness::start(&["--remind-after-days", "1", "--remind-max", "3"]).await;
    invite(&h, "done@example.org", "Done").await;
    let text = h.message(1).await;
    invite(&h, "quiet@example.org", "Quiet").await;
    let quiet = h.message(2).await;

    // The first connects through the link.
    let link = link_in(&text, &h.app.base);
    let token = link.rsplit('/').next().unwrap();
    let person = h.app.browser();
    let who = h.app.mock.add_researcher("Done", "Person");
    h.app
        .sign_in_as(&person, &who, &format!("?invitation={token}"))
        .await;
    // The second presses the stop link in the message.
    let start = quiet.find("/mail/stop/").expect("stop link");
    let stop_token = quiet[start + "/mail/stop/".len()..]
        .split_whitespace()
        .next()
        .unwrap();
    let stopped = h
        .app
        .state
        .outbox
        .stop_by_link(stop_token, StopVia::Page)
        .await
        .unwrap();
    assert!(stopped.is_some(), "the stop link is known");

    age(&h, 5).await;
    assert_eq!(h.app.state.invitations.send_reminders().await.unwrap(), 0);
    let list = wait_for(
        || async {
            let page = crate::common::ok(
                h.app
                    .get_text(&h.staff, "/admin/invitations?status=stopped")
                    .await,
            );
            page.contains("quiet@example.org").then_some(page)
        },
        Duration::from_secs(10),
    )
    .await
    .expect("the stopped invitation is listed as stopped");
    assert!(!list.contains("done@example.org"));
    assert_eq!(h.smtp.received().len(), 2);
}
