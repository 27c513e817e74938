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

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use diesel::dsl::{count_star, min, sql};
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde::Serialize;

use super::method::{Method, Status};
use crate::accounts::users;
use crate::communes::{districts, Commune};
use crate::db::schema::{
    adjustments, assessments, payment_allocations, payments, rolls, tax_types, taxpayers,
};
use crate::db::DbConn;
use crate::ids::{CommuneId, DistrictId, TaxTypeId, TaxpayerId, UserId};
use crate::money::Xof;

pub use fold::{by_age, margins, month_end, months, rate_bp, Age, Days, Margins, Month, Rate};

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

/// What one collector received in the year.
#[derive(Debug, Clone, Serialize)]
pub struct Collector {
    pub user: UserId,
    pub name: String,
    pub receipts: i64,
    pub amount: Xof,
    pub cash: Xof,
    pub mobile: Xof,
}

/// What each collector received in `year` (valid receipts, tickets included), most
/// first.
pub fn by_collector(
    conn: &mut DbConn,
    commune: CommuneId,
    year: i64,
) -> QueryResult<Vec<Collector>> {
    let (first, last) = year_days(year);
    let rows: Vec<(UserId, Method, i64, i64)> = payments::table
        .filter(receipts_between(commune, first, last))
        .group_by((payments::received_by, payments::method))
        .select((
            payments::received_by,
            payments::method,
            count_star(),
            total("payments.amount"),
        ))
        .load(conn)?;
    let ids: Vec<UserId> = rows.iter().map(|r| r.0).collect();
    let names = users::names(conn, &ids)?;
    let mut by: HashMap<UserId, Collector> = HashMap::new();
    for (user, method, n, amount) in rows {
        let c = by.entry(user).or_insert_with(|| Collector {
            user,
            name: names.get(&user).cloned().unwrap_or_default(),
            receipts: 0,
            amount: Xof::ZERO,
            cash: Xof::ZERO,
            mobile: Xof::ZERO,
        });
        c.receipts += n;
        c.amount = Xof(c.amount.0.saturating_add(amount));
        match method {
            Method::Cash => c.cash = Xof(c.cash.0.saturating_add(amount)),
            Method::MobileMoney => c.mobile = Xof(c.mobile.0.saturating_add(amount)),
            _ => {}
        }
    }
    let mut out: Vec<Collector> = by.into_values().collect();
    out.sort_by(|a, b| (b.amount, &a.name).cmp(&(a.amount, &b.name)));
    Ok(out)
}

/// What is owed today on lines past due, by age (every year, every bucket): by due
/// date, what the lines were assessed, adjusted and paid.
pub fn arrears(
    conn: &mut DbConn,
    commune: CommuneId,
    today: NaiveDate,
) -> QueryResult<Vec<(Age, Xof)>> {
    let assessed: Vec<(NaiveDate, i64)> = assessments::table
        .inner_join(rolls::table)
        .filter(lines_past_due(commune, today))
        .group_by(assessments::due_date)
        .select((assessments::due_date, total("assessments.amount")))
        .load(conn)?;
    let adjusted: Vec<(NaiveDate, i64)> = adjustments::table
        .inner_join(assessments::table.inner_join(rolls::table))
        .filter(lines_past_due(commune, today))
        .filter(adjustments::status.eq("approved"))
        .group_by(assessments::due_date)
        .select((assessments::due_date, total("adjustments.amount")))
        .load(conn)?;
    let paid: Vec<(NaiveDate, i64)> = payment_allocations::table
        .inner_join(payments::table)
        .inner_join(assessments::table.inner_join(rolls::table))
        .filter(lines_past_due(commune, today))
        .filter(counted())
        .group_by(assessments::due_date)
        .select((assessments::due_date, total("payment_allocations.amount")))
        .load(conn)?;
    let owed: Vec<(NaiveDate, Xof)> = assessed
        .into_iter()
        .chain(adjusted)
        .map(|(d, a)| (d, Xof(a)))
        .chain(paid.into_iter().map(|(d, p)| (d, Xof(-p))))
        .collect();
    Ok(by_age(today, &owed))
}

/// One taxpayer's sum in [`debtors_sql`].
#[derive(QueryableByName)]
struct Owing {
    #[diesel(sql_type = BigInt)]
    debtor: i64,
    #[diesel(sql_type = BigInt)]
    owes: i64,
}

