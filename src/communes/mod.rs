//! Communes hosted by a deployment, and their districts.

pub mod districts;

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Actor, Event};
use crate::db::schema::communes;
use crate::db::DbConn;
use crate::error::{DomainResult, Refusal};
use crate::ids::CommuneId;

pub use districts::{District, DistrictKind};

crate::text_enum!(
    /// The countries Commune knows: their phone numbers, identifiers and time zones.
    pub Country { Senegal = "SN", Benin = "BJ" }
);

impl Country {
    pub fn code(self) -> &'static str {
        self.as_str()
    }

    /// The IANA time zone of the country: each is a single zone.
    pub fn timezone(self) -> chrono_tz::Tz {
        match self {
            Country::Senegal => chrono_tz::Africa::Dakar,
            Country::Benin => chrono_tz::Africa::PortoNovo,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = communes)]
pub struct Commune {
    pub id: CommuneId,
    pub slug: String,
    pub name: String,
    /// Read once, from the database; a value Commune does not know is an error when the
    /// commune is read, never a silent fallback.
    pub country: Country,
    pub currency: String,
    pub timezone: String,
    pub default_locale: String,
    pub code: String,
    pub created_at: NaiveDateTime,
}

impl Commune {
    /// The commune's time zone: the one the commune row names, or its country's.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone
            .parse()
            .unwrap_or_else(|_| self.country.timezone())
    }

    /// Today, in the commune (Dakar is on UTC, Porto-Novo an hour ahead).
    pub fn today(&self) -> NaiveDate {
        chrono::Utc::now().with_timezone(&self.tz()).date_naive()
    }

    /// A stored UTC time, in the commune's time.
    pub fn local(&self, utc: NaiveDateTime) -> NaiveDateTime {
        utc.and_utc().with_timezone(&self.tz()).naive_local()
    }

    /// Midnight today in the commune, as the UTC time the database stores.
    pub fn start_of_today(&self) -> NaiveDateTime {
        let midnight = self.today().and_time(chrono::NaiveTime::MIN);
        self.tz()
            .from_local_datetime(&midnight)
            .earliest()
            .map(|t| t.naive_utc())
            .unwrap_or(midnight)
    }
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
    "verify",
];

impl NewCommune {
    /// `code` defaults to the slug's letters, uppercased, without dashes.
    pub fn parse(
        slug: &str,
        name: &str,
        country: &str,
        code: Option<&str>,
    ) -> Result<NewCommune, Refusal> {
        let slug = slug.trim().to_string();
        let ok_slug = (2..=40).contains(&slug.len())
            && slug.starts_with(|c: char| c.is_ascii_lowercase())
            && slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !slug.ends_with('-');
        if !ok_slug {
            return Err(Refusal::new("commune.bad_slug").arg("slug", slug));
        }
        if RESERVED.contains(&slug.as_str()) {
            return Err(Refusal::new("commune.reserved_slug").arg("slug", slug));
        }
        let name = name.trim().to_string();
        if name.is_empty() {
            return Err(Refusal::new("commune.empty_name"));
        }
        let country = Country::parse(&country.trim().to_ascii_uppercase())
            .ok_or_else(|| Refusal::new("commune.bad_country").arg("country", country))?;
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
            return Err(Refusal::new("commune.bad_code").arg("code", code));
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
pub fn create(conn: &mut DbConn, new: &NewCommune, actor: &Actor) -> DomainResult<CommuneId> {
    let taken: i64 = communes::table
        .filter(
            communes::slug
                .eq(&new.slug)
                .or(communes::code.eq(&new.code)),
        )
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(Refusal::new("commune.exists")
            .arg("slug", new.slug.as_str())
            .arg("code", new.code.as_str())
            .into());
    }
    let id: CommuneId = diesel::insert_into(communes::table)
        .values((
            communes::slug.eq(&new.slug),
            communes::name.eq(&new.name),
            communes::country.eq(new.country),
            communes::currency.eq("XOF"),
            communes::timezone.eq(new.country.timezone().name()),
            communes::default_locale.eq(&new.default_locale),
            communes::code.eq(&new.code),
            communes::created_at.eq(crate::db::now()),
            communes::receipt_key.eq(new_receipt_key()),
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

/// The key that signs the commune's receipts (see `revenue::payments::code`): never
/// shown, never sent, read only to sign and to verify.
pub fn receipt_key(conn: &mut DbConn, commune: CommuneId) -> QueryResult<String> {
    communes::table
        .find(commune)
        .select(communes::receipt_key)
        .get_result(conn)
}

/// A new receipt key: 32 random bytes, in hexadecimal.
fn new_receipt_key() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
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

/// A commune in figures, as the role spaces show it.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Figures {
    pub districts: i64,
    /// People holding at least one role.
    pub members: i64,
    pub audit_entries: i64,
}

pub fn figures(conn: &mut DbConn, commune: CommuneId) -> QueryResult<Figures> {
    use crate::db::schema::{districts, user_roles};
    let districts: i64 = districts::table
        .filter(districts::commune_id.eq(commune))
        .count()
        .get_result(conn)?;
    let members: i64 = user_roles::table
        .filter(user_roles::commune_id.eq(commune))
        .select(diesel::dsl::count(user_roles::user_id).aggregate_distinct())
        .get_result(conn)?;
    Ok(Figures {
        districts,
        members,
        audit_entries: journal_head(conn, commune)?.0,
    })
}

pub fn by_slug(conn: &mut DbConn, slug: &str) -> QueryResult<Option<Commune>> {
    communes::table
        .filter(communes::slug.eq(slug))
        .select(Commune::as_select())
        .get_result(conn)
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

    fn refused(r: Result<NewCommune, Refusal>) -> &'static str {
        r.unwrap_err().key
    }

    #[test]
    fn a_commune_needs_a_clean_slug_a_name_and_a_known_country() {
        let c = NewCommune::parse("dakar-plateau", "Dakar-Plateau", "sn", None).unwrap();
        assert_eq!(c.code, "DAKARPLATEAU");
        assert_eq!(c.country, Country::Senegal);
        assert_eq!(
            refused(NewCommune::parse("Dakar", "x", "SN", None)),
            "commune.bad_slug"
        );
        assert_eq!(
            refused(NewCommune::parse("api", "x", "SN", None)),
            "commune.reserved_slug"
        );
        assert_eq!(
            refused(NewCommune::parse("ok", "x", "ML", None)),
            "commune.bad_country"
        );
        assert_eq!(
            refused(NewCommune::parse("ok", "x", "BJ", Some("a/b"))),
            "commune.bad_code"
        );
        assert_eq!(
            refused(NewCommune::parse("ok", "  ", "BJ", None)),
            "commune.empty_name"
        );
    }

    #[test]
    fn each_country_has_its_time_zone_and_today_is_the_communes_own() {
        assert_eq!(Country::Benin.timezone().name(), "Africa/Porto-Novo");
        let c = Commune {
            id: CommuneId(1),
            slug: "x".into(),
            name: "X".into(),
            country: Country::Benin,
            currency: "XOF".into(),
            timezone: "Nowhere/Else".into(),
            default_locale: "fr".into(),
            code: "X".into(),
            created_at: NaiveDateTime::default(),
        };
        // An unknown zone in the row falls back to the country's.
        assert_eq!(c.tz(), chrono_tz::Africa::PortoNovo);
        let t = NaiveDate::from_ymd_opt(2026, 11, 28)
            .unwrap()
            .and_hms_opt(23, 30, 0)
            .unwrap();
        assert_eq!(c.local(t).to_string(), "2026-11-29 00:30:00");
    }
}
