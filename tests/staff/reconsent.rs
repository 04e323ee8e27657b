//! Re-consent from grant health: the preview (who is asked, who has no address), the
//! public email read from ORCID's Public API in the background and kept, Send held until
//! then, stopped addresses left out, a double click mailing nobody twice, the link's page per state, and the whole path from
//! a grant revoked at ORCID to a bulk push's waiting rows written after Connect again.

use std::time::Duration;

use idlink::store::{DraftReport, ItemStatus, JobKind, JobStatus, StopVia};
use orcid::model::AffiliationSection;
use orcid::OrcidId;
use reqwest::{Client, StatusCode};

use crate::common::{affiliation_item, location, ok, wait_for, wait_until, TestApp};
use crate::invitations::{link_in, Harness};

const PAGE: &str = "/admin/grants/reconsent";

/// A researcher who connected with the default permissions; their browser and iD.
async fn connected(app: &TestApp, given: &str, family: &str) -> (Client, OrcidId) {
    let client = app.browser();
    let who = app.mock.add_researcher(given, family);
    app.sign_in_as(&client, &who, "").await;
    (client, who)
}

/// The number in the element with this id.
fn number(html: &str, id: &str) -> usize {
    html.split(&format!("id=\"{id}\">"))
        .nth(1)
        .and_then(|s| s.split('<').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no #{id} in {html}"))
}

/// The part of the page inside the element with this id (to its end tag `until`).
fn section<'a>(html: &'a str, id: &str, until: &str) -> &'a str {
    let s = html
        .split(&format!("id=\"{id}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    s.split(until).next().unwrap()
}

/// The preview once every public address it needs has been looked up (the page follows
/// the background lookups and is drawn again when they are done).
async fn preview(h: &Harness) -> String {
    wait_for(
        || async {
            let html = ok(h.app.get_text(&h.staff, PAGE).await);
            (!html.contains("id=\"send-waits\"")).then_some(html)
        },
        Duration::from_secs(60),
    )
    .await
    .expect("the public addresses are looked up")
}

/// Presses the send button on the preview page, once it is offered.
async fn send(h: &Harness) -> reqwest::Response {
    preview(h).await;
    h.app.post_form(&h.staff, PAGE, PAGE, &[]).await
}

async fn outbox_rows(h: &Harness, to: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'reconsent' AND to_address = ?1",
    )
    .bind(to)
    .fetch_one(&h.db().await)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_preview_counts_revoked_expired_and_missing_scope_and_lists_who_has_no_address() {
    let h = Harness::start(&[]).await;
    let app = &h.app;
    // Invited with an address before connecting; later revoked.
    let rita = app.mock.add_researcher("Rita", "Revoked");
    let rita_s = rita.to_string();
    let batch = h
        .check_person(&[
            ("email", "rita@example.org"),
            ("given_names", "Rita"),
            ("family_names", "Revoked"),
            ("orcid", &rita_s),
        ])
        .await;
    h.send(&batch).await;
    h.message(1).await;
    app.sign_in_as(&app.browser(), &rita, "").await;
    app.state.store.mark_tokens_revoked(&rita).await.unwrap();
    // Expired, with a public address on ORCID.
    let (_, eve) = connected(app, "Eve", "Expired").await;
    app.mock
        .set_researcher_email(&eve, Some("eve@example.org"), true);
    app.lapse_stored_token(&eve).await;
    // A grant lacking a permission, and no address anywhere.
    let nia = app.mock.add_researcher("Nia", "Narrow");
    app.sign_in_as(&app.browser(), &nia, "?access=signin").await;
    // Healthy, with a public address: not asked.
    let (_, hal) = connected(app, "Hal", "Healthy").await;
    app.mock
        .set_researcher_email(&hal, Some("hal@example.org"), true);

    let grants = ok(app.get_text(&h.staff, "/admin/grants").await);
    assert!(
        grants.contains("href=\"/admin/grants/reconsent\""),
        "{grants}"
    );
    let html = preview(&h).await;
    assert_eq!(number(&html, "recipient-count"), 2, "{html}");
    assert_eq!(number(&html, "no-address-count"), 1, "{html}");
    let no_address = section(&html, "no-address", "</table>");
    assert!(no_address.contains(&nia.to_string()), "{no_address}");
    assert!(no_address.contains("Nia Narrow"), "{no_address}");
    assert!(
        !html.contains(&hal.to_string()),
        "a healthy grant is left out"
    );
    assert!(html.contains("Please connect your ORCID iD with Example University again"));
    let text = section(&html, "reconsent-text", "</pre>");
    assert!(text.contains("Connect again"), "{text}");
    assert!(
        h.smtp.delivered_to("eve@example.org") == 0,
        "nothing before Send"
    );

    let res = send(&h).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with("/admin/invitations/batches/"));
    wait_until(
        || async {
            // Rita's first message was her invitation.
            h.smtp.delivered_to("rita@example.org") == 2
                && h.smtp.delivered_to("eve@example.org") == 1
        },
        Duration::from_secs(20),
    )
    .await
    .expect("one message to each address");
    assert_eq!(h.smtp.delivered_to("hal@example.org"), 0);
    let audit: Vec<String> = sqlx::query_scalar(
        "SELECT actor || ' ' || orcid FROM audit_log WHERE action = 'reconsent_send' ORDER BY orcid",
    )
    .fetch_all(&h.db().await)
    .await
    .unwrap();
    let staff = "0000-0002-1825-0097";
    let mut expected = vec![format!("{staff} {eve}"), format!("{staff} {rita}")];
    expected.sort();
    assert_eq!(audit, expected, "who sent it, to whom");
}

