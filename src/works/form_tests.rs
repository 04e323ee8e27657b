use super::*;

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn good() -> Vec<(String, String)> {
    pairs(&[
        ("title", "  Ocean heat content  "),
        ("subtitle", "A reanalysis"),
        ("type", "journal-article"),
        ("year", "2024"),
        ("month", "2"),
        ("day", "29"),
        ("journal_title", "Journal of Oceans"),
        ("url", "https://example.org/paper"),
        ("id_type_0", "doi"),
        ("id_value_0", "https://doi.org/10.1087/ABC.123"),
        ("id_rel_0", "self"),
        ("id_type_1", ""),
        ("id_value_1", ""),
        ("id_rel_1", "self"),
        ("contrib_name_0", "Ada Lovelace"),
        ("contrib_orcid_0", "https://orcid.org/0000-0002-1825-0097"),
        ("contrib_role_0", "author"),
        ("contrib_name_1", "Grace Hopper"),
        ("contrib_orcid_1", ""),
        ("contrib_role_1", "editor"),
    ])
}

#[test]
fn a_good_form_becomes_a_work_orcid_accepts() {
    let form = WorkForm::from_pairs(&good());
    assert_eq!(form.title, "Ocean heat content");
    assert_eq!(form.ids.len(), 1, "blank rows are dropped");
    let work = form.validate("orcid.org").unwrap();
    assert_eq!(work.title_text(), Some("Ocean heat content"));
    assert_eq!(work.work_type, "journal-article");
    let date = work.publication_date.clone().unwrap();
    assert_eq!(date.display().as_deref(), Some("2024-02-29"));
    let id = &work.external_ids.as_ref().unwrap().external_id[0];
    assert_eq!(
        id.external_id_value, "10.1087/abc.123",
        "DOI stored normalised"
    );
    assert_eq!(
        id.external_id_url.as_ref().unwrap().as_str(),
        "https://doi.org/10.1087/abc.123"
    );
    let c = &work.contributors.as_ref().unwrap().contributor;
    assert_eq!(c.len(), 2);
    assert_eq!(
        c[0].contributor_orcid.as_ref().unwrap().path.as_deref(),
        Some("0000-0002-1825-0097")
    );
    assert_eq!(
        c[0].contributor_attributes
            .as_ref()
            .unwrap()
            .contributor_sequence
            .as_deref(),
        Some("first")
    );
    assert_eq!(
        c[1].contributor_attributes
            .as_ref()
            .unwrap()
            .contributor_role
            .as_deref(),
        Some("editor")
    );
    // Nothing ORCID would refuse as unknown.
    let json = serde_json::to_value(work.for_create()).unwrap();
    for key in json.as_object().unwrap().keys() {
        assert!(
            orcid::model::WORK_PROPERTIES.contains(&key.as_str()),
            "{key}"
        );
    }
    assert_eq!(
        form.identity(),
        vec![("doi".to_string(), "10.1087/abc.123".to_string())]
    );
}

#[test]
fn doi_in_any_common_form_is_accepted() {
    for doi in [
        "10.1087/abc",
        "doi:10.1087/ABC",
        "https://doi.org/10.1087/abc",
        "http://dx.doi.org/10.1087/ABC",
        " DOI: 10.1087/abc ",
    ] {
        let mut p = good();
        p.retain(|(k, _)| k != "id_value_0");
        p.push(("id_value_0".into(), doi.into()));
        let work = WorkForm::from_pairs(&p)
            .validate("orcid.org")
            .unwrap_or_else(|e| panic!("{doi}: {e:?}"));
        assert_eq!(
            work.external_ids.unwrap().external_id[0].external_id_value,
            "10.1087/abc",
            "{doi}"
        );
    }
}

fn errors_for(changes: &[(&str, &str)]) -> FieldErrors {
    let mut p = good();
    for (k, v) in changes {
        p.retain(|(key, _)| key != k);
        p.push((k.to_string(), v.to_string()));
    }
    WorkForm::from_pairs(&p).validate("orcid.org").unwrap_err()
}

