//! The payer's pages, open to anyone holding a taxpayer's reference (the notice gives
//! it; link to `/{commune}/pay?ref=<reference>`):
//!
//! - `GET /{commune}/pay?ref=…`: the commune, the reference, the name partly masked,
//!   the balance, and the form: amount, provider (the commune's), phone (for MoMo);
//! - `POST /{commune}/pay`: writes the intent, asks the provider, then sends the payer to
//!   Wave's checkout page, or to the status page to confirm on their phone;
//! - `GET /{commune}/pay/{intent}`: where the payment stands, with a link to refresh
//!   (no JavaScript), and the receipt's verification link once paid.
//!
//! Looking a reference up and starting a payment are counted per address, like the
//! other public forms.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::with_status;
use crate::communes::Commune;
use crate::error::{AppError, AppResult, Refusal};
use crate::fields;
use crate::revenue::mobile::{self, statement, Ask, Next, ProviderKind, StartRequest};
use crate::revenue::payments::{self, code};
use crate::revenue::taxpayers;
use crate::web::pages::field_messages;
use crate::web::{AppState, Ctx};

#[derive(Deserialize)]
pub struct Lookup {
    #[serde(default, rename = "ref")]
    reference: String,
}

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct PayForm {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    phone: String,
}

const FIELDS: &[&str] = &["amount", "provider", "phone"];

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    req: HttpRequest,
    q: web::Query<Lookup>,
) -> AppResult<HttpResponse> {
    let reference = q.into_inner().reference.trim().to_string();
    if !reference.is_empty() {
        state.payers.attempt(state.client_ip(&req))?;
    }
    page(&state, &ctx, reference, None, Vec::new()).await
}

/// Starts a payment: the intent, then the provider; the payer goes where the provider
/// says.
pub async fn start(
    state: web::Data<AppState>,
    ctx: Ctx,
    req: HttpRequest,
    form: web::Form<PayForm>,
) -> AppResult<HttpResponse> {
    state.payers.attempt(state.client_ip(&req))?;
    let form = form.into_inner();
    let commune = ctx.visitor.commune()?.clone();
    let kind = ProviderKind::parse(&form.provider);
    let provider = kind.and_then(|k| state.mobile.get(&commune.slug, k));
    let Some(provider) = provider else {
        let refusal = Refusal::new("pay.choose_provider").on("provider");
        return page(
            &state,
            &ctx,
            form.reference.clone(),
            Some(form),
            vec![refusal],
        )
        .await;
    };
    let mut errors = Vec::new();
    let amount = fields::amount(&form.amount).map_err(|r| errors.push(r.on("amount")));
    let phone = match provider.kind().needs_phone() {
        true => fields::phone(&form.phone, commune.country)
            .map(Some)
            .map_err(|r| errors.push(r.on("phone"))),
        false => Ok(None),
    };
    let (Ok(amount), Ok(phone), true) = (amount, phone, errors.is_empty()) else {
        return page(&state, &ctx, form.reference.clone(), Some(form), errors).await;
    };
    let (c, wanted, day) = (commune.clone(), form.reference.clone(), commune.today());
    let currency = provider.currency().to_string();
    let kind = provider.kind();
    let opened = state
        .write(move |conn| {
            let taxpayer = payer(conn, &c, &wanted)?.ok_or(AppError::NotFound)?;
            let ask = Ask {
                taxpayer: taxpayer.id,
                amount,
                provider: kind,
                currency,
                phone,
            };
            mobile::open(conn, &c, &ask, day).map_err(AppError::from)
        })
        .await;
    let intent = match opened {
        Ok(intent) => intent,
        Err(AppError::Refused(r)) => {
            return page(&state, &ctx, form.reference.clone(), Some(form), vec![r]).await
        }
        Err(e) => return Err(e),
    };
    let status_path = format!("/{}/pay/{}", commune.slug, intent.reference);
    let return_url = format!("{}{status_path}", state.base_url);
    let message = format!("{} · {}", commune.name, form.reference.trim());
    let request = StartRequest {
        reference: &intent.reference,
        amount: intent.amount,
        currency: &intent.currency,
        phone: intent.payer_phone.as_deref(),
        return_url: &return_url,
        message: &message,
    };
    let started = provider.start(&request).await;
    let id = intent.id;
    match started {
        Ok(started) => {
            let provider_ref = started.provider_ref.clone();
            state
                .write(move |conn| mobile::attach(conn, id, &provider_ref).map_err(AppError::from))
                .await?;
            Ok(match started.next {
                Next::Redirect(url) => crate::web::ctx::redirect(&url),
                Next::ConfirmOnPhone => crate::web::ctx::redirect(&status_path),
            })
        }
        Err(e) => {
            tracing::warn!(reference = %intent.reference, error = %e, "a payment could not be started");
            let problem = e.problem();
            state
                .write(move |conn| mobile::not_started(conn, id, problem).map_err(AppError::from))
                .await?;
            Ok(crate::web::ctx::redirect(&status_path))
        }
    }
}

