//! The commune budget on a real database (SQLite and PostgreSQL): documents from draft
//! to publication, the balance rules and the participatory winners flowing in.

mod desk;
mod documents;
mod portal;
pub(crate) mod spending;

use commune::audit::Actor;
use commune::budget::documents::{self as docs, Kind, Vote};
use commune::communes::Commune;
use commune::db;
use commune::money::Xof;

/// A small balanced budget of `year`, voted, approved and published; its document id.
pub(crate) fn publish_small(conn: &mut db::DbConn, commune: &Commune, year: i64) -> i64 {
    let actor = Actor::system("test");
    db::write_tx(conn, |c| -> commune::error::DomainResult<_> {
        let doc = docs::create(
            c,
            commune,
            year,
            Kind::Primitif,
            &format!("Budget primitif {year}"),
            &actor,
        )?;
        let lines: &[(&str, i64)] = if commune.country == commune::communes::Country::Senegal {
            &[
                ("7011", 120_000_000),
                ("7411", 30_000_000),
                ("6011", 60_000_000),
                ("6131", 40_000_000),
                ("6911", 50_000_000),
                ("1011", 50_000_000),
                ("1311", 25_000_000),
                ("2131", 45_000_000),
                ("2111", 30_000_000),
            ]
        } else {
            &[
                ("7111", 120_000_000),
                ("7411", 30_000_000),
                ("6111", 60_000_000),
                ("6231", 40_000_000),
                ("6911", 50_000_000),
                ("1011", 50_000_000),
                ("1311", 25_000_000),
                ("2131", 45_000_000),
                ("2111", 30_000_000),
            ]
        };
        for (article, amount) in lines {
            docs::set_line(c, commune, doc, article, Xof(*amount), &actor)?;
        }
        docs::propose(c, commune, doc, &actor)?;
        let vote = Vote {
            on: commune.today(),
            deliberation: format!("{year}-012"),
            votes_for: 28,
            against: 3,
            abstentions: 1,
        };
        docs::record_vote(c, commune, doc, &vote, &actor)?;
        docs::approve(
            c,
            commune,
            doc,
            commune.today(),
            "Arrêté préfectoral n° 87",
            &actor,
        )?;
        docs::publish(c, commune, doc, &actor)?;
        Ok(doc.0)
    })
    .unwrap()
}
