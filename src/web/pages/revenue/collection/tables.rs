//! The dashboard's eight tables, in page order, each with its chart.

use super::table::{amount_chart, rate_chart, Cell, Table};
use super::Words;
use crate::i18n::Locale;
use crate::money::Xof;
use crate::revenue::stats::{self, rate_bp, Dashboard, Rate};

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
pub(super) fn tables(w: &Words<'_>, d: &Dashboard, accounts: Option<&str>) -> Vec<Table> {
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
    use super::super::part_of;
    use super::*;
    use crate::i18n::Catalog;
    use crate::revenue::stats::Rates;
    use chrono::NaiveDate;

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
