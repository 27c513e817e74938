//! `GET /{commune}/finance/taxpayers/{id}/notice?year=YYYY`: the *avis d'imposition*,
//! one A4 page to print and hand over: what is owed for the year, by when, and how
//! to pay.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::communes::districts;
use crate::error::AppResult;
use crate::fields;
use crate::ids::TaxpayerId;
use crate::money::Xof;
use crate::revenue::{ledger, taxpayers};
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
        Some(y) => fields::year(y)?,
        None => chrono::Datelike::year(&day),
    };
    let (taxpayer, acct, all_districts) = state
        .db(move |conn| {
            Ok((
                taxpayers::by_id(conn, cid, id)?,
                ledger::of(conn, id, day)?,
                districts::list(conn, cid)?,
            ))
        })
        .await?;
    let year = i64::from(year);
    let lines: Vec<&ledger::Line> = acct
        .lines
        .iter()
        .filter(|l| l.row.fiscal_year == year)
        .collect();
    let references: Vec<&str> = lines.iter().map(|l| l.row.reference.as_str()).collect();
    let adjustments: Vec<&ledger::AdjustmentLine> = acct
        .adjustments
        .iter()
        .filter(|a| references.contains(&a.line_reference.as_str()))
        .collect();
    let owed: Vec<&&ledger::Line> = lines.iter().filter(|l| l.outstanding.0 > 0).collect();
    let first_due = owed.iter().map(|l| l.row.due_date).min();
    let last_due = owed.iter().map(|l| l.row.due_date).max();
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
            "taxpayer": taxpayer, "district": district,
            "lines": lines, "adjustments": adjustments,
            "total_due": owed.iter().map(|l| l.outstanding).sum::<Xof>(),
            "first_due": first_due.map(|d| d.to_string()),
            "last_due": last_due.map(|d| d.to_string()),
            "one_due_date": first_due == last_due,
            "printed_on": day.to_string(),
        }),
    )
}
