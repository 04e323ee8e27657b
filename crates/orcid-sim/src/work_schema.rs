//! The JSON shape ORCID's Jackson binding accepts for a work: every known property of every
//! nested class, with the Java class names Jackson's messages use. The check itself is in
//! [`super::work_conform`].

pub(crate) const PKG_RECORD: &str = "org.orcid.jaxb.model.v3.release.record";
pub(crate) const PKG_COMMON: &str = "org.orcid.jaxb.model.v3.release.common";

#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// A string (numbers and booleans are coerced, as Jackson does).
    Str,
    /// A whole number, or a string holding one.
    Num,
    Bool,
    Obj(&'static Class),
    List(&'static Class),
    /// A plain string or the `{"value"}` object (`contributor-email` appears both ways).
    StrOrObj(&'static Class),
}

pub(crate) struct Class {
    pub pkg: &'static str,
    pub name: &'static str,
    pub fields: &'static [(&'static str, Kind)],
}

impl Class {
    pub fn full_name(&self) -> String {
        format!("{}.{}", self.pkg, self.name)
    }
}

macro_rules! value_class {
    ($ident:ident, $name:literal, $kind:expr) => {
        pub(crate) static $ident: Class = Class {
            pkg: PKG_COMMON,
            name: $name,
            fields: &[("value", $kind)],
        };
    };
}

value_class!(TITLE, "Title", Kind::Str);
value_class!(SUBTITLE, "Subtitle", Kind::Str);
value_class!(YEAR, "Year", Kind::Str);
value_class!(MONTH, "Month", Kind::Str);
value_class!(DAY, "Day", Kind::Str);
value_class!(URL, "Url", Kind::Str);
value_class!(COUNTRY, "Country", Kind::Str);
value_class!(CREDIT_NAME, "CreditName", Kind::Str);
value_class!(EMAIL, "ContributorEmail", Kind::Str);
value_class!(SOURCE_NAME, "SourceName", Kind::Str);
value_class!(CREATED, "CreatedDate", Kind::Num);
value_class!(MODIFIED, "LastModifiedDate", Kind::Num);

const URI_PATH_HOST: &[(&str, Kind)] =
    &[("uri", Kind::Str), ("path", Kind::Str), ("host", Kind::Str)];

