//! Full works: every work sample parses with its real values, and what idlink writes holds
//! only the properties ORCID accepts.

use serde_json::{json, Value as Json};

use super::*;
use crate::OrcidId;

fn text(v: &Option<Value<String>>) -> Option<&str> {
    v.as_ref().map(Value::as_str)
}

#[test]
fn work_full_write_sample_reads_every_field() {
    let w: Work = sample("orcid-model/work-full-3.0.json");
    let title = w.title.as_ref().expect("title");
    assert_eq!(w.title_text(), Some("Work Title"));
    assert_eq!(text(&title.subtitle), Some("Work subtitle"));
    let tt = title.translated_title.as_ref().expect("translated title");
    assert_eq!(
        (tt.value.as_str(), tt.language_code.as_deref()),
        ("Translated-title English", Some("en"))
    );
    assert_eq!(text(&w.journal_title), Some("Journal title"));
    assert_eq!(
        w.short_description.as_deref(),
        Some("This is a short description of the work.")
    );
    let citation = w.citation.as_ref().expect("citation");
    assert_eq!(citation.citation_type.as_deref(), Some("bibtex"));
    assert!(citation
        .citation_value
        .as_deref()
        .unwrap()
        .contains("@article {ORCID2012"));
    assert_eq!(w.work_type, "journal-article");
    let date = w.publication_date.as_ref().expect("date");
    assert_eq!(date.display().as_deref(), Some("2022-05-24"));
    let ids = &w.external_ids.as_ref().expect("ids").external_id;
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0].external_id_type, "doi");
    assert_eq!(ids[0].external_id_value, "10.1187/20120402");
    assert_eq!(ids[0].external_id_relationship.as_deref(), Some("part-of"));
    assert_eq!(
        text(&ids[0].external_id_url),
        Some("https://doi.org/10.1087/20120404")
    );
    assert!(ids[1].is_self() && ids[1].external_id_value == "work:doi");
    assert_eq!(text(&w.url), Some("https://example.com"));
    let people = &w.contributors.as_ref().expect("contributors").contributor;
    assert_eq!(people.len(), 2);
    let first = &people[0];
    assert_eq!(first.name(), Some("Jordan"));
    assert_eq!(
        first
            .contributor_orcid
            .as_ref()
            .and_then(OrcidIdentifier::orcid_id),
        Some(OrcidId::parse("0000-0002-5391-5437").unwrap())
    );
    assert_eq!(text(&first.contributor_email), Some("example@example.com"));
    let attrs = first.contributor_attributes.as_ref().expect("attributes");
    assert_eq!(attrs.contributor_sequence.as_deref(), Some("first"));
    assert_eq!(attrs.contributor_role.as_deref(), Some("author"));
    let fran = people[1]
        .contributor_orcid
        .as_ref()
        .and_then(OrcidIdentifier::orcid_id);
    assert_eq!(
        fran.map(|id| id.to_string()).as_deref(),
        Some("0000-0002-4325-871X")
    );
    assert_eq!(people[1].contributor_email, None);
    assert_eq!(w.language_code.as_deref(), Some("en"));
    assert_eq!(text(&w.country), Some("CA"));
    assert_eq!(
        (w.put_code, w.source.as_ref(), w.visibility.as_ref()),
        (None, None, None)
    );
}

#[test]
fn a_work_read_from_orcid_keeps_server_fields_and_transient_ids() {
    let w: Work = sample("kbase-orcidlink/work_1537385.json");
    assert_eq!(w.put_code, Some(1_537_385));
    assert_eq!(w.path.as_deref(), Some("/0000-0003-4997-3076/work/1537385"));
    assert_eq!(w.created_date, Some(Value::new(1_664_904_423_849)));
    assert_eq!(w.last_modified_date, Some(Value::new(1_664_918_958_139)));
    let source = w.source.as_ref().expect("source");
    assert_eq!(source.client_id(), Some("APP-RC3PM3KSMMV3GKWS"));
    assert!(source.is_client("APP-RC3PM3KSMMV3GKWS"));
    assert_eq!(source.name(), Some("KBase CI"));
    assert_eq!(source.orcid_id(), None);
    assert_eq!(w.title_text(), Some("book1x"));
    assert_eq!(w.work_type, "book");
    assert_eq!(w.visibility.as_deref(), Some("public"));
    assert_eq!(
        (
            w.citation.as_ref(),
            w.language_code.as_ref(),
            w.country.as_ref()
        ),
        (None, None, None)
    );
    assert!(w
        .contributors
        .as_ref()
        .expect("contributors")
        .contributor
        .is_empty());
    let id = &w.external_ids.as_ref().expect("ids").external_id[0];
    assert_eq!(id.external_id_normalized, None);
    let err = id.external_id_normalized_error.as_ref().expect("8001");
    assert_eq!(err.error_code.as_deref(), Some("8001"));
    assert_eq!(
        err.error_message.as_deref(),
        Some("Cannot normalize identifier value doi:book1")
    );
    assert!(err.transient);
    assert_eq!(id.normalized(), None, "ORCID could not normalise it either");
}

