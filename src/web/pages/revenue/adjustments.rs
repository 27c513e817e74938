//! Adjustments to issued lines, under four eyes: one finance officer asks, another
//! approves or rejects.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::{form_id, href};
use crate::error::{AppError, AppResult};
use crate::fields;
use crate::ids::{AdjustmentId, AssessmentId};
use crate::revenue::adjustments::{self, AdjustmentKind, Request};
use crate::web::{AppState, Ctx};

pub async fn list(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let pending = state
        .db(move |conn| Ok(adjustments::pending(conn, cid)?))
        .await?;
    ctx.render(
        &state,
        "pages/revenue/adjustments",
        "finance.adjustments.title",
        json!({ "pending": pending }),
    )
}

#[derive(Deserialize)]
pub struct RequestForm {
    line: String,
    kind: String,
    /// Francs, for a reduction or an increase; empty for an exemption or a cancellation.
    amount: String,
    reason: String,
}

pub async fn request(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<RequestForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let kind =
        AdjustmentKind::parse(&form.kind).ok_or(AppError::BadRequest("error.bad_request"))?;
    let amount = fields::optional(&form.amount, fields::amount).map_err(|r| r.on("amount"))?;
    let req = Request {
        line: AssessmentId(form_id(&form.line)?),
        kind,
        amount,
        reason: form.reason,
    };
    let commune = ctx.visitor.commune()?.clone();
    let (cid, actor) = (commune.id, ctx.actor()?);
    let me = ctx.visitor.user()?.id;
    state
        .write(move |conn| adjustments::request(conn, cid, &req, &actor, me))
        .await?;
    Ok(ctx.redirect_with(
        &href(&commune, "/adjustments"),
        "ok",
        "finance.adjustments.requested",
    ))
}

#[derive(Deserialize)]
pub struct DecideForm {
    /// `approve` or `reject`.
    decision: String,
}

pub async fn decide(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<DecideForm>,
) -> AppResult<HttpResponse> {
    let id = AdjustmentId(path.into_inner().1);
    let approve = match form.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::BadRequest("error.bad_request")),
    };
    let commune = ctx.visitor.commune()?.clone();
    let (cid, actor) = (commune.id, ctx.actor()?);
    let me = ctx.visitor.user()?.id;
    state
        .write(move |conn| adjustments::decide(conn, cid, id, approve, &actor, me))
        .await?;
    let done = if approve {
        "finance.adjustments.approved"
    } else {
        "finance.adjustments.rejected"
    };
    Ok(ctx.redirect_with(&href(&commune, "/adjustments"), "ok", done))
}
