//! Content negotiation as ORCID's JAX-RS resources do it (JAX-RS 2.0 §3.8): of the six media
//! types, the one with the highest client quality `q` wins, ties going to the server's `qs`
//! and then to the more specific Accept range. The simulation speaks JSON only, so a
//! negotiation won by an XML type (which includes a missing Accept header or `*/*`: ORCID
//! prefers `application/vnd.orcid+xml`) is answered 406 with an explanation.

use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::HeaderMap;

use super::super::api_error::{ApiError, VND_JSON};
use super::Access;

/// (media type, server qs, the content type answered when it wins; None for XML).
const OFFERS: [(&str, f32, Option<&str>); 6] = [
    ("application/vnd.orcid+xml", 5.0, None),
    ("application/vnd.orcid+json", 4.0, Some(VND_JSON)),
    ("application/orcid+xml", 3.0, None),
    (
        "application/orcid+json",
        2.0,
        Some("application/orcid+json; qs=2"),
    ),
    ("application/xml", 1.0, None),
    ("application/json", 1.0, Some("application/json")),
];

const JSON_TYPES: [&str; 3] = [
    "application/vnd.orcid+json",
    "application/orcid+json",
    "application/json",
];
const XML_TYPES: [&str; 3] = [
    "application/vnd.orcid+xml",
    "application/orcid+xml",
    "application/xml",
];

/// How an offer ranks: client q, server qs, specificity of the matching Accept range.
type Rank = (f32, f32, u8);

/// (type, subtype, q) of each media range in an Accept header.
fn ranges(accept: &str) -> Vec<(String, String, f32)> {
    accept
        .split(',')
        .filter_map(|part| {
            let mut params = part.split(';');
            let media = params.next()?.trim().to_ascii_lowercase();
            let (t, s) = media.split_once('/')?;
            let q = params
                .filter_map(|p| p.trim().strip_prefix("q=").map(str::to_owned))
                .find_map(|v| v.trim().parse::<f32>().ok())
                .unwrap_or(1.0)
                .clamp(0.0, 1.0);
            Some((t.trim().to_owned(), s.trim().to_owned(), q))
        })
        .collect()
}

/// The client's quality for `offer` and the specificity of the range it comes from (2 exact,
/// 1 `type/*`, 0 `*/*`): those of the most specific matching range.
fn quality(ranges: &[(String, String, f32)], offer: &str) -> (f32, u8) {
    let (ot, os) = offer.split_once('/').unwrap_or((offer, ""));
    let mut best: Option<(u8, f32)> = None;
    for (t, s, q) in ranges {
        let specificity = match (t.as_str(), s.as_str()) {
            (t, s) if t == ot && s == os => 2,
            (t, "*") if t == ot => 1,
            ("*", "*") => 0,
            _ => continue,
        };
        if best.is_none_or(|(b, _)| specificity > b) {
            best = Some((specificity, *q));
        }
    }
    best.map_or((0.0, 0), |(specificity, q)| (q, specificity))
}

fn not_acceptable(developer: String) -> ApiError {
    ApiError::custom(
        406,
        9001,
        &developer,
        "ORCID could not process the data, because they were invalid.",
    )
}

/// The JSON content type to answer with, or the 406 error (sent as `application/vnd.orcid+json`).
pub(super) fn response_type(headers: &HeaderMap, access: Access) -> Result<&'static str, ApiError> {
    let raw = headers.get(ACCEPT).and_then(|v| v.to_str().ok());
    let accept = raw
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .unwrap_or("*/*");
    let ranges = ranges(accept);
    let mut winner: Option<(Rank, Option<&'static str>)> = None;
    for (offer, qs, answer) in OFFERS {
        let (q, specificity) = quality(&ranges, offer);
        let key = (q, qs, specificity);
        let better = |best: &Rank| {
            key.partial_cmp(best)
                .is_some_and(|o| o == std::cmp::Ordering::Greater)
        };
        if q > 0.0 && winner.as_ref().is_none_or(|(best, _)| better(best)) {
            winner = Some((key, answer));
        }
    }
    match winner {
        Some((_, Some(json))) => Ok(json),
        // A DELETE answers 204 with no body, whatever ORCID would have serialized.
        _ if access == Access::Delete && raw.is_none_or(|a| a.contains('*')) => Ok(VND_JSON),
        Some((_, None)) => Err(not_acceptable(format!(
            "406 Not Acceptable: the simulated ORCID answers in JSON only (application/vnd.orcid+json, application/orcid+json or application/json). For Accept: {accept} ORCID itself would answer in XML{}.",
            if raw.is_none() { " (no Accept header was sent)" } else { "" }
        ))),
        None => Err(not_acceptable(format!(
            "406 Not Acceptable: none of {} matches Accept: {accept}.",
            OFFERS.iter().map(|o| o.0).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// POST and PUT bodies must be JSON (`415` otherwise; XML is ORCID's, not the simulation's).
pub(super) fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let raw = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if JSON_TYPES.contains(&mime.as_str()) {
        return Ok(());
    }
    let detail = if XML_TYPES.contains(&mime.as_str()) {
        format!("Content-Type {mime} is XML; the simulated ORCID reads JSON only. Send Content-Type: application/vnd.orcid+json.")
    } else if mime.is_empty() {
        "No Content-Type was sent. Send Content-Type: application/vnd.orcid+json.".to_owned()
    } else {
        format!(
            "Content-Type {mime} is not supported. Send Content-Type: application/vnd.orcid+json."
        )
    };
    let mut e = ApiError::new(9001).detail(detail);
    e.status = 415;
    Err(e)
}
