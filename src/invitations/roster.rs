//! Reading a roster (`email,given_names,family_names,orcid,department`) and the single
//! invitation form by the same rules: each row is checked on its own (email syntax,
//! names, iD checksum) and against the rows before it (the same email or iD twice).
//! Nothing here looks anything up; [`super::intake`] does that next.

use std::collections::HashMap;

use crate::jobs::csv_rows::{FileError, Lines};
use crate::jobs::findings::Findings;
use crate::store::RowError;
use orcid::OrcidId;

/// The roster's columns, in the template's order.
pub const COLUMNS: [&str; 5] = [
    "email",
    "given_names",
    "family_names",
    "orcid",
    "department",
];

/// The largest roster accepted, in bytes and in rows.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
pub const MAX_ROWS: usize = 100_000;

/// Longest name or department kept (ORCID's name fields allow 100 characters).
const MAX_TEXT: usize = 100;

/// Findings about the roster as a whole: nothing in it can be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RosterError {
    #[error(
        "The file is empty. Choose the CSV file with the people to invite and upload it again."
    )]
    Empty,
    #[error("The file has a header row but no people under it.")]
    HeaderOnly,
    #[error(
        "The file is larger than 20 MB. Split it into smaller files and upload them one by one."
    )]
    TooLarge,
    #[error("The file has more than {MAX_ROWS} rows. Split it and upload the parts one by one.")]
    TooManyRows,
    #[error("The file is not UTF-8 text (line {0}). In your spreadsheet, save it as “CSV UTF-8” and upload it again.")]
    NotUtf8(u64),
    #[error("The file could not be read as CSV at line {0}. Save it as “CSV UTF-8” and upload it again.")]
    Unreadable(u64),
    #[error("The header row (line 1) has no column “{0}”. The first line must name the columns: email,given_names,family_names,orcid,department.")]
    MissingColumn(&'static str),
}

/// A person the checks accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterRow {
    pub line: i64,
    pub email: String,
    pub given_names: String,
    pub family_names: String,
    pub orcid: Option<OrcidId>,
    pub department: String,
}

#[derive(Debug, Clone, Default)]
pub struct ParsedRoster {
    pub rows_total: i64,
    pub findings: Findings,
    pub rows: Vec<RosterRow>,
}

/// What the single-invitation form sends, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub given_names: String,
    #[serde(default)]
    pub family_names: String,
    #[serde(default)]
    pub orcid: String,
    #[serde(default)]
    pub department: String,
}

/// The form's problems by field (the roster's column names), or the checked row.
pub fn check_form(form: &PersonForm) -> Result<RosterRow, Vec<RowError>> {
    let mut findings = Findings::default();
    let fields = [
        form.email.as_str(),
        &form.given_names,
        &form.family_names,
        &form.orcid,
        &form.department,
    ];
    match check_row(1, &fields, &mut findings) {
        Some(row) => Ok(row),
        None => Err(findings.kept()),
    }
}

