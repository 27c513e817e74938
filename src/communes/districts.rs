//! Districts: the *quartiers*, *arrondissements*, zones or villages of a commune.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Actor, Event};
use crate::db::schema::districts;
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::{CommuneId, DistrictId};
use crate::text::search_key;

crate::text_enum!(
    pub DistrictKind {
        Quartier = "quartier",
        Arrondissement = "arrondissement",
        Zone = "zone",
        Village = "village",
    }
);

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = districts)]
pub struct District {
    pub id: DistrictId,
    pub commune_id: CommuneId,
    pub name: String,
    pub kind: DistrictKind,
    pub created_at: NaiveDateTime,
}

pub fn create(
    conn: &mut DbConn,
    commune: CommuneId,
    name: &str,
    kind: DistrictKind,
    actor: &Actor,
) -> DomainResult<DistrictId> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(Refusal::new("district.bad_name").on("name").into());
    }
    // Files name a district as people write it ("Medina", "MÉDINA"): two districts whose
    // names differ only by case, accents or spacing could not be told apart on import.
    let key = search_key(name);
    let names: Vec<String> = districts::table
        .filter(districts::commune_id.eq(commune))
        .select(districts::name)
        .load(conn)?;
    if let Some(same) = names.into_iter().find(|n| search_key(n) == key) {
        return Err(Refusal::new("district.exists")
            .arg("name", same)
            .on("name")
            .into());
    }
    let id: DistrictId = diesel::insert_into(districts::table)
        .values((
            districts::commune_id.eq(commune),
            districts::name.eq(name),
            districts::kind.eq(kind),
            districts::created_at.eq(crate::db::now()),
        ))
        .returning(districts::id)
        .get_result(conn)?;
    audit::append(
        conn,
        commune,
        actor,
        Event::new("district.create", "district", id)
            .details(serde_json::json!({ "name": name, "kind": kind })),
    )?;
    Ok(id)
}

pub fn list(conn: &mut DbConn, commune: CommuneId) -> QueryResult<Vec<District>> {
    districts::table
        .filter(districts::commune_id.eq(commune))
        .order(districts::name.asc())
        .select(District::as_select())
        .load(conn)
}
