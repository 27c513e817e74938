//! `GET /{commune}/finance`: the finance officer's home, with the figures that say
//! what needs doing.

use actix_web::{web, HttpResponse};
use serde::Serialize;
use serde_json::json;

use super::today;
use crate::error::AppResult;
use crate::revenue::{adjustments, rolls, taxpayers};
use crate::web::{AppState, Ctx};

/// Rolls of one status: how many, how many lines, how much.
#[derive(Debug, Default, Serialize)]
struct StatusTotal {
    status: &'static str,
    rolls: i64,
    lines: i64,
    total: i64,
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
    let by_status: Vec<StatusTotal> = ["draft", "issued"]
        .into_iter()
        .map(|status| {
            let mut t = StatusTotal {
                status,
                ..StatusTotal::default()
            };
            for r in all_rolls.iter().filter(|r| r.roll.status == status) {
                t.rolls += 1;
                t.lines += r.roll.line_count;
                t.total += r.roll.total;
            }
            t
        })
        .collect();
    let awaiting_me = pending.iter().filter(|p| p.requested_by != me).count();
    ctx.render(
        &state,
        "pages/finance/dashboard",
        "space.finance_officer.title",
        json!({
            "role": "finance_officer",
            "taxpayer_count": taxpayer_count,
            "rolls_by_status": by_status,
            "pending_count": pending.len(),
            "awaiting_me": awaiting_me,
            "today": today(&commune).to_string(),
        }),
    )
}
