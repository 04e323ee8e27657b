//! One researcher's page, and the audit log with its filters and export.

use reqwest::StatusCode;

use super::seed::load;
use super::*;
use crate::common::hidden_value;

#[tokio::test]
async fn one_researchers_page() {
    let (app, staff_client, _) = staff_app().await;
    let (client, who) = researcher(&app, "Rosa", "Page").await;
    app.mock.add_work_from_source(&who, "Crossref", Some("APP-CROSSREF00000001"), serde_json::json!({
        "title": {"title": {"value": "Planted by Crossref"}},
        "type": "journal-article",
        "external-ids": {"external-id": [{"external-id-type": "doi", "external-id-value": "10.5555/planted.9",
            "external-id-relationship": "self"}]}
    }));
    add_work(&app, &client, "Written through idlink", "10.5555/rosa.1").await;

    let dashboard = html_of(&app, &staff_client, &format!("/admin?q={who}")).await;
    assert!(row(&dashboard, &who).contains(&format!("href=\"/admin/researchers/{who}\"")));
    let html = html_of(&app, &staff_client, &format!("/admin/researchers/{who}")).await;
    assert!(html.contains("Rosa Page"));
    assert!(html.contains(&format!(
        "<span>{}</span>",
        app.state.orcid.record_url(&who)
    )));
    assert!(html.contains(">active<"));
    assert!(
        html.contains("Planted by Crossref") && html.contains("Source: Crossref"),
        "{html}"
    );
    let writes = html.split("id=\"writes\"").nth(1).unwrap();
    assert!(writes.contains("Written through idlink") && writes.contains("on the record"));
    assert!(writes.contains("DOI: 10.5555/rosa.1"), "{writes}");
    let audit = html.split("id=\"audit\"").nth(1).unwrap();
    assert!(
        audit.contains("add_work") && audit.contains("the researcher"),
        "{audit}"
    );
    assert_eq!(entries(audit).len(), 1);

    for (path, says) in [
        (
            "/admin/researchers/0000-0002-1825-0098",
            "is not an ORCID iD",
        ),
        ("/admin/researchers/nonsense", "is not an ORCID iD"),
        (
            "/admin/researchers/0000-0001-5727-2427",
            "No researcher with the ORCID iD 0000-0001-5727-2427",
        ),
    ] {
        let (status, body) = app.get_text(&staff_client, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(body.contains(says), "{path}: {body}");
    }
}

#[tokio::test]
async fn audit_log_filters_and_export() {
    let (app, staff_client, staff) = staff_app().await;
    let (client, who) = researcher(&app, "Audrey", "Audit").await;
    add_work(&app, &client, "Audited work", "10.5555/audrey.1").await;
    // 2024-05-01 10:00, 2024-05-02 12:00 and 2024-05-03 09:00 UTC.
    let mut old = load(3, 1_700_000_000);
    for (r, (at, action, outcome)) in old.iter_mut().zip([
        (1_714_557_600, "add_work", "ok"),
        (1_714_651_200, "update_work", "invalid"),
        (1_714_726_800, "delete_work", "ok"),
    ]) {
        r.last_write = Some((at, action.into(), outcome.into()));
    }
    app.state
        .store
        .insert_researchers_for_load(&old)
        .await
        .unwrap();
    export(&app, &staff_client, "/admin/export", &[]).await;

    let html = html_of(&app, &staff_client, "/admin/audit").await;
    assert_eq!(total(&html), 5);
    assert!(
        html.contains("<option>update_work</option>"),
        "actions to choose from"
    );
    let count = |q: String| {
        let app = &app;
        let staff_client = &staff_client;
        async move { total(&html_of(app, staff_client, &format!("/admin/audit?{q}")).await) }
    };
    assert_eq!(count(format!("orcid={who}")).await, 1);
    assert_eq!(count(format!("orcid={}", old[1].orcid)).await, 1);
    assert_eq!(count("action=update_work".into()).await, 1);
    assert_eq!(count("outcome=invalid".into()).await, 1);
    assert_eq!(count("action=add_work&outcome=ok".into()).await, 2);
    assert_eq!(count("from=2024-05-01&to=2024-05-02".into()).await, 2);
    assert_eq!(count("from=2024-05-02".into()).await, 4);
    assert_eq!(count("to=2024-05-03".into()).await, 3);
    assert_eq!(
        count(format!("actor={staff}&action=export_researchers")).await,
        1
    );

    // Newest first.
    let html = html_of(
        &app,
        &staff_client,
        "/admin/audit?from=2024-05-01&to=2024-05-03",
    )
    .await;
    let shown = entries(&html);
    assert_eq!(shown.len(), 3);
    assert!(shown.windows(2).all(|w| w[0] > w[1]), "{shown:?}");
    let (headers, records) = export(
        &app,
        &staff_client,
        "/admin/audit/export",
        &[("from", "2024-05-01"), ("to", "2024-05-03")],
    )
    .await;
    let exported: Vec<i64> = column(&headers, &records, "id")
        .iter()
        .map(|i| i.parse().unwrap())
        .collect();
    assert_eq!(exported, shown);
    assert_eq!(
        column(&headers, &records, "action"),
        ["delete_work", "update_work", "add_work"]
    );
    assert_eq!(column(&headers, &records, "at")[1], "2024-05-02T12:00:00Z");
    assert_eq!(count(format!("actor={staff}&action=export_audit")).await, 1);

    // Bad filters: a clear message on the page, nothing listed, no export.
    let (status, html) = app
        .get_text(
            &staff_client,
            "/admin/audit?from=2024-02-30&to=someday&orcid=0000-0002-1825-0098",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("From date: &#34;2024-02-30&#34; is not a date")
            || html.contains("From date: &quot;2024-02-30&quot; is not a date"),
        "{html}"
    );
    assert!(html.contains("is not a date. Use the form YYYY-MM-DD"));
    assert!(html.contains("check digit"), "{html}");
    assert!(entries(&html).is_empty());
    let (status, html) = app
        .get_text(&staff_client, "/admin/audit?from=2024-05-03&to=2024-05-01")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("is after"));
    let csrf = hidden_value(&html, "csrf").unwrap();
    let res = staff_client
        .post(app.url("/admin/audit/export"))
        .form(&[("csrf", csrf.as_str()), ("from", "2024-13-01")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("is not a date"));
    // A form from elsewhere (no CSRF token) exports nothing.
    for path in ["/admin/audit/export", "/admin/export"] {
        for form in [vec![("csrf", "forged")], vec![("status", "active")]] {
            let res = staff_client
                .post(app.url(path))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "POST {path}");
        }
    }
}
