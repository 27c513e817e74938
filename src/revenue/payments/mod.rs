//! Payments at the counter: a collector receives an amount from a taxpayer, the amount
//! is spread over what the taxpayer owes ([`allocation`]), and a numbered receipt is
//! issued ([`receipts`]).
//!
//! Receipt numbers are `{commune code}-{year}-{n}`, `n` counting from 000001 each year
//! (kept as numbers beside the text, so that the count never depends on how text sorts).
//! A payment form carries a one-time token: sent twice (a double click, a resend) with
//! the same content, it records one payment; sent again with other content, it is
//! refused. A collector's phone sends its own UUID as that token ([`NewPayment::token`]),
//! so a day of payments sent again after a lost connection records nothing twice. A
//! mobile-money, transfer or cheque reference pays once.
//!
//! A market ticket ([`tickets`]) is a payment of a daily fee with no prior roll, numbered
//! in the same count. Every receipt carries a verification code ([`code`]). What a
//! receipt says never changes (the database refuses it); only its state moves on:
//! recorded → deposited → reconciled, or cancelled by two people ([`cancel`]).

pub mod allocation;
pub mod cancel;
pub mod code;
mod receipts;
pub mod tickets;
mod verify;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::ledger;
use crate::audit::{self, Actor, Event};
use crate::communes::{self, Commune};
use crate::db::schema::{payment_allocations, payments};
use crate::db::{Backend, DbConn};
use crate::error::{DomainResult, Refusal};
use crate::ids::{AssessmentId, CommuneId, PaymentId, TaxTypeId, TaxpayerId, UserId};
use crate::money::Xof;

pub use super::method::{Channel, Method, Status};
pub use allocation::allocate;
pub use receipts::{by_number, receipt, received_by, Receipt, ReceiptLine, Received};
/// A name partly masked, for the public pages (mobile money's payer page too).
pub use verify::mask;
pub use verify::{verify, Verified};

/// How many days back a payment may be dated (a phone that was offline sends later).
pub const MAX_DAYS_LATE: i64 = 30;

/// A payment to record.
#[derive(Debug, Clone)]
pub struct NewPayment {
    pub taxpayer: TaxpayerId,
    pub amount: Xof,
    pub method: Method,
    pub reference: Option<String>,
    /// The form's one-time token, or the UUID the collector's phone made.
    pub token: String,
    /// The day the money changed hands; `None` is today.
    pub paid_on: Option<NaiveDate>,
    pub channel: Channel,
}

impl NewPayment {
    /// The transaction reference kept: trimmed, and only for a method that has one.
    fn kept_reference(&self) -> Option<&str> {
        kept(self.method, self.reference.as_deref())
    }

    /// Refusals that need no database: the amount, the reference and the day.
    pub fn check(&self, today: NaiveDate) -> Result<(), Refusal> {
        check_entry(
            self.amount,
            self.method,
            self.kept_reference(),
            self.paid_on,
            today,
        )
    }
}

/// The checks every receipt passes, a payment's or a ticket's.
fn check_entry(
    amount: Xof,
    method: Method,
    reference: Option<&str>,
    paid_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), Refusal> {
    if amount.0 <= 0 {
        return Err(Refusal::new("payment.not_positive").on("amount"));
    }
    if amount > Xof::MAX_ENTRY {
        return Err(Refusal::new("field.amount_too_large").on("amount"));
    }
    if method.needs_reference() && reference.is_none() {
        return Err(Refusal::new("payment.reference_needed").on("reference"));
    }
    if reference.is_some_and(|r| r.chars().count() > MAX_REFERENCE) {
        return Err(Refusal::new("payment.reference_too_long")
            .arg("max", MAX_REFERENCE)
            .on("reference"));
    }
    if let Some(day) = paid_on {
        if day > today {
            return Err(Refusal::new("payment.date_future").on("date"));
        }
        if (today - day).num_days() > MAX_DAYS_LATE {
            return Err(Refusal::new("payment.date_too_old")
                .arg("days", MAX_DAYS_LATE)
                .on("date"));
        }
    }
    Ok(())
}

/// The reference kept for `method`: trimmed, and only for a method that has one.
fn kept(method: Method, reference: Option<&str>) -> Option<&str> {
    reference
        .map(str::trim)
        .filter(|r| !r.is_empty() && method.needs_reference())
}

/// The longest transaction reference kept.
pub const MAX_REFERENCE: usize = 80;

/// A receipt about to be issued: a payment's or a ticket's, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry<'a> {
    taxpayer: Option<TaxpayerId>,
    tax: Option<TaxTypeId>,
    payer: Option<&'a str>,
    amount: Xof,
    method: Method,
    reference: Option<&'a str>,
    paid_on: NaiveDate,
    channel: Channel,
}

