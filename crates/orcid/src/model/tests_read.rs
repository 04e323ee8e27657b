//! Read-side documents: works summaries, records, person, bulk answers and error bodies,
//! each parsed from a real sample and checked for real values.

use serde_json::json;

use super::*;
use crate::errors::OAuthErrorBody;

#[test]
fn works_summary_from_sandbox() {
    let works: Works = sample("kbase-orcidlink/works_x.json");
    assert_eq!(
        works.last_modified_date,
        Some(Value::new(1_671_119_638_386))
    );
    assert_eq!(works.path.as_deref(), Some("/0000-0003-4997-3076/works"));
    assert_eq!(works.group.len(), 6);
    let codes: Vec<i64> = works.summaries().filter_map(|s| s.put_code).collect();
    assert_eq!(
        codes,
        [1_487_805, 1_537_385, 1_547_701, 1_526_002, 1_489_307, 1_526_014, 1_591_568]
    );
    let first = &works.group[0].work_summary[0];
    assert_eq!(first.title_text(), Some("Test Publication"));
    assert_eq!(first.work_type, "online-resource");
    assert_eq!(first.display_index.as_deref(), Some("1"));
    assert_eq!(first.visibility.as_deref(), Some("public"));
    assert_eq!(
        first.path.as_deref(),
        Some("/0000-0003-4997-3076/work/1487805")
    );
    assert_eq!(
        first.journal_title.as_ref().map(Value::as_str),
        Some("KBase / LBNL / DOE")
    );
    assert_eq!(
        first
            .publication_date
            .as_ref()
            .and_then(PublicationDate::display)
            .as_deref(),
        Some("2022-07-29")
    );
    let source = first.source.as_ref().expect("source");
    assert_eq!(
        source.orcid_id().map(|i| i.to_string()).as_deref(),
        Some("0000-0003-4997-3076")
    );
    assert_eq!(
        (source.client_id(), source.name()),
        (None, Some("Erik Pearson"))
    );
    let ids = &first.external_ids.as_ref().expect("ids").external_id;
    assert_eq!(ids[1].external_id_type, "uri");
    assert_eq!(
        ids[1]
            .external_id_normalized
            .as_ref()
            .map(|n| n.value.as_str()),
        Some("http://kbase_web_services")
    );
    let shared = &works.group[4];
    assert_eq!(shared.work_summary.len(), 2, "two works share a DOI");
    let gid = &shared.external_ids.as_ref().expect("group ids").external_id[0];
    assert_eq!(gid.external_id_value, "10.25982/1668075");
    let client = shared.work_summary[1].source.as_ref().unwrap();
    assert_eq!(client.client_id(), Some("APP-RC3PM3KSMMV3GKWS"));
}

#[test]
fn works_summary_from_orcid_model_record() {
    let works: Works = sample("derived/works-summary-from-record-full-3.0.json");
    assert_eq!(works.group.len(), 1);
    let s = &works.group[0].work_summary[0];
    assert_eq!(s.put_code, Some(178_602));
    assert_eq!(s.display_index.as_deref(), Some("0"));
    let title = s.title.as_ref().unwrap();
    assert_eq!(
        title.translated_title.as_ref().map(|t| t.value.as_str()),
        Some("Translated-title")
    );
    let source = s.source.as_ref().unwrap();
    assert_eq!(
        source.name(),
        Some("Demo Org Sandbox"),
        "trailing space trimmed"
    );
    assert_eq!(source.client_id(), Some("APP-OQYKBIN9CXD9U3SH"));
    let origin = source
        .assertion_origin_orcid
        .as_ref()
        .and_then(OrcidIdentifier::orcid_id);
    assert_eq!(
        origin.map(|i| i.to_string()).as_deref(),
        Some("0000-0002-7319-2192")
    );
    assert_eq!(
        source.assertion_origin_name.as_ref().map(Value::as_str),
        Some("Three releasecandidate1")
    );
    let ids = &s.external_ids.as_ref().unwrap().external_id;
    assert_eq!(
        ids[0].external_id_relationship.as_deref(),
        Some("version-of")
    );
    assert_eq!(
        ids[1]
            .external_id_normalized_error
            .as_ref()
            .and_then(|e| e.error_code.as_deref()),
        Some("8001")
    );
}

#[test]
fn full_record_from_orcid_model() {
    let record: Record = sample("orcid-model/record-full-3.0.json");
    assert_eq!(
        record.orcid_id().map(|i| i.to_string()).as_deref(),
        Some("0000-0002-7319-2192")
    );
    assert_eq!(record.path.as_deref(), Some("/0000-0002-7319-2192"));
    let host = record
        .orcid_identifier
        .as_ref()
        .and_then(|o| o.host.as_deref());
    assert_eq!(host, Some("sandbox.orcid.org"));
    assert_eq!(
        record.display_name().as_deref(),
        Some("Three releasecandidate1")
    );
    let works = record.works().expect("works");
    assert_eq!(
        works.summaries().next().and_then(|s| s.put_code),
        Some(178_602)
    );
    let derived: Works = sample("derived/works-summary-from-record-full-3.0.json");
    assert_eq!(
        works, &derived,
        "the derived summary is this record's works"
    );
    let person = record.person.as_ref().expect("person");
    assert_eq!(person.path.as_deref(), Some("/0000-0002-7319-2192/person"));
    assert_eq!(person.biography, None);
    assert!(person.emails.as_ref().unwrap().email.is_empty());
}

