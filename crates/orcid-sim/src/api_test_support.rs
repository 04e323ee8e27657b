//! Test helpers for the simulated Member API: tokens, requests, work and affiliation bodies.

use reqwest::header::{HeaderMap, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::test_harness::*;
use orcid::model::{
    Affiliation, AffiliationSection, DisambiguatedOrganization, DisambiguationSource, ExternalId,
    ExternalIds, FuzzyDate, Organization, OrganizationAddress,
};
use orcid::OrcidId;

pub const VND: &str = "application/vnd.orcid+json";

/// An answer: status, headers, body text.
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Resp {
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.text))
    }

    /// The put-code at the end of the `Location` of a 201.
    #[track_caller]
    pub fn put_code(&self) -> i64 {
        assert_eq!(self.status, StatusCode::CREATED, "{}", self.text);
        let loc = self
            .headers
            .get(LOCATION)
            .expect("a Location")
            .to_str()
            .unwrap();
        loc.rsplit('/').next().unwrap().parse().unwrap()
    }
}

/// Asserts a v3.0 error answer with this status and error code; returns its body.
#[track_caller]
pub fn assert_error(resp: &Resp, status: u16, code: u64) -> Value {
    assert_eq!(resp.status.as_u16(), status, "{}", resp.text);
    let body = resp.json();
    assert_eq!(body["error-code"], code, "{body}");
    assert_eq!(body["response-code"], status, "{body}");
    assert_eq!(
        body["more-info"],
        "https://members.orcid.org/api/resources/troubleshooting"
    );
    body
}

/// A token of `client` (id, secret) for `id` with `scope`, through the real OAuth flow.
pub async fn token_with(h: &Harness, id: &OrcidId, client: (&str, &str), scope: &str) -> String {
    let code = h
        .code_for(id, &[("client_id", client.0), ("scope", scope)])
        .await;
    let (status, _, body) = h
        .token(&[
            ("client_id", client.0),
            ("client_secret", client.1),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

/// CLIENT_ID's token for `id` with `openid /read-limited /activities/update`.
pub async fn member_token(h: &Harness, id: &OrcidId) -> String {
    token_with(h, id, (CLIENT_ID, SECRET), SCOPE).await
}

/// OTHER_CLIENT_ID's token for `id` with the same scopes.
pub async fn other_token(h: &Harness, id: &OrcidId) -> String {
    token_with(h, id, (OTHER_CLIENT_ID, OTHER_SECRET), SCOPE).await
}

/// A client_credentials `/read-public` token of CLIENT_ID.
pub async fn read_public_token(h: &Harness) -> String {
    let (status, _, body) = h
        .token(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("grant_type", "client_credentials"),
            ("scope", "/read-public"),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

/// A new researcher and CLIENT_ID's member token for them.
pub async fn researcher_with_token(h: &Harness) -> (OrcidId, String) {
    let id = h.mock.add_researcher("Ada", "Lovelace");
    let token = member_token(h, &id).await;
    (id, token)
}

/// Sends a request to `path` (relative to the base) with `headers` and a raw body.
pub async fn send_raw(
    h: &Harness,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> Resp {
    let mut req = h.http.request(method, h.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.body(b);
    }
    let resp = req.send().await.unwrap();
    Resp {
        status: resp.status(),
        headers: resp.headers().clone(),
        text: resp.text().await.unwrap(),
    }
}

/// Sends with `Accept`/`Content-Type: application/vnd.orcid+json` and the bearer token.
pub async fn send(
    h: &Harness,
    method: Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> Resp {
    let auth = format!("Bearer {token}");
    let mut headers = vec![("accept", VND), ("authorization", auth.as_str())];
    if body.is_some() {
        headers.push(("content-type", VND));
    }
    send_raw(h, method, path, &headers, body.map(Value::to_string)).await
}

pub async fn get(h: &Harness, path: &str, token: &str) -> Resp {
    send(h, Method::GET, path, token, None).await
}

pub async fn post_work(h: &Harness, id: &OrcidId, token: &str, work: &Value) -> Resp {
    send(
        h,
        Method::POST,
        &format!("/v3.0/{id}/work"),
        token,
        Some(work),
    )
    .await
}

/// A valid work with one `self` DOI.
pub fn work(title: &str, doi: &str) -> Value {
    json!({
        "title": {"title": {"value": title}},
        "type": "journal-article",
        "publication-date": {"year": {"value": "2023"}, "month": {"value": "04"}, "day": null},
        "external-ids": {"external-id": [{
            "external-id-type": "doi",
            "external-id-value": doi,
            "external-id-url": {"value": format!("https://doi.org/{doi}")},
            "external-id-relationship": "self"
        }]}
    })
}

/// `work("A title", "10.5555/edited")` with `edit` applied to its JSON.
pub fn edited(edit: impl FnOnce(&mut Value)) -> Value {
    let mut w = work("A title", "10.5555/edited");
    edit(&mut w);
    w
}

/// Every work-summary of a works list, across groups.
pub fn summaries(list: &Value) -> Vec<Value> {
    list["group"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["work-summary"].as_array().unwrap().clone())
        .collect()
}

/// The sorted keys of a JSON object.
#[track_caller]
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

/// A seeded researcher by the iD constant.
pub fn seeded(id: &str) -> OrcidId {
    OrcidId::parse(id).unwrap()
}

/// A valid affiliation for every section: organisation with ROR, city and country.
pub fn affiliation(role: &str) -> Affiliation {
    Affiliation {
        department_name: Some("Physics".into()),
        role_title: Some(role.into()),
        start_date: Some(FuzzyDate::new("2020", Some("02"), Some("01"))),
        organization: Some(Organization {
            name: "Boston University".into(),
            address: Some(OrganizationAddress {
                city: Some("Boston".into()),
                region: Some("Massachusetts".into()),
                country: Some("US".into()),
            }),
            disambiguated_organization: Some(DisambiguatedOrganization {
                disambiguated_organization_identifier: "https://ror.org/05qwgg493".into(),
                disambiguation_source: DisambiguationSource::Ror,
            }),
        }),
        ..Affiliation::default()
    }
}

/// An affiliation as a JSON body.
pub fn body(a: &Affiliation) -> Value {
    serde_json::to_value(a).unwrap()
}

/// `a` with one `self` grant number.
pub fn with_self_id(mut a: Affiliation, value: &str) -> Affiliation {
    a.external_ids = Some(ExternalIds {
        external_id: vec![ExternalId::new("grant_number", value, "self")],
    });
    a
}

/// `POST /v3.0/{id}/{section}`.
pub async fn post_affiliation(
    h: &Harness,
    id: &OrcidId,
    token: &str,
    s: AffiliationSection,
    b: &Value,
) -> Resp {
    send(h, Method::POST, &format!("/v3.0/{id}/{s}"), token, Some(b)).await
}
