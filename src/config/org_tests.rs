use super::*;

fn input<'a>(pairs: &[(&str, &'a str)]) -> OrgInput<'a> {
    let get = |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
    OrgInput {
        name: get("name"),
        city: get("city"),
        region: get("region"),
        country: get("country"),
        ror: get("ror"),
        ringgold: get("ringgold"),
    }
}

fn complete<'a>() -> Vec<(&'static str, &'a str)> {
    vec![
        ("city", "Wellington"),
        ("country", "nz"),
        ("ror", "05qwgg493"),
    ]
}

#[test]
fn a_complete_organisation_is_normalised_and_writable() {
    let org = input(&complete()).resolve("Example University").unwrap();
    assert!(org.missing.is_empty());
    let w = org.writable().expect("writable");
    assert_eq!(
        w.name, "Example University",
        "ORG_NAME defaults to INSTITUTION_NAME"
    );
    let address = w.address.as_ref().unwrap();
    assert_eq!(address.country.as_deref(), Some("NZ"));
    let id = w.disambiguated_organization.as_ref().unwrap();
    assert_eq!(
        id.disambiguated_organization_identifier,
        "https://ror.org/05qwgg493"
    );
    assert_eq!(id.disambiguation_source, DisambiguationSource::Ror);
}

#[test]
fn ror_is_preferred_over_ringgold() {
    let mut both = complete();
    both.push(("ringgold", "385123"));
    let org = input(&both).resolve("X").unwrap();
    let id = org.known.disambiguated_organization.unwrap();
    assert_eq!(id.disambiguation_source, DisambiguationSource::Ror);
    let ringgold_only = input(&[
        ("city", "Auckland"),
        ("country", "NZ"),
        ("ringgold", "385123"),
    ])
    .resolve("X")
    .unwrap();
    let id = ringgold_only
        .writable()
        .unwrap()
        .disambiguated_organization
        .clone()
        .unwrap();
    assert_eq!(id.disambiguation_source, DisambiguationSource::Ringgold);
    assert_eq!(id.disambiguated_organization_identifier, "385123");
}

#[test]
fn missing_city_country_or_id_is_named_and_stops_writes_only() {
    for (left_out, setting) in [
        ("city", "ORG_CITY"),
        ("country", "ORG_COUNTRY"),
        ("ror", "ORG_ROR or ORG_RINGGOLD"),
    ] {
        let pairs: Vec<_> = complete()
            .into_iter()
            .filter(|(k, _)| *k != left_out)
            .collect();
        let org = input(&pairs).resolve("X").expect("idlink still starts");
        assert_eq!(org.missing, [setting]);
        assert!(org.writable().is_none());
        let message = org.missing_message().unwrap();
        assert!(message.contains(setting), "{message}");
    }
    let none = input(&[("city", "  ")]).resolve("X").unwrap();
    assert_eq!(
        none.missing,
        ["ORG_CITY", "ORG_COUNTRY", "ORG_ROR or ORG_RINGGOLD"],
        "blank values count as unset"
    );
}

#[test]
fn a_bad_ror_checksum_is_refused_at_start() {
    let mut pairs = complete();
    pairs.retain(|(k, _)| *k != "ror");
    pairs.push(("ror", "https://ror.org/05qwgg494"));
    let e = input(&pairs).resolve("X").unwrap_err();
    assert!(e.contains("ORG_ROR") && e.contains("checksum"), "{e}");
}

#[test]
fn a_bad_country_or_ringgold_is_refused_at_start() {
    for bad in ["XX", "NZL", "New Zealand"] {
        let mut pairs = complete();
        pairs.retain(|(k, _)| *k != "country");
        pairs.push(("country", bad));
        let e = input(&pairs).resolve("X").unwrap_err();
        assert!(e.contains("ORG_COUNTRY") && e.contains("ISO 3166-1"), "{e}");
    }
    let e = input(&[("ringgold", "RG-1")]).resolve("X").unwrap_err();
    assert!(e.contains("ORG_RINGGOLD"), "{e}");
}

#[test]
fn demo_mode_fills_in_the_demo_institution_only_when_nothing_is_given() {
    let demo = input(&[])
        .or_demo(true)
        .resolve("Your institution")
        .unwrap();
    assert!(demo.missing.is_empty());
    assert_eq!(demo.known.name, DEMO_ORG_NAME);
    let own = input(&[("city", "Dunedin")])
        .or_demo(true)
        .resolve("X")
        .unwrap();
    assert_eq!(own.missing, ["ORG_COUNTRY", "ORG_ROR or ORG_RINGGOLD"]);
    let off = input(&[]).or_demo(false).resolve("X").unwrap();
    assert_eq!(off.missing.len(), 3);
}

/// The demo institution is the one the simulated ORCID seeds employments at.
#[test]
fn demo_organisation_matches_the_simulator() {
    assert_eq!(DEMO_ORG_NAME, orcid_sim::DEMO_ORG_NAME);
    assert_eq!(DEMO_ORG_CITY, orcid_sim::DEMO_ORG_CITY);
    assert_eq!(DEMO_ORG_COUNTRY, orcid_sim::DEMO_ORG_COUNTRY);
    assert_eq!(DEMO_ORG_ROR, orcid_sim::DEMO_ORG_ROR);
}

#[test]
fn form_sections_are_checked_and_kept_in_the_order_given() {
    use orcid::model::AffiliationSection::{Education, Employment, InvitedPosition};
    assert_eq!(
        super::form_sections("employment,education").unwrap(),
        [Employment, Education]
    );
    assert_eq!(
        super::form_sections(" Invited-Position , employment,employment").unwrap(),
        [InvitedPosition, Employment]
    );
    assert!(super::form_sections("").unwrap().is_empty());
    let e = super::form_sections("employment,job").unwrap_err();
    assert!(
        e.contains("AFFILIATION_FORM_SECTIONS") && e.contains("\"job\""),
        "{e}"
    );
}
