//! Forms as a person fills them in, without the CSRF token: `post_form` adds the one
//! from the page, and `post_fields` callers put their own first.

/// The add-work (or edit-work) form for a journal article from July 2023 with one DOI
/// and one author. Tests change a field with `retain` and `push`.
pub fn work_form<'a>(title: &'a str, doi: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("title", title),
        ("type", "journal-article"),
        ("year", "2023"),
        ("month", "07"),
        ("day", ""),
        ("journal_title", "Journal of Tests"),
        ("url", ""),
        ("id_type_0", "doi"),
        ("id_value_0", doi),
        ("id_rel_0", "self"),
        ("contrib_name_0", "Ada Lovelace"),
        ("contrib_orcid_0", ""),
        ("contrib_role_0", "author"),
        ("short_description", ""),
    ]
}

/// `fields` after a CSRF field holding `token`: a form whose token the test chose.
pub fn with_token<'a>(token: &'a str, fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![("csrf", token)];
    form.extend_from_slice(fields);
    form
}
