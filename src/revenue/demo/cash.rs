//! The demo's cash, from the collectors' hands to the bank, through the treasury's own
//! functions: each collector declares a cash-up every evening they collected, the
//! treasurer validates it the next working morning (a numbered deposit), and the bank's
//! statement of each past month reconciles the month's deposits and mobile money.
//!
//! What the pages then show is true of a real commune:
//! - the second collector is short about one evening in seven: he declares the cash he
//!   holds, a little less than his receipts, and the treasurer records the shortfall;
//! - the first collector has not declared his last day yet: cash not yet deposited;
//! - the second collector's last cash-up waits for the treasurer;
//! - this month's deposits are not on a statement yet, and the last statement has a
//!   transfer nobody can name and the bank's fees, listed as unmatched.

use std::collections::BTreeMap;
use std::io::Cursor;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{commune_to_utc, Staff};
use crate::audit::Actor;
use crate::communes::Commune;
use crate::db::schema::{cashups, payments};
use crate::db::{self, DbConn};
use crate::error::DomainResult;
use crate::ids::{CashupId, PaymentId, UserId};
use crate::money::Xof;
use crate::revenue::payments::{Method, Status};
use crate::revenue::treasury::cashups::{self as cash_ups, Count};
use crate::revenue::treasury::{bank, When};
use crate::tabular::{import, CsvSource};

/// One collector's receipts of one day.
#[derive(Debug, Default)]
struct Day {
    /// The last receipt of the day: the cash-up takes every receipt up to it.
    through: Option<PaymentId>,
    cash: i64,
}

/// Every cash-up, deposit and bank statement of the demo's history.
pub fn history(conn: &mut DbConn, commune: &Commune, staff: &Staff) -> anyhow::Result<()> {
    let Some((treasurer, treasurer_actor)) = &staff.treasurer else {
        return Ok(());
    };
    let days = by_day(conn, commune, staff)?;
    let mut rng = StdRng::seed_from_u64(u64::from_le_bytes(*b"caisses!"));
    // Each collector's last day: the first one has not declared it yet, the second
    // one's cash-up waits for the treasurer.
    let last = |user: &UserId| {
        days.iter()
            .rev()
            .find(|(_, c)| c.contains_key(user))
            .map(|(d, _)| *d)
    };
    let lasts: Vec<Option<NaiveDate>> = staff.collectors.iter().map(|(u, _)| last(u)).collect();
    let mut waiting: Vec<(CashupId, Xof, String)> = Vec::new();
    for (day, collectors) in &days {
        // The morning: the treasurer counts the cash-ups of the evening before.
        let morning = When {
            day: *day,
            at: at(commune, *day, 9, 15),
        };
        for (id, received, note) in waiting.drain(..) {
            let counted = Count { received, note };
            db::write_tx(conn, |c| {
                cash_ups::validate(
                    c,
                    commune,
                    id,
                    &counted,
                    morning,
                    treasurer_actor,
                    *treasurer,
                )
            })?;
        }
        // The evening: each collector hands over the day's cash.
        let evening = When {
            day: *day,
            at: at(commune, *day, 17, 40),
        };
        for (i, (user, actor)) in staff.collectors.iter().enumerate() {
            let Some(Day {
                through: Some(through),
                cash,
            }) = collectors.get(user)
            else {
                continue;
            };
            let last_day = lasts[i] == Some(*day);
            if i == 0 && last_day {
                continue; // not declared yet: cash the commune has not received
            }
            let short = if i == 1 && *cash > 0 && rng.gen_ratio(1, 7) {
                (rng.gen_range(1..=20) * 500).min(*cash)
            } else {
                0
            };
            let held = Xof(cash - short);
            let id = db::write_tx(conn, |c| {
                cash_ups::declare(c, commune, *user, *through, held, evening, actor)
            })?;
            let note = if short > 0 {
                "Manquant de caisse constaté au comptage, à reverser par le collecteur".to_string()
            } else {
                String::new()
            };
            if !last_day {
                waiting.push((id, held, note));
            }
        }
    }
    statements(conn, commune, treasurer_actor)
}

