//! The simulated Member API v3.0: works (read, write, bulk), the seven affiliation
//! sections, activities, record and person, behind ORCID's bearer-token checks, content
//! negotiation, scopes and rate limit.

/// Runs [`guard`] and returns its refusal from the handler.
macro_rules! guarded {
    ($mock:expr, $headers:expr, $orcid:expr, $access:expr) => {
        match super::guard(&$mock, &$headers, &$orcid, $access).await {
            Ok(ctx) => ctx,
            Err(resp) => return resp,
        }
    };
}

/// Locks the registry, or answers 500 (9008) from the handler when the lock is poisoned.
macro_rules! locked {
    ($inner:expr) => {
        match $inner.lock() {
            Ok(st) => st,
            Err(_) => return super::server_error(),
        }
    };
}

mod affiliations;
mod checks;
mod negotiate;
mod read;
mod write;

use std::sync::Mutex;
use std::time::Instant;

use axum::extract::DefaultBodyLimit;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;

use super::activity_store::Activity;
use super::api_error::{self, json_response, ApiError, VND_JSON};
use super::rate_limit::RateLimiter;
use super::state::now;
use super::wire::bearer;
use super::works_json::Links;
use super::works_model::{Visibility, WorkSource};
use super::{Fault, Inner, MockOrcid};
use orcid::OrcidId;

/// Bulk bodies of 100 large works exceed axum's default 2 MB.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

/// Scopes that let a token read limited items of its researcher's record.
const READ_LIMITED: [&str; 3] = [
    "/read-limited",
    "/activities/read-limited",
    "/activities/update",
];
/// Scopes that let a token read public items.
const READ_PUBLIC: [&str; 3] = ["/read-public", "/authenticate", "openid"];
const UPDATE: &str = "/activities/update";

/// Member API bookkeeping kept in [`Inner`].
pub(crate) struct ApiState {
    pub rate: Mutex<RateLimiter>,
    /// Host part of the base URL, for `{"uri","path","host"}` references.
    pub host: String,
}

impl ApiState {
    pub fn new(base_url: &str) -> Self {
        let host = url::Url::parse(base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        ApiState {
            rate: Mutex::new(RateLimiter::default()),
            host,
        }
    }
}

pub(crate) fn routes() -> Router<MockOrcid> {
    Router::new()
        .route(
            "/v3.0/{orcid}/works",
            get(read::works).post(write::bulk_create),
        )
        .route("/v3.0/{orcid}/works/{put_codes}", get(read::bulk_read))
        .route("/v3.0/{orcid}/work", post(write::create))
        .route(
            "/v3.0/{orcid}/work/{put_code}",
            get(read::work).put(write::update).delete(write::delete),
        )
        .route("/v3.0/{orcid}/work/summary/{put_code}", get(read::summary))
        .route("/v3.0/{orcid}/record", get(read::record))
        .route("/v3.0/{orcid}/person", get(read::person))
        .route("/v3.0/{orcid}/email", get(read::emails))
        .route("/v3.0/{orcid}/activities", get(affiliations::activities))
        .merge(affiliations::routes())
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Read,
    Write,
    Delete,
}

/// A request that passed authentication, negotiation and the record checks.
pub(crate) struct Ctx {
    pub client_id: String,
    pub client_name: String,
    pub orcid: OrcidId,
    /// The token may read limited items of this record.
    pub read_limited: bool,
    /// Content type of the answer.
    pub content_type: &'static str,
}

impl Ctx {
    /// ORCID's visibility filter: public items, limited ones with a read-limited scope, and
    /// anything this client is the source of.
    pub fn can_see(&self, item: &impl Activity) -> bool {
        let visibility = item.visibility();
        visibility == Visibility::Public
            || item.is_from_client(&self.client_id)
            || (self.read_limited && visibility != Visibility::Private)
    }

    /// This client as the source of what it adds.
    pub fn source(&self) -> WorkSource {
        WorkSource {
            client_id: Some(self.client_id.clone()),
            name: self.client_name.clone(),
        }
    }

    pub fn error(&self, e: &ApiError) -> Response {
        e.response(self.content_type)
    }

    pub fn json(&self, status: u16, body: &impl Serialize) -> Response {
        json_response(status, self.content_type, body)
    }
}

pub(crate) fn links(inner: &Inner) -> Links<'_> {
    Links {
        base_url: &inner.base_url,
        host: &inner.api.host,
    }
}

#[derive(Serialize)]
struct ShortError<'a> {
    error: &'a str,
    error_description: &'a str,
}

/// ORCID documents only the status (503) of a rate-limited call; the body is a short note.
fn rate_limited(limit: Option<(u32, u32)>) -> Response {
    let (per_sec, burst) = limit.unwrap_or(super::rate_limit::DEFAULT);
    let description = format!(
        "Rate limit exceeded: the Member API allows {per_sec} requests a second with a burst of {burst} per client. Slow down and retry."
    );
    let mut resp = json_response(
        503,
        "application/json",
        &ShortError {
            error: "rate_limit_exceeded",
            error_description: &description,
        },
    );
    resp.headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("1"));
    resp
}

