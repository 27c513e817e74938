//! Reminders of overdue balances: `GET …/finance/reminders` says who would be reminded
//! today and how; `POST` sends them and answers with what was sent, by channel, and who
//! could not be reached. Sending twice on one day sends nothing twice
//! (see [`crate::revenue::reminders`]).

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::error::{AppResult, Refusal};
use crate::fields;
use crate::revenue::reminders::{self, run, Summary};
use crate::web::{AppState, Ctx};

pub async fn show(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let (cid, day) = (commune.id, commune.today());
    let summary = state
        .db(move |conn| Ok(reminders::preview(conn, cid, day)?))
        .await?;
    render(&state, &ctx, &summary, false)
}

#[derive(Deserialize)]
pub struct SendForm {
    /// The day the page was shown for: a page left open overnight is shown again first.
    day: String,
}

pub async fn send(
    state: web::Data<AppState>,
    ctx: Ctx,
    form: web::Form<SendForm>,
) -> AppResult<HttpResponse> {
    let seen = fields::date(&form.day).map_err(|r| r.on("day"))?;
    let commune = ctx.visitor.commune()?.clone();
    if seen != commune.today() {
        return Err(Refusal::new("finance.reminders.day_changed").into());
    }
    let senders = run::Senders {
        mailer: &state.mailer,
        hb: &state.hb,
        catalog: &state.catalog,
        sms: state.sms.clone(),
    };
    let summary = run::run(&state.pool, &senders, &commune, &ctx.actor()?, &|_, _| {}).await?;
    render(&state, &ctx, &summary, true)
}

fn render(state: &AppState, ctx: &Ctx, summary: &Summary, sent: bool) -> AppResult<HttpResponse> {
    let more = summary
        .unreachable_count
        .saturating_sub(summary.unreachable.len() as u64);
    ctx.render(
        state,
        "pages/revenue/reminders",
        "finance.reminders.title",
        json!({
            "summary": summary, "sent": sent, "more": more,
            "to_send": summary.email + summary.sms,
        }),
    )
}
