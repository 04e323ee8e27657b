//! Work external identifiers: the types ORCID accepts and its normalisation, which is what
//! duplicate detection and grouping compare (orcid-api.md §7, "Normalization").

/// The 52 work external-id types (`derived/external-id-types.json`).
pub(crate) const TYPES: [&str; 52] = [
    "agr",
    "ark",
    "arxiv",
    "asin",
    "asin-tld",
    "authenticusid",
    "bibcode",
    "cba",
    "cgn",
    "cienciaiul",
    "cit",
    "cstr",
    "ctx",
    "dnb",
    "doi",
    "eid",
    "emdb",
    "empiar",
    "ethos",
    "grant-number",
    "hal",
    "handle",
    "hir",
    "isbn",
    "ismn",
    "issn",
    "jfm",
    "jstor",
    "k10plus",
    "kuid",
    "lccn",
    "lensid",
    "mr",
    "oclc",
    "ol",
    "osti",
    "other-id",
    "pat",
    "pdb",
    "pmc",
    "pmid",
    "ppr",
    "proposal-id",
    "raid",
    "rfc",
    "rrid",
    "source-work-id",
    "ssrn",
    "uri",
    "urn",
    "wosuid",
    "zbl",
];

/// Types whose values are compared case-sensitively (not lower-cased first).
const CASE_SENSITIVE: [&str; 10] = [
    "ark", "bibcode", "cgn", "emdb", "empiar", "ethos", "k10plus", "ol", "rrid", "uri",
];

pub(crate) fn is_known_type(t: &str) -> bool {
    TYPES.contains(&t)
}

/// ORCID's normalised form of an identifier, or None where ORCID reports error 8001
/// ("Cannot normalize identifier value type:value").
pub(crate) fn normalise(id_type: &str, value: &str) -> Option<String> {
    let v = value.trim();
    let v = if CASE_SENSITIVE.contains(&id_type) {
        v.to_owned()
    } else {
        v.to_lowercase()
    };
    let out = match id_type {
        "doi" => doi(&v),
        "issn" => issn(&v),
        "isbn" => isbn(&v),
        "pmid" => pmid(&v),
        "pmc" => pmc(&v),
        "arxiv" => arxiv(&v),
        "uri" => Some(if v.contains("://") {
            v
        } else {
            format!("http://{v}")
        }),
        _ => Some(v),
    };
    out.filter(|s| !s.is_empty())
}

/// The key duplicate checks and grouping compare: the type and the normalised value (the
/// lower-cased raw value when normalisation fails).
pub(crate) fn match_key(id_type: &str, value: &str) -> (String, String) {
    let key = normalise(id_type, value).unwrap_or_else(|| value.trim().to_lowercase());
    (id_type.to_owned(), key)
}

/// The match keys of the `self` ids among `(type, value, relationship)`: ORCID compares
/// ids whose relationships are both `self` (or both absent); `part-of`, `version-of` and
/// `funded-by` ids are not compared.
pub(crate) fn self_keys<'a>(
    ids: impl IntoIterator<Item = (&'a str, &'a str, Option<&'a str>)>,
) -> Vec<(String, String)> {
    ids.into_iter()
        .filter(|(_, _, relationship)| matches!(relationship, None | Some("self")))
        .map(|(id_type, value, _)| match_key(id_type, value))
        .collect()
}

