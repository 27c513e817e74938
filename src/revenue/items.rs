//! Taxable items: the properties, market stalls, business premises and vehicles a
//! taxpayer is taxed on, with the facts the tax rules read.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::assess::{ItemFacts, ItemKind};
use crate::audit::{self, Actor, Event};
use crate::db::schema::{districts, taxable_items};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{CommuneId, DistrictId, ImportId, ItemId, TaxpayerId};
use crate::money::Xof;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = taxable_items)]
pub struct Item {
    pub id: ItemId,
    pub commune_id: CommuneId,
    pub taxpayer_id: TaxpayerId,
    pub reference: String,
    pub kind: ItemKind,
    pub district_id: Option<DistrictId>,
    pub address: Option<String>,
    pub rental_value: Option<Xof>,
    pub market_value: Option<Xof>,
    pub area_m2: Option<i64>,
    pub category: Option<String>,
    pub market: Option<String>,
    pub stall_number: Option<String>,
    pub active: bool,
    #[serde(skip)]
    pub import_batch: Option<ImportId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Item {
    pub fn facts(&self) -> ItemFacts {
        ItemFacts {
            rental_value: self.rental_value,
            market_value: self.market_value,
            area_m2: self.area_m2,
            category: self.category.clone(),
        }
    }
}

/// An item's fields, already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFields {
    pub reference: String,
    pub kind: ItemKind,
    pub district_id: Option<DistrictId>,
    pub address: Option<String>,
    pub rental_value: Option<Xof>,
    pub market_value: Option<Xof>,
    pub area_m2: Option<i64>,
    pub category: Option<String>,
    pub market: Option<String>,
    pub stall_number: Option<String>,
}

/// An item as written, for a taxpayer; by an import if `import_batch` is set. The
/// timestamps and `active` are the columns' defaults.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = taxable_items, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct NewItem<'a> {
    pub commune_id: CommuneId,
    pub taxpayer_id: TaxpayerId,
    pub reference: &'a str,
    pub kind: ItemKind,
    pub district_id: Option<DistrictId>,
    pub address: Option<&'a str>,
    pub rental_value: Option<Xof>,
    pub market_value: Option<Xof>,
    pub area_m2: Option<i64>,
    pub category: Option<&'a str>,
    pub market: Option<&'a str>,
    pub stall_number: Option<&'a str>,
    pub import_batch: Option<ImportId>,
}

impl ItemFields {
    pub fn row(
        &self,
        commune: CommuneId,
        taxpayer: TaxpayerId,
        import: Option<ImportId>,
    ) -> NewItem<'_> {
        NewItem {
            commune_id: commune,
            taxpayer_id: taxpayer,
            reference: &self.reference,
            kind: self.kind,
            district_id: self.district_id,
            address: self.address.as_deref(),
            rental_value: self.rental_value,
            market_value: self.market_value,
            area_m2: self.area_m2,
            category: self.category.as_deref(),
            market: self.market.as_deref(),
            stall_number: self.stall_number.as_deref(),
            import_batch: import,
        }
    }
}

/// Adds an item to a taxpayer's record. A record merged into another gets no new item,
/// and a reference already used is refused.
pub fn create(
    conn: &mut DbConn,
    commune: CommuneId,
    taxpayer: TaxpayerId,
    f: &ItemFields,
    actor: &Actor,
) -> DomainResult<ItemId> {
    if super::taxpayers::by_id(conn, commune, taxpayer)?
        .merged_into
        .is_some()
    {
        return Err(Refusal::new("finance.taxpayer.is_merged").into());
    }
    if by_ref(conn, commune, &f.reference)?.is_some() {
        return Err(Refusal::new("finance.items.ref_taken").on("ref").into());
    }
    let id: ItemId = diesel::insert_into(taxable_items::table)
        .values(f.row(commune, taxpayer, None))
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

/// Rewrites an item from an import row (possibly moving it to another taxpayer), and
/// records in the audit log each value that changed, before and after.
pub fn update_from_import(
    conn: &mut DbConn,
    before: &Item,
    taxpayer: TaxpayerId,
    f: &ItemFields,
    import: ImportId,
    actor: &Actor,
) -> QueryResult<bool> {
    use serde_json::json;
    let mut changes = serde_json::Map::new();
    let mut note = |field: &str, old: serde_json::Value, new: serde_json::Value| {
        if old != new {
            changes.insert(field.into(), json!({ "before": old, "after": new }));
        }
    };
    note("taxpayer", json!(before.taxpayer_id), json!(taxpayer));
    note("kind", json!(before.kind), json!(f.kind));
    note("district", json!(before.district_id), json!(f.district_id));
    note("address", json!(before.address), json!(f.address));
    note(
        "rental_value",
        json!(before.rental_value),
        json!(f.rental_value),
    );
    note(
        "market_value",
        json!(before.market_value),
        json!(f.market_value),
    );
    note("area_m2", json!(before.area_m2), json!(f.area_m2));
    note("category", json!(before.category), json!(f.category));
    note("market", json!(before.market), json!(f.market));
    note(
        "stall_number",
        json!(before.stall_number),
        json!(f.stall_number),
    );
    if changes.is_empty() {
        return Ok(false);
    }
    diesel::update(taxable_items::table.find(before.id))
        .set((
            f.row(before.commune_id, taxpayer, Some(import)),
            taxable_items::updated_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        before.commune_id,
        actor,
        Event::new("item.update", "item", before.id).details(json!({
            "ref": before.reference, "import": import, "changes": changes,
        })),
    )?;
    Ok(true)
}

pub fn by_ref(conn: &mut DbConn, commune: CommuneId, reference: &str) -> QueryResult<Option<Item>> {
    taxable_items::table
        .filter(taxable_items::commune_id.eq(commune))
        .filter(taxable_items::reference.eq(reference.trim()))
        .select(Item::as_select())
        .get_result(conn)
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

/// The items of `references` in the commune.
pub fn by_refs(
    conn: &mut DbConn,
    commune: CommuneId,
    references: &[&str],
) -> QueryResult<Vec<Item>> {
    taxable_items::table
        .filter(taxable_items::commune_id.eq(commune))
        .filter(taxable_items::reference.eq_any(references))
        .select(Item::as_select())
        .load(conn)
}
