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

/// The own-source revenue collected in a fiscal year: every payment recorded at the
/// counter whose receipt is of that year, for the whole commune or for the taxpayers of
/// one district. (State transfers are not own-source revenue and never pass the
/// counter.)
pub fn own_source(
    conn: &mut DbConn,
    commune: CommuneId,
    year: i64,
    district: Option<DistrictId>,
) -> QueryResult<Xof> {
    let total = sql::<BigInt>("CAST(COALESCE(SUM(payments.amount), 0) AS BIGINT)");
    let base = payments::table
        .inner_join(taxpayers::table)
        .filter(payments::commune_id.eq(commune))
        .filter(payments::receipt_year.eq(year));
    let sum: i64 = match district {
        Some(d) => base
            .filter(taxpayers::district_id.eq(d))
            .select(total)
            .get_result(conn)?,
        None => base.select(total).get_result(conn)?,
    };
    Ok(Xof(sum))
}
