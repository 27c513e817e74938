//! What the commune collected: the one figure other domains ask Revenue for (the
//! participatory-budgeting envelope, the budget's execution), so that they never read
//! Revenue's tables.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::db::schema::{payments, taxpayers};
use crate::db::DbConn;
use crate::ids::{CommuneId, DistrictId};
use crate::money::Xof;

/// The own-source revenue collected in a fiscal year: every valid receipt of that year
/// (payments and market tickets; a cancelled receipt counts for nothing), for the whole
/// commune or for the taxpayers of one district (a ticket without a register entry
/// counts for the commune only). State transfers are not own-source revenue and never
/// pass the counter.
pub fn own_source(
    conn: &mut DbConn,
    commune: CommuneId,
    year: i64,
    district: Option<DistrictId>,
) -> QueryResult<Xof> {
    let total = sql::<BigInt>("CAST(COALESCE(SUM(payments.amount), 0) AS BIGINT)");
    let base = payments::table
        .left_join(taxpayers::table)
        .filter(payments::commune_id.eq(commune))
        .filter(payments::receipt_year.eq(year))
        .filter(payments::status.ne(super::method::Status::Cancelled));
    let sum: i64 = match district {
        Some(d) => base
            .filter(taxpayers::district_id.eq(Some(d)))
            .select(total)
            .get_result(conn)?,
        None => base.select(total).get_result(conn)?,
    };
    Ok(Xof(sum))
}

/// What was collected in a fiscal year on each budget line, from the valid payments and
/// the lines of the bills they paid, and from the market tickets of each fee:
/// `(line code, amount)`, by code.
/// The line code is the first word of the tax type's budget line ("7011 Contribution
/// foncière…" is `7011`); penalties count on their tax's line.
pub fn by_budget_line(
    conn: &mut DbConn,
    commune: CommuneId,
    year: i64,
) -> QueryResult<Vec<(String, Xof)>> {
    use crate::db::schema::{assessments, payment_allocations, tax_types};
    let rows: Vec<(String, i64)> = payment_allocations::table
        .inner_join(payments::table)
        .inner_join(assessments::table.inner_join(tax_types::table))
        .filter(payments::commune_id.eq(commune))
        .filter(payments::receipt_year.eq(year))
        .filter(payments::status.ne(super::method::Status::Cancelled))
        .group_by(tax_types::budget_line)
        .select((
            tax_types::budget_line,
            sql::<BigInt>("CAST(SUM(payment_allocations.amount) AS BIGINT)"),
        ))
        .load(conn)?;
    let tickets: Vec<(String, i64)> = payments::table
        .inner_join(tax_types::table)
        .filter(payments::commune_id.eq(commune))
        .filter(payments::receipt_year.eq(year))
        .filter(payments::status.ne(super::method::Status::Cancelled))
        .group_by(tax_types::budget_line)
        .select((
            tax_types::budget_line,
            sql::<BigInt>("CAST(SUM(payments.amount) AS BIGINT)"),
        ))
        .load(conn)?;
    let mut out: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
    for (line, amount) in rows.into_iter().chain(tickets) {
        let code = line.split_whitespace().next().unwrap_or("").to_string();
        *out.entry(code).or_default() += amount;
    }
    Ok(out.into_iter().map(|(c, a)| (c, Xof(a))).collect())
}
