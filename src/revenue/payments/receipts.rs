//! Receipts as printed, and the collector's day sheet.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::Method;
use crate::db::schema::{assessments, payment_allocations, payments, taxpayers, users};
use crate::db::DbConn;
use crate::ids::{CommuneId, PaymentId, UserId};
use crate::money::Xof;

/// One receipt, as printed.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    pub id: PaymentId,
    pub receipt_number: String,
    pub amount: Xof,
    pub method: Method,
    pub method_reference: Option<String>,
    pub received_at: NaiveDateTime,
    pub received_by: String,
    pub taxpayer_ref: String,
    pub taxpayer_name: String,
    pub lines: Vec<ReceiptLine>,
}

#[derive(Debug, Clone, Queryable, Serialize)]
pub struct ReceiptLine {
    pub reference: String,
    pub kind: String,
    pub fiscal_year: i64,
    pub period: String,
    pub amount: Xof,
}

type ReceiptRow = (
    PaymentId,
    String,
    Xof,
    Method,
    Option<String>,
    NaiveDateTime,
    String,
    String,
    String,
);

/// A payment of `commune` with what it settled; `None` if there is no such payment here.
pub fn receipt(
    conn: &mut DbConn,
    commune: CommuneId,
    id: PaymentId,
) -> QueryResult<Option<Receipt>> {
    let row: Option<ReceiptRow> = payments::table
        .inner_join(users::table)
        .inner_join(taxpayers::table)
        .filter(payments::commune_id.eq(commune))
        .filter(payments::id.eq(id))
        .select((
            payments::id,
            payments::receipt_number,
            payments::amount,
            payments::method,
            payments::method_reference,
            payments::received_at,
            users::name,
            taxpayers::reference,
            taxpayers::name,
        ))
        .first(conn)
        .optional()?;
    let Some((id, receipt_number, amount, method, method_reference, at, by, tref, tname)) = row
    else {
        return Ok(None);
    };
    let lines = payment_allocations::table
        .inner_join(assessments::table)
        .filter(payment_allocations::payment_id.eq(id))
        .order(assessments::reference.asc())
        .select((
            assessments::reference,
            assessments::kind,
            assessments::fiscal_year,
            assessments::period,
            payment_allocations::amount,
        ))
        .load(conn)?;
    Ok(Some(Receipt {
        id,
        receipt_number,
        amount,
        method,
        method_reference,
        received_at: at,
        received_by: by,
        taxpayer_ref: tref,
        taxpayer_name: tname,
        lines,
    }))
}

/// A line of the collector's day sheet.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct Received {
    pub id: PaymentId,
    pub receipt_number: String,
    pub taxpayer_ref: String,
    pub taxpayer_name: String,
    pub amount: Xof,
    pub method: Method,
    pub received_at: NaiveDateTime,
}

/// What `user` received in `commune` since `since`, newest first: the sheet a collector
/// hands over with the cash.
pub fn received_by(
    conn: &mut DbConn,
    commune: CommuneId,
    user: UserId,
    since: NaiveDateTime,
) -> QueryResult<Vec<Received>> {
    payments::table
        .inner_join(taxpayers::table)
        .filter(payments::commune_id.eq(commune))
        .filter(payments::received_by.eq(user))
        .filter(payments::received_at.ge(since))
        .order((payments::received_at.desc(), payments::id.desc()))
        .select((
            payments::id,
            payments::receipt_number,
            taxpayers::reference,
            taxpayers::name,
            payments::amount,
            payments::method,
            payments::received_at,
        ))
        .load(conn)
}
