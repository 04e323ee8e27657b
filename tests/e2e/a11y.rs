//! Every page, as a researcher and a staff member reach it, checked in Chromium by axe-core
//! at desktop width (1280 px) and phone width (375 px): no violation of any rule (WCAG 2.2
//! AA, best practices, and the 24 px target size), and at 375 px nothing wider than the
//! screen. Invitation links will be opened on phones.

use std::time::Duration;

use fantoccini::Locator;
use orcid::OrcidId;
use serde_json::{json, Value};

use crate::browser::Browser;
use crate::common::{wait_until, TestApp};

/// axe-core, vendored (see vendor/SOURCES.md) and compiled in: nothing is read at run time.
const AXE: &str = include_str!("vendor/axe.min.js");

const STAFF: &str = "0000-0002-1825-0097";
const HEADER: &str = "orcid,title,type,year,month,day,journal_title,url,doi,external_id_type,external_id_value,short_description";

const DESKTOP: u32 = 1280;
const PHONE: u32 = 375;

/// Runs axe on the page in the browser and returns one line per violation.
const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { rules: { "target-size": { enabled: true } }, resultTypes: ["violations"] })
  .then(r => done(r.violations.map(v =>
      v.id + " (" + v.impact + "): " + v.help + " at " +
      v.nodes.slice(0, 5).map(n => n.target.join(" ")).join(", "))))
  .catch(e => done(["axe failed: " + e]));
"#;

/// How far the page overflows, the elements sticking out furthest, and the tables that
/// only fit by scrolling sideways.
const OVERFLOW: &str = r##"
const width = window.innerWidth;
const out = [];
for (const el of document.body.querySelectorAll("*")) {
  const r = el.getBoundingClientRect();
  if (r.right > width + 0.5 && r.width > 0) {
    out.push([Math.round(r.right - width), el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/).join(".") : "")]);
  }
}
out.sort((a, b) => b[0] - a[0]);
const cut = Array.from(document.querySelectorAll(".admin-scroll, .jobs-scroll"))
  .filter(e => e.scrollWidth > e.clientWidth + 1)
  .map(e => (e.querySelector("table[id]") || e.closest("[id]") || e).id + " by " + (e.scrollWidth - e.clientWidth) + " px");
return { scroll: document.documentElement.scrollWidth, inner: width,
         widest: out.slice(0, 4).map(o => o[1] + " by " + o[0] + " px"), cut: cut };
"##;

/// Collects what is wrong on every page, so one run reports all of it.
struct Audit<'a> {
    b: &'a Browser,
    problems: Vec<String>,
    pages: usize,
}

impl<'a> Audit<'a> {
    fn new(b: &'a Browser) -> Self {
        Audit {
            b,
            problems: vec![],
            pages: 0,
        }
    }

    /// Checks the page the browser shows, at both widths, without reloading it (some pages
    /// are the answer to a POST).
    async fn check(&mut self, page: &str) {
        for width in [DESKTOP, PHONE] {
            self.b.client.set_window_size(width, 900).await.unwrap();
            let inner = self.eval("return window.innerWidth;").await;
            assert_eq!(inner, json!(width), "{page}: the window is {width} px wide");
            if self.eval("return typeof window.axe;").await != json!("function") {
                self.b.client.execute(AXE, vec![]).await.unwrap();
            }
            let found = self.b.client.execute_async(RUN_AXE, vec![]).await.unwrap();
            for v in found.as_array().expect("a list of violations") {
                self.problems
                    .push(format!("{page} at {width} px: {}", v.as_str().unwrap()));
            }
            let slug: String = page
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            self.b.snapshot(&format!("a11y-{slug}-{width}")).await;
            let o = self.eval(OVERFLOW).await;
            if o["scroll"].as_i64() > o["inner"].as_i64() {
                self.problems.push(format!(
                    "{page} at {width} px: the page is {} px wide; widest: {}",
                    o["scroll"], o["widest"]
                ));
            }
            if o["cut"].as_array().is_some_and(|c| !c.is_empty()) {
                self.problems.push(format!(
                    "{page} at {width} px: tables cut off (they scroll sideways): {}",
                    o["cut"]
                ));
            }
        }
        self.b.client.set_window_size(DESKTOP, 900).await.unwrap();
        self.pages += 1;
    }

    async fn eval(&self, script: &str) -> Value {
        self.b.client.execute(script, vec![]).await.unwrap()
    }

    async fn goto(&mut self, b: &Browser, url: &str, page: &str) {
        b.client.goto(url).await.unwrap();
        self.check(page).await;
    }
}

