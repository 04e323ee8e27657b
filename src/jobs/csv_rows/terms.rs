//! The form's findings said in terms of the file: which column, and words that fit a
//! CSV (the form speaks of lists to choose from). The rules themselves stay in the form.

use crate::works::form::WorkForm;

/// Where each identifier of the form came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdSource {
    Doi,
    External,
}

/// The column and the message for one of the form's findings.
pub fn in_csv_terms(
    field: &str,
    message: String,
    form: &WorkForm,
    sources: &[IdSource],
) -> (&'static str, String) {
    match field {
        "title" if form.title.is_empty() => ("title", "The title is empty; it is required.".into()),
        "title" => ("title", message),
        "type" if form.work_type.is_empty() => (
            "type",
            "The type is empty; it is required (for example journal-article).".into(),
        ),
        "type" => (
            "type",
            format!(
                "“{}” is not an ORCID work type. Use one of the types listed on the upload page, for example journal-article.",
                form.work_type
            ),
        ),
        "date" => date_terms(message, form),
        "ids" => (
            "doi",
            "No identifier: fill in doi, or external_id_type and external_id_value. ORCID requires one.".into(),
        ),
        f if f.starts_with("id_") => id_terms(f, message, form, sources),
        "journal_title" => ("journal_title", message),
        "url" => ("url", message),
        "short_description" => ("short_description", message),
        _ => ("(row)", message),
    }
}

fn date_terms(message: String, form: &WorkForm) -> (&'static str, String) {
    // Which part is wrong: the form's own date rule, asked about the year alone, then
    // the year and month.
    let date_ok = |year: &str, month: &str| {
        let probe = WorkForm {
            year: year.into(),
            month: month.into(),
            ..WorkForm::default()
        };
        probe
            .validate("")
            .err()
            .is_none_or(|e| e.get("date").is_none())
    };
    if form.year.is_empty() {
        return (
            "year",
            "A month or day needs the year: fill in the year as four digits, e.g. 2024.".into(),
        );
    }
    if !date_ok(&form.year, "") {
        return ("year", message);
    }
    if !date_ok(&form.year, &form.month) {
        return (
            "month",
            format!(
                "“{}” is not a month: use a number from 1 to 12, or leave it empty.",
                form.month
            ),
        );
    }
    if form.month.is_empty() {
        return (
            "day",
            "A day needs a month: fill in the month too, or leave the day empty.".into(),
        );
    }
    ("day", message)
}

fn id_terms(
    field: &str,
    message: String,
    form: &WorkForm,
    sources: &[IdSource],
) -> (&'static str, String) {
    let n: usize = field
        .trim_start_matches("id_")
        .parse()
        .unwrap_or(usize::MAX);
    let row = form.ids.get(n);
    match (sources.get(n), row) {
        (Some(IdSource::Doi), Some(r)) => ("doi", format!("“{}”: {message}", r.value)),
        (Some(IdSource::External), Some(r)) if r.id_type.is_empty() => (
            "external_id_type",
            "external_id_value is filled in but external_id_type is empty.".into(),
        ),
        (Some(IdSource::External), Some(r)) if r.value.is_empty() => (
            "external_id_value",
            "external_id_type is filled in but external_id_value is empty.".into(),
        ),
        (Some(IdSource::External), Some(r)) if !orcid::external_ids::is_known_type(&r.id_type) => (
            "external_id_type",
            format!(
                "“{}” is not an identifier type ORCID knows (for example isbn, pmid, handle, uri).",
                r.id_type
            ),
        ),
        (Some(IdSource::External), Some(r)) => {
            ("external_id_value", format!("“{}”: {message}", r.value))
        }
        _ => ("doi", message),
    }
}
