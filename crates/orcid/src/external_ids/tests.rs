use std::collections::HashSet;

use proptest::prelude::*;
use serde_json::Value as Json;

use super::*;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/");

fn read_json(rel: &str) -> Json {
    let text = std::fs::read_to_string(format!("{SAMPLES}{rel}")).expect("sample");
    serde_json::from_str(&text).expect("JSON")
}

#[track_caller]
fn norm(id_type: &str, value: &str, expected: Option<&str>) {
    assert_eq!(
        normalize(id_type, value).as_deref(),
        expected,
        "{id_type}: {value:?}"
    );
}

#[test]
fn table_matches_the_derived_sample() {
    let json = read_json("derived/external-id-types.json");
    let rows = json["external_id_types"].as_array().expect("rows");
    assert_eq!(rows.len(), EXTERNAL_ID_TYPES.len());
    let unique: HashSet<_> = EXTERNAL_ID_TYPES.iter().map(|t| t.id_type).collect();
    assert_eq!(unique.len(), 52);
    for row in rows {
        let t = lookup(row["type"].as_str().unwrap()).expect("type in table");
        assert_eq!(Some(t.description), row["description"].as_str());
        assert_eq!(t.resolution_prefix, row["resolution_prefix"].as_str());
        assert_eq!(Some(t.case_sensitive), row["case_sensitive"].as_bool());
    }
    let case_sensitive: HashSet<_> = EXTERNAL_ID_TYPES
        .iter()
        .filter(|t| t.case_sensitive)
        .map(|t| t.id_type)
        .collect();
    let doc = [
        "bibcode", "ethos", "ol", "uri", "rrid", "ark", "emdb", "empiar", "k10plus", "cgn",
    ];
    assert_eq!(case_sensitive, doc.into_iter().collect(), "orcid-api.md §7");
}

#[test]
fn labels_and_known_types() {
    assert_eq!(label("doi"), "DOI");
    assert_eq!(label("pmid"), "PubMed ID");
    assert_eq!(label("wosuid"), "Web of Science ID");
    assert_eq!(label("not-a-type"), "not-a-type");
    assert!(is_known_type("source-work-id") && is_known_type("arxiv"));
    assert!(!is_known_type("DOI") && !is_known_type("") && !is_known_type("url"));
    assert_eq!(
        RELATIONSHIPS,
        ["self", "part-of", "version-of", "funded-by"]
    );
}

#[test]
fn doi() {
    norm("doi", "https://doi.org/10.1087/ABC", Some("10.1087/abc"));
    norm("doi", "doi:10.1/x", Some("10.1/x"));
    norm(
        "doi",
        "10.25982/101788.79/1828290",
        Some("10.25982/101788.79/1828290"),
    );
    norm("doi", " DOI: 10.1000/XYZ123 (2020)", Some("10.1000/xyz123"));
    norm(
        "doi",
        "10.1002/(SICI)1097-4636(199606)31:2&lt;213::AID-JBM9&gt;3.0.CO;2-K",
        Some("10.1002/(sici)1097-4636(199606)31:2<213::aid-jbm9>3.0.co;2-k"),
    );
    norm("doi", "&#49;0.1234/abc", Some("10.1234/abc"));
    norm("doi", "10.1000/a&amp;amp;b", Some("10.1000/a"));
    norm("doi", "10.1000/x\"y", Some("10.1000/x"));
    norm("doi", "210.1/x", Some("10.1/x"));
    for bad in [
        "book1", "123", "work:doi", "10./x", "10.1/", "10/abc", "10.1 /x", "", "   ",
    ] {
        norm("doi", bad, None);
    }
}

#[test]
fn issn_isbn() {
    norm("issn", "1234-567x", Some("1234-567X"));
    norm("issn", "ISSN 0317-8471", Some("0317-8471"));
    norm("issn", "0317 8471", Some("0317-8471"));
    norm("issn", "03178471", Some("0317-8471"));
    norm("issn", "1234–5679", Some("1234-5679"));
    norm("issn", "0317 - 8471", Some("0317-8471"));
    for bad in [
        "12345-6789",
        "1234-56789",
        "1234-567",
        "ABCD-EFGH",
        "1234-5678-",
    ] {
        norm("issn", bad, None);
    }
    norm("isbn", "978-0-12-345678-9", Some("9780123456789"));
    norm("isbn", "ISBN 0-306-40615-2", Some("0306406152"));
    norm("isbn", "0-8044-2957-x", Some("080442957X"));
    norm("isbn", "978 3 16 148410 0", Some("9783161484100"));
    for bad in ["12345", "123456789012", "isbn", "ext-id-2"] {
        norm("isbn", bad, None);
    }
}

