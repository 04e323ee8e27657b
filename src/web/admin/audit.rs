//! The audit log for staff (`GET /admin/audit`): every write to ORCID and every staff
//! action, filtered by record, actor, action, outcome and dates, newest first; and its
//! CSV export (`POST /admin/audit/export`) with the same filters, streamed in batches.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::{Date, Month, OffsetDateTime, Time};

use crate::state::AppState;
use crate::store::{AuditAction, AuditFilter, AuditRecord};
use crate::web::csrf::CsrfForm;
use crate::web::csv_download::{csv_stream, Batch};
use crate::web::error::PageError;
use crate::web::format::{clip, iso, when};
use crate::web::pager::PAGE_SIZE;
use crate::web::pager::{last_page, parse_page, Pager};
use crate::web::pages::{render, Layout};
use crate::web::staff::Staff;
use orcid::OrcidId;

/// Entries read per query while exporting.
const EXPORT_BATCH: i64 = 2000;

/// The filter form's fields, all text so any input reaches the page and gets a message.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuditParams {
    orcid: String,
    actor: String,
    action: String,
    outcome: String,
    from: String,
    to: String,
    page: String,
}

impl AuditParams {
    /// The query string of these filters (without the page).
    fn query(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("orcid", self.orcid.trim()),
            ("actor", self.actor.trim()),
            ("action", self.action.trim()),
            ("outcome", self.outcome.trim()),
            ("from", self.from.trim()),
            ("to", self.to.trim()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// A `YYYY-MM-DD` date, checked (no 30 February).
pub fn parse_date(s: &str) -> Option<Date> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

fn midnight(d: Date) -> i64 {
    OffsetDateTime::new_utc(d, Time::MIDNIGHT).unix_timestamp()
}

fn parse_id(raw: &str, what: &str, errors: &mut Vec<String>) -> Option<OrcidId> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    OrcidId::parse(raw)
        .map_err(|e| {
            errors.push(format!(
                "{what}: \"{}\" is not an ORCID iD: {e}.",
                clip(raw)
            ))
        })
        .ok()
}

/// The filter, or every reason the input is not one.
pub fn parse_filter(p: &AuditParams) -> Result<AuditFilter, Vec<String>> {
    let mut errors = vec![];
    let orcid = parse_id(&p.orcid, "Record", &mut errors);
    let actor = parse_id(&p.actor, "Done by", &mut errors);
    let mut date = |raw: &str, label: &str| {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        let d = parse_date(raw);
        if d.is_none() {
            errors.push(format!(
                "{label} date: \"{}\" is not a date. Use the form YYYY-MM-DD, e.g. 2026-03-04.",
                clip(raw)
            ));
        }
        d
    };
    let from = date(&p.from, "From");
    let to = date(&p.to, "To");
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            errors.push("The \"from\" date is after the \"to\" date.".into());
        }
    }
    let text =
        |s: &str| Some(s.trim().chars().take(100).collect::<String>()).filter(|s| !s.is_empty());
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(AuditFilter {
        orcid,
        actor,
        action: text(&p.action),
        outcome: text(&p.outcome),
        from: from.map(midnight),
        // Inclusive of the whole "to" day.
        until: to.and_then(|d| d.next_day()).map(midnight),
    })
}

/// One audit entry as the staff pages show it.
pub struct AuditView {
    pub id: i64,
    pub when: String,
    /// The record acted on.
    pub orcid: String,
    /// Who acted.
    pub actor: String,
    pub by_self: bool,
    pub action: String,
    pub put_code: Option<i64>,
    pub outcome: String,
    pub detail: String,
}

pub fn audit_view(a: AuditRecord) -> AuditView {
    AuditView {
        id: a.id,
        when: when(a.at),
        by_self: a.actor == a.orcid,
        put_code: a.put_code,
        detail: a.detail.unwrap_or_default(),
        action: a.action.to_string(),
        outcome: a.outcome,
        actor: a.actor.to_string(),
        orcid: a.orcid.to_string(),
    }
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub layout: Layout,
    pub nav: &'static str,
    pub notices: Vec<String>,
    pub errors: Vec<String>,
    pub orcid: String,
    pub actor: String,
    pub action: String,
    pub outcome: String,
    pub from: String,
    pub to: String,
    pub actions: Vec<String>,
    pub outcomes: Vec<String>,
    pub entries: Vec<AuditView>,
    pub total: i64,
    pub pager: Pager,
    pub filtered: bool,
}

pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(params): Query<AuditParams>,
) -> Result<Response, PageError> {
    let vocabulary = state.store.audit_vocabulary().await?;
    let mut notices = vec![];
    let page = parse_page(&params.page, &mut notices);
    let (errors, entries, total, page) = match parse_filter(&params) {
        Ok(f) => {
            let total = state.store.audit_count(&f).await?;
            let page = page.min(last_page(total, PAGE_SIZE));
            let rows = state
                .store
                .audit_page(&f, PAGE_SIZE, (page - 1) * PAGE_SIZE)
                .await?;
            (
                vec![],
                rows.into_iter().map(audit_view).collect(),
                total,
                page,
            )
        }
        Err(errors) => (errors, vec![], 0, 1),
    };
    let query = params.query();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let t = |s: &str| s.trim().to_owned();
    let page = AuditPage {
        layout: staff.layout(&state).await?,
        nav: "audit",
        notices,
        errors,
        filtered: !query.is_empty(),
        orcid: t(&params.orcid),
        actor: t(&params.actor),
        action: t(&params.action),
        outcome: t(&params.outcome),
        from: t(&params.from),
        to: t(&params.to),
        actions: vocabulary.actions,
        outcomes: vocabulary.outcomes,
        entries,
        total,
        pager: Pager::new(
            "Pages of the audit log",
            page,
            last_page(total, PAGE_SIZE),
            |n| format!("/admin/audit?{query}&page={n}"),
        ),
    };
    Ok((status, render(&page)).into_response())
}

const CSV_HEADER: [&str; 8] = [
    "id",
    "at",
    "record_orcid",
    "actor_orcid",
    "action",
    "put_code",
    "outcome",
    "detail",
];

/// Every entry matching the filters, newest first, as CSV.
pub async fn export(
    State(state): State<AppState>,
    staff: Staff,
    CsrfForm(params): CsrfForm<AuditParams>,
) -> Result<Response, PageError> {
    let filter = parse_filter(&params).map_err(|errors| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            "This export's filter is not valid",
            errors.join(" "),
        )
        .with_action("/admin/audit", "Back to the audit log")
    })?;
    // The first batch is read before this export's own entry is written, so the file
    // holds what the staff member saw; later batches are older (newest first).
    let count = state.store.audit_count(&filter).await?;
    let first = state.store.audit_batch(&filter, None, EXPORT_BATCH).await?;
    let detail = format!("{count} entries; /admin/audit?{}", params.query());
    staff
        .audit(
            &state,
            &staff.orcid,
            AuditAction::ExportAudit,
            "ok",
            Some(&detail),
        )
        .await;
    let store = state.store.clone();
    Ok(csv_stream(
        "audit-log.csv",
        &CSV_HEADER,
        ExportPart::Read(first),
        move |part| {
            let (store, filter) = (store.clone(), filter.clone());
            async move {
                let batch = match part {
                    ExportPart::Read(batch) => batch,
                    ExportPart::After(after) => {
                        store
                            .audit_batch(&filter, Some(after), EXPORT_BATCH)
                            .await?
                    }
                };
                let next = match batch.last() {
                    Some(last) if batch.len() as i64 == EXPORT_BATCH => {
                        Some(ExportPart::After((last.at, last.id)))
                    }
                    _ => None,
                };
                let rows = batch.iter().map(csv_record).collect();
                Ok::<Batch<ExportPart>, sqlx::Error>((rows, next))
            }
        },
    ))
}

/// Where the export has got to: a batch already read, or the entries older than (at, id).
enum ExportPart {
    Read(Vec<AuditRecord>),
    After((i64, i64)),
}

/// One entry's line; cells are defused by the download.
fn csv_record(a: &AuditRecord) -> Vec<String> {
    vec![
        a.id.to_string(),
        iso(a.at),
        a.orcid.to_string(),
        a.actor.to_string(),
        a.action.as_str().to_string(),
        a.put_code.map(|p| p.to_string()).unwrap_or_default(),
        a.outcome.clone(),
        a.detail.clone().unwrap_or_default(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(parse_date("2026-03-04").is_some());
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "26-03-04",
            "2026-3-4",
            "2026-03-04-1",
            "yesterday",
            "",
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn filter_errors_are_all_reported() {
        let p = AuditParams {
            orcid: "0000-0002-1825-0098".into(),
            from: "2026-02-30".into(),
            to: "soon".into(),
            ..Default::default()
        };
        let errors = parse_filter(&p).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        let p = AuditParams {
            from: "2026-03-05".into(),
            to: "2026-03-04".into(),
            ..Default::default()
        };
        assert_eq!(parse_filter(&p).unwrap_err().len(), 1);
        let p = AuditParams {
            from: "1970-01-01".into(),
            to: "1970-01-01".into(),
            action: " add_work ".into(),
            ..Default::default()
        };
        let f = parse_filter(&p).unwrap();
        assert_eq!((f.from, f.until), (Some(0), Some(86_400)));
        assert_eq!(f.action.as_deref(), Some("add_work"));
    }
}