#[test]
fn each_field_gets_its_own_message() {
    assert!(errors_for(&[("title", " ")]).get("title").is_some());
    assert!(errors_for(&[("type", "")]).get("type").is_some());
    assert!(errors_for(&[("type", "journal_article")])
        .get("type")
        .is_some());
    assert!(errors_for(&[("year", "24")]).get("date").is_some());
    assert!(
        errors_for(&[("year", "")]).get("date").is_some(),
        "month without a year"
    );
    assert!(errors_for(&[("month", "13")]).get("date").is_some());
    assert!(errors_for(&[("year", "2023"), ("day", "29")])
        .get("date")
        .unwrap()
        .contains("28"));
    assert!(errors_for(&[("month", ""), ("day", "5")])
        .get("date")
        .unwrap()
        .contains("needs a month"));
    assert!(errors_for(&[("url", "example.org")]).get("url").is_some());
    assert!(errors_for(&[("id_value_0", "not a doi")])
        .get("id_0")
        .unwrap()
        .contains("DOI"));
    assert!(errors_for(&[("id_type_0", "nonsense")])
        .get("id_0")
        .is_some());
    assert!(errors_for(&[("id_type_0", ""), ("id_value_0", "")])
        .get("ids")
        .is_some());
    assert!(
        errors_for(&[("id_rel_0", "part-of")]).get("ids").is_some(),
        "needs a self id"
    );
    assert!(errors_for(&[("contrib_orcid_0", "0000-0002-1825-0098")])
        .get("contributor_0")
        .unwrap()
        .contains("check digit"));
    let mut blank_row = good();
    blank_row.retain(|(k, _)| k != "contrib_name_1");
    let work = WorkForm::from_pairs(&blank_row)
        .validate("orcid.org")
        .expect("an empty row is ignored");
    assert_eq!(work.contributors.unwrap().contributor.len(), 1);
    assert!(errors_for(&[
        ("contrib_name_1", ""),
        ("contrib_orcid_1", "0000-0002-1825-0097")
    ])
    .get("contributor_1")
    .is_some());
    let many = errors_for(&[("title", ""), ("type", ""), ("id_value_0", "")]);
    assert_eq!(many.0.len(), 3, "{many:?}");
}

#[test]
fn partial_dates_are_kept_as_given() {
    let mut p = good();
    p.retain(|(k, _)| k != "month" && k != "day");
    let work = WorkForm::from_pairs(&p).validate("orcid.org").unwrap();
    let d = work.publication_date.unwrap();
    assert_eq!(d.display().as_deref(), Some("2024"));
    assert!(d.month.is_none() && d.day.is_none());
}

#[test]
fn edit_form_round_trips_a_work() {
    let form = WorkForm::from_pairs(&good());
    let work = form.validate("orcid.org").unwrap();
    let again = WorkForm::from_work(&work);
    assert_eq!(again.validate("orcid.org").unwrap(), work);
    assert_eq!(again.month, "02");
}

#[test]
fn rows_are_padded_for_more_input() {
    let form = WorkForm::from_pairs(&good());
    assert_eq!(form.id_rows(0).len(), MIN_ID_ROWS);
    assert_eq!(form.id_rows(3).len(), 4);
    assert_eq!(form.contributor_rows(1).len(), 3);
    let hostile: Vec<(String, String)> = (0..10_000)
        .map(|n| (format!("id_value_{n}"), "x".into()))
        .collect();
    assert!(WorkForm::from_pairs(&hostile).ids.len() <= 50);
}

#[test]
fn a_value_that_is_a_spreadsheet_formula_is_refused() {
    let formula = "=HYPERLINK(\"http://example.org\",\"x\")";
    for field in ["title", "subtitle", "journal_title", "short_description"] {
        let e = errors_for(&[(field, formula)]);
        assert_eq!(e.get(field), Some(FORMULA_REFUSED), "{field}");
    }
    let e = errors_for(&[("contrib_name_1", "@SUM(A1)")]);
    assert_eq!(e.get("contributor_1"), Some(FORMULA_REFUSED));
    // A title that only starts with a dash is a title.
    let mut p = good();
    p.retain(|(k, _)| k != "title");
    p.push(("title".into(), "-omics of the deep ocean".into()));
    assert!(WorkForm::from_pairs(&p).validate("orcid.org").is_ok());
}
