//! The whole invitation path, clicked in headless Chromium: staff invite someone with no
//! iD yet, the message reaches the SMTP server, its link opens the greeting page,
//! Connect opens the simulated ORCID's registration filled in, and /admin then shows
//! the invitation as connected.

use std::time::Duration;

use fantoccini::Locator;
use mail_parser::MessageParser;
use orcid::OrcidId;

use crate::browser::Browser;
use crate::common::{wait_for, TestApp, TestSmtp};

const STAFF: &str = "0000-0002-1825-0097";

async fn click(b: &Browser, css: &str) {
    b.client
        .wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn staff_invite_and_the_person_registers_at_orcid_through_the_link() {
    let smtp = TestSmtp::start().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(&[
        "--staff-orcids",
        STAFF,
        "--institution-name",
        "Example University",
        "--smtp-url",
        &url,
        "--mail-from",
        "Research Office <orcid@example.ac.nz>",
    ])
    .await;
    let staff = OrcidId::parse(STAFF).unwrap();
    app.mock.add_researcher_with_id(&staff, "Sam", "Staff");

    let b = Browser::start().await;
    b.connect_as(&app.base, staff.as_str()).await;
    b.client.goto(&app.url("/admin")).await.unwrap();
    b.client
        .find(Locator::LinkText("Invitations"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click(&b, "#invite-new").await;
    b.client
        .wait()
        .for_element(Locator::Id("email"))
        .await
        .unwrap();
    b.fill("email", "mary.jackson@example.org").await;
    b.fill("given_names", "Mary").await;
    b.fill("family_names", "Jackson").await;
    b.fill("department", "Aeronautics").await;
    click(&b, "#check-person").await;
    b.client
        .wait()
        .for_element(Locator::Id("people"))
        .await
        .unwrap();
    assert!(b.text_of("main").await.contains("mary.jackson@example.org"));
    b.snapshot("invite-review").await;
    click(&b, "#send-invitations").await;
    b.client
        .wait()
        .for_element(Locator::Id("job-progress"))
        .await
        .unwrap();

    // The message at the SMTP server, and its personal link.
    let received = wait_for(
        || async { smtp.received().into_iter().next() },
        Duration::from_secs(20),
    )
    .await
    .expect("the invitation reaches the SMTP server");
    assert_eq!(received.rcpt_to, ["<mary.jackson@example.org>"]);
    let message = MessageParser::default().parse(&received.data).unwrap();
    let text = message.body_text(0).unwrap().to_string();
    let start = text.find(&format!("{}/invite/", app.base)).expect("link");
    let link = text[start..].split_whitespace().next().unwrap().to_string();

    // The person follows it in a browser of their own (no session here or at ORCID).
    for page in ["/mock-orcid/", "/orcid/callback", "/"] {
        b.client.goto(&app.url(page)).await.unwrap();
        b.client.delete_all_cookies().await.unwrap();
    }
    b.client.goto(&link).await.unwrap();
    assert!(b.text_of("main").await.contains("Dear Mary Jackson,"));
    b.snapshot("invite-page").await;
    click(&b, "#connect").await;
    b.client
        .wait()
        .for_element(Locator::Css("form button[value=authorize]"))
        .await
        .unwrap();
    let new_checked = b
        .client
        .find(Locator::Id("researcher-new"))
        .await
        .unwrap()
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(
        new_checked.as_deref(),
        Some("true"),
        "registration is offered"
    );
    for (id, value) in [
        ("given_names", "Mary"),
        ("family_name", "Jackson"),
        ("email", "mary.jackson@example.org"),
    ] {
        let v = b
            .client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        assert_eq!(v.as_deref(), Some(value), "{id} is pre-filled");
    }
    b.snapshot("invite-orcid-registration").await;
    click(&b, "button[value=authorize]").await;
    let me = url::Url::parse(&app.url("/me")).unwrap();
    b.client.wait().for_url(me).await.unwrap();
    assert!(b.text_of("main").await.contains("Mary Jackson"));

    // Staff see it connected.
    b.connect_as(&app.base, staff.as_str()).await;
    b.client
        .goto(&app.url("/admin/invitations?status=connected"))
        .await
        .unwrap();
    let list = b.text_of("#invitations").await;
    assert!(list.contains("mary.jackson@example.org"), "{list}");
    assert!(list.contains("Connected"), "{list}");
    b.snapshot("invitations-connected").await;
    b.close().await;
}