/// The `n` largest sums owed on lines past due on `today`, by taxpayer (a merged record's
/// lines are its survivor's): what the lines were assessed, what approved adjustments
/// add and what valid receipts paid, as one stream summed once by taxpayer. The only
/// query written out in SQL: a sum over a union is what neither diesel's DSL nor a
/// line-by-line subquery (four times slower on PostgreSQL) does well. Its values are
/// a number and a date, written in as such: nothing typed by anyone goes in.
fn debtors_sql(commune: CommuneId, today: NaiveDate, n: i64) -> String {
    let c = commune.0;
    let line = "INNER JOIN rolls r ON r.id = a.roll_id \
                INNER JOIN taxpayers t ON t.id = a.taxpayer_id";
    let due = format!("a.commune_id = {c} AND r.status = 'issued' AND a.due_date < '{today}'");
    format!(
        "SELECT debtor, CAST(SUM(amount) AS BIGINT) AS owes FROM ( \
           SELECT COALESCE(t.merged_into, t.id) AS debtor, a.amount AS amount \
             FROM assessments a {line} WHERE {due} \
           UNION ALL \
           SELECT COALESCE(t.merged_into, t.id), j.amount \
             FROM adjustments j INNER JOIN assessments a ON a.id = j.assessment_id {line} \
             WHERE {due} AND j.status = 'approved' \
           UNION ALL \
           SELECT COALESCE(t.merged_into, t.id), -pa.amount \
             FROM payment_allocations pa INNER JOIN payments p ON p.id = pa.payment_id \
             INNER JOIN assessments a ON a.id = pa.assessment_id {line} \
             WHERE {due} AND p.status <> 'cancelled' \
         ) owing GROUP BY debtor ORDER BY owes DESC, debtor LIMIT {n}"
    )
}

/// A taxpayer who owes on lines past due.
#[derive(Debug, Clone, Serialize)]
pub struct Debtor {
    pub taxpayer: TaxpayerId,
    pub reference: String,
    pub name: String,
    pub district: Option<String>,
    /// Owed on lines past due, today.
    pub overdue: Xof,
}

/// The `n` taxpayers who owe most on lines past due today (records merged into a
/// taxpayer count as theirs), most first.
pub fn debtors(
    conn: &mut DbConn,
    commune: CommuneId,
    today: NaiveDate,
    n: i64,
) -> QueryResult<Vec<Debtor>> {
    let top: Vec<Owing> = diesel::sql_query(debtors_sql(commune, today, n)).load(conn)?;
    let top: Vec<(TaxpayerId, i64)> = top
        .into_iter()
        .map(|o| (TaxpayerId(o.debtor), o.owes))
        .collect();
    // When fewer than `n` owe anything, the others owe nothing.
    let top: Vec<(TaxpayerId, i64)> = top.into_iter().filter(|t| t.1 > 0).collect();
    let ids: Vec<TaxpayerId> = top.iter().map(|t| t.0).collect();
    let who: HashMap<TaxpayerId, (String, String, Option<DistrictId>)> = taxpayers::table
        .filter(taxpayers::id.eq_any(&ids))
        .select((
            taxpayers::id,
            taxpayers::reference,
            taxpayers::name,
            taxpayers::district_id,
        ))
        .load::<(TaxpayerId, String, String, Option<DistrictId>)>(conn)?
        .into_iter()
        .map(|(id, r, name, d)| (id, (r, name, d)))
        .collect();
    let names: HashMap<DistrictId, String> = districts::list(conn, commune)?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    Ok(top
        .into_iter()
        .map(|(taxpayer, overdue)| {
            let (reference, name, district) = who.get(&taxpayer).cloned().unwrap_or_default();
            Debtor {
                taxpayer,
                reference,
                name,
                district: district.and_then(|d| names.get(&d).cloned()),
                overdue: Xof(overdue),
            }
        })
        .collect())
}

/// Cash a collector received and has not handed over yet.
#[derive(Debug, Clone, Serialize)]
pub struct Undeposited {
    pub user: UserId,
    pub name: String,
    pub receipts: i64,
    pub amount: Xof,
    /// The date of the oldest such receipt.
    pub oldest: NaiveDate,
}

/// Cash receipts still `recorded` (not deposited, not cancelled), by collector, most
/// first.
pub fn undeposited(conn: &mut DbConn, commune: CommuneId) -> QueryResult<Vec<Undeposited>> {
    let rows: Vec<(UserId, i64, i64, Option<NaiveDate>)> = payments::table
        .filter(payments::commune_id.eq(commune))
        .filter(payments::method.eq(Method::Cash))
        .filter(payments::status.eq(Status::Recorded))
        .group_by(payments::received_by)
        .select((
            payments::received_by,
            count_star(),
            total("payments.amount"),
            min(payments::paid_on),
        ))
        .load(conn)?;
    let ids: Vec<UserId> = rows.iter().map(|r| r.0).collect();
    let names = users::names(conn, &ids)?;
    let mut out: Vec<Undeposited> = rows
        .into_iter()
        .map(|(user, receipts, amount, oldest)| Undeposited {
            user,
            name: names.get(&user).cloned().unwrap_or_default(),
            receipts,
            amount: Xof(amount),
            oldest: oldest.unwrap_or(NaiveDate::MIN),
        })
        .collect();
    out.sort_by(|a, b| (b.amount, &a.name).cmp(&(a.amount, &b.name)));
    Ok(out)
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
