//! ORCID's checks on a work a client writes, in ORCID's order and with its error codes:
//! JSON binding (9047, then 9051 for enum values), then `ActivityValidator.validateWork`
//! (9022 title, 9037 type/language/citation, 9049/9020 dates, 9023 ids, 9020 contributors,
//! 9024 put-code, 9035 visibility) and the contributor-role check (9058).

use serde_json::Value;

use super::api_error::ApiError;
use super::ext_ids;
use super::vocab;
use super::work_conform;
use super::work_schema::Class;
use super::works_model::{Visibility, WorkData};

/// Create (POST) or update (PUT) of an existing work with this visibility.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Mode {
    Create,
    Update { original: Visibility },
}

/// A work that passed every check.
#[derive(Debug)]
pub(crate) struct Checked {
    pub data: WorkData,
}

/// Parses a request body and checks its shape against `class` (9047 on any failure).
pub(crate) fn parse_body(raw: &[u8], class: &'static Class) -> Result<Value, ApiError> {
    let invalid_json = |msg: String| ApiError::new(9047).param("error", msg);
    let text = std::str::from_utf8(raw)
        .map_err(|e| invalid_json(format!("Invalid UTF-8 middle byte: {e}")))?;
    if text.trim().is_empty() {
        return Err(invalid_json(
            "No content to map due to end-of-input\n at [Source: (org.apache.catalina.connector.CoyoteInputStream); line: 1, column: 0]".to_owned(),
        ));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let full = e.to_string();
        let msg = full
            .rsplit_once(" at line ")
            .map_or(full.as_str(), |(m, _)| m)
            .to_owned();
        invalid_json(format!(
            "{msg}\n at [Source: (org.apache.catalina.connector.CoyoteInputStream); line: {}, column: {}]",
            e.line(),
            e.column()
        ))
    })?;
    work_conform::conform(text, &value, class).map_err(invalid_json)
}

fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter()
        .try_fold(v, |cur, key| cur.get(*key))
        .filter(|v| !v.is_null())
}

fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    get(v, path).and_then(Value::as_str)
}

fn blank(s: Option<&str>) -> bool {
    s.is_none_or(|s| s.trim().is_empty())
}

fn list<'a>(v: &'a Value, path: &[&str]) -> &'a [Value] {
    get(v, path)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn invalid_message(detail: &str) -> ApiError {
    ApiError::new(9020).detail(detail)
}

fn bad_enum(value: &str, enum_name: &str) -> ApiError {
    ApiError::new(9051)
        .param("value", value)
        .param("enum", enum_name)
}

fn bad_type(what: &str, values: &str) -> ApiError {
    ApiError::new(9037)
        .param("type", what)
        .param("values", values)
}