#[tokio::test]
async fn the_public_email_is_read_once_and_a_limited_one_is_not_used() {
    let h = Harness::start(&[]).await;
    let app = &h.app;
    let (_, pia) = connected(app, "Pia", "Public").await;
    app.mock
        .set_researcher_email(&pia, Some("pia@example.org"), true);
    let (_, lou) = connected(app, "Lou", "Limited").await;
    app.mock
        .set_researcher_email(&lou, Some("lou@example.org"), false);
    app.state.store.mark_tokens_revoked(&pia).await.unwrap();
    app.state.store.mark_tokens_revoked(&lou).await.unwrap();

    let before = app.mock.member_api_requests();
    let html = preview(&h).await;
    assert_eq!(number(&html, "recipient-count"), 1, "{html}");
    assert_eq!(number(&html, "no-address-count"), 1, "{html}");
    assert!(section(&html, "no-address", "</table>").contains(&lou.to_string()));
    assert_eq!(
        app.mock.member_api_requests() - before,
        2,
        "one Public API read per person"
    );
    let again = preview(&h).await;
    assert_eq!(number(&again, "recipient-count"), 1);
    assert_eq!(
        app.mock.member_api_requests() - before,
        2,
        "the answers are cached"
    );
    send(&h).await;
    wait_until(
        || async { h.smtp.delivered_to("pia@example.org") == 1 },
        Duration::from_secs(20),
    )
    .await
    .expect("the message goes to the public address");
    assert_eq!(h.smtp.delivered_to("lou@example.org"), 0);
}

#[tokio::test]
async fn a_stopped_address_is_left_out() {
    let h = Harness::start(&[]).await;
    let app = &h.app;
    let (_, sid) = connected(app, "Sid", "Stopped").await;
    app.mock
        .set_researcher_email(&sid, Some("sid@example.org"), true);
    app.state.store.mark_tokens_revoked(&sid).await.unwrap();
    app.state
        .store
        .stop_address("sid@example.org", StopVia::Page)
        .await
        .unwrap();

    let html = preview(&h).await;
    assert_eq!(number(&html, "recipient-count"), 0, "{html}");
    assert!(section(&html, "stopped", "</ul>").contains(&sid.to_string()));
    assert!(!html.contains("id=\"send-reconsent\""), "nothing to send");
    let res = send(&h).await;
    assert_eq!(location(&res), PAGE);
    assert_eq!(outbox_rows(&h, "sid@example.org").await, 0);
}

