//! Reconciliation rows for an affiliations job: each item against the affiliation of the
//! same section on the record (by put-code, else by meaning), so the one comparison page
//! serves both kinds.

use orcid::model::{Affiliation, AffiliationSection, FuzzyDate};
use orcid::OrcidId;

use super::{simplified, Asked, Difference, OnRecord, Ours, Row};
use crate::affiliations::draft::Draft;
use crate::affiliations::meaning::Match;
use crate::store::{
    CachedAffiliation, CachedSection, IdlinkAffiliation, IdlinkAffiliationStatus, ItemStatus,
    JobItem, Store,
};

/// The rows of `items` (all of one researcher), compared with idlink's copy of the record.
pub(super) async fn rows(
    store: &Store,
    ours: Ours<'_>,
    institution: &orcid::model::Organization,
    orcid: &OrcidId,
    items: Vec<JobItem>,
) -> Result<Vec<Row>, sqlx::Error> {
    let record = store.cached_affiliations(orcid).await?;
    let written = store.idlink_affiliations(orcid).await?;
    Ok(items
        .into_iter()
        .map(|item| row(item, &record, &written, ours, institution))
        .collect())
}

fn row(
    item: JobItem,
    record: &[CachedAffiliation],
    written: &[IdlinkAffiliation],
    ours: Ours<'_>,
    institution: &orcid::model::Organization,
) -> Row {
    let asked_affiliation: Option<Affiliation> = serde_json::from_str(&item.payload).ok();
    let section = item.section.unwrap_or(CachedSection::Employment);
    let asked = match &asked_affiliation {
        Some(a) => Asked {
            title: post(a.role_title.as_deref(), a.department_name.as_deref()),
            work_type: AffiliationSection::from(section).to_string(),
            date: span(a.start_date.as_ref(), a.end_date.as_ref()),
            identifiers: a
                .external_ids
                .iter()
                .flat_map(|ids| &ids.external_id)
                .map(|id| format!("{}:{}", id.external_id_type, id.external_id_value))
                .collect::<Vec<_>>()
                .join("; "),
        },
        None => Asked {
            title: item.title.clone(),
            work_type: AffiliationSection::from(section).to_string(),
            date: None,
            identifiers: String::new(),
        },
    };
    let by_put_code = item.put_code.and_then(|pc| {
        record
            .iter()
            .find(|r| r.section == section && r.put_code == pc)
    });
    let found = by_put_code.or_else(|| {
        let a = asked_affiliation.as_ref()?;
        let meaning = Draft::from(a).meaning(section.into());
        let is_ours = |r: &CachedAffiliation| r.source_client_id.as_deref() == Some(ours.client_id);
        let put_code = match meaning.find(record, institution, is_ours)? {
            Match::Idlinks { put_code, .. } | Match::OtherSource { put_code, .. } => put_code,
        };
        record
            .iter()
            .find(|r| r.section == section && r.put_code == put_code)
    });
    let on_record = found.map(|r| OnRecord {
        put_code: r.put_code,
        title: post(r.role_title.as_deref(), r.department.as_deref()),
        work_type: AffiliationSection::from(r.section).to_string(),
        date: span(
            Some(&date(&r.start_year, &r.start_month, &r.start_day)),
            Some(&date(&r.end_year, &r.end_month, &r.end_day)),
        ),
        source: if r.source_client_id.as_deref() == Some(ours.client_id) {
            format!("{} (idlink)", ours.institution)
        } else {
            r.source_name
                .clone()
                .unwrap_or_else(|| "an unnamed source".into())
        },
    });
    let difference = match &on_record {
        Some(r) => {
            let mut fields = Vec::new();
            if simplified(&asked.title) != simplified(&r.title) {
                fields.push("role or department");
            }
            if asked.date != r.date {
                fields.push("dates");
            }
            if fields.is_empty() {
                Difference::Same
            } else {
                Difference::Differs(fields)
            }
        }
        None => {
            let deleted = item.put_code.is_some_and(|pc| {
                written.iter().any(|w| {
                    w.section == section
                        && w.put_code == pc
                        && w.status != IdlinkAffiliationStatus::Deleted
                })
            });
            if deleted {
                Difference::DeletedByResearcher
            } else if matches!(
                item.status,
                ItemStatus::Pending | ItemStatus::Sending | ItemStatus::Waiting
            ) {
                Difference::InProgress
            } else {
                Difference::Missing
            }
        }
    };
    Row {
        item,
        asked,
        on_record,
        difference,
    }
}

/// "Lecturer, Physics"; "(no role or department)" when both are blank.
fn post(role: Option<&str>, department: Option<&str>) -> String {
    let parts: Vec<&str> = [role, department]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        "(no role or department)".into()
    } else {
        parts.join(", ")
    }
}

fn date(y: &Option<String>, m: &Option<String>, d: &Option<String>) -> FuzzyDate {
    FuzzyDate::new(y.as_deref().unwrap_or_default(), m.as_deref(), d.as_deref())
}

/// "2020-03 – 2024", "2020-03 –", or None without any date.
fn span(start: Option<&FuzzyDate>, end: Option<&FuzzyDate>) -> Option<String> {
    let s = start.and_then(FuzzyDate::display);
    let e = end.and_then(FuzzyDate::display);
    match (s, e) {
        (None, None) => None,
        (s, e) => Some(
            format!("{} – {}", s.unwrap_or_default(), e.unwrap_or_default())
                .trim()
                .to_string(),
        ),
    }
}
