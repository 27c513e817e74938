//! Payments at the counter: a collector receives an amount from a taxpayer, the amount
//! is spread over what the taxpayer owes, and a numbered receipt is issued.
//!
//! **The allocation rule**: a payment settles the taxpayer's lines in the order of the
//! account (oldest fiscal year first, then earliest due date, then line reference), each
//! line taking what it still owes until the payment is used up. A payment above the
//! balance is refused: Commune keeps no credit on an account.
//!
//! Receipt numbers are `{commune code}-{year}-{n}`, `n` counting from 000001 each year
//! (kept as numbers beside the text, so that the count never depends on how text sorts).
//! A payment form carries a one-time token: sent twice (a double click, a resend), it
//! records one payment. A mobile-money, transfer or cheque reference pays once.
//! A recorded payment never changes (the database refuses it); the treasurer's
//! validation and the deposits come with the collection chain.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::account;
use crate::audit::{self, Actor, Event};
use crate::communes::{self, Commune};
use crate::db::schema::{assessments, payment_allocations, payments, taxpayers, users};
use crate::db::DbConn;
use crate::ids::{AssessmentId, PaymentId, TaxpayerId, UserId};
use crate::money::Xof;

/// How the money came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Cash,
    MobileMoney,
    BankTransfer,
    Cheque,
}

impl Method {
    pub const ALL: [Method; 4] = [
        Method::Cash,
        Method::MobileMoney,
        Method::BankTransfer,
        Method::Cheque,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Cash => "cash",
            Method::MobileMoney => "mobile_money",
            Method::BankTransfer => "bank_transfer",
            Method::Cheque => "cheque",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Mobile money, transfers and cheques carry the operator's or bank's reference,
    /// which the treasurer matches against the statement.
    pub fn needs_reference(self) -> bool {
        self != Method::Cash
    }
}

/// A payment to record.
#[derive(Debug, Clone)]
pub struct NewPayment {
    pub taxpayer: TaxpayerId,
    pub amount: Xof,
    pub method: Method,
    pub reference: Option<String>,
    /// The form's one-time token.
    pub token: String,
}

/// The longest transaction reference kept.
pub const MAX_REFERENCE: usize = 80;

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error("this taxpayer owes nothing")]
    NothingOwed,
    #[error("the amount is above the balance of {0} XOF")]
    AboveBalance(i64),
    #[error("the amount must be above zero")]
    NotPositive,
    #[error("this way of paying needs its transaction reference")]
    ReferenceNeeded,
    #[error("the transaction reference is longer than {MAX_REFERENCE} characters")]
    ReferenceTooLong,
    #[error("this transaction reference already paid receipt {0}")]
    ReferenceUsed(String),
    #[error("this record was merged into another: pay on that one")]
    Merged,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl PaymentError {
    /// The i18n key shown on a page.
    pub fn message_key(&self) -> &'static str {
        match self {
            PaymentError::NothingOwed => "payment.nothing_owed",
            PaymentError::AboveBalance(_) => "payment.above_balance",
            PaymentError::NotPositive => "payment.not_positive",
            PaymentError::ReferenceNeeded => "payment.reference_needed",
            PaymentError::ReferenceTooLong => "payment.reference_too_long",
            PaymentError::ReferenceUsed(_) => "payment.reference_used",
            PaymentError::Merged => "payment.merged",
            PaymentError::Db(_) => "error.internal",
        }
    }
}

/// Spreads `amount` over `owed` (lines in allocation order, each with what it still
/// owes), by the rule above. Lines that owe nothing are skipped; what is left over when
/// every line is settled is not allocated.
pub fn allocate(owed: &[(AssessmentId, i64)], amount: i64) -> Vec<(AssessmentId, i64)> {
    let mut left = amount;
    let mut out = Vec::new();
    for &(line, due) in owed {
        if left <= 0 {
            break;
        }
        let take = due.min(left);
        if take > 0 {
            out.push((line, take));
            left -= take;
        }
    }
    out
}

/// The next receipt of `commune` for `year`: its number in the year's count, and its
/// text. Call it under [`communes::lock`].
fn next_receipt(conn: &mut DbConn, commune: &Commune, year: i32) -> QueryResult<(i64, String)> {
    let last: Option<i64> = payments::table
        .filter(payments::commune_id.eq(commune.id))
        .filter(payments::receipt_year.eq(i64::from(year)))
        .select(diesel::dsl::max(payments::receipt_seq))
        .first(conn)?;
    let seq = last.unwrap_or(0) + 1;
    Ok((seq, format!("{}-{year}-{seq:06}", commune.code)))
}

/// What a payment form sent again finds: the payment it already recorded.
fn by_token(conn: &mut DbConn, commune: &Commune, token: &str) -> QueryResult<Option<PaymentId>> {
    payments::table
        .filter(payments::commune_id.eq(commune.id))
        .filter(payments::form_token.eq(token))
        .select(payments::id)
        .first(conn)
        .optional()
}

