//! Reading any upload as a file: refusing what is not CSV text, counting physical lines,
//! the header (which columns, warnings about unknown ones) and the checks every row of
//! every kind shares (its width, its iD). What a row means is its kind's.

use std::collections::HashMap;

use orcid::OrcidId;

use super::{limits, FileError, Findings, Limits, ParsedFile, COLUMNS};
use crate::store::RowError;

/// Which columns an upload of one kind reads, and which its header must name.
pub struct Layout {
    pub columns: &'static [&'static str],
    pub required: &'static [&'static str],
}

impl Layout {
    fn missing(&self, missing: Vec<&'static str>) -> FileError {
        if self.columns == COLUMNS.as_slice() {
            FileError::MissingColumns(missing)
        } else {
            FileError::MissingColumnsIn {
                missing,
                columns: self.columns,
            }
        }
    }
}

/// Reads an upload of any kind: the file and header are checked here, each data row by
/// `check`, which reports its findings and returns the row when it has none.
pub(super) fn parse_rows<R>(
    bytes: &[u8],
    limits: &Limits,
    layout: &Layout,
    mut check: impl FnMut(&Header, u64, &[String], &mut Findings) -> Option<R>,
) -> Result<ParsedFile<R>, FileError> {
    let bytes = sniff(bytes)?;
    limits::check(bytes, limits)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let mut lines = Lines::new(bytes);
    let (header, mut out) = match records.next() {
        None => return Err(FileError::Empty),
        Some(first) => {
            let fields = lines.text_fields(first)?;
            let header = Header::read(&fields.1, layout)?;
            let mut out = ParsedFile::default();
            for warning in &header.warnings {
                out.findings.push(warning.clone());
            }
            (header, out)
        }
    };
    for record in records {
        let (line, fields) = lines.text_fields(record)?;
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        out.rows_total += 1;
        if let Some(row) = check(&header, line, &fields, &mut out.findings) {
            out.rows.push(row);
        }
    }
    if out.rows_total == 0 {
        return Err(FileError::HeaderOnly);
    }
    Ok(out)
}

/// Refuses what is plainly not a CSV text file; strips a UTF-8 byte-order mark.
fn sniff(bytes: &[u8]) -> Result<&[u8], FileError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(FileError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(FileError::NotCsv(
            "a spreadsheet workbook (.xlsx) or another zip file",
        ));
    }
    if bytes.starts_with(b"%PDF") {
        return Err(FileError::NotCsv("a PDF document"));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(FileError::NotUtf8 { line: 1 });
    }
    let head = &bytes[..bytes.len().min(64 * 1024)];
    if head.contains(&0) {
        return Err(FileError::NotCsv(
            "a binary file (an image, a program, a database…)",
        ));
    }
    Ok(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
}

/// Physical line numbers from byte offsets (the csv crate does not count newlines
/// inside quoted values), counted forward once over the file.
pub(crate) struct Lines<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Lines {
            bytes,
            at: 0,
            line: 1,
        }
    }
}

impl Lines<'_> {
    fn of(&mut self, pos: Option<&csv::Position>) -> u64 {
        let to = pos.map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        // A record's offset can point at the previous record's line ending: step over
        // line endings (and blank lines) to where the record's text begins.
        let mut to = to.min(self.bytes.len());
        while self
            .bytes
            .get(to)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            to += 1;
        }
        if to > self.at {
            self.line += self.bytes[self.at..to]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            self.at = to;
        }
        self.line
    }

    /// A record's line and its fields as text, or the line that is not UTF-8.
    pub(crate) fn text_fields(
        &mut self,
        r: Result<csv::ByteRecord, csv::Error>,
    ) -> Result<(u64, Vec<String>), FileError> {
        let record = match r {
            Ok(r) => r,
            Err(e) => {
                return Err(FileError::Unreadable {
                    line: self.of(e.position()),
                })
            }
        };
        let line = self.of(record.position());
        let fields = record
            .iter()
            .map(|f| std::str::from_utf8(f).map(str::to_string))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| FileError::NotUtf8 { line })?;
        Ok((line, fields))
    }
}

/// The header: where each known column is, and warnings about the others.
pub(super) struct Header {
    index: HashMap<&'static str, usize>,
    width: usize,
    warnings: Vec<RowError>,
}

impl Header {
    fn read(names: &[String], layout: &Layout) -> Result<Self, FileError> {
        if let [only] = names {
            for sep in [';', '\t', '|'] {
                if only.contains(sep) {
                    return Err(FileError::Separator(sep));
                }
            }
        }
        let mut index = HashMap::new();
        let mut warnings = Vec::new();
        for (i, raw) in names.iter().enumerate() {
            let name = raw.trim().to_lowercase();
            if name.is_empty() {
                continue;
            }
            match layout.columns.iter().find(|c| **c == name) {
                Some(c) => {
                    if index.insert(*c, i).is_some() {
                        return Err(FileError::DuplicateColumn(name));
                    }
                }
                None => warnings.push(RowError {
                    line: 1,
                    column: raw.trim().to_string(),
                    message: format!(
                        "Unknown column “{}”: ignored. The columns idlink reads are {}.",
                        raw.trim(),
                        layout.columns.join(", ")
                    ),
                }),
            }
        }
        let missing: Vec<&'static str> = layout
            .required
            .iter()
            .copied()
            .filter(|c| !index.contains_key(c))
            .collect();
        if !missing.is_empty() {
            return Err(layout.missing(missing));
        }
        Ok(Header {
            index,
            width: names.len(),
            warnings,
        })
    }

    pub(super) fn get<'a>(&self, fields: &'a [String], column: &str) -> &'a str {
        self.index
            .get(column)
            .and_then(|i| fields.get(*i))
            .map_or("", |v| v.trim())
    }
}

/// What every row check starts with: the row's line number as stored and its iD (`None`
/// when reported as missing or invalid); `None` for a row of the wrong width, reported.
pub(super) fn row_start(
    header: &Header,
    line: u64,
    fields: &[String],
    findings: &mut Findings,
) -> Option<(i64, Option<OrcidId>)> {
    let line = i64::try_from(line).unwrap_or(i64::MAX);
    if !width_ok(header, line, fields, findings) {
        return None;
    }
    Some((line, orcid_in(header, line, fields, findings)))
}

/// Whether the row has as many values as the header names; reported when not.
fn width_ok(header: &Header, line: i64, fields: &[String], findings: &mut Findings) -> bool {
    if fields.len() == header.width {
        return true;
    }
    findings.push(RowError {
        line,
        column: "(row)".into(),
        message: format!(
            "This row has {} values but the header names {} columns. A value with a comma in it must be in double quotes.",
            fields.len(),
            header.width
        ),
    });
    false
}

/// The row's `orcid` value as an iD; reported when empty or not valid.
fn orcid_in(
    header: &Header,
    line: i64,
    fields: &[String],
    findings: &mut Findings,
) -> Option<OrcidId> {
    let message = match header.get(fields, "orcid") {
        "" => "The ORCID iD is empty; it is required.".to_string(),
        raw => match OrcidId::parse(raw) {
            Ok(id) => return Some(id),
            Err(e) => format!("{raw} is not a valid ORCID iD: {e}."),
        },
    };
    findings.push(RowError {
        line,
        column: "orcid".into(),
        message,
    });
    None
}
