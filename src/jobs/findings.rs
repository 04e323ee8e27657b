//! An upload's findings, bounded: the first [`MAX_KEPT`] in file order are kept word for
//! word, the rest only counted by column ("and 12,345 more rows with a problem in title").
//! A file of two million bad rows must not become two million stored messages.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use crate::store::RowError;

/// Findings kept word for word per upload.
pub const MAX_KEPT: usize = 1000;

#[derive(Debug, Clone)]
pub struct Findings {
    cap: usize,
    /// The kept findings, the latest in file order on top (so it is the one dropped).
    kept: BinaryHeap<Ranked>,
    /// Findings not kept, by column.
    omitted: BTreeMap<String, i64>,
    /// Data lines (not the header) with at least one finding.
    invalid_lines: i64,
    last_line: i64,
    pushed: u64,
}

impl Default for Findings {
    fn default() -> Self {
        Self::with_cap(MAX_KEPT)
    }
}

/// A finding and the order it was made in, so equal lines keep their order.
#[derive(Debug, Clone)]
struct Ranked(RowError, u64);

impl Ranked {
    fn key(&self) -> (i64, u64) {
        (self.0.line, self.1)
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl Findings {
    pub fn with_cap(cap: usize) -> Self {
        Findings {
            cap,
            kept: BinaryHeap::new(),
            omitted: BTreeMap::new(),
            invalid_lines: 0,
            last_line: 0,
            pushed: 0,
        }
    }

    /// Adds a finding about `column` of `line`.
    pub fn report(&mut self, line: i64, column: &str, message: String) {
        self.push(RowError {
            line,
            column: column.to_string(),
            message,
        });
    }

    /// Adds a finding. A line's findings are added together (the check goes row by row),
    /// so a line differing from the previous finding's is a new invalid line.
    pub fn push(&mut self, finding: RowError) {
        if finding.line > 1 && finding.line != self.last_line {
            self.invalid_lines += 1;
        }
        self.last_line = finding.line;
        self.pushed += 1;
        let ranked = Ranked(finding, self.pushed);
        if self.kept.len() < self.cap {
            self.kept.push(ranked);
            return;
        }
        let dropped = match self.kept.peek_mut() {
            Some(mut latest) if ranked < *latest => std::mem::replace(&mut *latest, ranked),
            _ => ranked,
        };
        *self.omitted.entry(dropped.0.column).or_default() += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// Data lines with at least one finding, kept or not.
    pub fn invalid_lines(&self) -> i64 {
        self.invalid_lines
    }

    /// Findings counted but not kept, by column.
    pub fn omitted(&self) -> Vec<(String, i64)> {
        self.omitted.iter().map(|(c, n)| (c.clone(), *n)).collect()
    }

    /// The kept findings in file order.
    pub fn kept(&self) -> Vec<RowError> {
        let mut kept: Vec<Ranked> = self.kept.clone().into_vec();
        kept.sort_unstable();
        kept.into_iter().map(|r| r.0).collect()
    }
}

impl IntoIterator for Findings {
    type Item = RowError;
    type IntoIter = std::vec::IntoIter<RowError>;

    fn into_iter(self) -> Self::IntoIter {
        self.kept().into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(line: i64, column: &str) -> RowError {
        RowError {
            line,
            column: column.into(),
            message: format!("line {line}"),
        }
    }

    #[test]
    fn the_first_findings_in_file_order_are_kept_and_the_rest_counted() {
        let mut f = Findings::with_cap(3);
        f.push(finding(1, "extra"));
        for line in [2, 5, 7] {
            f.push(finding(line, "title"));
        }
        // Added later (a grant problem), from an earlier line: it displaces line 5.
        f.push(finding(3, "orcid"));

        let kept: Vec<(i64, String)> = f.kept().into_iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(
            kept,
            [
                (1, "extra".into()),
                (2, "title".into()),
                (3, "orcid".into())
            ]
        );
        assert_eq!(f.omitted(), [("title".into(), 2)]);
        assert_eq!(f.invalid_lines(), 4, "lines 2, 3, 5 and 7");
    }
}
