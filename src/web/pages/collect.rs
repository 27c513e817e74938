//! The collector's counter: look a taxpayer up, see what they owe, record what they
//! pay, and print the numbered receipt. The day's sheet lists what the collector has
//! received, to hand over with the cash.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{NaiveDateTime, TimeZone};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::finance::{form_id, today, with_status};
use crate::communes::Commune;
use crate::error::{AppError, AppResult};
use crate::ids::{PaymentId, TaxpayerId};
use crate::revenue::payments::{self, Method, NewPayment, PaymentError};
use crate::revenue::{account, fields, taxpayers};
use crate::web::{AppState, Ctx};

#[derive(Deserialize)]
pub struct Lookup {
    #[serde(default, rename = "ref")]
    reference: String,
}

#[derive(Deserialize, Serialize, Default)]
pub struct PaymentForm {
    taxpayer: String,
    amount: String,
    method: String,
    #[serde(default)]
    reference: String,
    /// The form's one-time token (see [`payments`]).
    token: String,
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<Lookup>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    counter(&state, &ctx, q.reference.trim().to_string(), None, None).await
}

pub async fn record(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<PaymentForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let taxpayer = TaxpayerId(form_id(&form.taxpayer)?);
    let method = Method::parse(&form.method).ok_or(AppError::BadRequest("error.bad_request"))?;
    let token = form.token.trim().to_string();
    if token.is_empty() || token.len() > 64 {
        return Err(AppError::BadRequest("error.bad_request"));
    }
    let commune = ctx.visitor.commune()?.clone();
    let (cid, slug) = (commune.id, commune.slug.clone());
    let refused = match fields::amount(&form.amount) {
        Err(reason) => Refused::new(reason.key, 0),
        Ok(amount) => {
            let new = NewPayment {
                taxpayer,
                amount,
                method,
                reference: Some(form.reference.clone()),
                token,
            };
            let (actor, me, day) = (ctx.actor()?, ctx.visitor.user()?.id, today(&commune));
            let outcome = state
                .write(move |conn| {
                    match payments::record(conn, &commune, &new, day, &actor, me) {
                        Ok(id) => Ok(Ok(id)),
                        Err(PaymentError::Db(e)) => Err(e.into()),
                        // Refused before anything was written.
                        Err(refusal) => Ok(Err(refusal)),
                    }
                })
                .await?;
            match outcome {
                Ok(id) => {
                    let receipt = format!("/{slug}/collect/receipts/{}", id.0);
                    return Ok(ctx.redirect_with(&receipt, "ok", "payment.recorded"));
                }
                Err(refusal) => Refused::of(&refusal),
            }
        }
    };
    // The counter again, on the same taxpayer, with the reason and what was typed.
    let reference = state
        .db(move |conn| Ok(taxpayers::by_id(conn, cid, taxpayer)?.reference))
        .await?;
    counter(&state, &ctx, reference, Some(refused), Some(form)).await
}

pub async fn receipt(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let cid = ctx.visitor.commune()?.id;
    let receipt = state
        .db(move |conn| Ok(payments::receipt(conn, cid, PaymentId(id))?))
        .await?
        .ok_or(AppError::NotFound)?;
    ctx.render(
        &state,
        "pages/collect/receipt",
        "collect.receipt.title",
        json!({ "receipt": receipt }),
    )
}

/// Why a payment was refused, for the page.
#[derive(Serialize)]
struct Refused {
    key: &'static str,
    balance: i64,
    /// The receipt a reused transaction reference already paid.
    receipt: String,
}

impl Refused {
    fn new(key: &'static str, balance: i64) -> Refused {
        Refused {
            key,
            balance,
            receipt: String::new(),
        }
    }

    fn of(refusal: &PaymentError) -> Refused {
        let mut refused = Refused::new(refusal.message_key(), 0);
        match refusal {
            PaymentError::AboveBalance(balance) => refused.balance = *balance,
            PaymentError::ReferenceUsed(receipt) => refused.receipt = receipt.clone(),
            _ => {}
        }
        refused
    }
}

/// The counter page: the look-up, the taxpayer found (their account and the payment
/// form), and the collector's sheet for the day. A refused payment comes back here
/// with its reason and what was typed, as a 422.
async fn counter(
    state: &AppState,
    ctx: &Ctx,
    reference: String,
    refused: Option<Refused>,
    form: Option<PaymentForm>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let (cid, day, since) = (commune.id, today(&commune), start_of_today(&commune));
    let me = ctx.visitor.user()?.id;
    let wanted = reference.clone();
    let (found, sheet) = state
        .db(move |conn| {
            let found = match wanted.as_str() {
                "" => None,
                r => match taxpayers::by_ref(conn, cid, r)? {
                    // A record merged into another is paid on the one it joined.
                    Some(t) => match t.merged_into {
                        Some(kept) => Some(taxpayers::by_id(conn, cid, kept)?),
                        None => Some(t),
                    },
                    None => None,
                },
            };
            let found = match found {
                Some(t) => {
                    let acct = account::of(conn, t.id, day)?;
                    Some((t, acct))
                }
                None => None,
            };
            Ok((found, payments::received_by(conn, cid, me, since)?))
        })
        .await?;
    let total: i64 = sheet.iter().map(|p| p.amount).sum();
    let methods: Vec<&str> = Method::ALL.iter().map(|m| m.as_str()).collect();
    let (taxpayer, acct) = found.unzip();
    let form = form.unwrap_or_else(|| PaymentForm {
        amount: acct
            .as_ref()
            .map(|a| a.balance.max(0).to_string())
            .unwrap_or_default(),
        method: "cash".into(),
        token: uuid::Uuid::new_v4().simple().to_string(),
        ..PaymentForm::default()
    });
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = ctx.render_string(
        state,
        "pages/collect/counter",
        "space.collector.title",
        json!({
            "ref": reference,
            "searched": !reference.is_empty(),
            "taxpayer": taxpayer,
            "account": acct,
            "methods": methods,
            "form": form,
            "refused": refused,
            "sheet": { "payments": sheet, "total": total },
        }),
    )?;
    Ok(with_status(status, html))
}

/// Midnight today in the commune's time zone, as the UTC time the database stores.
fn start_of_today(commune: &Commune) -> NaiveDateTime {
    let midnight = today(commune).and_hms_opt(0, 0, 0).unwrap_or_default();
    match commune.timezone.parse::<chrono_tz::Tz>() {
        Ok(tz) => tz
            .from_local_datetime(&midnight)
            .earliest()
            .map(|t| t.naive_utc())
            .unwrap_or(midnight),
        Err(_) => midnight,
    }
}
