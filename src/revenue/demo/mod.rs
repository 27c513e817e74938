//! A lived-in demo: a register of a few thousand generated taxpayers, and a year and a
//! half of collection recorded through the same functions as the counter, day by day:
//! last year's and this year's rolls of the commune's own taxes, payments (on time,
//! late, partial, or never: arrears), a share by mobile money, two collectors, and the
//! market tickets of every market day. Generated from a fixed seed, so every start
//! gives the same figures. Only `serve`'s demo loads it; the tests' demo stays small.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

mod cash;

pub use cash::history as cash_history;

use super::payments::{self, tickets, Channel, Method, NewPayment};
use super::{ledger, rolls, tax_types, Seen};
use crate::audit::Actor;
use crate::communes::Commune;
use crate::db::{self, DbConn};
use crate::error::{DomainError, DomainResult};
use crate::ids::{TaxpayerId, UserId};
use crate::money::Xof;

/// How big the lived-in demo is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    /// Taxpayers in the generated register.
    pub taxpayers: usize,
    /// Market tickets sold a market day: at least, and fewer than.
    pub tickets: (u32, u32),
}

impl Size {
    /// `serve`'s demo: two thousand taxpayers, a dozen to thirty tickets a day.
    pub const DEMO: Size = Size {
        taxpayers: 2_000,
        tickets: (12, 30),
    };
}

const FIRST: &[&str] = &[
    "Awa",
    "Moussa",
    "Fatou",
    "Ibrahima",
    "Aminata",
    "Cheikh",
    "Mariama",
    "Ousmane",
    "Khady",
    "Abdoulaye",
    "Ndèye",
    "Mamadou",
    "Coumba",
    "Babacar",
    "Aïssatou",
    "Modou",
    "Koffi",
    "Afiavi",
    "Sèna",
    "Romaric",
    "Bernadette",
    "Rachidatou",
    "Fidèle",
    "Gisèle",
    "Codjo",
    "Houénou",
];
const LAST: &[&str] = &[
    "Ndiaye",
    "Diallo",
    "Sarr",
    "Fall",
    "Diop",
    "Ba",
    "Sow",
    "Gueye",
    "Faye",
    "Mbaye",
    "Cissé",
    "Kane",
    "Thiam",
    "Seck",
    "Dossou",
    "Agbo",
    "Tossou",
    "Houngbédji",
    "Adjibi",
    "Akpovi",
    "Zinsou",
    "Hounkpatin",
    "Agossou",
    "Kiki",
];

/// The generated register, as the import files `taxpayers.csv` and `items.csv` spell
/// it, so that it goes through the import's checks like any register.
pub fn register(
    commune: &Commune,
    districts: &[String],
    taxes: &[tax_types::TaxTypeView],
    size: Size,
) -> (String, String) {
    let mut rng = StdRng::seed_from_u64(u64::from_le_bytes(*b"registre"));
    let mut people = String::from("ref,name,kind,district,phone,email,id_number,address,gps\n");
    let mut items = String::from(
        "ref,taxpayer_ref,kind,district,address,rental_value,market_value,area,category,market,stall_number\n",
    );
    // The commune's own yearly or monthly taxes, each assessed on one kind of item.
    let own: Vec<&tax_types::TaxTypeView> = taxes
        .iter()
        .filter(|v| !v.tax.assessed_by_state() && v.tax.period != "daily" && v.tax.active)
        .collect();
    let dial = if commune.code == "ACV" { "01 9" } else { "77 " };
    for i in 1..=size.taxpayers {
        let reference = format!("{}-G{i:05}", commune.code);
        let name = format!(
            "{} {}",
            FIRST[rng.gen_range(0..FIRST.len())],
            LAST[rng.gen_range(0..LAST.len())]
        );
        let district = &districts[rng.gen_range(0..districts.len())];
        let phone = format!(
            "{dial}{:03} {:02} {:02}",
            rng.gen_range(100..999),
            rng.gen_range(10..99),
            rng.gen_range(10..99)
        );
        people.push_str(&format!(
            "{reference},{name},person,{district},{phone},,,,\n"
        ));
        if own.is_empty() {
            continue;
        }
        let view = own[i % own.len()];
        let tax = &view.tax;
        let categories: Vec<&String> = view.tariffs.keys().collect();
        let category = match categories.len() {
            0 => String::new(),
            n => categories[rng.gen_range(0..n)].clone(),
        };
        let (rental, market, area) = match tax.base.as_deref() {
            Some("rental_value") => (rng.gen_range(6..60) * 100_000, 0, 0),
            Some("market_value") => (0, rng.gen_range(20..200) * 500_000, 0),
            Some("area") => (0, 0, rng.gen_range(1..12)),
            _ => (0, 0, 0),
        };
        let blank = |v: i64| if v == 0 { String::new() } else { v.to_string() };
        let stall = if tax.item_kind == "stall" {
            (format!("Marché {district}"), format!("{i}"))
        } else {
            (String::new(), String::new())
        };
        items.push_str(&format!(
            "{}-GI{i:05},{reference},{},{district},,{},{},{},{category},{},{}\n",
            commune.code,
            tax.item_kind,
            blank(rental),
            blank(market),
            blank(area),
            stall.0,
            stall.1,
        ));
    }
    (people, items)
}

