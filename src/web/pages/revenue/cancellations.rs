//! Cancelling a receipt, four eyes: the cancellations a treasurer asked for, waiting
//! for a second treasurer or an admin, who approves or refuses each. The domain's
//! refusals (the person who asked, the collector who received the money) come back
//! beside the form, as a 422. A receipt number typed here opens that receipt, where a
//! cancellation is asked.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::with_status;
use crate::error::{AppError, AppResult, Refusal};
use crate::ids::CancellationId;
use crate::revenue::payments::{self, cancel};
use crate::web::ctx::redirect;
use crate::web::{AppState, Ctx};

#[derive(Deserialize)]
pub struct Find {
    #[serde(default)]
    receipt: String,
}

/// `GET /{commune}/treasury/cancellations`: the pending cancellations; with
/// `?receipt=DKP-2026-000004`, that receipt's page.
pub async fn list_cancellations(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<Find>,
) -> AppResult<HttpResponse> {
    let wanted = q.into_inner().receipt.trim().to_string();
    if !wanted.is_empty() {
        let commune = ctx.visitor.commune()?;
        let (cid, slug) = (commune.id, commune.slug.clone());
        let number = wanted.clone();
        let found = state
            .db(move |conn| Ok(payments::by_number(conn, cid, &number)?))
            .await?;
        if let Some(id) = found {
            return Ok(redirect(&format!("/{slug}/collect/receipts/{}", id.0)));
        }
        return render(&state, &ctx, Some(wanted), None).await;
    }
    render(&state, &ctx, None, None).await
}

#[derive(Deserialize)]
pub struct Decision {
    #[serde(default)]
    decision: String,
}

/// `POST /{commune}/treasury/cancellations/{id}`: approves (`decision=approve`) or
/// refuses (`decision=refuse`) a pending cancellation, then shows the receipt.
pub async fn decide_cancellation(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: web::Form<Decision>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let approve = match form.decision.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => return Err(AppError::BadRequest("error.bad_request")),
    };
    let commune = ctx.visitor.commune()?.clone();
    let slug = commune.slug.clone();
    let (actor, me) = (ctx.actor()?, ctx.visitor.user()?.id);
    let request = CancellationId(id);
    let decided = state
        .write(move |conn| cancel::decide(conn, &commune, request, approve, &actor, me))
        .await;
    match decided {
        Ok(payment) => {
            let key = if approve {
                "cancellation.approved"
            } else {
                "cancellation.refused"
            };
            let to = format!("/{slug}/collect/receipts/{}", payment.0);
            Ok(ctx.redirect_with(&to, "ok", key))
        }
        Err(AppError::Refused(refusal)) => {
            render(&state, &ctx, None, Some((request, refusal))).await
        }
        Err(e) => Err(e),
    }
}

/// The list, with a receipt number that matched nothing, or a decision refused beside
/// its request (422).
async fn render(
    state: &AppState,
    ctx: &Ctx,
    unknown: Option<String>,
    refused: Option<(CancellationId, Refusal)>,
) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let me = ctx.visitor.user()?.id;
    let pending = state
        .db(move |conn| Ok(cancel::pending(conn, cid)?))
        .await?;
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let message = refused
        .as_ref()
        .map(|(id, r)| (*id, r.message(&state.catalog, ctx.locale)));
    let rows: Vec<_> = pending
        .iter()
        .map(|p| {
            let refusal = message
                .as_ref()
                .filter(|(id, _)| *id == p.id)
                .map(|(_, m)| m);
            json!({
                "request": p, "mine": p.requested_by == me, "refused": refusal,
            })
        })
        .collect();
    // A request decided meanwhile is no longer listed: its refusal shows above the list.
    let general = message
        .filter(|(id, _)| pending.iter().all(|p| p.id != *id))
        .map(|(_, m)| m);
    let html = ctx.render_string(
        state,
        "pages/treasury/cancellations",
        "cancellation.title",
        json!({ "pending": rows, "count": rows.len(), "unknown": unknown, "refused": general }),
    )?;
    Ok(with_status(status, html))
}
