//! Payments at the counter: a collector receives an amount from a taxpayer, the amount
//! is spread over what the taxpayer owes ([`allocation`]), and a numbered receipt is
//! issued ([`receipts`]).
//!
//! Receipt numbers are `{commune code}-{year}-{n}`, `n` counting from 000001 each year
//! (kept as numbers beside the text, so that the count never depends on how text sorts).
//! A payment form carries a one-time token: sent twice (a double click, a resend) with
//! the same content, it records one payment; sent again with other content, it is
//! refused. A mobile-money, transfer or cheque reference pays once. A recorded payment
//! never changes (the database refuses it); the treasurer's validation and the deposits
//! come with the collection chain.

pub mod allocation;
mod receipts;

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::ledger;
use crate::audit::{self, Actor, Event};
use crate::communes::{self, Commune};
use crate::db::schema::{payment_allocations, payments};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{AssessmentId, PaymentId, TaxpayerId, UserId};
use crate::money::Xof;

pub use super::method::Method;
pub use allocation::allocate;
pub use receipts::{receipt, received_by, Receipt, ReceiptLine, Received};

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

impl NewPayment {
    /// The transaction reference kept: trimmed, and only for a method that has one.
    fn kept_reference(&self) -> Option<&str> {
        self.reference
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty() && self.method.needs_reference())
    }

    /// Refusals that need no database: the amount, and the reference.
    pub fn check(&self) -> Result<(), Refusal> {
        if self.amount.0 <= 0 {
            return Err(Refusal::new("payment.not_positive").on("amount"));
        }
        if self.amount > Xof::MAX_ENTRY {
            return Err(Refusal::new("field.amount_too_large").on("amount"));
        }
        let reference = self.kept_reference();
        if self.method.needs_reference() && reference.is_none() {
            return Err(Refusal::new("payment.reference_needed").on("reference"));
        }
        if reference.is_some_and(|r| r.chars().count() > MAX_REFERENCE) {
            return Err(Refusal::new("payment.reference_too_long")
                .arg("max", MAX_REFERENCE)
                .on("reference"));
        }
        Ok(())
    }
}

/// The longest transaction reference kept.
pub const MAX_REFERENCE: usize = 80;

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

/// What a payment form sent again finds: the payment its token already recorded, if the
/// form says the same; a different payment under a used token is refused.
fn already_recorded(
    conn: &mut DbConn,
    commune: &Commune,
    p: &NewPayment,
) -> DomainResult<Option<PaymentId>> {
    let found: Option<(PaymentId, TaxpayerId, Xof, Method, Option<String>)> = payments::table
        .filter(payments::commune_id.eq(commune.id))
        .filter(payments::form_token.eq(&p.token))
        .select((
            payments::id,
            payments::taxpayer_id,
            payments::amount,
            payments::method,
            payments::method_reference,
        ))
        .first(conn)
        .optional()?;
    match found {
        None => Ok(None),
        Some((id, taxpayer, amount, method, reference))
            if (taxpayer, amount, method, reference.as_deref())
                == (p.taxpayer, p.amount, p.method, p.kept_reference()) =>
        {
            Ok(Some(id))
        }
        Some(_) => Err(Refusal::new("payment.token_reused").into()),
    }
}

/// What a payment would do: the balance before and after, and what each line gets.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Plan {
    pub taxpayer_ref: String,
    pub taxpayer_name: String,
    pub amount: Xof,
    pub balance: Xof,
    pub after: Xof,
    pub shares: Vec<Share>,
}

/// One line's share of a payment.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Share {
    #[serde(skip)]
    pub line: AssessmentId,
    pub reference: String,
    pub tax_code: String,
    pub period: String,
    pub amount: Xof,
}

