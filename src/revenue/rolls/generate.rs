//! Generating the draft roll of a tax the commune assesses, from the register.

use diesel::prelude::*;
use serde::Serialize;

use super::{fresh_draft, LineWriter, NewLine};
use crate::audit::{self, Actor, Event};
use crate::communes::Commune;
use crate::db::schema::taxable_items;
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::RollId;
use crate::money::Xof;
use crate::revenue::assess;
use crate::revenue::items::Item;
use crate::revenue::tax_types::{self, TaxType};

/// An item that got no line, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub item_ref: String,
    pub reason_key: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Generated {
    pub roll: RollId,
    pub lines: i64,
    pub total: Xof,
    pub skipped: Vec<Skipped>,
    pub skipped_count: i64,
}

const SKIPPED_SHOWN: usize = 200;
const ITEM_BATCH: i64 = 2_000;

/// Generates the draft roll of a commune-assessed tax for `year`: one line per active
/// item of the tax's kind and per period, computed by [`assess::amount_for`].
pub fn generate(
    conn: &mut DbConn,
    commune: &Commune,
    tax: &TaxType,
    year: i32,
    actor: &Actor,
) -> DomainResult<Generated> {
    if tax.assessed_by_state() {
        return Err(Refusal::new("roll.state_assessed").into());
    }
    crate::communes::lock(conn, commune.id)?;
    let periods = assess::periods(tax.period(), year, tax.due_month as u32, tax.due_day as u32);
    if periods.is_empty() {
        return Err(Refusal::new("roll.daily").into());
    }
    let rule = tax.rule(tax_types::tariffs(conn, tax.id)?);
    let roll = fresh_draft(conn, commune.id, tax, year, "generated", actor)?;
    let mut writer = LineWriter::new(commune, tax, roll, year);
    let mut skipped = Vec::new();
    let mut skipped_count = 0;
    // Items in reference order, through the unique index on (commune, reference).
    let mut after = String::new();
    loop {
        let batch: Vec<Item> = taxable_items::table
            .filter(taxable_items::commune_id.eq(commune.id))
            .filter(taxable_items::reference.gt(&after))
            .filter(taxable_items::kind.eq(&tax.item_kind))
            .filter(taxable_items::active.eq(true))
            .order(taxable_items::reference.asc())
            .limit(ITEM_BATCH)
            .select(Item::as_select())
            .load(conn)?;
        let Some(last) = batch.last() else { break };
        after = last.reference.clone();
        for item in &batch {
            match assess::amount_for(&rule, &item.facts()) {
                Ok((base, amount)) => {
                    for (period, due) in &periods {
                        writer.push(
                            conn,
                            NewLine {
                                taxpayer: item.taxpayer_id,
                                item: Some(item.id),
                                period: period.clone(),
                                base: base.map(Xof),
                                rate_bp: base.and(rule.rate_bp),
                                amount,
                                due_date: *due,
                            },
                        )?;
                    }
                }
                Err(reason) => {
                    skipped_count += 1;
                    if skipped.len() < SKIPPED_SHOWN {
                        skipped.push(Skipped {
                            item_ref: item.reference.clone(),
                            reason_key: reason.key(),
                        });
                    }
                }
            }
        }
    }
    let (lines, total) = writer.finish(conn)?;
    audit::append(
        conn,
        commune.id,
        actor,
        Event::new("roll.generate", "roll", roll).details(serde_json::json!({
            "tax": tax.code, "year": year, "lines": lines, "total": total, "skipped": skipped_count,
        })),
    )?;
    Ok(Generated {
        roll,
        lines,
        total,
        skipped,
        skipped_count,
    })
}
