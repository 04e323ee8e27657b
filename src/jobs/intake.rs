//! An upload checked end to end before anything is sent: the file and its rows
//! ([`super::csv_rows`]), then each researcher's grant as idlink holds it. Nothing here
//! talks to ORCID: the iDs of people idlink has never connected are left for the
//! background lookups ([`crate::lookups::background`]).

use std::collections::{BTreeMap, HashMap};

use orcid::model::Organization;
use orcid::OrcidId;

use crate::store::{now, Grant, NewJobItem, NewJobLookup, RowError, Store};

use super::csv_rows::{self, FileError, Limits};
use super::findings::Findings;

/// What a draft job is made of.
#[derive(Debug, Clone, Default)]
pub struct Review {
    pub rows_total: i64,
    /// The findings: the first ones word for word, the rest counted.
    pub findings: Findings,
    /// The rows that can be sent.
    pub items: Vec<NewJobItem>,
    /// The iDs of people idlink has never connected, to look up on ORCID.
    pub lookups: Vec<NewJobLookup>,
}

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("{0}")]
    File(#[from] FileError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("the CSV check stopped unexpectedly: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl Review {
    /// Data lines with at least one finding (line 1, the header, only carries warnings).
    pub fn rows_invalid(&self) -> i64 {
        self.findings.invalid_lines()
    }

    /// Rows kept until their researcher connects.
    pub fn waiting(&self) -> usize {
        self.items.iter().filter(|i| i.waiting).count()
    }
}

/// Checks an upload. The parsing runs off the async threads: a 20 MB file takes a moment.
pub async fn review(
    store: &Store,
    bytes: Vec<u8>,
    record_host: &str,
    limits: Limits,
) -> Result<Review, IntakeError> {
    let host = record_host.to_string();
    let parsed =
        tokio::task::spawn_blocking(move || csv_rows::parse(&bytes, &host, &limits)).await??;
    let grants = grants_of(store, parsed.rows.iter().map(|r| r.orcid)).await?;
    let t = now();
    let mut findings = parsed.findings;
    let mut items = Vec::with_capacity(parsed.rows.len());
    let mut unknown = UnknownIds::default();
    for row in parsed.rows {
        let grant = grants.get(&row.orcid);
        if let Some(problem) = grant_problem(grant, t) {
            unknown.note(grant, row.orcid, row.line);
            findings.push(RowError {
                line: row.line,
                column: "orcid".into(),
                message: problem.into(),
            });
            continue;
        }
        let Some(work_json) = payload(&row.work.for_create(), row.line, "work", &mut findings)
        else {
            continue;
        };
        items.push(NewJobItem {
            line: row.line,
            orcid: row.orcid,
            title: row.form.title,
            payload: work_json,
            section: None,
            identity: row.identity,
            waiting: false,
        });
    }
    Ok(Review {
        rows_total: parsed.rows_total,
        findings,
        items,
        lookups: unknown.into_lookups(),
    })
}

/// Checks an affiliations upload; every row is written at `organization`. Rows for
/// researchers who cannot be written to now (not connected, grant revoked or without the
/// scope) are not findings: they become waiting items, sent when the person connects.
pub async fn review_affiliations(
    store: &Store,
    bytes: Vec<u8>,
    organization: &Organization,
    limits: Limits,
) -> Result<Review, IntakeError> {
    let org = organization.clone();
    let parsed =
        tokio::task::spawn_blocking(move || csv_rows::affiliations::parse(&bytes, &org, &limits))
            .await??;
    let grants = grants_of(store, parsed.rows.iter().map(|r| r.orcid)).await?;
    let t = now();
    let mut findings = parsed.findings;
    let mut items = Vec::with_capacity(parsed.rows.len());
    let mut unknown = UnknownIds::default();
    for row in parsed.rows {
        let grant = grants.get(&row.orcid);
        let Some(payload) = payload(
            &row.affiliation.for_create(),
            row.line,
            "affiliation",
            &mut findings,
        ) else {
            continue;
        };
        items.push(NewJobItem {
            line: row.line,
            orcid: row.orcid,
            title: row.title(),
            payload,
            section: Some(row.section.into()),
            identity: Vec::new(),
            waiting: grant_problem(grant, t).is_some(),
        });
        unknown.note(grant, row.orcid, row.line);
    }
    Ok(Review {
        rows_total: parsed.rows_total,
        findings,
        items,
        lookups: unknown.into_lookups(),
    })
}

