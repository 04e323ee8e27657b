//! The seeded test researchers, sources and identifiers tests can rely on.

use orcid::OrcidId;

/// The seeded test researchers: iD digits (without check digit) and name.
pub(crate) const RESEARCHERS: [(u64, &str, &str); 3] = [
    (900_012_345_678, "Sofia", "Garcia"),
    (900_087_654_321, "Tomás", "Ng"),
    (900_001_200_000, "Prolific", "Author"),
];

/// A seeded researcher's iD as a constant: derefs to (and converts into) an [`OrcidId`],
/// so `&PROLIFIC_AUTHOR` can be passed where `&OrcidId` is expected.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SeededOrcid(&'static str);

impl SeededOrcid {
    pub fn id(self) -> OrcidId {
        *self
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::ops::Deref for SeededOrcid {
    type Target = OrcidId;
    fn deref(&self) -> &OrcidId {
        static IDS: std::sync::LazyLock<[OrcidId; 3]> = std::sync::LazyLock::new(|| {
            RESEARCHERS.map(|(digits, _, _)| OrcidId::from_base_digits(digits))
        });
        let i = match self.0 {
            SOFIA_GARCIA_ORCID => 0,
            TOMAS_NG_ORCID => 1,
            _ => 2,
        };
        &IDS[i]
    }
}

impl From<SeededOrcid> for OrcidId {
    fn from(s: SeededOrcid) -> OrcidId {
        *s
    }
}

impl std::fmt::Debug for SeededOrcid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SeededOrcid({})", self.0)
    }
}

impl std::fmt::Display for SeededOrcid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// Sofia Garcia (see [`SOFIA_GARCIA_ORCID`]).
pub const SOFIA_GARCIA: SeededOrcid = SeededOrcid(SOFIA_GARCIA_ORCID);
/// Tomás Ng (see [`TOMAS_NG_ORCID`]).
pub const TOMAS_NG: SeededOrcid = SeededOrcid(TOMAS_NG_ORCID);
/// "Prolific Author", with [`PROLIFIC_AUTHOR_WORKS`] works (see [`PROLIFIC_AUTHOR_ORCID`]).
pub const PROLIFIC_AUTHOR: SeededOrcid = SeededOrcid(PROLIFIC_AUTHOR_ORCID);

/// Sofia Garcia, a seeded test researcher with a handful of works from other sources.
pub const SOFIA_GARCIA_ORCID: &str = "0009-0001-2345-6786";
/// Tomás Ng, a seeded test researcher with two works (a preprint grouped with its article).
pub const TOMAS_NG_ORCID: &str = "0009-0008-7654-3219";
/// "Prolific Author", a seeded test researcher with [`PROLIFIC_AUTHOR_WORKS`] public works.
pub const PROLIFIC_AUTHOR_ORCID: &str = "0009-0000-1200-0006";
pub const PROLIFIC_AUTHOR_WORKS: usize = 1200;
/// A DOI on one of Sofia Garcia's works from Crossref (put-code [`SEEDED_CROSSREF_PUT_CODE`])
/// and from Scopus. Another client may add it without conflict (only the same source
/// conflicts).
pub const SEEDED_CROSSREF_DOI: &str = "10.5555/idlink.demo.2021.001";
pub const SEEDED_CROSSREF_PUT_CODE: i64 = 1_000_001;

pub const CROSSREF_CLIENT_ID: &str = "APP-CROSSREF00000001";
pub const CROSSREF_NAME: &str = "Crossref Metadata Search";
pub const SCOPUS_CLIENT_ID: &str = "APP-SCOPUSELSEVIER01";
pub const SCOPUS_NAME: &str = "Scopus - Elsevier";
pub const DATACITE_CLIENT_ID: &str = "APP-DATACITE00000003";
pub const DATACITE_NAME: &str = "DataCite";
