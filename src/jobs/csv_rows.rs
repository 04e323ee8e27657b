//! Reading a staff member's CSV upload. The file is checked as a whole first (encoding,
//! header); then each row becomes the researcher form's [`WorkForm`] and is checked by
//! the very same rules, each finding tied to a line and a column.

use std::collections::HashMap;

use super::findings::Findings;
use crate::store::RowError;
use crate::works::form::{IdRow, WorkForm};
use orcid::model::Work;
use orcid::OrcidId;

pub mod affiliations;
mod file;
mod limits;
mod terms;

pub use file::Layout;
pub(crate) use file::Lines;
use file::{parse_rows, row_start, Header};
pub use limits::Limits;

use terms::{in_csv_terms, IdSource};

/// The columns of an upload, in the template's order.
pub const COLUMNS: [&str; 12] = [
    "orcid",
    "title",
    "type",
    "year",
    "month",
    "day",
    "journal_title",
    "url",
    "doi",
    "external_id_type",
    "external_id_value",
    "short_description",
];

// The settings' floor holds every template, so the two cannot drift apart.
const _: () = assert!(
    COLUMNS.len() <= crate::config::UPLOAD_MIN_COLUMNS
        && affiliations::COLUMNS.len() <= crate::config::UPLOAD_MIN_COLUMNS
);

/// Columns the header must name.
pub const REQUIRED: [&str; 3] = ["orcid", "title", "type"];

