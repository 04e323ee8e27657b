//! The bulk-push runner against the simulated ORCID over real HTTP: outcomes per item,
//! bulk requests, 409s, revocation, 503 storms, a kill mid-way, and "push again".

use std::time::Duration;

use crate::common::{job_item, journal_articles, wait_for, wait_until};
use crate::job_setup::{
    app, finished, finished_with, kill_mid_way, researchers, staff, staff_browser, start, STAFF,
};
use idlink::jobs::runner;
use idlink::store::{DraftReport, ItemStatus, JobItem, JobKind, JobStatus, NewJobItem, RowError};
use orcid::OrcidId;
use orcid_sim::{Fault, CROSSREF_CLIENT_ID};

fn with_status(items: &[JobItem], s: ItemStatus) -> Vec<&JobItem> {
    items.iter().filter(|i| i.status == s).collect()
}

/// The count of a labelled series in /metrics text, 0 if absent.
fn metric(text: &str, series: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_mixed_job_gives_each_item_its_outcome() {
    let app = app().await;
    let who = researchers(&app, 2).await;
    let planted = app.mock.add_work_from_source(
        &who[1],
        "Crossref",
        Some(CROSSREF_CLIENT_ID),
        serde_json::json!({
            "title": {"title": {"value": "Planted by Crossref"}},
            "type": "journal-article",
            "external-ids": {"external-id": [{"external-id-type": "doi",
                "external-id-value": "10.5555/PLANTED", "external-id-relationship": "self"}]}
        }),
    );
    let items = vec![
        job_item(2, &who[0], "Good one", "10.5555/good.1", "journal-article"),
        job_item(3, &who[0], "Bad type", "10.5555/bad.1", "not-a-type"),
        job_item(4, &who[0], "Good two", "10.5555/good.2", "book"),
        // Same work in another form of its DOI: found on the record, not sent.
        job_item(
            5,
            &who[1],
            "Planted again",
            "https://doi.org/10.5555/planted",
            "journal-article",
        ),
        job_item(
            6,
            &who[1],
            "Good three",
            "10.5555/good.3",
            "journal-article",
        ),
    ];
    let id = start(&app, JobKind::Works, &items, false).await;
    let got = finished(&app, id).await;

    let by_line = |l: i64| got.iter().find(|i| i.line == l).unwrap();
    for line in [2, 4, 6] {
        let i = by_line(line);
        assert_eq!(i.status, ItemStatus::Done, "line {line}: {:?}", i.detail);
        assert!(i.put_code.is_some());
    }
    let bad = by_line(3);
    assert_eq!(bad.status, ItemStatus::Failed);
    let why = bad.detail.as_deref().unwrap();
    assert!(why.contains("9037") && why.contains("type"), "{why}");
    let skipped = by_line(5);
    assert_eq!(skipped.status, ItemStatus::Skipped);
    assert_eq!(
        skipped.detail.as_deref(),
        Some("already on the record from Crossref")
    );
    assert_eq!(skipped.put_code, Some(planted));

    assert_eq!(app.mock.works_of(&who[0]), 2);
    assert_eq!(
        app.mock.works_of(&who[1]),
        2,
        "the planted work and one added"
    );
    // idlink knows its works, and the audit log names the staff member.
    let ours = app.state.store.idlink_works(&who[0]).await.unwrap();
    assert_eq!(ours.len(), 2);
    let audit = app.state.store.audit_for(&who[0], 10).await.unwrap();
    let adds: Vec<_> = audit.iter().filter(|a| a.action == "add_work").collect();
    assert_eq!(adds.len(), 3, "two added, one refused");
    assert!(adds.iter().all(|a| a.actor.as_str() == STAFF));
    assert!(adds.iter().any(|a| a.outcome == "invalid"));
}

#[tokio::test]
async fn works_go_in_bulk_requests_of_up_to_100() {
    let app = app().await;
    let who = researchers(&app, 3).await;
    let items = journal_articles(&who, 200, "bulk");
    let before = app.mock.member_api_requests();
    let id = start(&app, JobKind::Works, &items, false).await;
    let got = finished(&app, id).await;
    assert_eq!(with_status(&got, ItemStatus::Done).len(), 600);
    let metrics = app.state.metrics.render(0);
    let adds = metric(
        &metrics,
        r#"idlink_orcid_calls_total{endpoint="add_works",outcome="ok"}"#,
    );
    let reads = metric(
        &metrics,
        r#"idlink_orcid_calls_total{endpoint="works",outcome="ok"}"#,
    );
    assert_eq!(
        adds, 6,
        "600 works for 3 researchers: 6 bulk requests\n{metrics}"
    );
    assert_eq!(reads, 3, "one look at each record before sending");
    assert_eq!(
        app.mock.member_api_requests() - before,
        9,
        "6 adds + 3 reads, nothing else"
    );
    for r in &who {
        assert_eq!(app.mock.works_of(r), 200);
        // idlink's copy of the record takes the works from ORCID's answers once the unit's
        // last request is settled, a moment after its items show as done.
        let store = &app.state.store;
        wait_until(
            || async move { store.count_cached_groups(r).await.unwrap() == 200 },
            Duration::from_secs(10),
        )
        .await
        .expect("idlink's copy of the record holds the 200 pushed works");
    }
}

#[tokio::test]
async fn a_duplicate_answer_409_is_already_present_not_a_failure() {
    let app = app().await;
    let who = researchers(&app, 1).await;
    // The upload check keeps one of two such rows; two reaching ORCID in one request is
    // how its same-source duplicate answer (9021) is met here.
    let items = vec![
        job_item(2, &who[0], "Twice", "10.5555/twice", "journal-article"),
        job_item(
            3,
            &who[0],
            "Twice again",
            "10.5555/TWICE",
            "journal-article",
        ),
    ];
    let id = start(&app, JobKind::Works, &items, false).await;
    let got = finished(&app, id).await;
    assert_eq!(got[0].status, ItemStatus::Done);
    assert_eq!(
        got[1].status,
        ItemStatus::AlreadyPresent,
        "{:?}",
        got[1].detail
    );
    assert_eq!(
        got[1].put_code, got[0].put_code,
        "the existing put-code is kept"
    );
    assert_eq!(app.mock.works_of(&who[0]), 1);
}

#[tokio::test]
async fn a_researcher_who_revokes_during_the_job_waits_alone_until_they_connect_again() {
    let app = app().await;
    let who = researchers(&app, 2).await;
    app.mock
        .set_fault(Some(Fault::ApiDelay(Duration::from_millis(200))));
    let items = journal_articles(&who, 150, "revoke");
    let id = start(&app, JobKind::Works, &items, false).await;
    app.mock
        .revoke_all_for(&who[1], app.state.orcid.client_id());
    let got = finished(&app, id).await;
    let (first, second): (Vec<&JobItem>, Vec<&JobItem>) =
        got.iter().partition(|i| i.orcid == who[0]);
    assert!(first.iter().all(|i| i.status == ItemStatus::Done));
    assert_eq!(second.len(), 150);
    assert!(
        second.iter().all(|i| i.status == ItemStatus::Waiting
            && i.detail
                .as_deref()
                .is_some_and(|d| d.contains(runner::REVOKED))),
        "{:?}",
        second
            .iter()
            .map(|i| (&i.status, &i.detail))
            .collect::<Vec<_>>()
    );
    assert_eq!(app.mock.works_of(&who[0]), 150);
    assert_eq!(app.mock.works_of(&who[1]), 0);
    let tokens = app.state.store.tokens(&who[1]).await.unwrap().unwrap();
    assert_eq!(tokens.status, idlink::store::TokenStatus::Revoked);

    // Connecting again resumes the waiting items on their own; none is sent twice.
    app.mock.set_fault(None);
    app.sign_in_as(&app.browser(), &who[1], "").await;
    let got = finished_with(&app, id, ItemStatus::Done).await;
    assert_eq!(with_status(&got, ItemStatus::Done).len(), 300);
    assert_eq!(app.mock.works_of(&who[0]), 150);
    assert_eq!(app.mock.works_of(&who[1]), 150);
}

#[tokio::test]
async fn a_refused_token_is_refreshed_and_the_push_goes_on() {
    let app = app().await;
    let who = researchers(&app, 1).await;
    let old = app.state.store.tokens(&who[0]).await.unwrap().unwrap();
    app.mock
        .set_fault(Some(Fault::ApiDelay(Duration::from_millis(100))));
    let items = journal_articles(&who, 150, "refused");
    let before = app.mock.refresh_grants();
    let id = start(&app, JobKind::Works, &items, false).await;
    // ORCID now answers 401 invalid_token to the token idlink holds (and thinks valid).
    app.mock
        .expire_access_token(secrecy::ExposeSecret::expose_secret(&old.access_token));
    let got = finished(&app, id).await;
    assert!(
        got.iter().all(|i| i.status == ItemStatus::Done),
        "{:?}",
        got.iter().map(|i| &i.detail).collect::<Vec<_>>()
    );
    assert_eq!(app.mock.works_of(&who[0]), 150);
    assert_eq!(app.mock.refresh_grants(), before + 1);
    let tokens = app.state.store.tokens(&who[0]).await.unwrap().unwrap();
    assert_eq!(tokens.status, idlink::store::TokenStatus::Active);
}

#[tokio::test]
async fn a_503_storm_loses_no_item() {
    let app = app().await;
    let who = researchers(&app, 2).await;
    let items = journal_articles(&who, 120, "storm");
    // The client tries each call 5 times: this storm outlasts its retries.
    app.mock.set_fault(Some(Fault::ApiStatus {
        status: 503,
        times: 12,
    }));
    let id = start(&app, JobKind::Works, &items, false).await;
    let got = finished(&app, id).await;
    assert_eq!(with_status(&got, ItemStatus::Done).len(), 240, "{got:?}");
    for r in &who {
        assert_eq!(app.mock.works_of(r), 120, "each work exactly once");
    }
    let metrics = app.state.metrics.render(0);
    assert!(
        metric(
            &metrics,
            r#"idlink_orcid_calls_total{endpoint="works",outcome="busy"}"#
        ) + metric(
            &metrics,
            r#"idlink_orcid_calls_total{endpoint="add_works",outcome="busy"}"#
        ) >= 1,
        "the storm outlasted the client's retries at least once\n{metrics}"
    );
}

#[tokio::test]
async fn a_job_killed_mid_way_resumes_without_duplicates() {
    let mut app = app().await;
    let who = researchers(&app, 3).await;
    let items = journal_articles(&who, 150, "kill");
    app.mock
        .set_fault(Some(Fault::ApiDelay(Duration::from_millis(300))));
    let id = start(&app, JobKind::Works, &items, false).await;
    let c = kill_mid_way(&mut app, id).await;
    assert!(c.done < 450 && c.sending > 0, "killed mid-request: {c:?}");
    app.mock.set_fault(None);

    // A restart: a new runner on the same database.
    app.runner = app.state.runner.start();
    let got = finished(&app, id).await;
    for i in &got {
        assert!(
            matches!(i.status, ItemStatus::Done | ItemStatus::AlreadyPresent),
            "line {}: {:?} {:?}",
            i.line,
            i.status,
            i.detail
        );
    }
    let mut codes: Vec<i64> = got.iter().filter_map(|i| i.put_code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), 450, "one put-code per item, none shared");
    for r in &who {
        assert_eq!(app.mock.works_of(r), 150, "no work pushed twice");
        assert_eq!(app.state.store.idlink_works(r).await.unwrap().len(), 150);
    }
}

