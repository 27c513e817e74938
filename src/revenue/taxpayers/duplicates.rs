//! Probable duplicates in the register (one person entered twice), and merging one
//! record into another without losing its history.

use diesel::prelude::*;
use serde::Serialize;

use super::{by_id, register_columns, RegisterRow};
use crate::audit::{self, Actor, Event};
use crate::db::schema::{districts, taxable_items, taxpayers};
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{CommuneId, TaxpayerId};

/// Taxpayers who share an identifier or a phone number: probably one person twice.
#[derive(Debug, Clone, Serialize)]
pub struct DuplicateGroup {
    /// `id_number` or `phone`.
    pub by: &'static str,
    pub value: String,
    pub taxpayers: Vec<RegisterRow>,
}

pub fn duplicates(
    conn: &mut DbConn,
    commune: CommuneId,
    limit: i64,
) -> QueryResult<Vec<DuplicateGroup>> {
    let mut groups = Vec::new();
    for by in ["id_number", "phone"] {
        // Two passes over the register whatever its size: the values held more than
        // once, then the taxpayers holding them.
        let base = taxpayers::table
            .filter(taxpayers::commune_id.eq(commune))
            .filter(taxpayers::merged_into.is_null());
        let values: Vec<Option<String>> = match by {
            "id_number" => base
                .filter(taxpayers::id_number.is_not_null())
                .group_by(taxpayers::id_number)
                .having(diesel::dsl::count_star().gt(1))
                .select(taxpayers::id_number)
                .limit(limit)
                .load(conn)?,
            _ => base
                .filter(taxpayers::phone.is_not_null())
                .group_by(taxpayers::phone)
                .having(diesel::dsl::count_star().gt(1))
                .select(taxpayers::phone)
                .limit(limit)
                .load(conn)?,
        };
        let values: Vec<String> = values.into_iter().flatten().collect();
        if values.is_empty() {
            continue;
        }
        let rows = register_rows(conn, commune, by, &values)?;
        for value in values {
            let same: Vec<RegisterRow> = rows
                .iter()
                .filter(|r| if by == "phone" { r.phone.as_deref() } else { r.id_number.as_deref() } == Some(&value))
                .cloned()
                .collect();
            if same.len() > 1 {
                groups.push(DuplicateGroup {
                    by,
                    value,
                    taxpayers: same,
                });
            }
        }
    }
    Ok(groups)
}

/// The unmerged taxpayers whose `id_number` or `phone` is one of `values`.
fn register_rows(
    conn: &mut DbConn,
    commune: CommuneId,
    by: &str,
    values: &[String],
) -> QueryResult<Vec<RegisterRow>> {
    let q = taxpayers::table
        .left_join(districts::table)
        .filter(taxpayers::commune_id.eq(commune))
        .filter(taxpayers::merged_into.is_null())
        .order(taxpayers::reference.asc())
        .select(register_columns())
        .into_boxed();
    let q = if by == "phone" {
        q.filter(taxpayers::phone.eq_any(values))
    } else {
        q.filter(taxpayers::id_number.eq_any(values))
    };
    q.load(conn)
}

/// Merges `duplicate` into `keep`: the duplicate's items move to `keep`, the duplicate
/// stays in the register marked as merged, and its assessments stay where they were
/// (issued rolls never change); `keep`'s account shows them.
pub fn merge(
    conn: &mut DbConn,
    commune: CommuneId,
    keep: TaxpayerId,
    duplicate: TaxpayerId,
    actor: &Actor,
) -> DomainResult<()> {
    if keep == duplicate {
        return Err(Refusal::new("taxpayer.merge_same").into());
    }
    crate::communes::lock(conn, commune)?;
    let kept = by_id(conn, commune, keep)?;
    let dup = by_id(conn, commune, duplicate)?;
    if kept.merged_into.is_some() || dup.merged_into.is_some() {
        return Err(Refusal::new("taxpayer.merge_done").into());
    }
    let moved =
        diesel::update(taxable_items::table.filter(taxable_items::taxpayer_id.eq(duplicate)))
            .set((
                taxable_items::taxpayer_id.eq(keep),
                taxable_items::updated_at.eq(crate::db::now()),
            ))
            .execute(conn)?;
    // Records merged earlier into the duplicate now point at the kept one.
    diesel::update(taxpayers::table.filter(taxpayers::merged_into.eq(duplicate)))
        .set(taxpayers::merged_into.eq(keep))
        .execute(conn)?;
    diesel::update(taxpayers::table.find(duplicate))
        .set((
            taxpayers::merged_into.eq(keep),
            taxpayers::updated_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        commune,
        actor,
        Event::new("taxpayer.merge", "taxpayer", keep).details(serde_json::json!({
            "kept": { "id": keep, "ref": kept.reference, "name": kept.name },
            "merged": { "id": duplicate, "ref": dup.reference, "name": dup.name,
                        "phone": dup.phone, "id_number": dup.id_number, "email": dup.email },
            "items_moved": moved,
        })),
    )?;
    Ok(())
}

/// The taxpayer and every record merged into it: whose assessments make one account.
pub fn account_ids(conn: &mut DbConn, id: TaxpayerId) -> QueryResult<Vec<TaxpayerId>> {
    let mut ids: Vec<TaxpayerId> = taxpayers::table
        .filter(taxpayers::merged_into.eq(id))
        .select(taxpayers::id)
        .load(conn)?;
    ids.push(id);
    Ok(ids)
}
