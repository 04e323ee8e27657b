//! The Member API v3.0 calls idlink makes: works, affiliations (in `api_affiliations.rs`),
//! the activities summary and the person. Every call waits for the shared rate limiter,
//! has a timeout, and is retried with backoff on 503, 5xx and timeouts; ORCID's error
//! answers become [`ApiError`]s.

use std::time::Duration;

use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::errors::{OAuthErrorBody, OrcidError};
use super::model::{
    BulkItem, BulkRequest, BulkResponse, Emails, OrcidErrorBody, Person, Work, Works,
};
use super::{OrcidClient, OrcidId};

const ORCID_JSON: &str = "application/vnd.orcid+json";
/// ORCID accepts at most this many works in one bulk request.
pub const BULK_MAX: usize = super::model::MAX_BULK;

/// What went wrong with a Member API call, in the terms idlink acts on.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401 invalid_token: revoked by the researcher, or expired.
    #[error("ORCID no longer accepts idlink's access token (revoked or expired)")]
    InvalidToken,
    /// 401 / 9017: the token belongs to another record.
    #[error("the access token is for a different ORCID record")]
    WrongRecord,
    /// 403 / 9038 (or 9004/9005): the grant lacks a scope this call needs.
    #[error("idlink's access lacks the permission for this call")]
    MissingScope,
    /// 403 / 9010: only the source of an item may change it.
    #[error("idlink is not the source of this item")]
    NotSource,
    /// 404 / 9016.
    #[error("ORCID has no such item")]
    NotFound,
    /// 409 / 9021: a work with the same identifier from idlink is already there.
    #[error("already on the record (put-code {existing:?})")]
    Duplicate { existing: Option<i64> },
    /// 400: ORCID refused the data; `user_message` is ORCID's own words.
    #[error("ORCID refused the data ({code:?}): {developer_message}")]
    Invalid {
        code: Option<u32>,
        user_message: String,
        developer_message: String,
    },
    /// 503 after every retry: ORCID's rate limit or maintenance.
    #[error("ORCID is busy; retries are spent")]
    Busy,
    /// Any other refusal, kept with ORCID's code and message.
    #[error("ORCID answered {status} ({code:?}): {message}")]
    Other {
        status: u16,
        code: Option<u32>,
        message: String,
    },
    #[error(transparent)]
    Transport(#[from] OrcidError),
}

impl ApiError {
    /// A short label for metrics and the audit log.
    pub fn outcome(&self) -> &'static str {
        match self {
            ApiError::InvalidToken => "revoked",
            ApiError::WrongRecord => "wrong_record",
            ApiError::MissingScope => "missing_scope",
            ApiError::NotSource => "not_source",
            ApiError::NotFound => "not_found",
            ApiError::Duplicate { .. } => "duplicate",
            ApiError::Invalid { .. } => "invalid",
            ApiError::Busy => "busy",
            ApiError::Other { .. } => "refused",
            ApiError::Transport(e) => e.outcome(),
        }
    }

    /// Whether idlink's own limits held the call back, and which.
    pub fn held(&self) -> Option<crate::Held> {
        match self {
            ApiError::Transport(e) => e.held(),
            _ => None,
        }
    }
}

/// One answer from ORCID, before interpretation.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: bytes::Bytes,
}

impl OrcidClient {
    /// The grouped works list (one call, however many works).
    pub async fn works(&self, token: &SecretString, orcid: &OrcidId) -> Result<Works, ApiError> {
        let a = self
            .member_call(
                "works",
                Method::GET,
                &format!("{orcid}/works"),
                token,
                None::<&()>,
            )
            .await?;
        parse(&a.body)
    }

    pub async fn work(
        &self,
        token: &SecretString,
        orcid: &OrcidId,
        put_code: i64,
    ) -> Result<Work, ApiError> {
        let a = self
            .member_call(
                "work",
                Method::GET,
                &format!("{orcid}/work/{put_code}"),
                token,
                None::<&()>,
            )
            .await?;
        parse(&a.body)
    }

    /// Adds a work; returns its put-code (from the `Location` header).
    pub async fn add_work(
        &self,
        token: &SecretString,
        orcid: &OrcidId,
        work: &Work,
    ) -> Result<i64, ApiError> {
        let body = work.for_create();
        let a = self
            .member_call(
                "add_work",
                Method::POST,
                &format!("{orcid}/work"),
                token,
                Some(&body),
            )
            .await?;
        created_put_code(&a)
    }

    pub async fn update_work(
        &self,
        token: &SecretString,
        orcid: &OrcidId,
        put_code: i64,
        work: &Work,
    ) -> Result<Work, ApiError> {
        let body = Work {
            put_code: Some(put_code),
            ..work.for_write()
        };
        let path = format!("{orcid}/work/{put_code}");
        let a = self
            .member_call("update_work", Method::PUT, &path, token, Some(&body))
            .await?;
        parse(&a.body)
    }

