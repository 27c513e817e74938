//! The collectors' API, for their phones: `POST /api/v1/{commune}/payments` (one
//! payment), `…/payments/batch` (a day's worth, each answered on its own), `GET
//! …/payments?date=` (the collector's own day); its OpenAPI description ([`openapi`]);
//! and the page where a collector makes and revokes their tokens ([`tokens`]).
//!
//! The guard has already proved the token ([`crate::accounts::Access::Bearer`]). Answers:
//! 201 with the receipt; 200 with the same receipt when the payment's UUID had already
//! recorded the same payment (nothing new is written); 409 when the UUID was used for
//! another payment; 422 with the refusal's key, message and field; 400 for a body that
//! is not the JSON described.

pub mod openapi;
pub mod tokens;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::audit::Actor;
use crate::communes::Commune;
use crate::error::{AppError, AppResult, DomainError, Refusal};
use crate::i18n::Locale;
use crate::money::Xof;
use crate::revenue::collectors::{self, Outcome, Sent};
use crate::revenue::payments::{code, Method};
use crate::web::guard::Visitor;
use crate::web::AppState;

/// The most payments one batch may carry.
pub const MAX_BATCH: usize = 500;

/// One payment as the phone sends it.
#[derive(Debug, Deserialize)]
struct Item {
    id: String,
    #[serde(default)]
    taxpayer: Option<String>,
    amount: i64,
    mode: String,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    reference: Option<String>,
    #[serde(default)]
    tax: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    payer: Option<String>,
}

/// Why a payment sent was not recorded, before or by the domain.
#[derive(Debug)]
enum Failure {
    /// Not the JSON described (400): what the parser said.
    Malformed(String),
    /// Refused (422; 409 for a UUID used for another payment).
    Refused(Refusal),
}

impl Item {
    fn parse(self) -> Result<Sent, Refusal> {
        let id = uuid::Uuid::parse_str(self.id.trim())
            .map_err(|_| Refusal::new("api.bad_id").on("id"))?
            .hyphenated()
            .to_string();
        let method = Method::parse(&self.mode).ok_or_else(|| {
            Refusal::new("api.bad_mode")
                .arg("modes", Method::names())
                .on("mode")
        })?;
        let date = match self.date.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => Some(
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| Refusal::new("api.bad_date").on("date"))?,
            ),
        };
        let text = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        Ok(Sent {
            id,
            taxpayer: text(self.taxpayer),
            amount: Xof(self.amount),
            method,
            reference: text(self.reference),
            date,
            tax: text(self.tax),
            category: text(self.category),
            payer: text(self.payer),
        })
    }
}

/// A JSON value (an item of a batch, or a whole body) read as a payment.
fn read_item(value: Value) -> Result<Sent, Failure> {
    let item: Item =
        serde_json::from_value(value).map_err(|e| Failure::Malformed(e.to_string()))?;
    item.parse().map_err(Failure::Refused)
}

/// The language of the messages: the phone's `Accept-Language`, else the commune's.
fn locale(req: &HttpRequest, commune: &Commune) -> Locale {
    req.headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|h| h.to_str().ok())
        .and_then(Locale::from_accept_language)
        .or_else(|| Locale::parse(&commune.default_locale))
        .unwrap_or(Locale::Fr)
}

