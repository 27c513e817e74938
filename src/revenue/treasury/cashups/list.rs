//! The cash-ups as the pages list them: the treasurer's to validate, the deposits, a
//! collector's own, or one.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::super::State;
use crate::db::schema::{cashups, users as people};
use crate::db::DbConn;
use crate::ids::{CashupId, CommuneId, UserId};
use crate::money::Xof;

diesel::alias!(people as validators: Validators);

/// A cash-up as the pages show it.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct Cashup {
    pub id: CashupId,
    pub collector: UserId,
    pub collector_name: String,
    pub day: NaiveDate,
    pub declared_at: NaiveDateTime,
    pub receipts: i64,
    pub cash_expected: Xof,
    pub other_total: Xof,
    pub cash_declared: Xof,
    pub state: State,
    pub cash_received: Option<Xof>,
    pub difference: Option<Xof>,
    pub note: Option<String>,
    pub validated_by: Option<String>,
    pub validated_at: Option<NaiveDateTime>,
    pub deposit_number: Option<String>,
}

impl Cashup {
    /// The cash the collector declared less the cash receipts (negative: short).
    pub fn declared_gap(&self) -> Xof {
        Xof(self.cash_declared.0 - self.cash_expected.0)
    }
}

type Row = (
    (
        CashupId,
        UserId,
        String,
        NaiveDate,
        NaiveDateTime,
        i64,
        Xof,
        Xof,
    ),
    (
        Xof,
        State,
        Option<Xof>,
        Option<Xof>,
        Option<String>,
        Option<String>,
        Option<NaiveDateTime>,
        Option<String>,
    ),
);

fn from_row(((id, collector, name, day, at, n, cash, other), rest): Row) -> Cashup {
    let (declared, state, received, difference, note, by, validated_at, deposit) = rest;
    Cashup {
        id,
        collector,
        collector_name: name,
        day,
        declared_at: at,
        receipts: n,
        cash_expected: cash,
        other_total: other,
        cash_declared: declared,
        state,
        cash_received: received,
        difference,
        note,
        validated_by: by,
        validated_at,
        deposit_number: deposit,
    }
}

/// Which cash-ups a list holds.
#[derive(Debug, Clone, Copy)]
pub enum Which {
    /// Declared and waiting for the treasurer, oldest first.
    ToValidate,
    /// Validated (deposited or reconciled), newest first; those before a deposit, when
    /// given (the next page).
    Deposits(Option<CashupId>),
    /// One collector's, newest first.
    Of(UserId),
    /// Just that one.
    Just(CashupId),
}

/// A list of the commune's cash-ups, `limit` at most.
pub fn list(
    conn: &mut DbConn,
    commune: CommuneId,
    which: Which,
    limit: i64,
) -> QueryResult<Vec<Cashup>> {
    let base = cashups::table
        .inner_join(people::table.on(people::id.eq(cashups::collector_id)))
        .left_join(validators.on(cashups::validated_by.eq(validators.field(people::id).nullable())))
        .filter(cashups::commune_id.eq(commune))
        .select((
            (
                cashups::id,
                cashups::collector_id,
                people::name,
                cashups::day,
                cashups::declared_at,
                cashups::receipts,
                cashups::cash_expected,
                cashups::other_total,
            ),
            (
                cashups::cash_declared,
                cashups::status,
                cashups::cash_received,
                cashups::difference,
                cashups::note,
                validators.field(people::name).nullable(),
                cashups::validated_at,
                cashups::deposit_number,
            ),
        ))
        .limit(limit)
        .into_boxed();
    let q = match which {
        Which::ToValidate => base
            .filter(cashups::status.eq(State::Declared))
            .order(cashups::id.asc()),
        Which::Deposits(before) => base
            .filter(cashups::status.ne(State::Declared))
            .filter(cashups::id.lt(before.map_or(i64::MAX, |b| b.0)))
            .order(cashups::id.desc()),
        Which::Of(user) => base
            .filter(cashups::collector_id.eq(user))
            .order(cashups::id.desc()),
        Which::Just(id) => base.filter(cashups::id.eq(id)),
    };
    Ok(q.load::<Row>(conn)?.into_iter().map(from_row).collect())
}

/// One cash-up of the commune, or `None`.
pub fn one(conn: &mut DbConn, commune: CommuneId, id: CashupId) -> QueryResult<Option<Cashup>> {
    Ok(list(conn, commune, Which::Just(id), 1)?.pop())
}
