//! Affiliations: every file of `samples/orcid-model/affiliations/` is read into the model
//! (JSON request bodies directly, XML samples through their JSON form), request bodies
//! round-trip unchanged, and what idlink writes holds only the elements the section XSDs
//! declare, with every required one.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use super::tests_xml::{read, to_json, xsd_elements, XsdElement};
use super::*;

const DIR: &str = "orcid-model/affiliations";

fn write_json(section: AffiliationSection) -> String {
    format!("{DIR}/write-{section}-3.0.json")
}

/// The XML root element of a sample, as ORCID's JSON.
#[track_caller]
fn xml_as_json(rel: &str) -> Json {
    let text = read(rel);
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    to_json(doc.root_element())
}

#[track_caller]
fn from_xml<T: serde::de::DeserializeOwned>(rel: &str) -> T {
    serde_json::from_value(xml_as_json(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn org_id(a: &Affiliation) -> Option<(&str, &str)> {
    let d = a
        .organization
        .as_ref()?
        .disambiguated_organization
        .as_ref()?;
    Some((
        d.disambiguated_organization_identifier.as_str(),
        d.disambiguation_source.as_str(),
    ))
}

#[test]
fn sections_name_their_paths_and_keys() {
    let s = AffiliationSection::InvitedPosition;
    assert_eq!(
        (s.as_str(), s.plural(), s.summary_key()),
        (
            "invited-position",
            "invited-positions",
            "invited-position-summary"
        )
    );
    for s in AffiliationSection::ALL {
        assert_eq!(AffiliationSection::parse(s.as_str()), Some(s));
        assert_eq!(AffiliationSection::parse(s.plural()), Some(s));
        assert_eq!(
            AffiliationSection::from_summary_key(s.summary_key()),
            Some(s)
        );
        assert_eq!(serde_json::to_value(s).unwrap(), Json::from(s.as_str()));
    }
    assert_eq!(AffiliationSection::parse("funding"), None);
}

#[test]
fn employment_write_sample_reads_every_field() {
    let a: Affiliation = sample(&write_json(AffiliationSection::Employment));
    assert_eq!(
        a.department_name.as_deref(),
        Some("Primary Care Health Services")
    );
    assert_eq!(a.role_title.as_deref(), Some("Role"));
    let start = a.start_date.as_ref().expect("start");
    assert_eq!(start.parts(), [Some("2021"), Some("01"), Some("01")]);
    assert_eq!(
        a.end_date.as_ref().and_then(FuzzyDate::display).as_deref(),
        Some("2023-01-01")
    );
    assert_eq!(a.organization_name(), Some("Boston University"));
    let address = a
        .organization
        .as_ref()
        .and_then(|o| o.address.clone())
        .expect("address");
    assert_eq!(
        (
            address.city.as_deref(),
            address.region.as_deref(),
            address.country.as_deref()
        ),
        (Some("Boston"), Some("Massachusetts"), Some("US"))
    );
    assert_eq!(org_id(&a), Some(("https://ror.org/05qwgg493", "ROR")));
    assert_eq!(
        a.organization
            .as_ref()
            .unwrap()
            .disambiguated_organization
            .as_ref()
            .unwrap()
            .disambiguation_source,
        DisambiguationSource::Ror
    );
    assert_eq!(
        a.url.as_ref().map(Value::as_str),
        Some("https://example.com")
    );
    let ids = &a.external_ids.as_ref().expect("ids").external_id;
    assert_eq!(ids.len(), 3);
    assert_eq!(a.external_ids.as_ref().unwrap().self_ids().count(), 2);
    assert_eq!(
        (a.put_code, a.source.as_ref(), a.visibility.as_ref()),
        (None, None, None)
    );
}

#[test]
fn every_json_request_body_round_trips_unchanged() {
    for section in AffiliationSection::ALL {
        let rel = write_json(section);
        let original: Json = sample(&rel);
        let a: Affiliation = sample(&rel);
        assert!(a.organization_name().is_some(), "{rel}");
        assert_eq!(
            serde_json::to_value(a.for_create()).unwrap(),
            original,
            "{rel}"
        );
    }
}

#[test]
fn every_xml_request_body_reads_into_the_model_without_losing_a_field() {
    for section in AffiliationSection::ALL {
        let rel = format!("{DIR}/write-{section}-3.0.xml");
        let xml = xml_as_json(&rel);
        let a: Affiliation = from_xml(&rel);
        assert_eq!(
            a.department_name.as_deref(),
            Some("department-name"),
            "{rel}"
        );
        assert_eq!(a.role_title.as_deref(), Some("role-title"), "{rel}");
        assert_eq!(a.organization_name(), Some("common:name"), "{rel}");
        assert!(
            a.start_date.as_ref().and_then(FuzzyDate::display).is_some(),
            "{rel}"
        );
        // Every element of the XML body comes back out of the model.
        let written = serde_json::to_value(a.for_create()).unwrap();
        let keys = |v: &Json| {
            v.as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<BTreeSet<_>>()
        };
        assert_eq!(keys(&written), keys(&xml), "{rel}");
        assert_eq!(
            keys(&written["organization"]),
            keys(&xml["organization"]),
            "{rel}"
        );
    }
}

#[test]
fn every_xml_read_of_one_item_parses_with_its_values() {
    for section in AffiliationSection::ALL {
        let mut files = vec![format!("{DIR}/read-{section}-3.0.xml")];
        if section.needs_disambiguated_org() {
            files.push(format!("{DIR}/read-{section}-full-3.0.xml"));
        }
        for rel in files {
            let a: Affiliation = from_xml(&rel);
            assert!(a.put_code.is_some(), "{rel}: put-code");
            assert!(a.visibility.is_some(), "{rel}: visibility");
            assert!(
                a.source.as_ref().and_then(Source::orcid_id).is_some(),
                "{rel}: source"
            );
            assert!(a.organization_name().is_some(), "{rel}: organisation");
            assert!(
                a.role_title
                    .as_deref()
                    .is_some_and(|r| r.contains("role-title")),
                "{rel}"
            );
            assert_eq!(
                a.start_date
                    .as_ref()
                    .and_then(FuzzyDate::display)
                    .as_deref(),
                Some("1948-02-02"),
                "{rel}"
            );
            // What idlink would send back holds none of the server's fields.
            let written = serde_json::to_value(a.for_write()).unwrap();
            for key in ["source", "visibility", "path", "created-date"] {
                assert!(written.get(key).is_none(), "{rel}: {key}");
            }
        }
    }
    let full: Affiliation = from_xml(&format!("{DIR}/read-employment-full-3.0.xml"));
    assert_eq!(
        org_id(&full),
        Some(("https://ror.org/021nxhr62", "FUNDREF"))
    );
    assert_eq!(full.visibility.as_deref(), Some("private"));
}

#[test]
fn every_grouped_xml_read_parses_into_groups_of_its_section() {
    for section in AffiliationSection::ALL {
        let rel = format!("{DIR}/read-{}-3.0.xml", section.plural());
        let groups: AffiliationGroups = from_xml(&rel);
        assert!(!groups.affiliation_group.is_empty(), "{rel}");
        // The qualifications sample carries the employments path; only its presence is checked.
        assert!(groups.path.is_some(), "{rel}");
        for g in &groups.affiliation_group {
            assert!(g.external_ids.is_some(), "{rel}: group ids");
            assert!(!g.summaries.is_empty(), "{rel}: summaries");
        }
        for s in groups.summaries() {
            assert_eq!(s.section, section, "{rel}");
            assert!(
                s.summary.put_code.is_some() && s.summary.organization_name().is_some(),
                "{rel}"
            );
        }
        // And back to ORCID's JSON shape: `summaries: [{"employment-summary": {…}}]`.
        let json = serde_json::to_value(&groups).unwrap();
        assert!(json["affiliation-group"][0]["summaries"][0][section.summary_key()].is_object());
        let again: AffiliationGroups = serde_json::from_value(json).unwrap();
        assert_eq!(again, groups);
    }
}

#[test]
fn xml_record_without_city_or_country_reads_every_section() {
    let rel = format!("{DIR}/read-record-no-city-country-for-professional-activities-3.0.xml");
    let record = xml_as_json(&rel);
    let activities: ActivitiesSummary =
        serde_json::from_value(record["activities-summary"].clone()).expect("activities");
    for section in AffiliationSection::ALL {
        let groups = activities
            .section(section)
            .unwrap_or_else(|| panic!("{section}"));
        assert!(
            groups.summaries().all(|s| s.section == section),
            "{section}"
        );
    }
    // The 2025 schema lets an organisation of the professional activities go without a
    // city and country; the model reads such items (orcid-api.md §11).
    let without_address = activities
        .affiliations()
        .filter(|s| {
            let address = s
                .summary
                .organization
                .as_ref()
                .and_then(|o| o.address.as_ref());
            address.is_none_or(|a| a.city.is_none() && a.country.is_none())
        })
        .count();
    assert!(without_address > 0);
    assert!(activities.works.is_some());
}

#[test]
fn json_record_holds_every_affiliation_section() {
    let record: Record = sample("orcid-model/record-full-3.0.json");
    let activities = record.activities_summary.as_ref().expect("activities");
    for section in AffiliationSection::ALL {
        let groups = activities
            .section(section)
            .unwrap_or_else(|| panic!("{section}"));
        assert!(groups
            .path
            .as_deref()
            .is_some_and(|p| p.ends_with(section.plural())));
        assert!(groups.summaries().all(|s| s.section == section));
    }
    let employment = activities
        .section(AffiliationSection::Employment)
        .and_then(|g| g.summaries().next())
        .expect("an employment");
    assert_eq!(employment.summary.put_code, Some(9266));
    assert_eq!(
        employment
            .summary
            .source
            .as_ref()
            .and_then(Source::client_id),
        Some("APP-OQYKBIN9CXD9U3SH")
    );
    assert!(employment.summary.created_date.is_some());
    assert!(activities.affiliations().count() >= 7);
    // `activities` is the same document as `activities-summary`: it round-trips.
    let json = serde_json::to_value(activities).unwrap();
    let again: ActivitiesSummary = serde_json::from_value(json).unwrap();
    assert_eq!(&again, activities);
}

#[test]
fn written_affiliations_hold_only_what_the_section_xsds_declare() {
    let common_text = read("orcid-model/common-3.0.xsd");
    let common = roxmltree::Document::parse(&common_text).unwrap();
    let names = |els: &[XsdElement]| els.iter().map(|e| e.name.clone()).collect::<BTreeSet<_>>();
    let affiliation = xsd_elements(&common, "affiliation");
    let organization = xsd_elements(&common, "organization");
    let address = xsd_elements(&common, "organization-address");
    let disambiguated = xsd_elements(&common, "disambiguated-organization");
    let fuzzy = xsd_elements(&common, "fuzzy-date");
    assert!(fuzzy.iter().any(|e| e.name == "year" && e.required));
    for section in AffiliationSection::ALL {
        let xsd_text = read(&format!("{DIR}/{section}-3.0.xsd"));
        let xsd = roxmltree::Document::parse(&xsd_text).unwrap();
        let declared = |name: &str| {
            xsd.descendants()
                .find(|n| n.has_tag_name("element") && n.attribute("name") == Some(name))
                .and_then(|n| n.attribute("type"))
        };
        assert_eq!(
            declared(section.as_str()),
            Some("common:affiliation"),
            "{section}"
        );
        assert_eq!(
            declared(section.summary_key()),
            Some("common:affiliation-summary"),
            "{section}"
        );

        let a: Affiliation = sample(&write_json(section));
        let json = serde_json::to_value(a.for_create()).unwrap();
        let check = |value: &Json, els: &[XsdElement], what: &str| {
            let obj = value
                .as_object()
                .unwrap_or_else(|| panic!("{section} {what}"));
            let keys: BTreeSet<String> = obj.keys().cloned().collect();
            let allowed = names(els);
            let extra: Vec<_> = keys.difference(&allowed).collect();
            assert!(
                extra.is_empty(),
                "{section} {what}: not in the XSD: {extra:?}"
            );
            for e in els.iter().filter(|e| e.required) {
                assert!(
                    keys.contains(&e.name),
                    "{section} {what}: {} missing",
                    e.name
                );
            }
        };
        check(&json, &affiliation, "affiliation");
        check(&json["organization"], &organization, "organization");
        check(&json["organization"]["address"], &address, "address");
        check(
            &json["organization"]["disambiguated-organization"],
            &disambiguated,
            "disambiguated-organization",
        );
        check(&json["start-date"], &fuzzy, "start-date");
        check(&json["end-date"], &fuzzy, "end-date");
    }
}

#[test]
fn a_minimal_affiliation_is_written_without_nulls() {
    let a = Affiliation {
        put_code: Some(12),
        source: Some(Source::default()),
        visibility: Some("public".into()),
        display_index: Some("0".into()),
        role_title: Some("Lecturer".into()),
        organization: Some(Organization {
            name: "Example University".into(),
            address: Some(OrganizationAddress {
                city: Some("Dunedin".into()),
                region: None,
                country: Some("NZ".into()),
            }),
            disambiguated_organization: Some(DisambiguatedOrganization {
                disambiguated_organization_identifier: "https://ror.org/01jmxt844".into(),
                disambiguation_source: DisambiguationSource::Ror,
            }),
        }),
        start_date: Some(FuzzyDate::new("2020", Some("02"), None)),
        ..Affiliation::default()
    };
    assert_eq!(
        serde_json::to_value(a.for_write()).unwrap(),
        serde_json::json!({
            "put-code": 12,
            "role-title": "Lecturer",
            "start-date": {"year": {"value": "2020"}, "month": {"value": "02"}},
            "organization": {
                "name": "Example University",
                "address": {"city": "Dunedin", "country": "NZ"},
                "disambiguated-organization": {
                    "disambiguated-organization-identifier": "https://ror.org/01jmxt844",
                    "disambiguation-source": "ROR"
                }
            }
        })
    );
    assert!(serde_json::to_value(a.for_create())
        .unwrap()
        .get("put-code")
        .is_none());
}

#[test]
fn unknown_disambiguation_sources_are_kept_as_read() {
    let d: DisambiguatedOrganization = serde_json::from_value(serde_json::json!({
        "disambiguated-organization-identifier": "0000 0004 1936 7558",
        "disambiguation-source": "ISNI"
    }))
    .unwrap();
    assert_eq!(
        d.disambiguation_source,
        DisambiguationSource::Other("ISNI".into())
    );
    assert_eq!(
        serde_json::to_value(&d).unwrap()["disambiguation-source"],
        "ISNI"
    );
    assert_eq!(
        DisambiguationSource::from("ringgold".to_string()),
        DisambiguationSource::Ringgold
    );
}
