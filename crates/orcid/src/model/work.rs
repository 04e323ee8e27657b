//! The full work (`GET/PUT /v3.0/{orcid}/work/{put-code}`, `POST /work`), work-3.0.xsd.

use serde::{Deserialize, Serialize};

use super::common::{nullable, opt_value, ExternalIds, FuzzyDate, OrcidIdentifier, Source, Value};

/// The 17 JSON properties ORCID's `Work` class knows; any other one is answered with
/// 400, error 9047 (orcid-api.md §7, quoted from a real 9047 `developer-message`).
pub const WORK_PROPERTIES: [&str; 17] = [
    "journal-title",
    "path",
    "citation",
    "put-code",
    "publication-date",
    "visibility",
    "created-date",
    "external-ids",
    "title",
    "type",
    "last-modified-date",
    "language-code",
    "short-description",
    "url",
    "country",
    "contributors",
    "source",
];

/// A full work. Build one with `Work { work_type: "journal-article".into(), ..Work::default() }`
/// and send `work.for_write()` (or [`Work::for_create`] for a POST).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct Work {
    /// Server-set.
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_date: Option<Value<i64>>,
    /// Server-set; epoch milliseconds.
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_modified_date: Option<Value<i64>>,
    /// Server-set: ORCID discards a client-supplied source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Required in a PUT body (same as the URL's, else 9019); forbidden in a POST (9024).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub put_code: Option<i64>,
    /// Server-set, e.g. `/0000-0003-4997-3076/work/1537385`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Required on write (9022).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<WorkTitle>,
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub journal_title: Option<Value<String>>,
    /// A plain string (not a `{"value"}` wrapper), at most 5000 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<Citation>,
    /// One of the 59 slugs in [`crate::work_types`]; required (9037).
    #[serde(rename = "type", deserialize_with = "nullable")]
    pub work_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publication_date: Option<PublicationDate>,
    /// At least one is required on write (9023), one with relationship `self`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ids: Option<ExternalIds>,
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<Value<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contributors: Option<Contributors>,
    /// The language of the metadata, e.g. `en`, `zh_CN`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language_code: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `{"value":"CA"}`.
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub country: Option<Value<String>>,
    /// Server-set: `private | limited | registered-only | public`. Changing it is 403, 9035.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
}

impl Work {
    /// A copy holding only what ORCID accepts from a client: `source`, the dates, `path`,
    /// `visibility`, the transient `external-id-normalized*`, contributor e-mails and empty
    /// `contributor-orcid` objects are removed. `put-code` is kept (a PUT needs it).
    pub fn for_write(&self) -> Work {
        let mut w = self.clone();
        w.source = None;
        w.created_date = None;
        w.last_modified_date = None;
        w.path = None;
        w.visibility = None;
        if let Some(ids) = &mut w.external_ids {
            for id in &mut ids.external_id {
                id.external_id_normalized = None;
                id.external_id_normalized_error = None;
            }
        }
        if let Some(contributors) = &mut w.contributors {
            for c in &mut contributors.contributor {
                c.contributor_email = None;
                if c.contributor_orcid
                    .as_ref()
                    .is_some_and(OrcidIdentifier::is_empty)
                {
                    c.contributor_orcid = None;
                }
            }
        }
        w
    }

    /// [`Work::for_write`] without the put-code: the body of a `POST /work` or a bulk POST.
    pub fn for_create(&self) -> Work {
        Work {
            put_code: None,
            ..self.for_write()
        }
    }

    /// The main title, if there is a non-blank one.
    pub fn title_text(&self) -> Option<&str> {
        self.title.as_ref()?.text()
    }
}

/// `title`: `{"title":{"value"},"subtitle":{"value"},"translated-title":{"value","language-code"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct WorkTitle {
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub title: Option<Value<String>>,
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub subtitle: Option<Value<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translated_title: Option<TranslatedTitle>,
}

impl WorkTitle {
    pub fn new(title: &str) -> Self {
        WorkTitle {
            title: Some(Value::new(title.to_string())),
            ..WorkTitle::default()
        }
    }

    /// The main title, trimmed; `None` when missing or blank.
    pub fn text(&self) -> Option<&str> {
        let t = self.title.as_ref()?.as_str().trim();
        (!t.is_empty()).then_some(t)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct TranslatedTitle {
    #[serde(deserialize_with = "nullable")]
    pub value: String,
    /// Required by ORCID when a translated title is sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language_code: Option<String>,
}

/// `citation`: both parts are needed on write. Types are lower-case with dashes:
/// `formatted-unspecified, bibtex, formatted-apa, formatted-harvard, formatted-ieee,
/// formatted-mla, formatted-vancouver, formatted-chicago, ris`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct Citation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation_value: Option<String>,
}

/// `publication-date`: a [`FuzzyDate`] (v3.0 has no `media-type`; v2.0 had it as an attribute).
pub type PublicationDate = FuzzyDate;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct Contributors {
    #[serde(deserialize_with = "nullable")]
    pub contributor: Vec<Contributor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct Contributor {
    /// Only for an authenticated iD; build it with [`OrcidIdentifier::from_id`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contributor_orcid: Option<OrcidIdentifier>,
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub credit_name: Option<Value<String>>,
    /// Read leniently (plain string or `{"value"}`) but never written: its JSON form on
    /// write is uncertain (orcid-api.md, open point 4) and ORCID never returns it.
    #[serde(deserialize_with = "opt_value", skip_serializing)]
    pub contributor_email: Option<Value<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contributor_attributes: Option<ContributorAttributes>,
}

impl Contributor {
    /// The credit name, trimmed; `None` when missing or blank.
    pub fn name(&self) -> Option<&str> {
        let n = self.credit_name.as_ref()?.as_str().trim();
        (!n.is_empty()).then_some(n)
    }
}

/// `contributor-sequence` is `first | additional`; `contributor-role` is a legacy value
/// (`author`, `editor`, …) or a CRediT URI (`http://credit.niso.org/contributor-roles/…/`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct ContributorAttributes {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contributor_sequence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contributor_role: Option<String>,
}