type EntryRow = (
    (PaymentId, String, Option<String>, Status, UserId),
    (
        Option<TaxpayerId>,
        Option<TaxTypeId>,
        Option<String>,
        Xof,
        Method,
        Option<String>,
        NaiveDate,
        Channel,
    ),
);

/// What a form or a phone sent again finds: the receipt its token already issued, if it
/// says the same and `user` received it; a different receipt under a used token, or one
/// received by someone else, is refused.
fn already_issued(
    conn: &mut DbConn,
    commune: &Commune,
    token: &str,
    entry: &Entry,
    user: UserId,
) -> DomainResult<Option<Issued>> {
    let found: Option<EntryRow> = payments::table
        .filter(payments::commune_id.eq(commune.id))
        .filter(payments::form_token.eq(token))
        .select((
            (
                payments::id,
                payments::receipt_number,
                payments::verification_code,
                payments::status,
                payments::received_by,
            ),
            (
                payments::taxpayer_id,
                payments::tax_type_id,
                payments::payer,
                payments::amount,
                payments::method,
                payments::method_reference,
                payments::paid_on,
                payments::channel,
            ),
        ))
        .get_result(conn)
        .optional()?;
    let Some((
        (id, receipt_number, code, status, by),
        (taxpayer, tax, payer, amount, method, reference, paid_on, channel),
    )) = found
    else {
        return Ok(None);
    };
    let before = Entry {
        taxpayer,
        tax,
        payer: payer.as_deref(),
        amount,
        method,
        reference: reference.as_deref(),
        paid_on,
        channel,
    };
    if &before == entry && by == user {
        Ok(Some(Issued {
            id,
            receipt_number,
            verification_code: code.unwrap_or_default(),
            earlier: Some(status),
        }))
    } else {
        Err(Refusal::new("payment.token_reused").into())
    }
}

/// Refuses a transaction reference already used by another receipt of the commune.
fn reference_unused(
    conn: &mut DbConn,
    commune: &Commune,
    method: Method,
    reference: Option<&str>,
) -> DomainResult<()> {
    let Some(r) = reference else {
        return Ok(());
    };
    let used: Option<String> = payments::table
        .filter(payments::commune_id.eq(commune.id))
        .filter(payments::method.eq(method))
        .filter(payments::method_reference.eq(r))
        .select(payments::receipt_number)
        .get_result(conn)
        .optional()?;
    match used {
        Some(receipt) => Err(Refusal::new("payment.reference_used")
            .arg("receipt", receipt)
            .on("reference")
            .into()),
        None => Ok(()),
    }
}

/// A receipt issued: its row, number and verification code.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Issued {
    pub id: PaymentId,
    pub receipt_number: String,
    pub verification_code: String,
    /// The receipt's state when its token had already issued it (a form or a phone
    /// sending the same payment again): nothing was written this time.
    #[serde(skip)]
    pub earlier: Option<Status>,
}

/// Numbers the next receipt of the commune for the entry's year, signs it and writes
/// it. Call it under [`communes::lock`], once every check has passed.
fn issue(
    conn: &mut DbConn,
    commune: &Commune,
    token: &str,
    entry: &Entry,
    payer_ref: &str,
    (user, at): (UserId, NaiveDateTime),
) -> DomainResult<Issued> {
    let year = entry.paid_on.year();
    let seq = last_receipt(conn, commune.id, year)? + 1;
    let receipt_number = format!("{}-{year}-{seq:06}", commune.code);
    let key = communes::receipt_key(conn, commune.id)?;
    let verification_code = code::sign(
        &key,
        &code::Content {
            commune: &commune.slug,
            receipt: &receipt_number,
            amount: entry.amount.0,
            paid_on: entry.paid_on,
            payer: payer_ref,
        },
    );
    let id: PaymentId = diesel::insert_into(payments::table)
        .values((
            payments::commune_id.eq(commune.id),
            payments::taxpayer_id.eq(entry.taxpayer),
            payments::receipt_number.eq(&receipt_number),
            payments::receipt_year.eq(i64::from(year)),
            payments::receipt_seq.eq(seq),
            payments::amount.eq(entry.amount),
            payments::method.eq(entry.method),
            payments::method_reference.eq(entry.reference),
            payments::received_by.eq(user),
            payments::received_at.eq(at),
            payments::form_token.eq(token),
            payments::paid_on.eq(entry.paid_on),
            payments::channel.eq(entry.channel),
            payments::tax_type_id.eq(entry.tax),
            payments::payer.eq(entry.payer),
            payments::verification_code.eq(&verification_code),
        ))
        .returning(payments::id)
        .get_result(conn)?;
    Ok(Issued {
        id,
        receipt_number,
        verification_code,
        earlier: None,
    })
}

