//! What the mobile-money providers send, under `/api/v1/{commune}/webhooks/`:
//!
//! - `wave`: a signed event ([`wave::verify_signature`]). A bad signature, or one made
//!   more than five minutes from now, is a 401 with a JSON error; an event seen before
//!   is answered 200 at once and does nothing.
//! - `momo`: MTN MoMo's callback, unsigned, sent once (POST or PUT). Nothing in it is
//!   believed: the reference it names only tells which intent to ask MoMo about.
//!
//! A commune that does not use the provider has no such webhook (404).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::error::{AppError, AppResult};
use crate::revenue::mobile::{self, poll, wave, IntentStatus, ProviderKind};
use crate::web::guard::Visitor;
use crate::web::AppState;

/// How soon after the last question a callback may make Commune ask MoMo again about
/// the same intent (anyone can send callbacks).
const CALLBACK_GAP: chrono::Duration = chrono::Duration::seconds(1);

pub async fn wave(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: web::ReqData<Visitor>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let commune = visitor.commune()?.clone();
    let account = state.mobile.wave(&commune.slug).ok_or(AppError::NotFound)?;
    let header = req
        .headers()
        .get("wave-signature")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if let Err(e) = account.verify(header, &body, chrono::Utc::now().timestamp()) {
        tracing::warn!(commune = %commune.slug, error = e.code(), "a Wave webhook refused");
        let message = match e {
            wave::SignatureError::Malformed | wave::SignatureError::Mismatch => {
                "The Wave-Signature header does not match the body under this webhook's secret."
            }
            wave::SignatureError::TooOld => {
                "The message was signed more than 5 minutes ago: an old message is not processed."
            }
            wave::SignatureError::FromTheFuture => {
                "The message is signed more than 5 minutes ahead of this server's clock."
            }
        };
        return Ok(HttpResponse::Unauthorized().json(json!({
            "error": { "status": 401, "code": e.code(), "message": message }
        })));
    }
    let event: wave::Event =
        serde_json::from_slice(&body).map_err(|_| AppError::BadRequest("error.bad_request"))?;
    let day = commune.today();
    let handled = state
        .write(move |conn| wave::handle(conn, &commune, &event, day))
        .await?;
    Ok(HttpResponse::Ok().json(match handled {
        wave::Handled::Replayed => json!({ "received": true, "replayed": true }),
        wave::Handled::Processed { outcome, .. } => {
            json!({ "received": true, "replayed": false, "outcome": outcome })
        }
    }))
}

#[derive(Deserialize)]
struct Callback {
    #[serde(default, rename = "externalId")]
    external_id: Option<String>,
}

pub async fn momo(
    state: web::Data<AppState>,
    visitor: web::ReqData<Visitor>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let commune = visitor.commune()?.clone();
    if state
        .mobile
        .get(&commune.slug, ProviderKind::MtnMomo)
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    let callback: Callback =
        serde_json::from_slice(&body).map_err(|_| AppError::BadRequest("error.bad_request"))?;
    let cid = commune.id;
    let reference = callback.external_id.unwrap_or_default();
    let intent = state
        .db(move |conn| Ok(mobile::by_reference(conn, cid, &reference)?))
        .await?
        .filter(|i| i.provider == ProviderKind::MtnMomo);
    let recently = |i: &mobile::Intent| {
        i.last_polled_at
            .is_some_and(|t| crate::db::now() - t < CALLBACK_GAP)
    };
    let outcome = match intent {
        Some(i) if matches!(i.status, IntentStatus::Succeeded | IntentStatus::Disputed) => {
            "unchanged"
        }
        Some(i) if recently(&i) => "unchanged",
        Some(i) => match poll::check(&state.pool, &state.mobile, &commune, &i).await {
            Ok(outcome) => outcome,
            Err(e) => {
                tracing::warn!(reference = %i.reference, error = %e, "MoMo could not be asked");
                "unreachable"
            }
        },
        None => "unknown",
    };
    Ok(HttpResponse::Ok().json(json!({ "received": true, "outcome": outcome })))
}
