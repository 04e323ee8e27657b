//! Fair use of ORCID's rate limit: one person's flood of requests cannot starve everyone
//! else, people are served before bulk pushes, and no one waits long for a turn.

use std::time::{Duration, Instant};

use reqwest::header::RETRY_AFTER;
use reqwest::{Client, StatusCode};
use tokio::task::JoinSet;

use crate::common::{journal_articles, ok, wait_until, with_token, work_form, TestApp};
use idlink::store::DraftReport;
use orcid::OrcidId;
use orcid_sim::Fault;

/// The shipped limits, named so the harness's test-friendly ones do not apply.
const SHIPPED: [&str; 6] = [
    "--works-refresh-cooldown-secs",
    "10",
    "--researcher-orcid-per-minute",
    "20",
    "--researcher-orcid-burst",
    "10",
];

/// Requests the simulated ORCID received: Member API and token endpoint.
fn orcid_calls(app: &TestApp) -> usize {
    app.mock.member_api_requests() + app.mock.token_requests()
}

/// POST /me/works/refresh with the page's CSRF token; the status.
async fn refresh(app: &TestApp, client: &Client, csrf: &str) -> StatusCode {
    app.post_fields(client, "/me/works/refresh", &[("csrf", csrf)])
        .await
        .status()
}

/// The flash /me shows now.
async fn flash(app: &TestApp, client: &Client) -> String {
    let html = ok(app.get_text(client, "/me").await);
    html.split("<div class=\"alert ")
        .nth(1)
        .and_then(|rest| rest.split("</div>").next())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_refreshes_costs_one_read_and_others_still_sign_in_quickly() {
    let app = TestApp::spawn_with(&SHIPPED).await;
    let flooder = app.browser();
    app.sign_in(&flooder).await;
    // From the add-work form, which reads nothing from ORCID: the flood's first refresh
    // is the record's first read.
    let csrf = app.csrf_on(&flooder, "/me/works/new").await;
    // ORCID answers slowly, as on a busy day, so the flood overlaps the reads it causes.
    app.mock
        .set_fault(Some(Fault::ApiDelay(Duration::from_millis(300))));
    let before = orcid_calls(&app);

    let mut flood = JoinSet::new();
    for _ in 0..150 {
        let (client, url, csrf) = (flooder.clone(), app.url("/me/works/refresh"), csrf.clone());
        flood.spawn(async move {
            let res = client.post(url).form(&[("csrf", csrf)]).send().await;
            res.expect("refresh").status()
        });
    }
    let other = app.browser();
    let started = Instant::now();
    app.sign_in(&other).await;
    let sign_in = started.elapsed();
    while let Some(status) = flood.join_next().await {
        let status = status.expect("task");
        assert!(
            status == StatusCode::SEE_OTHER || status == StatusCode::TOO_MANY_REQUESTS,
            "a refresh in the flood answered {status}"
        );
    }

    assert!(
        sign_in < Duration::from_secs(1),
        "another person's sign-in took {sign_in:?} during the flood"
    );
    // The other person's sign-in made one token request; the rest is the flooder's.
    let flooders = orcid_calls(&app) - before - 1;
    // The figures BENCHMARKS.md reports (`--nocapture` shows them).
    println!("flood of 150 refreshes: another sign-in took {sign_in:?}; the flooder's ORCID calls: {flooders}");
    assert!(flooders <= 2, "150 refreshes made {flooders} ORCID calls");
}

#[tokio::test]
async fn a_refresh_already_running_is_not_started_again() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    app.sign_in(&client).await;
    let csrf = app.csrf(&client).await;
    app.mock
        .set_fault(Some(Fault::ApiDelay(Duration::from_millis(1500))));
    let before = app.mock.member_api_requests();
    let first = {
        let (client, url, csrf) = (client.clone(), app.url("/me/works/refresh"), csrf.clone());
        tokio::spawn(async move { client.post(url).form(&[("csrf", csrf)]).send().await })
    };
    let mock = &app.mock;
    wait_until(
        || async move { mock.member_api_requests() > before },
        Duration::from_secs(10),
    )
    .await
    .expect("the first refresh reaches ORCID");

    let started = Instant::now();
    assert_eq!(refresh(&app, &client, &csrf).await, StatusCode::SEE_OTHER);
    assert!(
        started.elapsed() < Duration::from_millis(1000),
        "the second is answered at once, not queued"
    );
    assert!(
        flash(&app, &client)
            .await
            .contains("already being refreshed"),
        "said politely"
    );
    first.await.unwrap().unwrap();
    assert_eq!(
        app.mock.member_api_requests() - before,
        1,
        "one read for both"
    );
}

