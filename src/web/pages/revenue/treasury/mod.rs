//! The treasurer's space (the *comptable*): the day's receipts by collector and the
//! cash-ups to validate, a cash-up counted and validated into a numbered deposit, the
//! deposits, the bank's statements ([`bank`]), and the mobile-money payments to check
//! and resolve ([`mobile`]). The collector declares their own
//! cash-up on [`collector`]'s page. See `revenue::treasury` for the flow and its rules.

pub mod bank;
pub mod collector;
pub mod mobile;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::with_status;
use crate::error::{AppError, AppResult, Refusal};
use crate::fields;
use crate::ids::CashupId;
use crate::revenue::treasury::cashups::{self, Count, Which};
use crate::revenue::treasury::{day, When};
use crate::web::{AppState, Ctx};

/// How many cash-ups a list shows.
const LIST: i64 = 200;
/// How many deposits a page of the deposits shows.
const PAGE: i64 = 50;

#[derive(Deserialize)]
pub struct Before {
    before: Option<i64>,
}

#[derive(Deserialize)]
pub struct DayQuery {
    #[serde(default)]
    day: String,
}

/// `GET /{commune}/treasury`: the treasurer's home.
pub async fn home(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<DayQuery>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let today = commune.today();
    // A day that is not a date shows today; the field says which day is shown.
    let day = fields::date(&q.day)
        .ok()
        .filter(|d| *d <= today)
        .unwrap_or(today);
    let cid = commune.id;
    let (board, waiting) = state
        .db(move |conn| {
            Ok((
                day::of(conn, cid, day)?,
                cashups::list(conn, cid, Which::ToValidate, LIST)?,
            ))
        })
        .await?;
    ctx.render(
        &state,
        "pages/treasury/home",
        "space.treasurer.title",
        json!({
            "board": board,
            "is_today": day == today,
            "today": today,
            "waiting": waiting,
        }),
    )
}

/// `GET /{commune}/treasury/cashups/{cashup}`: a cash-up, and the form that validates it.
pub async fn cashup(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let id = CashupId(path.into_inner().1);
    cashup_page(&state, &ctx, id, None, ValidateForm::default()).await
}

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct ValidateForm {
    received: String,
    #[serde(default)]
    note: String,
}

/// `POST /{commune}/treasury/cashups/{cashup}/validate`: the treasurer's count.
pub async fn validate(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<ValidateForm>,
) -> AppResult<HttpResponse> {
    let id = CashupId(path.into_inner().1);
    let form = form.into_inner();
    let received = match fields::amount(&form.received) {
        Ok(x) => x,
        Err(r) => return cashup_page(&state, &ctx, id, Some(r.on("received")), form).await,
    };
    let counted = Count {
        received,
        note: form.note.clone(),
    };
    let commune = ctx.visitor.commune()?.clone();
    let page = format!("/{}/treasury/cashups/{}", commune.slug, id.0);
    let (actor, me, when) = (ctx.actor()?, ctx.visitor.user()?.id, When::now(&commune));
    let done = state
        .write(move |conn| cashups::validate(conn, &commune, id, &counted, when, &actor, me))
        .await;
    match done {
        Ok(_) => Ok(ctx.redirect_with(&page, "ok", "cashup.validated_flash")),
        Err(AppError::Refused(r)) => cashup_page(&state, &ctx, id, Some(r), form).await,
        Err(e) => Err(e),
    }
}

/// The cash-up's page; a refused count comes back here as a 422, with its reason and
/// what was typed.
async fn cashup_page(
    state: &AppState,
    ctx: &Ctx,
    id: CashupId,
    refused: Option<Refusal>,
    form: ValidateForm,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let (found, lines) = state
        .db(move |conn| Ok((cashups::one(conn, cid, id)?, cashups::lines(conn, id)?)))
        .await?;
    let found = found.ok_or(AppError::NotFound)?;
    let status = match refused {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let refused = refused.map(|r| r.message(&state.catalog, ctx.locale));
    let html = ctx.render_string(
        state,
        "pages/treasury/cashup",
        "cashup.title",
        json!({
            "cashup": found,
            "declared_gap": found.declared_gap(),
            "lines": lines,
            "form": form,
            "refused": refused,
        }),
    )?;
    Ok(with_status(status, html))
}

/// `GET /{commune}/treasury/deposits`: the validated cash-ups, newest first.
pub async fn deposits(
    state: web::Data<AppState>,
    ctx: Ctx,
    query: web::Query<Before>,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let before = query.before.map(CashupId);
    let mut list = state
        .db(move |conn| Ok(cashups::list(conn, cid, Which::Deposits(before), PAGE + 1)?))
        .await?;
    // One more than a page says whether there are older ones.
    let older = (list.len() as i64 > PAGE).then(|| {
        list.truncate(PAGE as usize);
        list.last().map(|c| c.id.0)
    });
    ctx.render(
        &state,
        "pages/treasury/deposits",
        "deposits.title",
        json!({ "deposits": list, "older": older.flatten(), "paged": before.is_some() }),
    )
}
