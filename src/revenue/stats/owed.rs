//! What is owed: the arrears by age and the largest debtors, as they stand today, on
//! every year's lines.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde::Serialize;

use super::{by_age, counted, lines_past_due, total, Age};
use crate::communes::districts;
use crate::db::schema::{
    adjustments, assessments, payment_allocations, payments, rolls, taxpayers,
};
use crate::db::DbConn;
use crate::ids::{CommuneId, DistrictId, TaxpayerId};
use crate::money::Xof;

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
