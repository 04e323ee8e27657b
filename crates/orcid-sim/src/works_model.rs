//! The simulation's own typed form of a v3.0 work: what a client may write (title, ids,
//! dates, contributors …) plus what the registry adds (put-code, source, dates,
//! visibility). Fields are declared in ORCID's JSON order so serialized answers read like
//! the real ones.

use serde::{Deserialize, Serialize};

use orcid::OrcidId;

/// `{"value": "…"}`, ORCID's wrapper for most strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Val {
    pub value: String,
}

impl Val {
    pub fn new(value: impl Into<String>) -> Self {
        Val {
            value: value.into(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct TranslatedTitle {
    pub value: Option<String>,
    pub language_code: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct WorkTitle {
    pub title: Option<Val>,
    pub subtitle: Option<Val>,
    pub translated_title: Option<TranslatedTitle>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Citation {
    pub citation_type: Option<String>,
    pub citation_value: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PubDate {
    pub year: Option<Val>,
    pub month: Option<Val>,
    pub day: Option<Val>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ExtId {
    pub external_id_type: String,
    pub external_id_value: String,
    pub external_id_url: Option<Val>,
    pub external_id_relationship: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ExtIds {
    #[serde(default)]
    pub external_id: Vec<ExtId>,
}

/// `{"uri","path","host"}`: an ORCID iD or client reference.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct IdRef {
    pub uri: Option<String>,
    pub path: Option<String>,
    pub host: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ContributorAttributes {
    pub contributor_sequence: Option<String>,
    pub contributor_role: Option<String>,
}

/// `contributor-email` is write-only at ORCID: accepted, never stored or returned.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Contributor {
    pub contributor_orcid: Option<IdRef>,
    pub credit_name: Option<Val>,
    pub contributor_attributes: Option<ContributorAttributes>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Contributors {
    #[serde(default)]
    pub contributor: Vec<Contributor>,
}

/// The client-writable part of a work, after validation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct WorkData {
    pub title: Option<WorkTitle>,
    pub journal_title: Option<Val>,
    pub short_description: Option<String>,
    pub citation: Option<Citation>,
    #[serde(rename = "type")]
    pub work_type: Option<String>,
    pub publication_date: Option<PubDate>,
    pub external_ids: Option<ExtIds>,
    pub url: Option<Val>,
    pub contributors: Option<Contributors>,
    pub language_code: Option<String>,
    pub country: Option<Val>,
}

impl WorkData {
    pub fn ext_ids(&self) -> &[ExtId] {
        self.external_ids
            .as_ref()
            .map_or(&[], |ids| ids.external_id.as_slice())
    }

    /// The normalised `self` identifiers ORCID compares for duplicates.
    pub fn self_keys(&self) -> Vec<(String, String)> {
        super::ext_ids::self_keys(self.ext_ids().iter().map(|id| {
            (
                id.external_id_type.as_str(),
                id.external_id_value.as_str(),
                id.external_id_relationship.as_deref(),
            )
        }))
    }

    pub fn title_text(&self) -> &str {
        self.title
            .as_ref()
            .and_then(|t| t.title.as_ref())
            .map_or("", |t| t.value.as_str())
    }
}

/// Who added a work: an API client (member or not) or the researcher in the registry UI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct WorkSource {
    /// None: the researcher themself (`source-orcid` is the record's iD).
    pub client_id: Option<String>,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Visibility {
    Public,
    Limited,
    RegisteredOnly,
    Private,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Limited => "limited",
            Visibility::RegisteredOnly => "registered-only",
            Visibility::Private => "private",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "public" => Some(Visibility::Public),
            "limited" => Some(Visibility::Limited),
            "registered-only" => Some(Visibility::RegisteredOnly),
            "private" => Some(Visibility::Private),
            _ => None,
        }
    }
}

/// A work as the registry keeps it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct StoredWork {
    pub put_code: i64,
    pub orcid: OrcidId,
    pub source: WorkSource,
    /// Epoch milliseconds.
    pub created: u64,
    pub modified: u64,
    pub visibility: Visibility,
    pub data: WorkData,
    /// Generated by [`super::seed`] on every start, so never written to the state file.
    #[serde(skip)]
    pub seeded: bool,
    /// The normalised `self` identifiers, worked out once: the duplicate check compares
    /// every new work with the whole record, so re-normalising each time is quadratic.
    #[serde(skip)]
    pub self_keys: std::sync::OnceLock<Vec<(String, String)>>,
}

impl StoredWork {
    /// Replaces the metadata (a PUT), dropping the identifiers worked out for the old one.
    pub fn set_data(&mut self, data: WorkData) {
        self.data = data;
        self.self_keys = std::sync::OnceLock::new();
    }

    pub fn self_keys(&self) -> &[(String, String)] {
        self.self_keys.get_or_init(|| self.data.self_keys())
    }

    /// ORCID's `display-index`: "1" for what the researcher added, "0" for API sources.
    pub fn display_index(&self) -> &'static str {
        if self.source.client_id.is_none() {
            "1"
        } else {
            "0"
        }
    }
}