/// Each collector's cash and last receipt, by the commune's day.
fn by_day(
    conn: &mut DbConn,
    commune: &Commune,
    staff: &Staff,
) -> DomainResult<BTreeMap<NaiveDate, BTreeMap<UserId, Day>>> {
    let ids: Vec<UserId> = staff.collectors.iter().map(|(u, _)| *u).collect();
    let rows: Vec<(PaymentId, UserId, NaiveDateTime, Method, Xof)> = payments::table
        .filter(payments::commune_id.eq(commune.id))
        .filter(payments::received_by.eq_any(&ids))
        .filter(payments::status.ne(Status::Cancelled))
        .order(payments::id.asc())
        .select((
            payments::id,
            payments::received_by,
            payments::received_at,
            payments::method,
            payments::amount,
        ))
        .load(conn)?;
    let tz = commune.tz();
    let mut days: BTreeMap<NaiveDate, BTreeMap<UserId, Day>> = BTreeMap::new();
    for (id, user, received, method, amount) in rows {
        let local = received.and_utc().with_timezone(&tz).date_naive();
        let day = days.entry(local).or_default().entry(user).or_default();
        day.through = Some(id);
        if method == Method::Cash {
            day.cash += amount.0;
        }
    }
    Ok(days)
}

fn at(commune: &Commune, day: NaiveDate, hour: u32, minute: u32) -> NaiveDateTime {
    let time = NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default();
    commune_to_utc(commune, day.and_time(time))
}

/// One statement for each month before this one: the month's deposits, credited the
/// next day, and its mobile-money receipts, credited by the operator.
fn statements(conn: &mut DbConn, commune: &Commune, actor: &Actor) -> anyhow::Result<()> {
    let today = commune.today();
    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let deposits: Vec<(String, Xof, NaiveDateTime)> = cashups::table
        .filter(cashups::commune_id.eq(commune.id))
        .filter(cashups::deposit_number.is_not_null())
        .order(cashups::id.asc())
        .select((
            cashups::deposit_number.assume_not_null(),
            cashups::cash_received.assume_not_null(),
            cashups::validated_at.assume_not_null(),
        ))
        .load(conn)?;
    let mobile: Vec<(String, Xof, NaiveDateTime)> = payments::table
        .filter(payments::commune_id.eq(commune.id))
        .filter(payments::method.eq(Method::MobileMoney))
        .filter(payments::status.eq(Status::Recorded))
        .filter(payments::method_reference.is_not_null())
        .order(payments::id.asc())
        .select((
            payments::method_reference.assume_not_null(),
            payments::amount,
            payments::received_at,
        ))
        .load(conn)?;
    let mut months: BTreeMap<NaiveDate, String> = BTreeMap::new();
    for (reference, amount, when) in deposits.iter().chain(&mobile) {
        // The bank's last days and this month are not on a statement yet.
        let credited = when.date() + chrono::Duration::days(1);
        if amount.0 == 0 || credited >= this_month || credited > today - chrono::Duration::days(3) {
            continue;
        }
        let month =
            NaiveDate::from_ymd_opt(credited.year(), credited.month(), 1).unwrap_or(credited);
        let label = if reference.starts_with("VER-") {
            "VERSEMENT ESPECES TRESOR"
        } else {
            "REGLEMENT MOBILE MONEY"
        };
        months
            .entry(month)
            .or_insert_with(|| String::from("date,reference,amount,label\n"))
            .push_str(&format!("{credited},{reference},{},{label}\n", amount.0));
    }
    if let Some((month, csv)) = months.iter_mut().next_back() {
        let day = *month + chrono::Duration::days(27);
        csv.push_str(&format!(
            "{day},VIR-0042-INCONNU,150000,VIREMENT RECU SANS REFERENCE\n"
        ));
        csv.push_str(&format!(
            "{day},FRAIS-{},-2500,FRAIS DE TENUE DE COMPTE\n",
            month.format("%Y%m")
        ));
    }
    for (month, csv) in months {
        let opts = import::Options {
            update: false,
            file_name: format!("releve-{}.csv", month.format("%Y-%m")),
            file_sha256: {
                use sha2::{Digest, Sha256};
                hex::encode(Sha256::digest(csv.as_bytes()))
            },
        };
        let source = CsvSource::from_reader(Cursor::new(csv.into_bytes()))
            .map_err(|i| anyhow::anyhow!("the demo's statement of {month}: {i}"))?;
        match bank::import(conn, commune, source, &opts, actor)? {
            import::Outcome::Applied(..) => {}
            import::Outcome::Rejected(report) => {
                anyhow::bail!(
                    "the demo's statement of {month}: {:?}",
                    report.issues().first()
                )
            }
        }
    }
    Ok(())
}
