//! Closed vocabularies of the v3.0 work: types, relationships, citation types, contributor
//! roles and sequences, countries and language codes.

/// orcid-model `WorkType.java`, in declaration order (`derived/work-types-v3.0.json`).
pub(crate) const WORK_TYPES: [&str; 59] = [
    "annotation",
    "artistic-performance",
    "blog-post",
    "book-chapter",
    "book-review",
    "book",
    "cartographic-material",
    "clinical-study",
    "conference-abstract",
    "conference-output",
    "conference-paper",
    "conference-poster",
    "conference-presentation",
    "conference-proceedings",
    "data-management-plan",
    "data-set",
    "design",
    "dictionary-entry",
    "disclosure",
    "dissertation-thesis",
    "edited-book",
    "encyclopedia-entry",
    "image",
    "invention",
    "journal-article",
    "journal-issue",
    "learning-object",
    "lecture-speech",
    "license",
    "magazine-article",
    "manual",
    "moving-image",
    "musical-composition",
    "newsletter-article",
    "newspaper-article",
    "online-resource",
    "other",
    "patent",
    "physical-object",
    "preprint",
    "public-speech",
    "registered-copyright",
    "report",
    "research-technique",
    "research-tool",
    "review",
    "software",
    "sound",
    "spin-off-company",
    "standards-and-policy",
    "supervised-student-publication",
    "technical-standard",
    "test",
    "trademark",
    "transcription",
    "translation",
    "website",
    "working-paper",
    "undefined",
];

pub(crate) const RELATIONSHIPS: [&str; 4] = ["part-of", "self", "version-of", "funded-by"];
pub(crate) const RELATIONSHIP_ENUM: &str = "org.orcid.jaxb.model.common.Relationship";

pub(crate) const CITATION_TYPES: [&str; 9] = [
    "formatted-unspecified",
    "bibtex",
    "formatted-apa",
    "formatted-harvard",
    "formatted-ieee",
    "formatted-mla",
    "formatted-vancouver",
    "formatted-chicago",
    "ris",
];
pub(crate) const CITATION_TYPE_ENUM: &str = "org.orcid.jaxb.model.common.CitationType";

pub(crate) const SEQUENCES: [&str; 2] = ["first", "additional"];
pub(crate) const SEQUENCE_ENUM: &str = "org.orcid.jaxb.model.common.SequenceType";

pub(crate) const VISIBILITY_ENUM: &str = "org.orcid.jaxb.model.v3.release.common.Visibility";
pub(crate) const COUNTRY_ENUM: &str = "org.orcid.jaxb.model.common.Iso3166Country";

/// Legacy contributor roles (orcid-model `ContributorRole.java`).
pub(crate) const LEGACY_ROLES: [&str; 11] = [
    "author",
    "assignee",
    "editor",
    "chair-or-translator",
    "co-investigator",
    "co-inventor",
    "graduate-student",
    "other-inventor",
    "principal-investigator",
    "postdoctoral-researcher",
    "support-staff",
];

/// The 14 CRediT roles; v3.0 takes them as `http://credit.niso.org/contributor-roles/<slug>/`.
pub(crate) const CREDIT_ROLES: [&str; 14] = [
    "conceptualization",
    "data-curation",
    "formal-analysis",
    "funding-acquisition",
    "investigation",
    "methodology",
    "project-administration",
    "resources",
    "software",
    "supervision",
    "validation",
    "visualization",
    "writing-original-draft",
    "writing-review-editing",
];

pub(crate) fn credit_role_uri(slug: &str) -> String {
    format!("http://credit.niso.org/contributor-roles/{slug}/")
}

pub(crate) fn is_contributor_role(role: &str) -> bool {
    LEGACY_ROLES.contains(&role) || CREDIT_ROLES.iter().any(|s| credit_role_uri(s) == role)
}

/// Java's `List.toString()` of every accepted role, as ORCID prints `${validRoles}`.
pub(crate) fn valid_roles() -> String {
    let all: Vec<String> = LEGACY_ROLES
        .iter()
        .map(|r| (*r).to_owned())
        .chain(CREDIT_ROLES.iter().map(|s| credit_role_uri(s)))
        .collect();
    format!("[{}]", all.join(", "))
}

/// ISO 3166-1 alpha-2 codes (plus XK, which ORCID also accepts).
const COUNTRIES: &str =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL \
BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK \
DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU \
GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ \
LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY \
MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU \
RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO \
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

pub(crate) fn is_country(code: &str) -> bool {
    code.len() == 2 && COUNTRIES.split_whitespace().any(|c| c == code)
}

/// ISO 639-1 codes plus the regional Chinese variants ORCID lists.
const LANGUAGES: &str =
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch \
co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi \
ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky \
la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om \
or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te \
tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zh_CN zh_TW zu";

pub(crate) fn is_language(code: &str) -> bool {
    LANGUAGES.split_whitespace().any(|c| c == code)
}

pub(crate) fn languages_list() -> String {
    LANGUAGES.split_whitespace().collect::<Vec<_>>().join(", ")
}
