//! Picks the `lang` ORCID's sign-in page should use from the browser's Accept-Language.

/// Languages ORCID's UI supports (orcid-api.md §2).
const ORCID_LANGS: &[&str] = &[
    "ar", "cs", "de", "en", "es", "fr", "it", "ja", "ko", "pl", "pt", "ru", "tr", "zh_CN", "zh_TW",
];

/// The first language in the header (by quality) that ORCID supports, in ORCID's spelling.
pub fn orcid_lang(accept_language: &str) -> Option<&'static str> {
    let mut prefs: Vec<(f32, usize, &str)> = accept_language
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut it = part.trim().split(';');
            let tag = it.next()?.trim();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (!tag.is_empty() && q > 0.0).then_some((q, i, tag))
        })
        .collect();
    prefs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    prefs.into_iter().find_map(|(_, _, tag)| map_tag(tag))
}

fn map_tag(tag: &str) -> Option<&'static str> {
    let lower = tag.to_ascii_lowercase().replace('_', "-");
    let mut parts = lower.split('-');
    let primary = parts.next()?;
    if primary == "zh" {
        let rest: Vec<&str> = parts.collect();
        let traditional = rest
            .iter()
            .any(|p| matches!(*p, "tw" | "hk" | "mo" | "hant"));
        return Some(if traditional { "zh_TW" } else { "zh_CN" });
    }
    ORCID_LANGS.iter().copied().find(|l| *l == primary)
}

#[cfg(test)]
mod tests {
    use super::orcid_lang;

    #[test]
    fn picks_supported_language_by_quality() {
        assert_eq!(orcid_lang("de-CH,de;q=0.9,en;q=0.8"), Some("de"));
        assert_eq!(orcid_lang("nl-NL,nl;q=0.9,fr;q=0.5,en;q=0.7"), Some("en"));
        assert_eq!(orcid_lang("zh-TW,zh;q=0.9"), Some("zh_TW"));
        assert_eq!(orcid_lang("zh-Hans-CN"), Some("zh_CN"));
        assert_eq!(orcid_lang("pt-BR"), Some("pt"));
        assert_eq!(orcid_lang("nl, sv;q=0.5"), None);
        assert_eq!(orcid_lang("fr;q=0, es"), Some("es"));
        assert_eq!(orcid_lang(""), None);
        assert_eq!(orcid_lang("*"), None);
        assert_eq!(orcid_lang("en;q=abc"), None);
    }
}
