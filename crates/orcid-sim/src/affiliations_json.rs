//! The v3.0 JSON the simulation answers with for affiliations: one item with its server
//! fields, and a section's `affiliation-group`s, using the `orcid` crate's model.

use orcid::model::{
    Affiliation, AffiliationGroup, AffiliationGroups, AffiliationSection, AffiliationSummary,
    ClientIdentifier, ExternalIds, OrcidIdentifier, Source, Value,
};
use orcid::OrcidId;

use super::activity_store::Activity;
use super::affiliations_store::StoredAffiliation;
use super::works_json::Links;

/// A normalised external id: (type, value).
type MatchKey = (String, String);

fn source(links: &Links, a: &StoredAffiliation) -> Source {
    let (source_orcid, source_client_id) = match &a.source.client_id {
        Some(id) => (
            None,
            Some(ClientIdentifier {
                uri: Some(format!("{}/client/{id}", links.base_url)),
                path: Some(id.clone()),
                host: Some(links.host.to_owned()),
            }),
        ),
        None => (
            Some(OrcidIdentifier {
                uri: Some(format!("{}/{}", links.base_url, a.orcid)),
                path: Some(a.orcid.to_string()),
                host: Some(links.host.to_owned()),
            }),
            None,
        ),
    };
    Source {
        source_orcid,
        source_client_id,
        source_name: Some(Value::new(a.source.name.clone())),
        ..Source::default()
    }
}

/// The item as `GET /v3.0/{orcid}/{section}/{put-code}` returns it.
pub(crate) fn full(links: &Links, a: &StoredAffiliation) -> Affiliation {
    Affiliation {
        created_date: Some(Value::new(millis(a.created))),
        last_modified_date: Some(Value::new(millis(a.modified))),
        source: Some(source(links, a)),
        put_code: Some(a.put_code),
        path: Some(format!("/{}/{}/{}", a.orcid, a.section, a.put_code)),
        visibility: Some(a.visibility.as_str().to_owned()),
        ..a.data.clone()
    }
}

fn millis(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

/// `GET /v3.0/{orcid}/{section}s`: one group per item, or per items sharing a `self`
/// external id (ORCID groups affiliations by their identifiers); `items` are this section's
/// items the caller may see.
pub(crate) fn groups(
    links: &Links,
    orcid: &OrcidId,
    section: AffiliationSection,
    items: &[&StoredAffiliation],
) -> AffiliationGroups {
    let mut groups: Vec<(Vec<MatchKey>, Vec<&StoredAffiliation>)> = Vec::new();
    for a in items {
        let keys = a.self_keys().into_owned();
        let shared = groups
            .iter_mut()
            .find(|(k, _)| !keys.is_empty() && keys.iter().any(|x| k.contains(x)));
        match shared {
            Some((k, members)) => {
                k.extend(keys);
                members.push(a);
            }
            None => groups.push((keys, vec![a])),
        }
    }
    let affiliation_group = groups
        .into_iter()
        .map(|(_, members)| group(links, section, &members))
        .collect();
    AffiliationGroups {
        last_modified_date: items
            .iter()
            .map(|a| a.modified)
            .max()
            .map(|m| Value::new(millis(m))),
        affiliation_group,
        path: Some(format!("/{orcid}/{}", section.plural())),
    }
}

fn group(
    links: &Links,
    section: AffiliationSection,
    members: &[&StoredAffiliation],
) -> AffiliationGroup {
    let mut ids = ExternalIds::default();
    for a in members {
        for id in a.data.external_ids.iter().flat_map(|i| i.self_ids()) {
            if !ids.external_id.contains(id) {
                ids.external_id.push(id.clone());
            }
        }
    }
    AffiliationGroup {
        last_modified_date: members
            .iter()
            .map(|a| a.modified)
            .max()
            .map(|m| Value::new(millis(m))),
        external_ids: Some(ids),
        summaries: members
            .iter()
            .map(|a| AffiliationSummary {
                section,
                summary: Affiliation {
                    display_index: Some("0".to_owned()),
                    ..full(links, a)
                },
            })
            .collect(),
    }
}
