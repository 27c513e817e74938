//! `GET /{commune}/finance/collection?year=YYYY`: how well the commune collects, for the
//! finance officer, the treasurer and the councillors: the collection rate by tax,
//! district, month and collector, arrears by age, the largest debtors, cash not yet
//! deposited and the share of mobile money (see [`crate::revenue::stats`] for what each
//! figure means). Each chart is SVG drawn here, beside the table that holds its figures;
//! `?format=csv&table=<name>` downloads that table, row for row.

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{web, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::accounts::{authz, Perm};
use crate::error::{AppError, AppResult};
use crate::i18n::{Catalog, Locale};
use crate::money::Xof;
use crate::revenue::stats::{self, rate_bp, Age, Dashboard, Part, Rate, Rates};
use crate::tabular::write::CsvWriter;
use crate::web::charts::{fitted_bars, Bar};
use crate::web::templates::{date, percent};
use crate::web::{AppState, Ctx};

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

/// One value of a table: shown on the page in the visitor's language, written plain in
/// the CSV file (whole francs, a rate in percent with a point, an ISO date).
#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    /// A name that links to a page (a debtor's account).
    Link(String, Option<String>),
    Money(Xof),
    Rate(Option<i64>),
    Count(i64),
    Date(NaiveDate),
}

impl Cell {
    fn csv(&self) -> String {
        match self {
            Cell::Text(t) | Cell::Link(t, _) => t.clone(),
            Cell::Money(v) => v.0.to_string(),
            Cell::Rate(None) => String::new(),
            Cell::Rate(Some(bp)) => {
                let sign = if *bp < 0 { "-" } else { "" };
                let bp = bp.unsigned_abs();
                format!("{sign}{}.{}", bp / 100, bp % 100 / 10)
            }
            Cell::Count(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
        }
    }

    fn shown(&self, w: &Words<'_>) -> String {
        match self {
            Cell::Text(t) | Cell::Link(t, _) => t.clone(),
            Cell::Money(v) => w.money(*v),
            Cell::Rate(bp) => w.rate(*bp),
            Cell::Count(n) => n.to_string(),
            Cell::Date(d) => date(&d.to_string(), w.locale),
        }
    }

    fn is_number(&self) -> bool {
        !matches!(self, Cell::Text(_) | Cell::Link(..))
    }
}

/// The columns that hold a table's main figure, in order of preference.
const KEY_COLUMNS: [&str; 5] = ["rate", "rate_to_date", "share_amount", "overdue", "amount"];

/// A table of the dashboard, its chart and its name in the CSV's address.
struct Table {
    name: &'static str,
    /// The columns' names in the CSV file; their titles on the page are
    /// `collection.col.<name>`.
    columns: &'static [&'static str],
    rows: Vec<Vec<Cell>>,
    total: Option<Vec<Cell>>,
    chart: String,
}

impl Table {
    fn json(&self, w: &Words<'_>, csv: &str) -> Value {
        let labels: Vec<String> = self
            .columns
            .iter()
            .map(|c| w.t(&format!("collection.col.{c}")))
            .collect();
        // The figure a row is about comes first on a phone's card.
        let key = KEY_COLUMNS
            .iter()
            .find_map(|k| self.columns.iter().position(|c| c == k));
        let row = |cells: &[Cell]| -> Vec<Value> {
            cells
                .iter()
                .zip(&labels)
                .enumerate()
                .map(|(i, (c, label))| {
                    json!({
                        "text": c.shown(w),
                        "href": match c { Cell::Link(_, href) => href.clone(), _ => None },
                        "num": c.is_number(),
                        "head": i == 0,
                        "key": Some(i) == key,
                        "label": label,
                    })
                })
                .collect()
        };
        let first = self.rows.first();
        let columns: Vec<Value> = labels
            .iter()
            .zip(self.columns)
            .enumerate()
            .map(|(i, (label, name))| {
                let num = first.and_then(|r| r.get(i)).is_some_and(Cell::is_number);
                json!({ "label": label, "name": name, "num": num })
            })
            .collect();
        json!({
            "name": self.name,
            "title": w.t(&format!("collection.{}.title", self.name)),
            "intro": w.t(&format!("collection.{}.intro", self.name)),
            "chart": self.chart,
            "csv": csv,
            "columns": columns,
            "rows": self.rows.iter().map(|r| row(r)).collect::<Vec<_>>(),
            "total": self.total.as_ref().map(|t| row(t)),
        })
    }
}

