//! Pages anyone can read: the communes hosted, and a commune's public home.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::communes::{self, districts};
use crate::error::{AppError, AppResult};
use crate::web::{AppState, Ctx};

pub async fn list_communes(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let list = state
        .db(|conn| communes::list(conn).map_err(AppError::from))
        .await?;
    ctx.render(
        &state,
        "pages/public/communes",
        "communes.title",
        json!({ "communes": list }),
    )
}

pub async fn show_commune(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let id = commune.id;
    let (districts, (entries, head)) = state
        .db(move |conn| {
            Ok((
                districts::list(conn, id)?,
                communes::journal_head(conn, id)?,
            ))
        })
        .await?;
    ctx.render(
        &state,
        "pages/public/commune",
        "commune.title",
        json!({
            "districts": districts,
            "country_key": format!("country.{}", commune.country),
            "journal": { "entries": entries, "head": head },
        }),
    )
}

/// `/{commune}/` is the commune's page, at its one address.
pub async fn to_commune(ctx: Ctx) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?;
    Ok(HttpResponse::MovedPermanently()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/{}", commune.slug),
        ))
        .finish())
}
