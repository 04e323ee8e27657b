//! ORCID's rules for authorize parameters: client ids, redirect URIs, scopes, and the
//! shape of redirects back to the client.

use std::collections::HashSet;

use orcid::is_client_id;
use url::Url;

use super::{Inner, MockClient, MockError};

/// Scopes a person can grant in the 3-legged flow.
const THREE_LEGGED: [&str; 5] = [
    "/authenticate",
    "/read-limited",
    "/activities/update",
    "/person/update",
    "openid",
];
/// Scopes only the client_credentials grant can ask for.
pub(crate) const TWO_LEGGED: [&str; 2] = ["/read-public", "/webhook"];

pub(crate) fn parse_base_url(raw: &str) -> Result<(String, String, bool), MockError> {
    let bad = || MockError::BaseUrl(raw.to_owned());
    let trimmed = raw.trim().trim_end_matches('/');
    let url = Url::parse(trimmed).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(bad());
    }
    let path = url.path().trim_end_matches('/').to_owned();
    Ok((trimmed.to_owned(), path, url.scheme() == "https"))
}

pub(crate) fn check_clients(clients: &[MockClient]) -> Result<(), MockError> {
    let mut seen = HashSet::new();
    for c in clients {
        if !is_client_id(&c.client_id) {
            return Err(MockError::ClientId(c.client_id.clone()));
        }
        if !seen.insert(c.client_id.as_str()) {
            return Err(MockError::DuplicateClient(c.client_id.clone()));
        }
        if c.client_secret.is_empty() {
            return Err(MockError::EmptySecret(c.client_id.clone()));
        }
        for uri in &c.redirect_uris {
            if Url::parse(uri).is_err() {
                return Err(MockError::RedirectUri {
                    client: c.client_id.clone(),
                    uri: uri.clone(),
                });
            }
        }
    }
    Ok(())
}

/// ORCID's registered-URI rule: scheme, user info, host and port equal; the requested path
/// starts with the registered path; the query is ignored. No registered URI: anything goes.
pub(crate) fn redirect_uri_allowed(client: &MockClient, requested: &str) -> bool {
    let Ok(req) = Url::parse(requested) else {
        return false;
    };
    if req.fragment().is_some() || req.cannot_be_a_base() {
        return false;
    }
    if client.redirect_uris.is_empty() {
        return true;
    }
    client.redirect_uris.iter().any(|registered| {
        Url::parse(registered).is_ok_and(|reg| {
            reg.scheme() == req.scheme()
                && reg.username() == req.username()
                && reg.password() == req.password()
                && reg.host_str() == req.host_str()
                && reg.port() == req.port()
                && req.path().starts_with(reg.path())
        })
    })
}

/// Splits a scope parameter on runs of spaces or `+`, dropping repeats.
pub(crate) fn split_scopes(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in raw.split(|c: char| c.is_whitespace() || c == '+') {
        if !s.is_empty() && !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    out
}

pub(crate) fn is_three_legged_scope(s: &str) -> bool {
    THREE_LEGGED.contains(&s)
}

/// The words the authorize page uses for a scope.
pub(crate) fn describe_scope(s: &str) -> &'static str {
    match s {
        "openid" | "/authenticate" => "Get your ORCID iD",
        "/read-limited" => {
            "Read the information in your record that you have shared with trusted organizations"
        }
        "/activities/update" => {
            "Add and update your research activities (works, affiliations, funding and more)"
        }
        "/person/update" => {
            "Add and update other information about you (keywords, websites, country and more)"
        }
        _ => "Unknown access",
    }
}

/// First value of `name` in the pairs; empty values count as absent.
pub(crate) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// `redirect_uri` plus `extra` parameters, joined with `?` or `&` as the URI needs.
pub(crate) fn redirect_with(redirect_uri: &str, extra: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in extra {
        query.append_pair(k, v);
    }
    let query = query.finish();
    let sep = match redirect_uri.find('?') {
        None => "?",
        Some(_) if redirect_uri.ends_with('?') || redirect_uri.ends_with('&') => "",
        Some(_) => "&",
    };
    format!("{redirect_uri}{sep}{query}")
}

/// A validated authorize request.
#[derive(Clone)]
pub(crate) struct AuthorizeRequest {
    pub client_id: String,
    pub client_name: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    /// `prompt` values, honoured only when the scope includes `openid`.
    pub prompt: Vec<String>,
}

impl AuthorizeRequest {
    pub fn has_openid(&self) -> bool {
        self.scopes.iter().any(|s| s == "openid")
    }

    pub fn prompt_is(&self, value: &str) -> bool {
        self.has_openid() && self.prompt.iter().any(|p| p == value)
    }

    /// A redirect to the client carrying `error` (and `state` when one was sent).
    pub fn error_redirect(&self, error: &str, description: Option<&str>) -> String {
        let mut extra = vec![("error", error)];
        if let Some(d) = description {
            extra.push(("error_description", d));
        }
        if let Some(s) = &self.state {
            extra.push(("state", s));
        }
        redirect_with(&self.redirect_uri, &extra)
    }
}

