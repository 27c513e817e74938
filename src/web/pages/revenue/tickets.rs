//! Selling a market ticket at the counter: the collector chooses the fee and the stall's
//! category, the number of days (the amount is days × tariff), names the stall or
//! trader (or gives a register reference) and the method; the next page says what will
//! be sold ("Vendre un ticket de 300 FCFA à Étal 14 ?"), and the confirmation sells it
//! and prints its receipt. Nothing is written before the confirmation; a refusal comes
//! back to the form with what was typed, as a 422.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::receipts::in_words;
use super::with_status;
use crate::communes::Commune;
use crate::db::DbConn;
use crate::error::{AppError, AppResult, DomainResult, Refusal};
use crate::fields;
use crate::money::Xof;
use crate::revenue::payments::tickets::{self, Fee, NewTicket};
use crate::revenue::payments::{Channel, Method};
use crate::revenue::taxpayers;
use crate::web::{AppState, Ctx};

/// The most days one ticket pays for.
pub const MAX_DAYS: i64 = 366;

/// The ticket form, and the hidden fields of its confirmation (which add the amount
/// the collector saw).
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct TicketForm {
    /// The fee and the stall's category: `DPLACE:etal`, or `CODE:` for a fee without a
    /// tariff table.
    #[serde(default)]
    tariff: String,
    #[serde(default)]
    days: String,
    /// Typed only for a fee without a tariff; set by the preview otherwise.
    #[serde(default)]
    amount: String,
    #[serde(default)]
    payer: String,
    #[serde(default)]
    taxpayer_ref: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    token: String,
}

impl TicketForm {
    /// The fee's code and the category named, if any.
    fn tariff(&self) -> (String, Option<String>) {
        let (tax, category) = self.tariff.split_once(':').unwrap_or((&self.tariff, ""));
        let category = Some(category.trim().to_string()).filter(|c| !c.is_empty());
        (tax.trim().to_string(), category)
    }

    fn method(&self) -> AppResult<Method> {
        Method::parse(&self.method).ok_or(AppError::BadRequest("error.bad_request"))
    }

    fn token(&self) -> AppResult<String> {
        let token = self.token.trim().to_string();
        if token.is_empty() || token.len() > 64 {
            return Err(AppError::BadRequest("error.bad_request"));
        }
        Ok(token)
    }

    /// The days typed: a whole number from 1 to [`MAX_DAYS`].
    fn days(&self) -> Result<i64, Refusal> {
        match self.days.trim().parse::<i64>() {
            Ok(d) if (1..=MAX_DAYS).contains(&d) => Ok(d),
            _ => Err(Refusal::new("sell.bad_days")
                .arg("max", MAX_DAYS)
                .on("days")),
        }
    }
}

/// `GET /{commune}/collect/tickets`: the form.
pub async fn ticket_form(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let form = TicketForm {
        days: "1".into(),
        method: Method::Cash.as_str().into(),
        token: uuid::Uuid::new_v4().simple().to_string(),
        ..TicketForm::default()
    };
    form_page(&state, &ctx, form, None).await
}

/// `POST /{commune}/collect/tickets/preview`: what will be sold, to confirm.
pub async fn preview_ticket(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<TicketForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    form.method()?;
    form.token()?;
    let commune = ctx.visitor.commune()?.clone();
    let f = form.clone();
    let checked = state.db(move |conn| Ok(preview(conn, &commune, &f)?)).await;
    match checked {
        Ok(sale) => {
            let mut form = form;
            form.amount = sale.amount.0.to_string();
            let locale = ctx.locale.as_str();
            ctx.render(
                &state,
                "pages/collect/ticket-confirm",
                "sell.confirm.title",
                json!({
                    "sale": sale,
                    "words": in_words(sale.amount, locale),
                    "form": form,
                }),
            )
        }
        Err(AppError::Refused(r)) => form_page(&state, &ctx, form, Some(r)).await,
        Err(e) => Err(e),
    }
}

/// `POST /{commune}/collect/tickets`: sells the ticket confirmed, and shows its receipt
/// (58 mm, as a market collector prints it).
pub async fn sell_ticket(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<TicketForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let (method, token) = (form.method()?, form.token()?);
    let commune = ctx.visitor.commune()?.clone();
    let slug = commune.slug.clone();
    let (actor, me, day) = (ctx.actor()?, ctx.visitor.user()?.id, commune.today());
    let f = form.clone();
    let sold = state
        .write(move |conn| -> DomainResult<_> {
            let (tax, category) = f.tariff();
            let taxpayer = register_entry(conn, &commune, &f.taxpayer_ref)?;
            let amount = fields::amount(&f.amount).map_err(|r| r.on("amount"))?;
            let ticket = NewTicket {
                tax,
                category,
                taxpayer: taxpayer.map(|t| t.id),
                payer: Some(f.payer.clone()),
                amount,
                method,
                reference: Some(f.reference.clone()),
                token,
                paid_on: None,
                channel: Channel::Counter,
            };
            tickets::sell(conn, &commune, &ticket, day, &actor, me)
        })
        .await;
    match sold {
        Ok(issued) => {
            let to = format!("/{slug}/collect/receipts/{}?format=58mm", issued.id.0);
            Ok(ctx.redirect_with(&to, "ok", "sell.sold"))
        }
        Err(AppError::Refused(refusal)) => form_page(&state, &ctx, form, Some(refusal)).await,
        Err(e) => Err(e),
    }
}

