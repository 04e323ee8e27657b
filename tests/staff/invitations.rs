//! Inviting researchers: the roster and form checks (with ORCID's Public API lookups,
//! their token kept and reused, their answers cached), the personal link through to the
//! connection, single use, expiry, the mismatch flag, the list and its export.

use std::time::Duration;

use idlink::lookups::{Found, PublicLookup};
use mail_parser::MessageParser;
use orcid::OrcidId;
use reqwest::{Client, StatusCode};

use crate::common::{location, multipart, ok, wait_for, wait_until, TestApp, TestSmtp};

const STAFF: &str = "0000-0002-1825-0097";

/// idlink with a staff member signed in and mail going to `smtp`.
pub struct Harness {
    pub app: TestApp,
    pub staff: Client,
    pub smtp: TestSmtp,
}

impl Harness {
    pub async fn start(extra: &[&str]) -> Self {
        let smtp = TestSmtp::start().await;
        let url = smtp.url();
        let mut args = vec![
            "--staff-orcids",
            STAFF,
            "--institution-name",
            "Example University",
            "--smtp-url",
            &url,
            "--mail-from",
            "Research Office <orcid@example.ac.nz>",
            "--mail-rate-per-min",
            "6000",
        ];
        args.extend_from_slice(extra);
        let app = TestApp::spawn_with(&args).await;
        let staff_id = OrcidId::parse(STAFF).unwrap();
        app.mock.add_researcher_with_id(&staff_id, "Sam", "Staff");
        let staff = app.browser();
        app.sign_in_as(&staff, &staff_id, "").await;
        Harness { app, staff, smtp }
    }

    /// Uploads a roster and waits for its iDs to be looked up on ORCID; returns the
    /// batch page's address.
    pub async fn upload_roster(&self, csv: &str) -> String {
        let batch = self.upload_roster_only(csv).await;
        wait_until(
            || async { !self.lookups(&batch).await["active"].as_bool().unwrap() },
            Duration::from_secs(60),
        )
        .await
        .expect("the roster's iDs are looked up");
        batch
    }