#[tokio::test]
async fn a_refresh_soon_after_another_waits_for_the_cooldown() {
    let app = TestApp::spawn_with(&["--works-refresh-cooldown-secs", "1"]).await;
    let client = app.browser();
    app.sign_in(&client).await;
    // Opening /me read the record a moment ago.
    let csrf = app.csrf(&client).await;
    let before = app.mock.member_api_requests();
    assert_eq!(refresh(&app, &client, &csrf).await, StatusCode::SEE_OTHER);
    let said = flash(&app, &client).await;
    assert!(said.contains("just refreshed"), "{said}");
    assert!(
        said.contains("You can refresh again in 1 second."),
        "{said}"
    );
    assert_eq!(app.mock.member_api_requests(), before, "no call");

    let (app, client, csrf) = (&app, &client, &csrf);
    wait_until(
        || async move {
            refresh(app, client, csrf).await;
            flash(app, client).await.contains("up to date with ORCID")
        },
        Duration::from_secs(10),
    )
    .await
    .expect("after the cooldown a refresh reads ORCID again");
    assert_eq!(app.mock.member_api_requests(), before + 1);
}

#[tokio::test]
async fn past_their_allowance_a_person_gets_a_429_page_and_others_do_not() {
    let app = TestApp::spawn_with(&[
        "--researcher-orcid-per-minute",
        "1",
        "--researcher-orcid-burst",
        "3",
    ])
    .await;
    let ada = app.browser();
    app.sign_in(&ada).await;
    // Opening /me reads the record (1), then two refreshes (2, 3).
    let csrf = app.csrf(&ada).await;
    for _ in 0..2 {
        assert_eq!(refresh(&app, &ada, &csrf).await, StatusCode::SEE_OTHER);
    }
    let before = orcid_calls(&app);
    let res = app
        .post_fields(&ada, "/me/works/refresh", &[("csrf", &csrf)])
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = res.headers()[RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let html = res.text().await.unwrap();
    assert!(html.contains("Too many requests to ORCID"), "{html}");
    assert!(
        html.contains("please wait about a minute and try again"),
        "when, in words: {html}"
    );
    assert_eq!(orcid_calls(&app), before, "nothing sent to ORCID");

    let bob = app.browser();
    app.sign_in(&bob).await;
    let csrf = app.csrf(&bob).await;
    assert_eq!(refresh(&app, &bob, &csrf).await, StatusCode::SEE_OTHER);
    assert!(flash(&app, &bob).await.contains("up to date with ORCID"));
}

#[tokio::test]
async fn a_work_held_back_by_the_allowance_comes_back_on_its_form() {
    let app = TestApp::spawn_with(&[
        "--researcher-orcid-per-minute",
        "1",
        "--researcher-orcid-burst",
        "3",
    ])
    .await;
    let client = app.browser();
    let who = app.sign_in(&client).await;
    let csrf = app.csrf_on(&client, "/me/works/new").await;
    // The first add reads the record (1), adds (2) and reads it again (3); the second
    // has no call left.
    let first = with_token(&csrf, &work_form("First work", "10.5555/held.1"));
    let res = app.post_fields(&client, "/me/works/new", &first).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let second = with_token(&csrf, &work_form("Typed with care", "10.5555/held.2"));
    let res = app.post_fields(&client, "/me/works/new", &second).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key(RETRY_AFTER));
    let html = res.text().await.unwrap();
    assert!(
        html.contains("value=\"Typed with care\""),
        "the form is still filled: {html}"
    );
    assert!(
        html.contains("please wait a minute and try again"),
        "{html}"
    );
    assert_eq!(app.mock.works_of(&who), 1, "only the first reached ORCID");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_bounded_wait_a_person_sees_orcid_is_busy_at_once() {
    // One call a second and a second's patience: one sign-in is served, one more may
    // wait its turn, and the rest are told at once that ORCID is busy.
    let app = TestApp::spawn_with(&[
        "--orcid-rate-per-sec",
        "1",
        "--orcid-burst",
        "1",
        "--orcid-queue-wait-secs",
        "1",
    ])
    .await;
    let mut callbacks = Vec::new();
    for i in 0..6 {
        let client = app.browser();
        let who = app.mock.add_researcher("Busy", &format!("Day {i}"));
        let authorize = app.start(&client, "").await;
        let callback = app.decide(&client, &authorize, &who, true).await;
        callbacks.push((client, callback));
    }
    let mut answers = JoinSet::new();
    for (client, callback) in callbacks {
        answers.spawn(async move {
            let started = Instant::now();
            let res = client.get(callback).send().await.expect("callback");
            let retry_after = res.headers().get(RETRY_AFTER).cloned();
            (
                res.status(),
                retry_after,
                res.text().await.unwrap(),
                started.elapsed(),
            )
        });
    }
    let mut busy = 0;
    let mut signed_in = 0;
    while let Some(answer) = answers.join_next().await {
        let (status, retry_after, html, took) = answer.unwrap();
        // A served sign-in makes up to three calls (token, discovery, keys), each
        // waiting at most the bound.
        assert!(took < Duration::from_secs(5), "{status} after {took:?}");
        match status {
            StatusCode::SEE_OTHER => signed_in += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                busy += 1;
                assert!(
                    html.contains("ORCID is busy, try again in a minute"),
                    "{html}"
                );
                assert_eq!(retry_after.unwrap(), "60");
                assert!(took < Duration::from_millis(1500), "busy after {took:?}");
            }
            other => panic!("callback answered {other}: {html}"),
        }
    }
    println!("6 sign-ins at once, 1 call/s, 1 s wait: {signed_in} served, {busy} told busy");
    assert!(signed_in >= 1, "someone is served");
    assert!(busy >= 3, "only {busy} of 6 were told ORCID is busy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_is_served_before_a_running_bulk_push() {
    const STAFF: &str = "0000-0002-1825-0097";
    // Two calls a second: a bulk push of four researchers keeps the line full.
    let app = TestApp::spawn_with(&[
        "--orcid-rate-per-sec",
        "2",
        "--orcid-burst",
        "1",
        "--staff-orcids",
        STAFF,
    ])
    .await;
    let mut who = Vec::new();
    for i in 0..4 {
        let w = app.mock.add_researcher("Bulk", &format!("Researcher {i}"));
        app.sign_in_as(&app.browser(), &w, "").await;
        who.push(w);
    }
    let items = journal_articles(&who, 250, "fair");
    let store = &app.state.store;
    let staff = OrcidId::parse(STAFF).unwrap();
    let job = store
        .create_draft_job(
            &staff,
            "fair.csv",
            DraftReport {
                rows_total: items.len() as i64,
                ..DraftReport::default()
            },
            &items,
        )
        .await
        .unwrap();
    let before = app.mock.member_api_requests();
    assert!(store.start_job(job, false).await.unwrap());
    app.state.runner.wake();
    let mock = &app.mock;
    wait_until(
        || async move { mock.member_api_requests() >= before + 2 },
        Duration::from_secs(20),
    )
    .await
    .expect("the bulk push is under way");

    let bulk_before = app.mock.member_api_requests();
    let started = Instant::now();
    app.sign_in(&app.browser()).await;
    let took = started.elapsed();
    let bulk_meanwhile = app.mock.member_api_requests() - bulk_before;
    let counts = store.job_counts(job).await.unwrap();
    assert!(
        counts.pending + counts.sending > 0,
        "the push was still running: {counts:?}"
    );
    println!("sign-in during a bulk push at 2 calls/s: {took:?}; bulk calls sent meanwhile: {bulk_meanwhile}");
    // Behind the push's callers in one line, the sign-in would wait for 3 or 4 of them
    // (half a second each); ahead of them, only for the next slot.
    assert!(
        bulk_meanwhile <= 1,
        "{bulk_meanwhile} bulk calls went first"
    );
    assert!(took < Duration::from_millis(1500), "sign-in took {took:?}");
}
