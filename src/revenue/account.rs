//! A taxpayer's account: every issued line (assessments and penalties), every
//! adjustment, the balance, and the arrears year by year. Records merged into the
//! taxpayer count as theirs.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::taxpayers;
use crate::db::schema::{adjustments, assessments, rolls, tax_types, taxable_items};
use crate::db::DbConn;
use crate::ids::{AdjustmentId, AssessmentId, TaxpayerId};

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
    pub outstanding: i64,
    pub due_date: NaiveDate,
    pub overdue: bool,
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
    pub outstanding: i64,
    /// A past year with something still owed.
    pub arrears: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub lines: Vec<Line>,
    pub adjustments: Vec<AdjustmentLine>,
    pub assessed: i64,
    pub penalties: i64,
    pub adjusted: i64,
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
                let outstanding = amount + adjusted;
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
        balance: years.iter().map(|y| y.outstanding).sum(),
        arrears: years
            .iter()
            .filter(|y| y.arrears)
            .map(|y| y.outstanding)
            .sum(),
        years,
        lines,
        adjustments: adjustment_rows.into_iter().map(|(a, _)| a).collect(),
    })
}
