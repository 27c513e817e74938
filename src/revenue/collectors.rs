//! Field collectors' phones: what a phone sends (a payment on a taxpayer's balance, or a
//! market ticket), recorded through the counter's own rules ([`payments::record`],
//! [`tickets::sell`]); and a collector's own day, with its totals.
//!
//! A phone names each payment with a UUID it made. Sent again (a lost answer, a whole day
//! resent after the connection came back), the same UUID with the same content finds
//! the receipt already issued and records nothing; the same UUID with other content, or
//! a UUID another collector used, is refused ([`Outcome`]).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::payments::{self, tickets, Channel, Issued, Method, NewPayment, Status};
use crate::audit::Actor;
use crate::communes::Commune;
use crate::db::schema::{payments as p, tax_types, taxpayers};
use crate::db::{Backend, DbConn};
use crate::error::{DomainError, DomainResult, Refusal};
use crate::ids::{CommuneId, TaxpayerId, UserId};
use crate::money::Xof;

diesel::define_sql_function!(fn upper(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// One payment as a phone sends it, its fields parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The UUID the phone made, in its canonical form.
    pub id: String,
    /// The taxpayer's reference as typed (any case); a ticket may have none.
    pub taxpayer: Option<String>,
    pub amount: Xof,
    pub method: Method,
    /// A mobile-money, transfer or cheque reference.
    pub reference: Option<String>,
    /// The day the money changed hands; `None` is today.
    pub date: Option<NaiveDate>,
    /// A ticket's fee code (`DPLACE`): with it, the payment is a ticket.
    pub tax: Option<String>,
    /// A ticket's tariff category (`etal`).
    pub category: Option<String>,
    /// A ticket's stall or trader, as written.
    pub payer: Option<String>,
}

/// What became of a payment sent.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub issued: Issued,
    /// The day the money changed hands.
    pub date: NaiveDate,
    /// The receipt's state now (a payment sent again may have moved on).
    pub status: Status,
    /// `true` when the UUID had already recorded this payment: nothing new was written.
    pub replayed: bool,
}

/// The taxpayer whose reference is `typed`, in any case, each lookup through an index:
/// the reference as typed, then in capitals (nearly every reference is stored so), then,
/// for a reference stored with small letters, through the `upper(ref)` index, which
/// holds only those. A record merged into another is paid on the one it joined.
pub fn taxpayer_by_ref(
    conn: &mut DbConn,
    commune: CommuneId,
    typed: &str,
) -> QueryResult<Option<TaxpayerId>> {
    let typed = typed.trim();
    // SQLite's upper() changes ASCII letters only; PostgreSQL's, every letter.
    let key = match crate::db::backend(conn) {
        Backend::Sqlite => typed.to_ascii_uppercase(),
        Backend::Postgres => typed.to_uppercase(),
    };
    let spelled = |conn: &mut DbConn, reference: &str| {
        taxpayers::table
            .filter(taxpayers::commune_id.eq(commune))
            .filter(taxpayers::reference.eq(reference))
            .select((taxpayers::id, taxpayers::merged_into))
            .get_result::<(TaxpayerId, Option<TaxpayerId>)>(conn)
            .optional()
    };
    let mut found = spelled(conn, typed)?;
    if found.is_none() && key != typed {
        found = spelled(conn, &key)?;
    }
    if found.is_none() {
        found = taxpayers::table
            .filter(taxpayers::commune_id.eq(commune))
            .filter(upper(taxpayers::reference).eq(&key))
            .filter(taxpayers::reference.ne(upper(taxpayers::reference)))
            .order(taxpayers::id.asc())
            .select((taxpayers::id, taxpayers::merged_into))
            .limit(1)
            .get_result(conn)
            .optional()?;
    }
    Ok(found.map(|(id, merged)| merged.unwrap_or(id)))
}

/// Records what a phone sent, for `user`, on `today`: a ticket when it names a fee, a
/// payment on the taxpayer's balance otherwise. Call it in a write transaction, or in a
/// savepoint of one per payment (a batch's refused payment loses none of the others).
pub fn record(
    conn: &mut DbConn,
    commune: &Commune,
    sent: &Sent,
    today: NaiveDate,
    actor: &Actor,
    user: UserId,
) -> DomainResult<Outcome> {
    // A UUID sent again is recognised by the counter's rules under the commune's lock:
    // the same payment by the same collector returns its receipt (`Issued::earlier`),
    // anything else under that UUID is refused.
    let taxpayer = match &sent.taxpayer {
        Some(typed) if !typed.trim().is_empty() => {
            Some(taxpayer_by_ref(conn, commune.id, typed)?.ok_or_else(|| {
                Refusal::new("api.unknown_taxpayer")
                    .arg("taxpayer", typed.trim())
                    .on("taxpayer")
            })?)
        }
        _ => None,
    };
    let done = match &sent.tax {
        Some(tax) => tickets::sell(
            conn,
            commune,
            &tickets::NewTicket {
                tax: tax.clone(),
                category: sent.category.clone(),
                taxpayer,
                payer: sent.payer.clone(),
                amount: sent.amount,
                method: sent.method,
                reference: sent.reference.clone(),
                token: sent.id.clone(),
                paid_on: sent.date,
                channel: Channel::Api,
            },
            today,
            actor,
            user,
        ),
        None => {
            let taxpayer =
                taxpayer.ok_or_else(|| Refusal::new("api.taxpayer_needed").on("taxpayer"))?;
            payments::record(
                conn,
                commune,
                &NewPayment {
                    taxpayer,
                    amount: sent.amount,
                    method: sent.method,
                    reference: sent.reference.clone(),
                    token: sent.id.clone(),
                    paid_on: sent.date,
                    channel: Channel::Api,
                },
                today,
                actor,
                user,
            )
        }
    };
    let issued = match done {
        Err(e) if e.refusal().is_some_and(|r| r.key == "payment.token_reused") => {
            return Err(id_reused())
        }
        other => other?,
    };
    Ok(Outcome {
        status: issued.earlier.unwrap_or(Status::Recorded),
        replayed: issued.earlier.is_some(),
        issued,
        date: sent.date.unwrap_or(today),
    })
}

