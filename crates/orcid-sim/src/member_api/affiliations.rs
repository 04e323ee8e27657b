//! The seven affiliation sections: grouped summaries (`GET /{section}s`), one item
//! (`GET|PUT|DELETE /{section}/{put-code}`), create (`POST /{section}`, 201 + Location), and
//! `GET /activities` with works and every section. ORCID's checks, in its order: JSON
//! binding (9047), put-code on create (9024) or mismatch (9019), source (9010), visibility
//! (9035), then `affiliation_rules` (9045, 9060, 9046, 9062, 9061, 9049, 9055) and the
//! same-client `self` external-id duplicate (9021). There is no bulk endpoint.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use orcid::affiliation_rules;
use orcid::model::{Affiliation, AffiliationGroups, AffiliationSection};

use super::super::activity_store::now_ms;
use super::super::affiliation_schema::class_of;
use super::super::affiliations_json;
use super::super::affiliations_store::StoredAffiliation;
use super::super::api_error::ApiError;
use super::super::record_json::{self, Activities};
use super::super::state::State as Registry;
use super::super::works_json::{self, Links};
use super::super::works_model::Visibility;
use super::super::MockOrcid;
use super::checks::{
    body_of, created, not_duplicate, own, parse_put_code, same_put_code, stored, visible,
};
use super::{links, Access, Ctx};

/// The routes of every section.
pub(crate) fn routes() -> Router<MockOrcid> {
    AffiliationSection::ALL
        .into_iter()
        .fold(Router::new(), |router, s| {
            router
                .route(
                    &format!("/v3.0/{{orcid}}/{}", s.plural()),
                    get(move |st, h, p| list(s, st, h, p)),
                )
                .route(
                    &format!("/v3.0/{{orcid}}/{s}"),
                    post(move |st, h, p, b| create(s, st, h, p, b)),
                )
                .route(
                    &format!("/v3.0/{{orcid}}/{s}/{{put_code}}"),
                    get(move |st, h, p| read_one(s, st, h, p))
                        .put(move |st, h, p, b| update(s, st, h, p, b))
                        .delete(move |st, h, p| delete(s, st, h, p)),
                )
        })
}

/// One section's groups of the items the caller may see.
fn section_groups(
    ctx: &Ctx,
    st: &Registry,
    l: &Links,
    section: AffiliationSection,
) -> AffiliationGroups {
    let visible: Vec<&StoredAffiliation> = st
        .affiliations
        .of(&ctx.orcid)
        .filter(|a| a.section == section)
        .filter(|a| ctx.can_see(*a))
        .collect();
    affiliations_json::groups(l, &ctx.orcid, section, &visible)
}

/// The activities summary the caller may see: works and every affiliation section.
pub(crate) fn activities_of<'a>(ctx: &Ctx, st: &'a Registry, l: &Links) -> Activities<'a> {
    let works: Vec<_> = st
        .works
        .of(&ctx.orcid)
        .filter(|w| ctx.can_see(*w))
        .collect();
    let affiliations = st
        .affiliations
        .of(&ctx.orcid)
        .filter(|a| ctx.can_see(*a))
        .map(|a| a.modified);
    let modified = works.iter().map(|w| w.modified).chain(affiliations).max();
    let list = works_json::works_list(l, &ctx.orcid, &works);
    record_json::activities(&ctx.orcid, list, modified, |s| {
        section_groups(ctx, st, l, s)
    })
}

pub(crate) async fn activities(
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    Path(orcid): Path<String>,
) -> Response {
    let ctx = guarded!(mock, headers, orcid, Access::Read);
    let inner = &mock.inner;
    let st = locked!(inner);
    ctx.json(200, &activities_of(&ctx, &st, &links(inner)))
}

async fn list(
    section: AffiliationSection,
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    Path(orcid): Path<String>,
) -> Response {
    let ctx = guarded!(mock, headers, orcid, Access::Read);
    let inner = &mock.inner;
    let st = locked!(inner);
    ctx.json(200, &section_groups(&ctx, &st, &links(inner), section))
}

/// The item `raw` of `section` on the record: 9034 bad put-code, 9016 unknown or of
/// another section.
fn find<'a>(
    ctx: &Ctx,
    st: &'a Registry,
    section: AffiliationSection,
    raw: &str,
) -> Result<&'a StoredAffiliation, ApiError> {
    let a = stored(ctx, &st.affiliations, raw)?;
    if a.section == section {
        Ok(a)
    } else {
        Err(ApiError::new(9016))
    }
}

async fn read_one(
    section: AffiliationSection,
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    Path((orcid, put_code)): Path<(String, String)>,
) -> Response {
    let ctx = guarded!(mock, headers, orcid, Access::Read);
    let inner = &mock.inner;
    let st = locked!(inner);
    match find(&ctx, &st, section, &put_code).and_then(|a| visible(&ctx, a)) {
        Ok(a) => ctx.json(200, &affiliations_json::full(&links(inner), a)),
        Err(e) => ctx.error(&e),
    }
}