#[test]
fn pmid_pmc_arxiv() {
    norm("pmid", "12345", Some("12345"));
    norm("pmid", "  42", Some("42"));
    norm("pmid", "PMID: 12345", Some("12345"));
    norm("pmid", "pmid12345", Some("12345"));
    norm(
        "pmid",
        "https://pubmed.ncbi.nlm.nih.gov/12345/",
        Some("12345"),
    );
    norm(
        "pmid",
        "https://www.ncbi.nlm.nih.gov/pubmed/12345",
        Some("12345"),
    );
    for bad in ["12345abc", "1.5", "abc", "pubmed"] {
        norm("pmid", bad, None);
    }
    norm("pmc", "PMC123", Some("123"));
    norm("pmc", "PMC1234567", Some("1234567"));
    norm("pmc", "pmc/1234567", Some("1234567"));
    norm("pmc", "1234567", Some("1234567"));
    norm(
        "pmc",
        "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC3531190/",
        Some("3531190"),
    );
    for bad in ["PMC12345678901", "PMC12a", "PMC"] {
        norm("pmc", bad, None);
    }
    norm("arxiv", "arXiv:1501.00001v2", Some("arXiv:1501.00001v2"));
    norm("arxiv", "1501.00001", Some("arXiv:1501.00001"));
    norm("arxiv", "arXiv:0706.0001", Some("arXiv:0706.0001"));
    norm(
        "arxiv",
        "https://arxiv.org/abs/2101.12345",
        Some("arXiv:2101.12345"),
    );
    norm("arxiv", "hep-th/9901001", Some("arXiv:hep-th/9901001"));
    norm(
        "arxiv",
        "math.GT/0309136v1",
        Some("arXiv:math.gt/0309136v1"),
    );
    for bad in ["arXiv:", "12.34", "hep-th/99", "not an id"] {
        norm("arxiv", bad, None);
    }
}

#[test]
fn uri_rrid_bibcode_and_plain_types() {
    norm("uri", "example.org", Some("http://example.org"));
    norm(
        "uri",
        "kbase_web_services",
        Some("http://kbase_web_services"),
    );
    norm(
        "uri",
        "https://Example.org/A",
        Some("https://Example.org/A"),
    );
    norm("uri", "ftp://host/file", Some("ftp://host/file"));
    norm("rrid", "AB_90755", Some("RRID:AB_90755"));
    norm("rrid", "RRID:AB_90755", Some("RRID:AB_90755"));
    norm(
        "bibcode",
        "2019ApJ...882L..12A",
        Some("2019ApJ...882L..12A"),
    );
    norm(
        "bibcode",
        "bibcode:2019ApJ...882L..12A",
        Some("2019ApJ...882L..12A"),
    );
    norm("bibcode", "2019ApJ", None);
    norm("other-id", "67335/259/", Some("67335/259/"));
    norm("other-id", "ABC-Def", Some("abc-def"));
    norm("eid", "2-s2.0-85000000000", Some("2-s2.0-85000000000"));
    norm(
        "ark",
        "ark:/13030/TF5p30086k",
        Some("ark:/13030/TF5p30086k"),
    );
    norm("handle", "1721.1/ABC", Some("1721.1/abc"));
    norm("no-such-type", "Value", Some("Value"));
    norm("DOI", "10.1/X", Some("10.1/X"));
    norm("no-such-type", " ", None);
}

/// Every external id in the samples that ORCID normalised (or failed to) agrees with ours.
#[test]
fn agrees_with_orcid_on_every_sample() {
    fn visit(v: &Json, checked: &mut usize) {
        match v {
            Json::Object(map) => {
                if let (Some(t), Some(value)) = (
                    map.get("external-id-type").and_then(Json::as_str),
                    map.get("external-id-value").and_then(Json::as_str),
                ) {
                    let ours = normalize(t, value);
                    if let Some(n) = map
                        .get("external-id-normalized")
                        .and_then(|n| n["value"].as_str())
                    {
                        assert_eq!(ours.as_deref(), Some(n), "{t}:{value}");
                        *checked += 1;
                    }
                    if map
                        .get("external-id-normalized-error")
                        .is_some_and(|e| !e.is_null())
                    {
                        assert_eq!(ours, None, "ORCID could not normalise {t}:{value}");
                        *checked += 1;
                    }
                }
                map.values().for_each(|v| visit(v, checked));
            }
            Json::Array(items) => items.iter().for_each(|v| visit(v, checked)),
            _ => {}
        }
    }
    let mut checked = 0;
    for rel in [
        "orcid-model/record-full-3.0.json",
        "kbase-orcidlink/works_x.json",
        "kbase-orcidlink/profile.json",
        "kbase-orcidlink/work_1487805.json",
        "kbase-orcidlink/work_1537385.json",
        "kbase-orcidlink/external_id.json",
    ] {
        visit(&read_json(rel), &mut checked);
    }
    assert!(checked >= 30, "only {checked} ids checked");
}