static TRANSLATED: Class = Class {
    pkg: PKG_COMMON,
    name: "TranslatedTitle",
    fields: &[("value", Kind::Str), ("language-code", Kind::Str)],
};
static WORK_TITLE: Class = Class {
    pkg: PKG_RECORD,
    name: "WorkTitle",
    fields: &[
        ("title", Kind::Obj(&TITLE)),
        ("subtitle", Kind::Obj(&SUBTITLE)),
        ("translated-title", Kind::Obj(&TRANSLATED)),
    ],
};
static CITATION: Class = Class {
    pkg: PKG_RECORD,
    name: "Citation",
    fields: &[("citation-type", Kind::Str), ("citation-value", Kind::Str)],
};
static PUB_DATE: Class = Class {
    pkg: PKG_COMMON,
    name: "PublicationDate",
    fields: &[
        ("year", Kind::Obj(&YEAR)),
        ("month", Kind::Obj(&MONTH)),
        ("day", Kind::Obj(&DAY)),
    ],
};
static NORMALIZED: Class = Class {
    pkg: PKG_COMMON,
    name: "TransientNonEmptyString",
    fields: &[("value", Kind::Str), ("transient", Kind::Bool)],
};
static NORMALIZED_ERROR: Class = Class {
    pkg: PKG_COMMON,
    name: "TransientError",
    fields: &[
        ("error-code", Kind::Str),
        ("error-message", Kind::Str),
        ("transient", Kind::Bool),
    ],
};
static EXT_ID: Class = Class {
    pkg: PKG_RECORD,
    name: "ExternalID",
    fields: &[
        ("external-id-type", Kind::Str),
        ("external-id-value", Kind::Str),
        ("external-id-normalized", Kind::Obj(&NORMALIZED)),
        ("external-id-normalized-error", Kind::Obj(&NORMALIZED_ERROR)),
        ("external-id-url", Kind::Obj(&URL)),
        ("external-id-relationship", Kind::Str),
    ],
};
pub(crate) static EXT_IDS: Class = Class {
    pkg: PKG_RECORD,
    name: "ExternalIDs",
    fields: &[("external-id", Kind::List(&EXT_ID))],
};
static CONTRIBUTOR_ORCID: Class = Class {
    pkg: PKG_COMMON,
    name: "ContributorOrcid",
    fields: URI_PATH_HOST,
};
static ATTRIBUTES: Class = Class {
    pkg: PKG_COMMON,
    name: "ContributorAttributes",
    fields: &[
        ("contributor-sequence", Kind::Str),
        ("contributor-role", Kind::Str),
    ],
};
static CONTRIBUTOR: Class = Class {
    pkg: PKG_COMMON,
    name: "Contributor",
    fields: &[
        ("contributor-orcid", Kind::Obj(&CONTRIBUTOR_ORCID)),
        ("credit-name", Kind::Obj(&CREDIT_NAME)),
        ("contributor-email", Kind::StrOrObj(&EMAIL)),
        ("contributor-attributes", Kind::Obj(&ATTRIBUTES)),
    ],
};
static CONTRIBUTORS: Class = Class {
    pkg: PKG_RECORD,
    name: "WorkContributors",
    fields: &[("contributor", Kind::List(&CONTRIBUTOR))],
};
static SOURCE_ORCID: Class = Class {
    pkg: PKG_COMMON,
    name: "SourceOrcid",
    fields: URI_PATH_HOST,
};
static SOURCE_CLIENT: Class = Class {
    pkg: PKG_COMMON,
    name: "SourceClientId",
    fields: URI_PATH_HOST,
};
pub(crate) static SOURCE: Class = Class {
    pkg: PKG_COMMON,
    name: "Source",
    fields: &[
        ("source-orcid", Kind::Obj(&SOURCE_ORCID)),
        ("source-client-id", Kind::Obj(&SOURCE_CLIENT)),
        ("source-name", Kind::Obj(&SOURCE_NAME)),
        ("assertion-origin-orcid", Kind::Obj(&SOURCE_ORCID)),
        ("assertion-origin-client-id", Kind::Obj(&SOURCE_CLIENT)),
        ("assertion-origin-name", Kind::Obj(&SOURCE_NAME)),
    ],
};

/// The 17 known Work properties, in the order ORCID lists them (`put_work_error.json`).
pub(crate) static WORK: Class = Class {
    pkg: PKG_RECORD,
    name: "Work",
    fields: &[
        ("journal-title", Kind::Obj(&TITLE)),
        ("path", Kind::Str),
        ("citation", Kind::Obj(&CITATION)),
        ("put-code", Kind::Num),
        ("publication-date", Kind::Obj(&PUB_DATE)),
        ("visibility", Kind::Str),
        ("created-date", Kind::Obj(&CREATED)),
        ("external-ids", Kind::Obj(&EXT_IDS)),
        ("title", Kind::Obj(&WORK_TITLE)),
        ("type", Kind::Str),
        ("last-modified-date", Kind::Obj(&MODIFIED)),
        ("language-code", Kind::Str),
        ("short-description", Kind::Str),
        ("url", Kind::Obj(&URL)),
        ("country", Kind::Obj(&COUNTRY)),
        ("contributors", Kind::Obj(&CONTRIBUTORS)),
        ("source", Kind::Obj(&SOURCE)),
    ],
};

static BULK_ELEMENT: Class = Class {
    pkg: "org.orcid.jaxb.model.record.bulk",
    name: "BulkElement",
    fields: &[("work", Kind::Obj(&WORK))],
};

/// `POST /v3.0/{orcid}/works`: `{"bulk":[{"work":{…}},…]}`.
pub(crate) static WORK_BULK: Class = Class {
    pkg: PKG_RECORD,
    name: "WorkBulk",
    fields: &[("bulk", Kind::List(&BULK_ELEMENT))],
};
