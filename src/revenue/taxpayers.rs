//! The taxpayer register: people and organisations the commune taxes, found by name,
//! reference, phone or district, with duplicates found by identifier and phone, and
//! merged without losing their history.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::assess::text_enum;
use crate::audit::{self, Actor, Event};
use crate::db::schema::{districts, taxable_items, taxpayers};
use crate::db::DbConn;
use crate::ids::{CommuneId, DistrictId, TaxpayerId};

text_enum!(
    TaxpayerKind { Person = "person", Organisation = "organisation" }
);

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = taxpayers)]
pub struct Taxpayer {
    pub id: TaxpayerId,
    pub commune_id: CommuneId,
    pub reference: String,
    pub kind: String,
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
    pub import_batch: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The fields a person fills in (or an import row carries), already checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaxpayerFields {
    pub reference: String,
    pub kind: String,
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub district_id: Option<DistrictId>,
    pub address: Option<String>,
    pub gps: Option<(i64, i64)>,
}

/// Lowercase, without accents or repeated spaces: what searches compare.
pub fn search_key(text: &str) -> String {
    if text.is_ascii() {
        ascii_search_key(text)
    } else {
        unicode_search_key(text)
    }
}

fn unicode_search_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let plain = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'ɛ' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ɔ' => "o",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'œ' => "oe",
            'æ' => "ae",
            '’' | '\'' | '-' | '_' | '.' | ',' => " ",
            _ => "",
        };
        let mut one = [0u8; 4];
        let piece = if plain.is_empty() {
            &*c.encode_utf8(&mut one)
        } else {
            plain
        };
        for ch in piece.chars() {
            if ch.is_whitespace() {
                space = !out.is_empty();
                continue;
            }
            if space {
                out.push(' ');
                space = false;
            }
            out.push(ch);
        }
    }
    out
}

/// [`search_key`] for plain ASCII, the common case: one pass over the bytes.
fn ascii_search_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for b in text.bytes() {
        let b = match b {
            b'\'' | b'-' | b'_' | b'.' | b',' => b' ',
            b => b.to_ascii_lowercase(),
        };
        if b.is_ascii_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(b as char);
    }
    out
}

pub fn by_id(conn: &mut DbConn, commune: CommuneId, id: TaxpayerId) -> QueryResult<Taxpayer> {
    taxpayers::table
        .filter(taxpayers::commune_id.eq(commune))
        .find(id)
        .select(Taxpayer::as_select())
        .first(conn)
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
        .first(conn)
        .optional()
}

/// Creates one taxpayer (from the register's form).
pub fn create(
    conn: &mut DbConn,
    commune: CommuneId,
    f: &TaxpayerFields,
    actor: &Actor,
) -> QueryResult<TaxpayerId> {
    let at = crate::db::now();
    let id: TaxpayerId = diesel::insert_into(taxpayers::table)
        .values((
            taxpayers::commune_id.eq(commune),
            taxpayers::reference.eq(&f.reference),
            taxpayers::kind.eq(&f.kind),
            taxpayers::name.eq(&f.name),
            taxpayers::search_name.eq(search_key(&f.name)),
            taxpayers::id_number.eq(&f.id_number),
            taxpayers::phone.eq(&f.phone),
            taxpayers::email.eq(&f.email),
            taxpayers::district_id.eq(f.district_id),
            taxpayers::address.eq(&f.address),
            taxpayers::lat_e6.eq(f.gps.map(|g| g.0)),
            taxpayers::lon_e6.eq(f.gps.map(|g| g.1)),
            taxpayers::created_at.eq(at),
            taxpayers::updated_at.eq(at),
        ))
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

/// One row of the register, with its district's name.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct RegisterRow {
    pub id: TaxpayerId,
    pub reference: String,
    pub kind: String,
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub district: Option<String>,
    pub merged_into: Option<TaxpayerId>,
}

/// The columns of a [`RegisterRow`], in its order.
type RegisterColumns = (
    taxpayers::id,
    taxpayers::reference,
    taxpayers::kind,
    taxpayers::name,
    taxpayers::phone,
    taxpayers::id_number,
    diesel::dsl::Nullable<districts::name>,
    taxpayers::merged_into,
);

fn register_columns() -> RegisterColumns {
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
    /// Matches the name (any part, without accents), the exact reference, phone
    /// or identifier.
    pub text: Option<String>,
    pub district: Option<DistrictId>,
    pub include_merged: bool,
}

/// Where a page of the register starts: the last `(reference, id)` seen.
pub type PageKey = (String, TaxpayerId);

/// A page of the register, in reference order (the order of a roll's articles), read
/// through the unique index on the reference: `after` is the `(reference, id)` of the
/// last row of the previous page, so paging stays fast on a million rows. A name search
/// reads the rows in that order until the page is full.
pub fn page(
    conn: &mut DbConn,
    commune: CommuneId,
    filter: &Filter,
    after: Option<PageKey>,
    limit: i64,
) -> QueryResult<(Vec<RegisterRow>, Option<PageKey>)> {
    let text = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if let (Some(text), None) = (text, &after) {
        // A reference typed in full: one look-up in the unique index, no scan.
        if let Some(row) = exact_ref(conn, commune, text, filter)? {
            return Ok((vec![row], None));
        }
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
    if let Some(text) = text {
        let key = search_key(text);
        let like = format!("%{}%", key.replace(['\\', '%'], "").replace('_', " "));
        let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
        let phone_like = format!("%{digits}");
        let cond = taxpayers::search_name
            .like(like)
            .or(taxpayers::reference.eq(text.to_string()))
            .or(taxpayers::id_number.eq(text.to_string()));
        q = if digits.len() >= 6 {
            q.filter(cond.or(taxpayers::phone.like(phone_like)))
        } else {
            q.filter(cond)
        };
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

/// The row of a reference typed in full, if it passes the other filters.
fn exact_ref(
    conn: &mut DbConn,
    commune: CommuneId,
    text: &str,
    filter: &Filter,
) -> QueryResult<Option<RegisterRow>> {
    let mut q = taxpayers::table
        .left_join(districts::table)
        .filter(taxpayers::commune_id.eq(commune))
        .filter(taxpayers::reference.eq(text))
        .select(register_columns())
        .into_boxed();
    if !filter.include_merged {
        q = q.filter(taxpayers::merged_into.is_null());
    }
    if let Some(d) = filter.district {
        q = q.filter(taxpayers::district_id.eq(d));
    }
    q.first(conn).optional()
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MergeError {
    #[error("a taxpayer cannot be merged into itself")]
    Same,
    #[error("this taxpayer was already merged")]
    AlreadyMerged,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl MergeError {
    pub fn message_key(&self) -> &'static str {
        match self {
            MergeError::Same => "taxpayer.merge_same",
            MergeError::AlreadyMerged => "taxpayer.merge_done",
            MergeError::Db(_) => "error.internal",
        }
    }
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
) -> Result<(), MergeError> {
    if keep == duplicate {
        return Err(MergeError::Same);
    }
    crate::communes::lock(conn, commune)?;
    let kept = by_id(conn, commune, keep)?;
    let dup = by_id(conn, commune, duplicate)?;
    if kept.merged_into.is_some() || dup.merged_into.is_some() {
        return Err(MergeError::AlreadyMerged);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_keys_ignore_case_accents_and_punctuation() {
        assert_eq!(search_key("  Ndèye  Fatou DIOP "), "ndeye fatou diop");
        assert_eq!(search_key("Gisèle Houngbédji"), "gisele houngbedji");
        assert_eq!(
            search_key("Société d’Œuvres-Sociales"),
            "societe d oeuvres sociales"
        );
    }
}
