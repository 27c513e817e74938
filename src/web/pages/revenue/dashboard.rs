//! `GET /{commune}/finance`: the finance officer's home, with the figures that say
//! what needs doing.

use actix_web::{web, HttpResponse};
use serde::Serialize;
use serde_json::json;

use crate::error::AppResult;
use crate::money::Xof;
use crate::revenue::rolls::RollStatus;
use crate::revenue::{adjustments, rolls, taxpayers};
use crate::web::{AppState, Ctx};

/// Rolls of one status: how many, how many lines, how much.
#[derive(Debug, Default, Serialize)]
struct StatusTotal {
    status: &'static str,
    rolls: i64,
    lines: i64,
    total: Xof,
}

pub async fn show(state: web::Data<AppState>, ctx: Ctx) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let me = ctx.visitor.user()?.id;
    let cid = commune.id;
    let (taxpayer_count, all_rolls, pending) = state
        .db(move |conn| {
            Ok((
                taxpayers::count(conn, cid)?,
                rolls::list(conn, cid)?,
                adjustments::pending(conn, cid)?,
            ))
        })
        .await?;
    let by_status: Vec<StatusTotal> = RollStatus::ALL
        .iter()
        .map(|status| {
            let of_status: Vec<_> = all_rolls
                .iter()
                .filter(|r| r.roll.status == *status)
                .collect();
            StatusTotal {
                status: status.as_str(),
                rolls: of_status.len() as i64,
                lines: of_status.iter().map(|r| r.roll.line_count).sum(),
                total: of_status.iter().map(|r| r.roll.total).sum(),
            }
        })
        .collect();
    let awaiting_me = pending.iter().filter(|p| p.requested_by != me).count();
    ctx.render(
        &state,
        "pages/revenue/dashboard",
        "space.finance_officer.title",
        json!({
            "role": "finance_officer",
            "taxpayer_count": taxpayer_count,
            "rolls_by_status": by_status,
            "pending_count": pending.len(),
            "awaiting_me": awaiting_me,
            "today": commune.today().to_string(),
        }),
    )
}
