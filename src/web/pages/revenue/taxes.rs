//! `GET /{commune}/finance/taxes`: the commune's tax types, with how each is computed,
//! when it is due, what a late payment costs and what budget line it feeds.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::error::AppResult;
use crate::revenue::tax_types;
use crate::web::{AppState, Ctx};

pub async fn list(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let cid = ctx.visitor.commune()?.id;
    let taxes = state
        .db(move |conn| Ok(tax_types::list(conn, cid)?))
        .await?;
    ctx.render(
        &state,
        "pages/revenue/taxes",
        "finance.taxes.title",
        json!({ "taxes": taxes }),
    )
}
