//! The collector's counter, made for a phone: look a taxpayer up by reference, name or
//! phone (choosing among several when the search finds more than one), see what they
//! owe, say what they pay, check the preview ("Enregistrer 25 000 FCFA pour Moussa
//! Diallo ?"), confirm, and print the numbered receipt. The day's totals stand at the
//! top, cash apart from mobile money, since only the cash is handed over.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{form_id, with_status};
use crate::error::{AppError, AppResult, Refusal};
use crate::fields;
use crate::ids::TaxpayerId;
use crate::money::Xof;
use crate::revenue::ledger;
use crate::revenue::payments::{self, Method, NewPayment, Status};
use crate::revenue::taxpayers::{self, search, Filter};
use crate::web::{AppState, Ctx};

#[derive(Deserialize)]
pub struct Lookup {
    #[serde(default, rename = "ref")]
    reference: String,
}

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct PaymentForm {
    taxpayer: String,
    amount: String,
    method: String,
    #[serde(default)]
    reference: String,
    /// The form's one-time token (see [`payments`]).
    token: String,
}

impl PaymentForm {
    /// The payment the form describes; a field the page never sends wrong is a 400, an
    /// amount typed wrong is a refusal.
    fn payment(&self) -> AppResult<NewPayment> {
        let token = self.token.trim().to_string();
        if token.is_empty() || token.len() > 64 {
            return Err(AppError::BadRequest("error.bad_request"));
        }
        Ok(NewPayment {
            taxpayer: TaxpayerId(form_id(&self.taxpayer)?),
            amount: fields::amount(&self.amount).map_err(|r| r.on("amount"))?,
            method: Method::parse(&self.method).ok_or(AppError::BadRequest("error.bad_request"))?,
            reference: Some(self.reference.clone()),
            token,
            paid_on: None,
            channel: payments::Channel::Counter,
        })
    }
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<Lookup>,
) -> AppResult<HttpResponse> {
    let reference = q.into_inner().reference.trim().to_string();
    counter(&state, &ctx, reference, None, None).await
}

/// The preview of a payment: what it settles, and the balance after; nothing is
/// written until the collector confirms.
pub async fn preview(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<PaymentForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let commune = ctx.visitor.commune()?.clone();
    let day = commune.today();
    let planned = match form.payment() {
        Ok(payment) => {
            let c = commune.clone();
            state
                .db(move |conn| Ok(payments::plan(conn, &c, &payment, day)?))
                .await
        }
        Err(e) => Err(e),
    };
    match planned {
        Ok(plan) => ctx.render(
            &state,
            "pages/collect/confirm",
            "collect.confirm.title",
            json!({ "plan": plan, "form": form }),
        ),
        Err(AppError::Refused(refusal)) => refused(&state, &ctx, refusal, form).await,
        Err(e) => Err(e),
    }
}

/// Records the payment confirmed on the preview, and shows its receipt.
pub async fn record(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<PaymentForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let payment = form.payment()?;
    let commune = ctx.visitor.commune()?.clone();
    let slug = commune.slug.clone();
    let (actor, me, day) = (ctx.actor()?, ctx.visitor.user()?.id, commune.today());
    let recorded = state
        .write(move |conn| payments::record(conn, &commune, &payment, day, &actor, me))
        .await;
    match recorded {
        Ok(issued) => {
            let receipt = format!("/{slug}/collect/receipts/{}", issued.id.0);
            Ok(ctx.redirect_with(&receipt, "ok", "payment.recorded"))
        }
        Err(AppError::Refused(refusal)) => refused(&state, &ctx, refusal, form).await,
        Err(e) => Err(e),
    }
}

/// The counter again, on the same taxpayer, with the reason and what was typed.
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    refusal: Refusal,
    form: PaymentForm,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let taxpayer = TaxpayerId(form_id(&form.taxpayer)?);
    let reference = state
        .db(move |conn| Ok(taxpayers::by_id(conn, cid, taxpayer)?.reference))
        .await?;
    counter(state, ctx, reference, Some(refusal), Some(form)).await
}

/// At most this many taxpayers are offered to choose from when a search finds several.
const CHOICES: i64 = 12;

