//! The works summary (`GET /works`), bulk read/write (`/works`), and the v3.0 error body.

use serde::{Deserialize, Serialize};

use super::common::{nullable, opt_text, opt_u32, opt_value, ExternalIds, Source, Value};
use super::work::{PublicationDate, Work, WorkTitle};

/// At most this many works per bulk call (read or write).
pub const MAX_BULK: usize = 100;

/// `GET /v3.0/{orcid}/works`: works grouped by shared `self`/`version-of` ids.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct Works {
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_modified_date: Option<Value<i64>>,
    #[serde(deserialize_with = "nullable")]
    pub group: Vec<WorkGroup>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Works {
    /// Every summary of every group, in ORCID's order.
    pub fn summaries(&self) -> impl Iterator<Item = &WorkSummary> {
        self.group.iter().flat_map(|g| g.work_summary.iter())
    }
}

/// One group: the union of its members' ids, and the members (one per source).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct WorkGroup {
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_modified_date: Option<Value<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ids: Option<ExternalIds>,
    #[serde(deserialize_with = "nullable")]
    pub work_summary: Vec<WorkSummary>,
}

/// A `work-summary` (work-3.0.xsd): the short form of a work in the works list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct WorkSummary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub put_code: Option<i64>,
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_date: Option<Value<i64>>,
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_modified_date: Option<Value<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<WorkTitle>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ids: Option<ExternalIds>,
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<Value<String>>,
    #[serde(rename = "type", deserialize_with = "nullable")]
    pub work_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publication_date: Option<PublicationDate>,
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub journal_title: Option<Value<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A string in JSON (`"0"`); the researcher's preferred member of a group has the highest.
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub display_index: Option<String>,
}

impl WorkSummary {
    /// The main title, if there is a non-blank one.
    pub fn title_text(&self) -> Option<&str> {
        self.title.as_ref()?.text()
    }
}

/// Body of `POST /v3.0/{orcid}/works`: `{"bulk":[{"work":{…}},…]}`, at most [`MAX_BULK`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct BulkRequest {
    #[serde(deserialize_with = "nullable")]
    pub bulk: Vec<BulkWork>,
}

impl BulkRequest {
    /// A bulk-create body: each work passes through [`Work::for_create`] (no put-code,
    /// no server-set fields). The caller keeps the count within [`MAX_BULK`].
    pub fn create<'a>(works: impl IntoIterator<Item = &'a Work>) -> Self {
        BulkRequest {
            bulk: works
                .into_iter()
                .map(|w| BulkWork {
                    work: w.for_create(),
                })
                .collect(),
        }
    }
}

/// `{"work": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct BulkWork {
    pub work: Work,
}

/// The answer to a bulk read or write: one item per requested work, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct BulkResponse {
    #[serde(deserialize_with = "nullable")]
    pub bulk: Vec<BulkItem>,
}

/// `{"work": {…}}` (created or read, with its put-code) or `{"error": {…}}`
/// (e.g. 9021 duplicate, 9037 bad type, 9034 unknown put-code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BulkItem {
    Work(Box<Work>),
    Error(OrcidErrorBody),
}

impl BulkItem {
    pub fn work(&self) -> Option<&Work> {
        match self {
            BulkItem::Work(w) => Some(w),
            BulkItem::Error(_) => None,
        }
    }

    pub fn error(&self) -> Option<&OrcidErrorBody> {
        match self {
            BulkItem::Work(_) => None,
            BulkItem::Error(e) => Some(e),
        }
    }
}

/// The v3.0 error document (error-3.0.xsd), e.g.
/// `{"response-code":404,"developer-message":"404 Not Found: …","user-message":"…",
/// "error-code":9016,"more-info":"https://members.orcid.org/api/resources/troubleshooting"}`.
/// Every field may be missing. The HTTP status is authoritative, not the message text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct OrcidErrorBody {
    #[serde(deserialize_with = "response_code")]
    pub response_code: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub developer_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_message: Option<String>,
    #[serde(deserialize_with = "opt_u32", skip_serializing_if = "Option::is_none")]
    pub error_code: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub more_info: Option<String>,
}

fn response_code<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    Ok(opt_u32(d)?.and_then(|n| u16::try_from(n).ok()).unwrap_or(0))
}

impl OrcidErrorBody {
    /// Parses an error answer; `None` when the body is not a v3.0 error document
    /// (for instance the OAuth-style `{"error":"invalid_token",…}` of a bad token).
    pub fn from_json(body: &[u8]) -> Option<Self> {
        let e: OrcidErrorBody = serde_json::from_slice(body).ok()?;
        (e.response_code != 0 || e.error_code.is_some() || e.developer_message.is_some())
            .then_some(e)
    }
}
