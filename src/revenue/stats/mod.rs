//! How well the commune collects: the figures of the collection dashboards, for the
//! finance officer, the treasurer and the councillors.
//!
//! **What the figures mean.**
//! - *Assessed* in a year: the issued lines of that fiscal year (assessments and their
//!   penalties), with their approved adjustments (stored signed: a reduction is
//!   negative), plus the year's valid market tickets, each its own assessment.
//! - *Collected*: what valid receipts (any status but `cancelled`) paid on those lines,
//!   whenever they were paid, plus the tickets. So a year's rate is the share of its
//!   assessments collected to date, between 0 and 100 %; arrears of earlier years paid
//!   this year count for the year they belong to.
//! - *By month*, cumulative: at each month's end, of what had fallen due since
//!   1 January, how much had been paid by then; beside it, what came in that month.
//! - *By collector*: what each one received in the year (receipts dated that year).
//! - *Arrears*, *debtors* and *cash not deposited* are as they stand today, all years.
//!
//! Every figure is a grouped query (`GROUP BY` in the database, a few rows back) that
//! runs alike on SQLite and PostgreSQL; [`fold`] does the rest without the database.

mod fold;
mod owed;
mod receipts;

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use diesel::dsl::{count_star, sql};
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde::Serialize;

use super::method::{Method, Status};
use crate::communes::{districts, Commune};
use crate::db::schema::{
    adjustments, assessments, payment_allocations, payments, rolls, tax_types, taxpayers,
};
use crate::db::DbConn;
use crate::ids::{CommuneId, DistrictId, TaxTypeId};
use crate::money::Xof;

pub use fold::{by_age, margins, month_end, months, rate_bp, Age, Days, Margins, Month, Rate};
pub use owed::{arrears, debtors, Debtor};
pub use receipts::{by_collector, undeposited, Collector, Undeposited};

diesel::allow_columns_to_appear_in_same_group_by_clause!(
    assessments::tax_type_id,
    taxpayers::district_id,
);
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    payments::tax_type_id,
    taxpayers::district_id,
);
diesel::allow_columns_to_appear_in_same_group_by_clause!(assessments::due_date, payments::paid_on,);

/// `CAST(SUM(expr) AS BIGINT)`: PostgreSQL sums a `BIGINT` as a `NUMERIC`.
fn total(expr: &str) -> SqlLiteral<BigInt> {
    sql(&format!("CAST(SUM({expr}) AS BIGINT)"))
}

/// The issued lines of a commune's fiscal year.
#[diesel::dsl::auto_type]
fn lines_of_year(commune: CommuneId, year: i64) -> _ {
    assessments::commune_id
        .eq(commune)
        .and(assessments::fiscal_year.eq(year))
        .and(rolls::status.eq("issued"))
}

/// The issued lines past due on `today`, of every year.
#[diesel::dsl::auto_type]
fn lines_past_due(commune: CommuneId, today: NaiveDate) -> _ {
    assessments::commune_id
        .eq(commune)
        .and(assessments::due_date.lt(today))
        .and(rolls::status.eq("issued"))
}

/// The receipts that count: every status but cancelled.
#[diesel::dsl::auto_type]
fn counted() -> _ {
    let cancelled: Status = Status::Cancelled;
    payments::status.ne(cancelled)
}

/// A commune's receipts that count, dated from `first` to `last`.
#[diesel::dsl::auto_type]
fn receipts_between(commune: CommuneId, first: NaiveDate, last: NaiveDate) -> _ {
    payments::commune_id
        .eq(commune)
        .and(payments::paid_on.between(first, last))
        .and(counted())
}

/// The first and last day of a year.
fn year_days(year: i64) -> (NaiveDate, NaiveDate) {
    let y = i32::try_from(year).unwrap_or(i32::MAX);
    (
        NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(NaiveDate::MIN),
        NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(NaiveDate::MAX),
    )
}

/// One tax's figures.
#[derive(Debug, Clone, Serialize)]
pub struct TaxRate {
    pub tax: TaxTypeId,
    pub code: String,
    pub name_fr: String,
    pub name_en: String,
    pub rate: Rate,
}

/// One district's figures; `None` for taxpayers without a district and tickets sold
/// without a register entry.
#[derive(Debug, Clone, Serialize)]
pub struct DistrictRate {
    pub district: Option<DistrictId>,
    pub name: Option<String>,
    pub rate: Rate,
}

/// A year's collection rate: in all, by tax and by district, largest assessment first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rates {
    pub total: Rate,
    pub by_tax: Vec<TaxRate>,
    pub by_district: Vec<DistrictRate>,
}