#[test]
fn niso_roles_sample_has_51_contributors_with_credit_roles() {
    let w: Work = sample("orcid-model/work-with-NISO-roles-51-contributors-3.0.json");
    let people = &w.contributors.as_ref().expect("contributors").contributor;
    assert_eq!(people.len(), 51);
    let role = |c: &Contributor| {
        c.contributor_attributes
            .clone()
            .unwrap()
            .contributor_role
            .unwrap()
    };
    assert_eq!(
        role(&people[0]),
        "http://credit.niso.org/contributor-roles/writing-review-editing/"
    );
    let credit = people
        .iter()
        .filter(|c| role(c).starts_with("http://credit.niso.org/"))
        .count();
    assert_eq!(credit, 14);
    assert!(people.iter().all(|c| c
        .contributor_orcid
        .as_ref()
        .and_then(OrcidIdentifier::orcid_id)
        .is_some()));
    assert_eq!(people[50].name(), Some("Amalia"));
    // An explicit `"external-id-normalized-error": null` is accepted.
    assert_eq!(
        w.external_ids.unwrap().external_id[1].external_id_normalized_error,
        None
    );
}

/// Every key of every object, at any depth.
fn walk<'a>(v: &'a Json, out: &mut Vec<(&'a str, &'a Json)>) {
    match v {
        Json::Object(map) => map.iter().for_each(|(k, v)| {
            out.push((k.as_str(), v));
            walk(v, out);
        }),
        Json::Array(items) => items.iter().for_each(|v| walk(v, out)),
        _ => {}
    }
}

#[track_caller]
fn assert_writable(work: &Work) {
    let written = work.for_write();
    let json = serde_json::to_value(&written).expect("serialise");
    for key in json.as_object().expect("object").keys() {
        assert!(
            WORK_PROPERTIES.contains(&key.as_str()),
            "unknown property {key}"
        );
    }
    for server_set in [
        "source",
        "created-date",
        "last-modified-date",
        "path",
        "visibility",
    ] {
        assert!(json.get(server_set).is_none(), "{server_set} is server-set");
    }
    let mut all = Vec::new();
    walk(&json, &mut all);
    for (key, value) in all {
        assert!(!value.is_null(), "{key} is null");
        assert!(
            !matches!(
                key,
                "contributor-email" | "external-id-normalized" | "external-id-normalized-error"
            ),
            "{key} must not be sent"
        );
    }
    assert_eq!(
        json["put-code"].as_i64(),
        work.put_code,
        "put-code is kept for a PUT"
    );
    let back: Work = serde_json::from_value(json).expect("parse back");
    assert_eq!(back, written);
    assert_eq!(written.for_write(), written, "for_write is idempotent");
}

#[test]
fn for_write_sends_only_what_orcid_accepts() {
    assert_writable(&sample("orcid-model/work-full-3.0.json"));
    assert_writable(&sample(
        "orcid-model/work-with-NISO-roles-51-contributors-3.0.json",
    ));
    assert_writable(&sample("kbase-orcidlink/work_1537385.json"));
    let bulk: BulkResponse = sample("kbase-orcidlink/work_1487805.json");
    assert_writable(bulk.bulk[0].work().expect("work"));
    for file in ["bulk-work-3.0.json", "bulk-works-3-works-3.0.json"] {
        let req: BulkRequest = sample(&format!("orcid-model/{file}"));
        req.bulk.iter().for_each(|b| assert_writable(&b.work));
    }
}

#[test]
fn for_write_drops_empty_contributor_ids_and_for_create_the_put_code() {
    let bulk: BulkResponse = sample("kbase-orcidlink/work_1487805.json");
    let work = bulk.bulk[0].work().expect("work");
    let read = &work.contributors.as_ref().unwrap().contributor;
    assert!(read[0].contributor_orcid.as_ref().unwrap().is_empty());
    let written = work.for_write();
    let people = &written.contributors.as_ref().unwrap().contributor;
    assert_eq!(people.len(), 6);
    assert_eq!(people[0].contributor_orcid, None);
    assert_eq!(people[0].name(), Some("Foo Fox"));
    assert!(
        people[1].contributor_orcid.is_some(),
        "a non-empty reference is kept as sent"
    );
    assert_eq!(written.put_code, Some(1_487_805));
    assert_eq!(work.for_create().put_code, None);
}

