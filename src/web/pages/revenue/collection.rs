//! `GET /{commune}/finance/collection?year=YYYY`: how well the commune collects, for the
//! finance officer, the treasurer and the councillors: the collection rate by tax,
//! district, month and collector, arrears by age, the largest debtors, cash not yet
//! deposited and the share of mobile money (see [`crate::revenue::stats`] for what each
//! figure means). Each chart is SVG drawn here, beside the table that holds its figures;
//! `?format=csv&table=<name>` downloads that table, row for row.

mod table;
mod tables;

use actix_web::{web, HttpResponse};
use chrono::Datelike;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::accounts::{authz, Perm};
use crate::error::{AppError, AppResult};
use crate::i18n::{Catalog, Locale};
use crate::money::Xof;
use crate::revenue::stats::{self, rate_bp, Age, Part, Rates};
use crate::web::templates::percent;
use crate::web::{AppState, Ctx};
use table::csv;
use tables::tables;

#[derive(Debug, Deserialize)]
pub struct Params {
    year: Option<i64>,
    format: Option<String>,
    table: Option<String>,
}

/// How many past years the page offers beside this one.
const PAST_YEARS: i64 = 3;

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    query: web::Query<Params>,
) -> AppResult<HttpResponse> {
    let commune = ctx.visitor.commune()?.clone();
    let this_year = i64::from(commune.today().year());
    let year = query.year.unwrap_or(this_year);
    if !(2000..=this_year + 1).contains(&year) {
        return Err(AppError::NotFound);
    }
    // The page reads every part; a table's download, only its own.
    let csv_of = match query.format.as_deref() {
        None => None,
        Some("csv") => {
            let name = query.table.clone().unwrap_or_default();
            Some((part_of(&name).ok_or(AppError::NotFound)?, name))
        }
        Some(_) => return Err(AppError::NotFound),
    };
    let parts = match &csv_of {
        Some((part, _)) => vec![*part],
        None => Part::ALL.to_vec(),
    };
    let c = commune.clone();
    let d = state
        .db(move |conn| Ok(stats::dashboard(conn, &c, year, &parts)?))
        .await?;
    let w = Words {
        catalog: &state.catalog,
        locale: ctx.locale,
    };
    let accounts = authz::allows(Perm::Assess, &ctx.visitor.roles)
        .then(|| format!("/{}/finance/taxpayers/", commune.slug));
    let tables = tables(&w, &d, accounts.as_deref());
    if let Some((_, name)) = csv_of {
        let table = tables
            .iter()
            .find(|t| t.name == name)
            .ok_or(AppError::NotFound)?;
        return csv(
            table,
            &format!("{}-collection-{year}-{name}.csv", commune.slug),
        );
    }
    let href = |y: i64| format!("/{}/finance/collection?year={y}", commune.slug);
    let years: Vec<Value> = (this_year - PAST_YEARS..=this_year)
        .map(|y| json!({ "year": y, "href": href(y), "current": y == year }))
        .collect();
    let sections: Vec<Value> = tables
        .iter()
        .map(|t| t.json(&w, &format!("{}&format=csv&table={}", href(year), t.name)))
        .collect();
    let arrears: Xof = d.arrears.iter().map(|a| a.1).sum();
    let cash: Xof = d.undeposited.iter().map(|u| u.amount).sum();
    let received: Xof = d.months.iter().map(|m| m.received).sum();
    let mobile: Xof = d.months.iter().map(|m| m.mobile).sum();
    let total = d.rates.total;
    ctx.render(
        &state,
        "pages/revenue/collection",
        "collection.title",
        json!({
            "year": year,
            "years": years,
            "finance_nav": accounts.is_some(),
            "figures": {
                "rate": w.rate(total.rate_bp()),
                "assessed": w.money(total.assessed),
                "collected": w.money(total.collected),
                "remaining": w.money(total.remaining()),
                "arrears": w.money(arrears),
                "undeposited": w.money(cash),
                "mobile_share": w.rate(rate_bp(mobile, received)),
            },
            "today": d.today.to_string(),
            "sections": sections,
        }),
    )
}

/// The part of the dashboard a table is made from.
fn part_of(table: &str) -> Option<Part> {
    Some(match table {
        "taxes" | "districts" => Part::Rates,
        "months" | "mobile" => Part::Months,
        "collectors" => Part::Collectors,
        "arrears" => Part::Arrears,
        "debtors" => Part::Debtors,
        "undeposited" => Part::Undeposited,
        _ => return None,
    })
}

/// The councillor's summary: collected against assessed, by tax, for `year`, with a
/// link to the whole dashboard.
pub fn summary(state: &AppState, locale: Locale, slug: &str, year: i64, rates: &Rates) -> Value {
    let w = Words {
        catalog: &state.catalog,
        locale,
    };
    let rows: Vec<Value> = rates
        .by_tax
        .iter()
        .map(|t| {
            json!({
                "code": t.code,
                "name": if locale == Locale::En { &t.name_en } else { &t.name_fr },
                "assessed": w.money(t.rate.assessed),
                "collected": w.money(t.rate.collected),
                "rate": w.rate(t.rate.rate_bp()),
            })
        })
        .collect();
    json!({
        "year": year,
        "rows": rows,
        "total": {
            "assessed": w.money(rates.total.assessed),
            "collected": w.money(rates.total.collected),
            "rate": w.rate(rates.total.rate_bp()),
        },
        "href": format!("/{slug}/finance/collection?year={year}"),
    })
}

/// What the page writes in its language.
struct Words<'a> {
    catalog: &'a Catalog,
    locale: Locale,
}

impl Words<'_> {
    fn t(&self, key: &str) -> String {
        self.catalog.t(self.locale, key)
    }
    fn money(&self, v: Xof) -> String {
        v.display(self.locale.as_str())
    }
    /// A rate by the one rule ([`rate_bp`]); a dash when there is none.
    fn rate(&self, bp: Option<i64>) -> String {
        bp.map_or_else(|| "—".into(), |bp| percent(bp, self.locale))
    }
    fn month(&self, m: u32) -> String {
        let key = format!("finance.month.{m}");
        self.t(&key)
    }
    fn age(&self, a: Age) -> String {
        self.t(match a {
            Age::Month => "collection.age.month",
            Age::Quarter => "collection.age.quarter",
            Age::HalfYear => "collection.age.half_year",
            Age::Year => "collection.age.year",
            Age::Older => "collection.age.older",
        })
    }
}