/// Who collects in the demo, and who is in charge.
pub struct Staff {
    pub officer: Actor,
    /// Two collectors: the second one is the one whose cash-ups come up short.
    pub collectors: [(UserId, Actor); 2],
    /// Who validates the cash-ups; without one, the cash stays with the collectors.
    pub treasurer: Option<(UserId, Actor)>,
}

/// Last year's rolls of the commune's own taxes, generated and issued (the arrears),
/// then every payment and ticket from the first of January last year to yesterday.
/// Their cash-ups and the bank's statements follow ([`cash_history`]).
pub fn history(
    conn: &mut DbConn,
    commune: &Commune,
    staff: &Staff,
    size: Size,
) -> DomainResult<usize> {
    let today = commune.today();
    let year = today.year();
    for tax in tax_types::list(conn, commune.id)?
        .into_iter()
        .map(|v| v.tax)
    {
        if tax.assessed_by_state() || tax.period == "daily" || !tax.active {
            continue;
        }
        if rolls::find(conn, commune.id, tax.id, i64::from(year - 1))?.is_some() {
            continue;
        }
        db::write_tx(conn, |c| {
            rolls::generate(c, commune, &tax, year - 1, &staff.officer)
        })?;
        let roll = rolls::find(conn, commune.id, tax.id, i64::from(year - 1))?
            .ok_or(DomainError::Db(diesel::result::Error::NotFound))?;
        let seen = Seen {
            lines: roll.line_count,
            total: roll.total,
        };
        db::write_tx(conn, |c| {
            rolls::issue(c, commune.id, roll.id, seen, &staff.officer)
        })?;
    }
    let mut rng = StdRng::seed_from_u64(u64::from_le_bytes(*b"encaisse"));
    let mut plan = payments_plan(conn, commune, today, size, &mut rng)?;
    plan.extend(tickets_plan(conn, commune, today, size, &mut rng)?);
    plan.sort_by_key(|p| p.at);
    let mut n = 0;
    for (i, p) in plan.iter().enumerate() {
        let (user, actor) = &staff.collectors[usize::from(p.second)];
        let day = p.at.date();
        let at = commune_to_utc(commune, p.at);
        let token = format!("demo-{i}");
        let done = match &p.what {
            What::Pay(t, amount, mobile) => {
                let pay = NewPayment {
                    taxpayer: *t,
                    amount: *amount,
                    method: if *mobile {
                        Method::MobileMoney
                    } else {
                        Method::Cash
                    },
                    reference: mobile.then(|| format!("DEMO-MM-{i:07}")),
                    token,
                    paid_on: None,
                    channel: if *mobile {
                        Channel::MobileMoney
                    } else {
                        Channel::Counter
                    },
                };
                db::write_tx(conn, |c| {
                    payments::record_at(c, commune, &pay, day, actor, (*user, at))
                })
            }
            What::Ticket(ticket) => {
                let mut ticket = ticket.clone();
                ticket.token = token;
                db::write_tx(conn, |c| {
                    tickets::sell_at(c, commune, &ticket, day, actor, (*user, at))
                })
            }
        };
        match done {
            Ok(_) => n += 1,
            // A payment planned above what is still owed (an earlier one settled more
            // than its line): skipped, as a collector would.
            Err(DomainError::Refused(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

enum What {
    Pay(TaxpayerId, Xof, bool),
    Ticket(tickets::NewTicket),
}

struct Planned {
    /// The commune's local time.
    at: NaiveDateTime,
    /// Received by the second collector.
    second: bool,
    what: What,
}

fn commune_to_utc(commune: &Commune, local: NaiveDateTime) -> NaiveDateTime {
    use chrono::TimeZone;
    commune
        .tz()
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.naive_utc())
        .unwrap_or(local)
}

/// A working day and hour near `day`, never after `last`.
fn working_time(day: NaiveDate, last: NaiveDate, rng: &mut StdRng) -> Option<NaiveDateTime> {
    let mut d = day.min(last);
    while d.weekday() == Weekday::Sun {
        d -= Duration::days(1);
    }
    let time = NaiveTime::from_hms_opt(rng.gen_range(8..17), rng.gen_range(0..60), 0)?;
    Some(d.and_time(time))
}

/// Each generated taxpayer's payments: most pay each line around its due date, some
/// late and in part, some never (the arrears); one in five pays by mobile money.
fn payments_plan(
    conn: &mut DbConn,
    commune: &Commune,
    today: NaiveDate,
    size: Size,
    rng: &mut StdRng,
) -> DomainResult<Vec<Planned>> {
    let yesterday = today - Duration::days(1);
    let start = NaiveDate::from_ymd_opt(today.year() - 1, 1, 2).unwrap_or(today);
    let mut out = Vec::new();
    for i in 1..=size.taxpayers {
        let reference = format!("{}-G{i:05}", commune.code);
        let Some(t) = super::taxpayers::by_ref(conn, commune.id, &reference)? else {
            continue;
        };
        let profile: f64 = rng.gen();
        if profile < 0.18 {
            continue; // never pays
        }
        let late = profile < 0.45;
        let mobile = rng.gen_bool(0.2);
        let second = rng.gen_bool(0.4);
        for line in ledger::of(conn, t.id, today)?.lines {
            let (offset, share) = if late {
                (rng.gen_range(20..150), rng.gen_range(4..=10))
            } else {
                (rng.gen_range(-25..10), 10)
            };
            let day = line.row.due_date + Duration::days(offset);
            if day < start || day > yesterday || (late && rng.gen_bool(0.3)) {
                continue;
            }
            let amount = Xof(line.row.amount.0 * share / 10);
            if amount.0 <= 0 {
                continue;
            }
            if let Some(at) = working_time(day, yesterday, rng) {
                out.push(Planned {
                    at,
                    second,
                    what: What::Pay(t.id, amount, mobile),
                });
            }
        }
    }
    Ok(out)
}

/// The market tickets of every market day (Monday to Saturday) of this year and last,
/// one to three days each, at the stall's tariff.
fn tickets_plan(
    conn: &mut DbConn,
    commune: &Commune,
    today: NaiveDate,
    size: Size,
    rng: &mut StdRng,
) -> DomainResult<Vec<Planned>> {
    let mut out = Vec::new();
    let fees: Vec<tickets::Fee> = tickets::fees(conn, commune)?
        .into_iter()
        .filter(|f| !f.tariffs.is_empty())
        .collect();
    let Some(fee) = fees.first() else {
        return Ok(out);
    };
    let categories: Vec<(&String, &Xof)> = fee.tariffs.iter().collect();
    let mut day = NaiveDate::from_ymd_opt(today.year() - 1, 1, 2).unwrap_or(today);
    while day < today {
        if day.weekday() != Weekday::Sun {
            for _ in 0..rng.gen_range(size.tickets.0..size.tickets.1) {
                let (category, unit) = categories[rng.gen_range(0..categories.len())];
                let days = rng.gen_range(1..=3);
                let stall = rng.gen_range(1..=120);
                let Some(at) = working_time(day, day, rng) else {
                    continue;
                };
                out.push(Planned {
                    at,
                    second: rng.gen_bool(0.5),
                    what: What::Ticket(tickets::NewTicket {
                        tax: fee.code.clone(),
                        category: Some(category.clone()),
                        taxpayer: None,
                        payer: Some(format!("Étal {stall}")),
                        amount: Xof(unit.0 * days),
                        method: Method::Cash,
                        reference: None,
                        token: String::new(),
                        paid_on: None,
                        channel: Channel::Api,
                    }),
                });
            }
        }
        day += Duration::days(1);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_demo_payment_falls_on_a_working_day_and_never_after_yesterday() {
        let mut rng = StdRng::seed_from_u64(1);
        let sunday = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let last = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let at = working_time(sunday, last, &mut rng).unwrap();
        assert_eq!(at.date().weekday(), Weekday::Sat);
        let later = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
        assert!(working_time(later, last, &mut rng).unwrap().date() <= last);
    }
}