    pub async fn delete_work(
        &self,
        token: &SecretString,
        orcid: &OrcidId,
        put_code: i64,
    ) -> Result<(), ApiError> {
        let path = format!("{orcid}/work/{put_code}");
        self.member_call("delete_work", Method::DELETE, &path, token, None::<&()>)
            .await
            .map(|_| ())
    }

    /// Adds up to [`BULK_MAX`] works in one request; one result per work, in order.
    pub async fn add_works(
        &self,
        token: &SecretString,
        orcid: &OrcidId,
        works: &[Work],
    ) -> Result<Vec<Result<Work, ApiError>>, ApiError> {
        if works.len() > BULK_MAX {
            return Err(ApiError::Invalid {
                code: Some(9006),
                user_message: format!("At most {BULK_MAX} works can be sent at once."),
                developer_message: format!("bulk of {} works", works.len()),
            });
        }
        let body = BulkRequest::create(works);
        let a = self
            .member_call(
                "add_works",
                Method::POST,
                &format!("{orcid}/works"),
                token,
                Some(&body),
            )
            .await?;
        let resp: BulkResponse = parse(&a.body)?;
        if resp.bulk.len() != works.len() {
            return Err(ApiError::Transport(OrcidError::InvalidResponse(format!(
                "bulk answer has {} items for {} works",
                resp.bulk.len(),
                works.len()
            ))));
        }
        Ok(resp
            .bulk
            .into_iter()
            .map(|item| match item {
                BulkItem::Work(work) => Ok(*work),
                BulkItem::Error(error) => Err(error_from_body(&error)),
            })
            .collect())
    }

    pub async fn person(&self, token: &SecretString, orcid: &OrcidId) -> Result<Person, ApiError> {
        let a = self
            .member_call(
                "person",
                Method::GET,
                &format!("{orcid}/person"),
                token,
                None::<&()>,
            )
            .await?;
        parse(&a.body)
    }

    /// One Member API call with the limiter, timeout and retries; a non-2xx answer
    /// that is not retried becomes an [`ApiError`].
    async fn member_call<B: Serialize>(
        &self,
        label: &'static str,
        method: Method,
        path: &str,
        token: &SecretString,
        body: Option<&B>,
    ) -> Result<Answer, ApiError> {
        let root = self.endpoints.api.clone();
        self.call_at(&root, label, method, path, token, body).await
    }

    /// The Public API's person section of `orcid`, read with a `/read-public` token
    /// ([`OrcidClient::read_public_token`]); `None` when ORCID has no such record.
    pub async fn public_person(
        &self,
        token: &SecretString,
        orcid: &OrcidId,
    ) -> Result<Option<Person>, ApiError> {
        self.public_section(token, orcid, "person", "public_person")
            .await
    }

    /// The Public API's email section of `orcid` (`GET /v3.0/{orcid}/email`), read with a
    /// `/read-public` token: only the addresses the person made public. `None` when
    /// ORCID has no such record.
    pub async fn public_emails(
        &self,
        token: &SecretString,
        orcid: &OrcidId,
    ) -> Result<Option<Emails>, ApiError> {
        self.public_section(token, orcid, "email", "public_emails")
            .await
    }

