//! Bulk-push items (works and affiliations) as an upload would make them, for tests and benchmarks that store a
//! job directly instead of going through the upload page.

use idlink::store::NewJobItem;
use orcid::model::{
    Affiliation, AffiliationSection, ExternalId, ExternalIds, FuzzyDate, Organization,
    PublicationDate, Value, Work, WorkTitle,
};
use orcid::{external_ids, OrcidId};

/// One work of `work_type` with a DOI as its own identifier, published in 2024.
pub fn job_item(line: i64, orcid: &OrcidId, title: &str, doi: &str, work_type: &str) -> NewJobItem {
    let work = Work {
        title: Some(WorkTitle::new(title)),
        work_type: work_type.into(),
        publication_date: Some(PublicationDate {
            year: Some(Value::new("2024".to_string())),
            ..PublicationDate::default()
        }),
        external_ids: Some(ExternalIds {
            external_id: vec![ExternalId::new("doi", doi, "self")],
        }),
        ..Work::default()
    };
    NewJobItem {
        line,
        orcid: *orcid,
        title: title.into(),
        payload: serde_json::to_string(&work.for_create()).expect("work json"),
        section: None,
        identity: vec![(
            "doi".into(),
            external_ids::normalize("doi", doi).expect("doi"),
        )],
        waiting: false,
    }
}

/// `per` journal articles for each of `who`, researchers one after another, as the lines
/// of one file; `tag` keeps their DOIs apart from other tests' and runs'.
pub fn journal_articles(who: &[OrcidId], per: usize, tag: &str) -> Vec<NewJobItem> {
    let mut out = Vec::with_capacity(who.len() * per);
    for (r, orcid) in who.iter().enumerate() {
        for n in 0..per {
            let line = (out.len() + 2) as i64;
            let doi = format!("10.5555/{tag}.{r}.{n}");
            out.push(job_item(
                line,
                orcid,
                &format!("Work {tag} {r}-{n}"),
                &doi,
                "journal-article",
            ));
        }
    }
    out
}

/// One employment at `organization` (the institution): in Physics as `role`, since
/// `start` (a year), ended in `end` if given.
pub fn employment(
    organization: &Organization,
    role: &str,
    start: &str,
    end: Option<&str>,
) -> Affiliation {
    Affiliation {
        department_name: Some("Physics".into()),
        role_title: Some(role.into()),
        start_date: Some(FuzzyDate::new(start, None, None)),
        end_date: end.map(|e| FuzzyDate::new(e, None, None)),
        organization: Some(organization.clone()),
        ..Affiliation::default()
    }
}

/// `affiliation` in `section` as line `line` of an affiliations upload for `orcid`.
pub fn affiliation_item(
    line: i64,
    orcid: &OrcidId,
    section: AffiliationSection,
    affiliation: &Affiliation,
) -> NewJobItem {
    NewJobItem {
        line,
        orcid: *orcid,
        title: format!("{section} on line {line}"),
        payload: serde_json::to_string(&affiliation.for_create()).expect("affiliation json"),
        section: Some(section.into()),
        identity: Vec::new(),
        waiting: false,
    }
}
