//! A real headless Chromium, driven through chromedriver (WebDriver) by fantoccini.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

use crate::common::wait_for;

/// chromedriver on a free port, stopped when dropped, plus one browser session.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

impl Browser {
    pub async fn start() -> Browser {
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
        let driver_bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| CHROMEDRIVER.into());
        assert!(
            std::path::Path::new(&chromium).exists() && std::path::Path::new(&driver_bin).exists(),
            "browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1200,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        // chromedriver takes a moment to listen: try until a session starts.
        let last_err = std::sync::Mutex::new(None);
        let (caps, url, last) = (&caps, &url, &last_err);
        let session = wait_for(
            || async move {
                match ClientBuilder::new(HttpConnector::new())
                    .capabilities(caps.clone())
                    .connect(url)
                    .await
                {
                    Ok(client) => Some(client),
                    Err(e) => {
                        *last.lock().unwrap() = Some(e);
                        None
                    }
                }
            },
            Duration::from_secs(20),
        )
        .await;
        match session {
            Ok(client) => Browser {
                client,
                driver,
                _profile: profile,
            },
            Err(e) => panic!("could not start a Chromium session ({e}): {last_err:?}"),
        }
    }

    pub async fn text_of(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn click(&self, locator: Locator<'_>) {
        self.client
            .find(locator)
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// Waits (fantoccini's default wait) until an element matching `locator` is on the page.
    pub async fn wait_for(&self, locator: Locator<'_>) {
        self.client.wait().for_element(locator).await.unwrap();
    }

    /// Clicks `css`, which leads to another page, and waits for `then` on that page. The
    /// old page is marked first, so an element of the same name still on it is never taken
    /// for the new page's (a form sent back with its errors has `#form-errors` both times).
    pub async fn click_through(&self, css: &str, then: &str) {
        self.client
            .execute(
                "document.documentElement.setAttribute('data-left', '');",
                vec![],
            )
            .await
            .unwrap();
        self.click(Locator::Css(css)).await;
        let fresh = format!("html:not([data-left]) {then}");
        self.client
            .wait()
            .at_most(std::time::Duration::from_secs(20))
            .for_element(Locator::Css(&fresh))
            .await
            .unwrap_or_else(|e| panic!("waiting for {then} after clicking {css}: {e}"));
    }

    /// The current value of the form field with id `id`.
    pub async fn value_of(&self, id: &str) -> Option<String> {
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
    }

    /// Picks `value` in the select with id `id`.
    pub async fn choose(&self, id: &str, value: &str) {
        let el = self.client.find(Locator::Id(id)).await.unwrap();
        el.select_by_value(value).await.unwrap();
    }

    /// Chooses `file` in the file input with id `id`, as a person picking it would.
    pub async fn attach(&self, id: &str, file: &std::path::Path) {
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(&file.display().to_string())
            .await
            .unwrap();
    }

    /// Types `value` into the form field with id `id`, replacing what was there.
    pub async fn fill(&self, id: &str, value: &str) {
        let el = self.client.find(Locator::Id(id)).await.unwrap();
        el.clear().await.unwrap();
        el.send_keys(value).await.unwrap();
    }

    /// On the simulated ORCID's authorize page: picks the test researcher `who` and
    /// clicks "Authorize access".
    pub async fn authorize_as(&self, who: &str) {
        self.wait_for(Locator::Css("form button[value=authorize]"))
            .await;
        self.click(Locator::Css(&format!("input[name=orcid][value='{who}']")))
            .await;
        self.click(Locator::Css("button[value=authorize]")).await;
    }

    /// Connects `who` from `base` (idlink's address) by clicking through, and waits for /me.
    pub async fn connect_as(&self, base: &str, who: &str) {
        self.client
            .goto(&format!("{base}/orcid/connect"))
            .await
            .unwrap();
        self.authorize_as(who).await;
        let me = url::Url::parse(&format!("{base}/me")).unwrap();
        self.client.wait().for_url(me).await.unwrap();
    }

    /// Saves a PNG of the page when IDLINK_E2E_SCREENSHOTS names a folder, so a person
    /// can look at what the test saw.
    pub async fn snapshot(&self, name: &str) {
        if let Ok(dir) = std::env::var("IDLINK_E2E_SCREENSHOTS") {
            let png = self.client.screenshot().await.expect("screenshot");
            std::fs::create_dir_all(&dir).expect("screenshot folder");
            std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png)
                .expect("write screenshot");
        }
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
