//! Unit tests of the pieces behind the works endpoints: identifier normalisation, ORCID's
//! date rules, and Jackson-style messages for bodies of the wrong shape.

use serde_json::json;

use super::ext_ids::{match_key, normalise};
use super::work_conform::conform;
use super::work_schema::WORK;
use super::work_validation::{check_work, fuzzy_date_parses, Mode};

#[test]
fn identifiers_normalise_as_orcid_does() {
    assert_eq!(
        normalise("doi", "https://doi.org/10.1087/ABC").as_deref(),
        Some("10.1087/abc")
    );
    assert_eq!(
        normalise("doi", "doi:10.5555/X.Y-1 ").as_deref(),
        Some("10.5555/x.y-1")
    );
    assert_eq!(
        normalise("doi", "10.1000.10/xyz").as_deref(),
        Some("10.1000.10/xyz")
    );
    assert_eq!(normalise("doi", "book1"), None);
    assert_eq!(normalise("doi", "work:doi"), None);
    assert_eq!(normalise("issn", "1234567x").as_deref(), Some("1234-567X"));
    assert_eq!(
        normalise("isbn", "978-3-16-148410-0").as_deref(),
        Some("9783161484100")
    );
    assert_eq!(
        normalise("pmid", "https://pubmed.ncbi.nlm.nih.gov/12345/").as_deref(),
        Some("12345")
    );
    assert_eq!(normalise("pmid", "PMID:678").as_deref(), Some("678"));
    assert_eq!(normalise("pmc", "PMC1234").as_deref(), Some("1234"));
    assert_eq!(
        normalise("arxiv", "arXiv:1501.00001v2").as_deref(),
        Some("arXiv:1501.00001v2")
    );
    assert_eq!(
        normalise("arxiv", "https://arxiv.org/abs/hep-th/9901001").as_deref(),
        Some("arXiv:hep-th/9901001")
    );
    assert_eq!(
        normalise("uri", "kbase_web_services").as_deref(),
        Some("http://kbase_web_services")
    );
    assert_eq!(
        normalise("uri", "https://Example.org/A").as_deref(),
        Some("https://Example.org/A")
    );
    assert_eq!(
        normalise("other-id", "67335/259/").as_deref(),
        Some("67335/259/")
    );
    assert_eq!(
        normalise("eid", "2-s2.0-ABC").as_deref(),
        Some("2-s2.0-abc")
    );
    // Case-sensitive types keep their case.
    assert_eq!(
        normalise("ark", "ark:/13030/TF5P").as_deref(),
        Some("ark:/13030/TF5P")
    );
    assert_eq!(
        match_key("doi", "https://doi.org/10.1/ABC"),
        match_key("doi", "10.1/abc")
    );
    assert_ne!(match_key("ark", "A"), match_key("ark", "a"));
}

#[test]
fn dates_follow_javas_fuzzy_date_formats() {
    for ok in ["2023", "2023-02", "2024-02-29", "2023-12-31", "0001"] {
        assert!(fuzzy_date_parses(ok), "{ok}");
    }
    for bad in [
        "999",
        "0000",
        "2023-2",
        "2023-13",
        "2023-00",
        "2023-02-29",
        "2023-04-31",
        "2023-01-1",
        "null-05",
        "2023-null-01",
        "abcd",
        "null",
    ] {
        assert!(!fuzzy_date_parses(bad), "{bad}");
    }
}

#[test]
fn unknown_fields_are_located_like_jacksons_messages() {
    let raw = "{\n  \"title\": {\"title\": {\"value\": \"T\"}},\n  \"type\": \"book\",\n  \"xput-code\": 1\n}";
    let value: serde_json::Value = serde_json::from_str(raw).unwrap();
    let err = conform(raw, &value, &WORK).unwrap_err();
    assert!(err.starts_with("Unrecognized field \"xput-code\" (class org.orcid.jaxb.model.v3.release.record.Work), not marked as ignorable (17 known properties: "), "{err}");
    assert!(err.contains("line: 4, column: 14]"), "{err}");

    let raw = r#"{"title": {"title": {"value": "T", "lang": "en"}}}"#;
    let value: serde_json::Value = serde_json::from_str(raw).unwrap();
    let err = conform(raw, &value, &WORK).unwrap_err();
    assert!(err.contains("(one known property: \"value\"])"), "{err}");
    assert!(err.ends_with("(through reference chain: org.orcid.jaxb.model.v3.release.record.Work[\"title\"]->org.orcid.jaxb.model.v3.release.record.WorkTitle[\"title\"]->org.orcid.jaxb.model.v3.release.common.Title[\"lang\"])"), "{err}");

    let raw = r#"{"external-ids": {"external-id": [{"external-id-type": "doi", "oops": 1}]}}"#;
    let value: serde_json::Value = serde_json::from_str(raw).unwrap();
    let err = conform(raw, &value, &WORK).unwrap_err();
    assert!(err.contains("->java.util.ArrayList[0]->org.orcid.jaxb.model.v3.release.record.ExternalID[\"oops\"])"), "{err}");

    let raw = r#"{"title": "just a string"}"#;
    let value: serde_json::Value = serde_json::from_str(raw).unwrap();
    let err = conform(raw, &value, &WORK).unwrap_err();
    assert!(err.starts_with("Cannot deserialize value of type `org.orcid.jaxb.model.v3.release.record.WorkTitle` from String value"), "{err}");
}

#[test]
fn scalars_are_coerced_and_empty_wrappers_dropped() {
    let w = json!({
        "title": {"title": {"value": "T"}, "subtitle": {"value": null}},
        "type": "book",
        "publication-date": {"year": {"value": 2021}},
        "external-ids": {"external-id": [{"external-id-type": "doi", "external-id-value": "10.1/x", "external-id-relationship": "self"}]},
        "contributors": {"contributor": [{"contributor-email": {"value": "a@b.c"}}]}
    });
    let conformed = conform(&w.to_string(), &w, &WORK).unwrap();
    assert_eq!(conformed["publication-date"]["year"]["value"], "2021");
    assert!(conformed["title"].get("subtitle").is_none());
    assert_eq!(
        conformed["contributors"]["contributor"][0]["contributor-email"],
        "a@b.c"
    );
    let checked = check_work(&conformed, Mode::Create, "Test").unwrap();
    assert_eq!(checked.data.title_text(), "T");
    assert_eq!(checked.data.ext_ids().len(), 1);
}
