//! ORCID scopes, and what each means in plain words for the researcher.

pub const OPENID: &str = "openid";
pub const AUTHENTICATE: &str = "/authenticate";

/// The plain-words meaning of a scope, or `None` for one idlink does not describe.
pub fn describe(scope: &str) -> Option<&'static str> {
    Some(match scope {
        OPENID | AUTHENTICATE => "know your ORCID iD and name",
        "/read-limited" => "read your limited-access data",
        "/activities/update" => "add and update works and affiliations",
        "/person/update" => "add and update your biography, keywords and links",
        "/read-public" => "read your public data",
        _ => return None,
    })
}

/// The order scopes are listed in: who you are, what may be read, what may be written.
const ORDER: &[&str] = &[
    OPENID,
    AUTHENTICATE,
    "/read-public",
    "/read-limited",
    "/activities/update",
    "/person/update",
];

/// Plain-words list of a grant, without repeats, in a fixed order: who you are, what may be
/// read, what may be written.
pub fn describe_all<'a>(scopes: impl IntoIterator<Item = &'a str>) -> Vec<&'static str> {
    let mut known: Vec<&str> = scopes.into_iter().filter(|s| ORDER.contains(s)).collect();
    known.sort_by_key(|s| ORDER.iter().position(|o| o == s));
    let mut out: Vec<&'static str> = known.into_iter().filter_map(describe).collect();
    out.dedup();
    out
}

/// The sign-in-only scope that matches the configured scopes: `openid` unless the
/// institution chose `/authenticate` (ORCID says use one or the other).
pub fn signin_only(configured: &[String]) -> &'static str {
    if configured.iter().any(|s| s == AUTHENTICATE) {
        AUTHENTICATE
    } else {
        OPENID
    }
}

/// The configured scopes a grant must hold, beyond knowing the iD (which every grant
/// allows, whether it says `openid` or `/authenticate`).
pub fn required(configured: &[String]) -> Vec<&str> {
    configured
        .iter()
        .map(String::as_str)
        .filter(|s| *s != OPENID && *s != AUTHENTICATE)
        .collect()
}

/// The configured scopes `granted` lacks.
pub fn missing<'a>(configured: &'a [String], granted: &str) -> Vec<&'a str> {
    let granted: Vec<&str> = granted.split_whitespace().collect();
    required(configured)
        .into_iter()
        .filter(|s| !granted.contains(s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words() {
        assert_eq!(
            describe_all("/read-limited /activities/update openid".split(' ')),
            [
                "know your ORCID iD and name",
                "read your limited-access data",
                "add and update works and affiliations"
            ]
        );
        assert_eq!(describe_all(["openid", "/authenticate"]).len(), 1);
        assert_eq!(signin_only(&["/authenticate".into()]), AUTHENTICATE);
        assert_eq!(signin_only(&["openid".into()]), OPENID);
    }

    #[test]
    fn required_and_missing() {
        let configured: Vec<String> = ["openid", "/read-limited", "/activities/update"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            required(&configured),
            ["/read-limited", "/activities/update"]
        );
        assert_eq!(
            missing(&configured, "/authenticate /read-limited"),
            ["/activities/update"]
        );
        assert!(missing(&configured, "/activities/update /read-limited openid").is_empty());
    }
}
