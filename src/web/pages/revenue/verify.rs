//! The public verify page, `/verify/{code}` (the QR code of every receipt opens it) and
//! its form `/verify?code=…`: no login, outside any commune, no script. It says whose
//! receipt a code is (the commune, the number, the amount, the day, the tax, the
//! payer's name partly masked) and whether it is valid or cancelled; or that a code
//! has a typing mistake (its check character disagrees), that it matches no receipt
//! and the receipt may be forged, or that the stored receipt no longer matches its code
//! and was altered. Each look-up counts against the visitor's address (30 a minute):
//! beyond, a 429 page says when to try again.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::accounts::throttle::Limited;
use crate::error::AppResult;
use crate::revenue::payments::{self, code, Status, Verified};
use crate::web::{AppState, Ctx};

#[derive(Deserialize)]
pub struct Typed {
    #[serde(default)]
    code: String,
}

/// `GET /verify`: the form; with `?code=`, the answer for that code.
pub async fn verify_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    req: HttpRequest,
    q: web::Query<Typed>,
) -> AppResult<HttpResponse> {
    let typed = q.into_inner().code;
    if typed.trim().is_empty() {
        return page(&state, &ctx, StatusCode::OK, "", json!(null));
    }
    check(&state, &ctx, &req, &typed).await
}

/// `GET /verify/{code}`: the answer for the code (what a receipt's QR code opens).
pub async fn verify_code(
    state: web::Data<AppState>,
    ctx: Ctx,
    req: HttpRequest,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    check(&state, &ctx, &req, &path.into_inner()).await
}

/// Counts the look-up, reads the code and says what it is.
async fn check(
    state: &AppState,
    ctx: &Ctx,
    req: &HttpRequest,
    typed: &str,
) -> AppResult<HttpResponse> {
    let typed: String = typed.chars().take(40).collect();
    if let Err(Limited::Wait(secs)) = state.verify_lookups.attempt(state.client_ip(req)) {
        let answer = json!({ "kind": "limited", "wait": secs });
        let mut res = page(state, ctx, StatusCode::TOO_MANY_REQUESTS, &typed, answer)?;
        res.headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        return Ok(res);
    }
    let code = match code::parse(&typed) {
        code::Typed::Code(c) => c,
        code::Typed::Malformed => {
            let answer = json!({ "kind": "malformed", "len": code::LEN });
            return page(state, ctx, StatusCode::UNPROCESSABLE_ENTITY, &typed, answer);
        }
        code::Typed::Mistyped => {
            let answer = json!({ "kind": "mistyped" });
            return page(state, ctx, StatusCode::UNPROCESSABLE_ENTITY, &typed, answer);
        }
    };
    let wanted = code.clone();
    let found = state
        .db(move |conn| Ok(payments::verify(conn, &wanted)?))
        .await?;
    let shown = code::display(&code);
    match found {
        None => page(
            state,
            ctx,
            StatusCode::NOT_FOUND,
            &shown,
            json!({ "kind": "unknown" }),
        ),
        Some(v) => page(state, ctx, StatusCode::OK, &shown, found_answer(&v, ctx)),
    }
}

/// What the page says of a receipt found: valid, cancelled or altered, and its facts.
fn found_answer(v: &Verified, ctx: &Ctx) -> Value {
    let kind = if !v.genuine {
        "altered"
    } else if v.status == Status::Cancelled {
        "cancelled"
    } else {
        "valid"
    };
    let en = ctx.locale.as_str() == "en";
    let taxes: Vec<&String> = v
        .taxes
        .iter()
        .map(|(fr, e)| if en { e } else { fr })
        .collect();
    json!({
        "kind": kind,
        "receipt": {
            "commune_name": v.commune_name, "commune_slug": v.commune_slug,
            "country": v.country, "number": v.receipt_number, "amount": v.amount,
            "paid_on": v.paid_on, "payer": v.payer,
            "taxes": taxes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
        },
    })
}

fn page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    typed: &str,
    answer: Value,
) -> AppResult<HttpResponse> {
    let html = ctx.render_string(
        state,
        "pages/public/verify",
        "verify.title",
        json!({ "typed": typed, "answer": answer }),
    )?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html))
}
