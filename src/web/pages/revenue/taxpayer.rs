//! One taxpayer's page: details, taxable items (with the form to add one), and the
//! account (every issued line, adjustment and penalty, the balance, arrears by year).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde_json::{json, Value};

use super::forms::{self, ItemForm, ITEM_FIELDS};
use super::with_status;
use crate::communes::{districts, District};
use crate::error::{AppResult, Refusal};
use crate::ids::TaxpayerId;
use crate::revenue::adjustments::AdjustmentKind;
use crate::revenue::assess::ItemKind;
use crate::revenue::items as item_list;
use crate::revenue::items::Item;
use crate::revenue::ledger::{self, Account};
use crate::revenue::taxpayers::{self, Taxpayer};
use crate::web::{AppState, Ctx};

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let id = TaxpayerId(path.into_inner().1);
    let blank = ItemForm::default();
    render_taxpayer(&state, &ctx, id, &blank, &[], StatusCode::OK).await
}

/// The taxpayer's page; `item` and `errors` refill the form to add an item.
pub(super) async fn render_taxpayer(
    state: &AppState,
    ctx: &Ctx,
    id: TaxpayerId,
    item: &ItemForm,
    errors: &[Refusal],
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let (cid, day) = (commune.id, commune.today());
    let (taxpayer, owned, acct, all_districts) = state
        .db(move |conn| {
            let t = taxpayers::by_id(conn, cid, id)?;
            let owners = taxpayers::account_ids(conn, id)?;
            Ok((
                t,
                item_list::of_taxpayers(conn, &owners)?,
                ledger::of(conn, id, day)?,
                districts::list(conn, cid)?,
            ))
        })
        .await?;
    let mut data = view(taxpayer, owned, acct, all_districts, day);
    data["item_form"] = json!(item);
    data["item_errors"] = forms::messages(ITEM_FIELDS, errors, &state.catalog, ctx.locale);
    let html = ctx.render_string(
        state,
        "pages/revenue/taxpayer",
        "finance.taxpayer.title",
        data,
    )?;
    Ok(with_status(status, html))
}

/// What the page shows, without the item form.
fn view(
    taxpayer: Taxpayer,
    owned: Vec<(Item, Option<String>)>,
    acct: Account,
    all_districts: Vec<District>,
    day: NaiveDate,
) -> Value {
    let district = all_districts
        .iter()
        .find(|d| Some(d.id) == taxpayer.district_id)
        .map(|d| d.name.clone());
    let gps = taxpayer.lat_e6.zip(taxpayer.lon_e6).map(|(lat, lon)| {
        format!(
            "{}, {}",
            crate::revenue::exports::degrees(lat),
            crate::revenue::exports::degrees(lon)
        )
    });
    let owned: Vec<Value> = owned
        .into_iter()
        .map(|(item, district)| json!({ "item": item, "district": district }))
        .collect();
    let this_year = i64::from(day.year());
    let mut years: Vec<i64> = acct.years.iter().map(|y| y.year).collect();
    if !years.contains(&this_year) {
        years.push(this_year);
    }
    json!({
        "taxpayer": taxpayer, "district": district, "gps": gps, "items": owned, "account": acct,
        "notice_years": years, "item_kinds": ItemKind::ALL, "adjustment_kinds": AdjustmentKind::ALL,
        "districts": all_districts,
    })
}
