//! The receipt (*quittance*) as the payer keeps it and the commune files it: the
//! country's header, the commune, the number, the tax by its name, the amount in
//! figures and in words, the balance left to pay, who paid and who received it, a box
//! for the signature and the stamp, and the verification code with its QR code. On A4
//! it prints as a half page above a counterfoil (*souche*) the commune keeps;
//! `?format=58mm` gives the narrow ticket a thermal printer takes.
//!
//! The treasurer asks here to cancel a receipt, with a reason; a second person decides
//! on the list of pending cancellations ([`super::cancellations`]).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::with_status;
use crate::accounts::{authz, Perm};
use crate::error::{AppError, AppResult, Refusal};
use crate::ids::PaymentId;
use crate::money::{words, Xof};
use crate::revenue::ledger;
use crate::revenue::payments::{self, cancel, code, Receipt, Status};
use crate::web::{qr, AppState, Ctx};

#[derive(Deserialize)]
pub struct Format {
    #[serde(default)]
    format: String,
}

/// The two layouts of a receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// A half A4 page and its counterfoil.
    A4,
    /// A 58 mm thermal roll.
    Roll58,
}

impl Layout {
    fn parse(format: &str) -> Layout {
        match format {
            "58mm" | "58" => Layout::Roll58,
            _ => Layout::A4,
        }
    }

    fn template(self) -> &'static str {
        match self {
            Layout::A4 => "pages/collect/receipt",
            Layout::Roll58 => "pages/collect/receipt-58mm",
        }
    }
}

/// `GET /{commune}/collect/receipts/{id}`: the receipt, on A4 or (`?format=58mm`) on a
/// thermal roll.
pub async fn show_receipt(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    q: web::Query<Format>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let layout = Layout::parse(&q.format);
    render_receipt(&state, &ctx, PaymentId(id), layout, None).await
}

#[derive(Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    reason: String,
}

/// `POST /{commune}/collect/receipts/{id}/cancel`: a treasurer asks to cancel the
/// receipt; a refusal (no reason, the collector who received it…) comes back beside
/// the form, as a 422.
pub async fn request_cancellation(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<CancelForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let payment = PaymentId(id);
    let commune = ctx.visitor.commune()?.clone();
    let (actor, me) = (ctx.actor()?, ctx.visitor.user()?.id);
    let reason = form.into_inner().reason;
    let (slug, typed) = (commune.slug.clone(), reason.clone());
    let asked = state
        .write(move |conn| cancel::request(conn, &commune, payment, &reason, &actor, me))
        .await;
    match asked {
        Ok(_) => Ok(ctx.redirect_with(
            &format!("/{slug}/collect/receipts/{id}"),
            "ok",
            "cancellation.requested",
        )),
        Err(AppError::Refused(refusal)) => {
            render_receipt(&state, &ctx, payment, Layout::A4, Some((refusal, typed))).await
        }
        Err(e) => Err(e),
    }
}

/// The receipt page; after a refused request to cancel it, the refusal and the reason
/// typed, beside the form.
async fn render_receipt(
    state: &AppState,
    ctx: &Ctx,
    id: PaymentId,
    layout: Layout,
    refused: Option<(Refusal, String)>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let (cid, day) = (commune.id, commune.today());
    let (receipt, balance, cancellation) = state
        .db(move |conn| {
            let Some(r) = payments::receipt(conn, cid, id)? else {
                return Err(AppError::NotFound);
            };
            // What is left to pay on the taxpayer's account (a ticket is no part of it).
            let balance = match (r.taxpayer_id, &r.ticket_tax) {
                (Some(t), None) => Some(ledger::of(conn, t, day)?.balance),
                _ => None,
            };
            let cancellation = cancel::of_payment(conn, id)?;
            Ok((r, balance, cancellation))
        })
        .await?;
    let locale = ctx.locale.as_str();
    let may_cancel = authz::allows(Perm::CancelReceipt, &ctx.visitor.roles);
    let pending = cancellation.as_ref().filter(|(_, s, _)| s == "pending");
    let cancelled = receipt.status == Status::Cancelled;
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (refused, reason) = match refused {
        Some((r, typed)) => (Some(r.message(&state.catalog, ctx.locale)), typed),
        None => (None, String::new()),
    };
    let view = json!({
        "receipt": &receipt,
        "payer": payer(&receipt),
        "taxes": taxes(&receipt, locale),
        "lines": lines(&receipt, locale),
        "words": words::amount_in_words(receipt.amount.0, locale),
        "balance": balance.map(|b| json!({ "amount": b, "on": day })),
        "cancelled": cancelled,
        "cancellation": cancellation.as_ref().map(|(_, s, reason)| json!({ "status": s, "reason": reason })),
        "pending": pending.is_some(),
        "cancel_form": may_cancel && !cancelled && pending.is_none()
            && receipt.status != Status::Reconciled,
        "may_decide": may_cancel,
        "refused": refused,
        "reason": reason,
        "verification": verification(state, ctx, &receipt),
        "back": back(ctx, &commune.slug, &receipt),
        "a4": format!("/{}/collect/receipts/{}", commune.slug, receipt.id.0),
    });
    let html = ctx.render_string(state, layout.template(), "collect.receipt.title", view)?;
    Ok(with_status(status, html))
}

