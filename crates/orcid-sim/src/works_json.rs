//! The v3.0 JSON the simulation answers with: full work, work-summary, the grouped works
//! list (`kbase-orcidlink/works_x.json` shape, nulls included), bulk elements.

use std::collections::HashMap;

use serde::Serialize;

use super::ext_ids;
use super::works_model::{
    Citation, ContributorAttributes, ExtId, IdRef, PubDate, StoredWork, Val, WorkTitle,
};
use orcid::OrcidId;

/// Where record and client links point: the simulation's own base URL and host.
pub(crate) struct Links<'a> {
    pub base_url: &'a str,
    pub host: &'a str,
}

impl Links<'_> {
    pub fn orcid_ref(&self, orcid: &OrcidId) -> IdRef {
        IdRef {
            uri: Some(format!("{}/{orcid}", self.base_url)),
            path: Some(orcid.to_string()),
            host: Some(self.host.to_owned()),
        }
    }

    fn client_ref(&self, client_id: &str) -> IdRef {
        IdRef {
            uri: Some(format!("{}/client/{client_id}", self.base_url)),
            path: Some(client_id.to_owned()),
            host: Some(self.host.to_owned()),
        }
    }
}

#[derive(Serialize, Clone, Copy)]
pub(crate) struct Millis {
    pub value: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct SourceOut {
    source_orcid: Option<IdRef>,
    source_client_id: Option<IdRef>,
    source_name: Option<Val>,
    assertion_origin_orcid: Option<IdRef>,
    assertion_origin_client_id: Option<IdRef>,
    assertion_origin_name: Option<Val>,
}

fn source(links: &Links, w: &StoredWork) -> SourceOut {
    let (source_orcid, source_client_id) = match &w.source.client_id {
        Some(id) => (None, Some(links.client_ref(id))),
        None => (Some(links.orcid_ref(&w.orcid)), None),
    };
    SourceOut {
        source_orcid,
        source_client_id,
        source_name: Some(Val::new(&w.source.name)),
        assertion_origin_orcid: None,
        assertion_origin_client_id: None,
        assertion_origin_name: None,
    }
}

#[derive(Serialize)]
struct Normalized {
    value: String,
    transient: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct NormalizedError {
    error_code: &'static str,
    error_message: String,
    transient: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ExtIdOut<'a> {
    external_id_type: &'a str,
    external_id_value: &'a str,
    external_id_normalized: Option<Normalized>,
    external_id_normalized_error: Option<NormalizedError>,
    external_id_url: Option<&'a Val>,
    external_id_relationship: Option<&'a str>,
}

fn ext_id(id: &ExtId) -> ExtIdOut<'_> {
    let normalized = ext_ids::normalise(&id.external_id_type, &id.external_id_value);
    let error = normalized.is_none().then(|| NormalizedError {
        error_code: "8001",
        error_message: format!(
            "Cannot normalize identifier value {}:{}",
            id.external_id_type, id.external_id_value
        ),
        transient: true,
    });
    ExtIdOut {
        external_id_type: &id.external_id_type,
        external_id_value: &id.external_id_value,
        external_id_normalized: normalized.map(|value| Normalized {
            value,
            transient: true,
        }),
        external_id_normalized_error: error,
        external_id_url: id.external_id_url.as_ref(),
        external_id_relationship: id.external_id_relationship.as_deref(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ExtIdsOut<'a> {
    external_id: Vec<ExtIdOut<'a>>,
}

fn ext_ids_of(w: &StoredWork) -> ExtIdsOut<'_> {
    ExtIdsOut {
        external_id: w.data.ext_ids().iter().map(ext_id).collect(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ContributorOut<'a> {
    contributor_orcid: Option<&'a IdRef>,
    credit_name: Option<&'a Val>,
    contributor_email: Option<()>,
    contributor_attributes: Option<&'a ContributorAttributes>,
}

#[derive(Serialize)]
struct ContributorsOut<'a> {
    contributor: Vec<ContributorOut<'a>>,
}

/// `GET /v3.0/{orcid}/work/{put-code}`, field for field as `work_1537385.json`.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct FullWork<'a> {
    created_date: Millis,
    last_modified_date: Millis,
    source: SourceOut,
    put_code: i64,
    path: Option<String>,
    title: Option<&'a WorkTitle>,
    journal_title: Option<&'a Val>,
    short_description: Option<&'a str>,
    citation: Option<&'a Citation>,
    #[serde(rename = "type")]
    work_type: Option<&'a str>,
    publication_date: Option<&'a PubDate>,
    external_ids: ExtIdsOut<'a>,
    url: Option<&'a Val>,
    contributors: ContributorsOut<'a>,
    language_code: Option<&'a str>,
    country: Option<&'a Val>,
    visibility: &'static str,
}

fn work_path(w: &StoredWork) -> String {
    format!("/{}/work/{}", w.orcid, w.put_code)
}

/// A full work. `with_path` is false inside bulk answers, where ORCID sends `"path": null`.
pub(crate) fn full_work<'a>(links: &Links, w: &'a StoredWork, with_path: bool) -> FullWork<'a> {
    let d = &w.data;
    let contributors = d
        .contributors
        .as_ref()
        .map(|c| c.contributor.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|c| ContributorOut {
            contributor_orcid: c.contributor_orcid.as_ref(),
            credit_name: c.credit_name.as_ref(),
            contributor_email: None,
            contributor_attributes: c.contributor_attributes.as_ref(),
        })
        .collect();
    FullWork {
        created_date: Millis { value: w.created },
        last_modified_date: Millis { value: w.modified },
        source: source(links, w),
        put_code: w.put_code,
        path: with_path.then(|| work_path(w)),
        title: d.title.as_ref(),
        journal_title: d.journal_title.as_ref(),
        short_description: d.short_description.as_deref(),
        citation: d.citation.as_ref(),
        work_type: d.work_type.as_deref(),
        publication_date: d.publication_date.as_ref(),
        external_ids: ext_ids_of(w),
        url: d.url.as_ref(),
        contributors: ContributorsOut {
            contributor: contributors,
        },
        language_code: d.language_code.as_deref(),
        country: d.country.as_ref(),
        visibility: w.visibility.as_str(),
    }
}

