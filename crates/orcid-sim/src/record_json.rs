//! `GET /v3.0/{orcid}/record` and `/person`, in the shape of `kbase-orcidlink/profile.json`
//! and `derived/person-from-record-full-3.0.json`: a name, an email where the caller may
//! see it, empty sections elsewhere, and the works and affiliations in `activities-summary`.

use serde::Serialize;

use orcid::model::{AffiliationGroups, AffiliationSection};
use orcid::OrcidId;

use super::state::Researcher;
use super::works_json::{Links, Millis, SourceOut, Works};
use super::works_model::{IdRef, Val};

/// When the simulation's researchers "registered" (2020-01-01T00:00:00Z).
const REGISTERED_MS: u64 = 1_577_836_800_000;

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Name {
    created_date: Millis,
    last_modified_date: Millis,
    given_names: Option<Val>,
    family_name: Option<Val>,
    credit_name: Option<Val>,
    source: Option<SourceOut>,
    visibility: &'static str,
    path: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Email {
    created_date: Millis,
    last_modified_date: Millis,
    source: EmailSource,
    email: String,
    path: Option<String>,
    visibility: &'static str,
    verified: bool,
    primary: bool,
    put_code: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct EmailSource {
    source_orcid: IdRef,
    source_client_id: Option<IdRef>,
    source_name: Val,
    assertion_origin_orcid: Option<IdRef>,
    assertion_origin_client_id: Option<IdRef>,
    assertion_origin_name: Option<Val>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Emails {
    last_modified_date: Option<Millis>,
    email: Vec<Email>,
    path: String,
}

/// An empty person section: `{"last-modified-date":null,"<items>":[],"path":…}`.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Empty {
    last_modified_date: Option<Millis>,
    #[serde(flatten)]
    items: std::collections::BTreeMap<&'static str, [(); 0]>,
    path: String,
}

fn empty(items: &'static str, path: String) -> Empty {
    Empty {
        last_modified_date: None,
        items: [(items, [])].into_iter().collect(),
        path,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Person {
    last_modified_date: Millis,
    name: Name,
    other_names: Empty,
    biography: Option<()>,
    researcher_urls: Empty,
    emails: Emails,
    addresses: Empty,
    keywords: Empty,
    external_identifiers: Empty,
    path: String,
}

/// The email section, also the body of `GET /v3.0/{orcid}/email`: a public address to
/// anyone, a limited one only when `show_limited` (the caller may read limited items).
pub(crate) fn emails(links: &Links, r: &Researcher, show_limited: bool) -> Emails {
    let id = &r.orcid;
    let at = Millis {
        value: REGISTERED_MS,
    };
    let email: Vec<Email> = r
        .email
        .iter()
        .filter(|_| show_limited || r.email_public)
        .map(|e| Email {
            created_date: at,
            last_modified_date: at,
            source: EmailSource {
                source_orcid: links.orcid_ref(id),
                source_client_id: None,
                source_name: Val::new(r.display_name()),
                assertion_origin_orcid: None,
                assertion_origin_client_id: None,
                assertion_origin_name: None,
            },
            email: e.clone(),
            path: None,
            visibility: if r.email_public { "public" } else { "limited" },
            verified: true,
            primary: true,
            put_code: None,
        })
        .collect();
    Emails {
        last_modified_date: (!email.is_empty()).then_some(at),
        email,
        path: format!("/{id}/email"),
    }
}

/// The person section. `show_email`: the caller may read limited items.
pub(crate) fn person(links: &Links, r: &Researcher, show_email: bool) -> Person {
    let id = &r.orcid;
    let at = Millis {
        value: REGISTERED_MS,
    };
    let non_empty = |s: &str| (!s.is_empty()).then(|| Val::new(s));
    Person {
        last_modified_date: at,
        name: Name {
            created_date: at,
            last_modified_date: at,
            given_names: non_empty(&r.given_names),
            family_name: non_empty(&r.family_name),
            credit_name: non_empty(&r.display_name()),
            source: None,
            visibility: "public",
            path: id.to_string(),
        },
        other_names: empty("other-name", format!("/{id}/other-names")),
        biography: None,
        researcher_urls: empty("researcher-url", format!("/{id}/researcher-urls")),
        emails: emails(links, r, show_email),
        addresses: empty("address", format!("/{id}/address")),
        keywords: empty("keyword", format!("/{id}/keywords")),
        external_identifiers: empty("external-identifier", format!("/{id}/external-identifiers")),
        path: format!("/{id}/person"),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct History {
    creation_method: &'static str,
    completion_date: Option<Millis>,
    submission_date: Millis,
    last_modified_date: Millis,
    claimed: bool,
    source: Option<()>,
    deactivation_date: Option<Millis>,
    verified_email: bool,
    verified_primary_email: bool,
}

/// `activities-summary`, also the body of `GET /v3.0/{orcid}/activities`: the works and
/// the seven affiliation sections; fundings, peer reviews and research resources are empty.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Activities<'a> {
    last_modified_date: Option<Millis>,
    distinctions: AffiliationGroups,
    educations: AffiliationGroups,
    employments: AffiliationGroups,
    fundings: Empty,
    invited_positions: AffiliationGroups,
    memberships: AffiliationGroups,
    peer_reviews: Empty,
    qualifications: AffiliationGroups,
    research_resources: Empty,
    services: AffiliationGroups,
    works: Works<'a>,
    path: String,
}

/// The activities of `id`: its works list and `section`'s groups for each affiliation
/// section; `modified` is the latest change among them.
pub(crate) fn activities<'a>(
    id: &OrcidId,
    works: Works<'a>,
    modified: Option<u64>,
    mut section: impl FnMut(AffiliationSection) -> AffiliationGroups,
) -> Activities<'a> {
    let grp = |name: &str| empty("group", format!("/{id}/{name}"));
    Activities {
        last_modified_date: modified.map(|value| Millis { value }),
        distinctions: section(AffiliationSection::Distinction),
        educations: section(AffiliationSection::Education),
        employments: section(AffiliationSection::Employment),
        fundings: grp("fundings"),
        invited_positions: section(AffiliationSection::InvitedPosition),
        memberships: section(AffiliationSection::Membership),
        peer_reviews: grp("peer-reviews"),
        qualifications: section(AffiliationSection::Qualification),
        research_resources: grp("research-resources"),
        services: section(AffiliationSection::Service),
        works,
        path: format!("/{id}/activities"),
    }
}

#[derive(Serialize)]
struct Preferences {
    locale: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Record<'a> {
    orcid_identifier: IdRef,
    preferences: Preferences,
    history: History,
    person: Person,
    activities_summary: Activities<'a>,
    path: String,
}

pub(crate) fn record<'a>(
    links: &Links,
    r: &Researcher,
    show_email: bool,
    activities: Activities<'a>,
) -> Record<'a> {
    let id = &r.orcid;
    let modified = Millis {
        value: activities
            .last_modified_date
            .map_or(REGISTERED_MS, |m| m.value)
            .max(REGISTERED_MS),
    };
    Record {
        orcid_identifier: links.orcid_ref(id),
        preferences: Preferences { locale: "en" },
        history: History {
            creation_method: "DIRECT",
            completion_date: None,
            submission_date: Millis {
                value: REGISTERED_MS,
            },
            last_modified_date: modified,
            claimed: true,
            source: None,
            deactivation_date: None,
            verified_email: true,
            verified_primary_email: true,
        },
        person: person(links, r, show_email),
        activities_summary: activities,
        path: format!("/{id}"),
    }
}
