//! The affiliations part of /me: the record's sections as ORCID groups them, each item
//! with the words the template shows.

use orcid::model::{AffiliationSection, FuzzyDate};

use crate::affiliations::outcome::item_words;
use crate::affiliations::{OnRecord, SectionOnRecord};
use crate::state::AppState;
use crate::store::CachedSection;

pub struct AffiliationsSection {
    /// Only sections with items, in ORCID's order.
    pub sections: Vec<SectionView>,
    /// Whether they were ever read from ORCID (the first read may have failed).
    pub read: bool,
    pub institution: String,
    /// "Add my employment at …" links, when the grant allows writes.
    pub offers: Vec<Offer>,
}

/// A link to add an affiliation in one section.
pub struct Offer {
    pub href: String,
    pub label: String,
}

/// The actions on an affiliation idlink added.
pub struct ItemActions {
    pub edit: String,
    /// None once it has an end date.
    pub end: Option<String>,
    pub delete: String,
}

pub struct SectionView {
    /// The heading's element id, e.g. `affiliations-invited-position`.
    pub id: String,
    pub heading: &'static str,
    pub groups: Vec<Vec<ItemView>>,
}

pub struct ItemView {
    pub put_code: i64,
    pub organization: String,
    /// "Wellington, NZ"; empty when ORCID has no address.
    pub place: String,
    pub department: Option<String>,
    pub role_title: Option<String>,
    /// "2019-02-01 to present", "2012-03 to 2016-11"; empty without dates.
    pub dates: String,
    /// It has an end date.
    pub ended: bool,
    pub source: String,
    /// The organisation is the institution's own.
    pub ours: bool,
    /// Edit, end and delete, for items idlink added while the grant allows writes.
    pub actions: Option<ItemActions>,
}

impl AffiliationsSection {
    /// `sections`: None when the record's affiliations were never read; `written`: the
    /// items idlink added (besides those ORCID names idlink's client as the source of);
    /// `can_write`: whether the grant allows changes.
    pub fn new(
        state: &AppState,
        sections: Option<Vec<SectionOnRecord>>,
        written: &[(CachedSection, i64)],
        can_write: bool,
    ) -> Self {
        let read = sections.is_some();
        let client_id = state.orcid.client_id();
        let institution = state.settings.institution_name.clone();
        let editable = |i: &OnRecord| {
            can_write
                && (i.item.source_client_id.as_deref() == Some(client_id)
                    || written.contains(&(i.item.section, i.item.put_code)))
        };
        let sections = sections
            .into_iter()
            .flatten()
            .map(|s| SectionView {
                id: format!("affiliations-{}", s.section.as_str()),
                heading: heading(s.section),
                groups: s
                    .groups
                    .into_iter()
                    .map(|g| {
                        g.into_iter()
                            .map(|i| {
                                let editable = editable(&i);
                                let mut view = item(i, client_id, &institution);
                                if editable {
                                    view.actions = Some(actions(s.section, &view));
                                }
                                view
                            })
                            .collect()
                    })
                    .collect(),
            })
            .collect();
        let org_name = &state.settings.org.known.name;
        let offers = if can_write {
            state
                .settings
                .affiliation_form_sections
                .iter()
                .map(|s| Offer {
                    href: format!("/me/affiliations/{s}/new"),
                    label: format!("Add my {} at {org_name}", item_words(*s)),
                })
                .collect()
        } else {
            vec![]
        };
        AffiliationsSection {
            sections,
            read,
            institution,
            offers,
        }
    }
}

fn actions(section: AffiliationSection, item: &ItemView) -> ItemActions {
    let base = format!("/me/affiliations/{section}/{}", item.put_code);
    ItemActions {
        edit: format!("{base}/edit"),
        end: (!item.ended).then(|| format!("{base}/end")),
        delete: format!("{base}/delete"),
    }
}

fn heading(section: AffiliationSection) -> &'static str {
    match section {
        AffiliationSection::Employment => "Employment",
        AffiliationSection::Education => "Education",
        AffiliationSection::Qualification => "Qualifications",
        AffiliationSection::InvitedPosition => "Invited positions",
        AffiliationSection::Distinction => "Distinctions",
        AffiliationSection::Membership => "Memberships",
        AffiliationSection::Service => "Service",
    }
}

fn item(on: OnRecord, client_id: &str, institution: &str) -> ItemView {
    let a = on.item;
    let date = |y: &Option<String>, m: &Option<String>, d: &Option<String>| {
        y.as_deref()
            .and_then(|y| FuzzyDate::new(y, m.as_deref(), d.as_deref()).display())
    };
    let start = date(&a.start_year, &a.start_month, &a.start_day);
    let end = date(&a.end_year, &a.end_month, &a.end_day);
    let ended = end.is_some();
    let dates = match (start, end) {
        (Some(s), Some(e)) => format!("{s} to {e}"),
        (Some(s), None) => format!("{s} to present"),
        (None, Some(e)) => format!("until {e}"),
        (None, None) => String::new(),
    };
    let place = [&a.org_city, &a.org_region, &a.org_country]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let source = if a.source_client_id.as_deref() == Some(client_id) {
        format!("{institution} (added with idlink)")
    } else {
        a.source_name
            .clone()
            .unwrap_or_else(|| "an unnamed source".into())
    };
    ItemView {
        put_code: a.put_code,
        organization: a.org_name,
        place,
        department: a.department,
        role_title: a.role_title,
        dates,
        source,
        ours: on.ours,
        ended,
        actions: None,
    }
}
