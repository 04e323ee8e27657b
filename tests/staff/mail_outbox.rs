//! The mail outbox over a real SMTP exchange: messages stored, sent at the set rate,
//! retried with backoff when the server is busy or hangs, failed with the reason when
//! refused for good, never sent twice across a restart, and never sent to an address
//! that followed its stop link.

use std::time::{Duration, Instant};

use idlink::mail::outbox::{MailKind, MailStatus, Outgoing};
use idlink::mail::LinkMessage;
use mail_parser::MessageParser;
use orcid::OrcidId;
use reqwest::StatusCode;

use crate::common::{location, ok, wait_for, wait_until, TestApp, TestSmtp};

const WAIT: Duration = Duration::from_secs(60);
const STAFF: &str = "0000-0002-1825-0097";

async fn app_with(smtp: &TestSmtp, extra: &[&str]) -> TestApp {
    let url = smtp.url();
    let mut flags = extra.to_vec();
    for (flag, value) in [
        ("--smtp-url", url.as_str()),
        ("--mail-from", "Research Office <orcid@example.ac.nz>"),
        ("--mail-retry-secs", "1"),
        ("--mail-rate-per-min", "6000"),
        ("--institution-name", "Example University"),
    ] {
        if !extra.contains(&flag) {
            flags.extend([flag, value]);
        }
    }
    TestApp::spawn_with(&flags).await
}

/// An invitation-like message to `to`, with its stop link in the footer.
async fn outgoing(app: &TestApp, to: &str, batch: &str) -> Outgoing {
    let mut m = LinkMessage::test_message("Example University", &app.url("/"));
    m.stop_url = Some(app.state.outbox.stop_url(to).await.unwrap());
    Outgoing {
        to: to.to_string(),
        to_name: Some("Ada Lovelace".into()),
        kind: MailKind::Invitation,
        invitation_id: None,
        batch: Some(batch.to_string()),
        message: m.render().unwrap(),
    }
}

async fn status(app: &TestApp, id: i64) -> MailStatus {
    app.state.outbox.status_of(&[id]).await.unwrap()[0].1
}

async fn wait_status(app: &TestApp, id: i64, want: MailStatus) {
    if wait_until(|| async { status(app, id).await == want }, WAIT)
        .await
        .is_err()
    {
        panic!(
            "message {id} is {:?}, not {want:?}; troubles: {:?}",
            status(app, id).await,
            app.state.outbox.troubles(10).await.unwrap()
        );
    }
}