async fn click(b: &Browser, css: &str) {
    b.client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn wait_for(b: &Browser, css: &str) {
    b.client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"));
}

/// Waits for a page whose main heading says `text`: after a click that leaves a page with
/// a heading of its own, `main h1` alone may still find the old one.
async fn wait_for_heading(b: &Browser, text: &str) {
    let xpath = format!("//main//h1[contains(normalize-space(.), '{text}')]");
    b.client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("waiting for the heading {text:?}: {e}"));
}

async fn active_id(b: &Browser) -> Value {
    b.client
        .execute("return document.activeElement.id;", vec![])
        .await
        .unwrap()
}

/// What each link of the error summary leads to: the tag of its target, or "none".
async fn summary_targets(b: &Browser) -> Vec<(String, String)> {
    let v = b
        .client
        .execute(
            "return Array.from(document.querySelectorAll('#form-errors a')).map(a => {
               const t = document.getElementById(a.hash.slice(1));
               return [a.hash.slice(1), t ? t.tagName.toLowerCase() : 'none'];
             });",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(v).unwrap()
}

/// The staff member's /me lists affiliations: one at the (demo) institution, marked,
/// with long names that must wrap at phone width, and one from another source.
fn plant_affiliations(app: &TestApp, who: &OrcidId) {
    use orcid::model::{
        Affiliation, AffiliationSection, FuzzyDate, Organization, OrganizationAddress,
    };
    let at = |name: &str, country: &str, role: &str| Affiliation {
        department_name: Some("Department of Computational and Mathematical Sciences".into()),
        role_title: Some(role.into()),
        start_date: Some(FuzzyDate::new("2019", Some("02"), Some("01"))),
        organization: Some(Organization {
            name: name.into(),
            address: Some(OrganizationAddress {
                city: Some("Wellington".into()),
                region: None,
                country: Some(country.into()),
            }),
            disambiguated_organization: None,
        }),
        ..Affiliation::default()
    };
    app.mock.add_affiliation_from_source(
        who,
        AffiliationSection::Employment,
        "Example University HR feed",
        Some(orcid_sim::HR_FEED_CLIENT_ID),
        &at(
            orcid_sim::DEMO_ORG_NAME,
            "NZ",
            "Senior Research Software Engineer and Data Steward",
        ),
    );
    app.mock.add_affiliation_from_source(
        who,
        AffiliationSection::InvitedPosition,
        "Sam Staff",
        None,
        &at(
            "International Institute for Very Long Organisation Names",
            "AU",
            "Visiting Fellow",
        ),
    );
}

