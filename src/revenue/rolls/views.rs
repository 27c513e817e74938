//! What pages and exports read of rolls: the list, the totals by district, the lines.

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use serde::Serialize;

use super::Roll;
use crate::db::schema::{assessments, rolls, tax_types as tt, taxable_items, taxpayers};
use crate::db::DbConn;
use crate::ids::{CommuneId, DistrictId, RollId};
use crate::money::Xof;

/// A roll in the list, with its tax.
#[derive(Debug, Clone, Serialize)]
pub struct RollSummary {
    #[serde(flatten)]
    pub roll: Roll,
    pub tax_code: String,
    pub tax_name_fr: String,
    pub tax_name_en: String,
}

pub fn list(conn: &mut DbConn, commune: CommuneId) -> QueryResult<Vec<RollSummary>> {
    let rows: Vec<(Roll, String, String, String)> = rolls::table
        .inner_join(tt::table)
        .filter(rolls::commune_id.eq(commune))
        .order((rolls::fiscal_year.desc(), tt::code.asc()))
        .select((Roll::as_select(), tt::code, tt::name_fr, tt::name_en))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(roll, tax_code, tax_name_fr, tax_name_en)| RollSummary {
            roll,
            tax_code,
            tax_name_fr,
            tax_name_en,
        })
        .collect())
}

/// Lines and amounts of a roll by district of the taxpayer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DistrictTotal {
    pub district: Option<String>,
    pub lines: i64,
    pub total: Xof,
}

pub fn totals_by_district(
    conn: &mut DbConn,
    commune: CommuneId,
    roll: RollId,
) -> QueryResult<Vec<DistrictTotal>> {
    let rows: Vec<(Option<DistrictId>, i64, Option<i64>)> = assessments::table
        .inner_join(taxpayers::table)
        .filter(assessments::roll_id.eq(roll))
        .filter(assessments::kind.eq("principal"))
        .group_by(taxpayers::district_id)
        .select((
            taxpayers::district_id,
            diesel::dsl::count_star(),
            sql::<Nullable<BigInt>>("CAST(SUM(assessments.amount) AS BIGINT)"),
        ))
        .load(conn)?;
    let names: std::collections::HashMap<DistrictId, String> =
        crate::communes::districts::list(conn, commune)?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
    let mut totals: Vec<DistrictTotal> = rows
        .into_iter()
        .map(|(d, lines, total)| DistrictTotal {
            district: d.and_then(|d| names.get(&d).cloned()),
            lines,
            total: Xof(total.unwrap_or(0)),
        })
        .collect();
    totals.sort_by(|a, b| a.district.cmp(&b.district));
    Ok(totals)
}

/// A line of a roll as pages and exports show it.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct LineRow {
    pub reference: String,
    pub taxpayer_ref: String,
    pub taxpayer_name: String,
    pub item_ref: Option<String>,
    pub period: String,
    pub base: Option<Xof>,
    pub rate_bp: Option<i64>,
    pub amount: Xof,
    pub due_date: NaiveDate,
}

/// Lines of a roll in reference order, after `after` (keyset paging).
pub fn lines(
    conn: &mut DbConn,
    roll: RollId,
    after: &str,
    limit: i64,
) -> QueryResult<Vec<LineRow>> {
    assessments::table
        .inner_join(taxpayers::table)
        .left_join(taxable_items::table)
        .filter(assessments::roll_id.eq(roll))
        .filter(assessments::kind.eq("principal"))
        .filter(assessments::reference.gt(after))
        .order(assessments::reference.asc())
        .limit(limit)
        .select((
            assessments::reference,
            taxpayers::reference,
            taxpayers::name,
            taxable_items::reference.nullable(),
            assessments::period,
            assessments::base,
            assessments::rate_bp,
            assessments::amount,
            assessments::due_date,
        ))
        .load(conn)
}
