//! Reading: the grouped works list, one work, a bulk of works, one summary, the record and
//! the person.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Serialize;

use super::super::api_error::ApiError;
use super::super::record_json;
use super::super::state::{Researcher, State as Registry};
use super::super::works_json::{self, Bulk, BulkItem, Links};
use super::super::works_model::StoredWork;
use super::super::MockOrcid;
use super::checks::{stored, visible};
use super::{links, Access, Ctx};

/// At most this many put-codes in one bulk read (orcid-model README).
const MAX_BULK_READ: usize = 100;

pub(crate) async fn works(
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    Path(orcid): Path<String>,
) -> Response {
    let ctx = guarded!(mock, headers, orcid, Access::Read);
    let inner = &mock.inner;
    let st = locked!(inner);
    let shown: Vec<_> = st
        .works
        .of(&ctx.orcid)
        .filter(|w| ctx.can_see(*w))
        .collect();
    ctx.json(
        200,
        &works_json::works_list(&links(inner), &ctx.orcid, &shown),
    )
}

/// Looks a readable work up: 9034 bad put-code, 9016 unknown, 9013/9038 not visible.
fn readable<'a>(ctx: &Ctx, st: &'a Registry, raw: &str) -> Result<&'a StoredWork, ApiError> {
    visible(ctx, stored(ctx, &st.works, raw)?)
}

pub(crate) async fn work(
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    Path((orcid, put_code)): Path<(String, String)>,
) -> Response {
    let ctx = guarded!(mock, headers, orcid, Access::Read);
    let inner = &mock.inner;
    let st = locked!(inner);
    match readable(&ctx, &st, &put_code) {
        Ok(w) => ctx.json(200, &works_json::full_work(&links(inner), w, true)),
        Err(e) => ctx.error(&e),
    }
}

pub(crate) async fn summary(
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    Path((orcid, put_code)): Path<(String, String)>,
) -> Response {
    let ctx = guarded!(mock, headers, orcid, Access::Read);
    let inner = &mock.inner;
    let st = locked!(inner);
    match readable(&ctx, &st, &put_code) {
        Ok(w) => ctx.json(200, &works_json::summary(&links(inner), w)),
        Err(e) => ctx.error(&e),
    }
}

/// `GET /v3.0/{orcid}/works/{pc1},{pc2},…`: a work or an error for each put-code, in order.
/// A put-code that is not a number, or not on this record, is a 9034 element.
pub(crate) async fn bulk_read(
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    Path((orcid, put_codes)): Path<(String, String)>,
) -> Response {
    let ctx = guarded!(mock, headers, orcid, Access::Read);
    let codes: Vec<&str> = put_codes
        .split(',')
        .filter(|c| !c.trim().is_empty())
        .collect();
    if codes.len() > MAX_BULK_READ {
        let e = ApiError::new(9042).detail(format!(
            "You can request up to {MAX_BULK_READ} put codes at a time; {} were given",
            codes.len()
        ));
        return ctx.error(&e);
    }
    let inner = &mock.inner;
    let st = locked!(inner);
    let l = links(inner);
    let bulk = codes
        .iter()
        .map(|raw| match readable(&ctx, &st, raw) {
            Ok(w) => BulkItem::Work(Box::new(works_json::full_work(&l, w, false))),
            Err(e) if e.code == 9016 => BulkItem::Error(
                ApiError::new(9034)
                    .client(&ctx.client_name)
                    .detail(format!("'{}' is not a valid put code", raw.trim()))
                    .to_value(),
            ),
            Err(e) => BulkItem::Error(e.to_value()),
        })
        .collect();
    ctx.json(200, &Bulk { bulk })
}

pub(crate) async fn record(
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    Path(orcid): Path<String>,
) -> Response {
    let ctx = guarded!(mock, headers, orcid, Access::Read);
    let inner = &mock.inner;
    let st = locked!(inner);
    let Some(r) = st.researcher(&ctx.orcid) else {
        return ctx.error(&ApiError::new(9016));
    };
    let l = links(inner);
    let activities = super::affiliations::activities_of(&ctx, &st, &l);
    ctx.json(
        200,
        &record_json::record(&l, r, ctx.read_limited, activities),
    )
}

pub(crate) async fn person(
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    Path(orcid): Path<String>,
) -> Response {
    section(mock, headers, orcid, record_json::person).await
}

/// `GET /v3.0/{orcid}/email`: the email section alone.
pub(crate) async fn emails(
    State(mock): State<MockOrcid>,
    headers: HeaderMap,
    Path(orcid): Path<String>,
) -> Response {
    section(mock, headers, orcid, record_json::emails).await
}

/// One section of a researcher's record, drawn by `draw` (which is told whether the token
/// may see limited items); 9016 when there is no such researcher.
async fn section<T: Serialize>(
    mock: MockOrcid,
    headers: HeaderMap,
    orcid: String,
    draw: fn(&Links, &Researcher, bool) -> T,
) -> Response {
    let ctx = guarded!(mock, headers, orcid, Access::Read);
    let inner = &mock.inner;
    let st = locked!(inner);
    match st.researcher(&ctx.orcid) {
        Some(r) => ctx.json(200, &draw(&links(inner), r, ctx.read_limited)),
        None => ctx.error(&ApiError::new(9016)),
    }
}
