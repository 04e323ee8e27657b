//! Hand-written equivalents of ORCID's per-type identifier normalisers
//! (ORCID-Source `orcid-core/…/utils/v3/identifiers/normalizers/*.java`). Each function gets
//! the value after the case step and returns what ORCID stores as `external-id-normalized`,
//! or `None` where ORCID's pattern does not match (error 8001).
//!
//! The Java patterns use ASCII classes (`\d`, `\s` = `[ \t\n\x0B\f\r]`), so matching works on
//! bytes: a byte of a multi-byte UTF-8 character never equals an ASCII one.

/// Java's `\s` without `UNICODE_CHARACTER_CLASS`.
fn is_java_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

fn count(b: &[u8], from: usize, f: impl Fn(u8) -> bool) -> usize {
    b.get(from..)
        .map_or(0, |rest| rest.iter().take_while(|&&c| f(c)).count())
}

fn digits(b: &[u8], from: usize) -> usize {
    count(b, from, |c| c.is_ascii_digit())
}

fn skip_spaces(b: &[u8], from: usize) -> usize {
    from + count(b, from, is_java_space)
}

/// The index after `lit` if `b[at..]` starts with it, ignoring ASCII case.
fn strip_ci(b: &[u8], at: usize, lit: &[u8]) -> Option<usize> {
    let end = at.checked_add(lit.len())?;
    b.get(at..end)?.eq_ignore_ascii_case(lit).then_some(end)
}

/// DOI: XML-unescape (repeatedly: values may be escaped more than once), then the first
/// `10(\.[0-9a-zA-Z]+)+/` followed by non-space characters other than `"`, `&`, `'`.
pub(super) fn doi(value: &str) -> Option<String> {
    let mut s = value.to_string();
    if s.contains('&') && s.contains(';') {
        loop {
            let next = unescape_xml(&s);
            if next.len() >= s.len() {
                break;
            }
            s = next;
        }
    }
    let b = s.as_bytes();
    (0..b.len()).find_map(|i| doi_at(b, i).map(|end| s[i..end].to_string()))
}

fn doi_at(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i..i + 2)? != b"10" {
        return None;
    }
    let mut j = i + 2;
    let mut groups = 0;
    while b.get(j) == Some(&b'.') {
        let n = count(b, j + 1, |c| c.is_ascii_alphanumeric());
        if n == 0 {
            return None;
        }
        j += 1 + n;
        groups += 1;
    }
    if groups == 0 || b.get(j) != Some(&b'/') {
        return None;
    }
    let n = count(b, j + 1, |c| {
        !is_java_space(c) && !matches!(c, b'"' | b'&' | b'\'')
    });
    (n > 0).then_some(j + 1 + n)
}

/// One pass of XML unescaping: `&amp; &lt; &gt; &quot; &apos;` and `&#NN;` / `&#xHH;`.
fn unescape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        match entity(tail) {
            Some((ch, len)) => {
                out.push(ch);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character of the entity at the start of `tail` (which starts with `&`) and its length.
fn entity(tail: &str) -> Option<(char, usize)> {
    let semi = tail.find(';')?;
    let name = &tail[1..semi];
    let ch = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) if !hex.is_empty() && hex.bytes().all(|c| c.is_ascii_hexdigit()) => {
                    u32::from_str_radix(hex, 16).ok()?
                }
                Some(_) => return None,
                None if !num.is_empty() && num.bytes().all(|c| c.is_ascii_digit()) => {
                    num.parse().ok()?
                }
                None => return None,
            };
            char::from_u32(code)?
        }
    };
    Some((ch, semi + 1))
}

/// ISSN: the first `NNNN[ ][-–][ ]NNNX` not inside a longer number, as `NNNN-NNNX`.
pub(super) fn issn(value: &str) -> Option<String> {
    let c: Vec<char> = value.chars().collect();
    (0..c.len())
        .filter(|&i| i == 0 || !c[i - 1].is_ascii_digit())
        .find_map(|i| {
            let end = issn_at(&c, i)?;
            let d: String = c[i..end]
                .iter()
                .filter(|ch| !matches!(ch, ' ' | '-' | '–'))
                .map(|ch| if *ch == 'x' { 'X' } else { *ch })
                .collect();
            Some(format!("{}-{}", &d[..4], &d[4..]))
        })
}

