//! A collector's cash-up: what they have to hand over ([`to_declare`]), its declaration
//! ([`declare`]), the treasurer's count and validation into a numbered deposit
//! ([`validate`]), and the lists each of them reads ([`list`]). See the module above for
//! the flow.

mod list;

pub use list::{list, one, Cashup, Which};

use chrono::{Datelike, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::{duties, State, When};
use crate::accounts::users;
use crate::audit::{self, Actor, Event};
use crate::communes::{self, Commune};
use crate::db::schema::{cashups, payments, taxpayers};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{CashupId, CommuneId, PaymentId, UserId};
use crate::money::Xof;
use crate::revenue::payments::{Method, Status};

/// One receipt of a cash-up, or of the one a collector has to declare.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct Line {
    pub id: PaymentId,
    pub receipt_number: String,
    pub received_at: NaiveDateTime,
    pub taxpayer_ref: Option<String>,
    /// The taxpayer's name, or a ticket's payer.
    pub payer: Option<String>,
    pub amount: Xof,
    pub method: Method,
    pub reference: Option<String>,
    pub status: Status,
}

/// What receipts add up to, cancelled ones left out: how many, the cash the collector
/// hands over, and the rest (mobile money, transfers, cheques).
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub receipts: i64,
    pub cash: Xof,
    pub other: Xof,
}

impl Totals {
    pub fn of(lines: &[Line]) -> Totals {
        let valid = || lines.iter().filter(|l| l.status != Status::Cancelled);
        let cash = |l: &&Line| l.method == Method::Cash;
        Totals {
            receipts: valid().count() as i64,
            cash: valid().filter(cash).map(|l| l.amount).sum(),
            other: valid().filter(|l| !cash(l)).map(|l| l.amount).sum(),
        }
    }
}

/// The receipts a collector has not declared yet.
#[derive(Debug, Clone, Serialize)]
pub struct ToDeclare {
    pub lines: Vec<Line>,
    pub totals: Totals,
    /// The last receipt shown: the declaration takes none recorded after it.
    pub through: Option<PaymentId>,
}

type LineColumns = (
    payments::id,
    payments::receipt_number,
    payments::received_at,
    diesel::dsl::Nullable<taxpayers::reference>,
    diesel::expression::SqlLiteral<diesel::sql_types::Nullable<diesel::sql_types::Text>>,
    payments::amount,
    payments::method,
    payments::method_reference,
    payments::status,
);

fn line_columns() -> LineColumns {
    (
        payments::id,
        payments::receipt_number,
        payments::received_at,
        taxpayers::reference.nullable(),
        diesel::dsl::sql("COALESCE(taxpayers.name, payments.payer)"),
        payments::amount,
        payments::method,
        payments::method_reference,
        payments::status,
    )
}

/// The receipts of `collector` that no cash-up holds, cancelled ones left out, oldest
/// first; up to `through` when given.
fn undeclared(
    conn: &mut DbConn,
    commune: CommuneId,
    collector: UserId,
    through: Option<PaymentId>,
) -> QueryResult<Vec<Line>> {
    let mut q = payments::table
        .left_join(taxpayers::table)
        .filter(payments::commune_id.eq(commune))
        .filter(payments::received_by.eq(collector))
        .filter(payments::status.eq(Status::Recorded))
        .filter(payments::cashup_id.is_null())
        .into_boxed();
    if let Some(last) = through {
        q = q.filter(payments::id.le(last));
    }
    q.order(payments::id.asc())
        .select(line_columns())
        .load(conn)
}

/// What `collector` has to declare now.
pub fn to_declare(
    conn: &mut DbConn,
    commune: CommuneId,
    collector: UserId,
) -> QueryResult<ToDeclare> {
    let lines = undeclared(conn, commune, collector, None)?;
    Ok(ToDeclare {
        totals: Totals::of(&lines),
        through: lines.last().map(|l| l.id),
        lines,
    })
}

/// The receipts of a cash-up, in the order they were issued.
pub fn lines(conn: &mut DbConn, cashup: CashupId) -> QueryResult<Vec<Line>> {
    payments::table
        .left_join(taxpayers::table)
        .filter(payments::cashup_id.eq(cashup))
        .order(payments::id.asc())
        .select(line_columns())
        .load(conn)
}

/// Declares `collector`'s cash-up `when` they hand it over: the receipts shown to them (up to
/// `through`) and the cash they counted. Call it in a write transaction.
pub fn declare(
    conn: &mut DbConn,
    commune: &Commune,
    collector: UserId,
    through: PaymentId,
    cash: Xof,
    when: When,
    actor: &Actor,
) -> DomainResult<CashupId> {
    if cash.0 < 0 {
        return Err(Refusal::new("field.negative").on("cash").into());
    }
    if cash > Xof::MAX_ENTRY {
        return Err(Refusal::new("field.amount_too_large").on("cash").into());
    }
    communes::lock(conn, commune.id)?;
    let lines = undeclared(conn, commune.id, collector, Some(through))?;
    let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
        return Err(Refusal::new("cashup.nothing").into());
    };
    let totals = Totals::of(&lines);
    let id: CashupId = diesel::insert_into(cashups::table)
        .values((
            cashups::commune_id.eq(commune.id),
            cashups::collector_id.eq(collector),
            cashups::day.eq(when.day),
            cashups::declared_at.eq(when.at),
            cashups::receipts.eq(totals.receipts),
            cashups::cash_expected.eq(totals.cash),
            cashups::other_total.eq(totals.other),
            cashups::cash_declared.eq(cash),
        ))
        .returning(cashups::id)
        .get_result(conn)?;
    let ids: Vec<PaymentId> = lines.iter().map(|l| l.id).collect();
    for chunk in ids.chunks(5_000) {
        diesel::update(payments::table.filter(payments::id.eq_any(chunk)))
            .set(payments::cashup_id.eq(id))
            .execute(conn)?;
    }
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("cashup.declare", "cashup", id).details(serde_json::json!({
            "collector": collector, "day": when.day, "receipts": totals.receipts,
            "cash_expected": totals.cash, "other": totals.other, "cash_declared": cash,
            "first": first.receipt_number, "last": last.receipt_number,
        })),
    )?;
    Ok(id)
}