#[test]
fn profile_record_from_sandbox() {
    let record: Record = sample("kbase-orcidlink/profile.json");
    assert_eq!(
        record.orcid_id().map(|i| i.to_string()).as_deref(),
        Some("0000-0003-4997-3076")
    );
    assert_eq!(
        record.display_name().as_deref(),
        Some("Erik A Pearson"),
        "credit name first"
    );
    let person = record.person.as_ref().unwrap();
    let name = person.name.as_ref().unwrap();
    assert_eq!(name.given_names.as_ref().map(Value::as_str), Some("Erik"));
    assert_eq!(
        name.family_name.as_ref().map(Value::as_str),
        Some("Pearson")
    );
    let bio = person.biography.as_ref().and_then(|b| b.content.as_deref());
    assert_eq!(bio, Some("I am a test account created by Sir Erik."));
    assert_eq!(
        person.emails.as_ref().and_then(Emails::preferred),
        Some("eaptest40@mailinator.com")
    );
    let works = record.works().expect("works");
    assert_eq!(works.group.len(), 6);
    let standalone: Works = sample("kbase-orcidlink/works_x.json");
    let codes = |w: &Works| w.summaries().map(|s| s.put_code).collect::<Vec<_>>();
    assert_eq!(
        codes(works),
        codes(&standalone),
        "same works, captured at another time"
    );
}

#[test]
fn person_and_email_documents() {
    let person: Person = sample("derived/person-from-record-full-3.0.json");
    let name = person.name.as_ref().expect("name");
    assert_eq!(name.credit_name, None);
    assert_eq!(name.display().as_deref(), Some("Three releasecandidate1"));
    assert_eq!(name.visibility.as_deref(), Some("public"));
    let emails: Emails = sample("kbase-orcidlink/email.json");
    let e = &emails.email[0];
    assert_eq!(e.email.as_deref(), Some("eaptest40@mailinator.com"));
    assert!(e.primary && e.verified);
    assert_eq!(
        e.source.as_ref().and_then(Source::name),
        Some("Erik Pearson")
    );
    let only_family = Name {
        family_name: Some(Value::new(" Curie ".into())),
        credit_name: Some(Value::new("  ".into())),
        ..Name::default()
    };
    assert_eq!(only_family.display().as_deref(), Some("Curie"));
    assert_eq!(Name::default().display(), None);
}

#[test]
fn bulk_read_with_a_work() {
    let bulk: BulkResponse = sample("kbase-orcidlink/work_1487805.json");
    assert_eq!(bulk.bulk.len(), 1);
    let work = bulk.bulk[0].work().expect("a work, not an error");
    assert_eq!(work.put_code, Some(1_487_805));
    assert_eq!(work.path, None);
    assert_eq!(work.title_text(), Some("Test Publication"));
    assert_eq!(
        work.citation
            .as_ref()
            .and_then(|c| c.citation_type.as_deref()),
        Some("bibtex")
    );
    assert_eq!(work.country.as_ref().map(Value::as_str), Some("US"));
    let ids = &work.external_ids.as_ref().unwrap().external_id;
    assert_eq!(ids.len(), 3);
    assert_eq!(
        ids[2]
            .external_id_normalized_error
            .as_ref()
            .and_then(|e| e.error_message.as_deref()),
        Some("Cannot normalize identifier value doi:123")
    );
    let people = &work.contributors.as_ref().unwrap().contributor;
    assert_eq!(
        people[0]
            .contributor_orcid
            .as_ref()
            .and_then(OrcidIdentifier::orcid_id),
        None
    );
    let bad_checksum = people[1].contributor_orcid.as_ref().unwrap();
    assert_eq!(bad_checksum.path.as_deref(), Some("1111-2222-3333-4444"));
    assert_eq!(
        bad_checksum.orcid_id(),
        None,
        "kept as read, but not a valid iD"
    );
    let erik = people[3]
        .contributor_orcid
        .as_ref()
        .and_then(OrcidIdentifier::orcid_id);
    assert_eq!(
        erik.map(|i| i.to_string()).as_deref(),
        Some("0000-0003-4997-3076")
    );
}