/// Checks a payment against the account and says what it would do, writing nothing:
/// the preview a collector confirms, and the first step of [`record`].
pub fn plan(
    conn: &mut DbConn,
    commune: &Commune,
    p: &NewPayment,
    today: NaiveDate,
) -> DomainResult<Plan> {
    p.check()?;
    let taxpayer = super::taxpayers::by_id(conn, commune.id, p.taxpayer)?;
    if taxpayer.merged_into.is_some() {
        return Err(Refusal::new("payment.merged").into());
    }
    if let Some(r) = p.kept_reference() {
        let used: Option<String> = payments::table
            .filter(payments::commune_id.eq(commune.id))
            .filter(payments::method.eq(p.method))
            .filter(payments::method_reference.eq(r))
            .select(payments::receipt_number)
            .first(conn)
            .optional()?;
        if let Some(receipt) = used {
            return Err(Refusal::new("payment.reference_used")
                .arg("receipt", receipt)
                .on("reference")
                .into());
        }
    }
    let acct = ledger::of(conn, p.taxpayer, today)?;
    let owed: Vec<&ledger::Line> = acct.lines.iter().filter(|l| l.outstanding.0 > 0).collect();
    let balance = Xof::checked_sum(owed.iter().map(|l| l.outstanding))
        .ok_or_else(|| Refusal::new("ledger.too_large"))?;
    if balance.0 <= 0 {
        return Err(Refusal::new("payment.nothing_owed").into());
    }
    if p.amount > balance {
        return Err(Refusal::new("payment.above_balance")
            .arg("balance", balance)
            .on("amount")
            .into());
    }
    let spread = allocate(
        &owed
            .iter()
            .map(|l| (l.row.id, l.outstanding))
            .collect::<Vec<_>>(),
        p.amount,
    );
    let shares = spread
        .into_iter()
        .filter_map(|(line, amount)| {
            let l = owed.iter().find(|l| l.row.id == line)?;
            Some(Share {
                line,
                reference: l.row.reference.clone(),
                tax_code: l.row.tax_code.clone(),
                period: l.row.period.clone(),
                amount,
            })
        })
        .collect();
    Ok(Plan {
        taxpayer_ref: taxpayer.reference,
        taxpayer_name: taxpayer.name,
        amount: p.amount,
        balance,
        after: Xof(balance.0 - p.amount.0),
        shares,
    })
}

/// Records a payment received on `today` (the commune's date): checks it against the
/// account ([`plan`]), numbers its receipt, allocates it, and logs it. Call it in a
/// write transaction.
pub fn record(
    conn: &mut DbConn,
    commune: &Commune,
    p: &NewPayment,
    today: NaiveDate,
    actor: &Actor,
    user: UserId,
) -> DomainResult<PaymentId> {
    p.check()?;
    communes::lock(conn, commune.id)?;
    // Checked under the lock: the same form sent twice, a reference already used, or a
    // record merged away since the form was shown.
    if let Some(done) = already_recorded(conn, commune, p)? {
        return Ok(done);
    }
    let plan = plan(conn, commune, p, today)?;
    let (seq, receipt) = next_receipt(conn, commune, today.year())?;
    let id: PaymentId = diesel::insert_into(payments::table)
        .values((
            payments::commune_id.eq(commune.id),
            payments::taxpayer_id.eq(p.taxpayer),
            payments::receipt_number.eq(&receipt),
            payments::receipt_year.eq(i64::from(today.year())),
            payments::receipt_seq.eq(seq),
            payments::amount.eq(p.amount),
            payments::method.eq(p.method),
            payments::method_reference.eq(p.kept_reference()),
            payments::received_by.eq(user),
            payments::received_at.eq(crate::db::now()),
            payments::form_token.eq(&p.token),
        ))
        .returning(payments::id)
        .get_result(conn)?;
    let rows: Vec<_> = plan
        .shares
        .iter()
        .map(|s| {
            (
                payment_allocations::payment_id.eq(id),
                payment_allocations::assessment_id.eq(s.line),
                payment_allocations::amount.eq(s.amount),
            )
        })
        .collect();
    crate::on_inner!(conn, c => diesel::insert_into(payment_allocations::table).values(&rows).execute(c))?;
    let lines: Vec<serde_json::Value> = plan
        .shares
        .iter()
        .map(|s| serde_json::json!({ "line": s.reference, "amount": s.amount }))
        .collect();
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("payment.record", "payment", id).details(serde_json::json!({
            "receipt": receipt, "taxpayer": p.taxpayer, "amount": p.amount,
            "method": p.method, "reference": p.kept_reference(), "balance_before": plan.balance,
            "allocations": lines,
        })),
    )?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_round_trip_and_only_cash_needs_no_reference() {
        for m in Method::ALL {
            assert_eq!(Method::parse(m.as_str()), Some(*m));
            assert_eq!(m.needs_reference(), *m != Method::Cash);
        }
        assert_eq!(Method::parse("bitcoin"), None);
    }

    fn payment(amount: i64, method: Method, reference: &str) -> NewPayment {
        NewPayment {
            taxpayer: TaxpayerId(1),
            amount: Xof(amount),
            method,
            reference: Some(reference.into()),
            token: "t".into(),
        }
    }

    #[test]
    fn a_payment_needs_a_positive_amount_and_a_reference_unless_cash() {
        let key = |p: NewPayment| p.check().err().map(|r| r.key);
        assert_eq!(
            key(payment(0, Method::Cash, "")),
            Some("payment.not_positive")
        );
        assert_eq!(key(payment(500, Method::Cash, "")), None);
        assert_eq!(
            key(payment(500, Method::Cheque, "  ")),
            Some("payment.reference_needed")
        );
        assert_eq!(
            key(payment(500, Method::Cheque, &"x".repeat(81))),
            Some("payment.reference_too_long")
        );
        assert_eq!(
            key(payment(Xof::MAX_ENTRY.0 + 1, Method::Cash, "")),
            Some("field.amount_too_large")
        );
    }
}
