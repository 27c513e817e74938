//! The demo communes' budgets, made through the same functions as the desk: two past
//! years voted and published (the earlier one executed, with its compte administratif
//! drawn from its records and published), the current year published and in execution
//! up to today, and next year's draft holding the winners of the participatory round
//! in implementation. The amounts are illustrative, of the order of a large urban
//! commune's (a few billion francs CFA).

use chrono::{Datelike, NaiveDate};

use super::documents::{self, Kind, Vote};
use super::nomenclature::{self, Direction, Section};
use super::spending::{self, Record};
use super::{account, balance};
use crate::audit::Actor;
use crate::communes::{Commune, Country};
use crate::db::{self, DbConn};
use crate::error::DomainResult;
use crate::ids::{DocumentId, RoundId};
use crate::money::Xof;

/// Who does what in the demo: the ordonnateur's officer, a councillor, the treasurer.
pub struct Staff {
    pub officer: Actor,
    pub councillor: Actor,
    pub treasurer: Actor,
}

/// This year's primitif, in millions of francs: (Senegal's article, Benin's article,
/// amount). The operating surplus goes to capital, and the last capital line
/// ("other equipment") takes what is left, so that every year balances.
const LINES: &[(&str, &str, i64)] = &[
    // Operating revenue
    ("7011", "7111", 1_450),
    ("7012", "7112", 120),
    ("7013", "7121", 380),
    ("7021", "7131", 1_900),
    ("7031", "7141", 260),
    ("7032", "7142", 140),
    ("7411", "7411", 520),
    ("7511", "7511", 30),
    ("7521", "7521", 90),
    // Operating spending
    ("6011", "6111", 1_650),
    ("6111", "6211", 310),
    ("6121", "6221", 420),
    ("6131", "6231", 560),
    ("6141", "6241", 280),
    ("6151", "6251", 190),
    ("6411", "6411", 240),
    ("6421", "6421", 150),
    ("6611", "6611", 60),
    // Capital revenue (besides the transfer)
    ("1311", "1311", 300),
    ("1321", "1321", 250),
    // Capital spending (besides the balancing line)
    ("2111", "2111", 350),
    ("2121", "2121", 480),
    ("2122", "2122", 120),
    ("2131", "2131", 90),
    ("2141", "2141", 200),
    ("2151", "2151", 110),
    ("2161", "2161", 150),
    ("2171", "2171", 130),
    ("1661", "1661", 60),
];

/// The share of this year's amounts a year had, in per cent.
fn scale(years_back: i64) -> i64 {
    match years_back {
        2 => 86,
        1 => 93,
        0 => 100,
        _ => 105,
    }
}

/// A year's balanced lines: `percent` of [`LINES`], in whole millions, with the
/// transfer, the balancing capital line and any loan computed (1611 is the loans
/// article in both countries' nomenclatures).
fn year_lines(country: Country, percent: i64, extra_capital: i64) -> Vec<(String, Xof)> {
    let n = nomenclature::of(country);
    let million = 1_000_000;
    let mut lines: Vec<(String, Xof)> = LINES
        .iter()
        .map(|(sn, bj, m)| {
            let code = if country == Country::Senegal { sn } else { bj };
            (code.to_string(), Xof(m * percent / 100 * million))
        })
        .collect();
    let amounts: Vec<(String, i64)> = lines.iter().map(|(c, v)| (c.clone(), v.0)).collect();
    let t = balance::totals(n, &amounts);
    let surplus = t.operating_revenue - t.operating_spending;
    let (out, into) = n.transfer();
    lines.push((out.code.clone(), Xof(surplus)));
    lines.push((into.code.clone(), Xof(surplus)));
    // What capital revenue leaves goes to other equipment; a year short of it (or left
    // with less than 50 million for it) borrows the difference.
    let other = n.for_topic("other").expect("an article for other projects");
    let left = t.capital_revenue + surplus - t.capital_spending - extra_capital;
    let floor = 50 * million;
    if left < floor {
        lines.push(("1611".to_string(), Xof(floor - left)));
    }
    lines.push((other.code.clone(), Xof(left.max(floor))));
    lines
}

fn date(year: i64, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year as i32, month, day).expect("a valid demo date")
}

/// Votes, approves and publishes a proposed document, as the council and the tutelle
/// did on those dates.
fn decide(
    conn: &mut DbConn,
    commune: &Commune,
    doc: DocumentId,
    voted: NaiveDate,
    number: &str,
    staff: &Staff,
) -> DomainResult<()> {
    documents::propose(conn, commune, doc, &staff.officer)?;
    let vote = Vote {
        on: voted,
        deliberation: number.to_string(),
        votes_for: 38,
        against: 4,
        abstentions: 3,
    };
    documents::record_vote(conn, commune, doc, &vote, &staff.councillor)?;
    let approved = (voted + chrono::Days::new(21)).min(commune.today());
    let reference = format!(
        "Arrêté préfectoral n° {}-{:03}",
        approved.year(),
        doc.0 % 1000
    );
    documents::approve(conn, commune, doc, approved, &reference, &staff.councillor)?;
    documents::publish(conn, commune, doc, &staff.councillor)?;
    Ok(())
}