/// Who paid: the register entry's name and reference, or a ticket's stall or trader.
fn payer(r: &Receipt) -> Value {
    json!({
        "name": r.taxpayer_name.clone().or_else(|| r.payer.clone()).unwrap_or_default(),
        "reference": r.taxpayer_ref,
        // A ticket sold to a trader on the register names the stall too.
        "stall": r.taxpayer_name.as_ref().and(r.payer.as_ref()),
    })
}

/// The taxes a receipt paid, by name in the page's language: a ticket's fee, or the
/// taxes of the lines it settled, each once.
fn taxes(r: &Receipt, locale: &str) -> String {
    let mut names: Vec<String> = match &r.ticket_tax {
        Some((_, fr, en)) => vec![if locale == "en" { en } else { fr }.clone()],
        None => r
            .lines
            .iter()
            .map(|l| {
                if locale == "en" {
                    &l.tax_name_en
                } else {
                    &l.tax_name_fr
                }
                .clone()
            })
            .collect(),
    };
    names.dedup();
    names.join(", ")
}

/// The lines settled, each with its tax's name.
fn lines(r: &Receipt, locale: &str) -> Vec<Value> {
    r.lines
        .iter()
        .map(|l| {
            let tax = if locale == "en" {
                &l.tax_name_en
            } else {
                &l.tax_name_fr
            };
            json!({
                "reference": l.reference, "kind": l.kind, "fiscal_year": l.fiscal_year,
                "period": l.period, "amount": l.amount, "tax": tax, "tax_code": l.tax_code,
            })
        })
        .collect()
}

/// The code as printed, the public page it opens and its QR code; null for a payment
/// recorded before receipts carried codes.
fn verification(state: &AppState, ctx: &Ctx, r: &Receipt) -> Value {
    if r.verification_code.is_empty() {
        return Value::Null;
    }
    let shown = code::display(&r.verification_code);
    let url = format!("{}/verify/{shown}", state.base_url);
    let label = ctx.t(state, "quittance.qr_label");
    json!({ "code": shown, "url": url, "qr": qr::svg(&url, &label) })
}

/// Where the visitor goes back to, and the link's words: for a collector, the
/// taxpayer's account at the counter, or the ticket form; for a treasurer or an admin,
/// the cancellations.
fn back(ctx: &Ctx, slug: &str, r: &Receipt) -> Value {
    let (href, key) = if !authz::allows(Perm::Collect, &ctx.visitor.roles) {
        (
            format!("/{slug}/treasury/cancellations"),
            "cancellation.back",
        )
    } else {
        let href = match (&r.ticket_tax, &r.taxpayer_ref) {
            (Some(_), _) => format!("/{slug}/collect/tickets"),
            (None, Some(reference)) => format!(
                "/{slug}/collect?ref={}",
                url::form_urlencoded::byte_serialize(reference.as_bytes()).collect::<String>()
            ),
            (None, None) => format!("/{slug}/collect"),
        };
        (href, "collect.receipt.back")
    };
    json!({ "href": href, "key": key })
}

/// An amount and its words, for a page that shows a figure beside them.
pub(crate) fn in_words(amount: Xof, locale: &str) -> String {
    words::amount_in_words(amount.0, locale)
}
