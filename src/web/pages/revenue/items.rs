//! `POST /{commune}/finance/taxpayers/{id}/items`: a taxable item for a taxpayer.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::forms::{self, ItemForm};
use super::href;
use super::taxpayer::render_taxpayer;
use crate::communes::districts;
use crate::error::AppResult;
use crate::ids::TaxpayerId;
use crate::revenue::items;
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
    let created = state
        .write(move |conn| -> AppResult<_> {
            let all_districts = districts::list(conn, cid)?;
            let fields = forms::item(&typed, &all_districts)?;
            Ok(items::create(conn, cid, id, &fields, &actor)?)
        })
        .await;
    match created {
        Ok(_) => Ok(ctx.redirect_with(
            &href(&commune, &format!("/taxpayers/{id}#items")),
            "ok",
            "finance.items.created",
        )),
        Err(e) => {
            let errors = e.into_field_errors()?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render_taxpayer(&state, &ctx, id, &form, &errors, status).await
        }
    }
}
