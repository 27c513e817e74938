//! Every receipt of a year (payments and market tickets, cancelled ones included) to CSV,
//! streamed page by page in receipt order: what was paid, how, where it stands, its
//! verification code, who received it and the cash-up and deposit that hold it.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{
    assessments, cashups, payment_allocations, payments, tax_types, taxpayers, users,
};
use crate::db::DbConn;
use crate::ids::{CashupId, CommuneId, PaymentId};
use crate::money::Xof;
use crate::revenue::payments::{code, Channel, Method, Status};
use crate::tabular::write::CsvWriter;

const PAGE: i64 = 5_000;

pub const HEADER: &[&str] = &[
    "receipt_number",
    "paid_on",
    "recorded_at",
    "taxpayer_ref",
    "payer",
    "taxes",
    "amount",
    "method",
    "reference",
    "channel",
    "status",
    "verification_code",
    "collector",
    "cashup",
    "deposit",
];

type Row = (
    (
        PaymentId,
        i64,
        String,
        NaiveDate,
        NaiveDateTime,
        Option<String>,
        Option<String>,
        Option<String>,
    ),
    (
        Xof,
        Method,
        Option<String>,
        Channel,
        Status,
        Option<String>,
        String,
        Option<CashupId>,
        Option<String>,
        Option<String>,
    ),
);

/// Writes the receipts of `year` (the year of their number); returns how many.
pub fn payments(
    conn: &mut DbConn,
    commune: CommuneId,
    year: i64,
    out: impl Write,
) -> anyhow::Result<u64> {
    let mut w = CsvWriter::new(out, HEADER)?;
    // Through the unique index on (commune, year, seq): each page starts where the last
    // one ended.
    let mut after = 0i64;
    loop {
        let page: Vec<Row> = payments::table
            .left_join(taxpayers::table)
            .inner_join(users::table)
            .left_join(cashups::table)
            .left_join(tax_types::table)
            .filter(payments::commune_id.eq(commune))
            .filter(payments::receipt_year.eq(year))
            .filter(payments::receipt_seq.gt(after))
            .order(payments::receipt_seq.asc())
            .limit(PAGE)
            .select((
                (
                    payments::id,
                    payments::receipt_seq,
                    payments::receipt_number,
                    payments::paid_on,
                    payments::received_at,
                    taxpayers::reference.nullable(),
                    taxpayers::name.nullable(),
                    payments::payer,
                ),
                (
                    payments::amount,
                    payments::method,
                    payments::method_reference,
                    payments::channel,
                    payments::status,
                    payments::verification_code,
                    users::name,
                    payments::cashup_id,
                    cashups::deposit_number.nullable(),
                    tax_types::code.nullable(),
                ),
            ))
            .load(conn)?;
        let Some(last) = page.last() else { break };
        after = last.0 .1;
        let ids: Vec<PaymentId> = page.iter().map(|r| r.0 .0).collect();
        let mut taxes: BTreeMap<PaymentId, BTreeSet<String>> = BTreeMap::new();
        let settled: Vec<(PaymentId, String)> = payment_allocations::table
            .inner_join(assessments::table.inner_join(tax_types::table))
            .filter(payment_allocations::payment_id.eq_any(&ids))
            .select((payment_allocations::payment_id, tax_types::code))
            .load(conn)?;
        for (id, tax) in settled {
            taxes.entry(id).or_default().insert(tax);
        }
        for ((id, _, number, paid_on, at, tref, tname, payer), rest) in page {
            let (amount, method, reference, channel, status, vcode, by, cashup, deposit, fee) =
                rest;
            let taxes = fee
                .into_iter()
                .chain(taxes.remove(&id).unwrap_or_default())
                .collect::<Vec<_>>()
                .join("+");
            w.row([
                number,
                paid_on.to_string(),
                at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                tref.unwrap_or_default(),
                tname.or(payer).unwrap_or_default(),
                taxes,
                amount.0.to_string(),
                method.to_string(),
                reference.unwrap_or_default(),
                channel.to_string(),
                status.to_string(),
                vcode.as_deref().map(code::display).unwrap_or_default(),
                by,
                cashup.map(|c| c.0.to_string()).unwrap_or_default(),
                deposit.unwrap_or_default(),
            ])?;
        }
    }
    Ok(w.finish()?)
}
