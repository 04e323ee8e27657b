//! Deterministic seeded works for the demo researchers (see [`super::seed_ids`]): works from
//! other sources (Crossref, Scopus, DataCite, the researcher themself), one DOI a test can
//! collide with, and one researcher with 1,200 works. Regenerated identically on every
//! start, never stored.

use super::seed_ids::*;
use super::works_model::{
    Contributor, ContributorAttributes, Contributors, ExtId, ExtIds, IdRef, PubDate, StoredWork,
    Val, Visibility, WorkData, WorkSource, WorkTitle,
};
use orcid::OrcidId;

/// 2021-01-01T00:00:00Z in epoch milliseconds.
const BASE_MS: u64 = 1_609_459_200_000;
const HOUR_MS: u64 = 3_600_000;
const DAY_MS: u64 = 24 * HOUR_MS;

fn client(id: &str, name: &str) -> WorkSource {
    WorkSource {
        client_id: Some(id.to_owned()),
        name: name.to_owned(),
    }
}

fn themself(name: &str) -> WorkSource {
    WorkSource {
        client_id: None,
        name: name.to_owned(),
    }
}

fn ext(id_type: &str, value: &str, relationship: &str) -> ExtId {
    let url = match id_type {
        "doi" => Some(Val::new(format!("https://doi.org/{value}"))),
        "arxiv" => Some(Val::new(format!("https://arxiv.org/abs/{value}"))),
        "pmid" => Some(Val::new(format!("https://pubmed.ncbi.nlm.nih.gov/{value}"))),
        _ => None,
    };
    ExtId {
        external_id_type: id_type.to_owned(),
        external_id_value: value.to_owned(),
        external_id_url: url,
        external_id_relationship: Some(relationship.to_owned()),
    }
}

fn date(y: Option<u32>, m: Option<u32>, d: Option<u32>) -> Option<PubDate> {
    y.map(|y| PubDate {
        year: Some(Val::new(y.to_string())),
        month: m.map(|m| Val::new(format!("{m:02}"))),
        day: d.map(|d| Val::new(format!("{d:02}"))),
    })
}

fn data(
    title: &str,
    work_type: &str,
    published: Option<PubDate>,
    ids: Vec<ExtId>,
    journal: Option<&str>,
) -> WorkData {
    WorkData {
        title: Some(WorkTitle {
            title: Some(Val::new(title)),
            subtitle: None,
            translated_title: None,
        }),
        journal_title: journal.map(Val::new),
        work_type: Some(work_type.to_owned()),
        publication_date: published,
        url: ids.iter().find_map(|i| i.external_id_url.as_ref()).cloned(),
        external_ids: Some(ExtIds { external_id: ids }),
        ..WorkData::default()
    }
}

fn author(orcid: &OrcidId, name: &str) -> Contributors {
    Contributors {
        contributor: vec![Contributor {
            contributor_orcid: Some(IdRef {
                uri: Some(format!("https://orcid.org/{orcid}")),
                path: Some(orcid.to_string()),
                host: Some("orcid.org".to_owned()),
            }),
            credit_name: Some(Val::new(name)),
            contributor_attributes: Some(ContributorAttributes {
                contributor_sequence: Some("first".to_owned()),
                contributor_role: Some("author".to_owned()),
            }),
        }],
    }
}

struct Seed {
    put_code: i64,
    hours: u64,
    source: WorkSource,
    visibility: Visibility,
    data: WorkData,
}

fn stored(orcid: &OrcidId, s: Seed) -> StoredWork {
    let created = BASE_MS + s.hours * HOUR_MS;
    StoredWork {
        put_code: s.put_code,
        orcid: *orcid,
        source: s.source,
        created,
        modified: created + (s.put_code.unsigned_abs() % 5) * DAY_MS,
        visibility: s.visibility,
        data: s.data,
        seeded: true,
        self_keys: Default::default(),
    }
}

/// The seeded works of `orcid` (none for researchers other than the seeded ones).
pub(crate) fn works_for(orcid: &OrcidId) -> Vec<StoredWork> {
    let seeds = match orcid.as_str() {
        SOFIA_GARCIA_ORCID => sofia(orcid),
        TOMAS_NG_ORCID => tomas(),
        PROLIFIC_AUTHOR_ORCID => (0..PROLIFIC_AUTHOR_WORKS).map(prolific).collect(),
        _ => Vec::new(),
    };
    seeds.into_iter().map(|s| stored(orcid, s)).collect()
}

