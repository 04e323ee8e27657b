//! The 59 work `type` values of the ORCID API v3.0 (orcid-model `WorkType.java`, samples
//! `derived/work-types-v3.0.json`), with labels and groups for a grouped `<select>`.
//!
//! Groups and labels follow the ORCID registry's own "work type" menu (orcid-angular
//! `work-type-menu`, `WorkTypesLabels`; that menu offers `other` inside every group, here it
//! is in "Other"). Nine types are not in that menu because ORCID treats them as legacy
//! (API-only); they are listed in [`LEGACY`] and placed in the closest group.

/// One work type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkType {
    /// The API value, e.g. `journal-article`.
    pub slug: &'static str,
    /// The label ORCID shows, e.g. `Journal article`.
    pub label: &'static str,
    /// The menu group, one of [`GROUPS`].
    pub group: &'static str,
}

pub const ACADEMIC: &str = "Academic publications";
pub const REVIEW: &str = "Review and editing";
pub const DISSEMINATION: &str = "Dissemination";
pub const CREATIVE: &str = "Creative";
pub const DATA: &str = "Data and process";
pub const LEGAL: &str = "Legal and IP";
pub const TEACHING: &str = "Teaching and supervision";
pub const OTHER: &str = "Other";

/// The groups in menu order.
pub const GROUPS: [&str; 8] = [
    ACADEMIC,
    REVIEW,
    DISSEMINATION,
    CREATIVE,
    DATA,
    LEGAL,
    TEACHING,
    OTHER,
];

/// Types ORCID still accepts but no longer offers in its own menu.
pub const LEGACY: [&str; 9] = [
    "conference-abstract",
    "disclosure",
    "edited-book",
    "manual",
    "newsletter-article",
    "spin-off-company",
    "technical-standard",
    "test",
    "undefined",
];

const fn w(slug: &'static str, label: &'static str, group: &'static str) -> WorkType {
    WorkType { slug, label, group }
}

/// All 59 types, grouped, in menu order.
pub static WORK_TYPES: [WorkType; 59] = [
    w("journal-article", "Journal article", ACADEMIC),
    w("book", "Book", ACADEMIC),
    w("book-chapter", "Book chapter", ACADEMIC),
    w("conference-paper", "Conference paper", ACADEMIC),
    w("conference-output", "Conference output", ACADEMIC),
    w(
        "conference-presentation",
        "Conference presentation",
        ACADEMIC,
    ),
    w("conference-poster", "Conference poster", ACADEMIC),
    w("conference-proceedings", "Conference proceedings", ACADEMIC),
    w("preprint", "Preprint", ACADEMIC),
    w("dissertation-thesis", "Dissertation or thesis", ACADEMIC),
    w("working-paper", "Working paper", ACADEMIC),
    w("conference-abstract", "Conference abstract", ACADEMIC),
    w("edited-book", "Edited book", ACADEMIC),
    w("annotation", "Annotation", REVIEW),
    w("book-review", "Book review", REVIEW),
    w("journal-issue", "Journal issue or edition", REVIEW),
    w("review", "Review", REVIEW),
    w("transcription", "Transcription", REVIEW),
    w("translation", "Translation", REVIEW),
    w("blog-post", "Blog post", DISSEMINATION),
    w("dictionary-entry", "Dictionary entry", DISSEMINATION),
    w("encyclopedia-entry", "Encyclopedia entry", DISSEMINATION),
    w("magazine-article", "Magazine article", DISSEMINATION),
    w("newspaper-article", "Newspaper article", DISSEMINATION),
    w(
        "public-speech",
        "Talk, interview, podcast or speech",
        DISSEMINATION,
    ),
    w("report", "Report", DISSEMINATION),
    w("website", "Website", DISSEMINATION),
    w("newsletter-article", "Newsletter article", DISSEMINATION),
    w("manual", "Manual", DISSEMINATION),
    w(
        "artistic-performance",
        "Artistic output or performance",
        CREATIVE,
    ),
    w("design", "Design", CREATIVE),
    w("image", "Image", CREATIVE),
    w("online-resource", "Interactive resource", CREATIVE),
    w("moving-image", "Moving image or video", CREATIVE),
    w("musical-composition", "Musical composition", CREATIVE),
    w("sound", "Sound", CREATIVE),
    w("cartographic-material", "Cartographic material", DATA),
    w("clinical-study", "Clinical study", DATA),
    w("data-set", "Dataset", DATA),
    w("data-management-plan", "Data management plan", DATA),
    w("physical-object", "Physical object", DATA),
    w("research-technique", "Research protocol or technique", DATA),
    w("research-tool", "Research tool", DATA),
    w("software", "Software", DATA),
    w("invention", "Invention", LEGAL),
    w("license", "License", LEGAL),
    w("patent", "Patent", LEGAL),
    w("registered-copyright", "Registered copyright", LEGAL),
    w("standards-and-policy", "Standards or policy", LEGAL),
    w("trademark", "Trademark", LEGAL),
    w("disclosure", "Disclosure", LEGAL),
    w("technical-standard", "Technical standard", LEGAL),
    w("lecture-speech", "Lecture", TEACHING),
    w("learning-object", "Teaching material", TEACHING),
    w(
        "supervised-student-publication",
        "Supervised student publication",
        TEACHING,
    ),
    w("other", "Other", OTHER),
    w("spin-off-company", "Spin-off company", OTHER),
    w("test", "Test", OTHER),
    w("undefined", "Undefined", OTHER),
];

