use super::*;

const HEADER: &str = "orcid,title,type,year,month,day,journal_title,url,doi,external_id_type,external_id_value,short_description";
const ADA: &str = "0000-0002-1825-0097";

fn file(rows: &[&str]) -> Vec<u8> {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s.into_bytes()
}

/// The check with the default limits.
fn parse(bytes: &[u8], record_host: &str) -> Result<ParsedFile, FileError> {
    super::parse(bytes, record_host, &Limits::default())
}

fn findings_of(rows: &[&str]) -> Vec<(i64, String, String)> {
    parse(&file(rows), "orcid.org")
        .unwrap()
        .findings
        .into_iter()
        .map(|f| (f.line, f.column, f.message))
        .collect()
}

#[test]
fn a_good_row_becomes_the_work_the_form_would_make() {
    let parsed = parse(
        &file(&[&format!(
            "{ADA},Ocean heat,Journal-Article,2024,2,29,J. Oceans,https://example.org/p,https://doi.org/10.1087/ABC,,,About oceans"
        )]),
        "orcid.org",
    )
    .unwrap();
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    assert_eq!(parsed.rows_total, 1);
    let row = &parsed.rows[0];
    assert_eq!(row.line, 2);
    assert_eq!(row.orcid.as_str(), ADA);
    assert_eq!(row.work.work_type, "journal-article");
    assert_eq!(
        row.identity,
        vec![("doi".to_string(), "10.1087/abc".to_string())]
    );
    let id = &row.work.external_ids.as_ref().unwrap().external_id[0];
    assert_eq!(id.external_id_value, "10.1087/abc");
    assert_eq!(id.external_id_relationship.as_deref(), Some("self"));
}

#[test]
fn every_bad_row_is_reported_with_its_line_and_column() {
    let f = findings_of(&[
        "0000-0002-1825-0098,Bad checksum,journal-article,,,,,,10.1/a,,,",
        &format!("{ADA},,poem,,,,,,10.1/b,,,"),
        &format!("{ADA},Bad date,book,2024,2,30,,,10.1/c,,,"),
        &format!("{ADA},Bad month,book,2024,13,,,,10.1/d,,,"),
        &format!("{ADA},Day without month,book,2024,,5,,,10.1/e,,,"),
        &format!("{ADA},No identifier,book,2024,,,,,,,,"),
        &format!("{ADA},Bad DOI,book,,,,,,not a doi,,,"),
        &format!("{ADA},Half an identifier,book,,,,,,,isbn,,"),
        &format!("{ADA},Unknown id type,book,,,,,,,shoe-size,42,"),
        &format!("{ADA},Year without digits,book,20x4,,,,,10.1/f,,,"),
        "too,few",
    ]);
    let has = |line: i64, column: &str, needle: &str| {
        assert!(
            f.iter()
                .any(|(l, c, m)| *l == line && c == column && m.contains(needle)),
            "no finding at line {line} column {column} containing {needle:?}: {f:#?}"
        )
    };
    has(2, "orcid", "wrong check digit");
    has(3, "title", "The title is empty");
    has(3, "type", "“poem” is not an ORCID work type");
    has(4, "day", "That month has 29 days");
    has(5, "month", "“13” is not a month");
    has(6, "day", "A day needs a month");
    has(7, "doi", "No identifier");
    has(8, "doi", "does not look like a valid DOI");
    has(9, "external_id_value", "external_id_value is empty");
    has(
        10,
        "external_id_type",
        "“shoe-size” is not an identifier type",
    );
    has(11, "year", "four digits");
    has(12, "(row)", "has 2 values but the header names 12 columns");
}

#[test]
fn duplicates_within_the_file_keep_the_first() {
    let parsed = parse(
        &file(&[
            &format!("{ADA},First,book,,,,,,10.1/SAME,,,"),
            &format!("{ADA},Again,book,,,,,,https://doi.org/10.1/same,,,"),
            "0000-0002-4325-871X,Other person,book,,,,,,10.1/same,,,",
            &format!("{ADA},Same by ISBN,book,,,,,,,isbn,978-0-12-345678-9,"),
            &format!("{ADA},Same ISBN again,book,,,,,,,ISBN,9780123456789,"),
        ]),
        "orcid.org",
    )
    .unwrap();
    let lines: Vec<i64> = parsed.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![2, 4, 5]);
    let findings = parsed.findings.kept();
    assert_eq!(findings.len(), 2);
    assert_eq!(findings[0].line, 3);
    assert_eq!(findings[0].column, "doi");
    assert!(findings[0].message.contains("Duplicate of line 2"));
    assert_eq!(findings[1].line, 6);
    assert_eq!(findings[1].column, "external_id_value");
}