/// What the counter's search found.
enum Looked {
    Nothing,
    /// One taxpayer, whose account opens.
    One(Box<(taxpayers::Taxpayer, ledger::Account)>),
    /// Several, to choose from; `true` when there are more than those.
    Several(Vec<taxpayers::RegisterRow>, bool),
}

/// Finds the taxpayer typed at the counter: a reference typed in full opens its
/// account, and so does a search that finds one taxpayer (a record merged into another
/// gives the one it joined); several are offered to choose from.
fn look_up(
    conn: &mut crate::db::DbConn,
    cid: crate::ids::CommuneId,
    query: &taxpayers::Query,
    day: chrono::NaiveDate,
) -> AppResult<Looked> {
    if query.is_empty() {
        return Ok(Looked::Nothing);
    }
    let found = search::find(conn, cid, query, &Filter::default(), None, CHOICES)?;
    let exact = found.rows.iter().find(|r| r.reference == query.text());
    let one = match (exact, found.rows.as_slice()) {
        (Some(row), _) | (None, [row]) => row.id,
        (None, []) => return Ok(Looked::Nothing),
        (None, _) => return Ok(Looked::Several(found.rows, found.next.is_some())),
    };
    let taxpayer = taxpayers::by_id(conn, cid, one)?;
    let account = ledger::of(conn, one, day)?;
    Ok(Looked::One(Box::new((taxpayer, account))))
}

/// The day's receipts by how the money came in: only the cash is handed over to the
/// treasurer (mobile money reaches the commune's account directly). Cancelled receipts
/// count for nothing.
fn day_totals(sheet: &[payments::Received]) -> serde_json::Value {
    let valid = || sheet.iter().filter(|p| p.status != Status::Cancelled);
    let sum = |pick: &dyn Fn(Method) -> bool| -> Xof {
        valid().filter(|p| pick(p.method)).map(|p| p.amount).sum()
    };
    json!({
        "count": valid().count(),
        "total": sum(&|_| true),
        "cash": sum(&|m| m == Method::Cash),
        "mobile_money": sum(&|m| m == Method::MobileMoney),
        "other": sum(&|m| m != Method::Cash && m != Method::MobileMoney),
    })
}

/// The counter page: the day's totals, the search, the taxpayer found (their account
/// and the payment form) or the taxpayers to choose from, and the collector's sheet for
/// the day. A refused payment comes back here with its reason and what was typed, as a
/// 422.
async fn counter(
    state: &AppState,
    ctx: &Ctx,
    typed: String,
    refused: Option<Refusal>,
    form: Option<PaymentForm>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let (cid, day, since) = (commune.id, commune.today(), commune.start_of_today());
    let me = ctx.visitor.user()?.id;
    let query = taxpayers::Query::parse(&typed, commune.country);
    let (looked, sheet) = state
        .db(move |conn| {
            let looked = look_up(conn, cid, &query, day)?;
            Ok((looked, payments::received_by(conn, cid, me, since)?))
        })
        .await?;
    let (found, choices, more) = match looked {
        Looked::One(found) => (Some(*found), Vec::new(), false),
        Looked::Several(rows, more) => (None, rows, more),
        Looked::Nothing => (None, Vec::new(), false),
    };
    let (taxpayer, acct) = found.unzip();
    let form = form.unwrap_or_else(|| PaymentForm {
        amount: acct
            .as_ref()
            .map(|a| a.balance.0.max(0).to_string())
            .unwrap_or_default(),
        method: Method::Cash.as_str().into(),
        token: uuid::Uuid::new_v4().simple().to_string(),
        ..PaymentForm::default()
    });
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let refused = refused
        .map(|r| json!({ "field": r.field, "message": r.message(&state.catalog, ctx.locale) }));
    let html = ctx.render_string(
        state,
        "pages/collect/counter",
        "space.collector.title",
        json!({
            "ref": typed,
            "searched": !typed.trim().is_empty(),
            "taxpayer": taxpayer,
            "account": acct,
            "choices": choices,
            "more": more,
            "methods": Method::ALL,
            "form": form,
            "refused": refused,
            "day": day_totals(&sheet),
            "sheet": sheet,
        }),
    )?;
    Ok(with_status(status, html))
}