/// Tests only: a plain query outside the checked set.
async fn attempts(app: &TestApp, id: i64) -> i64 {
    sqlx::query_scalar("SELECT attempts FROM mail_outbox WHERE id = ?1")
        .bind(id)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_queued_message_is_delivered_once_with_stop_headers_and_a_stable_message_id() {
    let smtp = TestSmtp::start().await;
    let app = app_with(&smtp, &[]).await;
    let m = outgoing(&app, "ada@example.org", "b1").await;
    let stop_url = m.message.stop_url.clone().unwrap();
    assert!(stop_url.starts_with(&app.url("/mail/stop/")), "{stop_url}");
    let ids = app.state.outbox.enqueue(vec![m]).await.unwrap();
    wait_status(&app, ids[0], MailStatus::Sent).await;

    assert_eq!(smtp.delivered_to("ada@example.org"), 1);
    let raw = &smtp.received()[0].data;
    let parsed = MessageParser::default().parse(raw).expect("a message");
    let to = parsed.to().and_then(|a| a.first()).unwrap();
    assert_eq!(to.name(), Some("Ada Lovelace"));
    let head = String::from_utf8_lossy(raw);
    assert!(
        head.contains(&format!("List-Unsubscribe: <{stop_url}>")),
        "{head}"
    );
    assert!(
        head.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{head}"
    );
    let stored: String = sqlx::query_scalar("SELECT message_id FROM mail_outbox WHERE id = ?1")
        .bind(ids[0])
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(
        format!("<{}>", parsed.message_id().unwrap()),
        stored,
        "the Message-ID is the row's"
    );
    assert!(parsed.body_text(0).unwrap().contains(&stop_url));
    assert!(parsed
        .body_html(0)
        .unwrap()
        .contains(&format!("<a href=\"{stop_url}\">")));

    let p = app.state.outbox.progress("b1").await.unwrap();
    assert_eq!((p.sent, p.total()), (1, 1));
    let metrics = app.metrics().await;
    assert!(
        metrics.contains(r#"idlink_mail_messages_total{outcome="sent"} 1"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_busy_server_gets_the_message_again_after_a_backoff_and_it_arrives_once() {
    let smtp = TestSmtp::start().await;
    smtp.busy_for(2);
    let app = app_with(&smtp, &[]).await;
    let started = Instant::now();
    let ids = app
        .state
        .outbox
        .enqueue(vec![outgoing(&app, "ada@example.org", "b").await])
        .await
        .unwrap();
    // The first refusal is shown against the message while it waits.
    let shown = wait_for(
        || async {
            let t = app.state.outbox.troubles(10).await.unwrap();
            t.into_iter().find_map(|e| e.last_error)
        },
        WAIT,
    )
    .await
    .expect("the refusal is reported");
    assert!(shown.contains("try again later"), "{shown}");
    wait_status(&app, ids[0], MailStatus::Sent).await;
    assert_eq!(smtp.delivered_to("ada@example.org"), 1, "delivered once");
    assert_eq!(attempts(&app, ids[0]).await, 3);
    // Waits of 1 s then 2 s, counted in whole seconds.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let metrics = app.metrics().await;
    assert!(
        metrics.contains(r#"idlink_mail_messages_total{outcome="retried"} 2"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_server_that_refuses_connections_gets_the_message_once_it_is_back() {
    // A port with nothing listening: connections are refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let url = format!("smtp://{addr}");
    let app = TestApp::spawn_with(&[
        "--smtp-url",
        &url,
        "--mail-from",
        "orcid@example.ac.nz",
        "--mail-retry-secs",
        "1",
    ])
    .await;
    let ids = app
        .state
        .outbox
        .enqueue(vec![outgoing(&app, "ada@example.org", "b").await])
        .await
        .unwrap();
    let reason = wait_for(
        || async {
            let t = app.state.outbox.troubles(10).await.unwrap();
            t.into_iter().find_map(|e| e.last_error)
        },
        WAIT,
    )
    .await
    .expect("the refusal is reported");
    assert!(reason.contains("could not be reached"), "{reason}");
    assert_eq!(status(&app, ids[0]).await, MailStatus::Queued);
    let smtp = TestSmtp::start_at(addr).await;
    wait_status(&app, ids[0], MailStatus::Sent).await;
    assert_eq!(smtp.delivered_to("ada@example.org"), 1);
}

#[tokio::test]
async fn a_recipient_refused_for_good_fails_with_the_reason_and_the_others_go() {
    let smtp = TestSmtp::start().await;
    smtp.reject("nobody@example.org");
    let app = app_with(&smtp, &[]).await;
    let ids = app
        .state
        .outbox
        .enqueue(vec![
            outgoing(&app, "nobody@example.org", "b").await,
            outgoing(&app, "ada@example.org", "b").await,
        ])
        .await
        .unwrap();
    wait_status(&app, ids[0], MailStatus::Failed).await;
    wait_status(&app, ids[1], MailStatus::Sent).await;
    assert_eq!(attempts(&app, ids[0]).await, 1, "not tried again");
    let failed = app.state.outbox.troubles(10).await.unwrap();
    let reason = failed[0].last_error.clone().unwrap();
    assert!(
        reason.contains("refused the message for good") && reason.contains("No such user"),
        "{reason}"
    );
    assert_eq!(failed[0].to_address, "nobody@example.org");
    let p = app.state.outbox.progress("b").await.unwrap();
    assert_eq!((p.sent, p.failed), (1, 1));
    let metrics = app.metrics().await;
    assert!(
        metrics.contains(r#"idlink_mail_messages_total{outcome="failed"} 1"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_refused_sign_in_is_reported_per_message_and_the_message_waits() {
    let smtp = TestSmtp::with_login("idlink", "right").await;
    let url = format!("smtp://idlink:wrong@{}", smtp.addr);
    let app = app_with(&smtp, &["--smtp-url", &url]).await;
    let ids = app
        .state
        .outbox
        .enqueue(vec![outgoing(&app, "ada@example.org", "b").await])
        .await
        .unwrap();
    let reason = wait_for(
        || async {
            let t = app.state.outbox.troubles(10).await.unwrap();
            t.into_iter().find_map(|e| e.last_error)
        },
        WAIT,
    )
    .await
    .expect("the sign-in failure is reported");
    assert!(reason.contains("user name or password"), "{reason}");
    assert!(!reason.contains("wrong"), "no password in the report");
    // It is idlink's setup, not the message: it waits to be tried again.
    wait_until(|| async { attempts(&app, ids[0]).await >= 2 }, WAIT)
        .await
        .expect("tried again");
    assert_ne!(status(&app, ids[0]).await, MailStatus::Failed);
    assert!(smtp.received().is_empty());
}

#[tokio::test]
async fn a_server_that_hangs_times_out_and_the_message_goes_on_the_next_try() {
    let smtp = TestSmtp::start().await;
    smtp.stall_next(1);
    let app = app_with(&smtp, &["--smtp-timeout-secs", "1"]).await;
    let ids = app
        .state
        .outbox
        .enqueue(vec![outgoing(&app, "ada@example.org", "b").await])
        .await
        .unwrap();
    wait_status(&app, ids[0], MailStatus::Sent).await;
    assert_eq!(smtp.delivered_to("ada@example.org"), 1);
    assert_eq!(attempts(&app, ids[0]).await, 2);
}

#[tokio::test]
async fn a_restart_sends_what_was_queued_and_never_sends_twice() {
    let smtp = TestSmtp::start().await;
    // The first message's connection hangs: idlink is stopped in the middle of it.
    smtp.stall_next(1);
    let mut app = app_with(
        &smtp,
        &[
            "--smtp-timeout-secs",
            "30",
            "--request-timeout-secs",
            "60",
            "--staff-orcids",
            STAFF,
        ],
    )
    .await;
    let hung = app
        .state
        .outbox
        .enqueue(vec![outgoing(&app, "hung@example.org", "b").await])
        .await
        .unwrap()[0];
    wait_status(&app, hung, MailStatus::Sending).await;
    app.outbox.abort();
    let _ = (&mut app.outbox).await;

    // While idlink is down: more queued, and rows already settled in every other way.
    let mut later = Vec::new();
    for to in ["q1@example.org", "q2@example.org"] {
        later.push(outgoing(&app, to, "b").await);
    }
    let queued = app.state.outbox.enqueue(later).await.unwrap();
    let settled = app
        .state
        .outbox
        .enqueue(vec![
            outgoing(&app, "sent@example.org", "b").await,
            outgoing(&app, "failed@example.org", "b").await,
            outgoing(&app, "stopped@example.org", "b").await,
        ])
        .await
        .unwrap();
    for (id, status) in settled.iter().zip(["sent", "failed", "stopped"]) {
        sqlx::query("UPDATE mail_outbox SET status = ?2 WHERE id = ?1")
            .bind(id)
            .bind(status)
            .execute(app.state.store.pool())
            .await
            .unwrap();
    }
    assert_eq!(status(&app, hung).await, MailStatus::Sending);

    // The restart: a new sender on the same database.
    app.outbox = app.state.outbox.start();
    for id in &queued {
        wait_status(&app, *id, MailStatus::Sent).await;
    }
    assert_eq!(status(&app, hung).await, MailStatus::Unknown);
    let troubles = app.state.outbox.troubles(10).await.unwrap();
    let unknown = troubles.iter().find(|e| e.id == hung).unwrap();
    assert!(
        unknown
            .last_error
            .as_deref()
            .unwrap()
            .contains("may or may not have been sent"),
        "{unknown:?}"
    );
    for (id, want) in
        settled
            .iter()
            .zip([MailStatus::Sent, MailStatus::Failed, MailStatus::Stopped])
    {
        assert_eq!(status(&app, *id).await, want);
    }
    for to in ["hung", "sent", "failed", "stopped"] {
        assert_eq!(smtp.delivered_to(&format!("{to}@example.org")), 0, "{to}");
    }

    // Staff see it in doubt on the outbox page, and decide: send it again.
    let staff = OrcidId::parse(STAFF).unwrap();
    app.mock.add_researcher_with_id(&staff, "Sam", "Staff");
    let client = app.browser();
    app.sign_in_as(&client, &staff, "").await;
    let page = ok(app.get_text(&client, "/admin/mail").await);
    assert!(page.contains("hung@example.org"), "{page}");
    assert!(
        page.contains("in doubt") && page.contains("Send again"),
        "{page}"
    );
    assert!(
        !page.contains("q1@example.org"),
        "sent ones need no look: {page}"
    );
    let res = app
        .post_form(
            &client,
            "/admin/mail",
            &format!("/admin/mail/{hung}/send-again"),
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/admin/mail");
    wait_status(&app, hung, MailStatus::Sent).await;
    assert_eq!(smtp.delivered_to("hung@example.org"), 1);
    let audited: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT actor, detail FROM audit_log WHERE action = 'mail_send_again'")
            .fetch_all(app.state.store.pool())
            .await
            .unwrap();
    assert_eq!(
        audited,
        [(STAFF.to_string(), Some(format!("message {hung}")))],
        "who sent it again, in the audit log"
    );
    assert!(
        !app.state.outbox.send_again(hung).await.unwrap(),
        "only once it is in doubt"
    );
    let progress: serde_json::Value = client
        .get(app.url("/admin/mail/progress.json?batch=b"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(progress["sent"], 4, "{progress}");
    assert_eq!(progress["failed"], 1, "{progress}");
    assert_eq!(progress["stopped"], 1, "{progress}");
    assert_eq!(
        (progress["total"].as_i64(), progress["settled"].as_i64()),
        (Some(6), Some(6)),
        "{progress}"
    );
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let (code, _) = app.get_text(&anonymous, "/admin/mail/progress.json").await;
    assert_ne!(code, StatusCode::OK, "staff only");
    assert_eq!(smtp.received().len(), 3);
}

#[tokio::test]
async fn the_stop_link_stops_mail_to_the_address_in_any_case_without_a_session() {
    let smtp = TestSmtp::start().await;
    let app = app_with(&smtp, &[]).await;
    let stop_url = app.state.outbox.stop_url("Ada@Example.org").await.unwrap();
    let path = stop_url.strip_prefix(&app.base).unwrap().to_string();
    let visitor = reqwest::Client::new();

    let (status_code, page) = app.get_text(&visitor, &path).await;
    assert_eq!(status_code, StatusCode::OK);
    assert!(page.contains("Stop these emails?"), "{page}");
    assert!(page.contains("Ada@Example.org"), "{page}");
    assert!(page.contains(&format!("action=\"{path}\"")), "{page}");

    // A mail program's one-click POST (RFC 8058): no session, no CSRF token.
    for _ in 0..2 {
        let res = visitor
            .post(&stop_url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "idempotent");
        let page = res.text().await.unwrap();
        assert!(page.contains("No more emails"), "{page}");
    }
    assert!(app
        .state
        .outbox
        .is_stopped("ada@example.org")
        .await
        .unwrap());
    let via: String = sqlx::query_scalar("SELECT via FROM mail_stopped")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(via, "one_click");
    let (_, page) = app.get_text(&visitor, &path).await;
    assert!(page.contains("already stopped"), "{page}");

    let ids = app
        .state
        .outbox
        .enqueue(vec![
            outgoing(&app, "ADA@example.org", "b").await,
            outgoing(&app, "grace@example.org", "b").await,
        ])
        .await
        .unwrap();
    wait_status(&app, ids[1], MailStatus::Sent).await;
    wait_status(&app, ids[0], MailStatus::Stopped).await;
    assert_eq!(smtp.delivered_to("ada@example.org"), 0, "never sent");
    assert_eq!(smtp.delivered_to("grace@example.org"), 1);

    // The page's own button, and a token idlink never made.
    let other = app
        .state
        .outbox
        .stop_url("grace@example.org")
        .await
        .unwrap();
    let res = visitor.post(&other).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(app
        .state
        .outbox
        .is_stopped("GRACE@example.org")
        .await
        .unwrap());
    let bogus = format!("/mail/stop/{}", "A".repeat(43));
    let (status_code, _) = app.get_text(&visitor, &bogus).await;
    assert_eq!(status_code, StatusCode::NOT_FOUND);
    let res = visitor.post(app.url(&bogus)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn stopping_settles_messages_still_queued() {
    let smtp = TestSmtp::start().await;
    let app = app_with(&smtp, &["--mail-rate-per-min", "1"]).await;
    // At one a minute the second message waits its turn.
    let ids = app
        .state
        .outbox
        .enqueue(vec![
            outgoing(&app, "first@example.org", "b").await,
            outgoing(&app, "ada@example.org", "b").await,
        ])
        .await
        .unwrap();
    wait_status(&app, ids[0], MailStatus::Sent).await;
    assert_eq!(status(&app, ids[1]).await, MailStatus::Queued);
    let stop_url = app.state.outbox.stop_url("ada@example.org").await.unwrap();
    let res = reqwest::Client::new()
        .post(&stop_url)
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(status(&app, ids[1]).await, MailStatus::Stopped);
}

#[tokio::test]
async fn in_demo_mode_the_outbox_delivers_to_the_simulated_mailbox() {
    let app = TestApp::spawn_with(&["--mail-rate-per-min", "6000"]).await;
    let ids = app
        .state
        .outbox
        .enqueue(vec![outgoing(&app, "ada@example.org", "demo").await])
        .await
        .unwrap();
    wait_status(&app, ids[0], MailStatus::Sent).await;
    let mailbox = app.state.mailer.demo_mailbox().expect("demo mailbox");
    let list = mailbox.list();
    assert_eq!(list.len(), 1);
    assert!(list[0].to.contains("ada@example.org"), "{}", list[0].to);
    assert!(list[0].text.contains("/mail/stop/"), "{}", list[0].text);
}

#[tokio::test]
async fn a_clean_stop_settles_the_message_being_sent_and_claims_no_more() {
    let smtp = TestSmtp::start().await;
    smtp.stall_next(1);
    let mut app = app_with(&smtp, &["--smtp-timeout-secs", "1"]).await;
    let first = app
        .state
        .outbox
        .enqueue(vec![outgoing(&app, "ada@example.org", "b").await])
        .await
        .unwrap()[0];
    wait_status(&app, first, MailStatus::Sending).await;
    let sender = std::mem::replace(&mut app.outbox, tokio::spawn(async {}));
    app.state
        .outbox
        .shut_down(sender, Duration::from_secs(30))
        .await;
    // The hung exchange ran out of time before the stop completed: settled, not in doubt.
    assert_eq!(status(&app, first).await, MailStatus::Queued);
    let later = app
        .state
        .outbox
        .enqueue(vec![outgoing(&app, "grace@example.org", "b").await])
        .await
        .unwrap()[0];
    tokio::task::yield_now().await;
    assert_eq!(
        status(&app, later).await,
        MailStatus::Queued,
        "none claimed"
    );

    app.outbox = app.state.outbox.start();
    wait_status(&app, first, MailStatus::Sent).await;
    wait_status(&app, later, MailStatus::Sent).await;
    assert_eq!(smtp.delivered_to("ada@example.org"), 1);
}