/// The answer of an `ApiStatus` fault: what ORCID usually sends with that status.
fn fault_answer(status: u16, token: Option<&str>) -> Response {
    let simulated = "Simulated failure.";
    match status {
        401 => api_error::invalid_token(token.unwrap_or_default()),
        429 | 503 => rate_limited(None),
        403 => ApiError::new(9038).detail(simulated).response(VND_JSON),
        404 => ApiError::new(9016).detail(simulated).response(VND_JSON),
        409 => ApiError::new(9018)
            .param("orcid", "")
            .detail(simulated)
            .response(VND_JSON),
        400..=499 => ApiError::custom(
            status,
            9006,
            &format!("{status} The client application sent a bad request to ORCID. Full validation error: {simulated}"),
            "The client application sent a bad request to ORCID.",
        )
        .response(VND_JSON),
        _ => ApiError::custom(
            status,
            9008,
            &format!("{status} Something went wrong in ORCID. Full validation error: {simulated}"),
            "Something went wrong in ORCID.",
        )
        .response(VND_JSON),
    }
}

/// Takes one use of an `ApiStatus` fault (clearing it after the last), or sleeps for
/// `ApiDelay`. Some(status): answer with it.
async fn apply_fault(inner: &Inner) -> Option<u16> {
    match inner.hooks.api_fault() {
        Some(Fault::ApiStatus { status, times }) if times > 0 => Some(status),
        Some(Fault::ApiDelay(d)) => {
            tokio::time::sleep(d).await;
            None
        }
        _ => None,
    }
}

/// Everything every Member API call goes through, in ORCID's order: (simulated faults),
/// rate limit, bearer token (403 none, 401 invalid), Accept, token-for-record (9017),
/// record exists (9016), scope (9038).
pub(crate) async fn guard(
    mock: &MockOrcid,
    headers: &HeaderMap,
    raw_orcid: &str,
    access: Access,
) -> Result<Ctx, Response> {
    let inner = &mock.inner;
    inner.hooks.api_request();
    let token = bearer(headers);
    if let Some(status) = apply_fault(inner).await {
        return Err(fault_answer(status, token.as_deref()));
    }
    let Some(token) = token else {
        return Err(api_error::forbidden_no_token());
    };
    let record = {
        let st = inner.lock().map_err(|_| server_error())?;
        st.by_access(&token).cloned()
    };
    if let Some(t) = &record {
        let mut rate = inner.api.rate.lock().unwrap_or_else(|e| e.into_inner());
        if !rate.allow(&t.client_id, Instant::now()) {
            return Err(rate_limited(rate.config()));
        }
    }
    let Some(t) = record else {
        return Err(api_error::invalid_token(&token));
    };
    let user_revoked = t.disabled == Some(super::state::DisabledReason::UserRevoked);
    let usable =
        t.is_active(now()) || (access == Access::Delete && user_revoked && now() < t.expires_at);
    if !usable {
        return Err(api_error::invalid_token(&token));
    }
    let content_type =
        negotiate::response_type(headers, access).map_err(|e| e.response(VND_JSON))?;
    let client_name = inner
        .client(&t.client_id)
        .map_or_else(|| t.client_id.clone(), |c| c.name.clone());
    let fail = |e: ApiError| e.response(content_type);
    let parsed = OrcidId::parse(raw_orcid).ok();
    if let Some(own) = &t.orcid {
        if parsed.as_ref() != Some(own) {
            return Err(fail(
                ApiError::new(9017).detail("Access token is for a different record"),
            ));
        }
    }
    let known = {
        let st = inner.lock().map_err(|_| server_error())?;
        parsed.filter(|id| st.researcher(id).is_some())
    };
    let Some(orcid) = known else {
        return Err(fail(
            ApiError::new(9016).detail(format!("ORCID iD {raw_orcid} not found")),
        ));
    };
    let has = |list: &[&str]| t.scopes.iter().any(|s| list.contains(&s.as_str()));
    let allowed = match access {
        Access::Read => has(&READ_LIMITED) || has(&READ_PUBLIC),
        Access::Write | Access::Delete => has(&[UPDATE]),
    };
    if !allowed {
        return Err(fail(ApiError::new(9038)));
    }
    Ok(Ctx {
        client_id: t.client_id.clone(),
        client_name,
        orcid,
        read_limited: t.orcid.is_some() && has(&READ_LIMITED),
        content_type,
    })
}

pub(crate) fn server_error() -> Response {
    ApiError::new(9008)
        .detail("The simulated ORCID hit an internal error")
        .response(VND_JSON)
}
