//! `POST /{commune}/finance/penalties`: charges the late-payment penalties owed on a
//! date, by each tax type's rule. Applying twice charges nothing twice.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::{href, today};
use crate::error::{AppError, AppResult};
use crate::revenue::{fields, penalties};
use crate::web::{AppState, Ctx};

#[derive(Deserialize)]
pub struct PenaltyForm {
    /// The day the penalties are computed for; the form offers today.
    date: String,
}

pub async fn apply(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<PenaltyForm>,
) -> AppResult<HttpResponse> {
    let as_of = fields::date(&form.date).map_err(|r| AppError::Unprocessable(r.key))?;
    let commune = ctx.visitor.commune()?.clone();
    if as_of > today(&commune) {
        // A penalty charged ahead of time could not be charged again when it is due.
        return Err(AppError::Unprocessable("finance.penalties.future"));
    }
    let (cid, actor) = (commune.id, ctx.actor()?);
    let applied = state
        .write(move |conn| Ok(penalties::apply(conn, cid, as_of, &actor)?))
        .await?;
    ctx.render(
        &state,
        "pages/finance/penalties",
        "finance.penalties.title",
        json!({ "as_of": as_of.to_string(), "applied": applied, "rolls_href": href(&commune, "/rolls") }),
    )
}