/// Parses a body for `section` (9047 on an unknown property or a wrong type).
fn parse(
    headers: &HeaderMap,
    body: &[u8],
    section: AffiliationSection,
) -> Result<Affiliation, ApiError> {
    let value = body_of(headers, body, class_of(section))?;
    serde_json::from_value(value).map_err(|e| ApiError::new(9047).param("error", e))
}

/// ORCID's content rules: the first problem ORCID's API itself reports.
fn check_rules(section: AffiliationSection, a: &Affiliation) -> Result<(), ApiError> {
    let first = affiliation_rules::check(section, a)
        .into_iter()
        .find_map(|p| Some((p.orcid_code?, p.field)));
    let Some((code, field)) = first else {
        return Ok(());
    };
    let date_string = |d: &Option<orcid::model::FuzzyDate>| {
        d.as_ref()
            .map(|d| d.parts().map(Option::unwrap_or_default).join("-"))
            .unwrap_or_default()
    };
    let e = ApiError::new(code);
    Err(match (code, field) {
        (9049, affiliation_rules::Field::EndDate) => {
            e.param("dateString", date_string(&a.end_date))
        }
        (9049, _) => e.param("dateString", date_string(&a.start_date)),
        _ => e,
    })
}

fn duplicate(
    st: &Registry,
    ctx: &Ctx,
    section: AffiliationSection,
    a: &Affiliation,
    except: Option<i64>,
) -> Result<(), ApiError> {
    let existing = st
        .affiliations
        .duplicate_of(&ctx.orcid, section, &ctx.client_id, a, except);
    not_duplicate(ctx, existing)
}

async fn create(
    section: AffiliationSection,
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    Path(orcid): Path<String>,
    body: Bytes,
) -> Response {
    let ctx = guarded!(mock, headers, orcid, Access::Write);
    let inner = &mock.inner;
    let mut st = locked!(inner);
    let checked = parse(&headers, &body, section).and_then(|a| {
        if a.put_code.is_some() {
            return Err(ApiError::new(9024).client(&ctx.client_name));
        }
        check_rules(section, &a)?;
        duplicate(&st, &ctx, section, &a, None)?;
        Ok(a)
    });
    let a = match checked {
        Ok(a) => a,
        Err(e) => return ctx.error(&e),
    };
    let put_code = st.affiliations.create(
        ctx.orcid,
        section,
        ctx.source(),
        a.for_create(),
        Visibility::Public,
    );
    inner.persist(&st);
    drop(st);
    tracing::debug!(client_id = %ctx.client_id, orcid = %ctx.orcid, %section, put_code, "simulated ORCID created an affiliation");
    created(inner, &ctx, section, put_code)
}

async fn update(
    section: AffiliationSection,
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    Path((orcid, put_code)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let ctx = guarded!(mock, headers, orcid, Access::Write);
    let inner = &mock.inner;
    let mut st = locked!(inner);
    let checked = parse(&headers, &body, section).and_then(|a| {
        let url_put_code = parse_put_code(&put_code, &ctx.client_name)?;
        same_put_code(&ctx, url_put_code, a.put_code)?;
        let stored = own(&ctx, find(&ctx, &st, section, &put_code)?, section)?;
        if a.visibility
            .as_deref()
            .is_some_and(|v| v != stored.visibility.as_str())
        {
            return Err(ApiError::new(9035).client(&ctx.client_name));
        }
        check_rules(section, &a)?;
        duplicate(&st, &ctx, section, &a, Some(url_put_code))?;
        Ok((url_put_code, a))
    });
    let (put_code, a) = match checked {
        Ok(c) => c,
        Err(e) => return ctx.error(&e),
    };
    let Some(stored) = st.affiliations.get_mut(&ctx.orcid, put_code) else {
        return ctx.error(&ApiError::new(9016));
    };
    stored.data = a.for_create();
    stored.source.name = ctx.client_name.clone();
    stored.modified = now_ms().max(stored.modified);
    let answer = affiliations_json::full(&links(inner), stored);
    inner.persist(&st);
    ctx.json(200, &answer)
}

async fn delete(
    section: AffiliationSection,
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    Path((orcid, put_code)): Path<(String, String)>,
) -> Response {
    let ctx = guarded!(mock, headers, orcid, Access::Delete);
    let inner = &mock.inner;
    let mut st = locked!(inner);
    let put_code = match find(&ctx, &st, section, &put_code).and_then(|a| own(&ctx, a, section)) {
        Ok(a) => a.put_code,
        Err(e) => return ctx.error(&e),
    };
    st.affiliations.remove(&ctx.orcid, put_code);
    inner.persist(&st);
    StatusCode::NO_CONTENT.into_response()
}
