//! Late-payment penalties, in two steps: the preview says which lines would be charged
//! and how much (`POST …/penalties/preview`), then the officer confirms
//! (`POST …/penalties`) and the result lists the lines charged. Applying twice charges
//! nothing twice.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::{form_id, href};
use crate::error::AppResult;
use crate::fields;
use crate::money::Xof;
use crate::revenue::{penalties, Seen};
use crate::web::{AppState, Ctx};

/// Lines listed on a page; the totals count them all.
const SHOWN: usize = 200;

#[derive(Deserialize)]
pub struct PreviewForm {
    /// The day the penalties are computed for; the form offers today.
    date: String,
}

pub async fn preview(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<PreviewForm>,
) -> AppResult<HttpResponse> {
    let as_of = fields::date(&form.date).map_err(|r| r.on("date"))?;
    let commune = ctx.visitor.commune()?.clone();
    let c = commune.clone();
    let due = state
        .db(move |conn| Ok(penalties::due(conn, &c, as_of)?))
        .await?;
    ctx.render(
        &state,
        "pages/revenue/penalties_preview",
        "finance.penalties.preview_title",
        json!({
            "as_of": as_of.to_string(), "due": due_view(&due),
            "more": due.charges.len().saturating_sub(SHOWN),
            "back": href(&commune, ""),
        }),
    )
}

#[derive(Deserialize)]
pub struct ApplyForm {
    date: String,
    /// What the preview showed: the charge goes ahead only if it is still that.
    lines: String,
    total: String,
}

pub async fn apply(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<ApplyForm>,
) -> AppResult<HttpResponse> {
    let as_of = fields::date(&form.date).map_err(|r| r.on("date"))?;
    let seen = Seen {
        lines: form_id(&form.lines)?,
        total: Xof(form_id(&form.total)?),
    };
    let commune = ctx.visitor.commune()?.clone();
    let (c, actor) = (commune.clone(), ctx.actor()?);
    let applied = state
        .write(move |conn| penalties::apply(conn, &c, as_of, seen, &actor))
        .await?;
    ctx.render(
        &state,
        "pages/revenue/penalties",
        "finance.penalties.title",
        json!({
            "as_of": as_of.to_string(), "applied": due_view(&applied),
            "more": applied.charges.len().saturating_sub(SHOWN),
            "rolls_href": href(&commune, "/rolls"),
        }),
    )
}

/// The totals, and the first lines.
fn due_view(due: &penalties::Due) -> serde_json::Value {
    json!({
        "lines": due.lines, "total": due.total,
        "charges": due.charges.iter().take(SHOWN).collect::<Vec<_>>(),
    })
}
