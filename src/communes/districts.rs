//! Districts: the *quartiers*, *arrondissements*, zones or villages of a commune.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Actor, Event};
use crate::db::schema::districts;
use crate::db::DbConn;
use crate::ids::{CommuneId, DistrictId};
use crate::revenue::taxpayers::search_key;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DistrictKind {
    Quartier,
    Arrondissement,
    Zone,
    Village,
}

impl DistrictKind {
    pub const ALL: [DistrictKind; 4] = [
        DistrictKind::Quartier,
        DistrictKind::Arrondissement,
        DistrictKind::Zone,
        DistrictKind::Village,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DistrictKind::Quartier => "quartier",
            DistrictKind::Arrondissement => "arrondissement",
            DistrictKind::Zone => "zone",
            DistrictKind::Village => "village",
        }
    }

    pub fn parse(s: &str) -> Option<DistrictKind> {
        DistrictKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = districts)]
pub struct District {
    pub id: DistrictId,
    pub commune_id: CommuneId,
    pub name: String,
    pub kind: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DistrictError {
    #[error("the district name must be 1–80 characters")]
    BadName,
    #[error("a district named {0:?} already exists in this commune")]
    Exists(String),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl DistrictError {
    /// The i18n key shown on a page.
    pub fn message_key(&self) -> &'static str {
        match self {
            DistrictError::BadName => "district.bad_name",
            DistrictError::Exists(_) => "district.exists",
            DistrictError::Db(_) => "error.internal",
        }
    }
}

pub fn create(
    conn: &mut DbConn,
    commune: CommuneId,
    name: &str,
    kind: DistrictKind,
    actor: &Actor,
) -> Result<DistrictId, DistrictError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(DistrictError::BadName);
    }
    // Files name a district as people write it ("Medina", "MÉDINA"): two districts whose
    // names differ only by case, accents or spacing could not be told apart on import.
    let key = search_key(name);
    let names: Vec<String> = districts::table
        .filter(districts::commune_id.eq(commune))
        .select(districts::name)
        .load(conn)?;
    if let Some(same) = names.into_iter().find(|n| search_key(n) == key) {
        return Err(DistrictError::Exists(same));
    }
    let id: DistrictId = diesel::insert_into(districts::table)
        .values((
            districts::commune_id.eq(commune),
            districts::name.eq(name),
            districts::kind.eq(kind.as_str()),
            districts::created_at.eq(crate::db::now()),
        ))
        .returning(districts::id)
        .get_result(conn)?;
    audit::append(
        conn,
        commune,
        actor,
        Event::new("district.create", "district", id)
            .details(serde_json::json!({ "name": name, "kind": kind.as_str() })),
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