#[tokio::test]
async fn deleted_works_come_back_only_with_push_again() {
    let app = app().await;
    let who = researchers(&app, 1).await;
    let work = [job_item(
        2,
        &who[0],
        "Deleted later",
        "10.5555/gone",
        "journal-article",
    )];
    let first = finished(&app, start(&app, JobKind::Works, &work, false).await).await;
    let put_code = first[0].put_code.unwrap();
    assert!(app.mock.remove_work(&who[0], put_code));

    let again = finished(&app, start(&app, JobKind::Works, &work, false).await).await;
    assert_eq!(again[0].status, ItemStatus::Skipped);
    let why = again[0].detail.as_deref().unwrap();
    assert!(why.starts_with("deleted by the researcher"), "{why}");
    assert_eq!(app.mock.works_of(&who[0]), 0);

    let forced = finished(&app, start(&app, JobKind::Works, &work, true).await).await;
    assert_eq!(forced[0].status, ItemStatus::Done);
    assert_ne!(forced[0].put_code, Some(put_code));
    assert_eq!(app.mock.works_of(&who[0]), 1);

    // Already there now, from idlink: a fourth upload is skipped, naming the source.
    let fourth = finished(&app, start(&app, JobKind::Works, &work, true).await).await;
    assert_eq!(fourth[0].status, ItemStatus::Skipped);
    assert!(fourth[0]
        .detail
        .as_deref()
        .unwrap()
        .contains("(added with idlink)"));
}