fn issn_at(c: &[char], i: usize) -> Option<usize> {
    let digit = |k: usize| c.get(k).is_some_and(char::is_ascii_digit);
    let mut j = i;
    for _ in 0..4 {
        digit(j).then_some(())?;
        j += 1;
    }
    // Greedy is exact here: a separator is never a digit.
    if c.get(j) == Some(&' ') {
        j += 1;
    }
    if matches!(c.get(j), Some('-' | '–')) {
        j += 1;
    }
    if c.get(j) == Some(&' ') {
        j += 1;
    }
    for _ in 0..3 {
        digit(j).then_some(())?;
        j += 1;
    }
    (digit(j) || matches!(c.get(j), Some('X' | 'x'))).then_some(())?;
    j += 1;
    match c.get(j) {
        Some(ch) if *ch == '-' || ch.is_ascii_digit() => None,
        _ => Some(j),
    }
}

/// ISBN: the first `[0-9][-0-9 ]{8,15}[0-9xX]` not followed by a digit, without `-` and
/// spaces, `x` upper-cased; only a 10- or 13-character result counts (ORCID looks once).
pub(super) fn isbn(value: &str) -> Option<String> {
    let b = value.as_bytes();
    let (s, end) = (0..b.len())
        .filter(|&s| b[s].is_ascii_digit())
        .find_map(|s| isbn_at(b, s).map(|end| (s, end)))?;
    let n: String = value[s..end]
        .chars()
        .filter(|c| *c != '-' && *c != ' ')
        .map(|c| if c == 'x' { 'X' } else { c })
        .collect();
    matches!(n.len(), 10 | 13).then_some(n)
}

fn isbn_at(b: &[u8], s: usize) -> Option<usize> {
    let avail = count(b, s + 1, |c| c.is_ascii_digit() || c == b'-' || c == b' ');
    (8..=avail.min(15)).rev().find_map(|len| {
        let e = s + 1 + len;
        let last = *b.get(e)?;
        let last_ok = last.is_ascii_digit() || last == b'x' || last == b'X';
        let then_ok = !b.get(e + 1).is_some_and(u8::is_ascii_digit);
        (last_ok && then_ok).then_some(e + 1)
    })
}

/// PMID: digits at the start (after spaces), or after `PMID`, `PMID:`, `pubmed/`, `med/` or
/// `pubmed.ncbi.nlm.nih.gov/`, not followed by a letter, digit, `.` or `-`.
pub(super) fn pmid(value: &str) -> Option<String> {
    let b = value.as_bytes();
    let at = |k: usize| {
        let n = digits(b, k);
        let next_ok = !b
            .get(k + n)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-');
        (n > 0 && next_ok).then(|| value[k..k + n].to_string())
    };
    (0..=b.len()).find_map(|p| {
        let mut starts = Vec::new();
        if p == 0 {
            starts.push(skip_spaces(b, 0));
        }
        if let Some(k) = strip_ci(b, p, b"pmid") {
            let k = if b.get(k) == Some(&b':') { k + 1 } else { k };
            starts.push(skip_spaces(b, k));
        }
        for lit in [&b"pubmed/"[..], b"med/", b"pubmed.ncbi.nlm.nih.gov/"] {
            starts.extend(strip_ci(b, p, lit));
        }
        starts.into_iter().find_map(at)
    })
}

