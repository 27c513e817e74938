//! Receipts as printed, and the collector's day sheet.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::{Channel, Method, Status};
use crate::db::schema::{assessments, payment_allocations, payments, tax_types, taxpayers, users};
use crate::db::DbConn;
use crate::ids::{CommuneId, PaymentId, TaxTypeId, TaxpayerId, UserId};
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
    /// The register entry; a ticket may have none.
    pub taxpayer_id: Option<TaxpayerId>,
    pub taxpayer_ref: Option<String>,
    pub taxpayer_name: Option<String>,
    /// A ticket's stall or trader, as written.
    pub payer: Option<String>,
    /// A ticket's fee: code, French and English names.
    pub ticket_tax: Option<(String, String, String)>,
    pub paid_on: chrono::NaiveDate,
    pub channel: Channel,
    pub status: Status,
    /// Without dashes; empty for a payment recorded before codes existed.
    pub verification_code: String,
    pub lines: Vec<ReceiptLine>,
}

/// A line a payment settled, with its tax's code and names (a receipt names the tax,
/// not only a line's code).
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct ReceiptLine {
    pub reference: String,
    pub kind: String,
    pub fiscal_year: i64,
    pub period: String,
    pub amount: Xof,
    pub tax_code: String,
    pub tax_name_fr: String,
    pub tax_name_en: String,
}

type ReceiptRow = (
    (
        PaymentId,
        String,
        Xof,
        Method,
        Option<String>,
        NaiveDateTime,
        String,
        Option<TaxpayerId>,
        Option<String>,
        Option<String>,
    ),
    (
        Option<String>,
        chrono::NaiveDate,
        Channel,
        Status,
        Option<String>,
        Option<TaxTypeId>,
    ),
);

/// A payment of `commune` with what it settled; `None` if there is no such payment here.
pub fn receipt(
    conn: &mut DbConn,
    commune: CommuneId,
    id: PaymentId,
) -> QueryResult<Option<Receipt>> {
    let row: Option<ReceiptRow> = payments::table
        .inner_join(users::table)
        .left_join(taxpayers::table)
        .filter(payments::commune_id.eq(commune))
        .filter(payments::id.eq(id))
        .select((
            (
                payments::id,
                payments::receipt_number,
                payments::amount,
                payments::method,
                payments::method_reference,
                payments::received_at,
                users::name,
                payments::taxpayer_id,
                taxpayers::reference.nullable(),
                taxpayers::name.nullable(),
            ),
            (
                payments::payer,
                payments::paid_on,
                payments::channel,
                payments::status,
                payments::verification_code,
                payments::tax_type_id,
            ),
        ))
        .get_result(conn)
        .optional()?;
    let Some((
        (id, receipt_number, amount, method, method_reference, at, by, tid, tref, tname),
        (payer, paid_on, channel, status, code, tax),
    )) = row
    else {
        return Ok(None);
    };
    let ticket_tax = match tax {
        Some(t) => Some(
            tax_types::table
                .find(t)
                .select((tax_types::code, tax_types::name_fr, tax_types::name_en))
                .get_result(conn)?,
        ),
        None => None,
    };
    let lines = payment_allocations::table
        .inner_join(assessments::table.inner_join(tax_types::table))
        .filter(payment_allocations::payment_id.eq(id))
        .order(assessments::reference.asc())
        .select((
            assessments::reference,
            assessments::kind,
            assessments::fiscal_year,
            assessments::period,
            payment_allocations::amount,
            tax_types::code,
            tax_types::name_fr,
            tax_types::name_en,
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
        taxpayer_id: tid,
        taxpayer_ref: tref,
        taxpayer_name: tname,
        payer,
        ticket_tax,
        paid_on,
        channel,
        status,
        verification_code: code.unwrap_or_default(),
        lines,
    }))
}

/// The payment of `commune` whose receipt number is `number` (as printed, any case).
pub fn by_number(
    conn: &mut DbConn,
    commune: CommuneId,
    number: &str,
) -> QueryResult<Option<PaymentId>> {
    payments::table
        .filter(payments::commune_id.eq(commune))
        .filter(payments::receipt_number.eq(number.trim().to_uppercase()))
        .select(payments::id)
        .get_result(conn)
        .optional()
}

/// A line of the collector's day sheet.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct Received {
    pub id: PaymentId,
    pub receipt_number: String,
    pub taxpayer_ref: Option<String>,
    /// The taxpayer's name, or a ticket's payer.
    pub taxpayer_name: Option<String>,
    pub amount: Xof,
    pub method: Method,
    pub received_at: NaiveDateTime,
    pub status: Status,
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
        .left_join(taxpayers::table)
        .filter(payments::commune_id.eq(commune))
        .filter(payments::received_by.eq(user))
        .filter(payments::received_at.ge(since))
        .order((payments::received_at.desc(), payments::id.desc()))
        .select((
            payments::id,
            payments::receipt_number,
            taxpayers::reference.nullable(),
            diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(
                "COALESCE(taxpayers.name, payments.payer)",
            ),
            payments::amount,
            payments::method,
            payments::received_at,
            payments::status,
        ))
        .load(conn)
}
