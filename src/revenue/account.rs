//! A taxpayer's account: every issued line (assessments and penalties), every
//! adjustment and payment, the balance, and the arrears year by year. Records merged into the
//! taxpayer count as theirs.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::taxpayers;
use crate::db::schema::{
    adjustments, assessments, payment_allocations, payments, rolls, tax_types, taxable_items, users,
};
use crate::db::DbConn;
use crate::ids::{AdjustmentId, AssessmentId, PaymentId, TaxpayerId};

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub id: AssessmentId,
    pub reference: String,
    pub kind: String,
    pub tax_code: String,
    pub tax_name_fr: String,
    pub tax_name_en: String,
    pub item_ref: Option<String>,
    pub fiscal_year: i64,
    pub period: String,
    pub amount: i64,
    pub adjusted: i64,
    pub paid: i64,
    pub outstanding: i64,
    pub due_date: NaiveDate,
    pub overdue: bool,
}

/// A payment, as the account lists it.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct PaymentLine {
    pub id: PaymentId,
    pub receipt_number: String,
    pub amount: i64,
    pub method: String,
    pub method_reference: Option<String>,
    pub received_at: NaiveDateTime,
    pub received_by: String,
}

#[derive(Debug, Clone, Queryable, Serialize)]
pub struct AdjustmentLine {
    pub id: AdjustmentId,
    pub line_reference: String,
    pub kind: String,
    pub amount: i64,
    pub status: String,
    pub reason: String,
    pub requested_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct YearBalance {
    pub year: i64,
    pub assessed: i64,
    pub penalties: i64,
    pub adjusted: i64,
    pub paid: i64,
    pub outstanding: i64,
    /// A past year with something still owed.
    pub arrears: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub lines: Vec<Line>,
    pub adjustments: Vec<AdjustmentLine>,
    pub payments: Vec<PaymentLine>,
    pub assessed: i64,
    pub penalties: i64,
    pub adjusted: i64,
    pub paid: i64,
    pub balance: i64,
    pub arrears: i64,
    pub years: Vec<YearBalance>,
}

type Row = (
    AssessmentId,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    String,
    i64,
    NaiveDate,
);

/// The account as it stands on `today` (for what is overdue and what is arrears).
pub fn of(conn: &mut DbConn, taxpayer: TaxpayerId, today: NaiveDate) -> QueryResult<Account> {
    let owners = taxpayers::account_ids(conn, taxpayer)?;
    let rows: Vec<Row> = assessments::table
        .inner_join(rolls::table)
        .inner_join(tax_types::table)
        .left_join(taxable_items::table)
        .filter(assessments::taxpayer_id.eq_any(&owners))
        .filter(rolls::status.eq("issued"))
        .order((
            assessments::fiscal_year.asc(),
            assessments::due_date.asc(),
            assessments::reference.asc(),
        ))
        .select((
            assessments::id,
            assessments::reference,
            assessments::kind,
            tax_types::code,
            tax_types::name_fr,
            tax_types::name_en,
            taxable_items::reference.nullable(),
            assessments::fiscal_year,
            assessments::period,
            assessments::amount,
            assessments::due_date,
        ))
        .load(conn)?;
    let ids: Vec<AssessmentId> = rows.iter().map(|r| r.0).collect();
    let adjustment_rows: Vec<(AdjustmentLine, AssessmentId)> = adjustments::table
        .inner_join(assessments::table)
        .filter(adjustments::assessment_id.eq_any(&ids))
        .order(adjustments::requested_at.asc())
        .select((
            (
                adjustments::id,
                assessments::reference,
                adjustments::kind,
                adjustments::amount,
                adjustments::status,
                adjustments::reason,
                adjustments::requested_at,
                adjustments::decided_at,
            ),
            adjustments::assessment_id,
        ))
        .load(conn)?;
    let mut approved: HashMap<AssessmentId, i64> = HashMap::new();
    for (a, line) in &adjustment_rows {
        if a.status == "approved" {
            *approved.entry(*line).or_default() += a.amount;
        }
    }
    let mut paid_by_line: HashMap<AssessmentId, i64> = HashMap::new();
    for (line, amount) in payment_allocations::table
        .filter(payment_allocations::assessment_id.eq_any(&ids))
        .select((
            payment_allocations::assessment_id,
            payment_allocations::amount,
        ))
        .load::<(AssessmentId, i64)>(conn)?
    {
        *paid_by_line.entry(line).or_default() += amount;
    }
    let payments: Vec<PaymentLine> = payments::table
        .inner_join(users::table)
        .filter(payments::taxpayer_id.eq_any(&owners))
        .order((payments::received_at.asc(), payments::id.asc()))
        .select((
            payments::id,
            payments::receipt_number,
            payments::amount,
            payments::method,
            payments::method_reference,
            payments::received_at,
            users::name,
        ))
        .load(conn)?;
    let this_year = i64::from(chrono::Datelike::year(&today));
    let mut years: BTreeMap<i64, YearBalance> = BTreeMap::new();
    let lines: Vec<Line> = rows
        .into_iter()
        .map(
            |(
                id,
                reference,
                kind,
                tax_code,
                tax_name_fr,
                tax_name_en,
                item_ref,
                fiscal_year,
                period,
                amount,
                due_date,
            )| {
                let adjusted = approved.get(&id).copied().unwrap_or(0);
                let paid = paid_by_line.get(&id).copied().unwrap_or(0);
                let outstanding = amount + adjusted - paid;
                let y = years.entry(fiscal_year).or_insert_with(|| YearBalance {
                    year: fiscal_year,
                    ..Default::default()
                });
                if kind == "penalty" {
                    y.penalties += amount;
                } else {
                    y.assessed += amount;
                }
                y.adjusted += adjusted;
                y.paid += paid;
                y.outstanding += outstanding;
                Line {
                    id,
                    reference,
                    kind,
                    tax_code,
                    tax_name_fr,
                    tax_name_en,
                    item_ref,
                    fiscal_year,
                    period,
                    amount,
                    adjusted,
                    paid,
                    outstanding,
                    due_date,
                    overdue: outstanding > 0 && due_date < today,
                }
            },
        )
        .collect();
    let mut years: Vec<YearBalance> = years.into_values().collect();
    for y in &mut years {
        y.arrears = y.year < this_year && y.outstanding > 0;
    }
    Ok(Account {
        assessed: years.iter().map(|y| y.assessed).sum(),
        penalties: years.iter().map(|y| y.penalties).sum(),
        adjusted: years.iter().map(|y| y.adjusted).sum(),
        paid: years.iter().map(|y| y.paid).sum(),
        balance: years.iter().map(|y| y.outstanding).sum(),
        arrears: years
            .iter()
            .filter(|y| y.arrears)
            .map(|y| y.outstanding)
            .sum(),
        years,
        lines,
        adjustments: adjustment_rows.into_iter().map(|(a, _)| a).collect(),
        payments,
    })
}