/// Collected against assessed in `year`, by tax and by district (the taxpayer's).
pub fn rates(conn: &mut DbConn, commune: CommuneId, year: i64) -> QueryResult<Rates> {
    let assessed: Vec<(TaxTypeId, Option<DistrictId>, i64)> = assessments::table
        .inner_join(rolls::table)
        .inner_join(taxpayers::table)
        .filter(lines_of_year(commune, year))
        .group_by((assessments::tax_type_id, taxpayers::district_id))
        .select((
            assessments::tax_type_id,
            taxpayers::district_id,
            total("assessments.amount"),
        ))
        .load(conn)?;
    let adjusted: Vec<(TaxTypeId, Option<DistrictId>, i64)> = adjustments::table
        .inner_join(
            assessments::table
                .inner_join(rolls::table)
                .inner_join(taxpayers::table),
        )
        .filter(lines_of_year(commune, year))
        .filter(adjustments::status.eq("approved"))
        .group_by((assessments::tax_type_id, taxpayers::district_id))
        .select((
            assessments::tax_type_id,
            taxpayers::district_id,
            total("adjustments.amount"),
        ))
        .load(conn)?;
    let paid: Vec<(TaxTypeId, Option<DistrictId>, i64)> = payment_allocations::table
        .inner_join(payments::table)
        .inner_join(
            assessments::table
                .inner_join(rolls::table)
                .inner_join(taxpayers::table),
        )
        .filter(lines_of_year(commune, year))
        .filter(counted())
        .group_by((assessments::tax_type_id, taxpayers::district_id))
        .select((
            assessments::tax_type_id,
            taxpayers::district_id,
            total("payment_allocations.amount"),
        ))
        .load(conn)?;
    let (first, last) = year_days(year);
    let tickets: Vec<(Option<TaxTypeId>, Option<DistrictId>, i64)> = payments::table
        .left_join(taxpayers::table)
        .filter(receipts_between(commune, first, last))
        .filter(payments::tax_type_id.is_not_null())
        .group_by((payments::tax_type_id, taxpayers::district_id))
        .select((
            payments::tax_type_id,
            taxpayers::district_id.nullable(),
            total("payments.amount"),
        ))
        .load(conn)?;
    let mut cells: Vec<(TaxTypeId, Option<DistrictId>, Rate)> = Vec::new();
    cells.extend(
        assessed
            .into_iter()
            .chain(adjusted)
            .map(|(t, d, a)| (t, d, Rate::new(a, 0))),
    );
    cells.extend(paid.into_iter().map(|(t, d, c)| (t, d, Rate::new(0, c))));
    cells.extend(
        tickets
            .into_iter()
            .filter_map(|(t, d, a)| Some((t?, d, Rate::new(a, a)))),
    );
    let Margins {
        total,
        rows: taxes,
        cols: places,
    } = margins(&cells);

    let types: HashMap<TaxTypeId, (String, String, String)> = tax_types::table
        .filter(tax_types::commune_id.eq(commune))
        .select((
            tax_types::id,
            tax_types::code,
            tax_types::name_fr,
            tax_types::name_en,
        ))
        .load::<(TaxTypeId, String, String, String)>(conn)?
        .into_iter()
        .map(|(id, code, fr, en)| (id, (code, fr, en)))
        .collect();
    let mut by_tax: Vec<TaxRate> = taxes
        .into_iter()
        .map(|(tax, rate)| {
            let (code, name_fr, name_en) = types.get(&tax).cloned().unwrap_or_default();
            TaxRate {
                tax,
                code,
                name_fr,
                name_en,
                rate,
            }
        })
        .collect();
    by_tax.sort_by(|a, b| (b.rate.assessed, &a.code).cmp(&(a.rate.assessed, &b.code)));
    let names: HashMap<DistrictId, String> = districts::list(conn, commune)?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let mut by_district: Vec<DistrictRate> = places
        .into_iter()
        .map(|(district, rate)| DistrictRate {
            name: district.and_then(|d| names.get(&d).cloned()),
            district,
            rate,
        })
        .collect();
    // Largest first; the figures without a district last.
    by_district.sort_by(|a, b| {
        (a.district.is_none(), b.rate.assessed, &a.name).cmp(&(
            b.district.is_none(),
            a.rate.assessed,
            &b.name,
        ))
    });
    Ok(Rates {
        total,
        by_tax,
        by_district,
    })
}

