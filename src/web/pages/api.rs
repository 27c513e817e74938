//! The JSON API. Errors answer as JSON too (see `web::errors`).

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::audit;
use crate::communes::{self, districts};
use crate::error::{AppError, AppResult};
use crate::web::guard::Visitor;
use crate::web::AppState;

fn commune_json(c: &communes::Commune) -> serde_json::Value {
    json!({
        "slug": c.slug, "name": c.name, "country": c.country, "currency": c.currency,
        "timezone": c.timezone, "default_locale": c.default_locale, "code": c.code,
    })
}

pub async fn list_communes(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let list = state
        .db(|conn| communes::list(conn).map_err(AppError::from))
        .await?;
    let items: Vec<_> = list.iter().map(commune_json).collect();
    Ok(HttpResponse::Ok().json(json!({ "communes": items })))
}

pub async fn show_commune(
    state: web::Data<AppState>,
    visitor: web::ReqData<Visitor>,
) -> AppResult<HttpResponse> {
    let commune = visitor.commune()?.clone();
    let id = commune.id;
    let (list, (entries, head)) = state
        .db(move |conn| {
            Ok((
                districts::list(conn, id)?,
                communes::journal_head(conn, id)?,
            ))
        })
        .await?;
    let items: Vec<_> = list
        .iter()
        .map(|d| json!({ "id": d.id, "name": d.name, "kind": d.kind }))
        .collect();
    let mut body = commune_json(&commune);
    body["districts"] = json!(items);
    body["audit"] = json!({ "entries": entries, "head": head });
    Ok(HttpResponse::Ok().json(body))
}

pub async fn verify_audit(
    state: web::Data<AppState>,
    visitor: web::ReqData<Visitor>,
) -> AppResult<HttpResponse> {
    let id = visitor.commune()?.id;
    let report = state
        .db(move |conn| audit::verify(conn, id).map_err(AppError::from))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "ok": report.ok(), "report": report })))
}
