//! Taxable items: the properties, market stalls, business premises and vehicles a
//! taxpayer is taxed on, with the facts the tax rules read.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::assess::ItemFacts;
use crate::audit::{self, Actor, Event};
use crate::db::schema::{districts, taxable_items};
use crate::db::DbConn;
use crate::ids::{CommuneId, DistrictId, ItemId, TaxpayerId};
use crate::money::Xof;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = taxable_items)]
pub struct Item {
    pub id: ItemId,
    pub commune_id: CommuneId,
    pub taxpayer_id: TaxpayerId,
    pub reference: String,
    pub kind: String,
    pub district_id: Option<DistrictId>,
    pub address: Option<String>,
    pub rental_value: Option<i64>,
    pub market_value: Option<i64>,
    pub area_m2: Option<i64>,
    pub category: Option<String>,
    pub market: Option<String>,
    pub stall_number: Option<String>,
    pub active: bool,
    #[serde(skip)]
    pub import_batch: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Item {
    pub fn facts(&self) -> ItemFacts {
        ItemFacts {
            rental_value: self.rental_value.map(Xof),
            market_value: self.market_value.map(Xof),
            area_m2: self.area_m2,
            category: self.category.clone(),
        }
    }
}

/// An item's fields, already checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemFields {
    pub reference: String,
    pub kind: String,
    pub district_id: Option<DistrictId>,
    pub address: Option<String>,
    pub rental_value: Option<i64>,
    pub market_value: Option<i64>,
    pub area_m2: Option<i64>,
    pub category: Option<String>,
    pub market: Option<String>,
    pub stall_number: Option<String>,
}

pub fn create(
    conn: &mut DbConn,
    commune: CommuneId,
    taxpayer: TaxpayerId,
    f: &ItemFields,
    actor: &Actor,
) -> QueryResult<ItemId> {
    let at = crate::db::now();
    let id: ItemId = diesel::insert_into(taxable_items::table)
        .values((
            taxable_items::commune_id.eq(commune),
            taxable_items::taxpayer_id.eq(taxpayer),
            taxable_items::reference.eq(&f.reference),
            taxable_items::kind.eq(&f.kind),
            taxable_items::district_id.eq(f.district_id),
            taxable_items::address.eq(&f.address),
            taxable_items::rental_value.eq(f.rental_value),
            taxable_items::market_value.eq(f.market_value),
            taxable_items::area_m2.eq(f.area_m2),
            taxable_items::category.eq(&f.category),
            taxable_items::market.eq(&f.market),
            taxable_items::stall_number.eq(&f.stall_number),
            taxable_items::active.eq(true),
            taxable_items::created_at.eq(at),
            taxable_items::updated_at.eq(at),
        ))
        .returning(taxable_items::id)
        .get_result(conn)?;
    audit::append(
        conn,
        commune,
        actor,
        Event::new("item.create", "item", id).details(serde_json::json!({
            "ref": f.reference, "taxpayer": taxpayer, "kind": f.kind,
            "rental_value": f.rental_value, "category": f.category,
        })),
    )?;
    Ok(id)
}

pub fn by_ref(conn: &mut DbConn, commune: CommuneId, reference: &str) -> QueryResult<Option<Item>> {
    taxable_items::table
        .filter(taxable_items::commune_id.eq(commune))
        .filter(taxable_items::reference.eq(reference.trim()))
        .select(Item::as_select())
        .first(conn)
        .optional()
}

/// A taxpayer's items with their district names.
pub fn of_taxpayers(
    conn: &mut DbConn,
    owners: &[TaxpayerId],
) -> QueryResult<Vec<(Item, Option<String>)>> {
    taxable_items::table
        .left_join(districts::table)
        .filter(taxable_items::taxpayer_id.eq_any(owners))
        .order(taxable_items::reference.asc())
        .select((Item::as_select(), districts::name.nullable()))
        .load(conn)
}