/// One `work-summary`, field for field as in `works_x.json`.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct WorkSummary<'a> {
    put_code: i64,
    created_date: Millis,
    last_modified_date: Millis,
    source: SourceOut,
    title: Option<&'a WorkTitle>,
    external_ids: ExtIdsOut<'a>,
    url: Option<&'a Val>,
    #[serde(rename = "type")]
    work_type: Option<&'a str>,
    publication_date: Option<&'a PubDate>,
    journal_title: Option<&'a Val>,
    visibility: &'static str,
    path: String,
    display_index: &'static str,
}

pub(crate) fn summary<'a>(links: &Links, w: &'a StoredWork) -> WorkSummary<'a> {
    let d = &w.data;
    WorkSummary {
        put_code: w.put_code,
        created_date: Millis { value: w.created },
        last_modified_date: Millis { value: w.modified },
        source: source(links, w),
        title: d.title.as_ref(),
        external_ids: ext_ids_of(w),
        url: d.url.as_ref(),
        work_type: d.work_type.as_deref(),
        publication_date: d.publication_date.as_ref(),
        journal_title: d.journal_title.as_ref(),
        visibility: w.visibility.as_str(),
        path: work_path(w),
        display_index: w.display_index(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Group<'a> {
    last_modified_date: Millis,
    external_ids: ExtIdsOut<'a>,
    work_summary: Vec<WorkSummary<'a>>,
}

/// `GET /v3.0/{orcid}/works` and `activities-summary.works`.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Works<'a> {
    last_modified_date: Option<Millis>,
    group: Vec<Group<'a>>,
    path: String,
}

/// Ids that put works in one group: `self` and `version-of` (and ids with no relationship).
fn groupable(id: &ExtId) -> bool {
    matches!(
        id.external_id_relationship.as_deref(),
        None | Some("self") | Some("version-of")
    )
}

fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Groups `works` (already filtered for what the caller may see) as ORCID does: works
/// sharing a normalised `self`/`version-of` id are one group; most recent group first.
pub(crate) fn works_list<'a>(
    links: &Links,
    orcid: &OrcidId,
    works: &[&'a StoredWork],
) -> Works<'a> {
    let mut parent: Vec<usize> = (0..works.len()).collect();
    let mut first_with: HashMap<(String, String), usize> = HashMap::new();
    for (i, w) in works.iter().enumerate() {
        for id in w.data.ext_ids().iter().filter(|id| groupable(id)) {
            let key = ext_ids::match_key(&id.external_id_type, &id.external_id_value);
            let j = *first_with.entry(key).or_insert(i);
            let (a, b) = (root(&mut parent, i), root(&mut parent, j));
            parent[a] = b;
        }
    }
    let mut members: HashMap<usize, Vec<&'a StoredWork>> = HashMap::new();
    for (i, w) in works.iter().enumerate() {
        let r = root(&mut parent, i);
        members.entry(r).or_default().push(*w);
    }
    let mut groups: Vec<Vec<&'a StoredWork>> = members.into_values().collect();
    for g in &mut groups {
        g.sort_by(|a, b| {
            b.display_index()
                .cmp(a.display_index())
                .then(b.created.cmp(&a.created))
                .then(a.put_code.cmp(&b.put_code))
        });
    }
    let newest = |g: &[&StoredWork]| {
        g.iter()
            .map(|w| (w.modified, w.put_code))
            .max()
            .unwrap_or_default()
    };
    groups.sort_by_key(|g| std::cmp::Reverse(newest(g)));
    let group = groups
        .iter()
        .map(|g| {
            let mut seen = Vec::new();
            let mut ids = Vec::new();
            for id in g
                .iter()
                .flat_map(|w| w.data.ext_ids())
                .filter(|id| groupable(id))
            {
                let key = ext_ids::match_key(&id.external_id_type, &id.external_id_value);
                if !seen.contains(&key) {
                    seen.push(key);
                    ids.push(ext_id(id));
                }
            }
            Group {
                last_modified_date: Millis { value: newest(g).0 },
                external_ids: ExtIdsOut { external_id: ids },
                work_summary: g.iter().map(|w| summary(links, w)).collect(),
            }
        })
        .collect();
    Works {
        last_modified_date: works
            .iter()
            .map(|w| w.modified)
            .max()
            .map(|value| Millis { value }),
        group,
        path: format!("/{orcid}/works"),
    }
}

/// One element of a bulk answer: `{"work":{…}}` or `{"error":{…}}`.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum BulkItem<'a> {
    Work(Box<FullWork<'a>>),
    Error(serde_json::Value),
}

#[derive(Serialize)]
pub(crate) struct Bulk<'a> {
    pub bulk: Vec<BulkItem<'a>>,
}
