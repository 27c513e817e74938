//! `GET /{commune}/finance/taxpayers/{id}/notice?year=YYYY`: the *avis d'imposition*,
//! one A4 page to print and hand over: what was assessed for the year and how, where
//! each line stands today (paid, overdue, or to pay by its due date), and how to pay.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::communes::districts;
use crate::error::AppResult;
use crate::fields;
use crate::ids::TaxpayerId;
use crate::revenue::{notices, taxpayers};
use crate::web::{AppState, Ctx};

#[derive(Deserialize)]
pub struct NoticeQuery {
    year: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    query: web::Query<NoticeQuery>,
) -> AppResult<HttpResponse> {
    let id = TaxpayerId(path.into_inner().1);
    let commune = ctx.visitor.commune()?.clone();
    let (cid, day) = (commune.id, commune.today());
    let year = match query.year.as_deref().filter(|y| !y.trim().is_empty()) {
        Some(y) => i64::from(fields::year(y)?),
        None => i64::from(chrono::Datelike::year(&day)),
    };
    let c = commune.clone();
    let (taxpayer, notice, all_districts) = state
        .db(move |conn| {
            Ok((
                taxpayers::by_id(conn, cid, id)?,
                notices::of(conn, &c, id, year, day)?,
                districts::list(conn, cid)?,
            ))
        })
        .await?;
    let district = all_districts
        .iter()
        .find(|d| Some(d.id) == taxpayer.district_id)
        .map(|d| d.name.clone());
    ctx.render(
        &state,
        "pages/revenue/notice",
        "finance.notice.title",
        json!({
            "year": year,
            "number": format!("{}/{year}/AV/{}", commune.code, taxpayer.reference),
            "taxpayer": taxpayer, "district": district, "notice": notice,
            "printed_on": day.to_string(),
        }),
    )
}