/// What the API answers for one payment: its status and body.
fn answer(
    state: &AppState,
    locale: Locale,
    sent_id: Option<&str>,
    result: &Result<(Sent, Outcome), Failure>,
) -> (StatusCode, Value) {
    match result {
        Ok((sent, outcome)) => {
            let status = if outcome.replayed {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            let body = json!({
                "id": sent.id,
                "receipt": outcome.issued.receipt_number,
                "verification_code": code::display(&outcome.issued.verification_code),
                "amount": sent.amount,
                "mode": sent.method,
                "date": outcome.date,
                "status": outcome.status,
                "taxpayer": sent.taxpayer,
                "tax": sent.tax,
            });
            (status, body)
        }
        Err(Failure::Malformed(detail)) => {
            let message = state.catalog.t(locale, "api.bad_json");
            let status = StatusCode::BAD_REQUEST;
            let error = json!({
                "status": status.as_u16(), "code": "bad_request", "message": message,
                "detail": detail, "field": null,
            });
            (status, json!({ "id": sent_id, "error": error }))
        }
        Err(Failure::Refused(r)) => {
            let status = if r.key == "api.id_reused" {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let error = json!({
                "status": status.as_u16(), "code": r.key,
                "message": r.message(&state.catalog, locale), "field": r.field,
            });
            (status, json!({ "id": sent_id, "error": error }))
        }
    }
}

/// Records the payments read, each in a savepoint of its own, grouped with the other
/// writes of the commune ([`AppState::write_each`]), for the token's holder;
/// those that could not be read are passed through, in their place.
async fn record(
    state: &AppState,
    visitor: &Visitor,
    read: Vec<Result<Sent, Failure>>,
) -> AppResult<Vec<Result<(Sent, Outcome), Failure>>> {
    let commune = visitor.commune()?.clone();
    let user = visitor.user()?;
    let (actor, user) = (Actor::user(user.id, &user.email), user.id);
    let today = commune.today();
    let mut answers: Vec<Option<Result<(Sent, Outcome), Failure>>> = Vec::new();
    let (mut places, mut good) = (Vec::new(), Vec::new());
    for (i, r) in read.into_iter().enumerate() {
        match r {
            Ok(sent) => {
                places.push(i);
                good.push(sent);
                answers.push(None);
            }
            Err(failure) => answers.push(Some(Err(failure))),
        }
    }
    let done = state
        .write_each(
            commune.id,
            good,
            move |conn, sent| -> Result<_, DomainError> {
                let outcome = collectors::record(conn, &commune, &sent, today, &actor, user)?;
                Ok((sent, outcome))
            },
        )
        .await?;
    for (i, r) in places.into_iter().zip(done) {
        answers[i] = Some(match r {
            Ok(done) => Ok(done),
            Err(e) => match e.refusal() {
                Some(r) => Err(Failure::Refused(r.clone())),
                None => return Err(AppError::from(e)),
            },
        });
    }
    Ok(answers.into_iter().flatten().collect())
}

/// The `id` a body or item names, if it names one (to echo it in an error).
fn id_of(value: &Value) -> Option<String> {
    value.get("id").and_then(Value::as_str).map(str::to_string)
}

/// `POST /api/v1/{commune}/payments`: one payment, or one ticket when it names a fee.
pub async fn create_payment(
    state: web::Data<AppState>,
    visitor: web::ReqData<Visitor>,
    req: HttpRequest,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let locale = locale(&req, visitor.commune()?);
    let (read, id) = match serde_json::from_slice::<Value>(&body) {
        Ok(value) => {
            let id = id_of(&value);
            (read_item(value), id)
        }
        Err(e) => (Err(Failure::Malformed(e.to_string())), None),
    };
    let mut results = record(&state, &visitor, vec![read]).await?;
    let result = results
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no answer for the payment")))?;
    let (status, body) = answer(&state, locale, id.as_deref(), &result);
    Ok(HttpResponse::build(status).json(body))
}

#[derive(Deserialize)]
struct Batch {
    payments: Vec<Value>,
}

/// `POST /api/v1/{commune}/payments/batch`: `{"payments": [...]}`, at most
/// [`MAX_BATCH`]; answered 200 with one result per payment, in order, each recorded
/// (or refused) on its own.
pub async fn create_batch(
    state: web::Data<AppState>,
    visitor: web::ReqData<Visitor>,
    req: HttpRequest,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let locale = locale(&req, visitor.commune()?);
    // The whole batch refused: nothing recorded.
    let refused = |failure| {
        let (status, body) = answer(&state, locale, None, &Err(failure));
        Ok(HttpResponse::build(status).json(json!({ "error": body["error"] })))
    };
    let batch: Batch = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return refused(Failure::Malformed(e.to_string())),
    };
    if batch.payments.len() > MAX_BATCH {
        return refused(Failure::Refused(
            Refusal::new("api.batch_too_large")
                .arg("max", MAX_BATCH)
                .on("payments"),
        ));
    }
    let ids: Vec<Option<String>> = batch.payments.iter().map(id_of).collect();
    let read: Vec<_> = batch.payments.into_iter().map(read_item).collect();
    let results = record(&state, &visitor, read).await?;
    let mut counts = [0usize; 2];
    let items: Vec<Value> = results
        .iter()
        .zip(&ids)
        .map(|(result, id)| {
            let (status, mut body) = answer(&state, locale, id.as_deref(), result);
            counts[usize::from(status.is_success())] += 1;
            body["status"] = json!(status.as_u16());
            body
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "results": items, "recorded": counts[1], "refused": counts[0],
    })))
}

#[derive(Deserialize)]
pub struct DayQuery {
    date: Option<String>,
}

/// `GET /api/v1/{commune}/payments?date=YYYY-MM-DD`: the token holder's own payments of
/// that day (today by default), with the day's totals.
pub async fn list_payments(
    state: web::Data<AppState>,
    visitor: web::ReqData<Visitor>,
    query: web::Query<DayQuery>,
) -> AppResult<HttpResponse> {
    let commune = visitor.commune()?.clone();
    let user = visitor.user()?.id;
    let date = match query.date.as_deref().map(str::trim) {
        None | Some("") => commune.today(),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| AppError::BadRequest("api.bad_date"))?,
    };
    let (lines, totals) = state
        .db(move |conn| Ok(collectors::day(conn, commune.id, user, date)?))
        .await?;
    let payments: Vec<Value> = lines
        .iter()
        .map(|l| {
            json!({
                "id": l.id, "receipt": l.receipt,
                "verification_code": code::display(&l.verification_code),
                "amount": l.amount, "mode": l.method, "date": l.date, "status": l.status,
                "channel": l.channel, "taxpayer": l.taxpayer, "tax": l.tax, "payer": l.payer,
                "received_at": l.received_at.and_utc().to_rfc3339(),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "date": date, "payments": payments, "totals": totals,
    })))
}
