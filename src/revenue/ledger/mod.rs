//! A taxpayer's ledger: every issued line (assessments and penalties), every adjustment
//! and payment, the balance, and the arrears year by year. Records merged into the
//! taxpayer count as theirs. [`of`] reads; [`fold`] computes, without the database.

mod fold;

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::method::{Method, Status};
use crate::db::schema::{
    adjustments, assessments, payment_allocations, payments, rolls, tax_types, taxable_items,
    taxpayers, users,
};
use crate::db::DbConn;
use crate::error::DomainResult;
use crate::ids::{AdjustmentId, AssessmentId, PaymentId, TaxpayerId};
use crate::money::Xof;

pub use fold::{fold, Totals};

/// An issued line as read.
#[derive(Debug, Clone, Queryable, Serialize, PartialEq, Eq)]
pub struct LineRow {
    pub id: AssessmentId,
    pub reference: String,
    pub kind: String,
    pub tax_code: String,
    pub tax_name_fr: String,
    pub tax_name_en: String,
    pub item_ref: Option<String>,
    pub fiscal_year: i64,
    pub period: String,
    pub amount: Xof,
    pub due_date: NaiveDate,
}

/// A line with what was adjusted, what was paid and what it still owes.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Line {
    #[serde(flatten)]
    pub row: LineRow,
    pub adjusted: Xof,
    pub paid: Xof,
    pub outstanding: Xof,
    pub overdue: bool,
}

/// A payment, as the account lists it.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct PaymentLine {
    pub id: PaymentId,
    pub receipt_number: String,
    pub amount: Xof,
    pub method: Method,
    pub method_reference: Option<String>,
    pub received_at: NaiveDateTime,
    pub received_by: String,
    pub status: Status,
}

#[derive(Debug, Clone, Queryable, Serialize)]
pub struct AdjustmentLine {
    pub id: AdjustmentId,
    pub line_reference: String,
    pub kind: String,
    pub amount: Xof,
    pub status: String,
    pub reason: String,
    pub requested_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct YearBalance {
    pub year: i64,
    pub assessed: Xof,
    pub penalties: Xof,
    pub adjusted: Xof,
    pub paid: Xof,
    pub outstanding: Xof,
    /// A past year with something still owed.
    pub arrears: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub lines: Vec<Line>,
    pub adjustments: Vec<AdjustmentLine>,
    pub payments: Vec<PaymentLine>,
    pub assessed: Xof,
    pub penalties: Xof,
    pub adjusted: Xof,
    pub paid: Xof,
    pub balance: Xof,
    pub arrears: Xof,
    pub years: Vec<YearBalance>,
}

/// The account as it stands on `today` (for what is overdue and what is arrears).
pub fn of(conn: &mut DbConn, taxpayer: TaxpayerId, today: NaiveDate) -> DomainResult<Account> {
    let (t, adjustments) = read(conn, taxpayer, today)?;
    let payments: Vec<PaymentLine> = payments::table
        .inner_join(users::table)
        .filter(
            payments::taxpayer_id.eq_any(
                taxpayers::table
                    .filter(owned_by(taxpayer))
                    .select(taxpayers::id.nullable()),
            ),
        )
        .order((payments::received_at.asc(), payments::id.asc()))
        .select((
            payments::id,
            payments::receipt_number,
            payments::amount,
            payments::method,
            payments::method_reference,
            payments::received_at,
            users::name,
            payments::status,
        ))
        .load(conn)?;
    Ok(Account {
        lines: t.lines,
        adjustments,
        payments,
        assessed: t.assessed,
        penalties: t.penalties,
        adjusted: t.adjusted,
        paid: t.paid,
        balance: t.balance,
        arrears: t.arrears,
        years: t.years,
    })
}

/// The lines and totals of the account, without its lists of payments and adjustments:
/// what a payment needs to know before it is spread over the lines.
pub fn totals(conn: &mut DbConn, taxpayer: TaxpayerId, today: NaiveDate) -> DomainResult<Totals> {
    Ok(read(conn, taxpayer, today)?.0)
}

/// The taxpayer and the records merged into them.
#[diesel::dsl::auto_type]
fn owned_by(taxpayer: TaxpayerId) -> _ {
    taxpayers::id
        .eq(taxpayer)
        .or(taxpayers::merged_into.eq(taxpayer))
}

/// The issued lines of the taxpayer and of the records merged into them (assessments
/// joined with their rolls). The owners are [`owned_by`] spelled out: an `auto_type`
/// function cannot call another.
#[diesel::dsl::auto_type]
fn issued_to(taxpayer: TaxpayerId) -> _ {
    assessments::taxpayer_id
        .eq_any(
            taxpayers::table
                .filter(
                    taxpayers::id
                        .eq(taxpayer)
                        .or(taxpayers::merged_into.eq(taxpayer)),
                )
                .select(taxpayers::id),
        )
        .and(rolls::status.eq("issued"))
}

/// The account's issued lines folded, and its adjustments. Each statement names the
/// taxpayer alone and finds the rest through subqueries, so that it is prepared once
/// per connection (a list of ids bound one by one would be a new statement each time).
fn read(
    conn: &mut DbConn,
    taxpayer: TaxpayerId,
    today: NaiveDate,
) -> DomainResult<(Totals, Vec<AdjustmentLine>)> {
    let rows: Vec<LineRow> = assessments::table
        .inner_join(rolls::table)
        .filter(issued_to(taxpayer))
        .inner_join(tax_types::table)
        .left_join(taxable_items::table)
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
    let adjustment_rows: Vec<(AdjustmentLine, AssessmentId)> = adjustments::table
        .inner_join(assessments::table.inner_join(rolls::table))
        .filter(issued_to(taxpayer))
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
    let approved = per_line(
        adjustment_rows
            .iter()
            .filter(|(a, _)| a.status == "approved")
            .map(|(a, line)| (*line, a.amount)),
    )?;
    // A cancelled receipt's payment counts for nothing: its amount is owed again.
    let paid = per_line(
        payment_allocations::table
            .inner_join(payments::table)
            .inner_join(assessments::table.inner_join(rolls::table))
            .filter(issued_to(taxpayer))
            .filter(payments::status.ne(Status::Cancelled))
            .select((
                payment_allocations::assessment_id,
                payment_allocations::amount,
            ))
            .load::<(AssessmentId, Xof)>(conn)?,
    )?;
    let t = fold(rows, &approved, &paid, today)?;
    Ok((t, adjustment_rows.into_iter().map(|(a, _)| a).collect()))
}

/// The sum of the amounts of each line; a sum that does not fit is refused.
fn per_line(
    amounts: impl IntoIterator<Item = (AssessmentId, Xof)>,
) -> Result<HashMap<AssessmentId, Xof>, crate::error::Refusal> {
    let mut sums: HashMap<AssessmentId, Xof> = HashMap::new();
    for (line, amount) in amounts {
        let sum = sums.entry(line).or_default();
        *sum = sum
            .checked_add(amount)
            .ok_or_else(|| crate::error::Refusal::new("ledger.too_large"))?;
    }
    Ok(sums)
}