#[tokio::test]
async fn a_researcher_without_permission_to_add_works_waits_with_the_reason() {
    let app = app().await;
    let who = app.mock.add_researcher("Sign", "In Only");
    app.sign_in_as(&app.browser(), &who, "?access=signin").await;
    let id = start(
        &app,
        JobKind::Works,
        &journal_articles(&[who], 3, "scope"),
        false,
    )
    .await;
    let got = finished(&app, id).await;
    assert!(got.iter().all(|i| i.status == ItemStatus::Waiting));
    assert!(
        got[0].detail.as_deref().unwrap().contains("permission"),
        "{:?}",
        got[0].detail
    );
    assert_eq!(app.mock.works_of(&who), 0);

    // Connecting again with the permission sends them.
    app.sign_in_as(&app.browser(), &who, "").await;
    finished_with(&app, id, ItemStatus::Done).await;
    assert_eq!(app.mock.works_of(&who), 3);
}

#[tokio::test]
async fn a_cancelled_job_sends_nothing_more() {
    let app = app().await;
    let who = researchers(&app, 1).await;
    app.mock
        .set_fault(Some(Fault::ApiDelay(Duration::from_millis(300))));
    let id = start(
        &app,
        JobKind::Works,
        &journal_articles(&who, 250, "cancel"),
        false,
    )
    .await;
    let store = &app.state.store;
    wait_until(
        || async move { store.job_counts(id).await.unwrap().sending > 0 },
        Duration::from_secs(30),
    )
    .await
    .expect("a request in flight");
    assert!(store.cancel_job(id).await.unwrap());
    // The request in flight settles; nothing else is claimed.
    let c = wait_for(
        || async move {
            let c = store.job_counts(id).await.unwrap();
            (c.sending == 0).then_some(c)
        },
        Duration::from_secs(30),
    )
    .await
    .expect("the request in flight settles");
    assert_eq!(c.done, 100, "{c:?}");
    assert_eq!(c.cancelled, 150, "{c:?}");
    // Nothing is left for the runner: no unit of any job is runnable and no item of this
    // one is waiting or in flight. From the moment the request in flight settled until the
    // runner is seen idle, ORCID hears nothing more.
    let sent = app.mock.member_api_requests();
    app.state.runner.wake();
    wait_until(
        || async move {
            store.runnable_units(i64::MAX).await.unwrap().is_empty()
                && store.job_counts(id).await.unwrap().sending == 0
        },
        Duration::from_secs(30),
    )
    .await
    .expect("the runner is idle");
    let c = store.job_counts(id).await.unwrap();
    assert_eq!((c.pending, c.sending), (0, 0), "{c:?}");
    assert_eq!(app.mock.member_api_requests(), sent, "nothing more is sent");
    assert_eq!(app.mock.works_of(&who[0]), 100);
    let job = app.state.store.job(id).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Cancelled);
}