#[test]
fn bulk_read_with_an_error() {
    let bulk: BulkResponse = sample("kbase-orcidlink/get-works-bad-put-code.json");
    let err = bulk.bulk[0].error().expect("an error item");
    assert_eq!((err.response_code, err.error_code), (400, Some(9034)));
    assert!(err
        .developer_message
        .as_deref()
        .unwrap()
        .contains("'1487805' is not a valid put code"));
    assert_eq!(bulk.bulk[0].work(), None);
}

#[test]
fn bulk_write_bodies() {
    let two: BulkRequest = sample("orcid-model/bulk-work-3.0.json");
    let titles: Vec<_> = two.bulk.iter().map(|b| b.work.title_text()).collect();
    assert_eq!(titles, [Some("Work # 1"), Some("Work # 2")]);
    let isbn = &two.bulk[1].work.external_ids.as_ref().unwrap().external_id[0];
    assert_eq!(
        (isbn.external_id_type.as_str(), isbn.is_self()),
        ("isbn", false)
    );
    let three: BulkRequest = sample("orcid-model/bulk-works-3-works-3.0.json");
    assert_eq!(three.bulk.len(), 3);
    let w1 = &three.bulk[0].work;
    let sub = w1
        .title
        .as_ref()
        .and_then(|t| t.subtitle.as_ref())
        .map(Value::as_str);
    assert_eq!(sub, Some("Work 1 subtitle"), "bare string accepted");
    assert_eq!(
        three.bulk[1].work.url.as_ref().map(Value::as_str),
        Some("https://example.com")
    );
    let created = BulkRequest::create(three.bulk.iter().map(|b| &b.work));
    assert!(created
        .bulk
        .iter()
        .all(|b| b.work.put_code.is_none() && b.work.visibility.is_none()));
    let json = serde_json::to_value(&created).unwrap();
    assert_eq!(
        json["bulk"][0]["work"]["title"]["subtitle"],
        json!({"value": "Work 1 subtitle"})
    );
}

#[test]
fn bulk_items_serialise_in_orcid_form() {
    let items = BulkResponse {
        bulk: vec![
            BulkItem::Work(Box::new(Work {
                put_code: Some(7),
                work_type: "book".into(),
                ..Work::default()
            })),
            BulkItem::Error(OrcidErrorBody {
                response_code: 409,
                error_code: Some(9021),
                ..OrcidErrorBody::default()
            }),
        ],
    };
    let json = serde_json::to_value(&items).unwrap();
    assert_eq!(
        json,
        json!({"bulk": [{"work": {"put-code": 7, "type": "book"}},
                        {"error": {"response-code": 409, "error-code": 9021}}]})
    );
    assert_eq!(serde_json::from_value::<BulkResponse>(json).unwrap(), items);
}

#[test]
fn error_bodies() {
    let e: OrcidErrorBody = sample("kbase-orcidlink/get-profile-401-error-unauthorized.json");
    assert_eq!((e.response_code, e.error_code), (401, Some(9017)));
    assert_eq!(
        e.user_message.as_deref(),
        Some("The client application is not authorized.")
    );
    assert_eq!(
        e.more_info.as_deref(),
        Some("https://members.orcid.org/api/resources/troubleshooting")
    );
    let e: OrcidErrorBody = sample("kbase-orcidlink/get-profile-404-error.json");
    assert_eq!((e.response_code, e.error_code), (404, Some(9016)));
    let e: OrcidErrorBody = sample("kbase-orcidlink/get-profile-not-found-error.json");
    assert_eq!(
        e.user_message.as_deref(),
        Some("ORCID user profile not found")
    );
    assert!(e
        .developer_message
        .unwrap()
        .ends_with("ORCID iD 0000-0003-4997-3076x not found"));
    let e: OrcidErrorBody = sample("kbase-orcidlink/put_work_error.json");
    assert_eq!((e.response_code, e.error_code), (400, Some(9047)));
    assert!(e
        .developer_message
        .unwrap()
        .contains("Unrecognized field \"xput-code\""));
}

#[test]
fn error_body_detection_and_leniency() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/kbase-orcidlink/");
    let read = |f: &str| std::fs::read(format!("{path}{f}")).unwrap();
    let oauth = read("get-profile-401-error-invalid-token.json");
    assert_eq!(
        OrcidErrorBody::from_json(&oauth),
        None,
        "an OAuth error is not a v3.0 error"
    );
    let parsed: OAuthErrorBody = serde_json::from_slice(&oauth).unwrap();
    assert_eq!(parsed.error, "invalid_token");
    let found = OrcidErrorBody::from_json(&read("get-profile-404-error.json")).unwrap();
    assert_eq!(found.error_code, Some(9016));
    assert_eq!(OrcidErrorBody::from_json(b"<html>502</html>"), None);
    let odd: OrcidErrorBody = serde_json::from_value(
        json!({"response-code": "503", "error-code": "9008", "more-info": null}),
    )
    .unwrap();
    assert_eq!(
        (odd.response_code, odd.error_code, odd.more_info),
        (503, Some(9008), None)
    );
}
