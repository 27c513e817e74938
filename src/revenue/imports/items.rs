//! The item file: `ref,taxpayer_ref,kind,district[,address,rental_value,market_value,
//! area,category,market,stall_number]`. Each item's taxpayer must be in the register;
//! with `update`, a known item is rewritten (and may move to another taxpayer), each
//! changed value in the audit log.

use std::collections::HashMap;

use super::{keep, owner_of, owners, Districts};
use crate::audit::Actor;
use crate::communes::Commune;
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::fields;
use crate::ids::{CommuneId, ImportId, ItemId, TaxpayerId};
use crate::money::Xof;
use crate::revenue::assess::ItemKind;
use crate::revenue::items::{self, Item, ItemFields};
use crate::tabular::import::{self, Batch, Decision, Journal, Kind, References, Run, Sink, Spec};
use crate::tabular::{Col, Columns, CsvSource, Report, Row};

pub const ITEM_COLUMNS: &[&str] = &["ref", "taxpayer_ref", "kind", "district"];
pub const ITEM_OPTIONAL: &[&str] = &[
    "address",
    "rental_value",
    "market_value",
    "area",
    "category",
    "market",
    "stall_number",
];

const SPEC: Spec = Spec {
    kind: "items",
    required: ITEM_COLUMNS,
    optional: ITEM_OPTIONAL,
};

/// A row once checked: the item, and its taxpayer's reference.
pub struct Parsed {
    fields: ItemFields,
    taxpayer_ref: String,
}

fn text(v: &str, max: usize) -> Result<Option<String>, Refusal> {
    fields::optional(v, |v| fields::text(v, max).map(str::to_string))
}

fn money(v: &str) -> Result<Option<Xof>, Refusal> {
    fields::optional(v, fields::amount)
}

/// The reading thread's side.
struct Check {
    cols: Columns,
    districts: Districts,
}

impl Kind for Check {
    type Parsed = Parsed;

    fn parse(&self, row: &Row, report: &mut Report) -> Option<Parsed> {
        let col = |name| self.cols.col(name);
        let reference = keep(row.parse(col("ref"), |v| fields::text(v, 40)), report);
        let taxpayer_ref = keep(
            row.parse(col("taxpayer_ref"), |v| fields::text(v, 40)),
            report,
        );
        let kinds: Vec<&str> = ItemKind::ALL.iter().map(|k| k.as_str()).collect();
        let kind = keep(
            row.parse(col("kind"), |v| fields::enum_value(v, &kinds)),
            report,
        );
        let district = keep(self.districts.of(row, col("district")), report);
        let address = keep(row.parse(col("address"), |v| text(v, 120)), report);
        let rental_value = keep(row.parse(col("rental_value"), money), report);
        let market_value = keep(row.parse(col("market_value"), money), report);
        let area = keep(
            row.parse(col("area"), |v| fields::optional(v, fields::area)),
            report,
        );
        let category = keep(row.parse(col("category"), |v| text(v, 120)), report);
        let market = keep(row.parse(col("market"), |v| text(v, 120)), report);
        let stall_number = keep(row.parse(col("stall_number"), |v| text(v, 120)), report);
        Some(Parsed {
            taxpayer_ref: taxpayer_ref?.to_string(),
            fields: ItemFields {
                reference: reference?.to_string(),
                kind: ItemKind::parse(kind?)?,
                district_id: Some(district?),
                address: address?,
                rental_value: rental_value?,
                market_value: market_value?,
                area_m2: area?,
                category: category?,
                market: market?,
                stall_number: stall_number?,
            },
        })
    }
}

/// Imports the item file.
pub fn import(
    conn: &mut DbConn,
    commune: &Commune,
    source: CsvSource,
    opts: &import::Options,
    actor: &Actor,
) -> DomainResult<import::Outcome> {
    let journal = Journal::new(commune.id, actor, opts);
    import::run(conn, source, &SPEC, &journal, |conn, cols: &Columns, _| {
        let write = Write {
            commune: commune.id,
            c_ref: cols.col("ref"),
            c_owner: cols.col("taxpayer_ref"),
            references: References::default(),
            actor,
        };
        let check = Check {
            cols: cols.clone(),
            districts: Districts::load(conn, commune.id)?,
        };
        Ok((check, write))
    })
}

/// The writing thread's side.
struct Write<'a> {
    commune: CommuneId,
    c_ref: Col,
    c_owner: Col,
    references: References,
    actor: &'a Actor,
}

impl Sink<Parsed> for Write<'_> {
    fn write(
        &mut self,
        conn: &mut DbConn,
        batch: Batch<Parsed>,
        run: &mut Run,
    ) -> DomainResult<()> {
        let owner_refs: Vec<&str> = batch
            .iter()
            .filter_map(|(_, p)| p.as_ref())
            .map(|p| p.taxpayer_ref.as_str())
            .collect();
        let owners = owners(conn, self.commune, &owner_refs)?;
        // An item whose taxpayer is unknown or merged is a bad row too.
        let owner: Vec<Option<TaxpayerId>> = batch
            .iter()
            .map(|(row, p)| {
                p.as_ref()?;
                keep(owner_of(row, self.c_owner, &owners), &mut run.report)
            })
            .collect();
        let refs: Vec<&str> = batch.iter().map(|(row, _)| row.at(self.c_ref)).collect();
        let found: Vec<Item> = items::by_refs(conn, self.commune, &refs)?;
        let existing: HashMap<String, (ItemId, Option<ImportId>)> = found
            .iter()
            .map(|i| (i.reference.clone(), (i.id, i.import_batch)))
            .collect();
        let before: HashMap<ItemId, Item> = found.into_iter().map(|i| (i.id, i)).collect();
        let rows = batch
            .iter()
            .zip(&owner)
            .map(|((row, _), owner)| (row, row.at(self.c_ref), owner.is_some()));
        let decisions = self.references.decide(rows, &existing, run, self.c_ref);
        let import = run.applied.import;
        let mut inserts = Vec::new();
        for (((_, parsed), owner), decision) in batch.iter().zip(owner).zip(decisions) {
            let (Some(p), Some(owner)) = (parsed, owner) else {
                continue;
            };
            match decision {
                Decision::Skip => {}
                Decision::Update(id) => {
                    if let Some(old) = before.get(&id) {
                        items::update_from_import(conn, old, owner, &p.fields, import, self.actor)?;
                        run.applied.updated += 1;
                    }
                }
                Decision::Insert => inserts.push(p.fields.row(self.commune, owner, Some(import))),
            }
        }
        if !inserts.is_empty() {
            run.applied.created += inserts.len() as u64;
            crate::on_inner!(conn, c => diesel::RunQueryDsl::execute(
                diesel::insert_into(crate::db::schema::taxable_items::table).values(&inserts),
                c
            ))?;
        }
        Ok(())
    }
}
