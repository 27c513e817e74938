//! A taxpayer's account as they read it themselves: what they owe line by line, their
//! receipts with the codes that prove them, and their mobile-money payments under way.
//! The payer's page shows its balance to whoever holds the reference; a citizen whose
//! account's e-mail is the register's reads the whole of it in their space.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;

use super::{of_taxpayer, Intent};
use crate::communes::Commune;
use crate::db::schema::{payments, taxpayers};
use crate::db::DbConn;
use crate::error::DomainResult;
use crate::ids::TaxpayerId;
use crate::money::Xof;
use crate::revenue::ledger;
use crate::revenue::payments::{code, mask, Method, Status};
use crate::revenue::taxpayers::{account_ids, Taxpayer};

/// A line still owed.
#[derive(Debug, Clone, Serialize)]
pub struct Owed {
    pub reference: String,
    pub tax: TaxName,
    pub fiscal_year: i64,
    pub period: String,
    pub outstanding: Xof,
    pub due_date: NaiveDate,
    pub overdue: bool,
}

/// A tax's name in both languages (what the pages' `tax_name` helper reads).
#[derive(Debug, Clone, Serialize)]
pub struct TaxName {
    pub name_fr: String,
    pub name_en: String,
}

/// A receipt, with the code anyone can check on the verify page.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptRef {
    pub receipt_number: String,
    pub amount: Xof,
    pub paid_on: NaiveDate,
    pub method: Method,
    pub status: Status,
    /// As printed (`K7QM-2XD3-PA9F`); empty for a receipt older than the codes.
    pub code: String,
}

/// A taxpayer's account, as they read it.
#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub taxpayer_id: TaxpayerId,
    pub reference: String,
    pub name: String,
    /// The name as a public page shows it ("M••••a D•••••").
    pub masked_name: String,
    /// What is owed now: the lines still to pay, as a payment would settle them.
    pub balance: Xof,
    pub lines: Vec<Owed>,
    pub receipts: Vec<ReceiptRef>,
    /// Mobile-money payments, newest first.
    pub intents: Vec<Intent>,
}

/// The account of `taxpayer` on `today`.
pub fn of(
    conn: &mut DbConn,
    commune: &Commune,
    taxpayer: &Taxpayer,
    today: NaiveDate,
) -> DomainResult<Statement> {
    if taxpayer.commune_id != commune.id {
        return Err(diesel::result::Error::NotFound.into());
    }
    let acct = ledger::of(conn, taxpayer.id, today)?;
    let lines: Vec<Owed> = acct
        .lines
        .iter()
        .filter(|l| l.outstanding.0 > 0)
        .map(|l| Owed {
            reference: l.row.reference.clone(),
            tax: TaxName {
                name_fr: l.row.tax_name_fr.clone(),
                name_en: l.row.tax_name_en.clone(),
            },
            fiscal_year: l.row.fiscal_year,
            period: l.row.period.clone(),
            outstanding: l.outstanding,
            due_date: l.row.due_date,
            overdue: l.overdue,
        })
        .collect();
    let balance = Xof::checked_sum(lines.iter().map(|l| l.outstanding))
        .ok_or_else(|| crate::error::Refusal::new("ledger.too_large"))?;
    let owners = account_ids(conn, taxpayer.id)?;
    type Row = (String, Xof, NaiveDate, Method, Status, Option<String>);
    // By the payer's index alone (the account's records are the commune's, checked
    // above): with the commune in the `WHERE`, SQLite read all the commune's payments
    // in date order instead.
    let receipts: Vec<Row> = payments::table
        .filter(payments::taxpayer_id.eq_any(&owners))
        .order((payments::paid_on.desc(), payments::id.desc()))
        .select((
            payments::receipt_number,
            payments::amount,
            payments::paid_on,
            payments::method,
            payments::status,
            payments::verification_code,
        ))
        .load(conn)?;
    Ok(Statement {
        taxpayer_id: taxpayer.id,
        reference: taxpayer.reference.clone(),
        name: taxpayer.name.clone(),
        masked_name: mask(&taxpayer.name),
        balance,
        lines,
        receipts: receipts
            .into_iter()
            .map(
                |(receipt_number, amount, paid_on, method, status, c)| ReceiptRef {
                    receipt_number,
                    amount,
                    paid_on,
                    method,
                    status,
                    code: c.as_deref().map(code::display).unwrap_or_default(),
                },
            )
            .collect(),
        intents: of_taxpayer(conn, taxpayer.id)?,
    })
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>);

/// The register's entries (not merged away) whose e-mail is `email`, whatever its case:
/// a citizen's own accounts.
pub fn taxpayers_of(
    conn: &mut DbConn,
    commune: &Commune,
    email: &str,
) -> QueryResult<Vec<Taxpayer>> {
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        return Ok(Vec::new());
    }
    taxpayers::table
        .filter(taxpayers::commune_id.eq(commune.id))
        // The index holds the entries that have an e-mail: the query says so.
        .filter(taxpayers::email.is_not_null())
        .filter(lower(taxpayers::email).eq(Some(email)))
        .filter(taxpayers::merged_into.is_null())
        .select(Taxpayer::as_select())
        .load(conn)
        .map(|mut found: Vec<Taxpayer>| {
            // Sorted here: asked of SQLite, the order would make it walk the commune's
            // references instead of the e-mail index.
            found.sort_by(|a, b| a.reference.cmp(&b.reference));
            found
        })
}