/// The year month by month, up to `today`'s month in the current year.
pub fn by_month(
    conn: &mut DbConn,
    commune: CommuneId,
    year: i64,
    today: NaiveDate,
) -> QueryResult<Vec<Month>> {
    let last = match i64::from(today.year()).cmp(&year) {
        std::cmp::Ordering::Less => return Ok(Vec::new()),
        std::cmp::Ordering::Equal => today.month(),
        std::cmp::Ordering::Greater => 12,
    };
    let due: Vec<(NaiveDate, i64)> = assessments::table
        .inner_join(rolls::table)
        .filter(lines_of_year(commune, year))
        .group_by(assessments::due_date)
        .select((assessments::due_date, total("assessments.amount")))
        .load(conn)?;
    let adjusted: Vec<(NaiveDate, i64)> = adjustments::table
        .inner_join(assessments::table.inner_join(rolls::table))
        .filter(lines_of_year(commune, year))
        .filter(adjustments::status.eq("approved"))
        .group_by(assessments::due_date)
        .select((assessments::due_date, total("adjustments.amount")))
        .load(conn)?;
    let paid: Vec<(NaiveDate, NaiveDate, i64)> = payment_allocations::table
        .inner_join(payments::table)
        .inner_join(assessments::table.inner_join(rolls::table))
        .filter(lines_of_year(commune, year))
        .filter(counted())
        .group_by((assessments::due_date, payments::paid_on))
        .select((
            assessments::due_date,
            payments::paid_on,
            total("payment_allocations.amount"),
        ))
        .load(conn)?;
    let (first, end) = year_days(year);
    let valid = payments::table.filter(receipts_between(commune, first, end));
    let tickets: Vec<(NaiveDate, i64)> = valid
        .filter(payments::tax_type_id.is_not_null())
        .group_by(payments::paid_on)
        .select((payments::paid_on, total("payments.amount")))
        .load(conn)?;
    let receipts: Vec<(NaiveDate, Method, i64, i64)> = valid
        .group_by((payments::paid_on, payments::method))
        .select((
            payments::paid_on,
            payments::method,
            count_star(),
            total("payments.amount"),
        ))
        .load(conn)?;
    let days = Days {
        due: due
            .into_iter()
            .chain(adjusted)
            .map(|(d, a)| (d, Xof(a)))
            .collect(),
        paid: paid.into_iter().map(|(d, p, a)| (d, p, Xof(a))).collect(),
        tickets: tickets.into_iter().map(|(d, a)| (d, Xof(a))).collect(),
        receipts: receipts
            .into_iter()
            .map(|(d, m, n, a)| (d, m == Method::MobileMoney, n, Xof(a)))
            .collect(),
    };
    Ok(months(year as i32, last, &days))
}

/// How many debtors the dashboard lists.
pub const TOP_DEBTORS: i64 = 20;

/// Everything the collection dashboard shows, for `year`, as it stands on `today`.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub year: i64,
    pub today: NaiveDate,
    pub rates: Rates,
    pub months: Vec<Month>,
    pub collectors: Vec<Collector>,
    pub arrears: Vec<(Age, Xof)>,
    pub debtors: Vec<Debtor>,
    pub undeposited: Vec<Undeposited>,
}

/// A part of the dashboard, read by its own queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Rates,
    Months,
    Collectors,
    Arrears,
    Debtors,
    Undeposited,
}

impl Part {
    pub const ALL: [Part; 6] = [
        Part::Rates,
        Part::Months,
        Part::Collectors,
        Part::Arrears,
        Part::Debtors,
        Part::Undeposited,
    ];
}

/// The `parts` of the dashboard for `year`, as they stand today, the others left empty:
/// the page reads them all, the download of a table only its own.
pub fn dashboard(
    conn: &mut DbConn,
    commune: &Commune,
    year: i64,
    parts: &[Part],
) -> QueryResult<Dashboard> {
    let (id, today) = (commune.id, commune.today());
    // A part not asked for is left empty, unread.
    fn read<T: Default>(asked: bool, f: impl FnOnce() -> QueryResult<T>) -> QueryResult<T> {
        if asked {
            f()
        } else {
            Ok(T::default())
        }
    }
    let has = |p: Part| parts.contains(&p);
    Ok(Dashboard {
        year,
        today,
        rates: read(has(Part::Rates), || rates(conn, id, year))?,
        months: read(has(Part::Months), || by_month(conn, id, year, today))?,
        collectors: read(has(Part::Collectors), || by_collector(conn, id, year))?,
        arrears: read(has(Part::Arrears), || arrears(conn, id, today))?,
        debtors: read(has(Part::Debtors), || debtors(conn, id, today, TOP_DEBTORS))?,
        undeposited: read(has(Part::Undeposited), || undeposited(conn, id))?,
    })
}