/// Checks a conformed work (see [`parse_body`]) for `mode`; `client_name` fills ORCID's
/// "please contact … for assistance".
pub(crate) fn check_work(w: &Value, mode: Mode, client_name: &str) -> Result<Checked, ApiError> {
    check_enums(w)?;
    let title = text(w, &["title", "title", "value"]);
    if blank(title) {
        return Err(ApiError::new(9022));
    }
    let tt_value = text(w, &["title", "translated-title", "value"]);
    let tt_lang = text(w, &["title", "translated-title", "language-code"]);
    if blank(tt_value) && !blank(tt_lang) {
        return Err(invalid_message(
            "Please specify a translated title or remove the language code",
        ));
    }
    if !blank(tt_value) && !tt_lang.is_some_and(vocab::is_language) {
        return Err(bad_type(
            "translated title -> language code",
            &vocab::languages_list(),
        ));
    }
    if !text(w, &["type"]).is_some_and(|t| vocab::WORK_TYPES.contains(&t)) {
        return Err(bad_type("work type", &vocab::WORK_TYPES.join(", ")));
    }
    if let Some(lang) = text(w, &["language-code"]).filter(|l| !l.is_empty()) {
        if !vocab::is_language(lang) {
            return Err(bad_type("language code", &vocab::languages_list()));
        }
    }
    if let Some(date) = get(w, &["publication-date"]) {
        check_date(date)?;
    }
    if let Some(citation) = get(w, &["citation"]) {
        if text(citation, &["citation-type"]).is_none() {
            return Err(bad_type("citation type", &vocab::CITATION_TYPES.join(", ")));
        }
        if blank(text(citation, &["citation-value"])) {
            return Err(invalid_message(
                "Please specify a citation or remove the parent tag",
            ));
        }
    }
    let ids = list(w, &["external-ids", "external-id"]);
    if ids.is_empty() {
        return Err(ApiError::new(9023));
    }
    check_contributors(w)?;
    let put_code = get(w, &["put-code"]).and_then(Value::as_i64);
    match mode {
        Mode::Create if put_code.is_some() => return Err(ApiError::new(9024).client(client_name)),
        Mode::Update { original } => {
            let wanted = text(w, &["visibility"]).and_then(Visibility::parse);
            if wanted.is_some_and(|v| v != original) {
                return Err(ApiError::new(9035).client(client_name));
            }
        }
        Mode::Create => {}
    }
    check_ids(ids)?;
    check_roles(w)?;
    let data: WorkData = serde_json::from_value(w.clone())
        .map_err(|e| ApiError::new(9047).param("error", e.to_string()))?;
    Ok(Checked { data })
}

/// Enum-typed values ORCID's binding rejects while reading the body (9051).
fn check_enums(w: &Value) -> Result<(), ApiError> {
    if let Some(v) = text(w, &["visibility"]) {
        if Visibility::parse(v).is_none() {
            return Err(bad_enum(v, vocab::VISIBILITY_ENUM));
        }
    }
    if let Some(v) = text(w, &["citation", "citation-type"]) {
        if !vocab::CITATION_TYPES.contains(&v) {
            return Err(bad_enum(v, vocab::CITATION_TYPE_ENUM));
        }
    }
    for id in list(w, &["external-ids", "external-id"]) {
        if let Some(v) = text(id, &["external-id-relationship"]) {
            if !vocab::RELATIONSHIPS.contains(&v) {
                return Err(bad_enum(v, vocab::RELATIONSHIP_ENUM));
            }
        }
    }
    for c in list(w, &["contributors", "contributor"]) {
        if let Some(v) = text(c, &["contributor-attributes", "contributor-sequence"]) {
            if !vocab::SEQUENCES.contains(&v) {
                return Err(bad_enum(v, vocab::SEQUENCE_ENUM));
            }
        }
    }
    if let Some(v) = text(w, &["country", "value"]) {
        if !vocab::is_country(v) {
            return Err(bad_enum(v, vocab::COUNTRY_ENUM));
        }
    }
    Ok(())
}

/// ORCID's `validateFuzzyDate` (9049) and the four-digit year rule (9020).
fn check_date(date: &Value) -> Result<(), ApiError> {
    let y = text(date, &["year", "value"]);
    let m = text(date, &["month", "value"]);
    let d = text(date, &["day", "value"]);
    let or_null = |s: Option<&str>| s.unwrap_or("null").to_owned();
    let date_string = match (y, m, d) {
        (_, _, Some(d)) => format!("{}-{}-{d}", or_null(y), or_null(m)),
        (_, Some(m), None) => format!("{}-{m}", or_null(y)),
        (Some(y), None, None) => y.to_owned(),
        (None, None, None) => "null".to_owned(),
    };
    if !fuzzy_date_parses(&date_string) {
        return Err(ApiError::new(9049).param("dateString", &date_string));
    }
    if let Some(y) = y.filter(|y| y.len() != 4) {
        return Err(invalid_message(&format!(
            "Invalid year {y} please specify a four digits value"
        )));
    }
    Ok(())
}

