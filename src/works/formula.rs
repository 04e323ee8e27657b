//! Text a spreadsheet would run as a formula. Such a value is refused in the work form and
//! in bulk uploads, so a record never carries it: ORCID records are exported, and the
//! people who open those exports in a spreadsheet would run it.

/// Whether `text` would be taken as a formula (or a DDE link) by a spreadsheet.
///
/// `=` and `@` start a formula wherever they lead, and a leading tab or carriage return
/// hides one from the eye, so these are always refused. `+` and `-` are different: real
/// titles start with them ("-omics approaches…", "+/- 5 %", "-80 °C storage"), so a
/// leading sign is refused only when what follows is what makes a formula dangerous: a
/// function call (`-HYPERLINK(`), a DDE link (`|`), another formula sign, or
/// arithmetic between numbers or cells (`+1+1`, `-A1*2`).
pub fn is_formula(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    match first {
        '=' | '@' | '\t' | '\r' => true,
        '+' | '-' => signed_formula(text[1..].trim_start_matches([' ', '+', '-'])),
        _ => false,
    }
}

/// The rest of a value after its leading signs.
fn signed_formula(rest: &str) -> bool {
    if rest.starts_with(['=', '@']) || rest.contains('|') {
        return true;
    }
    // A function name directly followed by "(": HYPERLINK(, cmd(, WEBSERVICE(…
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
        .unwrap_or(rest.len());
    if name_len > 0
        && rest.starts_with(|c: char| c.is_ascii_alphabetic())
        && rest[name_len..].starts_with('(')
    {
        return true;
    }
    // A number or cell reference followed by an operator: arithmetic, not words.
    let operand = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '$'))
        .unwrap_or(rest.len());
    let word = &rest[..operand];
    let is_operand = !word.is_empty() && (is_number(word) || is_cell(word));
    is_operand
        && rest[operand..]
            .trim_start()
            .starts_with(['+', '-', '*', '/', '^', '&'])
}

fn is_number(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit() || b == b'.') && s.bytes().any(|b| b.is_ascii_digit())
}

/// A1, $B$2, AA10: letters then digits.
fn is_cell(s: &str) -> bool {
    let s = s.replace('$', "");
    let letters = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    (1..=3).contains(&letters)
        && s.len() > letters
        && s.bytes().skip(letters).all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::is_formula;

    #[test]
    fn formulas_and_dde_links_are_recognised() {
        for f in [
            "=HYPERLINK(\"http://example.org\",\"x\")",
            "=1+1",
            "@SUM(A1:A2)",
            "\t=1",
            "\r=1",
            "+HYPERLINK(\"http://example.org\")",
            "-HYPERLINK(\"http://example.org\")",
            "-2+3+cmd|' /C calc'!A0",
            "+cmd|' /C calc'!A0",
            "+1+1",
            "-A1*2",
            "- =1",
            "--1-1",
        ] {
            assert!(is_formula(f), "{f:?} is a formula");
        }
    }

    #[test]
    fn ordinary_titles_are_not_formulas() {
        for t in [
            "-omics approaches to ocean heat",
            "-omics (a review)",
            "+/- 5 % accuracy",
            "-80 °C storage of samples",
            "- a dash first",
            "Ocean heat content since 1950",
            "E = mc²",
            "",
            "+ and - in mathematics",
        ] {
            assert!(!is_formula(t), "{t:?} is a title");
        }
    }
}