#[test]
fn resolver_links() {
    let url = |t: &str, v: &str| resolver_url(t, v);
    assert_eq!(
        url("doi", "https://doi.org/10.1087/ABC").as_deref(),
        Some("https://doi.org/10.1087/abc")
    );
    assert_eq!(
        url("doi", "10.1000/a#b?c d").as_deref(),
        Some("https://doi.org/10.1000/a%23b%3Fc")
    );
    assert_eq!(
        url("doi", "10.1/é").as_deref(),
        Some("https://doi.org/10.1/%C3%A9")
    );
    assert_eq!(
        url("pmid", "PMID: 123").as_deref(),
        Some("https://pubmed.ncbi.nlm.nih.gov/123")
    );
    assert_eq!(
        url("pmc", "PMC3531190").as_deref(),
        Some("https://pmc.ncbi.nlm.nih.gov/articles/PMC3531190/")
    );
    assert_eq!(
        url("arxiv", "arXiv:1501.00001v2").as_deref(),
        Some("https://arxiv.org/abs/1501.00001v2")
    );
    assert_eq!(
        url("handle", "1721.1/123").as_deref(),
        Some("http://hdl.handle.net/1721.1/123")
    );
    assert_eq!(
        url("isbn", "0-306-40615-2").as_deref(),
        Some("https://www.worldcat.org/isbn/0306406152")
    );
    assert_eq!(
        url("issn", "0317-8471").as_deref(),
        Some("https://portal.issn.org/resource/ISSN/0317-8471")
    );
    let h = "https://hdl.handle.net/1721.1/ABC";
    assert_eq!(
        url("handle", h).as_deref(),
        Some(h),
        "an http(s) value links to itself"
    );
    assert_eq!(
        url("uri", " https://kbase.us/n/1 ").as_deref(),
        Some("https://kbase.us/n/1")
    );
    assert_eq!(
        url("url", "http://example.org").as_deref(),
        Some("http://example.org")
    );
    for (t, v) in [
        ("uri", "kbase_web_services"),
        ("uri", "ftp://x/y"),
        ("uri", "javascript:alert(1)"),
        ("uri", "https://"),
        ("doi", "book1"),
        ("other-id", "67335/259/"),
        ("eid", "2-s2.0-1"),
        ("nope", "10.1/x"),
    ] {
        assert_eq!(url(t, v), None, "{t}:{v}");
    }
}

fn any_type() -> impl Strategy<Value = String> {
    let known: Vec<String> = EXTERNAL_ID_TYPES
        .iter()
        .map(|t| t.id_type.to_string())
        .collect();
    prop_oneof![proptest::sample::select(known), "[a-z-]{0,12}"]
}

proptest! {
    #[test]
    fn never_panics(t in any_type(), v in "\\PC{0,64}") {
        let _ = normalize(&t, &v);
        let _ = resolver_url(&t, &v);
    }

    #[test]
    fn identifier_like_input_never_panics(
        t in any_type(),
        v in "[0-9a-zA-Z.:/ &;#x–-]{0,40}",
    ) {
        let _ = normalize(&t, &v);
        let _ = resolver_url(&t, &v);
    }

    #[test]
    fn outputs_have_the_documented_shape(v in "[0-9xX. /:a-z&;–-]{0,30}|\\PC{0,30}") {
        if let Some(d) = normalize("doi", &v) {
            prop_assert!(d.starts_with("10."));
            prop_assert_eq!(normalize("doi", &d), Some(d.clone()));
        }
        if let Some(s) = normalize("issn", &v) {
            prop_assert_eq!(s.len(), 9);
            prop_assert_eq!(&s[4..5], "-");
            prop_assert_eq!(normalize("issn", &s), Some(s.clone()));
        }
        if let Some(i) = normalize("isbn", &v) {
            prop_assert!(i.len() == 10 || i.len() == 13);
            prop_assert!(i.bytes().all(|b| b.is_ascii_digit() || b == b'X'));
        }
        for t in ["pmid", "pmc"] {
            if let Some(n) = normalize(t, &v) {
                prop_assert!(!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(normalize(t, &n), Some(n.clone()));
            }
        }
        if let Some(a) = normalize("arxiv", &v) {
            prop_assert!(a.starts_with("arXiv:"));
            prop_assert_eq!(normalize("arxiv", &a), Some(a.clone()));
        }
    }
}