#[tokio::test]
async fn a_double_click_sends_one_message_to_each_person() {
    let h = Harness::start(&[]).await;
    let app = &h.app;
    let mut people = Vec::new();
    for (given, email) in [("Dot", "dot@example.org"), ("Dan", "dan@example.org")] {
        let (_, who) = connected(app, given, "Double").await;
        app.mock.set_researcher_email(&who, Some(email), true);
        app.state.store.mark_tokens_revoked(&who).await.unwrap();
        people.push(email);
    }
    preview(&h).await;
    let csrf = app.csrf_on(&h.staff, PAGE).await;
    let click = || {
        h.staff
            .post(app.url(PAGE))
            .form(&[("csrf", csrf.as_str())])
            .send()
    };
    let (a, b) = tokio::join!(click(), click());
    assert_eq!(a.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(b.unwrap().status(), StatusCode::SEE_OTHER);
    for email in &people {
        assert_eq!(outbox_rows(&h, email).await, 1, "{email}");
    }
    // A third click a moment later sends nothing either, and says so.
    let res = send(&h).await;
    assert_eq!(location(&res), PAGE);
    let html = preview(&h).await;
    assert!(html.contains("nothing was sent again"), "{html}");
    assert!(section(&html, "recently-sent", "</ul>").contains("Dot Double"));
    for email in &people {
        assert_eq!(outbox_rows(&h, email).await, 1, "{email}");
    }
}

#[tokio::test]
async fn the_link_page_says_what_stopped_working() {
    let h = Harness::start(&[]).await;
    let app = &h.app;
    let (_, rex) = connected(app, "Rex", "Revoked").await;
    app.state.store.mark_tokens_revoked(&rex).await.unwrap();
    let (_, eve) = connected(app, "Eve", "Expired").await;
    app.lapse_stored_token(&eve).await;
    let nia = app.mock.add_researcher("Nia", "Narrow");
    app.sign_in_as(&app.browser(), &nia, "?access=signin").await;
    for (who, email) in [
        (rex, "rex@example.org"),
        (eve, "eve@example.org"),
        (nia, "nia@example.org"),
    ] {
        app.mock.set_researcher_email(&who, Some(email), true);
    }
    send(&h).await;
    let base = app.url("");
    let base = base.trim_end_matches('/');
    let mut seen = 0;
    for n in 1..=3 {
        let text = h.message(n).await;
        let link = link_in(&text, base);
        let page = ok(app.get_text(&app.browser(), &link[base.len()..]).await);
        assert!(page.contains(">Connect again<"), "{page}");
        assert!(page.contains("/orcid/connect?invitation="), "{page}");
        if page.contains("Dear Rex Revoked,") {
            assert!(page.contains("was withdrawn at ORCID"), "{page}");
            seen += 1;
        } else if page.contains("Dear Eve Expired,") {
            assert!(page.contains("has expired"), "{page}");
            seen += 1;
        } else if page.contains("Dear Nia Narrow,") {
            assert!(page.contains("does not include a permission"), "{page}");
            seen += 1;
        } else {
            panic!("a page for someone else: {page}");
        }
    }
    assert_eq!(seen, 3);
}

#[tokio::test]
async fn connecting_again_from_the_message_writes_the_waiting_rows() {
    let h = Harness::start(&[]).await;
    let app = &h.app;
    let (_, wes) = connected(app, "Wes", "Waiting").await;
    app.mock
        .set_researcher_email(&wes, Some("wes@example.org"), true);
    app.mock.revoke_all_for(&wes, app.state.orcid.client_id());

    // A bulk push finds the grant revoked: its row waits for the researcher.
    let store = &app.state.store;
    let row = crate::common::employment(&app.state.settings.org.known, "Lecturer", "2020", None);
    let items = [affiliation_item(
        2,
        &wes,
        AffiliationSection::Employment,
        &row,
    )];
    let report = DraftReport {
        rows_total: 1,
        ..DraftReport::default()
    };
    let staff = OrcidId::parse("0000-0002-1825-0097").unwrap();
    let job = store
        .create_draft(&staff, JobKind::Affiliations, "hr.csv", report, &items, &[])
        .await
        .unwrap();
    assert!(store.start_job(job, false).await.unwrap());
    app.state.runner.wake();
    let status = |want: ItemStatus| async move {
        let j = store.job(job).await.unwrap().unwrap();
        let c = store.job_counts(job).await.unwrap();
        j.status == JobStatus::Finished && c.get(want) == c.total()
    };
    wait_until(|| status(ItemStatus::Waiting), Duration::from_secs(60))
        .await
        .expect("the row waits for the researcher");

    // Staff ask everyone with a broken grant to connect again.
    let html = preview(&h).await;
    assert_eq!(number(&html, "recipient-count"), 1, "{html}");
    send(&h).await;
    let text = h.message(1).await;
    assert!(text.contains("was withdrawn at ORCID"), "{text}");
    let base = app.url("");
    let base = base.trim_end_matches('/');
    let link = link_in(&text, base);
    let token = link.rsplit('/').next().unwrap().to_string();

    // The person follows the link and presses Connect again.
    let browser = app.browser();
    let page = ok(app.get_text(&browser, &link[base.len()..]).await);
    assert!(page.contains(&format!("/orcid/connect?invitation={token}")));
    let authorize = app.start(&browser, &format!("?invitation={token}")).await;
    let asked = crate::common::query_param(&authorize, "scope").unwrap();
    for scope in &app.state.settings.scopes {
        assert!(asked.split(' ').any(|s| s == scope), "{asked} has {scope}");
    }
    assert_eq!(
        crate::common::query_param(&authorize, "orcid").as_deref(),
        Some(wes.to_string().as_str()),
        "ORCID's sign-in is pre-filled with their iD"
    );
    let callback = app.decide(&browser, &authorize, &wes, true).await;
    let res = browser.get(callback).send().await.unwrap();
    assert_eq!(location(&res), "/me");

    wait_until(|| status(ItemStatus::Done), Duration::from_secs(60))
        .await
        .expect("the waiting row is written and the job finishes");
    assert_eq!(app.mock.affiliations_of(&wes).len(), 1);
    let grants = ok(app.get_text(&h.staff, "/admin/grants").await);
    assert!(
        !grants.contains("href=\"/admin/grants/reconsent\""),
        "nobody needs to connect again now: {grants}"
    );
}

#[tokio::test]
async fn a_re_consent_gets_no_invitation_reminders() {
    let h = Harness::start(&[]).await;
    let app = &h.app;
    let (_, ron) = connected(app, "Ron", "Reminded").await;
    app.mock
        .set_researcher_email(&ron, Some("ron@example.org"), true);
    app.state.store.mark_tokens_revoked(&ron).await.unwrap();
    send(&h).await;
    h.message(1).await;
    // Long past the reminder period.
    sqlx::query("UPDATE invitations SET last_mailed_at = last_mailed_at - 30 * 86400")
        .execute(&h.db().await)
        .await
        .unwrap();
    assert_eq!(app.state.invitations.send_reminders().await.unwrap(), 0);
    assert_eq!(outbox_rows(&h, "ron@example.org").await, 1);
}

#[tokio::test]
async fn send_waits_while_public_addresses_are_looked_up_in_the_background() {
    let mut h = Harness::start(&[]).await;
    let (_, pia) = connected(&h.app, "Pia", "Public").await;
    h.app
        .mock
        .set_researcher_email(&pia, Some("pia@example.org"), true);
    h.app.state.store.mark_tokens_revoked(&pia).await.unwrap();
    // A stop: nothing is looked up while the page is opened.
    h.app.lookups.abort();
    let html = ok(h.app.get_text(&h.staff, PAGE).await);
    assert!(html.contains("id=\"send-waits\""), "{html}");
    assert!(!html.contains("id=\"send-reconsent\""), "{html}");
    assert!(
        html.contains("/admin/grants/reconsent/lookups.json?total=1"),
        "{html}"
    );
    assert!(html.contains("data-reload-when-done"), "{html}");
    let (status, body) = h
        .app
        .get_text(&h.staff, "/admin/grants/reconsent/lookups.json?total=1")
        .await;
    assert_eq!(status, StatusCode::OK);
    let p: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (p["active"].as_bool(), p["completed"].as_i64()),
        (Some(true), Some(0))
    );

    // Send before the addresses are known sends nothing, and says why.
    let res = h.app.post_form(&h.staff, PAGE, PAGE, &[]).await;
    assert_eq!(location(&res), PAGE);
    let html = ok(h.app.get_text(&h.staff, PAGE).await);
    assert!(html.contains("so nothing was sent"), "{html}");
    assert_eq!(outbox_rows(&h, "pia@example.org").await, 0);

    // Started again, the lookups carry on from the database.
    h.app.lookups = h.app.state.lookups.start();
    let html = preview(&h).await;
    assert_eq!(number(&html, "recipient-count"), 1, "{html}");
    send(&h).await;
    assert_eq!(outbox_rows(&h, "pia@example.org").await, 1);
}
