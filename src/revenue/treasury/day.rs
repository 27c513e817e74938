//! **The treasurer's day**: for each collector, the receipts of the day (how many, the
//! cash, the mobile money and other means), and the cash they hold that is not deposited
//! yet, whatever its day (declared in a cash-up or not).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde::Serialize;

use crate::accounts::users;
use crate::db::schema::payments;
use crate::db::DbConn;
use crate::ids::{CommuneId, UserId};
use crate::money::Xof;
use crate::revenue::payments::{Method, Status};

/// One collector's line.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Collector {
    pub user: UserId,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// What a collector received on the day, and holds.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Figures {
    pub receipts: i64,
    pub cash: Xof,
    pub other: Xof,
    /// Cash receipts of any day not deposited with the treasurer yet.
    pub not_deposited: Xof,
}

/// The day's lines, by name, and their total.
#[derive(Debug, Clone, Serialize)]
pub struct Day {
    pub day: NaiveDate,
    pub collectors: Vec<Collector>,
    pub total: Figures,
}

/// The receipts of `day` (the day the money changed hands) by whoever received them,
/// and what each still holds in cash.
pub fn of(conn: &mut DbConn, commune: CommuneId, day: NaiveDate) -> QueryResult<Day> {
    let sum = || sql::<BigInt>("CAST(COALESCE(SUM(payments.amount), 0) AS BIGINT)");
    let received: Vec<(UserId, Method, i64, i64)> = payments::table
        .filter(payments::commune_id.eq(commune))
        .filter(payments::paid_on.eq(day))
        .filter(payments::status.ne(Status::Cancelled))
        .group_by((payments::received_by, payments::method))
        .select((
            payments::received_by,
            payments::method,
            diesel::dsl::count_star(),
            sum(),
        ))
        .load(conn)?;
    let held: Vec<(UserId, i64)> = payments::table
        .filter(payments::commune_id.eq(commune))
        .filter(payments::status.eq(Status::Recorded))
        .filter(payments::method.eq(Method::Cash))
        .group_by(payments::received_by)
        .select((payments::received_by, sum()))
        .load(conn)?;
    let mut by: BTreeMap<UserId, Figures> = BTreeMap::new();
    let mut total = Figures::default();
    for (user, method, n, amount) in received {
        let f = by.entry(user).or_default();
        f.receipts += n;
        total.receipts += n;
        let (mine, all) = match method {
            Method::Cash => (&mut f.cash, &mut total.cash),
            _ => (&mut f.other, &mut total.other),
        };
        mine.0 += amount;
        all.0 += amount;
    }
    for (user, amount) in held {
        by.entry(user).or_default().not_deposited.0 += amount;
        total.not_deposited.0 += amount;
    }
    let ids: Vec<UserId> = by.keys().copied().collect();
    let names = users::names(conn, &ids)?;
    let mut collectors: Vec<Collector> = by
        .into_iter()
        .map(|(user, figures)| Collector {
            user,
            name: names.get(&user).cloned().unwrap_or_default(),
            figures,
        })
        .collect();
    collectors.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Day {
        day,
        collectors,
        total,
    })
}