/// A signed-in staff member's browser.
#[tokio::test]
async fn the_reconciliation_shows_what_differs_from_the_record() {
    let app = app().await;
    let who = researchers(&app, 1).await;
    let r = who[0];
    let items = vec![
        job_item(2, &r, "Kept as sent", "10.5555/rec.1", "journal-article"),
        job_item(
            3,
            &r,
            "Deleted at ORCID",
            "10.5555/rec.2",
            "journal-article",
        ),
        job_item(
            4,
            &r,
            "Replaced by another source",
            "10.5555/rec.3",
            "journal-article",
        ),
        job_item(5, &r, "Refused", "10.5555/rec.4", "no-such-type"),
    ];
    let id = start(&app, JobKind::Works, &items, false).await;
    let got = finished(&app, id).await;
    assert!(app.mock.remove_work(&r, got[1].put_code.unwrap()));
    assert!(app.mock.remove_work(&r, got[2].put_code.unwrap()));
    app.mock.add_work_from_source(
        &r,
        "Scopus",
        Some(orcid_sim::SCOPUS_CLIENT_ID),
        serde_json::json!({
            "title": {"title": {"value": "Another title"}},
            "type": "preprint",
            "publication-date": {"year": {"value": "2024"}},
            "external-ids": {"external-id": [{"external-id-type": "doi",
                "external-id-value": "10.5555/rec.3", "external-id-relationship": "self"}]}
        }),
    );
    let client = staff_browser(&app).await;

    let (status, html) = app
        .get_text(&client, &format!("/admin/jobs/{id}/reconcile/{r}"))
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{html}");
    for expected in [
        r#"data-difference="same""#,
        r#"data-difference="deleted_by_researcher""#,
        "on the record, different title, type",
        r#"data-difference="missing""#,
        "from Scopus",
    ] {
        assert!(html.contains(expected), "{expected} in\n{html}");
    }
    assert!(
        html.contains("Record read from ORCID just now"),
        "a fresh read"
    );

    let (status, html) = app
        .get_text(&client, &format!("/admin/jobs/{id}/reconcile"))
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(
        html.contains(&format!("/admin/jobs/{id}/reconcile/{r}")),
        "{html}"
    );

    let page = format!("/admin/jobs/{id}/reconcile");
    let res = app
        .post_form(
            &client,
            &page,
            &format!("/admin/jobs/{id}/reconcile.csv"),
            &[],
        )
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5, "header and one line an item:\n{csv}");
    assert!(lines[0].starts_with("line,orcid,item_status"));
    let difference = |n: usize| lines[n].split(',').nth(14).unwrap();
    assert_eq!(
        (1..5).map(difference).collect::<Vec<_>>(),
        ["same", "deleted_by_researcher", "differs", "missing"]
    );
    let audit = app.state.store.audit_for(&staff(), 5).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "export_reconcile"));

    for bad in [
        "/admin/jobs/nope/reconcile",
        "/admin/jobs/999/reconcile/0000-0002-1825-0097",
        &format!("/admin/jobs/{id}/reconcile/not-an-id"),
    ] {
        assert_eq!(
            app.get_text(&client, bad).await.0,
            reqwest::StatusCode::NOT_FOUND,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn only_staff_see_reconciliations() {
    let app = app().await;
    let who = researchers(&app, 1).await;
    let id = start(
        &app,
        JobKind::Works,
        &journal_articles(&who, 1, "private"),
        false,
    )
    .await;
    finished(&app, id).await;
    let someone = app.browser();
    app.sign_in(&someone).await;
    let anonymous = app.browser();
    let csv_path = format!("/admin/jobs/{id}/reconcile.csv");
    let csrf = app.csrf(&someone).await;
    let res = app
        .post_fields(&someone, &csv_path, &[("csrf", &csrf)])
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::FORBIDDEN, "{csv_path}");
    assert!(!res.text().await.unwrap().contains("10.5555/private"));
    let res = app.post_fields(&anonymous, &csv_path, &[]).await;
    assert!(
        res.status().is_redirection(),
        "{csv_path}: {}",
        res.status()
    );
    for path in [
        format!("/admin/jobs/{id}/reconcile"),
        format!("/admin/jobs/{id}/reconcile/{}", who[0]),
    ] {
        let res = someone.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), reqwest::StatusCode::FORBIDDEN, "{path}");
        let body = res.text().await.unwrap();
        assert!(!body.contains("10.5555/private"), "{path} leaks nothing");
        let res = anonymous.get(app.url(&path)).send().await.unwrap();
        assert!(res.status().is_redirection(), "{path}: {}", res.status());
    }
}

