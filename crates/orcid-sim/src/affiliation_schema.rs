//! The JSON shape ORCID's Jackson binding accepts for an affiliation of each of the seven
//! sections (common-3.0.xsd `affiliation`), for the unknown-property check (9047) that
//! [`super::work_conform`] makes. Shared pieces come from [`super::work_schema`].

use orcid::model::AffiliationSection;

use super::work_schema::{
    Class, Kind, CREATED, DAY, EXT_IDS, MODIFIED, MONTH, PKG_COMMON, PKG_RECORD, SOURCE, URL, YEAR,
};

static FUZZY_DATE: Class = Class {
    pkg: PKG_COMMON,
    name: "FuzzyDate",
    fields: &[
        ("year", Kind::Obj(&YEAR)),
        ("month", Kind::Obj(&MONTH)),
        ("day", Kind::Obj(&DAY)),
    ],
};
static ADDRESS: Class = Class {
    pkg: PKG_COMMON,
    name: "OrganizationAddress",
    fields: &[
        ("city", Kind::Str),
        ("region", Kind::Str),
        ("country", Kind::Str),
    ],
};
static DISAMBIGUATED: Class = Class {
    pkg: PKG_COMMON,
    name: "DisambiguatedOrganization",
    fields: &[
        ("disambiguated-organization-identifier", Kind::Str),
        ("disambiguation-source", Kind::Str),
    ],
};
static ORGANIZATION: Class = Class {
    pkg: PKG_COMMON,
    name: "Organization",
    fields: &[
        ("name", Kind::Str),
        ("address", Kind::Obj(&ADDRESS)),
        ("disambiguated-organization", Kind::Obj(&DISAMBIGUATED)),
    ],
};

/// The properties of `common:affiliation` and its base `element-summary`.
const FIELDS: &[(&str, Kind)] = &[
    ("created-date", Kind::Obj(&CREATED)),
    ("last-modified-date", Kind::Obj(&MODIFIED)),
    ("source", Kind::Obj(&SOURCE)),
    ("put-code", Kind::Num),
    ("path", Kind::Str),
    ("visibility", Kind::Str),
    ("display-index", Kind::Str),
    ("department-name", Kind::Str),
    ("role-title", Kind::Str),
    ("start-date", Kind::Obj(&FUZZY_DATE)),
    ("end-date", Kind::Obj(&FUZZY_DATE)),
    ("organization", Kind::Obj(&ORGANIZATION)),
    ("url", Kind::Obj(&URL)),
    ("external-ids", Kind::Obj(&EXT_IDS)),
];

macro_rules! section_class {
    ($ident:ident, $name:literal) => {
        static $ident: Class = Class {
            pkg: PKG_RECORD,
            name: $name,
            fields: FIELDS,
        };
    };
}

section_class!(EMPLOYMENT, "Employment");
section_class!(EDUCATION, "Education");
section_class!(QUALIFICATION, "Qualification");
section_class!(INVITED_POSITION, "InvitedPosition");
section_class!(DISTINCTION, "Distinction");
section_class!(MEMBERSHIP, "Membership");
section_class!(SERVICE, "Service");

/// The class a body for `section` binds to.
pub(crate) fn class_of(section: AffiliationSection) -> &'static Class {
    match section {
        AffiliationSection::Employment => &EMPLOYMENT,
        AffiliationSection::Education => &EDUCATION,
        AffiliationSection::Qualification => &QUALIFICATION,
        AffiliationSection::InvitedPosition => &INVITED_POSITION,
        AffiliationSection::Distinction => &DISTINCTION,
        AffiliationSection::Membership => &MEMBERSHIP,
        AffiliationSection::Service => &SERVICE,
    }
}