#[test]
fn header_problems() {
    let missing = parse(b"orcid,name,kind\n1,2,3\n", "orcid.org").unwrap_err();
    assert_eq!(missing, FileError::MissingColumns(vec!["title", "type"]));
    assert!(missing.to_string().contains("no column “title”, “type”"));

    let extra = parse(
        format!("ORCID,Title,Type,doi,Notes\n{ADA},T,book,10.1/x,hello\n").as_bytes(),
        "orcid.org",
    )
    .unwrap();
    assert_eq!(extra.rows.len(), 1);
    let findings = extra.findings.kept();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].line, 1);
    assert_eq!(findings[0].column, "Notes");
    assert!(findings[0]
        .message
        .starts_with("Unknown column “Notes”: ignored"));

    assert_eq!(
        parse(b"orcid;title;type\n", "orcid.org").unwrap_err(),
        FileError::Separator(';')
    );
    assert_eq!(
        parse(b"orcid,title,type,title\n", "orcid.org").unwrap_err(),
        FileError::DuplicateColumn("title".into())
    );
}

#[test]
fn malformed_files_are_refused_whole() {
    assert_eq!(parse(b"", "orcid.org").unwrap_err(), FileError::Empty);
    assert_eq!(
        parse(b"  \r\n\n", "orcid.org").unwrap_err(),
        FileError::Empty
    );
    assert_eq!(
        parse(format!("{HEADER}\n,,,,,,,,,,,\n").as_bytes(), "orcid.org").unwrap_err(),
        FileError::HeaderOnly
    );
    let mut bad = file(&[
        &format!("{ADA},Cafe,book,,,,,,10.1/a,,,"),
        &format!("{ADA},Café,book,,,,,,10.1/b,,,"),
    ]);
    // Replace the UTF-8 é (C3 A9) with Latin-1's E9 on line 3.
    let pos = bad.windows(2).position(|w| w == [0xC3, 0xA9]).unwrap();
    bad.splice(pos..pos + 2, [0xE9]);
    assert_eq!(
        parse(&bad, "orcid.org").unwrap_err(),
        FileError::NotUtf8 { line: 3 }
    );
    assert!(matches!(
        parse(b"PK\x03\x04rest of a zip", "orcid.org").unwrap_err(),
        FileError::NotCsv(_)
    ));
    assert!(matches!(
        parse(b"GIF89a\x00\x01\x00", "orcid.org").unwrap_err(),
        FileError::NotCsv(_)
    ));
    assert_eq!(
        parse(b"\xFF\xFEo\x00r\x00", "orcid.org").unwrap_err(),
        FileError::NotUtf8 { line: 1 }
    );
}

#[test]
fn a_bom_and_quoted_multiline_values_are_fine() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(
        format!(
            "{HEADER}\r\n{ADA},\"Title, with a comma\",book,,,,,,10.1/q,,,\"Two\nlines\"\r\n{ADA},Next,book,,,,,,10.1/r,,,\r\n"
        )
        .as_bytes(),
    );
    let parsed = parse(&bytes, "orcid.org").unwrap();
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    assert_eq!(parsed.rows[0].form.title, "Title, with a comma");
    assert_eq!(
        parsed.rows[1].line, 4,
        "line numbers count the embedded newline"
    );
}

#[test]
fn the_template_parses_with_its_example_row() {
    let parsed = parse(template().as_bytes(), "orcid.org").unwrap();
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    assert_eq!(parsed.rows.len(), 1);
}

#[test]
fn a_title_that_is_a_formula_is_refused_with_a_plain_reason() {
    let f = findings_of(&[
        &format!("{ADA},\"=HYPERLINK(\"\"http://example.org\"\",\"\"x\"\")\",book,,,,,,10.1/f,,,"),
        &format!("{ADA},-omics of the deep ocean,book,,,,,,10.1/g,,,"),
    ]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!((f[0].0, f[0].1.as_str()), (2, "title"));
    assert!(f[0].2.contains("spreadsheet formula"), "{}", f[0].2);
}

#[test]
fn a_file_past_the_limits_is_refused_before_its_rows_are_read() {
    let limits = Limits {
        max_rows: 2,
        max_columns: 12,
    };
    let row = format!("{ADA},T,book,,,,,,10.1/a,,,");
    assert!(super::parse(&file(&[&row, &row]), "orcid.org", &limits).is_ok());
    assert_eq!(
        super::parse(&file(&[&row, &row, &row]), "orcid.org", &limits).unwrap_err(),
        FileError::TooManyRows { max: 2 }
    );
    let wide = format!("{HEADER}{}\n{row}\n", ",x".repeat(1_000_000));
    assert_eq!(
        super::parse(wide.as_bytes(), "orcid.org", &limits).unwrap_err(),
        FileError::TooManyColumns { line: 1, max: 12 }
    );
}
