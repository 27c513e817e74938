//! Penalties for late payment, applied by each tax type's rule to issued lines that are
//! past due (plus grace) and were not paid in time ([`assess::owed_at_deadline`]). A
//! line gets at most one penalty (a unique index guarantees it), so applying twice
//! charges nothing twice.
//!
//! Charging cannot be undone but by adjustments, so it goes in two steps: [`due`] says
//! which lines would be charged and how much, and [`apply`] charges them if that is
//! still what is due.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{exists, not, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use serde::Serialize;

use super::assess;
use super::tax_types::TaxType;
use crate::audit::{self, Actor, Event};
use crate::communes::Commune;
use crate::db::schema::{
    adjustments, assessments, payment_allocations, payments, rolls, tax_types, taxpayers,
};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{AssessmentId, CommuneId, ItemId, RollId, TaxTypeId, TaxpayerId};
use crate::money::Xof;
use crate::revenue::Seen;

diesel::alias!(assessments as penalty_lines: PenaltyLines);

/// A penalty to charge on one line.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Charge {
    pub line: AssessmentId,
    pub reference: String,
    pub taxpayer_ref: String,
    pub taxpayer_name: String,
    pub tax_code: String,
    pub due_date: NaiveDate,
    /// What was still owed when the grace period ended.
    pub owed: Xof,
    pub amount: Xof,
    #[serde(skip)]
    target: Target,
}

/// Where the penalty line goes: the line's roll, taxpayer, item, tax and period.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    roll: RollId,
    taxpayer: TaxpayerId,
    item: Option<ItemId>,
    tax: TaxTypeId,
    year: i64,
    period: String,
}

/// The penalties due on a date: how many lines, how much, and the lines.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Due {
    pub lines: i64,
    pub total: Xof,
    pub charges: Vec<Charge>,
}

type Candidate = (
    (AssessmentId, RollId, TaxpayerId, Option<ItemId>, TaxTypeId),
    (i64, String, Xof, NaiveDate, String),
    (String, String),
);

const BATCH: i64 = 2_000;

/// The penalties owed on `as_of` and not charged yet, in line order. A date after the
/// commune's today is refused: a penalty charged ahead of time could not be charged
/// again when it is due.
pub fn due(conn: &mut DbConn, commune: &Commune, as_of: NaiveDate) -> DomainResult<Due> {
    if as_of > commune.today() {
        return Err(Refusal::new("finance.penalties.future").on("date").into());
    }
    let rules: HashMap<TaxTypeId, (String, assess::PenaltyRule)> = tax_types::table
        .filter(tax_types::commune_id.eq(commune.id))
        .select(TaxType::as_select())
        .load::<TaxType>(conn)?
        .into_iter()
        .map(|t| (t.id, (t.code.clone(), t.penalty_rule())))
        .collect();
    let mut out = Due::default();
    // Lines in reference order, through the unique index on (commune, reference).
    let mut after = String::new();
    loop {
        let batch = candidates(conn, commune.id, as_of, &after)?;
        let Some(last) = batch.last() else { break };
        after = last.1 .4.clone();
        let ids: Vec<AssessmentId> = batch.iter().map(|c| c.0 .0).collect();
        let adjusted = adjusted(conn, &ids)?;
        let paid = paid_on(conn, &ids)?;
        for ((id, roll, taxpayer, item, tax), (year, period, amount, due, reference), who) in batch
        {
            let Some((tax_code, rule)) = rules.get(&tax) else {
                continue;
            };
            let owed = assess::owed_at_deadline(
                amount.0 + adjusted.get(&id).copied().unwrap_or(0),
                paid.get(&id).map(Vec::as_slice).unwrap_or(&[]),
                due,
                rule,
            );
            let p = assess::penalty(rule, owed, due, as_of);
            if p.0 <= 0 {
                continue;
            }
            out.lines += 1;
            out.total = out
                .total
                .checked_add(p)
                .ok_or_else(|| Refusal::new("ledger.too_large"))?;
            out.charges.push(Charge {
                line: id,
                reference,
                taxpayer_ref: who.0,
                taxpayer_name: who.1,
                tax_code: tax_code.clone(),
                due_date: due,
                owed,
                amount: p,
                target: Target {
                    roll,
                    taxpayer,
                    item,
                    tax,
                    year,
                    period,
                },
            });
        }
    }
    Ok(out)
}

