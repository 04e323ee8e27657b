//! Staff pages under /admin: who may see them, the dashboard of connected researchers
//! (statuses from the real flows, search, filters, sorting, paging, CSV export, and
//! 50,000 researchers), one researcher's page, and the audit log.

mod dashboard;
mod grant_health;
mod load;
mod pages;
mod seed;

use crate::common::{location, ok, work_form, TestApp};
use idlink::store::AuditFilter;
use orcid::OrcidId;
use reqwest::{Client, StatusCode};

pub const STAFF: &str = "0000-0002-1825-0097";
/// On the staff list, but the database says the role was taken away.
pub const FORMER: &str = "0000-0002-4325-871X";

pub async fn staff_app() -> (TestApp, Client, OrcidId) {
    let app = TestApp::spawn_with(&["--staff-orcids", &format!("{STAFF},{FORMER}")]).await;
    let staff = OrcidId::parse(STAFF).unwrap();
    app.mock.add_researcher_with_id(&staff, "Sam", "Staff");
    let client = app.browser();
    app.sign_in_as(&client, &staff, "").await;
    (app, client, staff)
}

#[track_caller]
/// `(iD, status)` of each dashboard row, in order.
pub fn rows(html: &str) -> Vec<(String, String)> {
    html.split("<tr data-orcid=\"")
        .skip(1)
        .map(|s| {
            let id = s.split('"').next().unwrap().to_string();
            let status = s.split("data-status=\"").nth(1).unwrap();
            (id, status.split('"').next().unwrap().to_string())
        })
        .collect()
}

pub fn ids(html: &str) -> Vec<String> {
    rows(html).into_iter().map(|(id, _)| id).collect()
}

#[track_caller]
pub fn row<'a>(html: &'a str, id: &OrcidId) -> &'a str {
    let start = html
        .find(&format!("data-orcid=\"{id}\""))
        .unwrap_or_else(|| panic!("no row for {id}"));
    let end = html[start..].find("</tr>").unwrap() + start;
    &html[start..end]
}

/// The "N researchers" / "N entries" count of a staff list.
pub fn total(html: &str) -> i64 {
    let s = html
        .split("class=\"admin-total\"><strong>")
        .nth(1)
        .expect("a total");
    s.split('<').next().unwrap().parse().unwrap()
}

pub fn entries(html: &str) -> Vec<i64> {
    html.split("data-entry=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().parse().unwrap())
        .collect()
}

/// Posts an export form (with the session's CSRF token) and parses the CSV.
pub async fn export(
    app: &TestApp,
    client: &Client,
    path: &str,
    fields: &[(&str, &str)],
) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let res = app.post_form(client, "/admin", path, fields).await;
    assert_eq!(res.status(), StatusCode::OK);
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/csv"), "{ct}");
    let body = res.bytes().await.unwrap();
    let mut reader = csv::Reader::from_reader(&body[..]);
    let headers = reader.headers().unwrap().clone();
    let records = reader.records().map(Result::unwrap).collect();
    (headers, records)
}

pub fn column(
    headers: &csv::StringRecord,
    records: &[csv::StringRecord],
    name: &str,
) -> Vec<String> {
    let i = headers.iter().position(|h| h == name).expect(name);
    records.iter().map(|r| r[i].to_string()).collect()
}

pub async fn add_work(app: &TestApp, client: &Client, title: &str, doi: &str) {
    let res = app
        .post_form(client, "/me", "/me/works/new", &work_form(title, doi))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
}

pub async fn researcher(app: &TestApp, given: &str, family: &str) -> (Client, OrcidId) {
    let client = app.browser();
    let id = app.mock.add_researcher(given, family);
    app.sign_in_as(&client, &id, "").await;
    (client, id)
}

pub async fn html_of(app: &TestApp, client: &Client, path: &str) -> String {
    ok(app.get_text(client, path).await)
}

#[tokio::test]
async fn only_staff_may_use_any_admin_page_or_form() {
    let (app, _staff_client, _) = staff_app().await;
    let (plain, plain_id) = researcher(&app, "Pat", "Plain").await;
    let former_id = OrcidId::parse(FORMER).unwrap();
    app.mock.add_researcher_with_id(&former_id, "Fay", "Former");
    let former = app.browser();
    app.sign_in_as(&former, &former_id, "").await;
    assert!(
        app.state
            .store
            .researcher(&former_id)
            .await
            .unwrap()
            .unwrap()
            .is_staff
    );
    // The role taken away since sign-in (a restart with a shorter STAFF_ORCIDS list
    // clears it at the next sign-in; here the flag is cleared directly).
    sqlx::query("UPDATE researchers SET is_staff = 0 WHERE orcid = ?1")
        .bind(FORMER)
        .execute(app.state.store.pool())
        .await
        .unwrap();

    let researcher_page = format!("/admin/researchers/{plain_id}");
    let gets = [
        "/admin",
        "/admin?q=pat&status=active&sort=last_call&dir=desc&page=2",
        researcher_page.as_str(),
        "/admin/researchers/not-an-id",
        "/admin/audit",
        "/admin/audit?from=2026-02-30&action=add_work",
        "/admin/grants",
        "/admin/grants?state=revoked&after=2026-01-01",
    ];
    let posts = [
        "/admin/export",
        "/admin/audit/export",
        "/admin/grants/export",
    ];
    for client in [&plain, &former] {
        let csrf = app.csrf(client).await;
        for path in gets {
            let (status, body) = app.get_text(client, path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "GET {path}");
            assert!(body.contains("Staff only"), "GET {path}: {body}");
        }
        for path in posts {
            let res = client
                .post(app.url(path))
                .form(&[("csrf", csrf.as_str()), ("status", "")])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "POST {path}");
        }
    }
    let anonymous = app.browser();
    for path in gets {
        let res = anonymous.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "GET {path}");
        assert_eq!(location(&res), "/");
    }
    for path in posts {
        let res = anonymous
            .post(app.url(path))
            .form(&[("csrf", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "POST {path}");
        assert_eq!(location(&res), "/");
    }
    let logged = app
        .state
        .store
        .audit_count(&AuditFilter::default())
        .await
        .unwrap();
    assert_eq!(logged, 0, "refused exports leave no trace of an export");
}
