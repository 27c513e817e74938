//! Communes hosted by a deployment, and their districts.

pub mod districts;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::audit::{self, Actor, Event};
use crate::db::schema::communes;
use crate::db::DbConn;
use crate::ids::CommuneId;

pub use districts::{District, DistrictKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Country {
    #[serde(rename = "SN")]
    Senegal,
    #[serde(rename = "BJ")]
    Benin,
}

impl Country {
    pub fn code(self) -> &'static str {
        match self {
            Country::Senegal => "SN",
            Country::Benin => "BJ",
        }
    }

    pub fn parse(s: &str) -> Option<Country> {
        match s.trim().to_ascii_uppercase().as_str() {
            "SN" => Some(Country::Senegal),
            "BJ" => Some(Country::Benin),
            _ => None,
        }
    }

    /// The IANA time zone of the country's capital: both are a single zone.
    pub fn timezone(self) -> &'static str {
        match self {
            Country::Senegal => "Africa/Dakar",
            Country::Benin => "Africa/Porto-Novo",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = communes)]
pub struct Commune {
    pub id: CommuneId,
    pub slug: String,
    pub name: String,
    pub country: String,
    pub currency: String,
    pub timezone: String,
    pub default_locale: String,
    pub code: String,
    pub created_at: NaiveDateTime,
}

/// A commune to create, checked by [`NewCommune::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCommune {
    pub slug: String,
    pub name: String,
    pub country: Country,
    pub code: String,
    pub default_locale: String,
}

/// Paths that a commune slug may not take, because the site uses them.
const RESERVED: &[&str] = &[
    "api",
    "static",
    "login",
    "logout",
    "account",
    "password",
    "lang",
    "healthz",
    "admin",
    "favicon.ico",
    "robots.txt",
];

/// Why a commune is refused; each is a line for the CLI.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CommuneError {
    #[error("slug {0:?} must be 2–40 lowercase letters, digits or dashes, starting with a letter")]
    BadSlug(String),
    #[error("slug {0:?} is reserved by the site")]
    ReservedSlug(String),
    #[error("the name must not be empty")]
    EmptyName,
    #[error("country {0:?} is not supported: use SN or BJ")]
    BadCountry(String),
    #[error("code {0:?} must be 2–12 uppercase letters or digits (it appears in receipt numbers)")]
    BadCode(String),
    #[error("a commune with slug {0:?} or code {1:?} already exists")]
    Exists(String, String),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl NewCommune {
    /// `code` defaults to the slug's letters, uppercased, without dashes.
    pub fn parse(
        slug: &str,
        name: &str,
        country: &str,
        code: Option<&str>,
    ) -> Result<NewCommune, CommuneError> {
        let slug = slug.trim().to_string();
        let ok_slug = (2..=40).contains(&slug.len())
            && slug.starts_with(|c: char| c.is_ascii_lowercase())
            && slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !slug.ends_with('-');
        if !ok_slug {
            return Err(CommuneError::BadSlug(slug));
        }
        if RESERVED.contains(&slug.as_str()) {
            return Err(CommuneError::ReservedSlug(slug));
        }
        let name = name.trim().to_string();
        if name.is_empty() {
            return Err(CommuneError::EmptyName);
        }
        let country =
            Country::parse(country).ok_or_else(|| CommuneError::BadCountry(country.into()))?;
        let code = match code {
            Some(c) => c.trim().to_string(),
            None => slug
                .replace('-', "")
                .to_ascii_uppercase()
                .chars()
                .take(12)
                .collect(),
        };
        let ok_code = (2..=12).contains(&code.len())
            && code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if !ok_code {
            return Err(CommuneError::BadCode(code));
        }
        Ok(NewCommune {
            slug,
            name,
            country,
            code,
            default_locale: "fr".into(),
        })
    }
}

/// Creates the commune and opens its audit chain with its own creation.
pub fn create(
    conn: &mut DbConn,
    new: &NewCommune,
    actor: &Actor,
) -> Result<CommuneId, CommuneError> {
    let taken: i64 = communes::table
        .filter(
            communes::slug
                .eq(&new.slug)
                .or(communes::code.eq(&new.code)),
        )
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(CommuneError::Exists(new.slug.clone(), new.code.clone()));
    }
    let id: CommuneId = diesel::insert_into(communes::table)
        .values((
            communes::slug.eq(&new.slug),
            communes::name.eq(&new.name),
            communes::country.eq(new.country.code()),
            communes::currency.eq("XOF"),
            communes::timezone.eq(new.country.timezone()),
            communes::default_locale.eq(&new.default_locale),
            communes::code.eq(&new.code),
            communes::created_at.eq(crate::db::now()),
        ))
        .returning(communes::id)
        .get_result(conn)?;
    audit::append(
        conn,
        id,
        actor,
        Event::new("commune.create", "commune", id).details(serde_json::json!({
            "slug": new.slug, "name": new.name, "country": new.country.code(), "code": new.code,
        })),
    )?;
    Ok(id)
}

/// Holds the commune's row until the transaction ends, so that two writers of the same
/// commune take turns: what one reads before it writes cannot change under it. On
/// PostgreSQL this is a row lock (READ COMMITTED alone would let two approvals of the
/// same line both pass their check); SQLite's write transactions already take turns.
/// Call it first in a transaction that reads, decides, then writes.
pub fn lock(conn: &mut DbConn, commune: CommuneId) -> QueryResult<()> {
    diesel::update(communes::table.find(commune))
        .set(communes::audit_seq.eq(communes::audit_seq))
        .execute(conn)
        .map(|_| ())
}

/// The head of the commune's audit chain: how many entries it holds and the hash of the
/// last one. Published on the public page so that anyone can note it down: a chain later
/// rewritten from an earlier entry on could not end on a head someone already holds.
pub fn journal_head(conn: &mut DbConn, commune: CommuneId) -> QueryResult<(i64, String)> {
    communes::table
        .find(commune)
        .select((communes::audit_seq, communes::audit_head))
        .get_result(conn)
}

pub fn by_slug(conn: &mut DbConn, slug: &str) -> QueryResult<Option<Commune>> {
    communes::table
        .filter(communes::slug.eq(slug))
        .select(Commune::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut DbConn) -> QueryResult<Vec<Commune>> {
    communes::table
        .order(communes::name.asc())
        .select(Commune::as_select())
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commune_needs_a_clean_slug_a_name_and_a_known_country() {
        let c = NewCommune::parse("dakar-plateau", "Dakar-Plateau", "sn", None).unwrap();
        assert_eq!(c.code, "DAKARPLATEAU");
        assert_eq!(c.country, Country::Senegal);
        assert!(matches!(
            NewCommune::parse("Dakar", "x", "SN", None),
            Err(CommuneError::BadSlug(_))
        ));
        assert!(matches!(
            NewCommune::parse("api", "x", "SN", None),
            Err(CommuneError::ReservedSlug(_))
        ));
        assert!(matches!(
            NewCommune::parse("ok", "x", "ML", None),
            Err(CommuneError::BadCountry(_))
        ));
        assert!(matches!(
            NewCommune::parse("ok", "x", "BJ", Some("a/b")),
            Err(CommuneError::BadCode(_))
        ));
        assert_eq!(
            NewCommune::parse("ok", "  ", "BJ", None),
            Err(CommuneError::EmptyName)
        );
    }
}
