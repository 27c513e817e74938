//! The taxpayer register: people and organisations the commune taxes, found by name,
//! reference, phone or identifier ([`search`]) and by district; probable duplicates, and
//! merging them without losing their history ([`duplicates`]).

mod duplicates;
pub mod search;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Actor, Event};
use crate::db::schema::{districts, taxpayers};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{CommuneId, DistrictId, ImportId, TaxpayerId};
use crate::text::search_key;

pub use duplicates::{account_ids, duplicates, merge, DuplicateGroup};
pub use search::Query;

crate::text_enum!(
    pub TaxpayerKind { Person = "person", Organisation = "organisation" }
);

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = taxpayers)]
pub struct Taxpayer {
    pub id: TaxpayerId,
    pub commune_id: CommuneId,
    pub reference: String,
    pub kind: TaxpayerKind,
    pub name: String,
    #[serde(skip)]
    pub search_name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub district_id: Option<DistrictId>,
    pub address: Option<String>,
    pub lat_e6: Option<i64>,
    pub lon_e6: Option<i64>,
    pub merged_into: Option<TaxpayerId>,
    #[serde(skip)]
    pub import_batch: Option<ImportId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The fields a person fills in (or an import row carries), already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxpayerFields {
    pub reference: String,
    pub kind: TaxpayerKind,
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub district_id: Option<DistrictId>,
    pub address: Option<String>,
    pub gps: Option<(i64, i64)>,
}

/// A taxpayer as written: the fields, the name's search key, and the import that wrote
/// it (if any). The timestamps are the columns' defaults. On SQLite a row written with
/// an import is left to that import to index for search, at its end
/// ([`search::index_import`]).
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = taxpayers, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct NewTaxpayer<'a> {
    pub commune_id: CommuneId,
    pub reference: &'a str,
    pub kind: TaxpayerKind,
    pub name: &'a str,
    pub search_name: &'a str,
    pub id_number: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub district_id: Option<DistrictId>,
    pub address: Option<&'a str>,
    pub lat_e6: Option<i64>,
    pub lon_e6: Option<i64>,
    pub import_batch: Option<ImportId>,
}

impl TaxpayerFields {
    /// The row to write, for `commune`, by `import` if an import writes it; `search` is
    /// the name's [`search_key`] (an import computes it on its reading thread).
    pub fn row<'a>(
        &'a self,
        commune: CommuneId,
        import: Option<ImportId>,
        search: &'a str,
    ) -> NewTaxpayer<'a> {
        NewTaxpayer {
            commune_id: commune,
            reference: &self.reference,
            kind: self.kind,
            name: &self.name,
            search_name: search,
            id_number: self.id_number.as_deref(),
            phone: self.phone.as_deref(),
            email: self.email.as_deref(),
            district_id: self.district_id,
            address: self.address.as_deref(),
            lat_e6: self.gps.map(|g| g.0),
            lon_e6: self.gps.map(|g| g.1),
            import_batch: import,
        }
    }
}

pub fn by_id(conn: &mut DbConn, commune: CommuneId, id: TaxpayerId) -> QueryResult<Taxpayer> {
    taxpayers::table
        .filter(taxpayers::commune_id.eq(commune))
        .find(id)
        .select(Taxpayer::as_select())
        .get_result(conn)
}

pub fn by_ref(
    conn: &mut DbConn,
    commune: CommuneId,
    reference: &str,
) -> QueryResult<Option<Taxpayer>> {
    taxpayers::table
        .filter(taxpayers::commune_id.eq(commune))
        .filter(taxpayers::reference.eq(reference.trim()))
        .select(Taxpayer::as_select())
        .get_result(conn)
        .optional()
}

/// The taxpayer who pays for `reference`: a record merged into another is paid on the
/// one it joined.
pub fn payer(
    conn: &mut DbConn,
    commune: CommuneId,
    reference: &str,
) -> QueryResult<Option<Taxpayer>> {
    match by_ref(conn, commune, reference)? {
        Some(t) => match t.merged_into {
            Some(kept) => by_id(conn, commune, kept).map(Some),
            None => Ok(Some(t)),
        },
        None => Ok(None),
    }
}

/// Creates one taxpayer (from the register's form); a reference already in the
/// register is refused.
pub fn create(
    conn: &mut DbConn,
    commune: CommuneId,
    f: &TaxpayerFields,
    actor: &Actor,
) -> DomainResult<TaxpayerId> {
    if by_ref(conn, commune, &f.reference)?.is_some() {
        return Err(Refusal::new("finance.taxpayers.ref_taken").on("ref").into());
    }
    let id: TaxpayerId = diesel::insert_into(taxpayers::table)
        .values(f.row(commune, None, &search_key(&f.name)))
        .returning(taxpayers::id)
        .get_result(conn)?;
    audit::append(
        conn,
        commune,
        actor,
        Event::new("taxpayer.create", "taxpayer", id).details(serde_json::json!({
            "ref": f.reference, "name": f.name, "kind": f.kind,
        })),
    )?;
    Ok(id)
}