    /// One section of `orcid`'s record on the Public API; `None` when there is no record.
    async fn public_section<T: DeserializeOwned>(
        &self,
        token: &SecretString,
        orcid: &OrcidId,
        section: &str,
        label: &'static str,
    ) -> Result<Option<T>, ApiError> {
        let root = self.endpoints.public_api.clone();
        let path = format!("{orcid}/{section}");
        match self
            .call_at(&root, label, Method::GET, &path, token, None::<&()>)
            .await
        {
            Ok(a) => parse(&a.body).map(Some),
            Err(ApiError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// One call to a v3.0 API under `root` (Member or Public), with the limiter,
    /// timeout and retries.
    async fn call_at<B: Serialize>(
        &self,
        root: &url::Url,
        label: &'static str,
        method: Method,
        path: &str,
        token: &SecretString,
        body: Option<&B>,
    ) -> Result<Answer, ApiError> {
        let url = self.endpoint(root, &format!("v3.0/{path}"));
        let json = body.map(serde_json::to_vec).transpose().map_err(|e| {
            ApiError::Transport(OrcidError::InvalidResponse(format!(
                "could not encode: {e}"
            )))
        })?;
        let mut attempt = 1;
        loop {
            if let Err(held) = self.turn().await {
                self.metrics.orcid_call(label, held.outcome());
                return Err(ApiError::Transport(held.into()));
            }
            let mut req = self
                .http
                .request(method.clone(), url.clone())
                .header(ACCEPT, ORCID_JSON)
                .header(AUTHORIZATION, format!("Bearer {}", token.expose_secret()));
            if let Some(json) = &json {
                req = req.header(CONTENT_TYPE, ORCID_JSON).body(json.clone());
            }
            let result = match req.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    let headers = resp.headers().clone();
                    resp.bytes()
                        .await
                        .map(|body| Answer {
                            status,
                            headers,
                            body,
                        })
                        .map_err(OrcidError::from_reqwest)
                }
                Err(e) => Err(OrcidError::from_reqwest(e)),
            };
            let transient = match &result {
                Ok(a) => a.status == StatusCode::SERVICE_UNAVAILABLE || a.status.is_server_error(),
                Err(OrcidError::Timeout | OrcidError::Unreachable(_)) => true,
                Err(_) => false,
            };
            if transient && attempt < self.retry.attempts {
                let retry_after = result.as_ref().ok().and_then(|a| retry_after(&a.headers));
                let outcome = match &result {
                    Ok(a) => a.status.as_str().to_string(),
                    Err(e) => e.outcome().to_string(),
                };
                self.metrics
                    .orcid_call(label, &format!("retried_{outcome}"));
                attempt += 1;
                tokio::time::sleep(self.retry.delay(attempt, retry_after)).await;
                continue;
            }
            let outcome = match result {
                Ok(a) if a.status.is_success() => Ok(a),
                Ok(a) if a.status == StatusCode::SERVICE_UNAVAILABLE => Err(ApiError::Busy),
                Ok(a) => Err(error_from_answer(&a)),
                Err(e) => Err(ApiError::Transport(e)),
            };
            let label_outcome = match &outcome {
                Ok(_) => "ok",
                Err(e) => e.outcome(),
            };
            self.metrics.orcid_call(label, label_outcome);
            if let Err(e) = &outcome {
                tracing::info!(endpoint = label, error = %e, "ORCID call refused or failed");
            }
            return outcome;
        }
    }
}

/// The put-code at the end of a 201's `Location`.
fn created_put_code(a: &Answer) -> Result<i64, ApiError> {
    a.headers
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
        .and_then(|pc| pc.parse().ok())
        .ok_or_else(|| {
            ApiError::Transport(OrcidError::InvalidResponse(
                "201 without a put-code in Location".into(),
            ))
        })
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::Transport(OrcidError::InvalidResponse(format!(
            "unexpected JSON from ORCID: {e}"
        )))
    })
}

fn error_from_answer(a: &Answer) -> ApiError {
    if let Ok(body) = serde_json::from_slice::<OrcidErrorBody>(&a.body) {
        if body.response_code != 0 || body.error_code.is_some() {
            return error_from_body(&OrcidErrorBody {
                response_code: a.status.as_u16(),
                ..body
            });
        }
    }
    if let Ok(oauth) = serde_json::from_slice::<OAuthErrorBody>(&a.body) {
        if oauth.error == "invalid_token" {
            return ApiError::InvalidToken;
        }
        return ApiError::Other {
            status: a.status.as_u16(),
            code: None,
            message: oauth.error_description.unwrap_or(oauth.error),
        };
    }
    match a.status {
        StatusCode::UNAUTHORIZED => ApiError::InvalidToken,
        StatusCode::NOT_FOUND => ApiError::NotFound,
        s => ApiError::Other {
            status: s.as_u16(),
            code: None,
            message: String::from_utf8_lossy(&a.body).chars().take(200).collect(),
        },
    }
}

/// Maps a v3.0 error body (from a response or a bulk item) to an [`ApiError`].
fn error_from_body(e: &OrcidErrorBody) -> ApiError {
    let dev = e.developer_message.clone().unwrap_or_default();
    let user = e.user_message.clone().unwrap_or_default();
    match (e.response_code, e.error_code) {
        (_, Some(9017)) => ApiError::WrongRecord,
        (_, Some(9038 | 9004 | 9005)) => ApiError::MissingScope,
        (_, Some(9010)) => ApiError::NotSource,
        (_, Some(9016 | 9011)) | (404, None) => ApiError::NotFound,
        (_, Some(9021)) => ApiError::Duplicate {
            existing: put_code_in(&dev).or_else(|| put_code_in(&user)),
        },
        (401, _) => ApiError::InvalidToken,
        (400, code) => ApiError::Invalid {
            code,
            user_message: user,
            developer_message: dev,
        },
        (status, code) => ApiError::Other {
            status,
            code,
            message: if user.is_empty() { dev } else { user },
        },
    }
}

/// "…please see element with put-code 1234. If you…" → 1234.
fn put_code_in(message: &str) -> Option<i64> {
    let rest = &message[message.find("put-code")? + "put-code".len()..];
    let digits: String = rest
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[path = "api_affiliations.rs"]
mod affiliations;

#[cfg(test)]
#[path = "api_tests.rs"]
mod tests;
