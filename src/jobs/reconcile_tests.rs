use super::*;

fn item(status: ItemStatus, put_code: Option<i64>) -> JobItem {
    let work = serde_json::json!({
        "title": {"title": {"value": "Ocean  Heat"}},
        "type": "journal-article",
        "publication-date": {"year": {"value": "2024"}, "month": {"value": "02"}},
        "external-ids": {"external-id": [{"external-id-type": "doi",
            "external-id-value": "10.1/abc", "external-id-relationship": "self"}]}
    });
    JobItem {
        id: 1,
        job_id: 1,
        line: 2,
        orcid: OrcidId::parse("0000-0002-1825-0097").unwrap(),
        title: "Ocean  Heat".into(),
        payload: work.to_string(),
        section: None,
        identity: vec![("doi".into(), "10.1/abc".into())],
        status,
        put_code,
        detail: None,
        attempts: 0,
        updated_at: 0,
    }
}

fn record(title: &str, work_type: &str, date: Option<&str>) -> OnRecord {
    OnRecord {
        put_code: 7,
        title: title.into(),
        work_type: work_type.into(),
        date: date.map(String::from),
        source: "Crossref".into(),
    }
}

#[test]
fn asked_is_read_from_the_work_sent() {
    let a = asked(&item(ItemStatus::Done, Some(7)));
    assert_eq!(a.title, "Ocean  Heat");
    assert_eq!(a.work_type, "journal-article");
    assert_eq!(a.date.as_deref(), Some("2024-02"));
    assert_eq!(a.identifiers, "doi:10.1/abc");
}

#[test]
fn the_same_work_matches_whatever_the_case_and_spacing() {
    let i = item(ItemStatus::Done, Some(7));
    let a = asked(&i);
    let w = record("ocean heat", "journal-article", Some("2024-02"));
    assert_eq!(compare(&i, &a, Some(&w), &[]), Difference::Same);
}

#[test]
fn changed_fields_are_named() {
    let i = item(ItemStatus::Done, Some(7));
    let a = asked(&i);
    let w = record("Ocean heat, revised", "preprint", Some("2023"));
    let d = compare(&i, &a, Some(&w), &[]);
    assert_eq!(d, Difference::Differs(vec!["title", "type", "date"]));
    assert_eq!(d.label(), "on the record, different title, type, date");
}

#[test]
fn a_work_the_researcher_deleted_is_told_apart_from_a_missing_one() {
    let i = item(ItemStatus::Done, Some(7));
    let a = asked(&i);
    let deleted = IdlinkWork {
        put_code: 7,
        status: IdlinkWorkStatus::DeletedByResearcher,
        title: "Ocean Heat".into(),
        identifiers: vec![("doi".into(), "10.1/abc".into())],
    };
    assert_eq!(
        compare(&i, &a, None, std::slice::from_ref(&deleted)),
        Difference::DeletedByResearcher
    );
    // Skipped because deleted before: no put-code, found by identifier.
    let skipped = item(ItemStatus::Skipped, None);
    assert_eq!(
        compare(&skipped, &a, None, &[deleted]),
        Difference::DeletedByResearcher
    );
    let failed = item(ItemStatus::Failed, None);
    assert_eq!(compare(&failed, &a, None, &[]), Difference::Missing);
    let pending = item(ItemStatus::Pending, None);
    assert_eq!(compare(&pending, &a, None, &[]), Difference::InProgress);
}

#[test]
fn dates_are_shown_to_the_precision_given() {
    assert_eq!(
        date(Some("2020".into()), None, None).as_deref(),
        Some("2020")
    );
    assert_eq!(
        date(Some("2020".into()), Some("03".into()), Some("09".into())).as_deref(),
        Some("2020-03-09")
    );
    assert_eq!(date(None, Some("03".into()), None), None);
}
