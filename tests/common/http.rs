//! Requests as a browser makes them: pages read as text, forms posted with the page's
//! CSRF token, and small readers of what came back.

use reqwest::{Client, Response, StatusCode};
use url::Url;

use super::TestApp;

impl TestApp {
    /// GET `path` with `client`: the status and the body.
    pub async fn get_text(&self, client: &Client, path: &str) -> (StatusCode, String) {
        let res = client
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = res.status();
        let body = res
            .text()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        (status, body)
    }

    /// The /metrics text, read as Prometheus does: with the `METRICS_TOKEN` bearer token.
    pub async fn metrics(&self) -> String {
        let res = reqwest::Client::new()
            .get(self.url("/metrics"))
            .bearer_auth(Self::METRICS_TOKEN)
            .send()
            .await
            .expect("GET /metrics");
        assert_eq!(res.status(), StatusCode::OK, "GET /metrics");
        res.text().await.expect("GET /metrics")
    }

    /// The value of the sealed sign-in cookie a browser holds for the callback.
    pub fn signin_cookie(&self, jar: &reqwest::cookie::Jar) -> String {
        use reqwest::cookie::CookieStore;
        let callback = Url::parse(&self.url("/orcid/callback")).unwrap();
        let cookies = jar.cookies(&callback).expect("cookies for the callback");
        cookies
            .to_str()
            .unwrap()
            .split("; ")
            .find_map(|c| c.strip_prefix("idlink_signin="))
            .expect("the idlink_signin cookie")
            .to_owned()
    }

    /// The CSRF token of the form on `page`, as the person's browser got it.
    pub async fn csrf_on(&self, client: &Client, page: &str) -> String {
        let (status, html) = self.get_text(client, page).await;
        hidden_value(&html, "csrf")
            .unwrap_or_else(|| panic!("no csrf field on {page} ({status}):\n{html}"))
    }

    /// A CSRF token from a page the signed-in person can see.
    pub async fn csrf(&self, client: &Client) -> String {
        self.csrf_on(client, "/me").await
    }

    /// Submits a form as a person does: opens `page`, takes its CSRF token and posts
    /// `fields` with it to `action`. Redirects are not followed.
    pub async fn post_form(
        &self,
        client: &Client,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let csrf = self.csrf_on(client, page).await;
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.post_fields(client, action, &form).await
    }

    /// Posts exactly `fields` to `action`, adding no token: for forms whose token the
    /// test chose (forged, missing, or taken from another page).
    pub async fn post_fields(
        &self,
        client: &Client,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        client
            .post(self.url(action))
            .form(fields)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {action}: {e}"))
    }
}

/// The body of a page that must load: `ok(app.get_text(&client, "/me").await)`.
pub fn ok(page: (StatusCode, String)) -> String {
    assert_eq!(page.0, StatusCode::OK, "{}", page.1);
    page.1
}

/// The `Set-Cookie` header of a response for the cookie `name`, attributes included.
pub fn set_cookie<'a>(res: &'a Response, name: &str) -> Option<&'a str> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| {
            c.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('='))
        })
}

pub fn location(res: &Response) -> &str {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The value of `<input type="hidden" name="NAME" value="...">` in a page.
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

pub fn query_param(url: &Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}
