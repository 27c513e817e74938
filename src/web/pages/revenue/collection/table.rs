//! One table of the dashboard: its values (shown on the page in the visitor's language,
//! written plain in the CSV file), its chart, its rendering and its download.

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::HttpResponse;
use chrono::NaiveDate;
use serde_json::{json, Value};

use super::Words;
use crate::error::{AppError, AppResult};
use crate::money::Xof;
use crate::tabular::write::CsvWriter;
use crate::web::charts::{fitted_bars, Bar};
use crate::web::templates::date;

/// One value of a table: shown on the page in the visitor's language, written plain in
/// the CSV file (whole francs, a rate in percent with a point, an ISO date).
#[derive(Debug, Clone)]
pub(super) enum Cell {
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
pub(super) struct Table {
    pub(super) name: &'static str,
    /// The columns' names in the CSV file; their titles on the page are
    /// `collection.col.<name>`.
    pub(super) columns: &'static [&'static str],
    pub(super) rows: Vec<Vec<Cell>>,
    pub(super) total: Option<Vec<Cell>>,
    pub(super) chart: String,
}

impl Table {
    pub(super) fn json(&self, w: &Words<'_>, csv: &str) -> Value {
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

pub(super) fn csv(table: &Table, file: &str) -> AppResult<HttpResponse> {
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
pub(super) fn amount_chart<I: IntoIterator<Item = (String, Xof)>>(
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
pub(super) fn rate_chart<I: IntoIterator<Item = (String, Option<i64>)>>(
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
}