/// The JSON sent to ORCID for a checked row. Writing a checked value does not fail in
/// practice; if it ever does, the row is reported rather than lost.
fn payload<T: serde::Serialize>(
    value: &T,
    line: i64,
    what: &str,
    findings: &mut Findings,
) -> Option<String> {
    match serde_json::to_string(value) {
        Ok(json) => Some(json),
        Err(e) => {
            tracing::error!(error = %e, line, "a checked {what} could not be written as JSON");
            findings.push(RowError {
                line,
                column: "(row)".into(),
                message: format!("idlink could not prepare this {what} for ORCID."),
            });
            None
        }
    }
}

/// The iDs of an upload idlink has never connected (no researcher behind them), with the
/// lines naming each: they may not exist at all, and staff have no name to check them by.
#[derive(Default)]
struct UnknownIds(BTreeMap<OrcidId, Vec<i64>>);

impl UnknownIds {
    fn note(&mut self, grant: Option<&Grant>, orcid: OrcidId, line: i64) {
        if grant.is_none() {
            self.0.entry(orcid).or_default().push(line);
        }
    }

    fn into_lookups(self) -> Vec<NewJobLookup> {
        self.0
            .into_iter()
            .map(|(orcid, lines)| NewJobLookup { orcid, lines })
            .collect()
    }
}

/// What idlink holds for each researcher of an upload, each looked up once.
async fn grants_of(
    store: &Store,
    orcids: impl Iterator<Item = OrcidId>,
) -> Result<HashMap<OrcidId, Grant>, sqlx::Error> {
    let mut orcids: Vec<OrcidId> = orcids.collect();
    orcids.sort_unstable();
    orcids.dedup();
    store.grants_of(&orcids).await
}

/// Why works cannot be added to this researcher's record now, if they cannot.
pub fn grant_problem(grant: Option<&Grant>, now: i64) -> Option<&'static str> {
    let Some(grant) = grant else {
        return Some("This researcher has not connected their ORCID iD to idlink, so nothing can be added to their record. Ask them to connect first.");
    };
    let Some(token) = &grant.token else {
        return Some(if grant.disconnected {
            "This researcher disconnected their ORCID iD from idlink. They need to connect again before works can be added."
        } else {
            "This researcher has not connected their ORCID iD to idlink, so nothing can be added to their record. Ask them to connect first."
        });
    };
    if token.revoked {
        return Some(
            "This researcher revoked idlink's access at ORCID. Ask them to connect again.",
        );
    }
    if !token
        .scope
        .split_whitespace()
        .any(|s| s == "/activities/update")
    {
        return Some("This researcher connected without allowing idlink to add works (/activities/update). Ask them to connect again and allow it.");
    }
    if token.expires_at <= now && !token.has_refresh {
        return Some(
            "idlink's access to this record has expired. Ask the researcher to connect again.",
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::GrantToken;

    fn grant(scope: &str, revoked: bool, expires_at: i64, has_refresh: bool) -> Grant {
        Grant {
            disconnected: false,
            token: Some(GrantToken {
                scope: scope.into(),
                revoked,
                expires_at,
                has_refresh,
            }),
        }
    }

    #[test]
    fn each_kind_of_grant_problem_is_named() {
        let full = "openid /read-limited /activities/update";
        assert_eq!(
            grant_problem(Some(&grant(full, false, 2_000, true)), 1_000),
            None
        );
        // Expired but refreshable: the runner refreshes it.
        assert_eq!(
            grant_problem(Some(&grant(full, false, 10, true)), 1_000),
            None
        );
        let says = |g: Option<&Grant>, needle: &str| {
            let m = grant_problem(g, 1_000).expect("a problem");
            assert!(m.contains(needle), "{m}");
        };
        says(None, "has not connected");
        says(
            Some(&grant("openid", false, 2_000, true)),
            "/activities/update",
        );
        says(Some(&grant(full, true, 2_000, true)), "revoked");
        says(Some(&grant(full, false, 10, false)), "expired");
        says(
            Some(&Grant {
                disconnected: true,
                token: None,
            }),
            "disconnected",
        );
    }
}
