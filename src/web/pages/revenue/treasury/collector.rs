//! The collector's cash-up, on their phone: what they hold (cash to hand over, and the
//! mobile money and other means that never passed through their hands), the receipts
//! behind it, and the form that declares it with the cash they counted; then their
//! cash-ups and what the treasurer found.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::super::{form_id, with_status};
use crate::error::{AppError, AppResult, Refusal};
use crate::fields;
use crate::ids::PaymentId;
use crate::revenue::treasury::cashups::{self, Which};
use crate::revenue::treasury::When;
use crate::web::{AppState, Ctx};

/// How many of their past cash-ups a collector sees.
const PAST: i64 = 30;

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct DeclareForm {
    /// The last receipt the page showed.
    through: String,
    cash: String,
}

/// `GET /{commune}/collect/cashup`.
pub async fn show(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    page(&state, &ctx, None, DeclareForm::default()).await
}

/// `POST /{commune}/collect/cashup`: the declaration.
pub async fn declare(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<DeclareForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let through = PaymentId(form_id(&form.through)?);
    let cash = match fields::amount(&form.cash) {
        Ok(x) => x,
        Err(r) => return page(&state, &ctx, Some(r.on("cash")), form).await,
    };
    let commune = ctx.visitor.commune()?.clone();
    let to = format!("/{}/collect/cashup", commune.slug);
    let (actor, me, when) = (ctx.actor()?, ctx.visitor.user()?.id, When::now(&commune));
    let done = state
        .write(move |conn| cashups::declare(conn, &commune, me, through, cash, when, &actor))
        .await;
    match done {
        Ok(_) => Ok(ctx.redirect_with(&to, "ok", "cashup.declared_flash")),
        Err(AppError::Refused(r)) => page(&state, &ctx, Some(r), form).await,
        Err(e) => Err(e),
    }
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    refused: Option<Refusal>,
    form: DeclareForm,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let me = ctx.visitor.user()?.id;
    let (pending, past) = state
        .db(move |conn| {
            Ok((
                cashups::to_declare(conn, cid, me)?,
                cashups::list(conn, cid, Which::Of(me), PAST)?,
            ))
        })
        .await?;
    let status = match refused {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let refused = refused.map(|r| r.message(&state.catalog, ctx.locale));
    let past: Vec<serde_json::Value> = past
        .into_iter()
        .map(|c| json!({ "short": c.difference.is_some_and(|d| d.0 < 0), "cashup": c }))
        .collect();
    let html = ctx.render_string(
        state,
        "pages/treasury/collector",
        "cashup.mine",
        json!({ "pending": pending, "past": past, "form": form, "refused": refused }),
    )?;
    Ok(with_status(status, html))
}