fn sofia(orcid: &OrcidId) -> Vec<Seed> {
    use Visibility::{Limited, Private, Public};
    let title = "Simulated results in reproducible research";
    let mut article = data(
        title,
        "journal-article",
        date(Some(2021), Some(3), Some(15)),
        vec![ext("doi", SEEDED_CROSSREF_DOI, "self")],
        Some("Journal of Simulated Results"),
    );
    article.contributors = Some(author(orcid, "Sofia Garcia"));
    let seed = |put_code, hours, source, visibility, data| Seed {
        put_code,
        hours,
        source,
        visibility,
        data,
    };
    vec![
        seed(
            SEEDED_CROSSREF_PUT_CODE,
            10,
            client(CROSSREF_CLIENT_ID, CROSSREF_NAME),
            Public,
            article,
        ),
        seed(
            1_000_002,
            30,
            client(SCOPUS_CLIENT_ID, SCOPUS_NAME),
            Public,
            data(
                title,
                "journal-article",
                date(Some(2021), Some(3), None),
                vec![
                    ext("doi", &SEEDED_CROSSREF_DOI.to_uppercase(), "self"),
                    ext("eid", "2-s2.0-85100000001", "self"),
                ],
                Some("Journal of Simulated Results"),
            ),
        ),
        seed(
            1_000_003,
            50,
            themself("Sofia Garcia"),
            Public,
            data(
                "A field guide to persistent identifiers",
                "book-chapter",
                date(Some(2019), None, None),
                vec![
                    ext("handle", "20.500.12345/678", "self"),
                    ext("isbn", "978-3-16-148410-0", "part-of"),
                ],
                None,
            ),
        ),
        seed(
            1_000_004,
            70,
            client(SCOPUS_CLIENT_ID, SCOPUS_NAME),
            Limited,
            data(
                "Notes on limited visibility",
                "conference-paper",
                date(Some(2020), Some(11), Some(2)),
                vec![ext("doi", "10.5555/idlink.demo.2020.017", "self")],
                None,
            ),
        ),
        seed(
            1_000_005,
            90,
            themself("Sofia Garcia"),
            Private,
            data(
                "Draft: identifiers in practice",
                "working-paper",
                None,
                vec![ext("other-id", "draft-7", "self")],
                None,
            ),
        ),
        seed(
            1_000_006,
            110,
            client(DATACITE_CLIENT_ID, DATACITE_NAME),
            Public,
            data(
                "Survey data on identifier adoption",
                "data-set",
                date(Some(2022), None, None),
                vec![ext("doi", "10.5555/idlink.data.2022.5", "self")],
                None,
            ),
        ),
    ]
}

fn tomas() -> Vec<Seed> {
    let doi = "10.5555/idlink.demo.2018.042";
    vec![
        Seed {
            put_code: 1_000_101,
            hours: 20,
            source: client(CROSSREF_CLIENT_ID, CROSSREF_NAME),
            visibility: Visibility::Public,
            data: data(
                "Graph methods for citation networks",
                "journal-article",
                date(Some(2018), Some(6), None),
                vec![ext("doi", doi, "self")],
                Some("Networks Quarterly"),
            ),
        },
        Seed {
            put_code: 1_000_102,
            hours: 40,
            source: themself("Tomás Ng"),
            visibility: Visibility::Public,
            data: data(
                "Graph methods for citation networks (preprint)",
                "preprint",
                date(Some(2017), Some(12), Some(1)),
                vec![
                    ext("arxiv", "1712.01234", "self"),
                    ext("doi", doi, "version-of"),
                ],
                None,
            ),
        },
    ]
}

const TYPES: [&str; 12] = [
    "journal-article",
    "journal-article",
    "conference-paper",
    "book-chapter",
    "data-set",
    "preprint",
    "report",
    "software",
    "book",
    "dissertation-thesis",
    "lecture-speech",
    "other",
];
const ADJECTIVES: [&str; 8] = [
    "Robust",
    "Scalable",
    "Bayesian",
    "Comparative",
    "Longitudinal",
    "Open",
    "Minimal",
    "Adaptive",
];
const TOPICS: [&str; 10] = [
    "protein folding",
    "river sediment",
    "urban heat islands",
    "citation graphs",
    "soil microbiomes",
    "language acquisition",
    "glacier retreat",
    "coral bleaching",
    "battery ageing",
    "sleep patterns",
];

/// Work `i` of the prolific author: four sources, twelve types, full, partial and missing
/// dates; every 20th Scopus work shares its DOI with a Crossref work (so they group).
fn prolific(i: usize) -> Seed {
    let n = i as u64;
    let source = match i % 10 {
        0..=3 => client(CROSSREF_CLIENT_ID, CROSSREF_NAME),
        4..=6 => client(SCOPUS_CLIENT_ID, SCOPUS_NAME),
        7 => client(DATACITE_CLIENT_ID, DATACITE_NAME),
        _ => themself("Prolific Author"),
    };
    let work_type = TYPES[i % TYPES.len()];
    let year = 1995 + (i % 30) as u32;
    let (m, d) = (1 + (i % 12) as u32, 1 + (i % 28) as u32);
    let published = match i % 8 {
        0..=3 => date(Some(year), Some(m), Some(d)),
        4 | 5 => date(Some(year), Some(m), None),
        7 if i % 16 == 7 => None,
        _ => date(Some(year), None, None),
    };
    let doi_of = if i % 20 == 4 { i - 4 } else { i };
    let mut ids = vec![ext("doi", &format!("10.5555/prolific.{doi_of:04}"), "self")];
    if i % 10 >= 4 && i % 10 <= 6 {
        ids.push(ext(
            "eid",
            &format!("2-s2.0-{}", 85_000_000_000u64 + n),
            "self",
        ));
    }
    if i.is_multiple_of(9) {
        ids.push(ext("pmid", &(30_000_000 + n).to_string(), "self"));
    }
    // The Scopus twin of a Crossref work carries the same title as well as the same DOI.
    let title = format!(
        "{} study of {} ({})",
        ADJECTIVES[doi_of % ADJECTIVES.len()],
        TOPICS[(doi_of / 3) % TOPICS.len()],
        doi_of + 1
    );
    let journal = (work_type == "journal-article").then_some("Annals of Plentiful Output");
    Seed {
        put_code: 1_100_000 + i as i64,
        hours: n * 6,
        source,
        visibility: Visibility::Public,
        data: data(&title, work_type, published, ids, journal),
    }
}
