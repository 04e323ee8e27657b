//! A staff member's bulk push, clicked in headless Chromium: upload a CSV, read the
//! validation report, start the job, watch the progress reach "Finished" without a page
//! reload, and fetch the results.

use fantoccini::Locator;

use crate::browser::Browser;
use crate::staff::{spawn_with_staff, wait_for_job_to_finish};

const HEADER: &str = "orcid,title,type,year,month,day,journal_title,url,doi,external_id_type,external_id_value,short_description";

#[tokio::test]
async fn staff_uploads_checks_starts_and_follows_a_bulk_push() {
    let (app, staff) = spawn_with_staff().await;
    let who = app.mock.add_researcher("Barbara", "McClintock");
    app.sign_in_as(&app.browser(), &who, "").await;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("maize-works.csv");
    let mut file = format!("{HEADER}\n");
    for n in 1..=3 {
        file.push_str(&format!(
            "{who},Maize genetics part {n},journal-article,1950,,,Genetics,,10.5555/maize.{n},,,\n"
        ));
    }
    file.push_str(&format!(
        "{who},Transposition,poem,1951,,,,,10.5555/maize.4,,,\n"
    ));
    std::fs::write(&path, file).unwrap();

    let b = Browser::start().await;
    b.connect_as(&app.base, staff.as_str()).await;
    b.client.goto(&app.url("/admin/jobs")).await.unwrap();
    assert!(b.text_of("main").await.contains("How to fill in the file"));
    b.snapshot("bulk-upload").await;

    // Upload: the file path typed into the file input, as a person choosing it would.
    b.attach("file", &path).await;
    b.click(Locator::Css("form.jobs-upload button.primary"))
        .await;

    // The validation report.
    b.wait_for(Locator::Id("report")).await;
    let report = b.text_of("#report").await;
    assert!(report.contains("3 of 4 rows can be sent"), "{report}");
    assert!(
        report.contains("“poem” is not an ORCID work type"),
        "{report}"
    );
    b.snapshot("bulk-report").await;

    // Start, then watch: the numbers change in place, the page is not reloaded.
    b.click(Locator::Id("start-job")).await;
    b.wait_for(Locator::Id("job-progress")).await;
    b.client
        .execute("window.idlinkSamePage = true;", vec![])
        .await
        .unwrap();
    wait_for_job_to_finish(&b).await;
    let same_page = b
        .client
        .execute("return window.idlinkSamePage === true;", vec![])
        .await
        .unwrap();
    assert_eq!(
        same_page,
        serde_json::Value::Bool(true),
        "progress updated without a reload"
    );
    let progress = b.text_of("#job-progress").await;
    assert!(
        progress.contains("3 of 3 items have an outcome"),
        "{progress}"
    );
    b.snapshot("bulk-finished").await;

    // The results, posted with the browser's session from the page's download form.
    let csv = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const form = document.querySelector(\"form[action$='/results.csv']\");
             fetch(form.action, { method: 'POST', body: new URLSearchParams(new FormData(form)) })
               .then(r => r.text()).then(done, e => done('failed: ' + e));",
            vec![],
        )
        .await
        .unwrap();
    let csv = csv.as_str().unwrap().to_string();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 3, "{csv}");
    for (n, row) in rows.iter().enumerate() {
        assert_eq!(&row[0], (n + 2).to_string().as_str());
        assert_eq!(&row[1], who.as_str());
        assert_eq!(&row[3], "done", "{csv}");
        assert!(row[4].parse::<i64>().is_ok(), "a put-code: {csv}");
    }
    assert_eq!(app.mock.works_of(&who), 3);

    // The dashboard shows the researcher and lists the job.
    b.client.goto(&app.url("/admin")).await.unwrap();
    let body = b.text_of("main").await;
    assert!(body.contains(who.as_str()), "{body}");
    assert!(body.contains("Recent bulk pushes"), "{body}");
    b.snapshot("admin-dashboard").await;
    b.close().await;
}