/// Why an authorize request cannot go on.
pub(crate) enum Rejection {
    /// Shown at the simulated ORCID; the person is not sent back.
    Page { title: String, message: String },
    /// Sent back to the client's redirect_uri.
    Redirect(String),
}

pub(crate) fn validate(
    inner: &Inner,
    pairs: &[(String, String)],
) -> Result<AuthorizeRequest, Rejection> {
    let client_id = param(pairs, "client_id").unwrap_or_default();
    let Some(client) = inner.client(client_id) else {
        return Err(Rejection::Page {
            title: "Unknown application".into(),
            message: if client_id.is_empty() {
                "The link that brought you here has no client_id, so the simulated ORCID cannot tell which application is asking.".into()
            } else {
                format!("The application that sent you here ({client_id}) is not registered with the simulated ORCID.")
            },
        });
    };
    let redirect_uri = param(pairs, "redirect_uri").unwrap_or_default();
    if !redirect_uri_allowed(client, redirect_uri) {
        return Err(Rejection::Page {
            title: "Redirect URI mismatch".into(),
            message: format!(
                "{} asked to send you back to {:?}, which is not one of its registered redirect URIs. You were not sent back.",
                client.name, redirect_uri
            ),
        });
    }
    let req = AuthorizeRequest {
        client_id: client.client_id.clone(),
        client_name: client.name.clone(),
        redirect_uri: redirect_uri.to_owned(),
        scopes: split_scopes(param(pairs, "scope").unwrap_or_default()),
        state: param(pairs, "state").map(str::to_owned),
        nonce: param(pairs, "nonce").map(str::to_owned),
        prompt: param(pairs, "prompt")
            .map(|p| p.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
    };
    let response_type = param(pairs, "response_type").unwrap_or_default();
    if response_type != "code" {
        let description = format!("Unsupported response types: [{response_type}]");
        return Err(Rejection::Redirect(
            req.error_redirect("unsupported_response_type", Some(&description)),
        ));
    }
    if req.scopes.is_empty() {
        return Err(Rejection::Redirect(req.error_redirect(
            "invalid_scope",
            Some("Empty scope (either the client or the user is not allowed the requested scopes)"),
        )));
    }
    if let Some(bad) = req.scopes.iter().find(|s| !is_three_legged_scope(s)) {
        let description = format!("Invalid scope: {bad}");
        return Err(Rejection::Redirect(
            req.error_redirect("invalid_scope", Some(&description)),
        ));
    }
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(uris: &[&str]) -> MockClient {
        MockClient {
            client_id: "APP-0000000000000001".into(),
            client_secret: "s".into(),
            name: "c".into(),
            redirect_uris: uris.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn redirect_rule_follows_orcid() {
        let c = client(&["https://app.example.org/orcid/callback"]);
        assert!(redirect_uri_allowed(
            &c,
            "https://app.example.org/orcid/callback"
        ));
        assert!(redirect_uri_allowed(
            &c,
            "https://app.example.org/orcid/callback?x=1"
        ));
        assert!(redirect_uri_allowed(
            &c,
            "https://app.example.org/orcid/callback/more"
        ));
        assert!(!redirect_uri_allowed(
            &c,
            "http://app.example.org/orcid/callback"
        ));
        assert!(!redirect_uri_allowed(
            &c,
            "https://app.example.org:8443/orcid/callback"
        ));
        assert!(!redirect_uri_allowed(
            &c,
            "https://evil.example.org/orcid/callback"
        ));
        assert!(!redirect_uri_allowed(&c, "https://app.example.org/other"));
        assert!(!redirect_uri_allowed(
            &c,
            "https://app.example.org/orcid/callback#frag"
        ));
        let host_only = client(&["https://app.example.org"]);
        assert!(redirect_uri_allowed(
            &host_only,
            "https://app.example.org/anything"
        ));
        let open = client(&[]);
        assert!(redirect_uri_allowed(&open, "http://localhost:9/cb"));
        assert!(!redirect_uri_allowed(&open, "not a url"));
    }

    #[test]
    fn scopes_split_on_space_and_plus() {
        assert_eq!(
            split_scopes("openid+/read-limited  /activities/update openid"),
            vec!["openid", "/read-limited", "/activities/update"]
        );
        assert!(split_scopes(" + ").is_empty());
    }

    #[test]
    fn redirects_join_with_the_right_separator() {
        assert_eq!(
            redirect_with("https://a/cb", &[("code", "Ab1")]),
            "https://a/cb?code=Ab1"
        );
        assert_eq!(
            redirect_with("https://a/cb?x=1", &[("code", "Ab1"), ("state", "s t")]),
            "https://a/cb?x=1&code=Ab1&state=s+t"
        );
        assert_eq!(
            redirect_with("https://a/cb?", &[("code", "Ab1")]),
            "https://a/cb?code=Ab1"
        );
    }

    #[test]
    fn client_id_pattern() {
        assert!(is_client_id("APP-IDLINKDEMO000000"));
        assert!(is_client_id(super::super::DEMO_CLIENT_ID));
        assert!(!is_client_id("APP-IDLINKDEMO0000"));
        assert!(!is_client_id("APP-idlinkdemo000000"));
        assert!(!is_client_id("XYZ-IDLINKDEMO000000"));
    }
}
