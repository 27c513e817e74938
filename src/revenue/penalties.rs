//! Penalties for late payment, applied by each tax type's rule to issued lines that are
//! past due (plus grace) and were not paid in time ([`assess::owed_at_deadline`]). A line gets at most one penalty (a unique
//! index guarantees it), so applying twice charges nothing twice.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{exists, not, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use serde::Serialize;

use super::assess;
use super::tax_types::TaxType;
use crate::audit::{self, Actor, Event};
use crate::db::schema::{
    adjustments, assessments, payment_allocations, payments, rolls, tax_types,
};
use crate::db::DbConn;
use crate::ids::{AssessmentId, CommuneId, ItemId, RollId, TaxTypeId, TaxpayerId};

diesel::alias!(assessments as penalty_lines: PenaltyLines);

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Applied {
    pub lines: i64,
    pub total: i64,
}

type Candidate = (
    AssessmentId,
    RollId,
    TaxpayerId,
    Option<ItemId>,
    TaxTypeId,
    i64,
    String,
    i64,
    NaiveDate,
    String,
);

const BATCH: i64 = 2_000;

/// Charges the penalties owed on `as_of`.
pub fn apply(
    conn: &mut DbConn,
    commune: CommuneId,
    as_of: NaiveDate,
    actor: &Actor,
) -> QueryResult<Applied> {
    crate::communes::lock(conn, commune)?;
    let rules: HashMap<TaxTypeId, assess::PenaltyRule> = tax_types::table
        .filter(tax_types::commune_id.eq(commune))
        .select(TaxType::as_select())
        .load::<TaxType>(conn)?
        .into_iter()
        .map(|t| (t.id, t.penalty_rule()))
        .collect();
    let at: NaiveDateTime = crate::db::now();
    let mut applied = Applied::default();
    // Lines in reference order, through the unique index on (commune, reference).
    let mut after = String::new();
    loop {
        let batch: Vec<Candidate> = assessments::table
            .inner_join(rolls::table)
            .filter(assessments::commune_id.eq(commune))
            .filter(assessments::kind.eq("principal"))
            .filter(rolls::status.eq("issued"))
            .filter(assessments::due_date.lt(as_of))
            .filter(assessments::reference.gt(&after))
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
                assessments::id,
                assessments::roll_id,
                assessments::taxpayer_id,
                assessments::item_id,
                assessments::tax_type_id,
                assessments::fiscal_year,
                assessments::period,
                assessments::amount,
                assessments::due_date,
                assessments::reference,
            ))
            .load(conn)?;
        let Some(last) = batch.last() else { break };
        after = last.9.clone();
        let ids: Vec<AssessmentId> = batch.iter().map(|c| c.0).collect();
        let adjusted: HashMap<AssessmentId, i64> = adjustments::table
            .filter(adjustments::assessment_id.eq_any(&ids))
            .filter(adjustments::status.eq("approved"))
            .group_by(adjustments::assessment_id)
            .select((
                adjustments::assessment_id,
                sql::<Nullable<BigInt>>("CAST(SUM(adjustments.amount) AS BIGINT)"),
            ))
            .load::<(AssessmentId, Option<i64>)>(conn)?
            .into_iter()
            .map(|(id, s)| (id, s.unwrap_or(0)))
            .collect();
        let mut paid: HashMap<AssessmentId, Vec<(NaiveDate, i64)>> = HashMap::new();
        for (line, amount, at) in payment_allocations::table
            .inner_join(payments::table)
            .filter(payment_allocations::assessment_id.eq_any(&ids))
            .select((
                payment_allocations::assessment_id,
                payment_allocations::amount,
                payments::received_at,
            ))
            .load::<(AssessmentId, i64, NaiveDateTime)>(conn)?
        {
            paid.entry(line).or_default().push((at.date(), amount));
        }
        let mut rows = Vec::new();
        for (id, roll, taxpayer, item, tax, year, period, amount, due, reference) in batch {
            let Some(rule) = rules.get(&tax) else {
                continue;
            };
            let owed = assess::owed_at_deadline(
                amount + adjusted.get(&id).copied().unwrap_or(0),
                paid.get(&id).map(Vec::as_slice).unwrap_or(&[]),
                due,
                rule,
            );
            let p = assess::penalty(rule, owed, due, as_of);
            if p.0 <= 0 {
                continue;
            }
            applied.lines += 1;
            applied.total += p.0;
            rows.push((
                assessments::commune_id.eq(commune),
                assessments::roll_id.eq(roll),
                assessments::taxpayer_id.eq(taxpayer),
                assessments::item_id.eq(item),
                assessments::tax_type_id.eq(tax),
                assessments::kind.eq("penalty"),
                assessments::parent_id.eq(Some(id)),
                assessments::fiscal_year.eq(year),
                assessments::period.eq(period),
                assessments::amount.eq(p.0),
                assessments::due_date.eq(as_of),
                assessments::reference.eq(format!("{reference}-P")),
                assessments::created_at.eq(at),
            ));
        }
        if !rows.is_empty() {
            crate::on_inner!(conn, c => diesel::insert_into(assessments::table).values(&rows).execute(c))?;
        }
    }
    if applied.lines > 0 {
        audit::append(
            conn,
            commune,
            actor,
            Event::new("penalty.apply", "commune", commune).details(serde_json::json!({
                "as_of": as_of.to_string(), "lines": applied.lines, "total": applied.total,
            })),
        )?;
    }
    Ok(applied)
}
