//! The compte administratif, produced from the execution records and never typed in:
//! each spending article's line is the sum of its mandats, each revenue article's line
//! what the counter collected (Revenue's public figure) plus its revenue titles. The
//! transfer lines are left out: each section's result, surplus or deficit, is what the
//! account shows.

use std::collections::BTreeMap;

use diesel::prelude::*;

use super::documents::{self, Kind};
use super::nomenclature::{Direction, Nomenclature};
use super::{execution, spending};
use crate::audit::Actor;
use crate::communes::{self, Commune};
use crate::db::schema::budget_documents as d;
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::DocumentId;
use crate::money::Xof;

/// The account's lines `(article, amount)` in the nomenclature's order, from the
/// mandats per spending article, the counter's collections and the titles per revenue
/// article. Articles outside the nomenclature, the transfers and zeros are left out.
pub fn lines(
    n: &Nomenclature,
    ordered: &[(String, i64)],
    collected: &[(String, Xof)],
    titles: &[(String, Xof)],
) -> Vec<(String, i64)> {
    let mut spent: BTreeMap<&str, i64> = BTreeMap::new();
    for (a, v) in ordered {
        *spent.entry(a).or_default() += v;
    }
    let mut received: BTreeMap<&str, i64> = BTreeMap::new();
    for (a, v) in collected.iter().chain(titles) {
        *received.entry(a).or_default() += v.0;
    }
    n.articles()
        .filter(|a| !a.transfer)
        .filter_map(|a| {
            let by = match a.direction {
                Direction::Spending => &spent,
                Direction::Revenue => &received,
            };
            let amount = by.get(a.code.as_str()).copied().unwrap_or(0);
            (amount != 0).then(|| (a.code.clone(), amount))
        })
        .collect()
}

/// Creates the compte administratif draft of `year` from the figures. Refused when the
/// year already has one (at any step), or when nothing was executed.
pub fn draft_account(
    conn: &mut DbConn,
    commune: &Commune,
    year: i64,
    actor: &Actor,
) -> DomainResult<DocumentId> {
    communes::lock(conn, commune.id)?;
    let existing: i64 = d::table
        .filter(d::commune_id.eq(commune.id))
        .filter(d::fiscal_year.eq(year))
        .filter(d::kind.eq(Kind::CompteAdministratif))
        .count()
        .get_result(conn)?;
    if existing > 0 {
        return Err(Refusal::new("spending.account.exists")
            .arg("year", year)
            .into());
    }
    let ordered = spending::ordered_by_article(conn, commune.id, year)?;
    let collected = execution::collected(conn, commune.id, year)?;
    let titles = spending::titles_by_article(conn, commune.id, year)?;
    let n = super::nomenclature::of(commune.country);
    let lines = lines(n, &ordered, &collected, &titles);
    if lines.is_empty() {
        return Err(Refusal::new("spending.account.empty")
            .arg("year", year)
            .into());
    }
    let title = format!("Compte administratif {year}");
    let id = documents::create(
        conn,
        commune,
        year,
        Kind::CompteAdministratif,
        &title,
        actor,
    )?;
    for (article, amount) in &lines {
        documents::insert_line(conn, id, article, "", *amount)?;
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::nomenclature;
    use crate::communes::Country;

    #[test]
    fn the_account_sums_mandats_and_collections_with_titles_and_leaves_out_the_transfer() {
        let n = nomenclature::of(Country::Senegal);
        let ordered = vec![
            ("6131".to_string(), 300),
            ("6011".into(), 1_000),
            ("6131".into(), 200),
            ("6911".into(), 50),
        ];
        let collected = vec![("7011".to_string(), Xof(2_500)), ("9999".into(), Xof(7))];
        let titles = vec![
            ("7411".to_string(), Xof(900)),
            ("7011".into(), Xof(100)),
            ("1011".into(), Xof(50)),
        ];
        let got = lines(n, &ordered, &collected, &titles);
        let want: Vec<(String, i64)> = [
            ("7011", 2_600),
            ("7411", 900),
            ("6011", 1_000),
            ("6131", 500),
        ]
        .iter()
        .map(|(a, v)| (a.to_string(), *v))
        .collect();
        assert_eq!(got, want, "in the nomenclature's order, revenue first");
    }
}
