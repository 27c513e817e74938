//! `POST /{commune}/finance/taxpayers/{id}/items`: a taxable item for a taxpayer.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::forms::{self, ItemForm};
use super::href;
use super::taxpayer::render_taxpayer;
use crate::communes::districts;
use crate::error::AppError;
use crate::error::AppResult;
use crate::ids::TaxpayerId;
use crate::revenue::fields::Reason;
use crate::revenue::{items, taxpayers};
use crate::web::{AppState, Ctx};

pub async fn create(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<ItemForm>,
) -> AppResult<HttpResponse> {
    let id = TaxpayerId(path.into_inner().1);
    let form = form.into_inner();
    let commune = ctx.visitor.commune()?.clone();
    let (cid, actor) = (commune.id, ctx.actor()?);
    let typed = form.clone();
    let outcome = state
        .write(move |conn| {
            if taxpayers::by_id(conn, cid, id)?.merged_into.is_some() {
                return Err(AppError::Unprocessable("finance.taxpayer.is_merged"));
            }
            let all_districts = districts::list(conn, cid)?;
            let fields = match forms::item(&typed, &all_districts) {
                Ok(fields) => fields,
                Err(errors) => return Ok(Err(errors)),
            };
            if items::by_ref(conn, cid, &fields.reference)?.is_some() {
                return Ok(Err(vec![("ref", Reason::new("finance.items.ref_taken"))]));
            }
            Ok(Ok(items::create(conn, cid, id, &fields, &actor)?))
        })
        .await?;
    match outcome {
        Ok(_) => Ok(ctx.redirect_with(
            &href(&commune, &format!("/taxpayers/{id}#items")),
            "ok",
            "finance.items.created",
        )),
        Err(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render_taxpayer(&state, &ctx, id, &form, &errors, status).await
        }
    }
}