/// Rewrites a taxpayer from an import row, and records in the audit log each value that
/// changed, before and after. Nothing changed: nothing is written.
pub fn update_from_import(
    conn: &mut DbConn,
    before: &Taxpayer,
    f: &TaxpayerFields,
    search: &str,
    import: ImportId,
    actor: &Actor,
) -> QueryResult<bool> {
    let gps = before.lat_e6.zip(before.lon_e6);
    let mut changes = serde_json::Map::new();
    let mut note = |field: &str, old: serde_json::Value, new: serde_json::Value| {
        if old != new {
            changes.insert(
                field.into(),
                serde_json::json!({ "before": old, "after": new }),
            );
        }
    };
    use serde_json::json;
    note("kind", json!(before.kind), json!(f.kind));
    note("name", json!(before.name), json!(f.name));
    note("id_number", json!(before.id_number), json!(f.id_number));
    note("phone", json!(before.phone), json!(f.phone));
    note("email", json!(before.email), json!(f.email));
    note("district", json!(before.district_id), json!(f.district_id));
    note("address", json!(before.address), json!(f.address));
    note("gps", json!(gps), json!(f.gps));
    if changes.is_empty() {
        return Ok(false);
    }
    diesel::update(taxpayers::table.find(before.id))
        .set((
            f.row(before.commune_id, Some(import), search),
            taxpayers::updated_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        before.commune_id,
        actor,
        Event::new("taxpayer.update", "taxpayer", before.id).details(json!({
            "ref": before.reference, "import": import, "changes": changes,
        })),
    )?;
    Ok(true)
}

/// The taxpayers of `references` in the commune, by reference.
pub fn by_refs(
    conn: &mut DbConn,
    commune: CommuneId,
    references: &[&str],
) -> QueryResult<Vec<Taxpayer>> {
    taxpayers::table
        .filter(taxpayers::commune_id.eq(commune))
        .filter(taxpayers::reference.eq_any(references))
        .select(Taxpayer::as_select())
        .load(conn)
}

/// One row of the register, with its district's name.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct RegisterRow {
    pub id: TaxpayerId,
    pub reference: String,
    pub kind: TaxpayerKind,
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub district: Option<String>,
    pub merged_into: Option<TaxpayerId>,
}

/// The columns of a [`RegisterRow`], in its order.
pub(super) type RegisterColumns = (
    taxpayers::id,
    taxpayers::reference,
    taxpayers::kind,
    taxpayers::name,
    taxpayers::phone,
    taxpayers::id_number,
    diesel::dsl::Nullable<districts::name>,
    taxpayers::merged_into,
);

pub(super) fn register_columns() -> RegisterColumns {
    (
        taxpayers::id,
        taxpayers::reference,
        taxpayers::kind,
        taxpayers::name,
        taxpayers::phone,
        taxpayers::id_number,
        districts::name.nullable(),
        taxpayers::merged_into,
    )
}

/// What the register is filtered by.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// What was typed in the search box ([`search`]): a reference, a name, a phone or
    /// an identifier. Empty: the whole register.
    pub query: Query,
    pub district: Option<DistrictId>,
    pub include_merged: bool,
}

/// Where a page of the register starts: the last `(reference, id)` seen.
pub type PageKey = (String, TaxpayerId);

/// A page of the register. Without a search, in reference order (the order of a roll's
/// articles), read through the unique index on the reference: `after` is the
/// `(reference, id)` of the last row of the previous page, so paging stays fast on a
/// million rows. With a search, what [`search::find`] finds: a reference, phone or
/// identifier's taxpayers, or a page of names in the order they were entered, after the
/// id of `after`.
pub fn page(
    conn: &mut DbConn,
    commune: CommuneId,
    filter: &Filter,
    after: Option<PageKey>,
    limit: i64,
) -> QueryResult<(Vec<RegisterRow>, Option<PageKey>)> {
    if !filter.query.is_empty() {
        let after = after.map(|(_, id)| id);
        let found = search::find(conn, commune, &filter.query, filter, after, limit)?;
        let next = found.next.and_then(|id| {
            let last = found.rows.iter().find(|r| r.id == id)?;
            Some((last.reference.clone(), id))
        });
        return Ok((found.rows, next));
    }
    let mut q = taxpayers::table
        .left_join(districts::table)
        .filter(taxpayers::commune_id.eq(commune))
        .into_boxed();
    if !filter.include_merged {
        q = q.filter(taxpayers::merged_into.is_null());
    }
    if let Some(d) = filter.district {
        q = q.filter(taxpayers::district_id.eq(d));
    }
    if let Some((reference, _)) = &after {
        // References are unique within a commune: the reference alone marks the place.
        q = q.filter(taxpayers::reference.gt(reference.clone()));
    }
    let rows: Vec<RegisterRow> = q
        .order((taxpayers::reference.asc(), taxpayers::id.asc()))
        .limit(limit + 1)
        .select(register_columns())
        .load(conn)?;
    let more = rows.len() as i64 > limit;
    let rows: Vec<RegisterRow> = rows.into_iter().take(limit as usize).collect();
    let next = if more {
        rows.last().map(|r| (r.reference.clone(), r.id))
    } else {
        None
    };
    Ok((rows, next))
}

pub fn count(conn: &mut DbConn, commune: CommuneId) -> QueryResult<i64> {
    taxpayers::table
        .filter(taxpayers::commune_id.eq(commune))
        .filter(taxpayers::merged_into.is_null())
        .count()
        .get_result(conn)
}