/// Reads and checks a whole roster.
pub fn parse(bytes: &[u8]) -> Result<ParsedRoster, RosterError> {
    if bytes.len() > MAX_BYTES {
        return Err(RosterError::TooLarge);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(RosterError::Empty);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    // Physical line numbers, as the spreadsheet shows them (blank lines counted).
    let mut lines = Lines::new(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        None => return Err(RosterError::Empty),
        Some(r) => lines.text_fields(r).map_err(read_error)?.1,
    };
    let index = header_index(&header)?;
    let mut out = ParsedRoster::default();
    let mut seen = Seen::default();
    for record in records {
        let (line, record) = lines.text_fields(record).map_err(read_error)?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        out.rows_total += 1;
        if out.rows_total as usize > MAX_ROWS {
            return Err(RosterError::TooManyRows);
        }
        let line = i64::try_from(line).unwrap_or(i64::MAX);
        let fields: [&str; 5] =
            index.map(|i| i.and_then(|i| record.get(i)).map_or("", String::as_str));
        if let Some(row) = check_row(line, &fields, &mut out.findings) {
            if let Some(dup) = seen.duplicate(&row) {
                out.findings.push(dup);
            } else {
                out.rows.push(row);
            }
        }
    }
    if out.rows_total == 0 {
        return Err(RosterError::HeaderOnly);
    }
    Ok(out)
}

/// The template staff download: the header and two example rows.
pub fn template() -> String {
    format!(
        "{}\r\nada.lovelace@example.org,Ada,Lovelace,0000-0002-1825-0097,Mathematics\r\nalan.turing@example.org,Alan,Turing,,Computing\r\n",
        COLUMNS.join(",")
    )
}

fn read_error(e: FileError) -> RosterError {
    match e {
        FileError::NotUtf8 { line } => RosterError::NotUtf8(line),
        FileError::Unreadable { line } => RosterError::Unreadable(line),
        _ => RosterError::Unreadable(1),
    }
}

/// Where each column is; `email` and `given_names` must be there.
fn header_index(header: &[String]) -> Result<[Option<usize>; 5], RosterError> {
    let find = |name: &str| {
        header.iter().position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
    };
    let index = COLUMNS.map(find);
    for (i, required) in [(0, "email"), (1, "given_names")] {
        if index[i].is_none() {
            return Err(RosterError::MissingColumn(required));
        }
    }
    Ok(index)
}

/// Checks one row (`email, given_names, family_names, orcid, department`).
fn check_row(line: i64, fields: &[&str; 5], findings: &mut Findings) -> Option<RosterRow> {
    let mut ok = true;
    let mut report = |column: &str, message: String| {
        ok = false;
        findings.push(RowError {
            line,
            column: column.into(),
            message,
        });
    };
    let [email, given, family, orcid, department] = fields.map(str::trim);
    if email.is_empty() {
        report(
            "email",
            "The email address is empty; it is required.".into(),
        );
    } else if !email_address::EmailAddress::is_valid(email) || !email.contains('.') {
        report(
            "email",
            format!("“{email}” is not an email address like name@example.org."),
        );
    }
    if given.is_empty() {
        report(
            "given_names",
            "The given names are empty; they are required to greet the person.".into(),
        );
    }
    for (column, value, label) in [
        ("given_names", given, "given names"),
        ("family_names", family, "family names"),
        ("department", department, "department"),
    ] {
        if value.chars().count() > MAX_TEXT {
            report(
                column,
                format!("The {label} are longer than {MAX_TEXT} characters."),
            );
        } else if value.chars().any(char::is_control) {
            report(
                column,
                format!("The {label} hold a line break or a control character."),
            );
        }
    }
    let orcid = match orcid {
        "" => None,
        raw => match OrcidId::parse(raw) {
            Ok(id) => Some(id),
            Err(e) => {
                report("orcid", format!("{raw} is not a valid ORCID iD: {e}."));
                None
            }
        },
    };
    ok.then(|| RosterRow {
        line,
        email: email.to_string(),
        given_names: given.to_string(),
        family_names: family.to_string(),
        orcid,
        department: department.to_string(),
    })
}

/// Emails (case-insensitive) and iDs already seen, with their first line.
#[derive(Default)]
struct Seen {
    emails: HashMap<String, i64>,
    orcids: HashMap<OrcidId, i64>,
}

impl Seen {
    fn duplicate(&mut self, row: &RosterRow) -> Option<RowError> {
        let email = row.email.to_lowercase();
        if let Some(first) = self.emails.get(&email) {
            return Some(RowError {
                line: row.line,
                column: "email".into(),
                message: format!(
                    "Duplicate of line {first}: the same email address. Only line {first} is kept."
                ),
            });
        }
        if let Some(id) = &row.orcid {
            if let Some(first) = self.orcids.get(id) {
                return Some(RowError {
                    line: row.line,
                    column: "orcid".into(),
                    message: format!(
                        "Duplicate of line {first}: the same ORCID iD {id}. Only line {first} is kept."
                    ),
                });
            }
            self.orcids.insert(*id, row.line);
        }
        self.emails.insert(email, row.line);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(f: &Findings) -> Vec<(i64, String)> {
        f.kept().into_iter().map(|e| (e.line, e.column)).collect()
    }

    #[test]
    fn rows_are_checked_and_duplicates_reported() {
        let csv = "email,given_names,family_names,orcid,department\n\
                   ada@example.org,Ada,Lovelace,0000-0002-1825-0097,Maths\n\
                   not-an-email,Bob,B,,\n\
                   carol@example.org,Carol,C,0000-0002-1825-0098,\n\
                   ADA@example.org,Ada,Again,,\n\
                   dan@example.org,Dan,D,0000-0002-1825-0097,\n\
                   erin@example.org,,E,,\n\
                   \n\
                   fay@example.org,Fay,F,,Physics\n";
        let parsed = parse(csv.as_bytes()).unwrap();
        assert_eq!(parsed.rows_total, 7);
        let kept: Vec<&str> = parsed.rows.iter().map(|r| r.email.as_str()).collect();
        assert_eq!(kept, ["ada@example.org", "fay@example.org"]);
        assert_eq!(
            lines(&parsed.findings),
            [
                (3, "email".into()),
                (4, "orcid".into()),
                (5, "email".into()),
                (6, "orcid".into()),
                (7, "given_names".into())
            ]
        );
        assert_eq!(parsed.rows[1].line, 9);
    }

    #[test]
    fn file_level_problems_are_refused_whole() {
        assert_eq!(parse(b"").unwrap_err(), RosterError::Empty);
        assert_eq!(
            parse(b"email,given_names\n").unwrap_err(),
            RosterError::HeaderOnly
        );
        assert_eq!(
            parse(b"mail,given_names\nx@example.org,X\n").unwrap_err(),
            RosterError::MissingColumn("email")
        );
    }

    #[test]
    fn the_form_names_each_bad_field() {
        let errors = check_form(&PersonForm {
            email: "nope".into(),
            orcid: "0000-0002-1825-0098".into(),
            ..Default::default()
        })
        .unwrap_err();
        let columns: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(columns, ["email", "given_names", "orcid"]);
    }
}