/// Java's `yyyy`, `yyyy-MM` or strict `yyyy-MM-dd` over a real calendar date.
pub(crate) fn fuzzy_date_parses(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let year = parts
        .first()
        .filter(|p| (4..=9).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|p| p.parse::<u32>().ok())
        .filter(|y| *y >= 1);
    let two = |p: &str| {
        (p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let Some(year) = year else {
        return false;
    };
    match parts.len() {
        1 => true,
        2 => two(parts[1]).is_some_and(|m| (1..=12).contains(&m)),
        3 => match (two(parts[1]), two(parts[2])) {
            (Some(m), Some(d)) if (1..=12).contains(&m) => d >= 1 && d <= days_in_month(year, m),
            _ => false,
        },
        _ => false,
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `OrcidStringUtils.isValidOrcid`: the iD pattern (ORCID does not check the check digit here).
fn is_orcid_pattern(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 9 | 14 => *c == b'-',
            18 => c.is_ascii_digit() || *c == b'X',
            _ => c.is_ascii_digit(),
        })
}

/// `isValidOrcid2_1Uri`: `http(s)://[sandbox.]orcid.org/<iD>` (or the simulation's own
/// record links, which end in the iD as well).
fn is_orcid_uri(s: &str) -> bool {
    let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    else {
        return false;
    };
    rest.rsplit_once('/')
        .is_some_and(|(_, id)| is_orcid_pattern(id))
}

fn check_contributors(w: &Value) -> Result<(), ApiError> {
    for c in list(w, &["contributors", "contributor"]) {
        if let Some(uri) = text(c, &["contributor-orcid", "uri"]).filter(|u| !u.is_empty()) {
            if !is_orcid_uri(uri) {
                return Err(invalid_message("Invalid contributor URI"));
            }
        }
        if let Some(path) = text(c, &["contributor-orcid", "path"]).filter(|p| !p.is_empty()) {
            if !is_orcid_pattern(path) {
                return Err(invalid_message("Invalid contributor ORCID"));
            }
        }
        if c.get("credit-name").is_some_and(|n| !n.is_null())
            && blank(text(c, &["credit-name", "value"]))
        {
            return Err(invalid_message(
                "Please specify a contributor credit name or remove the empty tag",
            ));
        }
        if text(c, &["contributor-email"]).is_some_and(|e| e.trim().is_empty()) {
            return Err(invalid_message(
                "Please specify a contributor email or remove the empty tag",
            ));
        }
    }
    Ok(())
}

/// `ExternalIDValidator.validateWork` for an API request.
fn check_ids(ids: &[Value]) -> Result<(), ApiError> {
    let mut errors: Vec<String> = Vec::new();
    let mut has_self = false;
    for id in ids {
        let id_type = text(id, &["external-id-type"]);
        if !id_type.is_some_and(ext_ids::is_known_type) {
            errors.push(id_type.unwrap_or("null").to_owned());
        }
        if blank(text(id, &["external-id-value"])) {
            errors.push("value".to_owned());
        }
        if text(id, &["external-id-relationship"]) == Some("self") {
            has_self = true;
        }
    }
    if !has_self {
        errors.push("At least one identifier with 'self' relationship is required".to_owned());
    }
    if errors.is_empty() {
        return Ok(());
    }
    let joined: String = errors.iter().map(|e| format!(" {e}")).collect();
    Err(ApiError::new(9023).detail(format!("Invalid external-id {joined}")))
}

fn check_roles(w: &Value) -> Result<(), ApiError> {
    for c in list(w, &["contributors", "contributor"]) {
        if let Some(role) = text(c, &["contributor-attributes", "contributor-role"]) {
            if !vocab::is_contributor_role(role) {
                return Err(ApiError::new(9058)
                    .param("role", role)
                    .param("validRoles", vocab::valid_roles()));
            }
        }
    }
    Ok(())
}
