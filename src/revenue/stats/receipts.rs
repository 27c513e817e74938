//! Who received what: each collector's receipts of a year, and the cash not yet
//! handed over to the treasurer.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use serde::Serialize;

use super::{receipts_between, total, year_days};
use crate::accounts::users;
use crate::db::schema::payments;
use crate::db::DbConn;
use crate::ids::{CommuneId, UserId};
use crate::money::Xof;
use crate::revenue::method::{Method, Status};

/// What one collector received in the year.
#[derive(Debug, Clone, Serialize)]
pub struct Collector {
    pub user: UserId,
    pub name: String,
    pub receipts: i64,
    pub amount: Xof,
    pub cash: Xof,
    pub mobile: Xof,
}

/// What each collector received in `year` (valid receipts, tickets included), most
/// first.
pub fn by_collector(
    conn: &mut DbConn,
    commune: CommuneId,
    year: i64,
) -> QueryResult<Vec<Collector>> {
    let (first, last) = year_days(year);
    let rows: Vec<(UserId, Method, i64, i64)> = payments::table
        .filter(receipts_between(commune, first, last))
        .group_by((payments::received_by, payments::method))
        .select((
            payments::received_by,
            payments::method,
            count_star(),
            total("payments.amount"),
        ))
        .load(conn)?;
    let ids: Vec<UserId> = rows.iter().map(|r| r.0).collect();
    let names = users::names(conn, &ids)?;
    let mut by: HashMap<UserId, Collector> = HashMap::new();
    for (user, method, n, amount) in rows {
        let c = by.entry(user).or_insert_with(|| Collector {
            user,
            name: names.get(&user).cloned().unwrap_or_default(),
            receipts: 0,
            amount: Xof::ZERO,
            cash: Xof::ZERO,
            mobile: Xof::ZERO,
        });
        c.receipts += n;
        c.amount = Xof(c.amount.0.saturating_add(amount));
        match method {
            Method::Cash => c.cash = Xof(c.cash.0.saturating_add(amount)),
            Method::MobileMoney => c.mobile = Xof(c.mobile.0.saturating_add(amount)),
            _ => {}
        }
    }
    let mut out: Vec<Collector> = by.into_values().collect();
    out.sort_by(|a, b| (b.amount, &a.name).cmp(&(a.amount, &b.name)));
    Ok(out)
}

/// Cash a collector received and has not handed over yet.
#[derive(Debug, Clone, Serialize)]
pub struct Undeposited {
    pub user: UserId,
    pub name: String,
    pub receipts: i64,
    pub amount: Xof,
    /// The date of the oldest such receipt.
    pub oldest: NaiveDate,
}

/// Cash receipts still `recorded` (not deposited, not cancelled), by collector, most
/// first.
pub fn undeposited(conn: &mut DbConn, commune: CommuneId) -> QueryResult<Vec<Undeposited>> {
    let rows: Vec<(UserId, i64, i64, Option<NaiveDate>)> = payments::table
        .filter(payments::commune_id.eq(commune))
        .filter(payments::method.eq(Method::Cash))
        .filter(payments::status.eq(Status::Recorded))
        .group_by(payments::received_by)
        .select((
            payments::received_by,
            count_star(),
            total("payments.amount"),
            min(payments::paid_on),
        ))
        .load(conn)?;
    let ids: Vec<UserId> = rows.iter().map(|r| r.0).collect();
    let names = users::names(conn, &ids)?;
    let mut out: Vec<Undeposited> = rows
        .into_iter()
        .map(|(user, receipts, amount, oldest)| Undeposited {
            user,
            name: names.get(&user).cloned().unwrap_or_default(),
            receipts,
            amount: Xof(amount),
            oldest: oldest.unwrap_or(NaiveDate::MIN),
        })
        .collect();
    out.sort_by(|a, b| (b.amount, &a.name).cmp(&(a.amount, &b.name)));
    Ok(out)
}
