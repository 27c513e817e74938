//! The treasurer's mobile-money report: the payments a provider took that no receipt
//! holds (disputed), each with the two ways to resolve it (credit, or refunded with a
//! note: `revenue::mobile::resolve`), the requests still waiting after an hour, and the
//! disputes resolved lately.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::super::with_status;
use super::LIST;
use crate::error::{AppError, AppResult, Refusal};
use crate::ids::PaymentIntentId;
use crate::revenue::mobile::{self, resolve};
use crate::web::{AppState, Ctx};

/// How many resolved disputes the report shows.
const RESOLVED: i64 = 20;

/// `GET /{commune}/treasury/mobile-money`
pub async fn mobile_money(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    report(&state, &ctx, None).await
}

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
}

/// `POST /{commune}/treasury/mobile-money/{intent}/credit`: the money reached the
/// commune: the payment is recorded and its receipt issued (the note is optional).
pub async fn credit_intent(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<NoteForm>,
) -> AppResult<HttpResponse> {
    resolved(
        &state,
        &ctx,
        path.into_inner().1,
        form.into_inner(),
        Way::Credit,
    )
    .await
}

/// `POST /{commune}/treasury/mobile-money/{intent}/refund`: the provider refunds the
/// payer; nothing is credited; the note is required.
pub async fn refund_intent(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<NoteForm>,
) -> AppResult<HttpResponse> {
    resolved(
        &state,
        &ctx,
        path.into_inner().1,
        form.into_inner(),
        Way::Refund,
    )
    .await
}

/// The two ways a dispute ends.
#[derive(Clone, Copy)]
enum Way {
    Credit,
    Refund,
}

/// Resolves the intent `id` the `way` asked, then back to the report: with the flash,
/// or with the refusal (422) beside the intent's form and what was typed.
async fn resolved(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    form: NoteForm,
    way: Way,
) -> AppResult<HttpResponse> {
    let id = PaymentIntentId(id);
    let commune = ctx.visitor.commune()?.clone();
    let (actor, me, today) = (ctx.actor()?, ctx.visitor.user()?.id, commune.today());
    let note = form.note.clone();
    let done = state
        .write(move |conn| match way {
            Way::Credit => resolve::credit(conn, &commune, id, &note, today, &actor, me)
                .map(|_| "mobile.resolve.credited_flash"),
            Way::Refund => resolve::refund(conn, &commune, id, &note, &actor, me)
                .map(|_| "mobile.resolve.refunded_flash"),
        })
        .await;
    match done {
        Ok(flash) => {
            let page = format!("/{}/treasury/mobile-money", ctx.visitor.commune()?.slug);
            Ok(ctx.redirect_with(&page, "ok", flash))
        }
        Err(AppError::Refused(r)) => {
            let action = match way {
                Way::Credit => "credit",
                Way::Refund => "refund",
            };
            report(state, ctx, Some((r, (id, action, form)))).await
        }
        Err(e) => Err(e),
    }
}

/// The report; a refused resolution comes back here as a 422.
async fn report(
    state: &AppState,
    ctx: &Ctx,
    refused: Option<(Refusal, (PaymentIntentId, &'static str, NoteForm))>,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let ((disputed, pending), resolved) = state
        .db(move |conn| {
            Ok((
                mobile::to_check(conn, cid, 60, LIST)?,
                resolve::recent(conn, cid, RESOLVED)?,
            ))
        })
        .await?;
    let (status, tried) = match refused {
        Some((r, (id, action, form))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(json!({
                "id": id.0, "action": action, "note": form.note,
                "message": r.message(&state.catalog, ctx.locale),
            })),
        ),
        None => (StatusCode::OK, None),
    };
    let rows = |list: &[mobile::ToCheck], resolvable: bool| -> Vec<Value> {
        list.iter()
            .map(|c| {
                let here = tried.as_ref().filter(|t| t["id"] == c.intent.id.0).cloned();
                let (credit, not_creditable) = match resolve::creditable(&c.intent) {
                    Ok((_, paid)) => (Some(paid), None),
                    Err(r) => (None, Some(r.message(&state.catalog, ctx.locale))),
                };
                json!({
                    "c": c, "provider": c.intent.provider.label(), "resolvable": resolvable,
                    "credit": credit, "not_creditable": not_creditable, "tried": here,
                })
            })
            .collect()
    };
    let resolved: Vec<Value> = resolved
        .iter()
        .map(|r| json!({ "r": r, "provider": r.intent.provider.label() }))
        .collect();
    let html = ctx.render_string(
        state,
        "pages/treasury/mobile",
        "mobile.check.title",
        json!({
            "disputed": rows(&disputed, true), "pending": rows(&pending, false),
            "resolved": resolved, "refused": tried.map(|t| t["message"].clone()),
        }),
    )?;
    Ok(with_status(status, html))
}