fn csv(table: &Table, file: &str) -> AppResult<HttpResponse> {
    let mut out = Vec::new();
    let mut w = CsvWriter::new(&mut out, table.columns).map_err(internal)?;
    for r in &table.rows {
        w.row(r.iter().map(Cell::csv)).map_err(internal)?;
    }
    w.finish().map_err(internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .body(out))
}

fn internal(e: impl Into<anyhow::Error>) -> AppError {
    AppError::Internal(e.into())
}

/// A chart of amounts, one bar a row, scaled to the largest.
fn amount_chart<I: IntoIterator<Item = (String, Xof)>>(
    w: &Words<'_>,
    name: &str,
    bars: I,
) -> String {
    let bars: Vec<(String, Xof)> = bars.into_iter().collect();
    let bars: Vec<Bar> = bars
        .iter()
        .map(|(label, v)| Bar {
            label,
            value: v.0,
            value_text: w.money(*v),
            strong: false,
        })
        .collect();
    chart(w, name, &bars, None)
}

/// A chart of rates, each bar on a track of 100 %.
fn rate_chart<I: IntoIterator<Item = (String, Option<i64>)>>(
    w: &Words<'_>,
    name: &str,
    bars: I,
) -> String {
    let bars: Vec<(String, Option<i64>)> = bars.into_iter().collect();
    let bars: Vec<Bar> = bars
        .iter()
        .map(|(label, bp)| Bar {
            label,
            value: bp.unwrap_or(0),
            value_text: w.rate(*bp),
            strong: false,
        })
        .collect();
    chart(w, name, &bars, Some(10_000))
}

fn chart(w: &Words<'_>, name: &str, bars: &[Bar<'_>], whole: Option<i64>) -> String {
    if bars.is_empty() {
        return String::new();
    }
    fitted_bars(
        &w.t(&format!("collection.{name}.title")),
        &w.t("collection.chart_desc"),
        bars,
        whole,
    )
}

fn rate_cells(r: Rate) -> [Cell; 4] {
    [
        Cell::Money(r.assessed),
        Cell::Money(r.collected),
        Cell::Money(r.remaining()),
        Cell::Rate(r.rate_bp()),
    ]
}