/// What the confirmation shows.
#[derive(Debug, Clone, Serialize)]
struct Sale {
    fee: Fee,
    category: Option<String>,
    unit: Option<Xof>,
    days: Option<i64>,
    amount: Xof,
    payer: String,
    taxpayer: Option<(String, String)>,
}

/// The checks a sale passes before it is shown to confirm (the sale itself checks them
/// again, under the commune's lock): the fee, the category and the days, the payer, the
/// method's reference.
fn preview(conn: &mut DbConn, commune: &Commune, f: &TicketForm) -> DomainResult<Sale> {
    let (code, category) = f.tariff();
    let fee = tickets::fees(conn, commune)?
        .into_iter()
        .find(|fee| fee.code == code)
        .ok_or_else(|| {
            Refusal::new("ticket.not_a_daily_fee")
                .arg("tax", code.as_str())
                .on("tariff")
        })?;
    let unit = match &category {
        Some(c) => Some(*fee.tariffs.get(c).ok_or_else(|| {
            Refusal::new("ticket.unknown_category")
                .arg("category", c.as_str())
                .arg(
                    "known",
                    fee.tariffs.keys().cloned().collect::<Vec<_>>().join(", "),
                )
                .on("tariff")
        })?),
        None => fee.amount,
    };
    let (days, amount) = match unit {
        Some(unit) => {
            let days = f.days()?;
            let amount = unit
                .0
                .checked_mul(days)
                .map(Xof)
                .filter(|a| *a <= Xof::MAX_ENTRY)
                .ok_or_else(|| Refusal::new("field.amount_too_large").on("days"))?;
            (Some(days), amount)
        }
        None => (None, fields::amount(&f.amount).map_err(|r| r.on("amount"))?),
    };
    if amount.0 <= 0 {
        return Err(Refusal::new("payment.not_positive").on("amount").into());
    }
    tickets::check_amount(amount, category.as_deref(), fee.amount, &fee.tariffs)?;
    let taxpayer = register_entry(conn, commune, &f.taxpayer_ref)?;
    let payer = f.payer.trim().to_string();
    if payer.is_empty() && taxpayer.is_none() {
        return Err(Refusal::new("ticket.payer_needed").on("payer").into());
    }
    if payer.chars().count() > tickets::MAX_PAYER {
        return Err(Refusal::new("ticket.payer_too_long")
            .arg("max", tickets::MAX_PAYER)
            .on("payer")
            .into());
    }
    let method = Method::parse(&f.method).unwrap_or(Method::Cash);
    if method.needs_reference() && f.reference.trim().is_empty() {
        return Err(Refusal::new("payment.reference_needed")
            .on("reference")
            .into());
    }
    // The question names the stall as written, or else the register entry.
    let payer = match (&taxpayer, payer.is_empty()) {
        (Some(t), true) => t.name.clone(),
        _ => payer,
    };
    Ok(Sale {
        fee,
        category,
        unit,
        days,
        amount,
        payer,
        taxpayer: taxpayer.map(|t| (t.reference, t.name)),
    })
}

/// The register entry a reference names, if one was typed; a reference that names
/// nobody is refused.
fn register_entry(
    conn: &mut DbConn,
    commune: &Commune,
    reference: &str,
) -> DomainResult<Option<taxpayers::Taxpayer>> {
    let reference = reference.trim();
    if reference.is_empty() {
        return Ok(None);
    }
    match taxpayers::payer(conn, commune.id, reference)? {
        Some(t) => Ok(Some(t)),
        None => Err(Refusal::new("sell.unknown_taxpayer")
            .arg("ref", reference)
            .on("taxpayer_ref")
            .into()),
    }
}

/// The form, with what was typed and, after a refusal, its reason (422).
async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    form: TicketForm,
    refused: Option<Refusal>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let fees = state
        .db(move |conn| Ok(tickets::fees(conn, &commune)?))
        .await?;
    let locale = ctx.locale.as_str();
    // One group per fee, one choice per category: on a phone the closed list shows the
    // category and its price, not the fee's long name.
    let groups: Vec<_> = fees
        .iter()
        .map(|fee| {
            let name = if locale == "en" {
                &fee.name_en
            } else {
                &fee.name_fr
            };
            let mut options: Vec<_> = fee
                .tariffs
                .iter()
                .map(|(category, unit)| {
                    let value = format!("{}:{category}", fee.code);
                    json!({ "value": value, "selected": value == form.tariff,
                            "category": category, "unit": unit })
                })
                .collect();
            if fee.tariffs.is_empty() {
                let value = format!("{}:", fee.code);
                options.push(json!({ "value": value, "selected": value == form.tariff,
                                     "category": null, "unit": fee.amount }));
            }
            json!({ "name": name, "options": options })
        })
        .collect();
    // A fee without any tariff takes the amount typed.
    let typed_amount = fees
        .iter()
        .any(|f| f.tariffs.is_empty() && f.amount.is_none());
    let status = match refused {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    // The field the refusal is about, marked invalid ("" for none).
    let bad_field = refused.as_ref().and_then(|r| r.field).unwrap_or("");
    let refused = refused.map(|r| json!({ "message": r.message(&state.catalog, ctx.locale) }));
    let html = ctx.render_string(
        state,
        "pages/collect/tickets",
        "sell.title",
        json!({
            "groups": groups,
            "no_fee": fees.is_empty(),
            "typed_amount": typed_amount,
            "methods": Method::ALL,
            "form": form,
            "refused": refused,
            "bad_field": bad_field,
        }),
    )?;
    Ok(with_status(status, html))
}