/// The largest file accepted; larger uploads are refused with a message, whole.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// Findings about the file as a whole: nothing in it can be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("The file is empty. Choose the CSV file with your works and upload it again.")]
    Empty,
    #[error("The file has a header row but no works under it.")]
    HeaderOnly,
    #[error("The file is larger than 20 MB. Split it into smaller files (for example 50,000 rows each) and upload them one by one.")]
    TooLarge,
    #[error("The file is not UTF-8 text: line {line} holds characters in another encoding. In your spreadsheet, save it as “CSV UTF-8” and upload it again.")]
    NotUtf8 { line: u64 },
    #[error("This is not a CSV file: it looks like {0}. In your spreadsheet, save it as “CSV UTF-8” and upload that file.")]
    NotCsv(&'static str),
    #[error("The file could not be read as CSV at line {line}. Save it as “CSV UTF-8” and upload it again.")]
    Unreadable { line: u64 },
    #[error("The values on the header row are separated by “{0}”, not by commas. Save the file as “CSV UTF-8” (comma-separated) and upload it again.")]
    Separator(char),
    #[error("The header row (line 1) has no column {}. The first line must name the columns: {}.", quoted(.0), COLUMNS.join(","))]
    MissingColumns(Vec<&'static str>),
    #[error("The header row (line 1) has no column {}. The first line must name the columns: {}.", quoted(.missing), .columns.join(","))]
    MissingColumnsIn {
        missing: Vec<&'static str>,
        columns: &'static [&'static str],
    },
    #[error(
        "The header row (line 1) names the column “{0}” twice. Keep one and upload the file again."
    )]
    DuplicateColumn(String),
    #[error("Line {line} has more than {max} values; idlink reads at most {max} columns. Delete the extra columns and upload the file again.")]
    TooManyColumns { line: usize, max: usize },
    #[error("The file has more than {max} rows. Split it into files of at most {max} rows and upload them one by one.")]
    TooManyRows { max: usize },
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("“{n}”"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A row that passed every check of its own; the researcher's grant is checked later.
#[derive(Debug, Clone)]
pub struct ParsedRow {
    pub line: i64,
    pub orcid: OrcidId,
    pub form: WorkForm,
    pub work: Work,
    /// Normalised self identifiers: what makes two rows the same work.
    pub identity: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct ParsedFile<R = ParsedRow> {
    /// Data rows in the file (blank rows not counted).
    pub rows_total: i64,
    /// Warnings about the header (line 1) and findings about rows (bounded).
    pub findings: Findings,
    pub rows: Vec<R>,
}

impl<R> Default for ParsedFile<R> {
    fn default() -> Self {
        Self {
            rows_total: 0,
            findings: Findings::default(),
            rows: Vec::new(),
        }
    }
}

/// The works upload.
pub const WORKS: Layout = Layout {
    columns: &COLUMNS,
    required: &REQUIRED,
};

/// Reads and checks a whole upload. `record_host` is ORCID's host for iDs in the works.
/// A file past `limits` is refused before any of its rows is read.
pub fn parse(bytes: &[u8], record_host: &str, limits: &Limits) -> Result<ParsedFile, FileError> {
    let mut seen: HashMap<(OrcidId, (String, String)), i64> = HashMap::new();
    parse_rows(bytes, limits, &WORKS, |header, line, fields, findings| {
        let row = check_row(header, line, fields, record_host, findings)?;
        match duplicate_of(&row, &mut seen) {
            Some(dup) => {
                findings.push(dup);
                None
            }
            None => Some(row),
        }
    })
}

/// What a spreadsheet downloads as the template: the header and one example row.
pub fn template() -> String {
    let example = [
        "0000-0002-1825-0097",
        "Ocean heat content since 1950",
        "journal-article",
        "2024",
        "5",
        "",
        "Journal of Oceans",
        "",
        "10.5555/ocean.2024.17",
        "",
        "",
        "",
    ];
    format!("{}\r\n{}\r\n", COLUMNS.join(","), example.join(","))
}

/// Checks one data row; findings go to `findings`, a row without any is returned.
fn check_row(
    header: &Header,
    line: u64,
    fields: &[String],
    record_host: &str,
    findings: &mut Findings,
) -> Option<ParsedRow> {
    let (line, orcid) = row_start(header, line, fields, findings)?;
    let mut report = |column: &str, message: String| findings.report(line, column, message);
    let (form, sources) = form_of(header, fields);
    let work = match form.validate(record_host) {
        Ok(work) => Some(work),
        Err(errors) => {
            for error in errors {
                let (column, message) = in_csv_terms(&error.field, error.message, &form, &sources);
                report(column, message);
            }
            None
        }
    };
    let (orcid, work) = (orcid?, work?);
    let identity = form.identity();
    Some(ParsedRow {
        line,
        orcid,
        form,
        work,
        identity,
    })
}

/// The row as the researcher form would hold it.
fn form_of(header: &Header, fields: &[String]) -> (WorkForm, Vec<IdSource>) {
    let get = |c: &str| header.get(fields, c);
    let mut ids = Vec::new();
    let mut sources = Vec::new();
    if !get("doi").is_empty() {
        ids.push(IdRow {
            id_type: "doi".into(),
            value: get("doi").into(),
            relationship: "self".into(),
        });
        sources.push(IdSource::Doi);
    }
    let (ext_type, ext_value) = (get("external_id_type"), get("external_id_value"));
    if !ext_type.is_empty() || !ext_value.is_empty() {
        ids.push(IdRow {
            id_type: ext_type.to_lowercase(),
            value: ext_value.into(),
            relationship: "self".into(),
        });
        sources.push(IdSource::External);
    }
    let form = WorkForm {
        title: get("title").into(),
        work_type: get("type").to_lowercase(),
        year: get("year").into(),
        month: get("month").into(),
        day: get("day").into(),
        journal_title: get("journal_title").into(),
        url: get("url").into(),
        short_description: get("short_description").into(),
        ids,
        ..WorkForm::default()
    };
    (form, sources)
}

/// A second row for the same researcher with an identifier an earlier row has: ORCID
/// would refuse it as a duplicate, so only the first is kept.
fn duplicate_of(
    row: &ParsedRow,
    seen: &mut HashMap<(OrcidId, (String, String)), i64>,
) -> Option<RowError> {
    for id in &row.identity {
        if let Some(first) = seen.get(&(row.orcid, id.clone())) {
            let column =
                if id.0 == "doi" && !row.form.ids.is_empty() && row.form.ids[0].id_type == "doi" {
                    "doi"
                } else {
                    "external_id_value"
                };
            return Some(RowError {
                line: row.line,
                column: column.into(),
                message: format!(
                    "Duplicate of line {first}: the same researcher and the same identifier ({} {}). Only line {first} is kept.",
                    id.0, id.1
                ),
            });
        }
    }
    for id in &row.identity {
        seen.insert((row.orcid, id.clone()), row.line);
    }
    None
}

#[cfg(test)]
#[path = "csv_rows_tests.rs"]
mod tests;
