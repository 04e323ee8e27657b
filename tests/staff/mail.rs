//! Outgoing mail: the staff test message through a real SMTP exchange, read back and
//! parsed; bad SMTP servers reported per message in plain words; demo mode's mailbox.

use std::time::Duration;

use clap::Parser;
use idlink::config::{Config, MailRoute, MailSettings, DEMO_MAIL_FROM, DEMO_STAFF_ORCID};
use idlink::mail::{LinkMessage, MailError, Mailer};
use mail_parser::{Address, MessageParser};
use orcid::OrcidId;
use reqwest::StatusCode;

use crate::common::{location, ok, TestApp, TestSmtp};

const STAFF: &str = "0000-0002-1825-0097";

/// The mail settings idlink would have with these flags.
fn mail_settings(flags: &[&str]) -> MailSettings {
    let mut args = vec!["idlink", "--orcid-env", "mock"];
    args.extend_from_slice(flags);
    Config::try_parse_from(args)
        .expect("args")
        .resolve()
        .expect("settings")
        .mail
}

fn first_address(a: Option<&Address>) -> String {
    a.and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .to_string()
}

async fn send_test(mailer: &Mailer) -> Result<(), MailError> {
    let message = LinkMessage::test_message("Example University", "http://localhost:8080/")
        .render()
        .unwrap();
    mailer.send("ada@example.org", &message).await
}