    /// The draft's lookups as its page's script reads them.
    pub async fn lookups(&self, batch: &str) -> serde_json::Value {
        let res = self
            .staff
            .get(self.app.url(&format!("{batch}/lookups.json")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    /// Uploads a roster; returns the batch page's address at once.
    pub async fn upload_roster_only(&self, csv: &str) -> String {
        let csrf = self
            .app
            .csrf_on(&self.staff, "/admin/invitations/new")
            .await;
        let (content_type, body) = multipart(&csrf, "roster.csv", csv.as_bytes());
        let res = self
            .staff
            .post(self.app.url("/admin/invitations/roster"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "{}",
            res.text().await.unwrap()
        );
        location(&res).to_string()
    }

    /// Invites one person from the form; returns the batch page's address.
    pub async fn check_person(&self, fields: &[(&str, &str)]) -> String {
        let res = self
            .app
            .post_form(
                &self.staff,
                "/admin/invitations/new",
                "/admin/invitations/person",
                fields,
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "{}",
            res.text().await.unwrap()
        );
        location(&res).to_string()
    }

    /// Presses Send on a batch page.
    pub async fn send(&self, batch: &str) {
        let res = self
            .app
            .post_form(&self.staff, batch, &format!("{batch}/send"), &[])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }

    /// Waits for the `n`th message (1-based) and returns its text part.
    pub async fn message(&self, n: usize) -> String {
        let received = wait_for(
            || async {
                let all = self.smtp.received();
                (all.len() >= n).then(|| all[n - 1].clone())
            },
            Duration::from_secs(20),
        )
        .await
        .expect("the message arrives at the SMTP server");
        let m = MessageParser::default().parse(&received.data).unwrap();
        m.body_text(0).unwrap().to_string()
    }

    pub async fn db(&self) -> sqlx::SqlitePool {
        sqlx::SqlitePool::connect(&format!("sqlite://{}", self.app.db_path.display()))
            .await
            .unwrap()
    }
}

/// The personal link in a message's text.
pub fn link_in(text: &str, base: &str) -> String {
    let start = text
        .find(&format!("{base}/invite/"))
        .expect("a personal link in the message");
    text[start..].split_whitespace().next().unwrap().to_string()
}

/// A checksum-valid iD the simulated ORCID has no record for.
pub fn unknown_id() -> OrcidId {
    OrcidId::from_base_digits(9_000_000_000_123)
}

#[tokio::test]
async fn roster_report_names_each_problem_and_shows_the_public_name_before_sending() {
    let h = Harness::start(&[]).await;
    let grace = h.app.mock.add_researcher("Grace", "Hopper");
    let connected = h.app.browser();
    let ada = h.app.sign_in(&connected).await;
    let csv = format!(
        "email,given_names,family_names,orcid,department\n\
         grace@example.org,Grace,Hopper,{grace},Computing\n\
         not-an-email,Bob,Builder,,\n\
         GRACE@example.org,Grace,Again,,\n\
         carol@example.org,Carol,Checksum,0000-0002-1825-0098,\n\
         nobody@example.org,No,Record,{unknown},\n\
         ada@example.org,Ada,Lovelace,{ada},\n\
         dan@example.org,Dan,,,Physics\n",
        unknown = unknown_id()
    );
    let batch = h.upload_roster(&csv).await;
    let page = ok(h.app.get_text(&h.staff, &batch).await);
    assert!(page.contains("2 of 7 people can be invited"), "{page}");
    assert!(page.contains("is not an email address"), "{page}");
    assert!(page.contains("Duplicate of line 2"), "{page}");
    assert!(page.contains("wrong check digit"), "{page}");
    assert!(page.contains("No ORCID record"), "{page}");
    assert!(
        page.contains("already connected to idlink: not invited"),
        "{page}"
    );
    assert!(
        page.contains("Grace Hopper"),
        "the public name beside the iD: {page}"
    );
    assert!(page.contains("Send 2 invitations"), "{page}");
    assert!(h.smtp.received().is_empty(), "nothing is sent before Send");
}

#[tokio::test]
async fn public_lookups_fetch_one_token_keep_it_sealed_and_cache_answers() {
    let h = Harness::start(&[]).await;
    let grace = h.app.mock.add_researcher("Grace", "Hopper");
    let (tokens, calls) = (
        h.app.mock.token_requests(),
        h.app.mock.member_api_requests(),
    );
    let csv = format!(
        "email,given_names,family_names,orcid\ngrace@example.org,Grace,Hopper,{grace}\nnobody@example.org,No,Record,{}\n",
        unknown_id()
    );
    h.upload_roster(&csv).await;
    assert_eq!(
        h.app.mock.token_requests() - tokens,
        1,
        "one client-credentials token"
    );
    assert_eq!(
        h.app.mock.member_api_requests() - calls,
        2,
        "one read per iD"
    );

    // The same roster again: answers from the cache, no call to ORCID at all.
    h.upload_roster(&csv).await;
    assert_eq!(h.app.mock.token_requests() - tokens, 1);
    assert_eq!(h.app.mock.member_api_requests() - calls, 2);

    // The token is stored sealed, and a new lookup (as after a restart) reuses it.
    let db = h.db().await;
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT sealed FROM public_api_token")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(!sealed.is_empty());
    let fresh = PublicLookup::new(h.app.state.store.clone(), h.app.state.orcid.clone());
    let found = fresh.find(&grace).await.unwrap();
    assert_eq!(
        found,
        Found::Record {
            public_name: "Grace Hopper".into()
        }
    );
    assert_eq!(fresh.find(&unknown_id()).await.unwrap(), Found::NoRecord);
    assert_eq!(
        h.app.mock.token_requests() - tokens,
        1,
        "the stored token was reused"
    );
    assert_eq!(h.app.mock.member_api_requests() - calls, 4);
}

#[tokio::test]
async fn the_form_names_each_bad_field_and_keeps_what_was_typed() {
    let h = Harness::start(&[]).await;
    let res = h
        .app
        .post_form(
            &h.staff,
            "/admin/invitations/new",
            "/admin/invitations/person",
            &[
                ("email", "grace at example"),
                ("given_names", "Grace"),
                ("family_names", "Hopper"),
                ("orcid", "0000-0002-1825-0098"),
                ("department", "Computing"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("is not an email address"), "{page}");
    assert!(page.contains("wrong check digit"), "{page}");
    assert!(page.contains("value=\"grace at example\""), "{page}");
    assert!(page.contains("value=\"Computing\""), "{page}");

    // A checksum-valid iD without a record is refused beside the field, too.
    let unknown = unknown_id().to_string();
    let res = h
        .app
        .post_form(
            &h.staff,
            "/admin/invitations/new",
            "/admin/invitations/person",
            &[
                ("email", "x@example.org"),
                ("given_names", "X"),
                ("orcid", &unknown),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("No ORCID record"));
}

#[tokio::test]
async fn a_personal_link_greets_prefills_orcid_connects_once_and_flags_another_id() {
    let h = Harness::start(&[]).await;
    let grace = h.app.mock.add_researcher("Grace", "Hopper");
    let other = h.app.mock.add_researcher("Grace", "Brewster");
    let grace_s = grace.to_string();
    let batch = h
        .check_person(&[
            ("email", "grace@example.org"),
            ("given_names", "Grace"),
            ("family_names", "Hopper"),
            ("orcid", &grace_s),
        ])
        .await;
    h.send(&batch).await;
    let text = h.message(1).await;
    assert!(text.contains("Dear Grace Hopper,"), "{text}");
    assert!(text.contains("Example University"), "{text}");
    assert!(text.contains("/mail/stop/"), "the stop link: {text}");
    let link = link_in(&text, &h.app.base);

    let person = h.app.browser();
    let page = person.get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Dear Grace Hopper,"), "{html}");
    assert!(html.contains("What connecting does"), "{html}");
    let list = ok(h
        .app
        .get_text(&h.staff, "/admin/invitations?status=opened")
        .await);
    assert!(list.contains("grace@example.org"), "opened: {list}");

    // The link's token is stored only as its hash.
    let token = link.rsplit('/').next().unwrap();
    let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT token_hash FROM invitation_links")
        .fetch_all(&h.db().await)
        .await
        .unwrap();
    assert_eq!(stored, [idlink::invitations::links::hash(token).to_vec()]);

    // Connect: ORCID's sign-in is pre-filled with the named iD.
    let authorize = h.app.start(&person, &format!("?invitation={token}")).await;
    let pairs: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    assert!(
        pairs.contains(&("orcid".into(), grace_s.clone())),
        "{authorize}"
    );
    assert!(!pairs.iter().any(|(k, _)| k == "show_login"), "{authorize}");

    // Someone else signs in at ORCID: the connection stands, staff see a flag.
    let callback = h.app.decide(&person, &authorize, &other, true).await;
    let res = person.get(callback).send().await.unwrap();
    assert_eq!(location(&res), "/me");
    let list = ok(h
        .app
        .get_text(&h.staff, "/admin/invitations?status=connected")
        .await);
    assert!(list.contains("grace@example.org"), "{list}");
    assert!(list.contains("admin-badge warn mismatch"), "{list}");
    let flagged = ok(h
        .app
        .get_text(&h.staff, "/admin/invitations?mismatch=1")
        .await);
    assert!(flagged.contains(&other.to_string()), "{flagged}");

    // Single use: the link now says so, and cannot start another connection.
    let again = h.app.browser().get(&link).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::GONE);
    assert!(again.text().await.unwrap().contains("already been used"));
    let res = h
        .app
        .browser()
        .get(h.app.url(&format!("/orcid/connect?invitation={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::GONE);
}

#[tokio::test]
async fn without_an_id_orcid_registration_opens_filled_in() {
    let h = Harness::start(&[]).await;
    let batch = h
        .check_person(&[
            ("email", "katherine@example.org"),
            ("given_names", "Katherine"),
            ("family_names", "Johnson"),
        ])
        .await;
    h.send(&batch).await;
    let link = link_in(&h.message(1).await, &h.app.base);
    let token = link.rsplit('/').next().unwrap().to_string();
    let person = h.app.browser();
    let authorize = h.app.start(&person, &format!("?invitation={token}")).await;
    let pairs: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    for (k, v) in [
        ("email", "katherine@example.org"),
        ("given_names", "Katherine"),
        ("family_names", "Johnson"),
        ("show_login", "false"),
    ] {
        assert!(pairs.contains(&(k.into(), v.into())), "{k} in {authorize}");
    }
    let page = person
        .get(authorize)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("value=\"Katherine\""), "{page}");
    assert!(page.contains("value=\"katherine@example.org\""), "{page}");
}

#[tokio::test]
async fn an_expired_or_unknown_link_says_so_plainly() {
    let h = Harness::start(&[]).await;
    let batch = h
        .check_person(&[("email", "late@example.org"), ("given_names", "Late")])
        .await;
    h.send(&batch).await;
    let link = link_in(&h.message(1).await, &h.app.base);
    sqlx::query("UPDATE invitations SET expires_at = 1")
        .execute(&h.db().await)
        .await
        .unwrap();
    let res = h.app.browser().get(&link).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::GONE);
    assert!(res.text().await.unwrap().contains("has expired"));
    let list = ok(h
        .app
        .get_text(&h.staff, "/admin/invitations?status=expired")
        .await);
    assert!(list.contains("late@example.org"), "{list}");

    let res = h
        .app
        .browser()
        .get(
            h.app
                .url("/invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("not valid"));
}

#[tokio::test]
async fn the_list_filters_and_exports_as_csv_and_the_audit_log_says_who_invited_whom() {
    let h = Harness::start(&[]).await;
    let batch = h
        .upload_roster("email,given_names,family_names\na@example.org,Ann,A\nb@example.org,Ben,B\n")
        .await;
    h.send(&batch).await;
    h.message(2).await;
    let sent = wait_for(
        || async {
            let page = ok(h
                .app
                .get_text(&h.staff, "/admin/invitations?status=sent")
                .await);
            (page.contains("a@example.org") && page.contains("b@example.org")).then_some(page)
        },
        Duration::from_secs(20),
    )
    .await
    .expect("both show as sent");
    assert!(sent.contains("Invitations"));
    let res = h
        .app
        .post_form(
            &h.staff,
            "/admin/invitations",
            "/admin/invitations/export",
            &[("q", "ben")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.text().await.unwrap();
    assert!(
        csv.starts_with("email,given_names,family_names,department,status"),
        "{csv}"
    );
    assert!(csv.contains("b@example.org,Ben,B,,sent"), "{csv}");
    assert!(!csv.contains("a@example.org"), "{csv}");
    let audit = ok(h
        .app
        .get_text(&h.staff, "/admin/audit?action=invite_send")
        .await);
    assert!(
        audit.contains("Ann A &lt;a@example.org&gt;") || audit.contains("a@example.org"),
        "{audit}"
    );

    // A batch is sent once.
    h.send(&batch).await;
    let page = ok(h.app.get_text(&h.staff, &batch).await);
    assert!(page.contains("already sent"), "{page}");
    assert_eq!(h.smtp.received().len(), 2);
}

#[tokio::test]
async fn a_discarded_draft_invites_nobody_and_the_audit_log_says_who_discarded_it() {
    let h = Harness::start(&[]).await;
    let batch = h
        .check_person(&[
            ("email", "dora@example.org"),
            ("given_names", "Dora"),
            ("family_names", "Discarded"),
        ])
        .await;
    let res = h
        .app
        .post_form(&h.staff, &batch, &format!("{batch}/discard"), &[])
        .await;
    assert_eq!(location(&res), "/admin/invitations/new");
    let page = ok(h.app.get_text(&h.staff, "/admin/invitations/new").await);
    assert!(page.contains("The draft was discarded"), "{page}");
    // A second discard (another tab) changes nothing, and is not logged again.
    h.app
        .post_form(&h.staff, &batch, &format!("{batch}/discard"), &[])
        .await;
    let page = ok(h.app.get_text(&h.staff, "/admin/invitations/new").await);
    assert!(page.contains("Only a draft can be discarded"), "{page}");
    h.send(&batch).await;
    let id = batch.trim_start_matches("/admin/invitations/batches/");
    let db = h.db().await;
    let (status, queued): (String, i64) = sqlx::query_as(
        "SELECT status, (SELECT COUNT(*) FROM mail_outbox) FROM invitation_batches WHERE id = ?1",
    )
    .bind(id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        (status.as_str(), queued),
        ("discarded", 0),
        "nobody invited"
    );
    let audited: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT actor, detail FROM audit_log WHERE action = 'invite_discard'")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(
        audited,
        [(
            "0000-0002-1825-0097".to_string(),
            Some(format!("batch {id}"))
        )]
    );
}
