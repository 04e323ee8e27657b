//! Pieces shared by every ORCID document: `{"value": …}` wrappers, iD and client
//! references, `source`, external identifiers, and the lenient deserialisers.

use serde::{Deserialize, Deserializer, Serialize};

use crate::external_ids;
use crate::OrcidId;

/// ORCID's `{"value": …}` wrapper (titles, URLs, dates, names…).
///
/// Always written as `{"value": …}`; read from that form or from the bare value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Value<T> {
    pub value: T,
}

impl<T> Value<T> {
    pub fn new(value: T) -> Self {
        Value { value }
    }
}

impl<T> From<T> for Value<T> {
    fn from(value: T) -> Self {
        Value { value }
    }
}

impl Value<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// The two JSON forms of a wrapped value. Extra keys in the wrapper (`transient`) are ignored.
#[derive(Deserialize)]
#[serde(untagged)]
enum ValueRepr<T> {
    Wrapped { value: Option<T> },
    Bare(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Value<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match ValueRepr::deserialize(d)? {
            ValueRepr::Wrapped { value: Some(v) } | ValueRepr::Bare(v) => Ok(Value::new(v)),
            ValueRepr::Wrapped { value: None } => Err(serde::de::Error::missing_field("value")),
        }
    }
}

/// For `Option<Value<T>>` fields: `null`, a missing field and `{"value": null}` all read as `None`.
pub(super) fn opt_value<'de, D, T>(d: D) -> Result<Option<Value<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(match Option::<ValueRepr<T>>::deserialize(d)? {
        Some(ValueRepr::Wrapped { value: Some(v) }) | Some(ValueRepr::Bare(v)) => {
            Some(Value::new(v))
        }
        _ => None,
    })
}

/// For non-optional fields (`Vec`, `String`, `bool`): `null` reads as the default.
pub(super) fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Bool(bool),
}

/// A string that ORCID sometimes writes as a number (`display-index`, `error-code`).
pub(super) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Scalar>::deserialize(d)?.map(|s| match s {
        Scalar::Text(t) => t,
        Scalar::Unsigned(n) => n.to_string(),
        Scalar::Signed(n) => n.to_string(),
        Scalar::Float(n) => n.to_string(),
        Scalar::Bool(b) => b.to_string(),
    }))
}

/// A number that might arrive as a string; anything unreadable becomes `None`.
pub(super) fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Ok(Option::<Scalar>::deserialize(d)?.and_then(|s| match s {
        Scalar::Text(t) => t.trim().parse().ok(),
        Scalar::Unsigned(n) => u32::try_from(n).ok(),
        Scalar::Signed(n) => u32::try_from(n).ok(),
        Scalar::Float(_) | Scalar::Bool(_) => None,
    }))
}

/// An ORCID iD reference: `orcid-identifier`, `contributor-orcid`, `source-orcid`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct OrcidIdentifier {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

impl OrcidIdentifier {
    /// The reference ORCID itself writes, e.g. host `orcid.org` or `sandbox.orcid.org`.
    pub fn from_id(id: &OrcidId, host: &str) -> Self {
        OrcidIdentifier {
            uri: Some(format!("https://{host}/{id}")),
            path: Some(id.to_string()),
            host: Some(host.to_string()),
        }
    }

    /// The iD, if `path` (or else `uri`) holds one with a valid check digit.
    pub fn orcid_id(&self) -> Option<OrcidId> {
        let from = |s: &Option<String>| s.as_deref().and_then(|s| OrcidId::parse(s).ok());
        from(&self.path).or_else(|| from(&self.uri))
    }

    /// ORCID sends `{"uri":null,"path":null,"host":null}` for a contributor without an iD.
    pub fn is_empty(&self) -> bool {
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
        blank(&self.uri) && blank(&self.path)
    }
}

/// An API client reference (`source-client-id`): `path` is the client id `APP-…`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct ClientIdentifier {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

impl ClientIdentifier {
    /// `path`, or the last segment of `uri` (`https://orcid.org/client/APP-…`).
    pub fn client_id(&self) -> Option<&str> {
        let path = self
            .path
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        path.or_else(|| {
            let uri = self.uri.as_deref()?.trim().trim_end_matches('/');
            uri.rsplit('/').next().filter(|s| !s.is_empty())
        })
    }
}

/// Who wrote an item (server-set: idlink never sends it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct Source {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_orcid: Option<OrcidIdentifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_client_id: Option<ClientIdentifier>,
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_name: Option<Value<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assertion_origin_orcid: Option<OrcidIdentifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assertion_origin_client_id: Option<ClientIdentifier>,
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub assertion_origin_name: Option<Value<String>>,
}

impl Source {
    /// The display name of the source (trimmed; ORCID keeps trailing spaces).
    pub fn name(&self) -> Option<&str> {
        let name = self.source_name.as_ref()?.as_str().trim();
        (!name.is_empty()).then_some(name)
    }