#[tokio::test]
async fn every_page_passes_axe_and_fits_a_phone() {
    let mut app = TestApp::spawn_with(&["--staff-orcids", STAFF]).await;
    let staff = OrcidId::parse(STAFF).unwrap();
    app.mock.add_researcher_with_id(&staff, "Sam", "Staff");
    plant_affiliations(&app, &staff);
    let ada = app.mock.add_researcher("Ada", "Lovelace");
    app.sign_in_as(&app.browser(), &ada, "").await;

    let b = Browser::start().await;
    let mut audit = Audit::new(&b);

    // Signed out: the start page, an unknown address, the simulated ORCID.
    audit.goto(&b, &app.url("/"), "landing").await;
    audit
        .goto(&b, &app.url("/no-such-page"), "404, signed out")
        .await;
    assert!(b.text_of("main h1").await.contains("Page not found"));
    b.client.goto(&app.url("/orcid/connect")).await.unwrap();
    wait_for(&b, "button[value=authorize]").await;
    audit.check("the simulated ORCID's authorize page").await;
    // Deny at ORCID: idlink's page saying nothing was shared.
    b.click_through("button[value=deny]", "a[href*='access=signin']")
        .await;
    assert!(b.text_of("main").await.contains("Nothing was shared"));
    audit.check("denied at ORCID").await;
    b.client.goto(&app.url("/orcid/connect")).await.unwrap();
    b.authorize_as(staff.as_str()).await;
    b.client
        .wait()
        .for_url(url::Url::parse(&app.url("/me")).unwrap())
        .await
        .unwrap();
    assert!(b
        .text_of("#affiliations")
        .await
        .contains("from Your institution"));
    audit.check("/me, no works yet, affiliations").await;

    // The add-work form: fresh, then sent empty.
    audit
        .goto(&b, &app.url("/me/works/new"), "add-work form")
        .await;
    b.click_through(".actions button.primary", "#form-errors")
        .await;
    assert_eq!(
        active_id(&b).await,
        json!("form-errors"),
        "focus moves to the error summary"
    );
    let targets = summary_targets(&b).await;
    assert!(!targets.is_empty());
    for (id, tag) in &targets {
        assert!(
            matches!(tag.as_str(), "input" | "select" | "textarea"),
            "the summary link to #{id} leads to a {tag}, not an input"
        );
    }
    click(&b, "#form-errors a").await;
    assert_eq!(
        active_id(&b).await,
        json!(targets[0].0),
        "the link focuses the input"
    );
    audit.check("add-work form after a failed submit").await;

    // A bad identifier: its message leads to the identifier's value, described by it.
    b.fill("title", "Notes on the Analytical Engine").await;
    b.client
        .find(Locator::Id("type"))
        .await
        .unwrap()
        .select_by_value("journal-article")
        .await
        .unwrap();
    b.client
        .find(Locator::Id("id_type_0"))
        .await
        .unwrap()
        .select_by_value("doi")
        .await
        .unwrap();
    b.fill("id_value_0", "not a doi").await;
    b.click_through(".actions button.primary", "#form-errors")
        .await;
    assert_eq!(
        summary_targets(&b).await,
        vec![("id_value_0".to_string(), "input".to_string())]
    );
    let described = b
        .client
        .find(Locator::Id("id_value_0"))
        .await
        .unwrap()
        .attr("aria-describedby")
        .await
        .unwrap();
    assert_eq!(described.as_deref(), Some("id_0-error"));
    click(&b, "#form-errors a").await;
    assert_eq!(active_id(&b).await, json!("id_value_0"));
    b.fill("id_value_0", "10.5555/engine.1843").await;
    b.click_through(".actions button.primary", ".alert.ok")
        .await;

    // The edit-work form, filled with the work just added.
    b.click_through("#works a[href$='/edit']", "#title").await;
    assert_eq!(
        b.client
            .find(Locator::Id("title"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Notes on the Analytical Engine")
    );
    audit.check("edit-work form").await;

    b.client.goto(&app.url("/me")).await.unwrap();
    b.client
        .find(Locator::LinkText("Delete"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&b, "button.danger").await;
    audit.check("delete confirmation").await;

    // The add-employment form: fresh, then with a start year ORCID refuses; added, then
    // its end form and its delete confirmation.
    audit
        .goto(
            &b,
            &app.url("/me/affiliations/employment/new"),
            "add-employment form",
        )
        .await;
    b.fill("role_title", "Lecturer").await;
    b.fill("start_year", "1850").await;
    b.click_through(".actions button.primary", "#form-errors")
        .await;
    assert_eq!(
        summary_targets(&b).await,
        vec![("start_year".to_string(), "input".to_string())]
    );
    audit
        .check("add-employment form after a failed submit")
        .await;
    b.fill("start_year", "2020").await;
    b.click_through(".actions button.primary", ".alert.ok")
        .await;
    audit.check("/me with an affiliation idlink added").await;
    b.click_through("#affiliations a[href$='/end']", "#end_year")
        .await;
    audit.check("end-affiliation form").await;
    b.client.goto(&app.url("/me")).await.unwrap();
    b.click_through("#affiliations a[href$='/delete']", "button.danger")
        .await;
    audit.check("delete-affiliation confirmation").await;

    // Staff: a bulk push from upload to reconcile.
    audit
        .goto(&b, &app.url("/admin/jobs"), "bulk-push upload")
        .await;
    let dir = tempfile::tempdir().unwrap();
    // A file with no works is refused: the upload page again, with its error box.
    let refused = dir.path().join("empty.csv");
    std::fs::write(&refused, format!("{HEADER}\n")).unwrap();
    b.client
        .find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(&refused.display().to_string())
        .await
        .unwrap();
    b.click_through("form.jobs-upload button.primary", "#upload-error")
        .await;
    assert!(b.text_of("#upload-error").await.contains("no works"));
    audit.check("bulk-push upload after a refused file").await;
    let path = dir.path().join("works.csv");
    let mut csv = format!("{HEADER}\n");
    for n in 1..=3 {
        csv.push_str(&format!(
            "{staff},Staff work {n} with a rather long title that has to wrap on a phone,journal-article,2024,,,Journal of Examples,,10.5555/staff.{n},,,\n"
        ));
        csv.push_str(&format!(
            "{ada},Sketch of the Analytical Engine part {n},book,1843,,,,,10.5555/ada.{n},,,\n"
        ));
    }
    csv.push_str(&format!("{ada},A poem,poem,1843,,,,,10.5555/ada.9,,,\n"));
    std::fs::write(&path, csv).unwrap();
    b.client
        .find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(&path.display().to_string())
        .await
        .unwrap();
    b.click_through("form.jobs-upload button.primary", "#report")
        .await;
    let job = b.client.current_url().await.unwrap().to_string();
    audit.check("job draft with its validation report").await;
    audit
        .goto(&b, &format!("{job}/cancel"), "discard-upload confirmation")
        .await;
    b.client.goto(&job).await.unwrap();
    wait_for(&b, "#start-job").await;
    b.click_through("#start-job", "#job-progress").await;
    let shown = &b;
    wait_until(
        move || async move { shown.text_of("#job-status").await.contains("Finished") },
        Duration::from_secs(60),
    )
    .await
    .expect("the job finishes within 60 s");
    b.client.goto(&job).await.unwrap();
    audit.check("job page with its items").await;
    audit
        .goto(&b, &format!("{job}/reconcile"), "reconcile")
        .await;
    audit
        .goto(
            &b,
            &format!("{job}/reconcile/{ada}"),
            "reconcile, one researcher",
        )
        .await;
    audit.goto(&b, &app.url("/admin"), "dashboard").await;
    audit
        .goto(&b, &app.url("/admin/invitations/new"), "invite form")
        .await;
    audit
        .goto(&b, &app.url("/admin/invitations"), "invitations list")
        .await;
    audit
        .goto(
            &b,
            &app.url(&format!("/admin/researchers/{ada}")),
            "a researcher's page",
        )
        .await;
    audit.goto(&b, &app.url("/admin/audit"), "audit log").await;
    audit
        .goto(&b, &app.url("/admin/grants"), "grant health")
        .await;
    // Re-consent's preview, with someone to send to and someone with no address: first
    // while their public addresses are looked up (held still, so the page does not reload
    // under the check), then once they are.
    app.lookups.abort();
    let rex = app.mock.add_researcher("Rex", "Revoked");
    app.sign_in_as(&app.browser(), &rex, "").await;
    app.mock
        .set_researcher_email(&rex, Some("rex@example.org"), true);
    app.state.store.mark_tokens_revoked(&rex).await.unwrap();
    let nia = app.mock.add_researcher("Nia", "Narrow");
    app.sign_in_as(&app.browser(), &nia, "?access=signin").await;
    audit
        .goto(
            &b,
            &app.url("/admin/grants/reconsent"),
            "re-consent preview",
        )
        .await;
    app.lookups = app.state.lookups.start();
    // The page follows the lookups and is drawn again once they are done.
    wait_for(&b, "#no-address").await;
    audit.check("re-consent preview, addresses looked up").await;
    assert!(b.text_of("#no-address").await.contains("Nia Narrow"));

    // /me with the works the bulk push added.
    b.client.goto(&app.url("/me")).await.unwrap();
    b.click_through("form[action='/me/works/refresh'] button", ".alert")
        .await;
    assert!(b.text_of("#works").await.contains("Staff work 3"));
    audit.check("/me with works").await;

    // A form sent with a token idlink did not give: the "form has expired" page.
    b.client
        .execute(
            "document.querySelector(\"form[action='/me/works/refresh'] input[name=csrf]\").value = 'forged';",
            vec![],
        )
        .await
        .unwrap();
    click(&b, "form[action='/me/works/refresh'] button").await;
    wait_for_heading(&b, "This form has expired").await;
    assert!(b.text_of("main h1").await.contains("This form has expired"));
    assert!(b.text_of("header").await.contains("Sign out"));
    audit.check("expired form").await;

    // Errors keep the account links.
    audit
        .goto(
            &b,
            &app.url("/orcid/callback?state=forged"),
            "error page, signed in",
        )
        .await;
    assert!(b.text_of("header").await.contains("Sign out"));
    audit
        .goto(&b, &app.url("/no-such-page"), "404, signed in")
        .await;
    assert!(b.text_of("header").await.contains("Sign out"));
    assert!(b.text_of("main h1").await.contains("Page not found"));

    // Signing out and disconnecting end on notices.
    b.client.goto(&app.url("/me")).await.unwrap();
    click(&b, "form[action='/signout'] button").await;
    wait_for_heading(&b, "signed out").await;
    assert!(b.text_of("main h1").await.contains("signed out"));
    audit.check("signed-out notice").await;
    b.connect_as(&app.base, staff.as_str()).await;
    click(&b, "details.more summary").await;
    click(&b, "form[action='/me/disconnect'] button").await;
    wait_for_heading(&b, "disconnected").await;
    assert!(b.text_of("main h1").await.contains("disconnected"));
    audit.check("disconnected notice").await;

    // A researcher who is not staff opens /admin.
    b.connect_as(&app.base, ada.as_str()).await;
    b.client.goto(&app.url("/admin")).await.unwrap();
    wait_for_heading(&b, "Staff only").await;
    assert!(b.text_of("main h1").await.contains("Staff only"));
    audit.check("staff only, for a researcher").await;

    let Audit {
        problems, pages, ..
    } = audit;
    b.close().await;
    assert!(
        problems.is_empty(),
        "{} problems on {pages} pages:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
