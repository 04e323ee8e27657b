//! Test helpers: the simulation on a real socket, and a browser-like client.

use axum::Router;
use reqwest::header::{HeaderMap, LOCATION};
use reqwest::StatusCode;
use serde_json::Value;

use super::{MockClient, MockConfig, MockOrcid};
use orcid::OrcidId;

pub const CLIENT_ID: &str = "APP-TESTCLIENT000001";
pub const SECRET: &str = "test-secret";
pub const OTHER_CLIENT_ID: &str = "APP-OTHERCLIENT00002";
pub const OTHER_SECRET: &str = "other-secret";
pub const REDIRECT: &str = "https://app.example.org/orcid/callback";
pub const SCOPE: &str = "openid /read-limited /activities/update";

pub struct Harness {
    pub mock: MockOrcid,
    /// The simulation's base URL (issuer).
    pub base: String,
    /// Keeps cookies, never follows redirects.
    pub http: reqwest::Client,
}

pub fn clients() -> Vec<MockClient> {
    vec![
        MockClient {
            client_id: CLIENT_ID.into(),
            client_secret: SECRET.into(),
            name: "Test University".into(),
            redirect_uris: vec![REDIRECT.into()],
        },
        MockClient {
            client_id: OTHER_CLIENT_ID.into(),
            client_secret: OTHER_SECRET.into(),
            name: "Other App".into(),
            redirect_uris: vec![],
        },
    ]
}

impl Harness {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts the simulation under `/mock-orcid` on a free port, after `tweak` edits the config.
    pub async fn start_with(tweak: impl FnOnce(&mut MockConfig)) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/mock-orcid", listener.local_addr().unwrap());
        let mut cfg = MockConfig {
            base_url: base.clone(),
            clients: clients(),
            key_file: None,
            state_file: None,
        };
        tweak(&mut cfg);
        let mock = MockOrcid::new(cfg).unwrap();
        let app = Router::new().nest("/mock-orcid", mock.router());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Harness {
            mock,
            base,
            http: browser(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// An authorize URL for CLIENT_ID with `extra` parameters added (or overriding).
    pub fn authorize_url(&self, extra: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(&str, &str)> = vec![
            ("client_id", CLIENT_ID),
            ("response_type", "code"),
            ("scope", SCOPE),
            ("redirect_uri", REDIRECT),
        ];
        for (k, v) in extra {
            pairs.retain(|(pk, _)| pk != k);
            pairs.push((k, v));
        }
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.url(&format!("/oauth/authorize?{query}"))
    }

    pub async fn get(&self, url: &str) -> (StatusCode, HeaderMap, String) {
        let resp = self.http.get(url).send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        (status, headers, resp.text().await.unwrap())
    }

    /// Opens the authorize page like a browser, then submits its form with the hidden
    /// inputs plus `fields`. Returns the POST response.
    pub async fn submit(
        &self,
        params: &[(&str, &str)],
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let (status, _, page) = self.get(&self.authorize_url(params)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let mut form = hidden_inputs(&page);
        form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self.http
            .post(self.url("/oauth/authorize"))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// Authorizes as `id` and returns the code from the redirect.
    pub async fn code_for(&self, id: &OrcidId, params: &[(&str, &str)]) -> String {
        let resp = self
            .submit(params, &[("orcid", id.as_str()), ("decision", "authorize")])
            .await;
        assert_eq!(resp.status(), StatusCode::FOUND);
        let location = location(&resp);
        query_param(&location, "code").expect("a code in the redirect")
    }

    /// POSTs a form to /oauth/token; returns status, headers and the JSON body.
    pub async fn token(&self, form: &[(&str, &str)]) -> (StatusCode, HeaderMap, Value) {
        let resp = self
            .http
            .post(self.url("/oauth/token"))
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.json().await.unwrap_or(Value::Null);
        (status, headers, body)
    }

    /// Exchanges `code` with CLIENT_ID's credentials.
    pub async fn exchange(&self, code: &str) -> (StatusCode, Value) {
        let (status, _, body) = self
            .token(&[
                ("client_id", CLIENT_ID),
                ("client_secret", SECRET),
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT),
            ])
            .await;
        (status, body)
    }

    /// A full connect: authorize as a new researcher, exchange the code; returns the body.
    pub async fn connect(&self, params: &[(&str, &str)]) -> (OrcidId, Value) {
        let id = self.mock.add_researcher("Ada", "Lovelace");
        let code = self.code_for(&id, params).await;
        let (status, body) = self.exchange(&code).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        (id, body)
    }

    pub async fn revoke(&self, form: &[(&str, &str)]) -> (StatusCode, String) {
        let resp = self
            .http
            .post(self.url("/oauth/revoke"))
            .form(form)
            .send()
            .await
            .unwrap();
        (resp.status(), resp.text().await.unwrap())
    }
}

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[track_caller]
pub fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get(LOCATION)
        .expect("a Location header")
        .to_str()
        .unwrap()
        .to_owned()
}

pub fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The name/value pairs of every `<input type="hidden">` on a page.
pub fn hidden_inputs(page: &str) -> Vec<(String, String)> {
    page.split("<input type=\"hidden\" ")
        .skip(1)
        .map(|rest| (attr(rest, "name"), attr(rest, "value")))
        .collect()
}

fn attr(tag: &str, name: &str) -> String {
    let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
    let end = start + tag[start..].find('"').unwrap();
    unescape(&tag[start..end])
}

/// Undoes askama's HTML escaping.
pub fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let Some(end) = rest[i..].find(';') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let entity = &rest[i + 1..i + end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => out.push(c),
            None => out.push_str(&rest[i..=i + end]),
        }
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}