/// What the treasurer counted.
#[derive(Debug, Clone)]
pub struct Count {
    pub received: Xof,
    pub note: String,
}

/// A validated cash-up: its deposit number and the difference recorded.
#[derive(Debug, Clone, Serialize)]
pub struct Deposit {
    pub cashup: CashupId,
    pub number: String,
    pub difference: Xof,
}

/// The treasurer validates a declared cash-up with the cash they counted: the rules of
/// [`duties`], the difference and its note, a deposit number, and the cash receipts
/// deposited. Call it in a write transaction.
pub fn validate(
    conn: &mut DbConn,
    commune: &Commune,
    id: CashupId,
    counted: &Count,
    when: When,
    actor: &Actor,
    validator: UserId,
) -> DomainResult<Deposit> {
    communes::lock(conn, commune.id)?;
    let (collector, state, declared): (UserId, State, Xof) = cashups::table
        .filter(cashups::commune_id.eq(commune.id))
        .filter(cashups::id.eq(id))
        .select((
            cashups::collector_id,
            cashups::status,
            cashups::cash_declared,
        ))
        .get_result(conn)?;
    if state != State::Declared {
        return Err(Refusal::new("cashup.validated").into());
    }
    let roles = users::roles_in(conn, validator, commune.id)?;
    let parties = duties::parties(conn, id, collector)?;
    duties::check(validator, &roles, &parties)?;
    // A receipt cancelled since the declaration is no longer expected.
    let totals = Totals::of(&lines(conn, id)?);
    let difference = duties::count(totals.cash, counted.received, &counted.note)?;
    let note = Some(counted.note.trim()).filter(|n| !n.is_empty());
    let year = i64::from(when.day.year());
    let last: Option<i64> = cashups::table
        .filter(cashups::commune_id.eq(commune.id))
        .filter(cashups::deposit_year.eq(year))
        .select(diesel::dsl::max(cashups::deposit_seq))
        .get_result(conn)?;
    let seq = last.unwrap_or(0) + 1;
    let number = format!("VER-{}-{year}-{seq:06}", commune.code);
    diesel::update(cashups::table.find(id))
        .set((
            cashups::status.eq(State::Deposited),
            cashups::receipts.eq(totals.receipts),
            cashups::cash_expected.eq(totals.cash),
            cashups::other_total.eq(totals.other),
            cashups::cash_received.eq(counted.received),
            cashups::difference.eq(difference),
            cashups::note.eq(note),
            cashups::validated_by.eq(validator),
            cashups::validated_at.eq(when.at),
            cashups::deposit_number.eq(&number),
            cashups::deposit_year.eq(year),
            cashups::deposit_seq.eq(seq),
        ))
        .execute(conn)?;
    // Only the cash was handed over; the rest reaches the bank on its own (see `bank`).
    diesel::update(
        payments::table
            .filter(payments::cashup_id.eq(id))
            .filter(payments::method.eq(Method::Cash))
            .filter(payments::status.eq(Status::Recorded)),
    )
    .set(payments::status.eq(Status::Deposited))
    .execute(conn)?;
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("cashup.validate", "cashup", id).details(serde_json::json!({
            "deposit": number, "collector": collector, "receipts": totals.receipts,
            "cash_expected": totals.cash, "cash_declared": declared,
            "cash_received": counted.received, "difference": difference, "note": note,
        })),
    )?;
    Ok(Deposit {
        cashup: id,
        number,
        difference,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(amount: i64, method: Method, status: Status) -> Line {
        Line {
            id: PaymentId(1),
            receipt_number: "DKP-2026-000001".into(),
            received_at: NaiveDateTime::default(),
            taxpayer_ref: None,
            payer: None,
            amount: Xof(amount),
            method,
            reference: None,
            status,
        }
    }

    #[test]
    fn only_valid_cash_is_handed_over_and_cancelled_receipts_count_for_nothing() {
        let lines = [
            line(12_000, Method::Cash, Status::Recorded),
            line(300, Method::Cash, Status::Recorded),
            line(13_000, Method::MobileMoney, Status::Recorded),
            line(5_000, Method::Cheque, Status::Recorded),
            line(7_000, Method::Cash, Status::Cancelled),
        ];
        assert_eq!(
            Totals::of(&lines),
            Totals {
                receipts: 4,
                cash: Xof(12_300),
                other: Xof(18_000)
            }
        );
        assert_eq!(Totals::of(&[]), Totals::default());
    }
}