/// The commune's last receipt number of `year` (0 before the first), from the end of
/// the `(commune, year, seq)` index.
///
/// SQLite reads `max()` there whatever it knows of the table. PostgreSQL chooses on its
/// statistics, and where they say the year has next to no receipts (a new year, or a
/// table analysed before it filled) it counted every receipt of the year instead, under
/// the commune's lock: 2.4 ms a payment by 40,000 in the collectors' bench. Asked for
/// the first in descending order, it reads one entry either way.
fn last_receipt(conn: &mut DbConn, commune: CommuneId, year: i32) -> QueryResult<i64> {
    let of_year = payments::table
        .filter(payments::commune_id.eq(commune))
        .filter(payments::receipt_year.eq(i64::from(year)));
    let last: Option<i64> = match crate::db::backend(conn) {
        Backend::Sqlite => of_year
            .select(diesel::dsl::max(payments::receipt_seq))
            .get_result(conn)?,
        Backend::Postgres => of_year
            .select(payments::receipt_seq)
            .order(payments::receipt_seq.desc())
            .limit(1)
            .get_result(conn)
            .optional()?,
    };
    Ok(last.unwrap_or(0))
}

/// The receipt number and verification code of a payment of `commune`.
pub fn issued(conn: &mut DbConn, commune: CommuneId, id: PaymentId) -> QueryResult<Issued> {
    let (receipt_number, code): (String, Option<String>) = payments::table
        .filter(payments::commune_id.eq(commune))
        .filter(payments::id.eq(id))
        .select((payments::receipt_number, payments::verification_code))
        .get_result(conn)?;
    Ok(Issued {
        id,
        receipt_number,
        verification_code: code.unwrap_or_default(),
        earlier: None,
    })
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
    p.check(today)?;
    let taxpayer = super::taxpayers::by_id(conn, commune.id, p.taxpayer)?;
    if taxpayer.merged_into.is_some() {
        return Err(Refusal::new("payment.merged").into());
    }
    reference_unused(conn, commune, p.method, p.kept_reference())?;
    let acct = ledger::totals(conn, p.taxpayer, today)?;
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
/// account ([`plan`]), numbers and signs its receipt, allocates it, and logs it. Call it
/// in a write transaction.
pub fn record(
    conn: &mut DbConn,
    commune: &Commune,
    p: &NewPayment,
    today: NaiveDate,
    actor: &Actor,
    user: UserId,
) -> DomainResult<Issued> {
    record_at(conn, commune, p, today, actor, (user, crate::db::now()))
}

/// [`record`], received by `user` at `at` (UTC) on the commune's day `today`: how the
/// demo writes a year of history as it would have been recorded day by day.
pub fn record_at(
    conn: &mut DbConn,
    commune: &Commune,
    p: &NewPayment,
    today: NaiveDate,
    actor: &Actor,
    received: (UserId, NaiveDateTime),
) -> DomainResult<Issued> {
    p.check(today)?;
    communes::lock(conn, commune.id)?;
    let entry = Entry {
        taxpayer: Some(p.taxpayer),
        tax: None,
        payer: None,
        amount: p.amount,
        method: p.method,
        reference: p.kept_reference(),
        paid_on: p.paid_on.unwrap_or(today),
        channel: p.channel,
    };
    // Checked under the lock: the same form sent twice, a reference already used, or a
    // record merged away since the form was shown.
    if let Some(done) = already_issued(conn, commune, &p.token, &entry, received.0)? {
        return Ok(done);
    }
    let plan = plan(conn, commune, p, today)?;
    let issued = issue(
        conn,
        commune,
        &p.token,
        &entry,
        &plan.taxpayer_ref,
        received,
    )?;
    let rows: Vec<_> = plan
        .shares
        .iter()
        .map(|s| {
            (
                payment_allocations::payment_id.eq(issued.id),
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
        Event::new("payment.record", "payment", issued.id).details(serde_json::json!({
            "receipt": issued.receipt_number, "taxpayer": p.taxpayer, "amount": p.amount,
            "method": p.method, "reference": p.kept_reference(), "balance_before": plan.balance,
            "paid_on": entry.paid_on, "channel": p.channel, "allocations": lines,
        })),
    )?;
    Ok(issued)
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
            paid_on: None,
            channel: Channel::Counter,
        }
    }

    #[test]
    fn a_payment_needs_a_positive_amount_and_a_reference_unless_cash() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let key = |p: NewPayment| p.check(today).err().map(|r| r.key);
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

    #[test]
    fn a_payment_is_dated_today_or_up_to_a_month_back() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let on = |d: NaiveDate| {
            let mut p = payment(500, Method::Cash, "");
            p.paid_on = Some(d);
            p.check(today).err().map(|r| r.key)
        };
        assert_eq!(on(today), None);
        assert_eq!(on(today - chrono::Days::new(30)), None);
        assert_eq!(
            on(today - chrono::Days::new(31)),
            Some("payment.date_too_old")
        );
        assert_eq!(
            on(today + chrono::Days::new(1)),
            Some("payment.date_future")
        );
    }
}
