//! `POST /api/v1/{commune}/sms/inbound`: the SMS gateway hands over a text message a
//! citizen sent (`{"id": …, "from": "+221…", "text": "VOTE 12 3 7"}`), signed with the
//! secret it shares with Commune: header `X-Sms-Signature: t=<unix time>,v1=<hex>`,
//! where `hex = HMAC-SHA256(secret, "<t>." + body)`. A bad signature, a message older
//! than five minutes and a message id seen before are refused; the answer holds the
//! reply to send back, which also goes through the gateway.

use actix_web::{web, HttpRequest, HttpResponse};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;

use crate::error::{AppError, AppResult, DomainError, Refusal};
use crate::i18n::Locale;
use crate::participation::sms;
use crate::web::guard::Visitor;
use crate::web::AppState;

/// How old a signed message may be, in seconds, either way.
const MAX_AGE: i64 = 300;

#[derive(Deserialize)]
struct Inbound {
    id: String,
    from: String,
    text: String,
}

/// Checks the signature header against the body; the time it carries, when good.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> Result<i64, &'static str> {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return Err("bad_signature");
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| "bad_signature")?;
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&v1).map_err(|_| "bad_signature")?;
    if (now - t).abs() > MAX_AGE {
        return Err("stale");
    }
    Ok(t)
}

pub async fn inbound(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: web::ReqData<Visitor>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let commune = visitor.commune()?.clone();
    let header = req
        .headers()
        .get("x-sms-signature")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let now = chrono::Utc::now().timestamp();
    let checked = match &state.settings.sms_secret {
        Some(secret) => verify(secret, header, &body, now),
        None => Err("not_configured"),
    };
    // A request no gateway of ours would send, as the error policy answers those: 400.
    // (Not 401: the caller is not asked to log in; its message carries its proof.)
    if let Err(error) = checked {
        return Ok(HttpResponse::BadRequest().json(json!({ "error": error })));
    }
    let msg: Inbound =
        serde_json::from_slice(&body).map_err(|_| AppError::BadRequest("error.bad_request"))?;
    let (from, text, id) = (msg.from.clone(), msg.text.clone(), msg.id.clone());
    let outcome = state
        .write(
            move |conn| -> Result<Option<Result<String, Refusal>>, DomainError> {
                if !sms::first_time(conn, &commune, &id)? {
                    return Ok(None);
                }
                match sms::vote(conn, &commune, &from, &text) {
                    Ok(receipt) => Ok(Some(Ok(receipt))),
                    Err(DomainError::Refused(r)) => Ok(Some(Err(r))),
                    Err(e) => Err(e),
                }
            },
        )
        .await?;
    let Some(outcome) = outcome else {
        return Ok(HttpResponse::Conflict().json(json!({ "error": "replayed" })));
    };
    let locale = Locale::parse(&visitor.commune()?.default_locale).unwrap_or(Locale::Fr);
    let (ok, reply, receipt) = match outcome {
        Ok(receipt) => {
            let r = crate::i18n::Arg::Text(receipt.clone());
            (
                true,
                state
                    .catalog
                    .text(locale, "sms.recorded", [("receipt", &r)]),
                Some(receipt),
            )
        }
        Err(refusal) => (false, refusal.message(&state.catalog, locale), None),
    };
    if let Err(e) = state.sms.send(&msg.from, &reply) {
        tracing::error!(error = %e, "the SMS gateway refused a reply");
    }
    Ok(HttpResponse::Ok().json(json!({ "ok": ok, "reply": reply, "receipt": receipt })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, t: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn only_a_fresh_message_signed_with_the_secret_passes() {
        let body = br#"{"id":"1","from":"+221770000000","text":"VOTE 1 2"}"#;
        let good = sign("s3cret", 1_000, body);
        assert_eq!(verify("s3cret", &good, body, 1_100), Ok(1_000));
        assert_eq!(verify("other", &good, body, 1_100), Err("bad_signature"));
        assert_eq!(verify("s3cret", &good, b"{}", 1_100), Err("bad_signature"));
        assert_eq!(
            verify("s3cret", &good, body, 1_000 + MAX_AGE + 1),
            Err("stale")
        );
        assert_eq!(
            verify("s3cret", "t=1000", body, 1_000),
            Err("bad_signature")
        );
        assert_eq!(verify("s3cret", "", body, 1_000), Err("bad_signature"));
    }
}