#[test]
fn work_properties_match_orcid_9047_message() {
    let err: OrcidErrorBody = sample("kbase-orcidlink/put_work_error.json");
    let msg = err.developer_message.expect("developer message");
    let list = msg
        .split("17 known properties: ")
        .nth(1)
        .and_then(|s| s.split(']').next())
        .unwrap();
    let mut known: Vec<&str> = list.split(", ").map(|s| s.trim_matches('"')).collect();
    known.sort_unstable();
    let mut ours = WORK_PROPERTIES.to_vec();
    ours.sort_unstable();
    assert_eq!(known, ours);
}

#[test]
fn a_new_work_serialises_exactly() {
    let id = OrcidId::parse("0000-0002-1825-0097").unwrap();
    let work = Work {
        title: Some(WorkTitle::new("On ORCID")),
        work_type: "journal-article".into(),
        publication_date: Some(PublicationDate {
            year: Some(Value::new("2024".into())),
            ..PublicationDate::default()
        }),
        external_ids: Some(ExternalIds {
            external_id: vec![ExternalId::new("doi", "10.1234/abc", "self")],
        }),
        contributors: Some(Contributors {
            contributor: vec![Contributor {
                contributor_orcid: Some(OrcidIdentifier::from_id(&id, "orcid.org")),
                credit_name: Some(Value::new("Josiah Carberry".into())),
                contributor_email: Some(Value::new("j@example.org".into())),
                contributor_attributes: None,
            }],
        }),
        ..Work::default()
    };
    let expected = json!({
        "title": {"title": {"value": "On ORCID"}},
        "type": "journal-article",
        "publication-date": {"year": {"value": "2024"}},
        "external-ids": {"external-id": [{"external-id-type": "doi",
            "external-id-value": "10.1234/abc", "external-id-relationship": "self"}]},
        "contributors": {"contributor": [{"contributor-orcid": {
            "uri": "https://orcid.org/0000-0002-1825-0097", "path": "0000-0002-1825-0097",
            "host": "orcid.org"}, "credit-name": {"value": "Josiah Carberry"}}]}
    });
    assert_eq!(serde_json::to_value(work.for_create()).unwrap(), expected);
}

#[test]
fn reading_accepts_nulls_bare_values_and_unknown_fields() {
    let nulls = json!({
        "created-date": null, "last-modified-date": {"value": null}, "source": null,
        "put-code": null, "path": null, "title": {"title": null, "subtitle": null,
        "translated-title": null}, "journal-title": {"value": null}, "short-description": null,
        "citation": {"citation-type": null, "citation-value": null}, "type": null,
        "publication-date": {"year": null, "month": null, "day": null},
        "external-ids": {"external-id": null}, "url": null, "contributors": {"contributor": null},
        "language-code": null, "country": null, "visibility": null,
        "a-field-from-2030": {"anything": [1, 2]}
    });
    let w: Work = serde_json::from_value(nulls).expect("nulls everywhere");
    assert_eq!(w.work_type, "");
    assert_eq!(
        (w.last_modified_date.clone(), w.journal_title.clone()),
        (None, None)
    );
    assert_eq!(w.title_text(), None);
    let empty: Work = serde_json::from_str("{}").expect("empty object");
    assert_eq!(empty, Work::default());
    let bare: Work =
        serde_json::from_value(json!({"url": "https://x.org", "title": {"subtitle": "Sub"}}))
            .expect("bare values");
    assert_eq!(text(&bare.url), Some("https://x.org"));
    assert_eq!(text(&bare.title.unwrap().subtitle), Some("Sub"));
    assert!(serde_json::from_value::<Value<String>>(json!({"value": null})).is_err());
}

#[test]
fn single_external_id_document() {
    let id: ExternalId = sample("kbase-orcidlink/external_id.json");
    assert_eq!(id.external_id_type, "doi");
    assert_eq!(
        id.external_id_normalized
            .as_ref()
            .map(|n| (n.value.as_str(), n.transient)),
        Some(("10.25982/1668075", true))
    );
    assert_eq!(id.normalized().as_deref(), Some("10.25982/1668075"));
    assert_eq!(
        id.link().as_deref(),
        Some("https://doi.org/10.25982/1668075")
    );
    let no_url = ExternalId::new("pmid", "PMID: 12345", "self");
    assert_eq!(
        no_url.link().as_deref(),
        Some("https://pubmed.ncbi.nlm.nih.gov/12345")
    );
}
