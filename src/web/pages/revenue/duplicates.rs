//! Probable duplicates in the register, and merging one record into another.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::{form_id, href};
use crate::error::AppResult;
use crate::ids::TaxpayerId;
use crate::revenue::items as item_list;
use crate::revenue::taxpayers;
use crate::web::{AppState, Ctx};

/// Groups shown at most, per kind of match.
const GROUPS: i64 = 100;

pub async fn list(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let groups = state
        .db(move |conn| Ok(taxpayers::duplicates(conn, cid, GROUPS)?))
        .await?;
    ctx.render(
        &state,
        "pages/revenue/duplicates",
        "finance.duplicates.title",
        json!({ "groups": groups }),
    )
}

/// The page that asks before merging: the two records, and what the merge does.
pub async fn confirm_merge(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    query: web::Query<MergeForm>,
) -> AppResult<HttpResponse> {
    let keep = TaxpayerId(path.into_inner().1);
    let duplicate = TaxpayerId(form_id(&query.duplicate)?);
    let cid = ctx.visitor.commune()?.id;
    let (kept, dup, items) = state
        .db(move |conn| {
            let items = item_list::of_taxpayers(conn, &[duplicate])?.len();
            Ok((
                taxpayers::by_id(conn, cid, keep)?,
                taxpayers::by_id(conn, cid, duplicate)?,
                items,
            ))
        })
        .await?;
    ctx.render(
        &state,
        "pages/revenue/merge",
        "finance.duplicates.confirm_title",
        json!({ "keep": kept, "duplicate": dup, "items": items }),
    )
}

#[derive(Deserialize)]
pub struct MergeForm {
    /// The record merged into the one of the URL.
    duplicate: String,
}

pub async fn merge(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<MergeForm>,
) -> AppResult<HttpResponse> {
    let keep = TaxpayerId(path.into_inner().1);
    let duplicate = TaxpayerId(form_id(&form.duplicate)?);
    let commune = ctx.visitor.commune()?.clone();
    let (cid, actor) = (commune.id, ctx.actor()?);
    state
        .write(move |conn| taxpayers::merge(conn, cid, keep, duplicate, &actor))
        .await?;
    Ok(ctx.redirect_with(
        &href(&commune, &format!("/taxpayers/{keep}")),
        "ok",
        "finance.duplicates.merged",
    ))
}