/// Every table of the dashboard, in page order. `accounts`: where a debtor's account
/// opens (`…/taxpayers/`), for those who may open it.
fn tables(w: &Words<'_>, d: &Dashboard, accounts: Option<&str>) -> Vec<Table> {
    let r = &d.rates;
    let total_of = |label: &str, rate: Rate| {
        let mut cells = vec![Cell::Text(label.to_string())];
        cells.extend(rate_cells(rate));
        cells
    };
    let total_word = w.t("collection.total");

    let tax_name = |t: &stats::TaxRate| match w.locale {
        Locale::En => t.name_en.clone(),
        Locale::Fr => t.name_fr.clone(),
    };
    let taxes = Table {
        name: "taxes",
        columns: &["tax", "code", "assessed", "collected", "remaining", "rate"],
        rows: r
            .by_tax
            .iter()
            .map(|t| {
                let mut cells = vec![Cell::Text(tax_name(t)), Cell::Text(t.code.clone())];
                cells.extend(rate_cells(t.rate));
                cells
            })
            .collect(),
        total: (!r.by_tax.is_empty()).then(|| {
            let mut cells = total_of(&total_word, r.total);
            cells.insert(1, Cell::Text(String::new()));
            cells
        }),
        chart: rate_chart(
            w,
            "taxes",
            r.by_tax.iter().map(|t| (t.code.clone(), t.rate.rate_bp())),
        ),
    };

    let place = |name: &Option<String>| {
        name.clone()
            .unwrap_or_else(|| w.t("collection.no_district"))
    };
    let districts = Table {
        name: "districts",
        columns: &["district", "assessed", "collected", "remaining", "rate"],
        rows: r
            .by_district
            .iter()
            .map(|p| total_of(&place(&p.name), p.rate))
            .collect(),
        total: (!r.by_district.is_empty()).then(|| total_of(&total_word, r.total)),
        chart: rate_chart(
            w,
            "districts",
            r.by_district
                .iter()
                .map(|p| (place(&p.name), p.rate.rate_bp())),
        ),
    };

    let months = Table {
        name: "months",
        columns: &[
            "month",
            "received",
            "due_to_date",
            "collected_to_date",
            "rate_to_date",
        ],
        rows: d
            .months
            .iter()
            .map(|m| {
                vec![
                    Cell::Text(w.month(m.month)),
                    Cell::Money(m.received),
                    Cell::Money(m.to_date.assessed),
                    Cell::Money(m.to_date.collected),
                    Cell::Rate(m.to_date.rate_bp()),
                ]
            })
            .collect(),
        total: None,
        chart: rate_chart(
            w,
            "months",
            d.months
                .iter()
                .map(|m| (w.month(m.month), m.to_date.rate_bp())),
        ),
    };

    let year_total: Xof = d.collectors.iter().map(|c| c.amount).sum();
    let collector_cells = |name: &str, n: i64, amount: Xof, cash: Xof, mobile: Xof| {
        vec![
            Cell::Text(name.to_string()),
            Cell::Count(n),
            Cell::Money(amount),
            Cell::Money(cash),
            Cell::Money(mobile),
            Cell::Rate(rate_bp(amount, year_total)),
        ]
    };
    let collectors = Table {
        name: "collectors",
        columns: &[
            "collector",
            "receipts",
            "amount",
            "cash",
            "mobile_money",
            "share",
        ],
        rows: d
            .collectors
            .iter()
            .map(|c| collector_cells(&c.name, c.receipts, c.amount, c.cash, c.mobile))
            .collect(),
        total: (!d.collectors.is_empty()).then(|| {
            let sum = |f: fn(&stats::Collector) -> Xof| d.collectors.iter().map(f).sum();
            collector_cells(
                &total_word,
                d.collectors.iter().map(|c| c.receipts).sum(),
                year_total,
                sum(|c| c.cash),
                sum(|c| c.mobile),
            )
        }),
        chart: amount_chart(
            w,
            "collectors",
            d.collectors.iter().map(|c| (c.name.clone(), c.amount)),
        ),
    };

    let mobile = Table {
        name: "mobile",
        columns: &[
            "month",
            "receipts",
            "mobile_receipts",
            "share_count",
            "received",
            "mobile_amount",
            "share_amount",
        ],
        rows: d
            .months
            .iter()
            .map(|m| {
                vec![
                    Cell::Text(w.month(m.month)),
                    Cell::Count(m.receipts),
                    Cell::Count(m.mobile_receipts),
                    Cell::Rate(rate_bp(Xof(m.mobile_receipts), Xof(m.receipts))),
                    Cell::Money(m.received),
                    Cell::Money(m.mobile),
                    Cell::Rate(rate_bp(m.mobile, m.received)),
                ]
            })
            .collect(),
        total: (!d.months.is_empty()).then(|| {
            let (n, mn): (i64, i64) = d.months.iter().fold((0, 0), |(n, mn), m| {
                (n + m.receipts, mn + m.mobile_receipts)
            });
            let received: Xof = d.months.iter().map(|m| m.received).sum();
            let mobile: Xof = d.months.iter().map(|m| m.mobile).sum();
            vec![
                Cell::Text(total_word.clone()),
                Cell::Count(n),
                Cell::Count(mn),
                Cell::Rate(rate_bp(Xof(mn), Xof(n))),
                Cell::Money(received),
                Cell::Money(mobile),
                Cell::Rate(rate_bp(mobile, received)),
            ]
        }),
        chart: rate_chart(
            w,
            "mobile",
            d.months
                .iter()
                .map(|m| (w.month(m.month), rate_bp(m.mobile, m.received))),
        ),
    };

    let owed: Xof = d.arrears.iter().map(|a| a.1).sum();
    let arrears = Table {
        name: "arrears",
        columns: &["age", "amount", "share"],
        rows: d
            .arrears
            .iter()
            .map(|(age, amount)| {
                vec![
                    Cell::Text(w.age(*age)),
                    Cell::Money(*amount),
                    Cell::Rate(rate_bp(*amount, owed)),
                ]
            })
            .collect(),
        total: Some(vec![
            Cell::Text(total_word.clone()),
            Cell::Money(owed),
            Cell::Rate(rate_bp(owed, owed)),
        ]),
        chart: amount_chart(
            w,
            "arrears",
            d.arrears.iter().map(|(age, amount)| (w.age(*age), *amount)),
        ),
    };

    let debtors = Table {
        name: "debtors",
        columns: &["taxpayer", "reference", "district", "overdue"],
        rows: d
            .debtors
            .iter()
            .map(|t| {
                vec![
                    Cell::Link(
                        t.name.clone(),
                        accounts.map(|a| format!("{a}{}", t.taxpayer)),
                    ),
                    Cell::Text(t.reference.clone()),
                    Cell::Text(t.district.clone().unwrap_or_default()),
                    Cell::Money(t.overdue),
                ]
            })
            .collect(),
        total: None,
        chart: amount_chart(
            w,
            "debtors",
            d.debtors.iter().map(|t| (t.name.clone(), t.overdue)),
        ),
    };

    let undeposited = Table {
        name: "undeposited",
        columns: &["collector", "receipts", "amount", "oldest", "days"],
        rows: d
            .undeposited
            .iter()
            .map(|u| {
                vec![
                    Cell::Text(u.name.clone()),
                    Cell::Count(u.receipts),
                    Cell::Money(u.amount),
                    Cell::Date(u.oldest),
                    Cell::Count((d.today - u.oldest).num_days()),
                ]
            })
            .collect(),
        total: None,
        chart: amount_chart(
            w,
            "undeposited",
            d.undeposited.iter().map(|u| (u.name.clone(), u.amount)),
        ),
    };
    vec![
        taxes,
        districts,
        months,
        collectors,
        mobile,
        arrears,
        debtors,
        undeposited,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_value_is_plain_whole_francs_a_percent_with_a_point_or_an_iso_date() {
        assert_eq!(Cell::Money(Xof(1_234_567)).csv(), "1234567");
        assert_eq!(Cell::Rate(Some(6_660)).csv(), "66.6");
        assert_eq!(Cell::Rate(Some(10_000)).csv(), "100.0");
        assert_eq!(Cell::Rate(Some(0)).csv(), "0.0");
        assert_eq!(Cell::Rate(None).csv(), "");
        let day = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        assert_eq!(Cell::Date(day).csv(), "2026-03-31");
        assert_eq!(Cell::Link("Awa".into(), None).csv(), "Awa");
        assert!(Cell::Count(3).is_number() && !Cell::Text("x".into()).is_number());
    }

    /// The tables' titles, introductions and column names are made from their names:
    /// each must exist in both languages.
    #[test]
    fn every_table_and_column_is_named_in_both_languages() {
        let catalog = Catalog::embedded().unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let d = Dashboard {
            year: 2026,
            today,
            rates: Rates::default(),
            months: Vec::new(),
            collectors: Vec::new(),
            arrears: Vec::new(),
            debtors: Vec::new(),
            undeposited: Vec::new(),
        };
        let w = Words {
            catalog: &catalog,
            locale: Locale::Fr,
        };
        let all = tables(&w, &d, None);
        assert_eq!(all.len(), 8);
        for t in &all {
            assert!(part_of(t.name).is_some(), "{} is read by a part", t.name);
            let mut keys = vec![
                format!("collection.{}.title", t.name),
                format!("collection.{}.intro", t.name),
            ];
            keys.extend(t.columns.iter().map(|c| format!("collection.col.{c}")));
            for key in keys {
                for l in Locale::ALL {
                    assert!(catalog.get(l, &key).is_some(), "{key} in {}", l.as_str());
                }
            }
        }
    }
}