/// Charges the penalties owed on `as_of`, if they are still what the officer saw.
pub fn apply(
    conn: &mut DbConn,
    commune: &Commune,
    as_of: NaiveDate,
    seen: Seen,
    actor: &Actor,
) -> DomainResult<Due> {
    crate::communes::lock(conn, commune.id)?;
    let due = due(conn, commune, as_of)?;
    if (due.lines, due.total) != (seen.lines, seen.total) {
        return Err(Refusal::new("finance.penalties.changed").into());
    }
    if due.lines == 0 {
        return Ok(due);
    }
    let at: NaiveDateTime = crate::db::now();
    for chunk in due.charges.chunks(BATCH as usize) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|c| {
                (
                    assessments::commune_id.eq(commune.id),
                    assessments::roll_id.eq(c.target.roll),
                    assessments::taxpayer_id.eq(c.target.taxpayer),
                    assessments::item_id.eq(c.target.item),
                    assessments::tax_type_id.eq(c.target.tax),
                    assessments::kind.eq("penalty"),
                    assessments::parent_id.eq(Some(c.line)),
                    assessments::fiscal_year.eq(c.target.year),
                    assessments::period.eq(&c.target.period),
                    assessments::amount.eq(c.amount),
                    assessments::due_date.eq(as_of),
                    assessments::reference.eq(format!("{}-P", c.reference)),
                    assessments::created_at.eq(at),
                )
            })
            .collect();
        crate::on_inner!(conn, c => diesel::insert_into(assessments::table).values(&rows).execute(c))?;
    }
    let lines: Vec<&str> = due.charges.iter().map(|c| c.reference.as_str()).collect();
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("penalty.apply", "commune", commune.id).details(serde_json::json!({
            "as_of": as_of.to_string(), "lines": due.lines, "total": due.total,
            "references": lines,
        })),
    )?;
    Ok(due)
}

/// Issued principal lines past due on `as_of` with no penalty yet, after `after`.
fn candidates(
    conn: &mut DbConn,
    commune: CommuneId,
    as_of: NaiveDate,
    after: &str,
) -> QueryResult<Vec<Candidate>> {
    assessments::table
        .inner_join(rolls::table)
        .inner_join(taxpayers::table)
        .filter(assessments::commune_id.eq(commune))
        .filter(assessments::kind.eq("principal"))
        .filter(rolls::status.eq("issued"))
        .filter(assessments::due_date.lt(as_of))
        .filter(assessments::reference.gt(after))
        .filter(not(exists(
            penalty_lines.filter(
                penalty_lines
                    .field(assessments::parent_id)
                    .eq(assessments::id.nullable()),
            ),
        )))
        .order(assessments::reference.asc())
        .limit(BATCH)
        .select((
            (
                assessments::id,
                assessments::roll_id,
                assessments::taxpayer_id,
                assessments::item_id,
                assessments::tax_type_id,
            ),
            (
                assessments::fiscal_year,
                assessments::period,
                assessments::amount,
                assessments::due_date,
                assessments::reference,
            ),
            (taxpayers::reference, taxpayers::name),
        ))
        .load(conn)
}

/// The approved adjustments of each line.
fn adjusted(conn: &mut DbConn, ids: &[AssessmentId]) -> QueryResult<HashMap<AssessmentId, i64>> {
    Ok(adjustments::table
        .filter(adjustments::assessment_id.eq_any(ids))
        .filter(adjustments::status.eq("approved"))
        .group_by(adjustments::assessment_id)
        .select((
            adjustments::assessment_id,
            sql::<Nullable<BigInt>>("CAST(SUM(adjustments.amount) AS BIGINT)"),
        ))
        .load::<(AssessmentId, Option<i64>)>(conn)?
        .into_iter()
        .map(|(id, s)| (id, s.unwrap_or(0)))
        .collect())
}

/// What was paid on each line, by day.
fn paid_on(
    conn: &mut DbConn,
    ids: &[AssessmentId],
) -> QueryResult<HashMap<AssessmentId, Vec<(NaiveDate, i64)>>> {
    let mut paid: HashMap<AssessmentId, Vec<(NaiveDate, i64)>> = HashMap::new();
    for (line, amount, at) in payment_allocations::table
        .inner_join(payments::table)
        .filter(payment_allocations::assessment_id.eq_any(ids))
        .filter(payments::status.ne(super::method::Status::Cancelled))
        .select((
            payment_allocations::assessment_id,
            payment_allocations::amount,
            payments::paid_on,
        ))
        .load::<(AssessmentId, i64, NaiveDate)>(conn)?
    {
        paid.entry(line).or_default().push((at, amount));
    }
    Ok(paid)
}
