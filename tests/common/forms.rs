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

/// A multipart body with the csrf field first, then the file, as the upload form sends it.
pub fn multipart(csrf: &str, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----idlinkTestBoundary7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