/// A primitif for `year`, from draft to publication.
fn primitif(
    conn: &mut DbConn,
    commune: &Commune,
    year: i64,
    staff: &Staff,
) -> DomainResult<DocumentId> {
    let title = format!("Budget primitif {year}");
    let doc = documents::create(conn, commune, year, Kind::Primitif, &title, &staff.officer)?;
    let lines = year_lines(commune.country, scale(commune_year(commune) - year), 0);
    documents::set_lines(conn, commune, doc, &lines, &staff.officer)?;
    let number = format!("{}-{:03}", year - 1, 40 + year % 10);
    decide(conn, commune, doc, date(year - 1, 12, 14), &number, staff)?;
    Ok(doc)
}

fn commune_year(commune: &Commune) -> i64 {
    i64::from(commune.today().year())
}

/// A year's execution: each spending line committed, ordered and paid to the given
/// shares of its credit (per mille), and revenue titles for the lines that do not pass
/// the counter (or, for a year before Commune, for every revenue line).
fn execute(
    conn: &mut DbConn,
    commune: &Commune,
    year: i64,
    shares: (i64, i64, bool),
    all_revenue: bool,
    staff: &Staff,
) -> DomainResult<()> {
    let (committed, ordered, pay_all) = shares;
    let n = nomenclature::of(commune.country);
    let today = commune.today();
    let credits = documents::credits(conn, commune.id, year)?;
    let on = |month: u32, day: u32| date(year, month, day).min(today);
    for (i, (article, credit)) in credits.iter().enumerate() {
        let Some(line) = n.article(article) else {
            continue;
        };
        if line.transfer {
            continue;
        }
        // A little variety from line to line: up to 4 % less.
        let wobble = (i as i64 * 7) % 40;
        let round = |v: i64| v / 1_000 * 1_000;
        match line.direction {
            Direction::Spending => {
                let amount = round(credit * (committed - wobble) / 1_000);
                if amount <= 0 {
                    continue;
                }
                let reference = format!("ENG-{year}-{:03}", i + 1);
                let record = Record {
                    reference: reference.clone(),
                    on: Some(on(2, 10 + (i % 15) as u32)),
                    article: article.clone(),
                    amount: Xof(amount),
                    label: line.name("fr").to_string(),
                    commitment: String::new(),
                };
                spending::commit(conn, commune, year, &record, &staff.officer)?;
                let order = Record {
                    reference: format!("MDT-{year}-{:03}", i + 1),
                    on: Some(on(6, 1 + (i % 28) as u32)),
                    amount: Xof(round(amount * ordered / 1_000)),
                    commitment: reference,
                    ..record
                };
                let id = spending::order(conn, commune, year, &order, &staff.officer)?;
                if pay_all || i % 4 != 0 {
                    spending::pay(conn, commune, year, id, on(7, 15), &staff.treasurer)?;
                }
            }
            Direction::Revenue => {
                let counter = line.section == Section::Operating
                    && article.starts_with('7')
                    && !["7411"].contains(&article.as_str());
                if counter && !all_revenue {
                    continue;
                }
                let share = if line.section == Section::Capital {
                    700
                } else {
                    960
                };
                let amount = round(credit * (share - wobble) / 1_000);
                let record = Record {
                    reference: format!("TR-{year}-{:03}", i + 1),
                    on: Some(on(12, 20)),
                    article: article.clone(),
                    amount: Xof(amount),
                    label: if counter {
                        format!("Recouvrements de l’exercice {year} (reprise des comptes)")
                    } else {
                        line.name("fr").to_string()
                    },
                    commitment: String::new(),
                };
                spending::title(conn, commune, year, &record, &staff.officer)?;
            }
        }
    }
    Ok(())
}

/// Loads the demo budgets of `commune`; `round` is its participatory round in
/// implementation, whose winners go into next year's draft.
pub fn load(
    conn: &mut DbConn,
    commune: &Commune,
    round: Option<RoundId>,
    staff: &Staff,
) -> DomainResult<()> {
    let year = commune_year(commune);
    db::write_tx(conn, |conn| -> DomainResult<()> {
        // Two years ago: voted, executed in full, its compte administratif published.
        primitif(conn, commune, year - 2, staff)?;
        execute(conn, commune, year - 2, (960, 950, true), true, staff)?;
        let account = account::draft_account(conn, commune, year - 2, &staff.officer)?;
        decide(
            conn,
            commune,
            account,
            date(year - 1, 6, 20),
            &format!("{}-021", year - 1),
            staff,
        )?;
        // Last year: voted and published.
        primitif(conn, commune, year - 1, staff)?;
        // This year: published, and in execution up to today.
        primitif(conn, commune, year, staff)?;
        execute(conn, commune, year, (780, 800, false), false, staff)?;
        // Next year: the draft, with the citizens' projects.
        let title = format!("Budget primitif {} (projet)", year + 1);
        let doc = documents::create(
            conn,
            commune,
            year + 1,
            Kind::Primitif,
            &title,
            &staff.officer,
        )?;
        let mut projects = 0;
        if let Some(round) = round {
            documents::bring_winners(conn, commune, doc, round, &staff.officer)?;
            projects = documents::lines(conn, doc)?.iter().map(|l| l.amount).sum();
        }
        let lines = year_lines(commune.country, scale(-1), projects);
        documents::set_lines(conn, commune, doc, &lines, &staff.officer)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_year_balances_in_both_countries() {
        for country in [Country::Senegal, Country::Benin] {
            let n = nomenclature::of(country);
            for back in [2, 1, 0, -1] {
                let lines: Vec<(String, i64)> = year_lines(country, scale(back), 0)
                    .into_iter()
                    .map(|(c, v)| (c, v.0))
                    .collect();
                let errors = balance::check(n, &lines);
                assert!(errors.is_empty(), "{country:?} {back}: {errors:?}");
            }
        }
    }
}
