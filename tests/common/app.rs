//! idlink and its simulated ORCID for one test, and a person's way through the sign-in.

use std::net::SocketAddr;
use std::path::PathBuf;

use base64::Engine;
use clap::Parser;
use idlink::config::Config;
use idlink::AppState;
use orcid::OrcidId;
use orcid_sim::MockOrcid;
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};
use url::Url;

use super::http::{hidden_value, location};

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub state: AppState,
    pub mock: MockOrcid,
    pub db_path: PathBuf,
    pub runner: tokio::task::JoinHandle<()>,
    pub revoker: tokio::task::JoinHandle<()>,
    /// The outbox's sender: abort it and start another to play a restart.
    pub outbox: tokio::task::JoinHandle<()>,
    /// The background lookups of the iDs rosters and uploads name: abort it to play a stop.
    pub lookups: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// The `METRICS_TOKEN` a test app has unless the test sets another.
    pub const METRICS_TOKEN: &'static str = "test-metrics-token-0123456789";

    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// Starts idlink with extra CLI settings (e.g. `["--orcid-timeout-secs", "1"]`).
    pub async fn spawn_with(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db_path = dir.path().join("idlink.db");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let base = format!("http://{addr}");
        let key = base64::engine::general_purpose::STANDARD.encode([42u8; 32]);
        let db_url = format!("sqlite://{}", db_path.display());
        let bind = addr.to_string();
        let mut args = vec![
            "idlink",
            "--database-url",
            &db_url,
            "--token-key",
            &key,
            "--bind-addr",
            &bind,
        ];
        if !extra.contains(&"--public-url") {
            args.extend(["--public-url", &base]);
        }
        // Tests start many sign-ins from 127.0.0.1; those about the limit set their own.
        if !extra.contains(&"--connect-rate-per-min") {
            args.extend(["--connect-rate-per-min", "1000000"]);
        }
        if !extra.contains(&"--connect-burst") {
            args.extend(["--connect-burst", "1000000"]);
        }
        if !extra.contains(&"--metrics-token") {
            args.extend(["--metrics-token", Self::METRICS_TOKEN]);
        }
        // Demo mode said outright, so a test may move the ORCID URLs (a partial set of
        // ORCID settings without it is refused).
        if !extra.contains(&"--orcid-env") {
            args.extend(["--orcid-env", "mock"]);
        }
        // Tests that read and write works in quick succession are not about fair use:
        // they get no refresh cooldown and a generous allowance unless they name one.
        for (flag, value) in [
            ("--works-refresh-cooldown-secs", "0"),
            ("--researcher-orcid-per-minute", "6000"),
            ("--researcher-orcid-burst", "1000"),
        ] {
            if !extra.contains(&flag) {
                args.extend([flag, value]);
            }
        }
        args.extend_from_slice(extra);
        let settings = Config::try_parse_from(args)
            .expect("args")
            .resolve()
            .expect("settings");
        let mock = MockOrcid::new(idlink::demo::mock_config(&settings, None, None)).expect("mock");
        let state = AppState::with_mock(settings, Some(mock.clone()))
            .await
            .expect("state");
        let app = idlink::app(state.clone());
        let limits = state.settings.serve;
        tokio::spawn(idlink::server::serve(
            listener,
            app,
            limits,
            std::future::pending(),
        ));
        TestApp {
            addr,
            base,
            runner: state.runner.start(),
            revoker: state.grants.start_revoker(),
            outbox: state.outbox.start(),
            lookups: state.lookups.start(),
            state,
            mock,
            db_path,
            _dir: dir,
        }
    }

    /// Puts `who`'s access token past its expiry in idlink's records only, the refresh
    /// token kept: the grant as time leaves it (ORCID still takes the token; the mock's
    /// `expire_access_token` is the other way round).
    pub async fn lapse_stored_token(&self, who: &OrcidId) {
        let t = self
            .state
            .store
            .tokens(who)
            .await
            .unwrap()
            .expect("a grant");
        let expired = idlink::store::NewTokens {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            scope: t.scope,
            expires_at: idlink::store::now() - 1,
        };
        self.state.store.update_tokens(who, &expired).await.unwrap();
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn browser(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client")
    }

    /// GET /orcid/connect{query}; returns the authorize URL idlink redirected to.
    pub async fn start(&self, client: &Client, query: &str) -> Url {
        let res = client
            .get(self.url(&format!("/orcid/connect{query}")))
            .send()
            .await
            .expect("connect");
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "connect should redirect"
        );
        Url::parse(location(&res)).expect("authorize url")
    }

    /// At the simulated ORCID's page: picks `who` and clicks Authorize or Deny; returns
    /// the callback URL ORCID sent the browser to.
    pub async fn decide(
        &self,
        client: &Client,
        authorize: &Url,
        who: &OrcidId,
        authorize_it: bool,
    ) -> Url {
        let page = client
            .get(authorize.clone())
            .send()
            .await
            .expect("authorize page");
        assert_eq!(page.status(), StatusCode::OK, "authorize page");
        let html = page.text().await.expect("html");
        let csrf = hidden_value(&html, "csrf_token").unwrap_or_default();
        // The person picks `who`, whatever iD the authorize URL pre-filled.
        let mut form: Vec<(String, String)> = authorize
            .query_pairs()
            .into_owned()
            .filter(|(k, _)| k != "orcid")
            .collect();
        form.push(("csrf_token".into(), csrf));
        form.push(("orcid".into(), who.to_string()));
        form.push((
            "decision".into(),
            if authorize_it { "authorize" } else { "deny" }.into(),
        ));
        let post_url = authorize
            .as_str()
            .split('?')
            .next()
            .unwrap_or_default()
            .to_string();
        let res = client
            .post(post_url)
            .form(&form)
            .send()
            .await
            .expect("decide");
        assert!(
            res.status().is_redirection(),
            "decision should redirect, got {}",
            res.status()
        );
        Url::parse(location(&res)).expect("callback url")
    }

    /// The whole happy path for a new test researcher; returns their iD.
    pub async fn sign_in(&self, client: &Client) -> OrcidId {
        let who = self.mock.add_researcher("Ada", "Lovelace");
        self.sign_in_as(client, &who, "").await;
        who
    }

    pub async fn sign_in_as(&self, client: &Client, who: &OrcidId, query: &str) {
        let authorize = self.start(client, query).await;
        let callback = self.decide(client, &authorize, who, true).await;
        let res = client.get(callback).send().await.expect("callback");
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "callback: {}",
            res.text().await.unwrap_or_default()
        );
        assert_eq!(location(&res), "/me");
    }

    /// A browser-like client whose cookies the caller can read.
    pub fn browser_with(&self, jar: std::sync::Arc<reqwest::cookie::Jar>) -> Client {
        Client::builder()
            .cookie_provider(jar)
            .redirect(Policy::none())
            .build()
            .expect("client")
    }
}