/// Records a payment received on `today` (the commune's date): checks it against the
/// account, numbers its receipt, allocates it, and logs it. Call it in a write
/// transaction.
pub fn record(
    conn: &mut DbConn,
    commune: &Commune,
    p: &NewPayment,
    today: NaiveDate,
    actor: &Actor,
    user: UserId,
) -> Result<PaymentId, PaymentError> {
    if p.amount.0 <= 0 {
        return Err(PaymentError::NotPositive);
    }
    let reference = p
        .reference
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty() && p.method.needs_reference());
    if p.method.needs_reference() && reference.is_none() {
        return Err(PaymentError::ReferenceNeeded);
    }
    if reference.is_some_and(|r| r.chars().count() > MAX_REFERENCE) {
        return Err(PaymentError::ReferenceTooLong);
    }
    communes::lock(conn, commune.id)?;
    // Checked under the lock: the same form sent twice, a reference already used, or a
    // record merged away since the form was shown.
    if let Some(done) = by_token(conn, commune, &p.token)? {
        return Ok(done);
    }
    if let Some(r) = reference {
        let used: Option<String> = payments::table
            .filter(payments::commune_id.eq(commune.id))
            .filter(payments::method.eq(p.method.as_str()))
            .filter(payments::method_reference.eq(r))
            .select(payments::receipt_number)
            .first(conn)
            .optional()?;
        if let Some(receipt) = used {
            return Err(PaymentError::ReferenceUsed(receipt));
        }
    }
    let merged: Option<TaxpayerId> = taxpayers::table
        .filter(taxpayers::commune_id.eq(commune.id))
        .find(p.taxpayer)
        .select(taxpayers::merged_into)
        .first(conn)?;
    if merged.is_some() {
        return Err(PaymentError::Merged);
    }
    let acct = account::of(conn, p.taxpayer, today)?;
    let owed: Vec<(AssessmentId, i64)> = acct
        .lines
        .iter()
        .filter(|l| l.outstanding > 0)
        .map(|l| (l.id, l.outstanding))
        .collect();
    let balance: i64 = owed.iter().map(|(_, o)| o).sum();
    if balance <= 0 {
        return Err(PaymentError::NothingOwed);
    }
    if p.amount.0 > balance {
        return Err(PaymentError::AboveBalance(balance));
    }
    let (seq, receipt) = next_receipt(conn, commune, today.year())?;
    let id: PaymentId = diesel::insert_into(payments::table)
        .values((
            payments::commune_id.eq(commune.id),
            payments::taxpayer_id.eq(p.taxpayer),
            payments::receipt_number.eq(&receipt),
            payments::receipt_year.eq(i64::from(today.year())),
            payments::receipt_seq.eq(seq),
            payments::amount.eq(p.amount.0),
            payments::method.eq(p.method.as_str()),
            payments::method_reference.eq(reference),
            payments::received_by.eq(user),
            payments::received_at.eq(crate::db::now()),
            payments::form_token.eq(&p.token),
        ))
        .returning(payments::id)
        .get_result(conn)?;
    let shares = allocate(&owed, p.amount.0);
    let rows: Vec<_> = shares
        .iter()
        .map(|&(line, amount)| {
            (
                payment_allocations::payment_id.eq(id),
                payment_allocations::assessment_id.eq(line),
                payment_allocations::amount.eq(amount),
            )
        })
        .collect();
    crate::on_inner!(conn, c => diesel::insert_into(payment_allocations::table).values(&rows).execute(c))?;
    let lines: Vec<serde_json::Value> = shares
        .iter()
        .map(|(line, amount)| {
            let reference = acct
                .lines
                .iter()
                .find(|l| l.id == *line)
                .map(|l| &l.reference);
            serde_json::json!({ "line": reference, "amount": amount })
        })
        .collect();
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("payment.record", "payment", id).details(serde_json::json!({
            "receipt": receipt, "taxpayer": p.taxpayer, "amount": p.amount.0,
            "method": p.method.as_str(), "reference": reference, "balance_before": balance,
            "allocations": lines,
        })),
    )?;
    Ok(id)
}

/// One receipt, as printed.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    pub id: PaymentId,
    pub receipt_number: String,
    pub amount: i64,
    pub method: String,
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
    pub amount: i64,
}

type ReceiptRow = (
    PaymentId,
    String,
    i64,
    String,
    Option<String>,
    NaiveDateTime,
    String,
    String,
    String,
);

/// A payment of `commune` with what it settled; `None` if there is no such payment here.
pub fn receipt(
    conn: &mut DbConn,
    commune: crate::ids::CommuneId,
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
    pub amount: i64,
    pub method: String,
    pub received_at: NaiveDateTime,
}

/// What `user` received in `commune` since `since`, newest first: the sheet a collector
/// hands over with the cash.
pub fn received_by(
    conn: &mut DbConn,
    commune: crate::ids::CommuneId,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(owed: &[i64]) -> Vec<(AssessmentId, i64)> {
        owed.iter()
            .enumerate()
            .map(|(i, &o)| (AssessmentId(i as i64 + 1), o))
            .collect()
    }

    #[test]
    fn a_payment_settles_the_oldest_lines_first() {
        // 30 000 over lines owing 10 000, 25 000 and 5 000.
        assert_eq!(
            allocate(&lines(&[10_000, 25_000, 5_000]), 30_000),
            [(AssessmentId(1), 10_000), (AssessmentId(2), 20_000)]
        );
    }

    #[test]
    fn a_line_that_owes_nothing_takes_nothing() {
        assert_eq!(
            allocate(&lines(&[0, 7_500, 2_500]), 10_000),
            [(AssessmentId(2), 7_500), (AssessmentId(3), 2_500)]
        );
    }

    #[test]
    fn the_shares_add_up_to_the_payment_when_enough_is_owed() {
        let owed = lines(&[1, 999, 12_345, 50_000]);
        for amount in [1, 1_000, 13_345, 63_345] {
            let total: i64 = allocate(&owed, amount).iter().map(|(_, a)| a).sum();
            assert_eq!(total, amount);
        }
    }

    #[test]
    fn methods_round_trip_and_only_cash_needs_no_reference() {
        for m in Method::ALL {
            assert_eq!(Method::parse(m.as_str()), Some(m));
            assert_eq!(m.needs_reference(), m != Method::Cash);
        }
        assert_eq!(Method::parse("bitcoin"), None);
    }
}
