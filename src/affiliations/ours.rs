//! Recognising the institution's own affiliations on a record: the same organisation by
//! its disambiguated id (ROR or Ringgold), or else by name and country, since other
//! sources (and researchers typing by hand) often leave the id out.

use orcid::model::{DisambiguationSource, Organization};
use orcid::ror;

use crate::store::CachedAffiliation;

/// Whether `item`'s organisation is `institution`.
pub fn is_institutions(item: &CachedAffiliation, institution: &Organization) -> bool {
    if let Some(ours) = &institution.disambiguated_organization {
        let theirs = item
            .org_id
            .as_deref()
            .zip(item.org_id_source.as_deref())
            .map(|(id, source)| (id, DisambiguationSource::from(source.to_string())));
        if let Some((id, source)) = theirs {
            if source == ours.disambiguation_source
                && same_id(&source, id, &ours.disambiguated_organization_identifier)
            {
                return true;
            }
        }
    }
    let country = institution
        .address
        .as_ref()
        .and_then(|a| a.country.as_deref());
    let same_name = fold(&item.org_name) == fold(&institution.name);
    match (country, item.org_country.as_deref()) {
        (Some(ours), Some(theirs)) => same_name && ours.eq_ignore_ascii_case(theirs.trim()),
        _ => false,
    }
}

/// ROR ids compare in their full form (ORCID has held both `0abc…` and the URL);
/// other ids as written, trimmed.
fn same_id(source: &DisambiguationSource, a: &str, b: &str) -> bool {
    match source {
        DisambiguationSource::Ror => match (ror::normalize(a), ror::normalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => a.trim().eq_ignore_ascii_case(b.trim()),
        },
        _ => a.trim() == b.trim(),
    }
}

/// A name compared without case or repeated spaces.
fn fold(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::CachedSection;
    use orcid::model::{DisambiguatedOrganization, OrganizationAddress};

    fn institution() -> Organization {
        Organization {
            name: "Example University".into(),
            address: Some(OrganizationAddress {
                city: Some("Wellington".into()),
                region: None,
                country: Some("NZ".into()),
            }),
            disambiguated_organization: Some(DisambiguatedOrganization {
                disambiguated_organization_identifier: "https://ror.org/0examp183".into(),
                disambiguation_source: DisambiguationSource::Ror,
            }),
        }
    }

    fn item(name: &str, country: Option<&str>, id: Option<(&str, &str)>) -> CachedAffiliation {
        CachedAffiliation {
            section: CachedSection::Employment,
            put_code: 1,
            group_index: 0,
            position: 0,
            org_name: name.into(),
            org_city: None,
            org_region: None,
            org_country: country.map(Into::into),
            org_id: id.map(|(i, _)| i.into()),
            org_id_source: id.map(|(_, s)| s.into()),
            department: None,
            role_title: None,
            start_year: None,
            start_month: None,
            start_day: None,
            end_year: None,
            end_month: None,
            end_day: None,
            source_name: None,
            source_client_id: None,
            visibility: None,
        }
    }

    #[test]
    fn the_same_ror_id_in_any_form_is_ours_whatever_the_name() {
        let org = institution();
        assert!(is_institutions(
            &item("Ex. Univ.", None, Some(("0examp183", "ROR"))),
            &org
        ));
        assert!(is_institutions(
            &item(
                "Ex. Univ.",
                Some("AU"),
                Some(("https://ror.org/0examp183", "ror"))
            ),
            &org
        ));
        assert!(!is_institutions(
            &item(
                "Other",
                Some("NZ"),
                Some(("https://ror.org/05qwgg493", "ROR"))
            ),
            &org
        ));
        assert!(
            !is_institutions(
                &item("Other", Some("NZ"), Some(("0examp183", "GRID"))),
                &org
            ),
            "an id from another registry is another id"
        );
    }

    #[test]
    fn without_a_shared_id_the_name_and_country_decide() {
        let org = institution();
        assert!(is_institutions(
            &item(" example  university", Some("nz"), None),
            &org
        ));
        assert!(!is_institutions(
            &item("Example University", Some("AU"), None),
            &org
        ));
        assert!(!is_institutions(
            &item("Example University", None, None),
            &org
        ));
        assert!(!is_institutions(
            &item("Example Polytechnic", Some("NZ"), None),
            &org
        ));
    }

    #[test]
    fn a_ringgold_institution_matches_its_ringgold_id() {
        let mut org = institution();
        org.disambiguated_organization = Some(DisambiguatedOrganization {
            disambiguated_organization_identifier: "385123".into(),
            disambiguation_source: DisambiguationSource::Ringgold,
        });
        assert!(is_institutions(
            &item("NIT", None, Some((" 385123", "RINGGOLD"))),
            &org
        ));
        assert!(!is_institutions(
            &item("NIT", None, Some(("385124", "RINGGOLD"))),
            &org
        ));
    }
}