#[tokio::test]
async fn staff_test_message_arrives_over_smtp_as_text_and_html_with_the_link() {
    let smtp = TestSmtp::with_login("idlink", "s3cret pass").await;
    let url = format!("smtp://idlink:s3cret%20pass@{}", smtp.addr);
    let app = TestApp::spawn_with(&[
        "--staff-orcids",
        STAFF,
        "--institution-name",
        "Example University",
        "--smtp-url",
        &url,
        "--mail-from",
        "Research Office <orcid@example.ac.nz>",
        "--mail-reply-to",
        "help@example.ac.nz",
    ])
    .await;
    let staff = OrcidId::parse(STAFF).unwrap();
    app.mock.add_researcher_with_id(&staff, "Sam", "Staff");
    let client = app.browser();
    app.sign_in_as(&client, &staff, "").await;
    let page = ok(app.get_text(&client, "/admin").await);
    assert!(
        page.contains(&format!("SMTP server at {}", smtp.addr)),
        "{page}"
    );
    assert!(!page.contains("s3cret"), "the SMTP password is never shown");

    let res = app
        .post_form(
            &client,
            "/admin",
            "/admin/mail/test",
            &[("to", "ada@example.org")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/admin#mail");
    let page = ok(app.get_text(&client, "/admin").await);
    assert!(
        page.contains("The mail server accepted the test message to ada@example.org"),
        "{page}"
    );
    let audited: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT actor, action, outcome, detail FROM audit_log WHERE action = 'mail_test'",
    )
    .fetch_all(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!(
        audited,
        [(
            staff.to_string(),
            "mail_test".to_string(),
            "ok".to_string(),
            Some("to ada@example.org".to_string())
        )],
        "a staff action, in the audit log"
    );

    let received = smtp.received();
    assert_eq!(received.len(), 1, "sent exactly once");
    assert_eq!(received[0].rcpt_to, ["<ada@example.org>"]);
    let m = MessageParser::default()
        .parse(&received[0].data)
        .expect("a parsable message");
    assert_eq!(first_address(m.from()), "orcid@example.ac.nz");
    assert_eq!(
        m.from().and_then(|a| a.first()).and_then(|a| a.name()),
        Some("Research Office")
    );
    assert_eq!(first_address(m.reply_to()), "help@example.ac.nz");
    assert_eq!(first_address(m.to()), "ada@example.org");
    assert_eq!(
        m.subject(),
        Some("Test message from Example University's ORCID connection")
    );
    assert_eq!(m.text_body_count(), 1);
    assert_eq!(m.html_body_count(), 1);
    let link = format!("{}/", app.base);
    let text = m.body_text(0).expect("a text part");
    assert!(
        text.contains(&link) && text.contains("About ORCID"),
        "{text}"
    );
    assert!(text.contains("Example University"), "{text}");
    let html = m.body_html(0).expect("an HTML part");
    assert!(html.contains(&format!("<a href=\"{link}\">")), "{html}");
    assert!(html.contains("About ORCID"), "{html}");

    // With a real SMTP server there is no demo mailbox.
    let (status, _) = app.get_text(&client, "/demo/mailbox").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_refused_connection_is_reported_for_the_message() {
    // A port nobody listens on any more.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("smtp://127.0.0.1:{port}");
    let mailer = Mailer::new(&mail_settings(&[
        "--smtp-url",
        &url,
        "--mail-from",
        "o@example.org",
    ]))
    .unwrap();
    let e = send_test(&mailer).await.unwrap_err();
    assert!(matches!(e, MailError::Unreachable { .. }), "{e:?}");
    assert!(
        e.to_string().starts_with(&format!(
            "the mail server at 127.0.0.1:{port} could not be reached"
        )),
        "{e}"
    );
}

#[tokio::test]
async fn a_refused_login_is_reported_as_such_and_nothing_is_sent() {
    let smtp = TestSmtp::with_login("idlink", "right").await;
    let url = format!("smtp://idlink:wrong@{}", smtp.addr);
    let mailer = Mailer::new(&mail_settings(&[
        "--smtp-url",
        &url,
        "--mail-from",
        "o@example.org",
    ]))
    .unwrap();
    let e = send_test(&mailer).await.unwrap_err();
    assert!(matches!(e, MailError::AuthFailed { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "the mail server at {} refused idlink's user name or password",
            smtp.addr
        )
    );
    assert!(
        !format!("{e} {e:?}").contains("wrong"),
        "no password in the error"
    );
    assert!(smtp.received().is_empty());
}

#[tokio::test]
async fn a_server_that_never_answers_is_reported_after_the_timeout() {
    let smtp = TestSmtp::silent().await;
    let mailer = Mailer::new(&mail_settings(&[
        "--smtp-url",
        &smtp.url(),
        "--mail-from",
        "o@example.org",
        "--smtp-timeout-secs",
        "1",
    ]))
    .unwrap();
    let started = std::time::Instant::now();
    let e = send_test(&mailer).await.unwrap_err();
    assert!(matches!(e, MailError::Timeout { secs: 1, .. }), "{e:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "gave up in time"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "the mail server at {} did not answer within 1 second",
            smtp.addr
        )
    );
}

#[tokio::test]
async fn the_outcome_of_a_failed_test_message_is_shown_to_staff() {
    let smtp = TestSmtp::with_login("idlink", "right").await;
    let url = format!("smtp://idlink:wrong@{}", smtp.addr);
    let app = TestApp::spawn_with(&["--smtp-url", &url, "--mail-from", "o@example.org"]).await;
    let staff: OrcidId = DEMO_STAFF_ORCID.parse().unwrap();
    let client = app.browser();
    app.sign_in_as(&client, &staff, "").await;
    let res = app
        .post_form(
            &client,
            "/admin",
            "/admin/mail/test",
            &[("to", "ada@example.org")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = ok(app.get_text(&client, "/admin").await);
    assert!(
        page.contains(&format!(
            "The test message to ada@example.org was not sent: the mail server at {} refused idlink&#39;s user name or password.",
            smtp.addr
        )),
        "{page}"
    );

    // A test message needs an address; a CSRF-less post is refused.
    let res = app
        .post_form(
            &client,
            "/admin",
            "/admin/mail/test",
            &[("to", "not an address")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = ok(app.get_text(&client, "/admin").await);
    assert!(page.contains("is not an email address"), "{page}");
    let res = app
        .post_fields(&client, "/admin/mail/test", &[("to", "ada@example.org")])
        .await;
    assert_ne!(res.status(), StatusCode::SEE_OTHER);
    assert!(smtp.received().is_empty());
}

#[tokio::test]
async fn in_demo_mode_mail_lands_in_the_demo_mailbox_linked_from_the_banner() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    let landing = ok(app.get_text(&client, "/").await);
    assert!(landing.contains("href=\"/demo/mailbox\""), "{landing}");
    let empty = ok(app.get_text(&client, "/demo/mailbox").await);
    assert!(empty.contains("No messages yet"), "{empty}");

    let staff: OrcidId = DEMO_STAFF_ORCID.parse().unwrap();
    app.sign_in_as(&client, &staff, "").await;
    let res = app
        .post_form(
            &client,
            "/admin",
            "/admin/mail/test",
            &[("to", "ada@example.org")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = ok(app.get_text(&client, "/admin").await);
    assert!(
        page.contains("The test message to ada@example.org is in the demo mailbox"),
        "{page}"
    );

    // Anyone can open the demo mailbox, as an invited person would.
    let visitor = app.browser();
    let list = ok(app.get_text(&visitor, "/demo/mailbox").await);
    assert!(list.contains("ada@example.org"), "{list}");
    let href = list
        .split("href=\"/demo/mailbox/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a link to the message");
    let message = ok(app
        .get_text(&visitor, &format!("/demo/mailbox/{href}"))
        .await);
    assert!(
        message.contains(DEMO_MAIL_FROM.split('<').next().unwrap().trim()),
        "{message}"
    );
    assert!(
        message.contains(&format!("<a href=\"{}/\">", app.base)),
        "a clickable link: {message}"
    );
    assert!(
        message.contains("class=\"mail-text\""),
        "the text part: {message}"
    );
    assert!(message.contains("About ORCID"), "{message}");
    let (status, _) = app.get_text(&visitor, "/demo/mailbox/999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn without_mail_settings_outside_demo_nothing_is_sent() {
    let settings = MailSettings {
        route: MailRoute::NotConfigured,
        from: DEMO_MAIL_FROM.into(),
        reply_to: None,
        timeout: Duration::from_secs(1),
        rate_per_min: std::num::NonZeroU32::new(60).unwrap(),
        retry: Duration::from_secs(60),
    };
    let e = send_test(&Mailer::new(&settings).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(e, MailError::NotConfigured), "{e:?}");
}