/// The type with this API value.
pub fn lookup(slug: &str) -> Option<&'static WorkType> {
    WORK_TYPES.iter().find(|t| t.slug == slug)
}

/// The label of a type; an unknown value is shown as itself.
pub fn label(slug: &str) -> &str {
    lookup(slug).map_or(slug, |t| t.label)
}

/// True for a type ORCID accepts but no longer offers in its menu (see [`LEGACY`]).
pub fn is_legacy(slug: &str) -> bool {
    LEGACY.contains(&slug)
}

/// The groups in menu order, each with its types, for `<optgroup>`s.
pub fn groups() -> impl Iterator<Item = (&'static str, Vec<&'static WorkType>)> {
    GROUPS.iter().map(|&group| {
        let types = WORK_TYPES.iter().filter(|t| t.group == group).collect();
        (group, types)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn sample_slugs() -> Vec<String> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/samples/derived/work-types-v3.0.json"
        );
        let text = std::fs::read_to_string(path).expect("work-types sample");
        let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        json["work_types"]
            .as_array()
            .expect("work_types array")
            .iter()
            .map(|v| v.as_str().expect("string").to_string())
            .collect()
    }

    #[test]
    fn all_59_types_are_present_and_unique() {
        let slugs: HashSet<&str> = WORK_TYPES.iter().map(|t| t.slug).collect();
        assert_eq!(slugs.len(), 59);
        let expected = sample_slugs();
        assert_eq!(expected.len(), 59);
        for s in &expected {
            assert!(slugs.contains(s.as_str()), "missing {s}");
        }
        let labels: HashSet<&str> = WORK_TYPES.iter().map(|t| t.label).collect();
        assert_eq!(labels.len(), 59, "labels are unique");
    }

    #[test]
    fn lookup_and_label() {
        assert_eq!(label("journal-article"), "Journal article");
        assert_eq!(label("book-chapter"), "Book chapter");
        assert_eq!(label("data-set"), "Dataset");
        assert_eq!(lookup("patent").map(|t| t.group), Some(LEGAL));
        assert_eq!(lookup("dissertation"), None, "v2 name, renamed in v3.0");
        assert_eq!(label("no-such-type"), "no-such-type");
        assert!(is_legacy("undefined") && !is_legacy("journal-article"));
    }

    #[test]
    fn groups_cover_every_type_once_in_order() {
        let groups: Vec<_> = groups().collect();
        assert_eq!(groups.len(), GROUPS.len());
        assert_eq!(groups[0].0, ACADEMIC);
        assert_eq!(groups[0].1[0].slug, "journal-article");
        let total: usize = groups.iter().map(|(_, ts)| ts.len()).sum();
        assert_eq!(total, 59);
        assert!(groups.iter().all(|(_, ts)| !ts.is_empty()));
        for t in &WORK_TYPES {
            assert!(GROUPS.contains(&t.group), "{} has unknown group", t.slug);
        }
        for l in LEGACY {
            assert!(lookup(l).is_some(), "legacy {l} is a known type");
        }
    }
}