/// The refusal of a UUID already used for another payment (answered 409).
fn id_reused() -> DomainError {
    Refusal::new("api.id_reused").on("id").into()
}

/// One payment of a collector's day.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// The phone's UUID, for a payment sent through the API.
    pub id: Option<String>,
    pub receipt: String,
    /// Without dashes.
    pub verification_code: String,
    pub amount: Xof,
    pub method: Method,
    pub date: NaiveDate,
    pub status: Status,
    pub channel: Channel,
    pub taxpayer: Option<String>,
    pub tax: Option<String>,
    pub payer: Option<String>,
    pub received_at: NaiveDateTime,
}

/// A day's totals: what was received, by how it came in. Cancelled receipts count for
/// nothing.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub count: i64,
    pub total: Xof,
    /// What the collector hands over to the treasurer.
    pub cash: Xof,
    pub mobile_money: Xof,
    /// Transfers and cheques.
    pub other: Xof,
}

impl Totals {
    fn add(&mut self, line: &Line) {
        if line.status == Status::Cancelled {
            return;
        }
        self.count += 1;
        self.total.0 += line.amount.0;
        let bucket = match line.method {
            Method::Cash => &mut self.cash,
            Method::MobileMoney => &mut self.mobile_money,
            Method::BankTransfer | Method::Cheque => &mut self.other,
        };
        bucket.0 += line.amount.0;
    }
}

type LineRow = (
    String,
    String,
    Option<String>,
    Xof,
    Method,
    NaiveDate,
    Status,
    Channel,
    Option<String>,
    Option<String>,
    Option<String>,
    NaiveDateTime,
);

/// What `user` received in `commune` for `date` (the day the money changed hands), in
/// receipt order, and the day's totals. Only their own: a collector sees no one else's.
pub fn day(
    conn: &mut DbConn,
    commune: CommuneId,
    user: UserId,
    date: NaiveDate,
) -> QueryResult<(Vec<Line>, Totals)> {
    let rows: Vec<LineRow> = p::table
        .left_join(taxpayers::table)
        .left_join(tax_types::table)
        .filter(p::commune_id.eq(commune))
        .filter(p::received_by.eq(user))
        .filter(p::paid_on.eq(date))
        .order((p::receipt_year.asc(), p::receipt_seq.asc()))
        .select((
            p::form_token,
            p::receipt_number,
            p::verification_code,
            p::amount,
            p::method,
            p::paid_on,
            p::status,
            p::channel,
            taxpayers::reference.nullable(),
            tax_types::code.nullable(),
            p::payer,
            p::received_at,
        ))
        .load(conn)?;
    let mut totals = Totals::default();
    let lines: Vec<Line> = rows
        .into_iter()
        .map(
            |(
                token,
                receipt,
                code,
                amount,
                method,
                date,
                status,
                channel,
                tref,
                tax,
                payer,
                at,
            )| {
                Line {
                    id: (channel == Channel::Api).then_some(token),
                    receipt,
                    verification_code: code.unwrap_or_default(),
                    amount,
                    method,
                    date,
                    status,
                    channel,
                    taxpayer: tref,
                    tax,
                    payer,
                    received_at: at,
                }
            },
        )
        .collect();
    for line in &lines {
        totals.add(line);
    }
    Ok((lines, totals))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(amount: i64, method: Method, status: Status) -> Line {
        Line {
            id: None,
            receipt: "DKP-2026-000001".into(),
            verification_code: String::new(),
            amount: Xof(amount),
            method,
            date: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
            status,
            channel: Channel::Api,
            taxpayer: None,
            tax: None,
            payer: None,
            received_at: NaiveDateTime::default(),
        }
    }

    #[test]
    fn a_days_totals_split_cash_from_mobile_money_and_ignore_cancelled_receipts() {
        let mut t = Totals::default();
        for l in [
            line(1_500, Method::Cash, Status::Recorded),
            line(200, Method::Cash, Status::Deposited),
            line(5_000, Method::MobileMoney, Status::Recorded),
            line(9_999, Method::Cash, Status::Cancelled),
            line(10_000, Method::Cheque, Status::Recorded),
        ] {
            t.add(&l);
        }
        assert_eq!(
            t,
            Totals {
                count: 4,
                total: Xof(16_700),
                cash: Xof(1_700),
                mobile_money: Xof(5_000),
                other: Xof(10_000),
            }
        );
    }
}