    /// The `APP-…` client id when an API client wrote the item.
    pub fn client_id(&self) -> Option<&str> {
        self.source_client_id.as_ref()?.client_id()
    }

    /// The iD when a person (or a legacy client) wrote the item.
    pub fn orcid_id(&self) -> Option<OrcidId> {
        self.source_orcid.as_ref()?.orcid_id()
    }

    /// True when `client_id` wrote the item, i.e. it may update or delete it (else 403, 9010).
    pub fn is_client(&self, client_id: &str) -> bool {
        self.client_id() == Some(client_id)
    }
}

/// `external-ids`: the identifiers of a work or of a works group.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct ExternalIds {
    #[serde(deserialize_with = "nullable")]
    pub external_id: Vec<ExternalId>,
}

impl ExternalIds {
    /// The ids with relationship `self` (ORCID matches duplicates on these).
    pub fn self_ids(&self) -> impl Iterator<Item = &ExternalId> {
        self.external_id.iter().filter(|id| id.is_self())
    }
}

/// One `external-id`. `external-id-normalized*` are transient: ORCID adds them on read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct ExternalId {
    #[serde(deserialize_with = "nullable")]
    pub external_id_type: String,
    #[serde(deserialize_with = "nullable")]
    pub external_id_value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id_normalized: Option<TransientValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id_normalized_error: Option<TransientError>,
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub external_id_url: Option<Value<String>>,
    /// `self`, `part-of`, `version-of` or `funded-by`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id_relationship: Option<String>,
}

impl ExternalId {
    pub fn new(id_type: &str, value: &str, relationship: &str) -> Self {
        ExternalId {
            external_id_type: id_type.to_string(),
            external_id_value: value.to_string(),
            external_id_relationship: Some(relationship.to_string()),
            ..ExternalId::default()
        }
    }

    pub fn is_self(&self) -> bool {
        self.external_id_relationship.as_deref() == Some("self")
    }

    /// ORCID's normalised value when it sent one, else idlink's own
    /// ([`external_ids::normalize`]); `None` when the value cannot be normalised (8001).
    pub fn normalized(&self) -> Option<String> {
        match &self.external_id_normalized {
            Some(n) if !n.value.is_empty() => Some(n.value.clone()),
            _ => external_ids::normalize(&self.external_id_type, &self.external_id_value),
        }
    }

    /// The link to show: the id's own `external-id-url` if set, else the resolver link.
    pub fn link(&self) -> Option<String> {
        let own = self.external_id_url.as_ref().map(|u| u.as_str().trim());
        match own.filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
            Some(u) => Some(u.to_string()),
            None => external_ids::resolver_url(&self.external_id_type, &self.external_id_value),
        }
    }
}

/// `{"value": "10.1/x", "transient": true}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct TransientValue {
    #[serde(deserialize_with = "nullable")]
    pub value: String,
    #[serde(deserialize_with = "nullable")]
    pub transient: bool,
}

/// `{"error-code": "8001", "error-message": "Cannot normalize identifier value doi:123", "transient": true}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct TransientError {
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub transient: bool,
}

/// A `fuzzy-date` (common-3.0.xsd): year `YYYY`, month and day `MM`/`DD`, the later parts
/// optional. Works use it as `publication-date`, affiliations as `start-date`/`end-date`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct FuzzyDate {
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub year: Option<Value<String>>,
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub month: Option<Value<String>>,
    #[serde(
        deserialize_with = "opt_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub day: Option<Value<String>>,
}

impl FuzzyDate {
    /// A date from its parts as written (`"2024"`, `"01"`, `"05"`); blank parts are left out.
    pub fn new(year: &str, month: Option<&str>, day: Option<&str>) -> Self {
        let part = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| Value::new(s.to_string()))
        };
        FuzzyDate {
            year: part(year),
            month: month.and_then(part),
            day: day.and_then(part),
        }
    }

    /// The year, month and day as written, trimmed; blank parts are `None`.
    pub fn parts(&self) -> [Option<&str>; 3] {
        fn part(v: &Option<Value<String>>) -> Option<&str> {
            v.as_ref()
                .map(|v| v.as_str().trim())
                .filter(|s| !s.is_empty())
        }
        [part(&self.year), part(&self.month), part(&self.day)]
    }

    /// `2022`, `2022-05` or `2022-05-24`; `None` without a year.
    pub fn display(&self) -> Option<String> {
        match self.parts() {
            [Some(y), Some(m), Some(d)] => Some(format!("{y}-{m}-{d}")),
            [Some(y), Some(m), None] => Some(format!("{y}-{m}")),
            [Some(y), ..] => Some(y.to_string()),
            [None, ..] => None,
        }
    }
}
