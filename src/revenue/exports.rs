//! Exports back to CSV (UTF-8, comma), streamed page by page: the taxpayer register in
//! the import's own columns (so that an export can be edited and re-imported with
//! `--update`), and a roll with every line.

use std::io::Write;

use diesel::prelude::*;

use super::imports::{TAXPAYER_COLUMNS, TAXPAYER_OPTIONAL};
use super::rolls::{self, Roll};
use crate::communes::districts;
use crate::db::schema::taxpayers;
use crate::db::DbConn;
use crate::ids::{CommuneId, DistrictId, TaxpayerId};
use crate::tabular::write::CsvWriter;

const PAGE: i64 = 5_000;

/// Micro-degrees as decimal degrees: `14693700` → `14.693700`.
pub fn degrees(e6: i64) -> String {
    let sign = if e6 < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:06}",
        e6.unsigned_abs() / 1_000_000,
        e6.unsigned_abs() % 1_000_000
    )
}

type TaxpayerRow = (
    TaxpayerId,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<DistrictId>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

/// Writes the register (merged records left out); returns the number of rows.
pub fn taxpayers(conn: &mut DbConn, commune: CommuneId, out: impl Write) -> anyhow::Result<u64> {
    let names: std::collections::HashMap<_, _> = districts::list(conn, commune)?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let header = [TAXPAYER_COLUMNS, TAXPAYER_OPTIONAL].concat();
    let mut w = CsvWriter::new(out, &header)?;
    // In reference order, through the unique index on (commune, reference): each page
    // starts where the last one ended, however large the register.
    let mut after = String::new();
    loop {
        let page: Vec<TaxpayerRow> = taxpayers::table
            .filter(taxpayers::commune_id.eq(commune))
            .filter(taxpayers::reference.gt(&after))
            .filter(taxpayers::merged_into.is_null())
            .order(taxpayers::reference.asc())
            .limit(PAGE)
            .select((
                taxpayers::id,
                taxpayers::reference,
                taxpayers::name,
                taxpayers::kind,
                taxpayers::phone,
                taxpayers::email,
                taxpayers::id_number,
                taxpayers::district_id,
                taxpayers::address,
                taxpayers::lat_e6,
                taxpayers::lon_e6,
            ))
            .load(conn)?;
        let Some(last) = page.last() else { break };
        after = last.1.clone();
        for (_, reference, name, kind, phone, email, id_number, district, address, lat, lon) in page
        {
            let district = district
                .and_then(|d| names.get(&d).cloned())
                .unwrap_or_default();
            let gps = match (lat, lon) {
                (Some(lat), Some(lon)) => format!("{},{}", degrees(lat), degrees(lon)),
                _ => String::new(),
            };
            let record = [
                reference,
                name,
                kind,
                district,
                phone.unwrap_or_default(),
                email.unwrap_or_default(),
                id_number.unwrap_or_default(),
                address.unwrap_or_default(),
                gps,
            ];
            w.row(record)?;
        }
    }
    Ok(w.finish()?)
}

/// Writes every line of a roll, in reference order.
pub fn roll(conn: &mut DbConn, roll: &Roll, out: impl Write) -> anyhow::Result<u64> {
    let mut w = CsvWriter::new(
        out,
        &[
            "reference",
            "taxpayer_ref",
            "taxpayer_name",
            "item_ref",
            "period",
            "base",
            "rate_percent",
            "amount",
            "due_date",
        ],
    )?;
    let mut after = String::new();
    loop {
        let page = rolls::lines(conn, roll.id, &after, PAGE)?;
        let Some(last) = page.last() else { break };
        after = last.reference.clone();
        for l in page {
            w.row([
                l.reference,
                l.taxpayer_ref,
                l.taxpayer_name,
                l.item_ref.unwrap_or_default(),
                l.period,
                l.base.map(|b| b.0.to_string()).unwrap_or_default(),
                l.rate_bp
                    .map(|r| format!("{}.{:02}", r / 100, r % 100))
                    .unwrap_or_default(),
                l.amount.0.to_string(),
                l.due_date.to_string(),
            ])?;
        }
    }
    Ok(w.finish()?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn micro_degrees_print_as_decimal_degrees() {
        assert_eq!(super::degrees(14_693_700), "14.693700");
        assert_eq!(super::degrees(-17_444_100), "-17.444100");
        assert_eq!(super::degrees(-5), "-0.000005");
    }
}
