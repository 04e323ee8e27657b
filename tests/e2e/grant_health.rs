//! The grant health page in headless Chromium: the charts show (bars drawn, with their
//! titles and tables) and the page raises no Content-Security-Policy violation.

use fantoccini::Locator;
use serde_json::Value;

use crate::browser::Browser;
use crate::staff::spawn_with_staff;

/// The page's CSP violation reports so far: Chromium keeps them for a ReportingObserver
/// that asks for the buffered ones, delivered in a task queued before the one that
/// answers here.
const CSP_REPORTS: &str = r#"
const done = arguments[arguments.length - 1];
const seen = [];
const observer = new ReportingObserver(
  reports => { for (const r of reports) seen.push(r.body.effectiveDirective + " " + (r.body.sample || "")); },
  { types: ["csp-violation"], buffered: true });
observer.observe();
setTimeout(() => {
  for (const r of observer.takeRecords()) seen.push(r.body.effectiveDirective + " " + (r.body.sample || ""));
  done(seen);
}, 0);
"#;

/// Width and height, as drawn, of each chart's bars.
const BARS: &str = r#"
return Array.from(document.querySelectorAll("figure.chart svg")).map(svg => ({
  label: svg.getAttribute("aria-labelledby"),
  title: svg.querySelector("title").textContent,
  shown: svg.getBoundingClientRect().width,
  bars: Array.from(svg.querySelectorAll("rect")).filter(r => r.getBoundingClientRect().height > 0).length,
}));
"#;

async fn csp_reports(b: &Browser) -> Vec<String> {
    let v = b.client.execute_async(CSP_REPORTS, vec![]).await.unwrap();
    serde_json::from_value(v).unwrap()
}

#[tokio::test]
async fn the_health_page_draws_its_charts_within_the_csp() {
    let (app, staff) = spawn_with_staff().await;
    let who = app.mock.add_researcher("Grace", "Hopper");
    app.sign_in_as(&app.browser(), &who, "?access=signin").await;

    let b = Browser::start().await;
    b.connect_as(&app.base, staff.as_str()).await;
    b.client.goto(&app.url("/admin")).await.unwrap();
    b.click(Locator::LinkText("Grant health")).await;
    b.wait_for(Locator::Css("#states-table")).await;
    b.snapshot("grant-health").await;

    let charts: Vec<Value> =
        serde_json::from_value(b.client.execute(BARS, vec![]).await.unwrap()).unwrap();
    assert_eq!(charts.len(), 2, "{charts:?}");
    for c in &charts {
        assert!(
            c["shown"].as_f64().unwrap() > 200.0,
            "the chart is shown: {c}"
        );
        // The white background is a rect too: more than one means bars were drawn.
        assert!(c["bars"].as_u64().unwrap() > 1, "bars drawn: {c}");
    }
    assert_eq!(charts[0]["title"], "New connections per week");
    assert_eq!(charts[1]["title"], "Grants by state");
    let states = b.text_of("#states-table").await;
    assert!(states.contains("missing a permission 1"), "{states}");

    assert_eq!(
        csp_reports(&b).await,
        Vec::<String>::new(),
        "no CSP violation"
    );
    // The check itself sees a violation when there is one: an inline style attribute.
    b.client
        .execute(
            "document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>');",
            vec![],
        )
        .await
        .unwrap();
    let reports = csp_reports(&b).await;
    assert!(
        reports.iter().any(|r| r.starts_with("style-src")),
        "the observer reports violations: {reports:?}"
    );
    b.close().await;
}
