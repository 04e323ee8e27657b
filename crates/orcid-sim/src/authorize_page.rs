//! The authorize page itself: what it shows, what it pre-selects and pre-fills, and how
//! the person's choice of test researcher is checked.

use askama::Template;

use super::pages::html_lang;
use super::params::{describe_scope, param, AuthorizeRequest};
use super::state::{Session, State as Registry};
use super::Inner;
use orcid::OrcidId;

/// Form fields of the page itself; every other parameter is carried as a hidden input.
const FORM_FIELDS: [&str; 6] = [
    "orcid",
    "given_names",
    "family_name",
    "email",
    "decision",
    "csrf_token",
];
const NEW_RESEARCHER: &str = "new";
const MAX_NAME: usize = 100;

pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub(crate) struct Hidden {
    pub name: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "mock_orcid/authorize.html")]
pub(crate) struct AuthorizePage {
    lang: String,
    base_path: String,
    title: String,
    client_name: String,
    scopes: Vec<&'static str>,
    signed_in: Option<String>,
    researchers: Vec<Choice>,
    new_checked: bool,
    given_names: String,
    family_name: String,
    email: String,
    hidden: Vec<Hidden>,
    csrf: String,
    error: Option<String>,
}

/// What the person typed or picked, when the page is shown again after a POST.
#[derive(Default)]
pub(crate) struct FormInput {
    selection: Option<String>,
    given_names: String,
    family_name: String,
    email: String,
}

impl FormInput {
    pub(crate) fn from_pairs(pairs: &[(String, String)]) -> Self {
        let get = |k| param(pairs, k).unwrap_or_default().to_owned();
        FormInput {
            selection: param(pairs, "orcid").map(str::to_owned),
            given_names: get("given_names"),
            family_name: get("family_name"),
            email: get("email"),
        }
    }
}

/// The researcher the person picked, creating a new one if asked. Err: what to tell them.
pub(crate) fn sign_in(st: &mut Registry, input: &FormInput) -> Result<OrcidId, String> {
    match input.selection.as_deref() {
        None => Err("Choose a test researcher to sign in as, or create a new one.".into()),
        Some(NEW_RESEARCHER) => {
            let given = input.given_names.trim();
            let family = input.family_name.trim();
            let email = input.email.trim();
            if given.is_empty() || family.is_empty() {
                return Err(
                    "To create a test researcher, enter both given names and a family name.".into(),
                );
            }
            let bad_text =
                |s: &str| s.chars().count() > MAX_NAME || s.chars().any(char::is_control);
            if bad_text(given) || bad_text(family) {
                return Err(format!(
                    "Names can have at most {MAX_NAME} characters and no control characters."
                ));
            }
            if !email.is_empty() {
                let plausible = email.len() <= 254
                    && email
                        .split_once('@')
                        .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
                    && !email.chars().any(|c| c.is_whitespace() || c.is_control());
                if !plausible {
                    return Err(
                        "Enter an email address like name@example.org, or leave it empty.".into(),
                    );
                }
                if st.researcher_by_email(email).is_some() {
                    return Err("A test researcher already uses this email address; sign in as them instead.".into());
                }
            }
            let email = (!email.is_empty()).then(|| email.to_owned());
            Ok(st.add_researcher(given, family, email))
        }
        Some(raw) => OrcidId::parse(raw)
            .ok()
            .filter(|id| st.researcher(id).is_some())
            .ok_or_else(|| "That test researcher does not exist; choose another one.".into()),
    }
}

/// Assembles the page; `input` is set when showing it again after a POST.
pub(crate) fn build_page(
    inner: &Inner,
    st: &Registry,
    req: &AuthorizeRequest,
    pairs: &[(String, String)],
    session: &Session,
    input: Option<&FormInput>,
    error: Option<String>,
) -> AuthorizePage {
    let session_researcher = session
        .researcher
        .filter(|_| !req.prompt_is("login"))
        .and_then(|id| st.researcher(&id));
    let query_email = param(pairs, "email");
    let by_email = query_email.and_then(|e| st.researcher_by_email(e));
    let selection: Option<String> = match input {
        Some(i) => i.selection.clone(),
        None => param(pairs, "orcid")
            .and_then(|raw| OrcidId::parse(raw).ok())
            .filter(|id| st.researcher(id).is_some())
            .or(by_email.map(|r| r.orcid))
            .or(session_researcher.map(|r| r.orcid))
            .map(|id| id.to_string())
            .or_else(|| {
                (param(pairs, "show_login") == Some("false")).then(|| NEW_RESEARCHER.to_owned())
            }),
    };
    let researchers = st
        .researchers
        .iter()
        .map(|r| {
            let value = r.orcid.to_string();
            Choice {
                checked: selection.as_deref() == Some(value.as_str()),
                label: format!("{} ({})", r.display_name(), value),
                value,
            }
        })
        .collect();
    let prefill = |k: &str| param(pairs, k).unwrap_or_default().to_owned();
    let (given_names, family_name, email) = match input {
        Some(i) => (
            i.given_names.clone(),
            i.family_name.clone(),
            i.email.clone(),
        ),
        None => (
            prefill("given_names"),
            prefill("family_names"),
            if by_email.is_some() {
                String::new()
            } else {
                prefill("email")
            },
        ),
    };
    let hidden = pairs
        .iter()
        .filter(|(k, _)| !FORM_FIELDS.contains(&k.as_str()))
        .map(|(k, v)| Hidden {
            name: k.clone(),
            value: v.clone(),
        })
        .collect();
    let mut scopes: Vec<&'static str> = Vec::new();
    for words in req.scopes.iter().map(|s| describe_scope(s)) {
        if !scopes.contains(&words) {
            scopes.push(words);
        }
    }
    AuthorizePage {
        lang: html_lang(param(pairs, "lang")),
        base_path: inner.base_path.clone(),
        title: format!("Authorize {}", req.client_name),
        client_name: req.client_name.clone(),
        scopes,
        signed_in: session_researcher.map(|r| format!("{} ({})", r.display_name(), r.orcid)),
        researchers,
        new_checked: selection.as_deref() == Some(NEW_RESEARCHER),
        given_names,
        family_name,
        email,
        hidden,
        csrf: session.csrf.clone(),
        error,
    }
}