/// PMC: up to 9 digits at the start or after `PMC`, `PMC-`, `PMC/` (then spaces), ending at a
/// word boundary. ORCID's own pattern wants 5 to 9 digits; idlink also accepts shorter ones.
pub(super) fn pmc(value: &str) -> Option<String> {
    let b = value.as_bytes();
    let at = |k: usize| {
        let n = digits(b, k);
        let boundary = !value[k + n..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        ((1..=9).contains(&n) && boundary).then(|| value[k..k + n].to_string())
    };
    (0..=b.len()).find_map(|p| {
        let mut starts = Vec::new();
        if p == 0 {
            starts.push(skip_spaces(b, 0));
        }
        if let Some(mut k) = strip_ci(b, p, b"pmc") {
            if b.get(k) == Some(&b'-') {
                k += 1;
            }
            if b.get(k) == Some(&b'/') {
                k += 1;
            }
            starts.push(skip_spaces(b, k));
        }
        starts.into_iter().find_map(at)
    })
}

/// arXiv: the first `NNNN.NNNN[N][vN]` or old-style `archive/NNNNNNN[vN]` (without any
/// `arXiv:` prefix).
pub(super) fn arxiv_id(value: &str) -> Option<&str> {
    let b = value.as_bytes();
    let version = |j: usize| match b.get(j) {
        Some(b'v' | b'V') if digits(b, j + 1) > 0 => j + 1 + digits(b, j + 1),
        _ => j,
    };
    let new_style = |p: usize| {
        (digits(b, p) >= 4 && b.get(p + 4) == Some(&b'.') && digits(b, p + 5) >= 4)
            .then(|| version(p + 5 + digits(b, p + 5).min(5)))
    };
    let old_style = |p: usize| {
        let n = count(b, p, |c| {
            c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-')
        });
        let slash = p + n;
        (n > 0 && b.get(slash) == Some(&b'/') && digits(b, slash + 1) >= 7)
            .then(|| version(slash + 8))
    };
    (0..b.len()).find_map(|p| {
        new_style(p)
            .or_else(|| old_style(p))
            .map(|end| &value[p..end])
    })
}

/// URI: `http://` is prepended unless the value starts with `http://`, `https://`, `ftp://`
/// or `ftps://` (case-sensitive, as ORCID's pattern).
pub(super) fn uri(value: &str) -> String {
    let schemes = ["http://", "https://", "ftp://", "ftps://"];
    if schemes.iter().any(|s| value.starts_with(s)) {
        value.to_string()
    } else {
        format!("http://{value}")
    }
}

/// RRID (a CURIE): `RRID:` is prepended when missing.
pub(super) fn rrid(value: &str) -> String {
    if value.starts_with("RRID:") {
        value.to_string()
    } else {
        format!("RRID:{value}")
    }
}

/// Bibcode: the first 19-character `NNNN[.a-zA-Z0-9]{15}` standing on its own.
pub(super) fn bibcode(value: &str) -> Option<String> {
    let b = value.as_bytes();
    let body = |c: u8| c.is_ascii_alphanumeric() || c == b'.';
    (0..b.len())
        .filter(|&i| i == 0 || !body(b[i - 1]) || after_bibcode_label(&b[..i]))
        .find_map(|i| {
            let code = b.get(i..i + 19)?;
            let ok = code[..4].iter().all(u8::is_ascii_digit)
                && code[4..].iter().all(|&c| body(c))
                && !b.get(i + 19).is_some_and(|&c| body(c));
            ok.then(|| value[i..i + 19].to_string())
        })
}

/// `before` ends with ORCID's `[Bb][Ii][Bb][Bc][Oo][Dd][Ee]:?\s*` label.
fn after_bibcode_label(before: &[u8]) -> bool {
    let mut end = before.len();
    while end > 0 && is_java_space(before[end - 1]) {
        end -= 1;
    }
    if end > 0 && before[end - 1] == b':' {
        end -= 1;
    }
    let Some(w) = end.checked_sub(7).map(|s| &before[s..end]) else {
        return false;
    };
    w[..3].eq_ignore_ascii_case(b"bib")
        && matches!(w[3], b'B' | b'c')
        && w[4..].eq_ignore_ascii_case(b"ode")
}
