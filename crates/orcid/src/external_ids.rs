//! Work external-identifier types (`external-id-type`), ORCID's normalisation of their values
//! and links to resolve them.
//!
//! The table is `samples/derived/external-id-types.json` (52 types, rebuilt from
//! ORCID-Source; the live list is `GET https://pub.orcid.org/v3.0/identifiers`). Normalisation
//! follows orcid-api.md §7 and ORCID's normalisers: a type that is not case-sensitive is
//! lower-cased first, then the type's own normaliser runs. ORCID compares *normalised* `self`
//! ids to find duplicates (409, 9021).

use std::fmt::Write as _;

mod normalizers;
mod table;
#[cfg(test)]
mod tests;

pub use table::EXTERNAL_ID_TYPES;

/// One identifier type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExternalIdType {
    /// The API name, e.g. `doi`.
    pub id_type: &'static str,
    /// A short human label, e.g. `DOI`, `PubMed ID`.
    pub label: &'static str,
    /// ORCID's description, e.g. `doi: Digital object identifier`.
    pub description: &'static str,
    /// ORCID's resolution prefix, e.g. `https://doi.org/`.
    pub resolution_prefix: Option<&'static str>,
    /// When false, ORCID lower-cases the value before normalising it.
    pub case_sensitive: bool,
}

const fn t(
    id_type: &'static str,
    label: &'static str,
    description: &'static str,
    resolution_prefix: Option<&'static str>,
    case_sensitive: bool,
) -> ExternalIdType {
    ExternalIdType {
        id_type,
        label,
        description,
        resolution_prefix,
        case_sensitive,
    }
}

/// `external-id-relationship` values (orcid-model `Relationship.java`).
pub const RELATIONSHIPS: [&str; 4] = ["self", "part-of", "version-of", "funded-by"];

/// The type named `id_type` (API names are lower-case and matched exactly).
pub fn lookup(id_type: &str) -> Option<&'static ExternalIdType> {
    EXTERNAL_ID_TYPES.iter().find(|t| t.id_type == id_type)
}

pub fn is_known_type(id_type: &str) -> bool {
    lookup(id_type).is_some()
}

/// The human label of a type; an unknown type is shown as itself.
pub fn label(id_type: &str) -> &str {
    lookup(id_type).map_or(id_type, |t| t.label)
}

/// The value ORCID stores as `external-id-normalized` for this type, or `None` where ORCID
/// reports error 8001 ("Cannot normalize identifier value") and for a blank value. Like
/// ORCID, a type it does not know (a funding type such as `grant_number`) is returned as
/// it is; use [`is_known_type`] to validate the type of a work's id.
///
/// `doi`: `https://doi.org/10.1087/ABC` → `10.1087/abc`; `issn`: `1234-567x` → `1234-567X`;
/// `isbn`: `978-0-12-345678-9` → `9780123456789`; `pmid`: `PMID: 123` → `123`;
/// `pmc`: `PMC123` → `123`; `arxiv`: `1501.00001v2` → `arXiv:1501.00001v2`;
/// `uri`: `example.org` → `http://example.org`; other types: lower-cased unless case-sensitive.
pub fn normalize(id_type: &str, value: &str) -> Option<String> {
    if value.trim().is_empty() {
        return None;
    }
    let Some(t) = lookup(id_type) else {
        return Some(value.to_string());
    };
    let v = if t.case_sensitive {
        value.to_string()
    } else {
        value.to_lowercase()
    };
    let out = match id_type {
        "doi" => normalizers::doi(&v),
        "issn" => normalizers::issn(&v),
        "isbn" => normalizers::isbn(&v),
        "pmid" => normalizers::pmid(&v),
        "pmc" => normalizers::pmc(&v),
        "arxiv" => normalizers::arxiv_id(&v).map(|id| format!("arXiv:{id}")),
        "bibcode" => normalizers::bibcode(&v),
        "uri" => Some(normalizers::uri(&v)),
        "rrid" => Some(normalizers::rrid(&v)),
        _ => Some(v),
    }?;
    (!out.is_empty()).then_some(out)
}

/// A link that resolves the identifier, or `None` (unknown type, no resolver, value that
/// cannot be normalised). A `uri`/`url` value links to itself, only if it is http(s).
/// Types with a resolver link to it with the normalised value (`doi` → `https://doi.org/…`,
/// `pmid` → PubMed, `pmc` → PubMed Central, `arxiv` → `https://arxiv.org/abs/…`, `handle`,
/// `isbn`, `issn`…); a value that already is an http(s) URL is linked as it is.
pub fn resolver_url(id_type: &str, value: &str) -> Option<String> {
    let raw = value.trim();
    if matches!(id_type, "uri" | "url") {
        return is_http(raw).then(|| raw.to_string());
    }
    let prefix = lookup(id_type)?.resolution_prefix?;
    let norm = normalize(id_type, value)?;
    if is_http(&norm) {
        return is_http(raw).then(|| raw.to_string());
    }
    Some(match id_type {
        "arxiv" => format!("{prefix}{}", encode(norm.trim_start_matches("arXiv:"))),
        "pmc" => format!("https://pmc.ncbi.nlm.nih.gov/articles/PMC{norm}/"),
        _ => format!("{prefix}{}", encode(&norm)),
    })
}

fn is_http(s: &str) -> bool {
    let has = |scheme: &str| {
        s.get(..scheme.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(scheme))
            && s.len() > scheme.len()
    };
    has("https://") || has("http://")
}

/// Percent-encodes what may not appear literally in a URL path or query value (`%`, `?`, `#`,
/// spaces, quotes, non-ASCII…), keeping `/`, `:`, `;`, `(`, `)` and the like that DOIs use.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@!$&'()*+,;=".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}
