//! The State's roll of a tax for a year: `taxpayer_ref,amount[,item_ref,base,due_date]`,
//! imported as a draft roll, one line per row.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{keep, keys, owner_of, owners};
use crate::audit::{self, Actor, Event};
use crate::communes::Commune;
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::fields;
use crate::ids::{ItemId, RollId, TaxpayerId};
use crate::money::Xof;
use crate::revenue::rolls::{self, LineWriter, NewLine};
use crate::revenue::tax_types::TaxType;
use crate::revenue::{assess, items};
use crate::tabular::import::{self, Batch, Journal, Kind, Run, Sink, Spec};
use crate::tabular::{Col, Columns, CsvSource, Report, Row};

pub const ROLL_COLUMNS: &[&str] = &["taxpayer_ref", "amount"];
pub const ROLL_OPTIONAL: &[&str] = &["item_ref", "base", "due_date"];

const SPEC: Spec = Spec {
    kind: "roll",
    required: ROLL_COLUMNS,
    optional: ROLL_OPTIONAL,
};

/// A row once checked: its base, amount and due date.
pub struct Parsed {
    base: Option<Xof>,
    amount: Xof,
    due: NaiveDate,
}

struct Check {
    taxpayer: Col,
    base: Col,
    amount: Col,
    due: Col,
    default_due: NaiveDate,
}

impl Kind for Check {
    type Parsed = Parsed;

    fn parse(&self, row: &Row, report: &mut Report) -> Option<Parsed> {
        let taxpayer = keep(row.parse(self.taxpayer, fields::required), report);
        let base = keep(
            row.parse(self.base, |v| fields::optional(v, fields::amount)),
            report,
        );
        let amount = keep(row.parse(self.amount, fields::amount), report);
        let due = keep(
            row.parse(self.due, |v| fields::optional(v, fields::date)),
            report,
        );
        taxpayer?;
        Some(Parsed {
            base: base?,
            amount: amount?,
            due: due?.unwrap_or(self.default_due),
        })
    }
}

/// Imports the State's roll of `tax` for `year` as a draft. A tax the commune assesses
/// is generated, not imported, and an issued roll cannot be replaced.
pub fn import(
    conn: &mut DbConn,
    commune: &Commune,
    tax: &TaxType,
    year: i32,
    source: CsvSource,
    opts: &import::Options,
    actor: &Actor,
) -> DomainResult<import::Outcome> {
    if !tax.assessed_by_state() {
        return Err(Refusal::new("roll.commune_assessed").into());
    }
    let journal = Journal::new(commune.id, actor, opts);
    import::run(conn, source, &SPEC, &journal, |conn, cols: &Columns, _| {
        let roll = rolls::fresh_draft(conn, commune.id, tax, year, "imported", actor)?;
        let check = Check {
            taxpayer: cols.col("taxpayer_ref"),
            base: cols.col("base"),
            amount: cols.col("amount"),
            due: cols.col("due_date"),
            default_due: assess::clamp_date(year, tax.due_month as u32, tax.due_day as u32),
        };
        let write = Write {
            commune,
            tax,
            roll,
            year,
            c_taxpayer: check.taxpayer,
            c_item: cols.col("item_ref"),
            lines: LineWriter::new(commune, tax, roll, year),
            actor,
            file: &opts.file_name,
        };
        Ok((check, write))
    })
}

struct Write<'a> {
    commune: &'a Commune,
    tax: &'a TaxType,
    roll: RollId,
    year: i32,
    c_taxpayer: Col,
    c_item: Col,
    lines: LineWriter,
    actor: &'a Actor,
    file: &'a str,
}

impl Write<'_> {
    /// The item a row names, if any: it must exist and belong to the row's taxpayer.
    fn item_of(
        &self,
        row: &Row,
        taxpayer: TaxpayerId,
        found: &HashMap<String, (ItemId, TaxpayerId)>,
    ) -> Result<Option<ItemId>, crate::tabular::Issue> {
        match row.at(self.c_item) {
            "" => Ok(None),
            r => match found.get(r) {
                None => Err(row.issue(self.c_item, Refusal::new(keys::UNKNOWN_ITEM))),
                Some((_, owner)) if *owner != taxpayer => Err(row.issue(
                    self.c_item,
                    Refusal::new(keys::ITEM_NOT_OWNED).arg("taxpayer", row.at(self.c_taxpayer)),
                )),
                Some((id, _)) => Ok(Some(*id)),
            },
        }
    }
}

impl Sink<Parsed> for Write<'_> {
    fn write(
        &mut self,
        conn: &mut DbConn,
        batch: Batch<Parsed>,
        run: &mut Run,
    ) -> DomainResult<()> {
        let cid = self.commune.id;
        let tp_refs: Vec<&str> = batch.iter().map(|(r, _)| r.at(self.c_taxpayer)).collect();
        let owners = owners(conn, cid, &tp_refs)?;
        let item_refs: Vec<&str> = batch
            .iter()
            .map(|(r, _)| r.at(self.c_item))
            .filter(|r| !r.is_empty())
            .collect();
        let found: HashMap<String, (ItemId, TaxpayerId)> = items::by_refs(conn, cid, &item_refs)?
            .into_iter()
            .map(|i| (i.reference, (i.id, i.taxpayer_id)))
            .collect();
        for (row, parsed) in &batch {
            let Some(p) = parsed else { continue };
            let Some(taxpayer) = keep(owner_of(row, self.c_taxpayer, &owners), &mut run.report)
            else {
                continue;
            };
            let Some(item) = keep(self.item_of(row, taxpayer, &found), &mut run.report) else {
                continue;
            };
            self.lines.push(
                conn,
                NewLine {
                    taxpayer,
                    item,
                    period: self.year.to_string(),
                    base: p.base,
                    rate_bp: None,
                    amount: p.amount,
                    due_date: p.due,
                },
            )?;
            run.applied.created += 1;
        }
        Ok(())
    }

    fn finish(&mut self, conn: &mut DbConn, _run: &mut Run) -> DomainResult<()> {
        let (lines, total) = self.lines.finish(conn)?;
        audit::append(
            conn,
            self.commune.id,
            self.actor,
            Event::new("roll.import", "roll", self.roll).details(serde_json::json!({
                "tax": self.tax.code, "year": self.year, "lines": lines, "total": total,
                "file": self.file,
            })),
        )?;
        Ok(())
    }
}