/// Where a payment stands.
pub async fn status(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (_, reference) = path.into_inner();
    let commune = ctx.visitor.commune()?.clone();
    let cid = commune.id;
    let (intent, taxpayer, issued) = state
        .db(move |conn| {
            let intent = mobile::by_reference(conn, cid, &reference)?.ok_or(AppError::NotFound)?;
            let taxpayer = taxpayers::by_id(conn, cid, intent.taxpayer_id)?;
            let issued = match intent.payment_id {
                Some(p) => Some(payments::issued(conn, cid, p)?),
                None => None,
            };
            Ok((intent, taxpayer, issued))
        })
        .await?;
    let receipt = issued.map(|i| {
        json!({
            "number": i.receipt_number,
            "code": code::display(&i.verification_code),
        })
    });
    ctx.render(
        &state,
        "pages/pay/status",
        "pay.status.title",
        json!({
            "intent": intent,
            "provider_label": intent.provider.label(),
            "on_phone": intent.provider.needs_phone(),
            "taxpayer": { "reference": taxpayer.reference, "masked_name": payments::mask(&taxpayer.name) },
            "receipt": receipt,
        }),
    )
}

/// The payer's page: the look-up, and for a reference found, the account's balance and
/// the form (again with what was typed and why it was refused, as a 422).
async fn page(
    state: &AppState,
    ctx: &Ctx,
    reference: String,
    form: Option<PayForm>,
    errors: Vec<Refusal>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let (c, wanted, day) = (commune.clone(), reference.clone(), commune.today());
    let found = state
        .db(move |conn| {
            if wanted.is_empty() {
                return Ok(None);
            }
            match payer(conn, &c, &wanted)? {
                Some(t) => Ok(Some(statement::of(conn, &c, &t, day)?)),
                None => Ok(None),
            }
        })
        .await?;
    let providers = providers_of(state, &commune);
    let form = form.unwrap_or_else(|| PayForm {
        reference: reference.clone(),
        amount: found
            .as_ref()
            .map(|s| s.balance.0.to_string())
            .unwrap_or_default(),
        provider: providers
            .first()
            .map(|p| p["kind"].as_str().unwrap_or("").to_string())
            .unwrap_or_default(),
        phone: String::new(),
    });
    let providers: Vec<Value> = providers
        .into_iter()
        .map(|mut p| {
            p["checked"] = json!(p["kind"] == form.provider.as_str());
            p
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = ctx.render_string(
        state,
        "pages/pay/form",
        "pay.title",
        json!({
            "ref": reference,
            "not_found": !reference.is_empty() && found.is_none(),
            "account": found.as_ref().map(|s| json!({
                "reference": s.reference,
                "masked_name": s.masked_name,
                "balance": s.balance,
                "owes": s.balance.0 > 0,
            })),
            "providers": providers,
            "any_phone": providers.iter().any(|p| p["needs_phone"] == true),
            "form": form,
            "errors": field_messages(FIELDS, &errors, &state.catalog, ctx.locale),
        }),
    )?;
    Ok(with_status(status, html))
}

/// The taxpayer who pays for a reference as typed (`dkp-t0003` is `DKP-T0003`).
fn payer(
    conn: &mut crate::db::DbConn,
    commune: &Commune,
    typed: &str,
) -> diesel::QueryResult<Option<taxpayers::Taxpayer>> {
    match taxpayers::payer(conn, commune.id, typed)? {
        Some(t) => Ok(Some(t)),
        None => taxpayers::payer(conn, commune.id, &typed.trim().to_uppercase()),
    }
}

/// The providers the commune uses, as the form offers them.
fn providers_of(state: &AppState, commune: &Commune) -> Vec<Value> {
    state
        .mobile
        .of(&commune.slug)
        .iter()
        .map(|p| {
            json!({
                "kind": p.kind(),
                "label": p.kind().label(),
                "needs_phone": p.kind().needs_phone(),
            })
        })
        .collect()
}