#[tokio::test]
async fn downloads_of_a_large_job_stream_every_row_across_batches() {
    let app = app().await;
    // 2,500 items of 120 researchers idlink never saw (the job is a draft: nothing is
    // sent); 2,500 findings; more counted in one column.
    let items: Vec<NewJobItem> = (0..2_500)
        .map(|n| {
            let who = OrcidId::from_base_digits(1_000 + n % 120);
            job_item(
                n as i64 + 2,
                &who,
                &format!("Work {n}"),
                &format!("10.5555/big.{n}"),
                "book",
            )
        })
        .collect();
    let findings: Vec<RowError> = (0..2_500)
        .map(|n| RowError {
            line: 3_000 + n,
            column: "title".into(),
            message: format!("Finding {n}"),
        })
        .collect();
    let omitted = [("type".to_string(), 12_345)];
    let id = app
        .state
        .store
        .create_draft_job(
            &staff(),
            "big.csv",
            DraftReport {
                rows_total: 5_000,
                rows_invalid: 2_500,
                kept: &findings,
                omitted: &omitted,
            },
            &items,
        )
        .await
        .unwrap();
    let client = staff_browser(&app).await;
    let page = format!("/admin/jobs/{id}");

    let download = |file: &'static str| {
        let (app, client, page) = (&app, &client, &page);
        async move {
            let res = app
                .post_form(client, page, &format!("{page}/{file}"), &[])
                .await;
            assert_eq!(res.status(), reqwest::StatusCode::OK, "{file}");
            assert!(
                res.headers().get("content-length").is_none(),
                "{file} is streamed, not sent as one body"
            );
            res.text().await.unwrap()
        }
    };
    let results = download("results.csv").await;
    let lines: Vec<&str> = results.lines().collect();
    assert_eq!(lines.len(), 1 + 2_500);
    assert!(lines[1].starts_with("2,") && lines[2_500].starts_with("2501,"));

    let report = download("errors.csv").await;
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 1 + 2_500 + 1);
    assert!(lines[2_500].ends_with("Finding 2499"));
    assert!(
        lines[2_501].contains("12,345 more rows with a problem in “type”"),
        "{}",
        lines[2_501]
    );

    let comparison = download("reconcile.csv").await;
    assert_eq!(
        comparison.lines().count(),
        1 + 2_500,
        "every item of 120 researchers"
    );

    // Compressed, as browsers ask for it: the stream ends cleanly under the encoder too.
    let csrf = app.csrf_on(&client, &page).await;
    for encoding in ["gzip", "br"] {
        let res = client
            .post(app.url(&format!("{page}/results.csv")))
            .header("accept-encoding", encoding)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), reqwest::StatusCode::OK);
        assert_eq!(res.headers()["content-encoding"], encoding);
        let body = res.bytes().await.expect("the whole compressed file");
        assert!(!body.is_empty());
    }
}