fn unescape_html(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// `10.<digits or letters>[.<…>]*/<suffix>` anywhere in the value (so URLs and `doi:`
/// prefixes reduce to the bare DOI).
fn doi(v: &str) -> Option<String> {
    let v = unescape_html(v);
    let bytes = v.as_bytes();
    let mut start = 0;
    while let Some(pos) = v[start..].find("10.") {
        let at = start + pos;
        let boundary = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        if boundary {
            if let Some(end) = doi_at(&v[at..]) {
                return Some(v[at..at + end].to_owned());
            }
        }
        start = at + 1;
    }
    None
}

/// Length of a DOI starting at `s` ("10." already present), if well formed.
fn doi_at(s: &str) -> Option<usize> {
    let prefix_end = s.find('/')?;
    let prefix = &s[3..prefix_end];
    let prefix_ok = !prefix.is_empty()
        && prefix
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if !prefix_ok {
        return None;
    }
    let suffix = &s[prefix_end + 1..];
    let len = suffix
        .find(|c: char| c.is_whitespace() || c == '"' || c == '&' || c == '\'')
        .unwrap_or(suffix.len());
    (len > 0).then_some(prefix_end + 1 + len)
}

fn issn(v: &str) -> Option<String> {
    let chars: Vec<char> = v.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    // Look for 7 digits then a digit or X.
    chars.windows(8).find_map(|w| {
        let ok = w[..7].iter().all(char::is_ascii_digit)
            && (w[7].is_ascii_digit() || w[7] == 'x' || w[7] == 'X');
        ok.then(|| {
            let s: String = w.iter().collect::<String>().to_uppercase();
            format!("{}-{}", &s[..4], &s[4..])
        })
    })
}

fn isbn(v: &str) -> Option<String> {
    let s: String = v
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .collect::<String>()
        .to_uppercase();
    let s = s
        .strip_prefix("ISBN:")
        .or(s.strip_prefix("ISBN"))
        .unwrap_or(&s);
    let ok13 = s.len() == 13 && s.bytes().all(|b| b.is_ascii_digit());
    let b = s.as_bytes();
    let ok10 = b.len() == 10
        && b[..9].iter().all(u8::is_ascii_digit)
        && (b[9].is_ascii_digit() || b[9] == b'X');
    (ok13 || ok10).then(|| s.to_owned())
}

fn trailing_digits(v: &str) -> Option<String> {
    let d: String = v
        .chars()
        .rev()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    (!d.is_empty()).then(|| d.chars().rev().collect())
}

fn pmid(v: &str) -> Option<String> {
    let s = v.trim_end_matches('/');
    let rest = s
        .rsplit_once("pubmed.ncbi.nlm.nih.gov/")
        .map(|(_, r)| r)
        .or_else(|| s.rsplit_once("/pubmed/").map(|(_, r)| r))
        .or_else(|| s.strip_prefix("pmid:"))
        .unwrap_or(s)
        .trim();
    rest.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| rest.to_owned())
        .filter(|r| !r.is_empty())
}

fn pmc(v: &str) -> Option<String> {
    let s = v.trim_end_matches('/');
    let tail = s.rsplit('/').next().unwrap_or(s);
    let tail = tail.strip_prefix("pmc").unwrap_or(tail);
    (!tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit()))
        .then(|| tail.to_owned())
        .or_else(|| trailing_digits(s).filter(|_| s.contains("pmc")))
}

/// New-style `NNNN.NNNNN[vN]` or old-style `archive[.XX]/NNNNNNN`, as `arXiv:…`.
fn arxiv(v: &str) -> Option<String> {
    let s = v.trim_end_matches('/');
    let s = s.rsplit_once("arxiv.org/abs/").map_or(s, |(_, r)| r);
    let s = s.strip_prefix("arxiv:").unwrap_or(s).trim();
    let new_style = s.split_once('.').is_some_and(|(a, b)| {
        let b = b.split_once('v').map_or(b, |(n, ver)| {
            if !ver.is_empty() && ver.bytes().all(|c| c.is_ascii_digit()) {
                n
            } else {
                "x"
            }
        });
        a.len() == 4
            && a.bytes().all(|c| c.is_ascii_digit())
            && (4..=5).contains(&b.len())
            && b.bytes().all(|c| c.is_ascii_digit())
    });
    let old_style = s.split_once('/').is_some_and(|(a, b)| {
        !a.is_empty()
            && a.bytes()
                .all(|c| c.is_ascii_alphabetic() || c == b'-' || c == b'.')
            && b.len() >= 7
            && b.bytes().take(7).all(|c| c.is_ascii_digit())
    });
    (new_style || old_style).then(|| format!("arXiv:{s}"))
}
