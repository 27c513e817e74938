//! Imports a finance officer can trust: taxpayers, taxable items and State-issued rolls
//! from CSV, all or nothing, through the one driver of [`crate::tabular::import`]. Each
//! kind of row has its file here; [`run`] is the one entry the web page, the command
//! line and the demo use.

mod items;
mod roll;
mod sqlite_rows;
mod taxpayers;

use std::collections::HashMap;
use std::path::Path;

use diesel::prelude::*;

use super::{rolls, tax_types};
use crate::audit::Actor;
use crate::communes::Commune;
use crate::db::schema::taxpayers as tp;
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{CommuneId, TaxpayerId};
use crate::tabular::{Col, CsvSource, Issue, Row};

pub use crate::tabular::import::{Applied, Options, Outcome};
pub use items::{ITEM_COLUMNS, ITEM_OPTIONAL};
pub use roll::{ROLL_COLUMNS, ROLL_OPTIONAL};
pub use taxpayers::{TAXPAYER_COLUMNS, TAXPAYER_OPTIONAL};

/// What a file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    Taxpayers,
    Items,
    /// The State's roll of a tax (its code) for a fiscal year.
    Roll {
        tax: String,
        year: i64,
    },
}

impl What {
    /// The kind chosen on the imports page: `taxpayers`, `items` or `roll` (with its
    /// tax and year).
    pub fn from_form(kind: &str, tax: &str, year: &str) -> Result<What, Refusal> {
        match kind {
            "taxpayers" => Ok(What::Taxpayers),
            "items" => Ok(What::Items),
            "roll" => {
                let year = crate::fields::year(year).map_err(|r| r.on("year"))?;
                if tax.trim().is_empty() {
                    return Err(Refusal::new("imports.choose_tax").on("tax"));
                }
                Ok(What::Roll {
                    tax: tax.trim().to_string(),
                    year: year.into(),
                })
            }
            _ => Err(Refusal::new("imports.choose_file")),
        }
    }

    /// `taxpayers`, `items` or `roll`.
    pub fn kind(&self) -> &'static str {
        match self {
            What::Taxpayers => "taxpayers",
            What::Items => "items",
            What::Roll { .. } => "roll",
        }
    }
}

/// Imports `source`, a file of `what`.
pub fn run(
    conn: &mut DbConn,
    commune: &Commune,
    what: &What,
    source: CsvSource,
    opts: &Options,
    actor: &Actor,
) -> DomainResult<Outcome> {
    match what {
        What::Taxpayers => taxpayers::import(conn, commune, source, opts, actor),
        What::Items => items::import(conn, commune, source, opts, actor),
        What::Roll { tax, year } => {
            let year = rolls::check_year(*year)?;
            let tax = tax_types::by_code(conn, commune.id, tax)?
                .ok_or_else(|| Refusal::new("imports.unknown_tax").arg("tax", tax.as_str()))?;
            roll::import(conn, commune, &tax, year, source, opts, actor)
        }
    }
}

/// Opens the file at `path` and imports it; a file that cannot be read (its encoding,
/// an empty file) is a rejected import like any other.
pub fn run_file(
    conn: &mut DbConn,
    commune: &Commune,
    what: &What,
    path: &Path,
    update: bool,
    actor: &Actor,
) -> DomainResult<(Options, Outcome)> {
    let opts = Options::for_file(path, update).unwrap_or_else(|_| Options {
        update,
        ..Options::default()
    });
    let outcome = match CsvSource::open(path) {
        Ok(source) => run(conn, commune, what, source, &opts, actor)?,
        Err(issue) => Outcome::rejected(issue),
    };
    Ok((opts, outcome))
}

/// Messages of the checks against the register.
mod keys {
    pub const UNKNOWN_DISTRICT: &str = "register.unknown_district";
    pub const UNKNOWN_TAXPAYER: &str = "register.unknown_taxpayer";
    pub const UNKNOWN_ITEM: &str = "register.unknown_item";
    pub const ITEM_NOT_OWNED: &str = "register.item_not_owned";
    pub const MERGED_TAXPAYER: &str = "register.merged_taxpayer";
}

/// The commune's districts by their search key ("Médina", "medina" and "MEDINA" are one),
/// and their names for the message that lists them.
struct Districts {
    by_key: HashMap<String, crate::ids::DistrictId>,
    names: String,
}

impl Districts {
    fn load(conn: &mut DbConn, commune: CommuneId) -> QueryResult<Districts> {
        let list = crate::communes::districts::list(conn, commune)?;
        let mut names: Vec<&str> = list.iter().map(|d| d.name.as_str()).collect();
        names.sort();
        Ok(Districts {
            names: names.join(", "),
            by_key: list
                .iter()
                .map(|d| (crate::text::search_key(&d.name), d.id))
                .collect(),
        })
    }

    fn of(&self, row: &Row, col: Col) -> Result<crate::ids::DistrictId, Issue> {
        let value = row.parse(col, crate::fields::required)?;
        self.by_key
            .get(&crate::text::search_key(value))
            .copied()
            .ok_or_else(|| {
                row.issue(
                    col,
                    Refusal::new(keys::UNKNOWN_DISTRICT).arg("allowed", self.names.as_str()),
                )
            })
    }
}

/// The taxpayers of `refs`, each with the record it was merged into, if any.
fn owners(
    conn: &mut DbConn,
    commune: CommuneId,
    refs: &[&str],
) -> QueryResult<HashMap<String, (TaxpayerId, Option<TaxpayerId>)>> {
    Ok(tp::table
        .filter(tp::commune_id.eq(commune))
        .filter(tp::reference.eq_any(refs))
        .select((tp::reference, tp::id, tp::merged_into))
        .load::<(String, TaxpayerId, Option<TaxpayerId>)>(conn)?
        .into_iter()
        .map(|(r, id, m)| (r, (id, m)))
        .collect())
}

/// The taxpayer a row names in `col`: unknown or merged ones are issues.
fn owner_of(
    row: &Row,
    col: Col,
    owners: &HashMap<String, (TaxpayerId, Option<TaxpayerId>)>,
) -> Result<TaxpayerId, Issue> {
    match owners.get(row.at(col)) {
        None => Err(row.issue(col, Refusal::new(keys::UNKNOWN_TAXPAYER))),
        Some((_, Some(_))) => Err(row.issue(col, Refusal::new(keys::MERGED_TAXPAYER))),
        Some((id, None)) => Ok(*id),
    }
}

use crate::tabular::keep;
